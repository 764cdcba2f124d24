//! The workers of this process: a bounded pool that takes runs from the queue
//! ([`claim`](super::claim)) and performs them. A worker looks again at once after a run, when
//! this process enqueues one ([`SyncQueue::wake`](super::SyncQueue)), and every
//! [`POLL_EVERY`] for runs other processes enqueued.

use std::time::Duration;

use sea_orm::EntityTrait;
use shared::SyncKind;

use crate::error::AppResult;
use crate::state::AppState;
use crate::store::Scope;
use crate::store::entities::{shop, sync_run};

use super::*;

/// Runs one process performs at once, unless `--sync-workers` says otherwise.
pub const DEFAULT_WORKERS: u16 = 4;
/// How often an idle worker looks for runs other processes enqueued.
pub const POLL_EVERY: Duration = Duration::from_secs(3);

/// Starts `n` workers; they stop taking runs once `stopped` turns true (a run being performed
/// goes on; one cut off by the process ending is taken up again after its lease).
pub fn spawn_workers(state: AppState, n: u16, stopped: tokio::sync::watch::Receiver<bool>) {
    for _ in 0..n.max(1) {
        let (state, mut stopped) = (state.clone(), stopped.clone());
        tokio::spawn(async move {
            loop {
                if *stopped.borrow() {
                    return;
                }
                match work_once(&state).await {
                    Ok(Some(_)) => continue,
                    Ok(None) => {}
                    Err(e) => tracing::warn!(error = ?e, "taking a sync run from the queue failed"),
                }
                tokio::select! {
                    _ = state.sync.woken() => {}
                    _ = tokio::time::sleep(POLL_EVERY) => {}
                    // A dropped sender (the `App` gone, its server still serving) is no stop.
                    Ok(()) = stopped.changed() => {}
                }
            }
        });
    }
}

/// Claims one run and performs it to its end; `None` when the queue had nothing to take.
pub async fn work_once(state: &AppState) -> AppResult<Option<sync_run::Model>> {
    let Some(run) = claim(state).await? else { return Ok(None) };
    state.sync.busy(true);
    let done = perform(state, run).await;
    state.sync.busy(false);
    done.map(Some)
}

/// Performs a claimed run: its period is the one it was queued with, or the shop's days up to now.
async fn perform(state: &AppState, run: sync_run::Model) -> AppResult<sync_run::Model> {
    let scope = Scope::of_tenant(run.tenant_id);
    let shop = match shop::Entity::find_by_id(run.shop_id).one(&state.db).await {
        Ok(Some(shop)) if shop.tenant_id == run.tenant_id => shop,
        other => {
            // The shop is gone (its runs go with it) or unreadable: the run cannot be done.
            if let Err(e) = other {
                tracing::warn!(run = run.id, error = %e, "reading the shop of a queued run failed");
            }
            let mut p = Progress::start(state, scope, run).await;
            p.errors.push(INTERNAL_TEXT.to_owned());
            p.save(Some(shared::SyncState::Failed)).await;
            return Ok(p.run);
        }
    };
    let (from, to) = window(&shop, run.window_from, run.window_to);
    tracing::debug!(run = run.id, kind = %SyncKind::from(run.kind), attempt = run.attempts, "performing a queued run");
    Ok(execute(state, scope, shop, run, from, to).await)
}
