//! The reply box's template picker: カテゴリ名, a search over the templates' names and texts
//! (`shared::template_use::matches`), and the template list. A chosen template is previewed
//! with the shop's values before it goes into the reply: 「カーソル位置に挿入」 puts it where
//! the cursor was (or over the selected text), 「本文を置き換え」 in place of all of it.

use leptos::prelude::*;
use shared::ops::{Template, TemplateCategories, Templates, TemplatesVariables};
use shared::template::ShopProfile;
use shared::template_use;

use crate::api;
use crate::components::template_preview::TemplatePreview;

/// How a chosen template goes into the reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    AtCursor,
    ReplaceAll,
}

#[component]
pub fn TemplatePicker(
    #[prop(into)] profile: Signal<ShopProfile>,
    /// A template staff chose to use, and where it goes.
    on_use: Callback<(Template, Placement)>,
) -> impl IntoView {
    let category = RwSignal::new(String::new());
    let query = RwSignal::new(String::new());
    let chosen = RwSignal::new(None::<Template>);
    let categories = LocalResource::new(|| async {
        api::gql::<TemplateCategories>(()).await.map(|d| d.template_categories).unwrap_or_default()
    });
    let templates = LocalResource::new(move || {
        let category = category.get();
        async move {
            let vars = TemplatesVariables { category: (!category.is_empty()).then_some(category) };
            api::gql::<Templates>(vars).await.map(|d| d.templates).unwrap_or_default()
        }
    });
    let shown = Memo::new(move |_| {
        let all = templates.get().unwrap_or_default();
        query.with(|q| all.into_iter().filter(|t| template_use::matches(&t.name, &t.body, q)).collect::<Vec<_>>())
    });
    let choose = move |ev: leptos::ev::Event| {
        let id = event_target_value(&ev);
        chosen.set(shown.with_untracked(|list| list.iter().find(|t| t.id == id).cloned()));
    };
    let place = move |placement: Placement| {
        if let Some(t) = chosen.get_untracked() {
            chosen.set(None);
            on_use.run((t, placement));
        }
    };

    view! {
        <div class="template-picker">
            <label>
                "カテゴリ名 "
                <select name="template-category" on:change=move |ev| category.set(event_target_value(&ev))>
                    <option value="">"すべて"</option>
                    {move || {
                        categories
                            .get()
                            .unwrap_or_default()
                            .into_iter()
                            .map(|c| view! { <option value=c.clone()>{c.clone()}</option> })
                            .collect_view()
                    }}
                </select>
            </label>
            <label>
                "検索 "
                <input
                    type="search"
                    name="template-search"
                    placeholder="テンプレート名・本文で検索"
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev))
                />
            </label>
            <label>
                "テンプレート "
                <select
                    name="template"
                    on:change=choose
                    prop:value=move || chosen.with(|c| c.as_ref().map(|t| t.id.to_string()).unwrap_or_default())
                >
                    <option value="">
                        {move || {
                            let n = shown.with(Vec::len);
                            if query.with(|q| q.trim().is_empty()) {
                                "テンプレートを選択".to_owned()
                            } else {
                                format!("テンプレートを選択（{n}件）")
                            }
                        }}
                    </option>
                    {move || {
                        shown.get().into_iter().map(|t| view! { <option value=t.id.to_string()>{t.name}</option> }).collect_view()
                    }}
                </select>
            </label>
        </div>
        {move || {
            chosen
                .get()
                .map(|t| {
                    let label = format!("テンプレート「{}」の内容", t.name);
                    view! {
                        <div class="template-choice">
                            <TemplatePreview body=Signal::derive(move || t.body.clone()) profile label/>
                            <div class="form-actions">
                                <button type="button" class="primary" on:click=move |_| place(Placement::AtCursor)>
                                    "カーソル位置に挿入"
                                </button>
                                <button type="button" on:click=move |_| place(Placement::ReplaceAll)>
                                    "本文を置き換え"
                                </button>
                                <button type="button" class="link" on:click=move |_| chosen.set(None)>
                                    "閉じる"
                                </button>
                            </div>
                        </div>
                    }
                })
        }}
    }
}
