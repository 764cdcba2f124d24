//! ログイン: staff e-mail and password; the server sets the session cookie.

use leptos::prelude::*;

use crate::api;
use crate::session::use_session;

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let signing_in = Action::new_local(|(email, password): &(String, String)| {
        let (email, password) = (email.clone(), password.clone());
        async move { api::login(email.trim(), &password).await }
    });
    let busy = signing_in.pending();
    Effect::new(move |_| match signing_in.value().get() {
        Some(Ok(())) => session.reload(),
        Some(Err(message)) => error.set(Some(message)),
        None => {}
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let (e, p) = (email.get_untracked(), password.get_untracked());
        if e.trim().is_empty() || p.is_empty() {
            error.set(Some("メールアドレスとパスワードを入力してください。".into()));
            return;
        }
        error.set(None);
        signing_in.clear();
        signing_in.dispatch((e, p));
    };

    view! {
        <div class="login">
            <form class="login-card" on:submit=submit>
                <h1>
                    <span class="brand-ja">"窓口"</span>
                    <span class="brand-en">"Madoguchi"</span>
                </h1>
                <p class="lead">"受注とお問い合わせをひとつの窓口で"</p>
                <label>
                    "メールアドレス"
                    <input
                        type="email"
                        name="email"
                        autocomplete="username"
                        required
                        prop:value=move || email.get()
                        on:input=move |ev| email.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    "パスワード"
                    <input
                        type="password"
                        name="password"
                        autocomplete="current-password"
                        required
                        prop:value=move || password.get()
                        on:input=move |ev| password.set(event_target_value(&ev))
                    />
                </label>
                {move || error.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
                <button type="submit" class="primary" disabled=move || busy.get()>
                    {move || if busy.get() { "ログイン中…" } else { "ログイン" }}
                </button>
            </form>
        </div>
    }
}
