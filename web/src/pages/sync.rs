//! 取込・書出: per shop, manual import of orders and inquiries (モール詳細の取得日数で取得, or
//! for an explicit 取得日時 range), 発送情報を更新 for a 作成期間, and ユーザ評価を登録 (Rakuma).
//! Each run shows its live progress (the `syncRunUpdated` subscription) and ends with its
//! counts and errors; below, the history of runs with cursor paging.
//!
//! A refusal by the server (e.g. `MARKETPLACE_UNAVAILABLE` with its reason) is shown as the
//! action's error: it is a valid outcome, never hidden.
//!
//! A カスタムCSV店舗 has no marketplace to call: its orders come in by 受注CSV取込 (a file
//! upload). Every shop can download its orders by 受注CSV書出 (`components::csv_panel`).

use std::collections::HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::ops::{
    ExportInput, ExportShipments, ImportInput, ImportInquiries, ImportOrders, InputVariables, NoVariables,
    RegisterEvaluations, ShopSettingsList, ShopWithSettings, SyncRun, SyncRunUpdatedSub, SyncRunUpdatedVariables,
    SyncRuns, SyncRunsVariables, Timestamp,
};
use shared::{Marketplace, SyncKind, SyncState};

use crate::api::{self, ApiError};
use crate::components::badges::MarketplaceBadge;
use crate::components::csv_panel::{CsvExportCard, CsvImportCard};
use crate::format;
use crate::live::use_live;
use crate::session::use_session;
use crate::ws;

const PAGE_SIZE: i32 = 20;

/// Runs as the subscription last reported them, by id (they override the history's rows).
type LiveRuns = RwSignal<HashMap<String, SyncRun>>;

/// How far a run has got: queued, running, finished; then how many orders it has handled.
fn progress(run: &SyncRun) -> (u8, i64) {
    let stage = match run.state {
        SyncState::Queued => 0,
        SyncState::Running => 1,
        SyncState::Succeeded | SyncState::Failed => 2,
    };
    (stage, run.created + run.updated + run.unchanged + run.failed)
}

/// Keeps the further of two reports of the same run: an answer asked for before a pushed
/// event may arrive after it, and must not take the run back.
fn merge(map: &mut HashMap<String, SyncRun>, run: SyncRun) {
    match map.get(&run.id) {
        Some(known) if progress(known) > progress(&run) => {}
        _ => {
            map.insert(run.id.clone(), run);
        }
    }
}

