//! Create or edit a template: カテゴリ名, テンプレート名, 本文, a copy (and insert) button for
//! each of the four merge fields, and a preview for a chosen shop. Problems are shown next to
//! their field: first the shared validation (`TemplateDraft::parse`, the server's rules), then
//! whatever the server still refuses (`VALIDATION` with `extensions.field`).

use leptos::html::Textarea;
use leptos::prelude::*;
use shared::ops::{
    CreateTemplate, Shops, Template, TemplateInput, TemplateInputVariables, UpdateTemplate, UpdateTemplateVariables,
};
use shared::template::{FieldError, MergeField, TemplateDraft};

use crate::api;
use crate::components::shop_select::{ShopSelect, shop_ref};
use crate::components::template_preview::TemplatePreview;

#[component]
pub fn TemplateEditor(
    /// The template to edit; `None` creates a new one.
    template: Option<Template>,
    /// Category names for suggestions.
    #[prop(into)]
    categories: Signal<Vec<String>>,
    /// After a save (with the saved template).
    on_saved: Callback<Template>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let editing_id = template.as_ref().map(|t| t.id.clone());
    let is_new = editing_id.is_none();
    let category = RwSignal::new(template.as_ref().map(|t| t.category.clone()).unwrap_or_default());
    let name = RwSignal::new(template.as_ref().map(|t| t.name.clone()).unwrap_or_default());
    let body = RwSignal::new(template.as_ref().map(|t| t.body.clone()).unwrap_or_default());
    let client_errors = RwSignal::new(Vec::<FieldError>::new());
    // Updates the template with the id, or creates one.
    let saving = Action::new_local(|(id, input): &(Option<String>, TemplateInput)| {
        let (id, input) = (id.clone(), input.clone());
        async move {
            match id {
                Some(id) => api::gql::<UpdateTemplate>(UpdateTemplateVariables { id: id.into(), input })
                    .await
                    .map(|d| d.update_template),
                None => api::gql::<CreateTemplate>(TemplateInputVariables { input }).await.map(|d| d.create_template),
            }
        }
    });
    let busy = saving.pending();
    let server_error = Signal::derive(move || saving.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(t)) = saving.value().get() {
            on_saved.run(t);
        }
    });
    let copied = RwSignal::new(None::<MergeField>);
    let textarea = NodeRef::<Textarea>::new();

    let shops = LocalResource::new(|| async { api::gql::<Shops>(()).await.map(|d| d.shops).unwrap_or_default() });
    let preview_shop = RwSignal::new(String::new());
    let profile = Signal::derive(move || {
        let shops = shops.get().unwrap_or_default();
        let chosen = preview_shop.get();
        shops.iter().find(|s| s.id == chosen).or(shops.first()).map(|s| s.profile.clone().into()).unwrap_or_default()
    });

    let field_error = move |field: &'static str| {
        move || {
            client_errors
                .with(|errs| errs.iter().find(|e| e.field == field).map(|e| e.message.clone()))
                .or_else(|| server_error.with(|e| e.as_ref().and_then(|e| e.field_message(field))))
                .map(|m| view! { <p class="field-error" role="alert">{m}</p> })
        }
    };
    let general_error = move || {
        server_error
            .get()
            .filter(|e| !e.has_field_errors())
            .map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })
    };

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        saving.clear();
        let draft = match TemplateDraft::parse(&category.get_untracked(), &name.get_untracked(), &body.get_untracked())
        {
            Ok(draft) => {
                client_errors.set(Vec::new());
                draft
            }
            Err(errors) => {
                client_errors.set(errors);
                return;
            }
        };
        let input = TemplateInput { category: draft.category, name: draft.name, body: draft.body };
        saving.dispatch((editing_id.clone().map(Into::into), input));
    };

    let copy = move |field: MergeField| {
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(field.token());
        }
        copied.set(Some(field));
    };
    let insert = move |field: MergeField| {
        let token = field.token();
        let Some(el) = textarea.get_untracked() else {
            body.update(|b| b.push_str(token));
            return;
        };
        let text = body.get_untracked();
        // Selection offsets are in UTF-16 code units.
        let units: Vec<u16> = text.encode_utf16().collect();
        let start = (el.selection_start().ok().flatten().unwrap_or(units.len() as u32) as usize).min(units.len());
        let end = (el.selection_end().ok().flatten().unwrap_or(start as u32) as usize).clamp(start, units.len());
        let mut out = String::from_utf16_lossy(&units[..start]);
        out.push_str(token);
        out.push_str(&String::from_utf16_lossy(&units[end..]));
        body.set(out);
        let caret = (start + token.encode_utf16().count()) as u32;
        let _ = el.focus();
        let _ = el.set_selection_range(caret, caret);
    };

    let merge_buttons = MergeField::ALL
        .into_iter()
        .map(|field| {
            view! {
                <span class="merge-button">
                    <code>{field.token()}</code>
                    <button type="button" class="small" on:click=move |_| copy(field)>
                        {move || if copied.get() == Some(field) { "コピーしました" } else { "コピー" }}
                    </button>
                    <button type="button" class="small" on:click=move |_| insert(field)>
                        "挿入"
                    </button>
                </span>
            }
        })
        .collect_view();

    view! {
        <form class="card editor-card form" on:submit=save>
            <h2>{if is_new { "テンプレートの新規作成" } else { "テンプレートの編集" }}</h2>
            <div class="editor">
                <div class="form">
                    <label>
                        <span class="required">"カテゴリ名"</span>
                        <input
                            list="template-categories"
                            prop:value=move || category.get()
                            on:input=move |ev| category.set(event_target_value(&ev))
                        />
                        <datalist id="template-categories">
                            {move || categories.get().into_iter().map(|c| view! { <option value=c></option> }).collect_view()}
                        </datalist>
                        {field_error("category")}
                    </label>
                    <label>
                        <span class="required">"テンプレート名"</span>
                        <input prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                        {field_error("name")}
                    </label>
                    <label>
                        <span class="required">"本文"</span>
                        <textarea
                            rows="12"
                            node_ref=textarea
                            prop:value=move || body.get()
                            on:input=move |ev| body.set(event_target_value(&ev))
                        ></textarea>
                        {field_error("body")}
                    </label>
                    <p class="editor-help">
                        "差し込み機能を利用することで、各店舗で設定した情報を自動的に表示させることができます。"
                        "表示したい箇所に以下の内容を入力して下さい。※ [ ] を付けた状態で差し込みして下さい。"
                    </p>
                    <div class="merge-buttons">{merge_buttons}</div>
                    <p class="editor-help">"例文: [出店モール店舗名]の[担当者名]です。この度はご注文いただきありがとうございます!"</p>
                </div>
                <div class="form">
                    <label>
                        "プレビューする店舗"
                        <ShopSelect
                            shops=Signal::derive(move || {
                                shops.get().unwrap_or_default().iter().map(|s| shop_ref(&s.id, &s.name, s.marketplace)).collect()
                            })
                            value=Signal::derive(move || Some(preview_shop.get()))
                            on_change=Callback::new(move |id: Option<String>| preview_shop.set(id.unwrap_or_default()))
                        />
                    </label>
                    <TemplatePreview body=body profile/>
                </div>
            </div>
            {general_error}
            <div class="form-actions">
                <button type="button" on:click=move |_| on_cancel.run(())>"キャンセル"</button>
                <button type="submit" class="primary" disabled=move || busy.get()>
                    {move || if busy.get() { "保存中…" } else { "保存" }}
                </button>
            </div>
        </form>
    }
}
