//! 取込・書出: per shop, manual import of orders and inquiries (モール詳細の取得日数で取得, or
//! for an explicit 取得日時 range), 発送情報を更新 for a 作成期間, and ユーザ評価を登録 (Rakuma).
//! Each run shows its live progress (「3 / 10 ページ」, the `syncRunUpdated` subscription) and
//! ends with its counts and errors; below, the history of runs with cursor paging. Each run
//! opens its details (明細).
//!
//! A refusal by the server (e.g. `MARKETPLACE_UNAVAILABLE` with its reason) is shown as the
//! action's error: it is a valid outcome, never hidden.
//!
//! A カスタムCSV店舗 has no marketplace to call: its orders come in by 受注CSV取込 (a file
//! upload). Every shop can download its orders by 受注CSV書出 (`components::csv_panel`).
//!
//! - [`details`]: one run's details (明細): what it did, line by line, paged, with its live
//!   progress (`/sync/runs/:id`).
//! - [`runs`]: the runs followed live, and starting one (an `Action` per card).
//! - [`shop_actions`]: the cards a shop offers ([`import_card`], [`export_card`], the CSV
//!   cards), each with its [`run_status`]; [`history`]: the rows of 実行履歴.

mod details;
mod export_card;
mod history;
mod import_card;
mod run_status;
mod runs;
mod shop_actions;

use std::collections::HashMap;

use leptos::prelude::*;
use shared::SyncKind;
use shared::ops::{
    ShopRef, ShopSettingsList, SyncRun, SyncRunConnection, SyncRunFilter, SyncRunUpdatedSub, SyncRunUpdatedVariables,
    SyncRuns, SyncRunsVariables,
};

use crate::api;
use crate::components::enum_select::EnumSelect;
use crate::components::error::error_lines;
use crate::components::pager::{Cursor, Pager};
use crate::components::shop_select::ShopSelect;
use crate::live::use_live;
use crate::session::use_session;
use crate::ws;
use history::{HistoryLine, HistoryRow, QuietRow, fold_quiet};
use runs::{LiveRuns, merge};
use shop_actions::ShopActions;

pub use details::SyncRunPage;

const PAGE_SIZE: i32 = 20;

