//! A secret the server shows once (an API token, a webhook's signing secret): the notice, the
//! value with a copy button, and 閉じる. The value is never shown again once this is closed.

use leptos::prelude::*;

#[component]
pub fn SecretShownOnce(
    /// What was created, e.g. 「APIトークン「連携」を作成しました」.
    title: String,
    /// What staff must do with it.
    notice: &'static str,
    secret: String,
    on_close: Callback<()>,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    let value = secret.clone();
    let copy = move |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(&value);
            copied.set(true);
        }
    };
    view! {
        <div class="card secret-box" role="status">
            <h2>{title}</h2>
            <p class="notice">{notice}</p>
            <div class="secret-line">
                <code class="secret">{secret}</code>
                <button type="button" class="small" on:click=copy>
                    {move || if copied.get() { "コピーしました" } else { "コピー" }}
                </button>
            </div>
            <div class="form-actions">
                <button type="button" on:click=move |_| on_close.run(())>
                    "閉じる"
                </button>
            </div>
        </div>
    }
}
