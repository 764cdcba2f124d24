//! Run records: a `sync_run` row per run (QUEUED, RUNNING, SUCCEEDED or FAILED) with its
//! counts and errors, saved and published (`SyncRunUpdated`) as the run goes.

use std::time::Duration;

use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, QueryFilter};
use shared::{SyncItemOutcome, SyncKind, SyncState};

use crate::auth::{Actor, Permission};
use crate::clock;
use crate::error::{AppError, AppResult};
use crate::events::{Event, EventKind};
use crate::inbox::UpsertOutcome;
use crate::paging::{self, Cursor, Page, PageRequest};
use crate::state::AppState;
use crate::store::Scope;
use crate::store::entities::sync_run;

use super::items::{ITEMS_PER_RUN, RunItem, RunItemLog};

pub const TRIGGER_MANUAL: sync_run::Trigger = sync_run::Trigger::Manual;
pub const TRIGGER_AUTO: sync_run::Trigger = sync_run::Trigger::Auto;

/// Progress is saved and published every this many items.
pub(crate) const PROGRESS_EVERY: usize = 20;

/// Which runs 実行履歴 lists (all of them by default).
#[derive(Clone, Debug, Default)]
pub struct RunFilter {
    pub shop_id: Option<i64>,
    /// 手動 / 自動: "manual" | "auto" (as the API shows a run's trigger).
    pub trigger: Option<String>,
    pub kind: Option<SyncKind>,
    /// 失敗あり: runs that failed, or had an order or inquiry fail.
    pub with_failures: bool,
}

pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    filter: &RunFilter,
    page: &PageRequest,
) -> AppResult<Page<sync_run::Model>> {
    actor.require(Permission::Read)?;
    let mut q = actor.scope.find::<sync_run::Entity>();
    if let Some(id) = filter.shop_id {
        q = q.filter(sync_run::Column::ShopId.eq(id));
    }
    match filter.trigger.as_deref().map(str::trim) {
        None | Some("") => {}
        Some("auto") => q = q.filter(sync_run::Column::Trigger.eq(sync_run::Trigger::Auto)),
        Some("manual") => q = q.filter(sync_run::Column::Trigger.eq(sync_run::Trigger::Manual)),
        Some(_) => {
            return Err(AppError::validation(
                "trigger",
                "実行は auto（自動）か manual（手動）で指定してください (trigger is auto or manual)",
            ));
        }
    }
    if let Some(k) = filter.kind {
        q = q.filter(sync_run::Column::Kind.eq(sync_run::Kind::from(k)));
    }
    if filter.with_failures {
        q = q.filter(
            sea_orm::Condition::any()
                .add(sync_run::Column::State.eq(sync_run::State::Failed))
                .add(sync_run::Column::Failed.gt(0)),
        );
    }
    paging::paginate(
        db,
        q,
        sync_run::Column::CreatedAt,
        sync_run::Column::Id,
        |r| Cursor { at: r.created_at, id: r.id },
        page,
    )
    .await
}

pub async fn get(db: &DatabaseConnection, actor: &Actor, id: i64) -> AppResult<Option<sync_run::Model>> {
    actor.require(Permission::Read)?;
    Ok(actor.scope.get::<sync_run::Entity>(db, id).await?)
}

/// How often a process renews the heartbeat of the runs it works on.
pub const RUN_HEARTBEAT: Duration = Duration::from_secs(10);
/// A RUNNING run whose heartbeat is older than this was cut off by its process dying.
pub const RUN_LEASE: Duration = Duration::from_secs(60);
/// A cut-off import is claimed at most this many times in all; then it is FAILED ([`INTERRUPTED`]).
pub const MAX_ATTEMPTS: i32 = 3;
/// The error a cut-off run shows.
pub const INTERRUPTED: &str =
    "サーバーが停止したため中断されました。もう一度実行してください (the run was interrupted: the server stopped)";

/// Tells subscribers a run changed; `sequence` is that of its `SYNC_RUN_FINISHED` event when
/// the run ended.
pub(crate) fn publish(state: &AppState, run: &sync_run::Model, sequence: Option<i64>) {
    state.events.publish(Event {
        tenant_id: run.tenant_id,
        shop_id: Some(run.shop_id),
        kind: EventKind::SyncRunUpdated { run_id: run.id },
        sequence,
    });
}

/// Saves a run's row while its claim holds (the same process and attempt: a run taken back
/// into the queue after its lease belongs to its next attempt); when it has ended, logs
/// `SYNC_RUN_FINISHED` in the same transaction. Returns the saved row and the event's
/// sequence, or `None` when the claim was lost.
pub(crate) async fn save_run(
    db: &DatabaseConnection,
    scope: Scope,
    am: sync_run::ActiveModel,
    claim: (Option<&str>, i32),
) -> AppResult<Option<(sync_run::Model, Option<i64>)>> {
    let id = match am.id.clone().into_value() {
        Some(sea_orm::Value::BigInt(Some(id))) => id,
        _ => return Err(AppError::internal(anyhow::anyhow!("saving a sync run without its id"))),
    };
    let txn = crate::store::begin_write(db).await?;
    let mut q = scope
        .update_many::<sync_run::Entity>()
        .set(am)
        .filter(sync_run::Column::Id.eq(id))
        .filter(sync_run::Column::Attempts.eq(claim.1));
    q = match claim.0 {
        Some(me) => q.filter(sync_run::Column::ClaimedBy.eq(me)),
        None => q.filter(sync_run::Column::ClaimedBy.is_null()),
    };
    if q.exec(&txn).await?.rows_affected == 0 {
        return Ok(None);
    }
    let Some(run) = scope.get::<sync_run::Entity>(&txn, id).await? else { return Ok(None) };
    let sequence = match run.state {
        sync_run::State::Succeeded | sync_run::State::Failed => {
            Some(crate::event_log::log_run_finished(&txn, &run).await?)
        }
        sync_run::State::Queued | sync_run::State::Running => None,
    };
    txn.commit().await?;
    Ok(Some((run, sequence)))
}

