//! 店舗設定 (admin): the tenant's shops with their profile (the four merge-field values) and
//! marketplace settings (モール詳細設定): API URL, 受注を取得する日数, 自動取得, 自動書き出し, the
//! Rakuma registered e-mail and 評価メッセージ, and the API情報 (credentials).
//!
//! - [`list`]: the table of shops.
//! - [`editor`]: create or edit one shop; [`credentials`]: its API情報 inputs (write-only: the
//!   screen shows only whether they are set, every key of `shared::credentials` is offered,
//!   and only what staff typed is sent — the server keeps the keys not sent).
//! - [`csv_mapping`]: a カスタムCSV店舗's CSV列の設定 (which header carries which order field,
//!   for 受注CSV取込 and 受注CSV書出), saved on its own beside the shop's form.

mod connection;
mod credentials;
mod csv_mapping;
mod editor;
mod list;

use leptos::prelude::*;
use shared::ops::{ShopSettingsList, ShopWithSettings};

use crate::api;
use crate::components::admin_only::AdminOnly;
use crate::components::error::error_lines;
use csv_mapping::CsvMappingEditor;
use editor::ShopEditor;
use list::ShopTable;

/// The most days an import window may span (the server's rule).
const MAX_IMPORT_DAYS: i32 = 730;

/// What the editor area shows.
#[derive(Clone, Debug, PartialEq)]
enum Editing {
    Closed,
    New,
    Existing(ShopWithSettings),
}

#[component]
pub fn ShopsPage() -> impl IntoView {
    view! {
        <AdminOnly title="店舗設定" notice="店舗設定は管理者のみ利用できます。">
            <Shops/>
        </AdminOnly>
    }
}

#[component]
fn Shops() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let editing = RwSignal::new(Editing::Closed);
    let saved_note = RwSignal::new(None::<String>);
    // How a 連携する came back from Yahoo! JAPAN (`?yahoo=connected|failed&message=…`).
    let query = leptos_router::hooks::use_query_map();
    let link_outcome = query.with_untracked(|q| match q.get("yahoo").as_deref() {
        Some("connected") => Some(Ok(
            "Yahoo!ショッピングと連携しました。アクセストークンとリフレッシュトークンを保存しました。".to_string(),
        )),
        Some(_) => Some(Err(q.get("message").unwrap_or_else(|| "連携できませんでした。".to_string()))),
        None => None,
    });
    let shops = LocalResource::new(move || {
        version.track();
        async { api::gql::<ShopSettingsList>(()).await.map(|d| d.shops) }
    });

    let on_saved = Callback::new(move |shop: ShopWithSettings| {
        saved_note.set(Some(format!("店舗「{}」の設定を保存しました。", shop.name)));
        editing.set(Editing::Closed);
        version.update(|v| *v += 1);
    });
    let on_cancel = Callback::new(move |()| editing.set(Editing::Closed));
    let on_edit = Callback::new(move |shop: ShopWithSettings| {
        saved_note.set(None);
        editing.set(Editing::Existing(shop))
    });

    let editor = move || match editing.get() {
        Editing::Closed => ().into_any(),
        Editing::New => view! { <ShopEditor shop=None on_saved on_cancel/> }.into_any(),
        // A shop without a marketplace API exchanges files: its CSV columns are set here.
        Editing::Existing(shop) if !shop.marketplace.capabilities().api_connector => view! {
            <ShopEditor shop=Some(shop.clone()) on_saved on_cancel/>
            <CsvMappingEditor shop/>
        }
        .into_any(),
        Editing::Existing(shop) => view! { <ShopEditor shop=Some(shop) on_saved on_cancel/> }.into_any(),
    };

    view! {
        <div class="page-head">
            <h1>"店舗設定"</h1>
            <button
                class="primary"
                on:click=move |_| {
                    saved_note.set(None);
                    editing.set(Editing::New)
                }
            >
                "店舗を追加"
            </button>
        </div>
        <p class="editor-help">
            "店舗ごとに、テンプレートの差し込みに使う店舗情報と、モールとの連携設定（API情報・受注を取得する日数・自動取得・自動書き出し）を登録します。"
        </p>
        {move || saved_note.get().map(|m| view! { <p class="success" role="status">{m}</p> })}
        {link_outcome
            .map(|outcome| match outcome {
                Ok(m) => view! { <p class="success yahoo-link-result" role="status">{m}</p> }.into_any(),
                Err(m) => view! { <p class="error yahoo-link-result" role="alert">{m}</p> }.into_any(),
            })}
        {editor}
        <Transition fallback=|| view! { <p class="loading">"読み込み中…"</p> }>
            <ErrorBoundary fallback=error_lines>
                {move || Suspend::new(async move { shops.await.map(|list| view! { <ShopTable list on_edit/> }) })}
            </ErrorBoundary>
        </Transition>
    }
}
