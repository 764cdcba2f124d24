//! What a card shows of the run it started: starting, the refusal, or the live progress and
//! the final counts and errors.

use leptos::prelude::*;
use shared::SyncState;
use shared::ops::SyncRun;

use super::runs::{LiveRuns, Starter, progress_label};
use crate::components::error::ErrorLine;
use crate::format;

/// The refusal, or the live progress and final counts of the run this card started.
#[component]
pub(super) fn RunStatus(starter: Starter, runs: LiveRuns) -> impl IntoView {
    let Starter { busy, error, current, .. } = starter;
    let run = move || current.get().and_then(|id| runs.with(|m| m.get(&id).cloned()));
    view! {
        <div class="run-status" aria-live="polite">
            {move || busy.get().then(|| view! { <p class="loading">"開始しています…"</p> })}
            <ErrorLine error/>
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
                " "
                {progress_label(&run).map(|p| view! { <span class="run-progress">{p}</span> })}
                " "
                <a class="run-details-link" href=super::details::href(&run.id)>
                    "明細を見る"
                </a>
            </p>
            <RunCounts run=run.clone()/>
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

/// 新規 / 更新 / 変更なし / 失敗 of one run (the card and the run's 明細).
#[component]
pub(super) fn RunCounts(run: SyncRun) -> impl IntoView {
    view! {
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
    }
}
