//! Runs whose process died: heartbeats for this process's runs; a RUNNING run nobody renews
//! goes back to the queue (an import, up to [`MAX_ATTEMPTS`]) or is FAILED (中断).

use std::time::Duration;

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};
use shared::{Marketplace, SyncKind};

use crate::clock;
use crate::error::AppResult;
use crate::state::AppState;
use crate::store::Scope;
use crate::store::entities::{shop, sync_run, sync_run_item};

use super::*;

/// What one pass of the keeper did with runs whose process stopped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KeptRuns {
    /// Imports put back into the queue for another attempt.
    pub requeued: usize,
    /// Runs marked FAILED ([`INTERRUPTED`]).
    pub failed: usize,
}

/// Renews the heartbeat of this process's runs and takes up runs whose process died, every
/// [`RUN_HEARTBEAT`].
pub fn spawn_run_keeper(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(RUN_HEARTBEAT);
        loop {
            tick.tick().await;
            if let Err(e) = keep_runs(&state, RUN_LEASE).await {
                tracing::warn!(error = ?e, "keeping sync runs failed");
            }
        }
    })
}

/// Whether a run cut off after `attempts` claims may be performed again. Imports may: they are
/// upserts, so what the cut attempt stored is found again, never stored twice. Exports may not:
/// a shipment the marketplace accepted just before the process died has no fingerprint stored
/// yet, so another attempt would send it a second time (staff see 中断 and decide). Nor may a
/// custom-CSV import: its file came with the request and is not kept.
pub fn retryable(kind: SyncKind, marketplace: Marketplace, attempts: i32) -> bool {
    matches!(kind, SyncKind::ImportOrders | SyncKind::ImportInquiries)
        && marketplace != Marketplace::CustomCsv
        && attempts < MAX_ATTEMPTS
}

/// One pass of the keeper: heartbeats for this process's runs, then every other RUNNING run
/// silent for `lease` goes back to the queue when [`retryable`] (its counts, progress and lines
/// start again with the next attempt; `attempts` is kept) or is marked FAILED. QUEUED runs
/// wait for a worker however long the queue is.
pub async fn keep_runs(state: &AppState, lease: Duration) -> AppResult<KeptRuns> {
    let now = clock::now();
    let live = state.sync.live();
    if !live.is_empty() {
        sync_run::Entity::update_many()
            .col_expr(sync_run::Column::HeartbeatAt, Expr::value(now))
            .filter(sync_run::Column::Id.is_in(live.iter().copied()))
            .filter(sync_run::Column::ClaimedBy.eq(state.sync.me()))
            .exec(&state.db)
            .await?;
    }
    let silent_since = now - chrono::Duration::from_std(lease).unwrap_or_default();
    let silent = Condition::any().add(sync_run::Column::HeartbeatAt.lte(silent_since)).add(
        Condition::all()
            .add(sync_run::Column::HeartbeatAt.is_null())
            .add(sync_run::Column::CreatedAt.lte(silent_since)),
    );
    let stale = sync_run::Entity::find()
        .filter(sync_run::Column::State.eq(sync_run::State::Running))
        .filter(sync_run::Column::Id.is_not_in(live.iter().copied()))
        .filter(silent.clone())
        .all(&state.db)
        .await?;
    let mut kept = KeptRuns::default();
    for run in stale {
        let scope = Scope::of_tenant(run.tenant_id);
        let marketplace =
            scope.get::<shop::Entity>(&state.db, run.shop_id).await?.map(|s| Marketplace::from(s.marketplace));
        let again = marketplace.is_some_and(|m| retryable(run.kind.into(), m, run.attempts));
        // Only while the run is still as read: RUNNING, silent, the same claim.
        let claim = Condition::all()
            .add(sync_run::Column::Id.eq(run.id))
            .add(sync_run::Column::State.eq(sync_run::State::Running))
            .add(sync_run::Column::Attempts.eq(run.attempts))
            .add(match &run.claimed_by {
                Some(c) => sync_run::Column::ClaimedBy.eq(c.as_str()),
                None => sync_run::Column::ClaimedBy.is_null(),
            })
            .add(silent.clone());
        let txn = crate::store::begin_write(&state.db).await?;
        let changed = if again {
            let done = scope
                .update_many::<sync_run::Entity>()
                .col_expr(sync_run::Column::State, Expr::value(sync_run::State::Queued))
                .col_expr(sync_run::Column::ClaimedBy, Expr::value(Option::<String>::None))
                .col_expr(sync_run::Column::HeartbeatAt, Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None))
                .col_expr(sync_run::Column::StartedAt, Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None))
                .col_expr(sync_run::Column::Created, Expr::value(0))
                .col_expr(sync_run::Column::Updated, Expr::value(0))
                .col_expr(sync_run::Column::Unchanged, Expr::value(0))
                .col_expr(sync_run::Column::Failed, Expr::value(0))
                .col_expr(sync_run::Column::ProgressDone, Expr::value(0))
                .col_expr(sync_run::Column::ProgressTotal, Expr::value(Option::<i32>::None))
                .col_expr(sync_run::Column::Errors, Expr::value("[]"))
                .filter(claim)
                .exec(&txn)
                .await?;
            if done.rows_affected == 1 {
                // The next attempt writes its own lines.
                scope
                    .delete_many::<sync_run_item::Entity>()
                    .filter(sync_run_item::Column::RunId.eq(run.id))
                    .exec(&txn)
                    .await?;
            }
            done.rows_affected == 1
        } else {
            let mut errors: Vec<String> = serde_json::from_str(&run.errors).unwrap_or_default();
            errors.push(INTERRUPTED.to_owned());
            let done = scope
                .update_many::<sync_run::Entity>()
                .col_expr(sync_run::Column::State, Expr::value(sync_run::State::Failed))
                .col_expr(sync_run::Column::FinishedAt, Expr::value(now))
                .col_expr(
                    sync_run::Column::Errors,
                    Expr::value(serde_json::to_string(&errors).unwrap_or_else(|_| "[]".into())),
                )
                .filter(claim)
                .exec(&txn)
                .await?;
            done.rows_affected == 1
        };
        let row = match scope.get::<sync_run::Entity>(&txn, run.id).await? {
            Some(row) if changed => {
                let sequence = match row.state {
                    sync_run::State::Failed => Some(crate::event_log::log_run_finished(&txn, &row).await?),
                    _ => None,
                };
                Some((row, sequence))
            }
            _ => None,
        };
        txn.commit().await?;
        let Some((row, sequence)) = row else { continue };
        if again {
            kept.requeued += 1;
            tracing::warn!(
                run = run.id,
                attempts = run.attempts,
                "a sync run was cut off by its process stopping; queued again"
            );
            announce(state, &row);
        } else {
            kept.failed += 1;
            tracing::warn!(run = run.id, "a sync run was cut off by its process stopping; marked as failed");
            publish(state, &row, sequence);
        }
    }
    Ok(kept)
}
