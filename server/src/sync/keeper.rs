//! Runs whose process died: heartbeats for this process's runs, and FAILED (中断) for the
//! runs nobody renews.

use std::time::Duration;

use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, TransactionTrait};
use shared::SyncState;

use crate::clock;
use crate::error::AppResult;
use crate::state::AppState;
use crate::store::Scope;
use crate::store::entities::sync_run;

use super::*;

/// Renews the heartbeat of this process's runs and marks runs whose process died as FAILED
/// ([`INTERRUPTED`]), every [`RUN_HEARTBEAT`].
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

/// One pass of the keeper: heartbeats for this process's runs, then every other QUEUED or
/// RUNNING run silent for `lease` is marked FAILED. Returns how many were marked.
pub async fn keep_runs(state: &AppState, lease: Duration) -> AppResult<usize> {
    let now = clock::now();
    let live = live_runs();
    if !live.is_empty() {
        sync_run::Entity::update_many()
            .col_expr(sync_run::Column::HeartbeatAt, sea_orm::sea_query::Expr::value(now))
            .filter(sync_run::Column::Id.is_in(live.iter().copied()))
            .exec(&state.db)
            .await?;
    }
    let silent_since = now - chrono::Duration::from_std(lease).unwrap_or_default();
    let stale = sync_run::Entity::find()
        .filter(sync_run::Column::State.is_in([SyncState::Queued.as_str(), SyncState::Running.as_str()]))
        .filter(sync_run::Column::Id.is_not_in(live.iter().copied()))
        .filter(
            Condition::any().add(sync_run::Column::HeartbeatAt.lte(silent_since)).add(
                Condition::all()
                    .add(sync_run::Column::HeartbeatAt.is_null())
                    .add(sync_run::Column::CreatedAt.lte(silent_since)),
            ),
        )
        .all(&state.db)
        .await?;
    let mut marked = 0;
    for run in stale {
        let scope = Scope::of_tenant(run.tenant_id);
        let mut errors: Vec<String> = serde_json::from_str(&run.errors).unwrap_or_default();
        errors.push(INTERRUPTED.to_owned());
        let txn = state.db.begin().await?;
        let done = scope
            .update_many::<sync_run::Entity>()
            .col_expr(sync_run::Column::State, sea_orm::sea_query::Expr::value(sync_run::State::Failed))
            .col_expr(sync_run::Column::FinishedAt, sea_orm::sea_query::Expr::value(now))
            .col_expr(
                sync_run::Column::Errors,
                sea_orm::sea_query::Expr::value(serde_json::to_string(&errors).unwrap_or_else(|_| "[]".into())),
            )
            .filter(sync_run::Column::Id.eq(run.id))
            .filter(sync_run::Column::State.eq(run.state))
            .exec(&txn)
            .await?;
        let marked_row = match scope.get::<sync_run::Entity>(&txn, run.id).await? {
            Some(row) if done.rows_affected == 1 => {
                let sequence = crate::event_log::log_run_finished(&txn, &row).await?;
                Some((row, sequence))
            }
            _ => None,
        };
        txn.commit().await?;
        if let Some((row, sequence)) = marked_row {
            marked += 1;
            tracing::warn!(run = run.id, "a sync run was cut off by its process stopping; marked as failed");
            publish(state, &row, Some(sequence));
        }
    }
    Ok(marked)
}
