//! The run queue: the `sync_run` table itself. A run is enqueued QUEUED (by the scheduler or a
//! manual start) and claimed by one worker of one process with a single conditional UPDATE:
//! QUEUED → RUNNING, `claimed_by` this process, `attempts` + 1, its heartbeat now. On
//! PostgreSQL the oldest claimable run is picked `FOR UPDATE SKIP LOCKED`, so workers of
//! several processes never wait on one another nor take the same run; SQLite has one process
//! and serialises its writers. Manual runs go before automatic ones, then the oldest first.

use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QuerySelect, Statement,
};
use shared::SyncKind;

use crate::clock;
use crate::error::AppResult;
use crate::state::AppState;
use crate::store::Scope;
use crate::store::entities::{shop, sync_run};

use super::*;

/// This process's side of the queue: who it is in `claimed_by`, the wake-up of its workers and
/// the runs it is working on (whose heartbeats its keeper renews).
pub struct SyncQueue {
    me: String,
    wake: tokio::sync::Notify,
    live: Mutex<HashSet<i64>>,
    busy: AtomicUsize,
    most_busy: AtomicUsize,
}

impl Default for SyncQueue {
    fn default() -> Self {
        SyncQueue::new()
    }
}

impl SyncQueue {
    pub fn new() -> SyncQueue {
        let host = std::env::var("HOSTNAME").unwrap_or_default();
        SyncQueue {
            me: format!("{host}:{}:{:08x}", std::process::id(), rand::random::<u32>()),
            wake: tokio::sync::Notify::new(),
            live: Mutex::default(),
            busy: AtomicUsize::new(0),
            most_busy: AtomicUsize::new(0),
        }
    }

    /// This process as `sync_run.claimed_by` names it (host, process id, a random part: two
    /// servers in one process — the tests — are two names).
    pub fn me(&self) -> &str {
        &self.me
    }

    /// A run was enqueued here: one idle worker of this process looks at once.
    pub(crate) fn wake(&self) {
        self.wake.notify_one();
    }

    pub(crate) async fn woken(&self) {
        self.wake.notified().await;
    }

    /// The runs this process works on.
    pub(crate) fn live(&self) -> Vec<i64> {
        self.live.lock().map(|l| l.iter().copied().collect()).unwrap_or_default()
    }

    pub(crate) fn set_live(&self, id: i64, live: bool) {
        if let Ok(mut l) = self.live.lock() {
            if live {
                l.insert(id);
            } else {
                l.remove(&id);
            }
        }
    }

