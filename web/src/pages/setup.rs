//! 初期設定 (first start): while the server has no company yet (`GET /setup` → `needed`), the
//! signed-out screen is a setup form instead of the login form. It works once, with the setup
//! code the server printed at start; the server then signs the new admin in.

use gloo_net::http::Request;
use leptos::prelude::*;
use serde::Deserialize;
use web_sys::RequestCredentials;

use crate::pages::login::LoginPage;
use crate::session::use_session;

#[derive(Deserialize)]
struct Needed {
    needed: bool,
}

#[derive(Deserialize)]
struct Refusal {
    #[serde(default)]
    error: String,
}

/// Whether the server still needs its first company (`false` when it cannot say).
async fn setup_needed() -> bool {
    let Ok(resp) = Request::get("/setup").header("Accept", "application/json").send().await else {
        return false;
    };
    resp.ok() && resp.json::<Needed>().await.is_ok_and(|n| n.needed)
}

/// The signed-out screen: the setup form on first start, else the login form.
#[component]
pub fn SignedOutPage() -> impl IntoView {
    let needed = LocalResource::new(setup_needed);
    view! {
        <Suspense fallback=|| view! { <p class="page-loading">"読み込み中…"</p> }>
            {move || Suspend::new(async move {
                if needed.await { view! { <SetupPage/> }.into_any() } else { view! { <LoginPage/> }.into_any() }
            })}
        </Suspense>
    }
}

/// Sends the setup form: `Ok` once the company and its admin exist (and the admin is signed
/// in), else the sentence to show.
async fn send_setup(body: serde_json::Value) -> Result<(), String> {
    let sent = match Request::post("/setup")
        .credentials(RequestCredentials::Include)
        .header("Accept", "application/json")
        .json(&body)
    {
        Ok(req) => req.send().await.map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    match sent {
        Ok(resp) if resp.status() == 201 => Ok(()),
        Ok(resp) => {
            let status = resp.status();
            Err(match resp.json::<Refusal>().await {
                Ok(r) if !r.error.is_empty() => r.error,
                _ => format!("セットアップできませんでした (HTTP {status})。"),
            })
        }
        Err(e) => Err(format!("サーバーに接続できません: {e}")),
    }
}

#[component]
pub fn SetupPage() -> impl IntoView {
    let session = use_session();
    let company = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let setting_up = Action::new_local(|body: &serde_json::Value| send_setup(body.clone()));
    let busy = setting_up.pending();
    Effect::new(move |_| match setting_up.value().get() {
        Some(Ok(())) => session.reload(),
        Some(Err(message)) => error.set(Some(message)),
        None => {}
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let body = serde_json::json!({
            "companyName": company.get_untracked().trim(),
            "adminName": name.get_untracked().trim(),
            "email": email.get_untracked().trim(),
            "password": password.get_untracked(),
            "setupCode": code.get_untracked().trim(),
        });
        error.set(None);
        setting_up.clear();
        setting_up.dispatch(body);
    };

    let field =
        move |label: &'static str, kind: &'static str, nm: &'static str, auto: &'static str, sig: RwSignal<String>| {
            view! {
                <label>
                    {label}
                    <input
                        type=kind
                        name=nm
                        autocomplete=auto
                        required
                        prop:value=move || sig.get()
                        on:input=move |ev| sig.set(event_target_value(&ev))
                    />
                </label>
            }
        };

    view! {
        <div class="login">
            <form class="login-card setup-card" on:submit=submit>
                <h1>
                    <span class="brand-ja">"窓口"</span>
                    <span class="brand-en">"初期設定"</span>
                </h1>
                <p class="lead">
                    "最初の会社と管理者を登録します。セットアップコードはサーバーの起動時に表示されています。"
                </p>
                {field("会社名", "text", "companyName", "organization", company)}
                {field("管理者の名前", "text", "adminName", "name", name)}
                {field("メールアドレス", "email", "email", "username", email)}
                {field("パスワード", "password", "password", "new-password", password)}
                {field("セットアップコード", "text", "setupCode", "off", code)}
                {move || error.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
                <button type="submit" class="primary" disabled=move || busy.get()>
                    {move || if busy.get() { "登録中…" } else { "登録してログイン" }}
                </button>
            </form>
        </div>
    }
}
