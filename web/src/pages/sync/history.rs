//! 実行履歴: one row per run, live while it goes on; automatic runs that changed nothing fold
//! into one line per shop and hour ([`fold_quiet`]), so manual runs and failures stand out.

use leptos::prelude::*;
use shared::SyncState;
use shared::ops::SyncRun;

use super::runs::progress_label;
use crate::format;

/// One row of the history (live while the run goes on).
#[component]
pub(super) fn HistoryRow(run: Signal<SyncRun>) -> impl IntoView {
    move || {
        // A live event can reach a row the history just replaced: it then shows nothing (its
        // replacement shows the run); reading it would stop the whole app.
        let Some(r) = run.try_get() else { return ().into_any() };
        let started = r.started_at.as_ref().map(format::date_time).unwrap_or_else(|| "—".into());
        let trigger = if r.trigger == "auto" { "自動" } else { "手動" };
        let state_class = format!("run-state state-{}", r.state.as_str().to_ascii_lowercase());
        let errors = r.errors.join("\n");
        let progress = progress_label(&r).unwrap_or_default();
        let details = super::details::href(&r.id);
        view! {
            <tr data-run-id=r.id.to_string()>
                <td>{started}</td>
                <td>{r.shop.name.clone()}</td>
                <td>{r.kind.label_ja()}</td>
                <td>{trigger}</td>
                <td>
                    <span class=state_class>{r.state.label_ja()}</span>
                </td>
                <td class="run-progress">{progress}</td>
                <td class="num">{r.created}</td>
                <td class="num">{r.updated}</td>
                <td class="num">{r.unchanged}</td>
                <td class="num">{r.failed}</td>
                <td class="run-errors-cell">{errors}</td>
                <td>
                    <a class="run-details-link" href=details>
                        "明細"
                    </a>
                </td>
            </tr>
        }
        .into_any()
    }
}

/// A line of 実行履歴: a run, or automatic runs of one shop within one hour that changed nothing.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum HistoryLine {
    Run(SyncRun),
    Quiet(Vec<SyncRun>),
}

/// Folds neighbouring automatic runs that succeeded and changed nothing, of the same shop and
/// the same hour, into one line; manual runs, failures and runs that changed something stand
/// alone (a group of one is shown as its run).
pub(super) fn fold_quiet(runs: Vec<SyncRun>) -> Vec<HistoryLine> {
    let quiet = |r: &SyncRun| {
        r.trigger == "auto"
            && r.state == SyncState::Succeeded
            && r.created + r.updated + r.failed == 0
            && r.errors.is_empty()
            && r.started_at.is_some()
    };
    let hour = |r: &SyncRun| (r.shop.id.clone(), r.started_at.map(|t| t.format("%Y%m%d%H").to_string()));
    let mut lines: Vec<HistoryLine> = Vec::new();
    for r in runs {
        if !quiet(&r) {
            lines.push(HistoryLine::Run(r));
            continue;
        }
        match lines.last_mut() {
            Some(HistoryLine::Quiet(group)) if group.first().map(hour) == Some(hour(&r)) => group.push(r),
            _ => lines.push(HistoryLine::Quiet(vec![r])),
        }
    }
    lines
        .into_iter()
        .map(|line| match line {
            HistoryLine::Quiet(mut group) if group.len() == 1 => HistoryLine::Run(group.remove(0)),
            line => line,
        })
        .collect()
}

/// The line of folded quiet runs: the hour, the shop, how many.
#[component]
pub(super) fn QuietRow(runs: Vec<SyncRun>) -> impl IntoView {
    let first = runs.first().cloned();
    let hour = first
        .as_ref()
        .and_then(|r| r.started_at)
        .map(|t| format!("{}台", t.format("%Y/%m/%d %H:00")))
        .unwrap_or_default();
    let shop = first.map(|r| r.shop.name).unwrap_or_default();
    view! {
        <tr class="quiet-runs">
            <td>{hour}</td>
            <td>{shop}</td>
            <td colspan="10" class="muted">{format!("自動取得・自動書出 {}回（変更なし）", runs.len())}</td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use shared::ops::ShopRef;
    use shared::{Marketplace, SyncKind};

    use super::*;

    fn run(id: &str, shop: &str, trigger: &str, hour: u32, created: i32) -> SyncRun {
        let at = chrono::DateTime::parse_from_rfc3339(&format!("2026-12-02T{hour:02}:10:00+09:00")).unwrap();
        SyncRun {
            id: id.into(),
            shop: ShopRef { id: shop.into(), name: format!("店{shop}"), marketplace: Marketplace::Rakuten },
            kind: SyncKind::ImportOrders,
            state: SyncState::Succeeded,
            trigger: trigger.into(),
            started_at: Some(at),
            finished_at: Some(at),
            created,
            updated: 0,
            unchanged: 3,
            failed: 0,
            errors: Vec::new(),
            progress: None,
        }
    }

    fn ids(lines: &[HistoryLine]) -> Vec<String> {
        lines
            .iter()
            .map(|l| match l {
                HistoryLine::Run(r) => r.id.to_string(),
                HistoryLine::Quiet(g) => format!("[{}]", g.iter().map(|r| r.id.as_str()).collect::<Vec<_>>().join(",")),
            })
            .collect()
    }

    #[test]
    fn quiet_automatic_runs_fold_per_shop_and_hour_and_the_rest_stand_out() {
        let runs = vec![
            run("1", "A", "auto", 13, 0),
            run("2", "A", "auto", 13, 0),
            run("3", "A", "manual", 13, 0), // a person's run stands alone
            run("4", "A", "auto", 13, 0),
            run("5", "A", "auto", 13, 2), // it changed something
            run("6", "B", "auto", 13, 0),
            run("7", "B", "auto", 13, 0),
            run("8", "B", "auto", 12, 0), // another hour
            run("9", "B", "auto", 12, 0),
            run("10", "B", "auto", 11, 0), // alone in its hour: just the run
        ];
        assert_eq!(ids(&fold_quiet(runs)), ["[1,2]", "3", "4", "5", "[6,7]", "[8,9]", "10"]);
        let mut failed = run("11", "A", "auto", 13, 0);
        failed.state = SyncState::Failed;
        assert_eq!(ids(&fold_quiet(vec![failed, run("12", "A", "auto", 13, 0)])), ["11", "12"]);
    }
}