#[component]
pub fn SyncPage() -> impl IntoView {
    let session = use_session();
    let live = use_live();
    let can_write = session.can_write();
    let api_option = session.viewer().is_none_or(|v| v.api_option);

    let shops = LocalResource::new(|| async { api::gql::<ShopSettingsList>(()).await.map(|d| d.shops) });
    let chosen = RwSignal::new(String::new());
    // The first shop until staff choose another.
    let shop = Memo::new(move |_| {
        let list = shops.get().and_then(|r| r.ok()).unwrap_or_default();
        let id = chosen.get();
        list.iter().find(|s| s.id == id).or(list.first()).cloned()
    });

    let runs: LiveRuns = RwSignal::new(HashMap::new());
    // History paging: the `after` cursors of the pages before this one.
    let cursors = RwSignal::new(Vec::<Option<String>>::new());
    let after = RwSignal::new(None::<String>);
    let history_version = RwSignal::new(0u64);
    // 実行履歴's filters: 手動 / 自動, the kind of run, 失敗あり.
    let trigger_filter = RwSignal::new(None::<String>);
    let kind_filter = RwSignal::new(None::<SyncKind>);
    let failures_only = RwSignal::new(false);
    let first_page = move || {
        cursors.set(Vec::new());
        after.set(None);
    };
    let history = LocalResource::new(move || {
        history_version.track();
        live.reconnects.track();
        let vars = SyncRunsVariables {
            shop_id: shop.with(|s| s.as_ref().map(|s| s.id.clone())),
            first: Some(PAGE_SIZE),
            after: after.get(),
            filter: Some(SyncRunFilter {
                trigger: trigger_filter.get(),
                kind: kind_filter.get(),
                with_failures: failures_only.get().then_some(true),
            }),
        };
        async move { api::gql::<SyncRuns>(vars).await.map(|d| d.sync_runs) }
    });
    // A fresh page updates the runs followed live (never taking one back).
    Effect::new(move |_| {
        if let Some(Ok(conn)) = history.get() {
            runs.update(|map| {
                for run in conn.nodes {
                    if map.contains_key(run.id.as_str()) {
                        merge(map, run);
                    }
                }
            });
        }
    });

    // Live progress of every run of the tenant; a run the history does not show yet reloads
    // the first page.
    let guard = ws::subscribe::<SyncRunUpdatedSub>(SyncRunUpdatedVariables::default(), move |data| {
        let run = data.sync_run_updated;
        let shown =
            history.get_untracked().and_then(|r| r.ok()).is_some_and(|conn| conn.nodes.iter().any(|n| n.id == run.id));
        runs.try_update(|map| merge(map, run));
        if !shown && after.get_untracked().is_none() {
            history_version.try_update(|v| *v += 1);
        }
    });
    let _ = StoredValue::new_local(guard);

    let on_started = Callback::new(move |run: SyncRun| {
        runs.update(|map| merge(map, run));
        if after.get_untracked().is_none() {
            history_version.update(|v| *v += 1);
        }
    });

    let on_shop = Callback::new(move |id: Option<String>| {
        chosen.set(id.unwrap_or_default());
        cursors.set(Vec::new());
        after.set(None);
    });
    let shop_choice = move |list: Vec<shared::ops::ShopWithSettings>| {
        if list.is_empty() {
            return view! { <p class="empty">"店舗が登録されていません。店舗設定から追加してください。"</p> }
                .into_any();
        }
        let refs: Vec<ShopRef> =
            list.into_iter().map(|s| ShopRef { id: s.id, name: s.name, marketplace: s.marketplace }).collect();
        view! {
            <div class="filters">
                <label>
                    "店舗 "
                    <ShopSelect
                        name="shop"
                        shops=refs
                        value=Signal::derive(move || shop.with(|s| s.as_ref().map(|s| s.id.to_string())))
                        on_change=on_shop
                    />
                </label>
            </div>
        }
        .into_any()
    };

    let actions = move || {
        shop.get().map(|s| {
            view! { <ShopActions shop=s runs on_started can_write api_option/> }
        })
    };

    // 次へ keeps the cursor it came by; 前へ goes back to it (the history pages forward only).
    let on_page = Callback::new(move |cursor: Cursor| match cursor {
        Cursor::After(end) => {
            cursors.update(|c| c.push(after.get_untracked()));
            after.set(Some(end));
        }
        Cursor::Before(_) | Cursor::First => {
            let mut stack = cursors.get_untracked();
            if let Some(previous) = stack.pop() {
                cursors.set(stack);
                after.set(previous);
            }
        }
    });
    let page = move || history.get().and_then(|r| r.ok());
    let page_info = Signal::derive(move || page().map(|c| c.page_info));
    let total = Signal::derive(move || page().map(|c| c.total_count));
    let has_previous = Signal::derive(move || cursors.with(|c| !c.is_empty()));

    let history_rows = move |conn: SyncRunConnection| {
        if conn.nodes.is_empty() {
            return view! { <p class="empty">"実行履歴はまだありません。"</p> }.into_any();
        }
        let rows = fold_quiet(conn.nodes)
            .into_iter()
            .map(|line| match line {
                HistoryLine::Run(row) => {
                    let id = row.id.to_string();
                    let run = move || runs.with(|m| m.get(&id).cloned()).unwrap_or_else(|| row.clone());
                    view! { <HistoryRow run=Signal::derive(run)/> }.into_any()
                }
                HistoryLine::Quiet(group) => view! { <QuietRow runs=group/> }.into_any(),
            })
            .collect_view();
        view! {
            <div class="table-scroll">
                <table class="grid sync-history">
                    <thead>
                        <tr>
                            <th>"開始日時"</th>
                            <th>"店舗"</th>
                            <th>"処理"</th>
                            <th>"実行"</th>
                            <th>"状態"</th>
                            <th>"進捗"</th>
                            <th class="num">"新規"</th>
                            <th class="num">"更新"</th>
                            <th class="num">"変更なし"</th>
                            <th class="num">"失敗"</th>
                            <th>"エラー"</th>
                            <th>"明細"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };

    view! {
        <section class="sync-page">
            <div class="page-head">
                <h1>"取込・書出"</h1>
            </div>
            <Transition fallback=|| view! { <p class="loading">"読み込み中…"</p> }>
                <ErrorBoundary fallback=error_lines>
                    {move || Suspend::new(async move { shops.await.map(shop_choice) })}
                </ErrorBoundary>
            </Transition>
            {(!can_write).then(|| view! { <p class="notice">"閲覧のみの権限では取込・書出を実行できません。"</p> })}
            {actions}
            <h2 class="spaced">"実行履歴"</h2>
            <div class="filters history-filters">
                <select
                    name="trigger"
                    aria-label="実行"
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        trigger_filter.set((!v.is_empty()).then_some(v));
                        first_page();
                    }
                >
                    <option value="">"手動・自動"</option>
                    <option value="manual">"手動"</option>
                    <option value="auto">"自動"</option>
                </select>
                <EnumSelect
                    name="kind"
                    aria_label="処理"
                    any="すべての処理"
                    value=kind_filter
                    on_change=Callback::new(move |k| {
                        kind_filter.set(k);
                        first_page();
                    })
                />
                <label>
                    <input
                        type="checkbox"
                        name="withFailures"
                        prop:checked=move || failures_only.get()
                        on:change=move |ev| {
                            failures_only.set(event_target_checked(&ev));
                            first_page();
                        }
                    />
                    " 失敗あり"
                </label>
            </div>
            <Transition fallback=|| view! { <p class="loading">"読み込み中…"</p> }>
                <ErrorBoundary fallback=error_lines>
                    {move || Suspend::new(async move { history.await.map(history_rows) })}
                </ErrorBoundary>
            </Transition>
            <Pager page_info total on_page has_previous/>
        </section>
    }
}