#[component]
pub fn SyncPage() -> impl IntoView {
    let session = use_session();
    let live = use_live();
    let can_write = session.can_write();
    let api_option = session.viewer().is_none_or(|v| v.api_option);

    let shops = LocalResource::new(|| async { api::gql::<ShopSettingsList>(NoVariables {}).await.map(|d| d.shops) });
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
    let history = LocalResource::new(move || {
        history_version.track();
        live.reconnects.track();
        let vars = SyncRunsVariables {
            shop_id: shop.with(|s| s.as_ref().map(|s| s.id.clone())),
            first: Some(PAGE_SIZE),
            after: after.get(),
        };
        async move { api::gql::<SyncRuns>(vars).await.map(|d| d.sync_runs) }
    });
    // A fresh page updates the runs followed live (never taking one back).
    Effect::new(move |_| {
        if let Some(Ok(conn)) = history.get() {
            runs.update(|map| {
                for run in conn.nodes {
                    if map.contains_key(&run.id) {
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

    let shop_select = move || {
        let list = shops.get().and_then(|r| r.ok()).unwrap_or_default();
        let current = shop.get().map(|s| s.id);
        list.into_iter()
            .map(|s| {
                let selected = current.as_deref() == Some(s.id.as_str());
                let label = format!("{}（{}）", s.name, s.marketplace.label_ja());
                view! {
                    <option value=s.id selected=selected>
                        {label}
                    </option>
                }
            })
            .collect_view()
    };
    let on_shop = move |ev: leptos::ev::Event| {
        chosen.set(event_target_value(&ev));
        cursors.set(Vec::new());
        after.set(None);
    };

    let actions = move || {
        shop.get().map(|s| {
            view! { <ShopActions shop=s runs on_started can_write api_option/> }
        })
    };

    let next_page = move |_| {
        if let Some(Ok(conn)) = history.get_untracked()
            && let Some(end) = conn.page_info.end_cursor
        {
            cursors.update(|c| c.push(after.get_untracked()));
            after.set(Some(end));
        }
    };
    let prev_page = move |_| {
        let mut stack = cursors.get_untracked();
        if let Some(previous) = stack.pop() {
            cursors.set(stack);
            after.set(previous);
        }
    };
    let has_next = move || history.get().and_then(|r| r.ok()).is_some_and(|c| c.page_info.has_next_page);
    let has_prev = move || cursors.with(|c| !c.is_empty());
    let total = move || history.get().and_then(|r| r.ok()).map(|c| format!("全{}件", c.total_count));

    let history_rows = move || match history.get() {
        None => view! { <p class="loading">"読み込み中…"</p> }.into_any(),
        Some(Err(e)) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
        Some(Ok(conn)) if conn.nodes.is_empty() => {
            view! { <p class="empty">"実行履歴はまだありません。"</p> }.into_any()
        }
        Some(Ok(conn)) => {
            let rows = conn
                .nodes
                .into_iter()
                .map(|row| {
                    let id = row.id.clone();
                    let run = move || runs.with(|m| m.get(&id).cloned()).unwrap_or_else(|| row.clone());
                    view! { <HistoryRow run=Signal::derive(run)/> }
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
                            <th class="num">"新規"</th>
                            <th class="num">"更新"</th>
                            <th class="num">"変更なし"</th>
                            <th class="num">"失敗"</th>
                            <th>"エラー"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
                </div>
            }
            .into_any()
        }
    };

    view! {
        <section class="sync-page">
            <div class="page-head">
                <h1>"取込・書出"</h1>
            </div>
            {move || match shops.get() {
                None => view! { <p class="loading">"読み込み中…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => {
                    view! { <p class="empty">"店舗が登録されていません。店舗設定から追加してください。"</p> }
                        .into_any()
                }
                Some(Ok(_)) => {
                    view! {
                        <div class="filters">
                            <label>
                                "店舗 "
                                <select name="shop" on:change=on_shop>
                                    {shop_select}
                                </select>
                            </label>
                        </div>
                    }
                        .into_any()
                }
            }}
            {(!can_write).then(|| view! { <p class="notice">"閲覧のみの権限では取込・書出を実行できません。"</p> })}
            {actions}
            <h2 class="spaced">"実行履歴"</h2>
            {history_rows}
            <div class="pager">
                <button on:click=prev_page disabled=move || !has_prev()>
                    "前へ"
                </button>
                <span class="total">{total}</span>
                <button on:click=next_page disabled=move || !has_next()>
                    "次へ"
                </button>
            </div>
        </section>
    }
}

/// The manual runs a shop's marketplace offers.
#[component]
fn ShopActions(
    shop: ShopWithSettings,
    runs: LiveRuns,
    on_started: Callback<SyncRun>,
    can_write: bool,
    api_option: bool,
) -> impl IntoView {
    let caps = shop.marketplace.capabilities();
    let days = shop.settings.import_days;
    let csv_shop = shop.marketplace == Marketplace::CustomCsv;
    if csv_shop {
        // No marketplace to call: orders come in as a file and go out as one.
        return view! {
            <div class="shop-line">
                <MarketplaceBadge marketplace=shop.marketplace/>
                <strong>{shop.name.clone()}</strong>
                <span class="muted">"受注はCSVファイルで取り込み・書き出します。"</span>
            </div>
            <div class="sync-actions">
                <CsvImportCard shop_id=shop.id.clone() can_write on_imported=on_started/>
                <CsvExportCard shop_id=shop.id.clone()/>
            </div>
        }
        .into_any();
    }
    let nothing =
        !(caps.imports_orders || caps.imports_inquiries || caps.exports_shipments || caps.registers_evaluations);
    view! {
        <div class="shop-line">
            <MarketplaceBadge marketplace=shop.marketplace/>
            <strong>{shop.name.clone()}</strong>
            <span class="muted">{format!("受注を取得する日数: {days}日")}</span>
        </div>
        {nothing.then(|| view! { <p class="muted">"このモールでは手動の取込・書出はありません。"</p> })}
        <div class="sync-actions">
            {caps
                .imports_orders
                .then(|| {
                    view! {
                        <ImportCard
                            kind=SyncKind::ImportOrders
                            shop_id=shop.id.clone()
                            days
                            runs
                            on_started
                            can_write
                            note=None
                        />
                    }
                })}
            {caps
                .imports_inquiries
                .then(|| {
                    let note = (!api_option)
                        .then_some("お問い合わせの取込は「APIオプション」のご契約が必要となります。");
                    view! {
                        <ImportCard
                            kind=SyncKind::ImportInquiries
                            shop_id=shop.id.clone()
                            days
                            runs
                            on_started
                            can_write
                            note
                        />
                    }
                })}
            {(caps.exports_shipments || caps.registers_evaluations)
                .then(|| {
                    view! {
                        <ExportCard
                            shop_id=shop.id.clone()
                            shipments=caps.exports_shipments
                            evaluations=caps.registers_evaluations
                            runs
                            on_started
                            can_write
                        />
                    }
                })}
            <CsvExportCard shop_id=shop.id.clone()/>
        </div>
    }
    .into_any()
}

/// Starts one run and follows it: the run's id, or the refusal.
fn start_run(
    kind: SyncKind,
    shop_id: String,
    range: (Option<Timestamp>, Option<Timestamp>),
    busy: RwSignal<bool>,
    error: RwSignal<Option<ApiError>>,
    current: RwSignal<Option<String>>,
    on_started: Callback<SyncRun>,
) {
    busy.set(true);
    error.set(None);
    spawn_local(async move {
        let result = match kind {
            SyncKind::ImportOrders | SyncKind::ImportInquiries => {
                let input = InputVariables { input: ImportInput { shop_id, from: range.0, to: range.1 } };
                if kind == SyncKind::ImportOrders {
                    api::gql::<ImportOrders>(input).await.map(|d| d.import_orders)
                } else {
                    api::gql::<ImportInquiries>(input).await.map(|d| d.import_inquiries)
                }
            }
            SyncKind::ExportShipments | SyncKind::ExportEvaluations => {
                let (Some(created_from), Some(created_to)) = range else {
                    let _ = busy.try_set(false);
                    return;
                };
                let input = InputVariables { input: ExportInput { shop_id, created_from, created_to } };
                if kind == SyncKind::ExportShipments {
                    api::gql::<ExportShipments>(input).await.map(|d| d.export_shipments)
                } else {
                    api::gql::<RegisterEvaluations>(input).await.map(|d| d.register_evaluations)
                }
            }
        };
        match result {
            Ok(run) => {
                let _ = current.try_set(Some(run.id.clone()));
                on_started.run(run);
            }
            Err(e) => {
                let _ = current.try_set(None);
                let _ = error.try_set(Some(e));
            }
        }
        let _ = busy.try_set(false);
    });
}

/// 受注取込 / お問い合わせ取込: by the configured days, or for a 取得日時 range.
#[component]
fn ImportCard(
    kind: SyncKind,
    shop_id: String,
    days: i64,
    runs: LiveRuns,
    on_started: Callback<SyncRun>,
    can_write: bool,
    note: Option<&'static str>,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let range_error = RwSignal::new(None::<String>);
    let current = RwSignal::new(None::<String>);
    let from = RwSignal::new(format::local_date_time_value(24));
    let to = RwSignal::new(format::local_date_time_value(0));
    let running = move || {
        busy.get()
            || current.with(|id| {
                id.as_ref().is_some_and(|id| {
                    runs.with(|m| m.get(id).is_some_and(|r| matches!(r.state, SyncState::Queued | SyncState::Running)))
                })
            })
    };
    let by_days = {
        let shop_id = shop_id.clone();
        move |_| {
            range_error.set(None);
            start_run(kind, shop_id.clone(), (None, None), busy, error, current, on_started);
        }
    };
    let by_range = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (f, t) =
            (format::parse_local_date_time(&from.get_untracked()), format::parse_local_date_time(&to.get_untracked()));
        match (f, t) {
            (Some(f), Some(t)) if f <= t => {
                range_error.set(None);
                start_run(kind, shop_id.clone(), (Some(f), Some(t)), busy, error, current, on_started);
            }
            (Some(_), Some(_)) => range_error.set(Some("取得日時の開始が終了より後になっています。".into())),
            _ => range_error.set(Some("取得日時の開始と終了を入力してください。".into())),
        }
    };
    let title = match kind {
        SyncKind::ImportOrders => "受注取込",
        _ => "お問い合わせ取込",
    };
    view! {
        <section class="card sync-card" data-kind=kind.as_str()>
            <h2>{title}</h2>
            {note.map(|n| view! { <p class="notice">{n}</p> })}
            <p class="editor-help">{format!("店舗設定の「受注を取得する日数」（{days}日）の期間内を取得します。")}</p>
            <button class="primary by-days" on:click=by_days disabled=move || !can_write || running()>
                "モール詳細の取得日数で取得"
            </button>
            <form class="range" on:submit=by_range>
                <span class="muted">"期間を指定して取得する場合は、取得日時を指定して[取得]ボタンをクリックして下さい。"</span>
                <div class="form-row">
                    <label>
                        "取得日時（開始）"
                        <input
                            type="datetime-local"
                            name="from"
                            prop:value=move || from.get()
                            on:input=move |ev| from.set(event_target_value(&ev))
                        />
                    </label>
                    <label>
                        "取得日時（終了）"
                        <input
                            type="datetime-local"
                            name="to"
                            prop:value=move || to.get()
                            on:input=move |ev| to.set(event_target_value(&ev))
                        />
                    </label>
                </div>
                {move || range_error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                <button type="submit" disabled=move || !can_write || running()>
                    "取得"
                </button>
            </form>
            <RunStatus busy error current runs/>
        </section>
    }
}

/// データ書出: 発送情報を更新 and ユーザ評価を登録 for a 作成期間.
#[component]
fn ExportCard(
    shop_id: String,
    shipments: bool,
    evaluations: bool,
    runs: LiveRuns,
    on_started: Callback<SyncRun>,
    can_write: bool,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let range_error = RwSignal::new(None::<String>);
    let current = RwSignal::new(None::<String>);
    let from = RwSignal::new(format::day_value(30));
    let to = RwSignal::new(format::day_value(0));
    let running = move || {
        busy.get()
            || current.with(|id| {
                id.as_ref().is_some_and(|id| {
                    runs.with(|m| m.get(id).is_some_and(|r| matches!(r.state, SyncState::Queued | SyncState::Running)))
                })
            })
    };
    let run = move |kind: SyncKind| {
        let (f, t) = (format::parse_day(&from.get_untracked(), false), format::parse_day(&to.get_untracked(), true));
        match (f, t) {
            (Some(f), Some(t)) if f <= t => {
                range_error.set(None);
                start_run(kind, shop_id.clone(), (Some(f), Some(t)), busy, error, current, on_started);
            }
            (Some(_), Some(_)) => range_error.set(Some("作成期間の開始が終了より後になっています。".into())),
            _ => range_error.set(Some("作成期間の開始と終了を入力してください。".into())),
        }
    };
    let run_shipments = {
        let run = run.clone();
        move |_| run(SyncKind::ExportShipments)
    };
    let run_evaluations = move |_| run(SyncKind::ExportEvaluations);
    view! {
        <section class="card sync-card" data-kind="EXPORT">
            <h2>"データ書出"</h2>
            <p class="editor-help">
                "作成期間内の「新規受付」「保留」「キャンセル」以外で、出荷日（当日以前）とお荷物伝票番号が入力済みの受注の発送情報を更新します。"
            </p>
            <div class="form-row">
                <label>
                    "作成期間（開始）"
                    <input
                        type="date"
                        name="createdFrom"
                        prop:value=move || from.get()
                        on:input=move |ev| from.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    "作成期間（終了）"
                    <input
                        type="date"
                        name="createdTo"
                        prop:value=move || to.get()
                        on:input=move |ev| to.set(event_target_value(&ev))
                    />
                </label>
            </div>
            {move || range_error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            <div class="form-actions start">
                {shipments
                    .then(|| {
                        view! {
                            <button class="primary" on:click=run_shipments.clone() disabled=move || !can_write || running()>
                                "発送情報を更新"
                            </button>
                        }
                    })}
                {evaluations
                    .then(|| {
                        view! {
                            <button on:click=run_evaluations.clone() disabled=move || !can_write || running()>
                                "ユーザ評価を登録"
                            </button>
                        }
                    })}
            </div>
            {evaluations
                .then(|| {
                    view! {
                        <p class="muted small-note">
                            "購入者が受取評価を行った後、[ユーザ評価を登録]をクリックすると、購入者への評価が行われます。"
                        </p>
                    }
                })}
            <RunStatus busy error current runs/>
        </section>
    }
}

/// The refusal, or the live progress and final counts of the run this card started.
#[component]
fn RunStatus(
    busy: RwSignal<bool>,
    error: RwSignal<Option<ApiError>>,
    current: RwSignal<Option<String>>,
    runs: LiveRuns,
) -> impl IntoView {
    let run = move || current.get().and_then(|id| runs.with(|m| m.get(&id).cloned()));
    view! {
        <div class="run-status" aria-live="polite">
            {move || busy.get().then(|| view! { <p class="loading">"開始しています…"</p> })}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })}
            {move || run().map(|r| view! { <RunSummary run=r/> })}
        </div>
    }
}

/// 新規 / 更新 / 変更なし / 失敗 and the errors of one run.
#[component]
fn RunSummary(run: SyncRun) -> impl IntoView {
    let finished = matches!(run.state, SyncState::Succeeded | SyncState::Failed);
    let state_class = format!("run-state state-{}", run.state.as_str().to_ascii_lowercase());
    let when = match (&run.finished_at, &run.started_at) {
        (Some(t), _) => format!("{} 終了", format::date_time(t)),
        (None, Some(t)) => format!("{} 開始", format::date_time(t)),
        _ => String::new(),
    };
    view! {
        <div class="run-summary" data-state=run.state.as_str()>
            <p>
                <span class=state_class>{run.state.label_ja()}</span>
                " "
                {run.kind.label_ja()}
                " "
                <span class="muted">{when}</span>
                {(!finished).then(|| view! { <span class="spinner" aria-hidden="true"></span> })}
            </p>
            <dl class="counts">
                <div>
                    <dt>"新規"</dt>
                    <dd>{run.created}</dd>
                </div>
                <div>
                    <dt>"更新"</dt>
                    <dd>{run.updated}</dd>
                </div>
                <div>
                    <dt>"変更なし"</dt>
                    <dd>{run.unchanged}</dd>
                </div>
                <div class:bad={run.failed > 0}>
                    <dt>"失敗"</dt>
                    <dd>{run.failed}</dd>
                </div>
            </dl>
            {(!run.errors.is_empty())
                .then(|| {
                    view! {
                        <ul class="run-errors">
                            {run.errors.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}
                        </ul>
                    }
                })}
        </div>
    }
}

/// One row of the history (live while the run goes on).
#[component]
fn HistoryRow(run: Signal<SyncRun>) -> impl IntoView {
    move || {
        let r = run.get();
        let started = r.started_at.as_ref().map(format::date_time).unwrap_or_else(|| "—".into());
        let trigger = if r.trigger == "auto" { "自動" } else { "手動" };
        let state_class = format!("run-state state-{}", r.state.as_str().to_ascii_lowercase());
        let errors = r.errors.join("\n");
        view! {
            <tr data-run-id=r.id.clone()>
                <td>{started}</td>
                <td>{r.shop.name.clone()}</td>
                <td>{r.kind.label_ja()}</td>
                <td>{trigger}</td>
                <td>
                    <span class=state_class>{r.state.label_ja()}</span>
                </td>
                <td class="num">{r.created}</td>
                <td class="num">{r.updated}</td>
                <td class="num">{r.unchanged}</td>
                <td class="num">{r.failed}</td>
                <td class="run-errors-cell">{errors}</td>
            </tr>
        }
    }
}
