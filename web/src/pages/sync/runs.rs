//! The runs the screen follows live, and starting one.

use std::collections::HashMap;

use leptos::prelude::*;
use shared::ops::{
    ExportInput, ExportShipments, ExportVariables, ImportInput, ImportInquiries, ImportOrders, ImportVariables,
    RegisterEvaluations, SyncRun,
};
use shared::{SyncKind, SyncState};

use crate::api::{self, ApiError};

/// Runs as the subscription last reported them, by id (they override the history's rows).
pub(super) type LiveRuns = RwSignal<HashMap<String, SyncRun>>;

/// How far a run has got: queued, running, finished; then the steps (windows or pages) done;
/// then how many orders it has handled.
fn progress(run: &SyncRun) -> (u8, i32, i32) {
    let stage = match run.state {
        SyncState::Queued => 0,
        SyncState::Running => 1,
        SyncState::Succeeded | SyncState::Failed => 2,
    };
    let steps = run.progress.map_or(0, |p| p.done);
    (stage, steps, run.created + run.updated + run.unchanged + run.failed)
}

/// 「3 / 10 ページ」: the steps a run has done, of the total when known (an import goes through
/// its period in windows of days, 期間; an export through its orders in pages, ページ).
/// Nothing for a run that counts no steps (a CSV upload is done within its request).
pub(super) fn progress_label(run: &SyncRun) -> Option<String> {
    let p = run.progress.filter(|p| p.total.is_some() || p.done > 0)?;
    let unit = match run.kind {
        SyncKind::ImportOrders | SyncKind::ImportInquiries => "期間",
        SyncKind::ExportShipments | SyncKind::ExportEvaluations => "ページ",
    };
    Some(match p.total {
        Some(total) => format!("{} / {} {unit}", p.done, total),
        None => format!("{} {unit}", p.done),
    })
}

/// Keeps the further of two reports of the same run: an answer asked for before a pushed
/// event may arrive after it, and must not take the run back.
pub(super) fn merge(map: &mut HashMap<String, SyncRun>, run: SyncRun) {
    match map.get(run.id.as_str()) {
        Some(known) if progress(known) > progress(&run) => {}
        _ => {
            map.insert(run.id.to_string(), run);
        }
    }
}

/// A run to start: an import (by the configured days, or for a range) or an export.
#[derive(Clone, Debug)]
pub(super) enum RunRequest {
    Import(SyncKind, ImportInput),
    Export(SyncKind, ExportInput),
}

async fn start(request: RunRequest) -> Result<SyncRun, ApiError> {
    match request {
        RunRequest::Import(kind, input) => {
            let input = ImportVariables { input };
            if kind == SyncKind::ImportOrders {
                api::gql::<ImportOrders>(input).await.map(|d| d.import_orders)
            } else {
                api::gql::<ImportInquiries>(input).await.map(|d| d.import_inquiries)
            }
        }
        RunRequest::Export(kind, input) => {
            let input = ExportVariables { input };
            if kind == SyncKind::ExportShipments {
                api::gql::<ExportShipments>(input).await.map(|d| d.export_shipments)
            } else {
                api::gql::<RegisterEvaluations>(input).await.map(|d| d.register_evaluations)
            }
        }
    }
}

/// What one card starts and follows: the starting (busy), the refusal, and the run it started.
#[derive(Clone, Copy)]
pub(super) struct Starter {
    action: Action<RunRequest, Result<SyncRun, ApiError>>,
    /// The run this card started last (kept while the next one starts).
    pub current: RwSignal<Option<String>>,
    /// Starting a run (the server has not answered yet).
    pub busy: Memo<bool>,
    /// The server's refusal of the last start.
    pub error: Signal<Option<ApiError>>,
}

impl Starter {
    pub fn new(on_started: Callback<SyncRun>) -> Self {
        let action = Action::new_local(|request: &RunRequest| start(request.clone()));
        let current = RwSignal::new(None::<String>);
        Effect::new(move |_| match action.value().get() {
            Some(Ok(run)) => {
                current.set(Some(run.id.to_string()));
                on_started.run(run);
            }
            Some(Err(_)) => current.set(None),
            None => {}
        });
        let error = Signal::derive(move || action.value().get().and_then(Result::err));
        Starter { action, current, busy: action.pending(), error }
    }

    pub fn run(self, request: RunRequest) {
        self.action.clear();
        self.action.dispatch(request);
    }

    /// Starting, or the run it started is still queued or running.
    pub fn running(self, runs: LiveRuns) -> impl Fn() -> bool + Copy {
        move || {
            self.busy.get()
                || self.current.with(|id| {
                    id.as_ref().is_some_and(|id| {
                        runs.with(|m| {
                            m.get(id).is_some_and(|r| matches!(r.state, SyncState::Queued | SyncState::Running))
                        })
                    })
                })
        }
    }
}

#[cfg(test)]
mod tests {
    use shared::Marketplace;
    use shared::ops::ShopRef;

    use super::*;

    fn run(state: SyncState, created: i32) -> SyncRun {
        SyncRun {
            id: "1".into(),
            shop: ShopRef { id: "1".into(), name: "楽天A店".into(), marketplace: Marketplace::Rakuten },
            kind: SyncKind::ImportOrders,
            state,
            trigger: "manual".into(),
            started_at: None,
            finished_at: None,
            created,
            updated: 0,
            unchanged: 0,
            failed: 0,
            errors: Vec::new(),
            progress: None,
        }
    }

    #[test]
    fn a_late_answer_never_takes_a_followed_run_back() {
        let mut map = HashMap::new();
        merge(&mut map, run(SyncState::Running, 3));
        merge(&mut map, run(SyncState::Queued, 0));
        assert_eq!(map["1"].state, SyncState::Running, "queued is behind running");
        merge(&mut map, run(SyncState::Running, 1));
        assert_eq!(map["1"].created, 3, "fewer orders handled is behind");
        merge(&mut map, run(SyncState::Succeeded, 5));
        assert_eq!((map["1"].state, map["1"].created), (SyncState::Succeeded, 5));
    }

    #[test]
    fn progress_moves_a_running_run_forwards_and_reads_as_steps_of_the_total() {
        let mut map = HashMap::new();
        let at = |done, total| SyncRun {
            progress: Some(shared::ops::SyncProgress { done, total }),
            ..run(SyncState::Running, 0)
        };
        merge(&mut map, at(3, Some(10)));
        merge(&mut map, at(2, Some(10)));
        assert_eq!(map["1"].progress.map(|p| p.done), Some(3), "fewer steps done is behind");
        assert_eq!(progress_label(&map["1"]).as_deref(), Some("3 / 10 期間"));
        let export = SyncRun { kind: SyncKind::ExportShipments, ..at(1, Some(4)) };
        assert_eq!(progress_label(&export).as_deref(), Some("1 / 4 ページ"));
        assert_eq!(progress_label(&at(2, None)).as_deref(), Some("2 期間"));
        assert_eq!(progress_label(&run(SyncState::Queued, 0)), None);
        assert_eq!(progress_label(&at(0, None)), None, "no steps counted");
    }
}
