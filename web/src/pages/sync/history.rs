//! 実行履歴: one row per run, live while it goes on.

use leptos::prelude::*;
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
            <tr data-run-id=r.id.clone()>
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
