//! 明細: what one run did, line by line in the order it happened (新規 / 更新 / 変更なし / 対象外
//! / 失敗, the order number linking to the order, the reason), a page at a time, with the run's
//! live progress above.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use shared::SyncItemOutcome;
use shared::ops::{SyncRunItem, SyncRunItems, SyncRunItemsVariables, SyncRunUpdatedSub, SyncRunUpdatedVariables};

use super::run_status::RunCounts;
use super::runs::progress_label;
use crate::api;
use crate::components::error::error_lines;
use crate::components::pager::{Cursor, Pager};
use crate::format;
use crate::live::use_live;
use crate::ws;

const PAGE_SIZE: i32 = 50;

/// Where a run's details are.
pub(super) fn href(run_id: &str) -> String {
    format!("/sync/runs/{}", format::url_encode(run_id))
}

#[component]
pub fn SyncRunPage() -> impl IntoView {
    let params = use_params_map();
    let live = use_live();
    let id = Memo::new(move |_| params.with(|p| p.get("id")).unwrap_or_default());
    // Paged forwards: the `after` cursors of the pages before this one.
    let cursors = RwSignal::new(Vec::<Option<String>>::new());
    let after = RwSignal::new(None::<String>);
    let version = RwSignal::new(0u64);
    let page = LocalResource::new(move || {
        version.track();
        live.reconnects.track();
        let vars = SyncRunItemsVariables { id: id.get().into(), first: Some(PAGE_SIZE), after: after.get() };
        async move { api::gql::<SyncRunItems>(vars).await.map(|d| d.sync_run) }
    });
    // While the run works, its progress and lines are read again as it moves.
    let guard = ws::subscribe::<SyncRunUpdatedSub>(SyncRunUpdatedVariables::default(), move |data| {
        if data.sync_run_updated.id == id.get_untracked() {
            version.try_update(|v| *v += 1);
        }
    });
    let _ = StoredValue::new_local(guard);

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
    let loaded = move || page.get().and_then(|r| r.ok()).flatten();
    let page_info = Signal::derive(move || loaded().map(|r| r.items.page_info));
    let total = Signal::derive(move || loaded().map(|r| r.items.total_count));
    let has_previous = Signal::derive(move || cursors.with(|c| !c.is_empty()));

    let body = move |found: Option<shared::ops::SyncRunWithItems>| {
        let Some(found) = found else {
            return view! { <p class="empty">"実行履歴が見つかりません。"</p> }.into_any();
        };
        let run = found.run;
        let when = run.started_at.as_ref().map(format::date_time).unwrap_or_else(|| "—".into());
        let trigger = if run.trigger == "auto" { "自動" } else { "手動" };
        let state_class = format!("run-state state-{}", run.state.as_str().to_ascii_lowercase());
        let progress = progress_label(&run);
        let lines = if found.items.nodes.is_empty() {
            view! { <p class="empty">"明細はありません。"</p> }.into_any()
        } else {
            let rows = found.items.nodes.into_iter().map(|item| view! { <ItemRow item/> }).collect_view();
            view! {
                <div class="table-scroll">
                    <table class="grid run-items">
                        <thead>
                            <tr>
                                <th>"結果"</th>
                                <th>"受注番号"</th>
                                <th>"お問い合わせ"</th>
                                <th>"理由"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
            .into_any()
        };
        view! {
            <div class="run-head" data-state=run.state.as_str()>
                <p>
                    <span class=state_class>{run.state.label_ja()}</span>
                    " "
                    {run.shop.name.clone()}
                    " "
                    {run.kind.label_ja()}
                    " "
                    <span class="muted">{format!("{trigger} {when} 開始")}</span>
                    " "
                    {progress.map(|p| view! { <span class="run-progress">{p}</span> })}
                </p>
                <RunCounts run=run.clone()/>
            </div>
            {lines}
        }
        .into_any()
    };

    view! {
        <section class="sync-run-page">
            <A href="/sync" attr:class="back">
                "← 取込・書出"
            </A>
            <div class="page-head">
                <h1>"実行履歴の明細"</h1>
            </div>
            <Transition fallback=|| view! { <p class="loading">"読み込み中…"</p> }>
                <ErrorBoundary fallback=error_lines>
                    {move || Suspend::new(async move { page.await.map(body) })}
                </ErrorBoundary>
            </Transition>
            <Pager page_info total on_page has_previous/>
        </section>
    }
}

/// One line: what the run did (in Japanese), the order (linked when it is stored), the
/// inquiry, and why.
#[component]
fn ItemRow(item: SyncRunItem) -> impl IntoView {
    let failed = item.outcome == SyncItemOutcome::Failed;
    let outcome_class = format!("item-outcome outcome-{}", item.outcome.as_str().to_ascii_lowercase());
    let order = match (item.order_id, item.order_number) {
        (Some(id), Some(number)) => {
            view! { <A href=format!("/orders/{}", format::url_encode(&id))>{number}</A> }.into_any()
        }
        (None, Some(number)) => view! { <span>{number}</span> }.into_any(),
        _ => view! { <span class="muted">"—"</span> }.into_any(),
    };
    let inquiry = match item.inquiry_id {
        Some(id) => view! { <A href=format!("/inquiries/{}", format::url_encode(&id))>"開く"</A> }.into_any(),
        None => view! { <span class="muted">"—"</span> }.into_any(),
    };
    view! {
        <tr data-outcome=item.outcome.as_str()>
            <td>
                <span class=outcome_class class:bad=failed>
                    {item.outcome.label_ja()}
                </span>
            </td>
            <td>{order}</td>
            <td>{inquiry}</td>
            <td class="item-reason">{item.reason.unwrap_or_default()}</td>
        </tr>
    }
}
