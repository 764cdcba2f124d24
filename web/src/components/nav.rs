//! The top bar: product name, the screens (with the 返信が必要 count), who is signed in, and
//! whether live updates are connected.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::live::use_live;
use crate::session::use_session;

#[component]
pub fn Nav() -> impl IntoView {
    let session = use_session();
    let live = use_live();
    let unsent = crate::drafts::use_unsent();
    let viewer = move || session.viewer();
    let is_admin = move || session.viewer().is_some_and(|v| v.role == shared::Role::Admin);
    let needs_reply = move || live.counts.get().map(|c| c.needs_reply).unwrap_or(0);
    // Which section the current page belongs to (an inquiry page is part of お問い合わせ管理).
    let path = use_location().pathname;
    let section = move |prefixes: &'static [&'static str]| {
        move || {
            let p = path.get();
            let on = prefixes.iter().any(|pre| if *pre == "/" { p == "/" } else { p.starts_with(pre) });
            if on { "active" } else { "" }
        }
    };
    view! {
        <header class="topbar">
            <A href="/" attr:class="brand">
                <span class="brand-ja">"窓口"</span>
                <span class="brand-en">"Madoguchi"</span>
            </A>
            <nav class="topnav">
                <A href="/" attr:class=section(&["/", "/inquiries"])>
                    "お問い合わせ管理"
                    <Show when=move || { needs_reply() > 0 }>
                        <span class="count" title="返信が必要">{needs_reply}</span>
                    </Show>
                </A>
                <A href="/orders" attr:class=section(&["/orders"])>
                    "受注一覧"
                </A>
                <A href="/templates" attr:class=section(&["/templates"])>
                    "テンプレート"
                </A>
                <A href="/sync" attr:class=section(&["/sync"])>
                    "取込・書出"
                </A>
                <Show when=is_admin>
                    <A href="/shops" attr:class=section(&["/shops"])>
                        "店舗設定"
                    </A>
                    <A href="/api-tokens" attr:class=section(&["/api-tokens"])>
                        "APIトークン"
                    </A>
                    <A href="/staff" attr:class=section(&["/staff"])>
                        "スタッフ"
                    </A>
                    <A href="/webhooks" attr:class=section(&["/webhooks"])>
                        "Webhook"
                    </A>
                </Show>
            </nav>
            <div class="whoami">
                <span
                    class="live"
                    class:on=move || live.connected.get()
                    title=move || {
                        if live.connected.get() { "自動更新中" } else { "自動更新に再接続しています…" }
                    }
                ></span>
                <span class="tenant">{move || viewer().map(|v| v.tenant_name)}</span>
                <span class="user">{move || viewer().map(|v| v.name)}</span>
                <button
                    class="link"
                    on:click=move |_| {
                        if unsent.confirm_leave() {
                            session.logout();
                        }
                    }
                >
                    "ログアウト"
                </button>
            </div>
        </header>
    }
}
