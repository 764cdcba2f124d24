//! テンプレート: templates listed by category (カテゴリ名), with create, edit and delete (after a
//! confirmation).

use leptos::prelude::*;
use shared::ops::{DeleteTemplate, IdVariables, Template, TemplateCategories, Templates, TemplatesVariables};

use crate::api;
use crate::components::error::{ErrorLine, error_lines};
use crate::components::template_editor::TemplateEditor;
use crate::format;
use crate::session::use_session;

/// What the editor area shows.
#[derive(Clone, Debug, PartialEq)]
enum Editing {
    Closed,
    New,
    Existing(Template),
}

#[component]
pub fn TemplatesPage() -> impl IntoView {
    let session = use_session();
    let can_write = move || session.can_write();
    let category = RwSignal::new(None::<String>);
    let version = RwSignal::new(0u32);
    let editing = RwSignal::new(Editing::Closed);
    let saved_note = RwSignal::new(None::<String>);

    let categories = LocalResource::new(move || {
        version.track();
        async { api::gql::<TemplateCategories>(()).await.map(|d| d.template_categories) }
    });
    let templates = LocalResource::new(move || {
        version.track();
        let vars = TemplatesVariables { category: category.get() };
        async move { api::gql::<Templates>(vars).await.map(|d| d.templates) }
    });
    let category_names = Signal::derive(move || categories.get().and_then(|r| r.ok()).unwrap_or_default());

    let on_saved = Callback::new(move |t: Template| {
        saved_note.set(Some(format!("テンプレート「{}」を保存しました。", t.name)));
        editing.set(Editing::Closed);
        version.update(|v| *v += 1);
    });
    let on_cancel = Callback::new(move |()| editing.set(Editing::Closed));

    let deleting = Action::new_local(|t: &Template| {
        let t = t.clone();
        async move { api::gql::<DeleteTemplate>(IdVariables::new(t.id.clone())).await.map(|_| t) }
    });
    let error = Signal::derive(move || deleting.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(t)) = deleting.value().get() {
            saved_note.set(Some(format!("テンプレート「{}」を削除しました。", t.name)));
            if editing.get_untracked() == Editing::Existing(t) {
                editing.set(Editing::Closed);
            }
            version.update(|v| *v += 1);
        }
    });
    let delete = move |t: Template| {
        let question = format!("テンプレート「{}」を削除しますか？この操作は取り消せません。", t.name);
        if !window().confirm_with_message(&question).unwrap_or(false) {
            return;
        }
        deleting.clear();
        deleting.dispatch(t);
    };

    let category_list = move || {
        let names = category_names.get();
        let chosen = category.get();
        let all = {
            let active = chosen.is_none();
            view! {
                <li>
                    <button class:active=active on:click=move |_| category.set(None)>
                        "すべて"
                    </button>
                </li>
            }
        };
        let each = names
            .into_iter()
            .map(|name| {
                let active = chosen.as_deref() == Some(name.as_str());
                let value = name.clone();
                view! {
                    <li>
                        <button class:active=active on:click=move |_| category.set(Some(value.clone()))>
                            {name}
                        </button>
                    </li>
                }
            })
            .collect_view();
        view! {
            {all}
            {each}
        }
    };

    let rows = move |list: Vec<Template>| match list {
        list if list.is_empty() => {
            view! { <p class="empty">"テンプレートはまだありません。「新規作成」から登録できます。"</p> }.into_any()
        }
        list => {
            let rows = list
                .into_iter()
                .map(|t| {
                    let first_line = shared::inquiry::first_line_preview(&t.body, 40);
                    let (for_edit, for_delete) = (t.clone(), t.clone());
                    view! {
                        <tr>
                            <td>{t.category.clone()}</td>
                            <td>{t.name.clone()}</td>
                            <td class="template-body-cell">{first_line}</td>
                            <td>{format::date_time(&t.updated_at)}</td>
                            <td class="num">
                                <Show when=can_write>
                                    <button class="small" on:click={
                                        let t = for_edit.clone();
                                        move |_| editing.set(Editing::Existing(t.clone()))
                                    }>"編集"</button>
                                    " "
                                    <button class="small danger" on:click={
                                        let t = for_delete.clone();
                                        move |_| delete(t.clone())
                                    }>"削除"</button>
                                </Show>
                            </td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <table class="grid">
                    <thead>
                        <tr>
                            <th>"カテゴリ名"</th>
                            <th>"テンプレート名"</th>
                            <th>"本文"</th>
                            <th>"更新日時"</th>
                            <th></th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            }
            .into_any()
        }
    };

    let editor = move || match editing.get() {
        Editing::Closed => ().into_any(),
        Editing::New => {
            view! { <TemplateEditor template=None categories=category_names on_saved on_cancel/> }.into_any()
        }
        Editing::Existing(t) => {
            view! { <TemplateEditor template=Some(t) categories=category_names on_saved on_cancel/> }.into_any()
        }
    };

    view! {
        <div class="page-head">
            <h1>"テンプレート"</h1>
            <Show when=can_write>
                <button class="primary" on:click=move |_| {
                    saved_note.set(None);
                    editing.set(Editing::New)
                }>"新規作成"</button>
            </Show>
        </div>
        <p class="editor-help">
            "テンプレートを作成しておくと、お問い合わせ管理の返信でカテゴリ名から絞り込んで選択できます。"
        </p>
        {move || saved_note.get().map(|m| view! { <p class="success">{m}</p> })}
        <ErrorLine error/>
        {editor}
        <div class="templates">
            <ul class="categories" aria-label="カテゴリ名">{category_list}</ul>
            <div>
                <Transition fallback=|| view! { <p class="loading">"読み込み中…"</p> }>
                    <ErrorBoundary fallback=error_lines>
                        {move || Suspend::new(async move { templates.await.map(rows) })}
                    </ErrorBoundary>
                </Transition>
            </div>
        </div>
    }
}