    /// A worker starts or ends a run.
    pub(crate) fn busy(&self, working: bool) {
        if working {
            let now = self.busy.fetch_add(1, Ordering::SeqCst) + 1;
            self.most_busy.fetch_max(now, Ordering::SeqCst);
        } else {
            self.busy.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// The most runs this process's workers performed at once since it started.
    pub fn most_busy(&self) -> usize {
        self.most_busy.load(Ordering::SeqCst)
    }
}

/// Adds a QUEUED run (on `db`: a connection or the caller's transaction). The caller publishes
/// it and wakes the workers once it is committed ([`announce`]).
pub(crate) async fn insert_queued(
    db: &impl ConnectionTrait,
    scope: Scope,
    shop: &shop::Model,
    kind: SyncKind,
    trigger: sync_run::Trigger,
    window: (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
) -> AppResult<sync_run::Model> {
    Ok(scope.insert(db, new_run(shop, kind, trigger, sync_run::State::Queued, window)).await?)
}

/// Tells subscribers and this process's workers about a committed QUEUED run.
pub(crate) fn announce(state: &AppState, run: &sync_run::Model) {
    publish(state, run, None);
    state.sync.wake();
}

/// Enqueues a run and announces it.
pub(crate) async fn queue(
    state: &AppState,
    scope: Scope,
    shop: &shop::Model,
    kind: SyncKind,
    trigger: sync_run::Trigger,
    window: (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
) -> AppResult<sync_run::Model> {
    let run = insert_queued(&state.db, scope, shop, kind, trigger, window).await?;
    announce(state, &run);
    Ok(run)
}

/// A run this process performs itself, at once and within its request (a CSV upload, the
/// demo's first import): stored RUNNING and claimed by this process, never seen by workers.
pub(crate) async fn begin_inline(
    state: &AppState,
    scope: Scope,
    shop: &shop::Model,
    kind: SyncKind,
    trigger: sync_run::Trigger,
) -> AppResult<sync_run::Model> {
    let mut row = new_run(shop, kind, trigger, sync_run::State::Running, (None, None));
    let now = clock::now();
    row.started_at = Set(Some(now));
    row.heartbeat_at = Set(Some(now));
    row.claimed_by = Set(Some(state.sync.me().to_owned()));
    row.attempts = Set(1);
    let run = scope.insert(&state.db, row).await?;
    state.sync.set_live(run.id, true);
    publish(state, &run, None);
    Ok(run)
}

fn new_run(
    shop: &shop::Model,
    kind: SyncKind,
    trigger: sync_run::Trigger,
    run_state: sync_run::State,
    (from, to): (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
) -> sync_run::ActiveModel {
    sync_run::ActiveModel {
        shop_id: Set(shop.id),
        kind: Set(kind.into()),
        state: Set(run_state),
        trigger: Set(trigger),
        created: Set(0),
        updated: Set(0),
        unchanged: Set(0),
        failed: Set(0),
        errors: Set("[]".into()),
        created_at: Set(clock::now()),
        heartbeat_at: Set(None),
        progress_done: Set(0),
        progress_total: Set(None),
        attempts: Set(0),
        claimed_by: Set(None),
        not_before: Set(None),
        window_from: Set(from),
        window_to: Set(to),
        ..Default::default()
    }
}

/// Claims the next QUEUED run for this process (manual runs first, then the oldest): it is
/// RUNNING, claimed by this process, one more attempt, its heartbeat now. `None`: nothing to do.
pub async fn claim(state: &AppState) -> AppResult<Option<sync_run::Model>> {
    let backend = state.db.get_database_backend();
    let now = clock::now();
    // An idle look is a read: no write lock is taken unless there is a run to claim (on SQLite a
    // write, even of no row, would hold the one writer's lock against the requests' writes).
    let waiting = sync_run::Entity::find()
        .select_only()
        .column(sync_run::Column::Id)
        .filter(sync_run::Column::State.eq(sync_run::State::Queued))
        .filter(
            sea_orm::Condition::any()
                .add(sync_run::Column::NotBefore.is_null())
                .add(sync_run::Column::NotBefore.lte(now)),
        )
        .into_tuple::<i64>()
        .one(&state.db)
        .await?;
    if waiting.is_none() {
        return Ok(None);
    }
    let pg = backend == DatabaseBackend::Postgres;
    let lock = if pg { " FOR UPDATE SKIP LOCKED" } else { "" };
    let p = |i: usize| if pg { format!("${i}") } else { "?".to_owned() };
    // The same `now` is bound for each placeholder (SQLite's `?` are positional).
    let sql = format!(
        "UPDATE sync_run SET state = 'RUNNING', heartbeat_at = {p1}, started_at = {p2}, claimed_by = {p3}, \
         attempts = attempts + 1 \
         WHERE state = 'QUEUED' AND id = (SELECT id FROM sync_run WHERE state = 'QUEUED' \
         AND (not_before IS NULL OR not_before <= {p4}) \
         ORDER BY CASE WHEN trigger = 'manual' THEN 0 ELSE 1 END, id LIMIT 1{lock}) RETURNING *",
        p1 = p(1),
        p2 = p(2),
        p3 = p(3),
        p4 = p(4),
    );
    let stmt = Statement::from_sql_and_values(
        backend,
        sql,
        [now.into(), now.into(), state.sync.me().to_owned().into(), now.into()],
    );
    let run = crate::store::busy_retry(|| async {
        Ok(sync_run::Entity::find().from_raw_sql(stmt.clone()).one(&state.db).await?)
    })
    .await?;
    if let Some(r) = &run {
        state.sync.set_live(r.id, true);
    }
    Ok(run)
}