/// A running run's counts, errors, progress and lines, saved as it goes.
pub(crate) struct Progress<'a> {
    pub(crate) state: &'a AppState,
    pub(crate) scope: Scope,
    pub(crate) run: sync_run::Model,
    pub(crate) errors: Vec<String>,
    unsaved: usize,
    /// Lines written so far (at most [`ITEMS_PER_RUN`]).
    items: usize,
    /// The run went back to the queue after its lease (this process was silent too long): it
    /// belongs to its next attempt and this one no longer writes its row.
    pub(crate) lost: bool,
}

impl<'a> Progress<'a> {
    /// Starts a queued run: it is RUNNING from here on.
    pub(crate) async fn start(state: &'a AppState, scope: Scope, run: sync_run::Model) -> Progress<'a> {
        let mut p = Progress { state, scope, run, errors: Vec::new(), unsaved: 0, items: 0, lost: false };
        if p.run.attempts > 1 {
            p.errors.push(format!(
                "前回の実行が中断されたため、もう一度実行しました（{}回目） (taken up again after an interruption: attempt {})",
                p.run.attempts, p.run.attempts
            ));
        }
        p.save(Some(SyncState::Running)).await;
        p
    }

    /// The run's steps (windows or pages) are `total`; none done yet. Saved and published.
    pub(crate) async fn steps(&mut self, total: usize) {
        self.run.progress_done = 0;
        self.run.progress_total = Some(i32::try_from(total).unwrap_or(i32::MAX));
        self.save(None).await;
    }

    /// One more step done: saved and published at once, so the run is seen moving.
    pub(crate) async fn step_done(&mut self) {
        self.run.progress_done = self.run.progress_done.saturating_add(1);
        // More steps than counted (rows added while the run works): the total follows.
        if let Some(total) = self.run.progress_total
            && self.run.progress_done > total
        {
            self.run.progress_total = Some(self.run.progress_done);
        }
        self.save(None).await;
    }

    /// Where a change stored for this run writes its line (in its own transaction), while the
    /// run has room for more lines; count it with [`Progress::recorded`] once it is stored.
    pub(crate) fn item_log(&self) -> Option<RunItemLog> {
        (self.items < ITEMS_PER_RUN).then_some(RunItemLog { run_id: self.run.id })
    }

    /// A line written through [`Progress::item_log`] was stored.
    pub(crate) fn recorded(&mut self) {
        self.items += 1;
        if self.items == ITEMS_PER_RUN {
            self.errors.push(format!(
                "明細は先頭の{ITEMS_PER_RUN}件まで記録しました(件数はすべて数えています) (only the first {ITEMS_PER_RUN} items are listed)"
            ));
        }
    }

    /// Writes a line that no stored change carries (a failure, an order left out).
    pub(crate) async fn item(&mut self, outcome: SyncItemOutcome, item: RunItem) {
        let Some(log) = self.item_log() else { return };
        match log.record(&self.state.db, self.scope, outcome, item).await {
            Ok(()) => self.recorded(),
            Err(e) => tracing::warn!(run = self.run.id, error = %e, "recording a run item failed"),
        }
    }

    pub(crate) fn count(&mut self, o: UpsertOutcome) {
        match o {
            UpsertOutcome::Created => self.run.created += 1,
            UpsertOutcome::Updated => self.run.updated += 1,
            UpsertOutcome::Unchanged => self.run.unchanged += 1,
        }
        self.unsaved += 1;
    }

    pub(crate) fn fail(&mut self, what: String) {
        self.run.failed += 1;
        self.errors.push(what);
        self.unsaved += 1;
    }

    pub(crate) async fn tick(&mut self) {
        if self.unsaved >= PROGRESS_EVERY {
            self.save(None).await;
        }
    }

    pub(crate) async fn save(&mut self, state: Option<SyncState>) {
        let mut am: sync_run::ActiveModel = self.run.clone().into();
        am.created = Set(self.run.created);
        am.updated = Set(self.run.updated);
        am.unchanged = Set(self.run.unchanged);
        am.failed = Set(self.run.failed);
        am.progress_done = Set(self.run.progress_done);
        am.progress_total = Set(self.run.progress_total);
        am.errors = Set(serde_json::to_string(&self.errors).unwrap_or_else(|_| "[]".into()));
        if let Some(s) = state {
            am.state = Set(s.into());
            match s {
                SyncState::Running => am.started_at = Set(Some(clock::now())),
                SyncState::Succeeded | SyncState::Failed => am.finished_at = Set(Some(clock::now())),
                SyncState::Queued => {}
            }
        }
        if self.lost {
            return;
        }
        let ended = matches!(state, Some(SyncState::Succeeded | SyncState::Failed));
        let claim = (self.run.claimed_by.clone(), self.run.attempts);
        match save_run(&self.state.db, self.scope, am, (claim.0.as_deref(), claim.1)).await {
            Ok(Some((run, sequence))) => {
                self.run = run;
                self.unsaved = 0;
                publish(self.state, &self.run, sequence);
            }
            Ok(None) => {
                self.lost = true;
                self.state.sync.set_live(self.run.id, false);
                tracing::warn!(
                    run = self.run.id,
                    attempt = self.run.attempts,
                    "a sync run was taken back into the queue while this process worked on it; this attempt stops writing it"
                );
            }
            Err(e) => tracing::warn!(run = self.run.id, error = ?e, "saving sync run progress failed"),
        }
        if ended {
            self.state.sync.set_live(self.run.id, false);
        }
    }
}
