//! The live preview of a reply or template: exactly the text the customer will receive,
//! rendered by `shared::template::render` (the function the server uses too). Merge fields
//! are tinted; bracketed text that is not a merge field is marked (it is sent as written); a
//! merge field whose shop value is empty is marked with an empty box (it is sent as nothing).

use leptos::prelude::*;
use shared::template::{self, Piece, ShopProfile};

#[component]
pub fn TemplatePreview(
    #[prop(into)] body: Signal<String>,
    #[prop(into)] profile: Signal<ShopProfile>,
    #[prop(optional, into)] label: Option<String>,
) -> impl IntoView {
    let rendered = Memo::new(move |_| profile.with(|p| body.with(|b| template::render(b, p))));
    let pieces = move || {
        rendered
            .get()
            .pieces
            .into_iter()
            .map(|piece| match piece {
                Piece::Text(text) => view! { <span>{text}</span> }.into_any(),
                Piece::Field { field, value } if value.is_empty() => {
                    let title = format!("{}が店舗に設定されていないため、空欄で送信されます", field.label());
                    view! { <span class="merge-empty" title=title></span> }.into_any()
                }
                Piece::Field { field, value } => {
                    view! { <span class="merge-field" title=field.token()>{value}</span> }.into_any()
                }
                Piece::UnknownBracket(text) => view! {
                    <mark class="unknown-bracket" title="差し込み項目ではありません。このまま送信されます">
                        {text}
                    </mark>
                }
                .into_any(),
            })
            .collect_view()
    };
    let warnings = move || {
        let r = rendered.get();
        let mut lines = Vec::new();
        let empty = r.empty_fields();
        if !empty.is_empty() {
            let names: Vec<_> = empty.iter().map(|f| f.token()).collect();
            lines.push(format!("店舗情報が未設定の差し込み項目（空欄で送信されます）: {}", names.join(" ")));
        }
        let mut unknown: Vec<&str> = Vec::new();
        for text in r.unknown_brackets() {
            if !unknown.contains(&text) {
                unknown.push(text);
            }
        }
        if !unknown.is_empty() {
            lines.push(format!("差し込み項目ではない [ ] の文字（そのまま送信されます）: {}", unknown.join(" ")));
        }
        lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()
    };
    view! {
        <div class="preview-box">
            <div class="label">{label.unwrap_or_else(|| "プレビュー（お客様に届く文面）".into())}</div>
            <p class="preview-text">{pieces}</p>
            <ul class="preview-warnings">{warnings}</ul>
        </div>
    }
}
