//! Shop set-up helps: 接続テスト (one call to the marketplace, its answer in Japanese) and,
//! for Rakuten, the address to register for 問い合わせユーザアクション通知 with when the last
//! push came; for Yahoo!, 連携する (YConnect: the server's `/connect/yahoo/start`).

use leptos::prelude::*;
use shared::ops::{IdVariables, ShopWithSettings, TestShopConnection};

use crate::api;
use crate::components::error::ErrorLine;
use crate::format;

/// 接続テスト for one shop, with the answer under the button.
#[component]
pub(super) fn ConnectionTestButton(shop_id: String) -> impl IntoView {
    let testing = Action::new_local(|id: &String| {
        let vars = IdVariables { id: id.clone().into() };
        async move { api::gql::<TestShopConnection>(vars).await.map(|d| d.test_shop_connection) }
    });
    let busy = testing.pending();
    let error = Signal::derive(move || testing.value().get().and_then(Result::err));
    view! {
        <div class="connection-test">
            <button type="button" class="small" disabled=busy on:click=move |_| {
                testing.dispatch(shop_id.clone());
            }>{move || if busy.get() { "接続テスト中…" } else { "接続テスト" }}</button>
            {move || {
                testing
                    .value()
                    .get()
                    .and_then(Result::ok)
                    .map(|t| {
                        let class = if t.ok { "connection-result ok" } else { "connection-result ng" };
                        view! {
                            <p class=class role="status">
                                {if t.ok { "✓ " } else { "✗ " }}
                                {t.message}
                            </p>
                        }
                    })
            }}
            <ErrorLine error/>
        </div>
    }
}

/// Rakuten's push: the address to register in RMS, and when the last push came.
#[component]
pub(super) fn RakutenPush(shop: Option<ShopWithSettings>) -> impl IntoView {
    let url = shop.as_ref().and_then(|s| s.push_endpoint_url.clone());
    let last = shop.as_ref().and_then(|s| s.last_push_at);
    // Without a configured public address, this page's own address is the best guess.
    let (url, guessed) = match url {
        Some(u) => (u, false),
        None => (format!("{}/hooks/rakuten", window().location().origin().unwrap_or_default()), true),
    };
    view! {
        <div class="push-setup notice">
            <p>
                "問い合わせユーザアクション通知の登録先URL（RMSに登録してください）: "
                <code class="push-url">{url}</code>
            </p>
            {guessed
                .then(|| {
                    view! {
                        <p class="muted small-note">
                            "サーバーの公開URL（--public-url）が未設定のため、このページのアドレスから表示しています。"
                        </p>
                    }
                })}
            <p class="last-push">
                "最終受信日時: "
                {match last {
                    Some(t) => format::date_time(&t),
                    None => "まだ受信していません".to_owned(),
                }}
            </p>
        </div>
    }
}

/// Yahoo!'s 連携する: the browser goes to Yahoo! JAPAN to consent and comes back to 店舗設定
/// with the tokens stored (the server's `yahoo_link.rs`). A plain link the router leaves alone
/// (`rel="external"`): it leaves the app.
#[component]
pub(super) fn YahooLink(shop_id: String) -> impl IntoView {
    let start = format!("/connect/yahoo/start?shop={}", format::url_encode(&shop_id));
    let callback = format!("{}/connect/yahoo/callback", window().location().origin().unwrap_or_default());
    view! {
        <div class="yahoo-link notice">
            <p>
                <a class="button primary" href=start rel="external">
                    "Yahoo! JAPANと連携する"
                </a>
            </p>
            <p class="muted small-note">
                "clientId（クライアントID）とclientSecret（シークレット）を保存してから押してください。Yahoo! JAPANの画面で許可すると、この画面に戻り、アクセストークンとリフレッシュトークンが保存されます（貼り付けは不要です）。"
            </p>
            <p class="muted small-note">
                "YConnectのアプリケーションには、コールバックURLとして次のURLを登録してください: "
                <code class="yahoo-callback">{callback}</code>
            </p>
        </div>
    }
}
