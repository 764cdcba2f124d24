//! Auto runs: the scheduler only enqueues (the workers perform, `workers.rs`): one QUEUED run
//! per shop and kind when its interval has passed, once across processes.

use std::time::Duration;

use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use shared::{Marketplace, SyncKind};

use crate::clock;
use crate::error::{AppError, AppResult};
use crate::marketplaces;
use crate::state::AppState;
use crate::store::Scope;
use crate::store::entities::{shop, sync_run, tenant};

use super::*;

/// How often the scheduler looks for shops that are due.
pub const SCHEDULER_TICK: Duration = Duration::from_secs(30);

/// Starts the scheduler: every `every`, [`enqueue_due`] with each shop's own interval, or
/// `interval` for every shop (the demo's shorter one).
pub fn spawn_scheduler(state: AppState, every: Duration, interval: Option<Duration>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            if let Err(e) = crate::shop_setup::note_expiring_keys(&state).await {
                tracing::warn!(error = ?e, "noting expiring licence keys failed");
            }
            if let Err(e) = enqueue_due(&state, interval).await {
                tracing::warn!(error = ?e, "auto import/export pass failed");
            }
        }
    })
}

/// The interval of a shop's auto runs: `interval` when given, else the shop's own
/// (`shop.auto_interval_seconds`) or its marketplace's default (`shared::sync_interval`).
pub fn auto_interval(shop: &shop::Model, interval: Option<Duration>) -> Duration {
    interval.unwrap_or_else(|| {
        let secs = shared::sync_interval::auto_interval_seconds(shop.marketplace.into(), shop.auto_interval_seconds);
        Duration::from_secs(u64::try_from(secs).unwrap_or(0))
    })
}

/// The kinds of auto run a shop asks for: orders (and inquiries, with the APIオプション) when
/// it imports automatically, shipments (with the APIオプション) when it exports automatically.
fn auto_kinds(t: &tenant::Model, shop: &shop::Model) -> Vec<SyncKind> {
    let m = Marketplace::from(shop.marketplace);
    let caps = m.capabilities();
    let mut kinds = Vec::new();
    if shop.auto_import && caps.imports_orders {
        kinds.push(SyncKind::ImportOrders);
    }
    if shop.auto_import && caps.imports_inquiries {
        kinds.push(SyncKind::ImportInquiries);
    }
    if shop.auto_export && caps.exports_shipments {
        kinds.push(SyncKind::ExportShipments);
    }
    kinds
        .into_iter()
        .filter(|k| t.api_option || !crate::api_option::needed_for_run(*k, true))
        .filter(|k| marketplaces::supports(m, *k))
        .collect()
}

/// Whether a shop's auto run of `kind` is due: none waiting or running, and none queued within
/// `interval`.
async fn is_due(
    db: &impl sea_orm::ConnectionTrait,
    scope: Scope,
    shop_id: i64,
    kind: SyncKind,
    interval: Duration,
) -> AppResult<bool> {
    let since = clock::now() - chrono::Duration::from_std(interval).unwrap_or_default();
    let open_or_recent = Condition::any()
        .add(sync_run::Column::State.is_in([sync_run::State::Queued, sync_run::State::Running]))
        .add(sync_run::Column::CreatedAt.gt(since));
    let found = scope
        .find::<sync_run::Entity>()
        .select_only()
        .column(sync_run::Column::Id)
        .filter(sync_run::Column::ShopId.eq(shop_id))
        .filter(sync_run::Column::Kind.eq(sync_run::Kind::from(kind)))
        .filter(sync_run::Column::Trigger.eq(TRIGGER_AUTO))
        .filter(open_or_recent)
        .into_tuple::<i64>()
        .one(db)
        .await?;
    Ok(found.is_none())
}

/// Enqueues the auto runs that are due (see [`auto_kinds`], [`auto_interval`]); returns the
/// QUEUED runs, which this process's and other processes' workers perform.
///
/// Once across processes: a shop's due runs are checked again and inserted in one transaction
/// holding the shop's row lock (`SELECT … FOR UPDATE` on PostgreSQL; SQLite has one writer),
/// so a second scheduler waits and then sees the first one's runs.
pub async fn enqueue_due(state: &AppState, interval: Option<Duration>) -> AppResult<Vec<sync_run::Model>> {
    let mut queued = Vec::new();
    for t in tenant::Entity::find().all(&state.db).await? {
        let scope = Scope::of_tenant(t.id);
        let shops = scope
            .find::<shop::Entity>()
            .filter(Condition::any().add(shop::Column::AutoImport.eq(true)).add(shop::Column::AutoExport.eq(true)))
            .order_by_asc(shop::Column::Id)
            .all(&state.db)
            .await?;
        for shop in shops.into_iter().filter(marketplaces::is_connected) {
            let every = auto_interval(&shop, interval);
            let mut due = Vec::new();
            for kind in auto_kinds(&t, &shop) {
                if is_due(&state.db, scope, shop.id, kind, every).await? {
                    due.push(kind);
                }
            }
            if due.is_empty() {
                continue;
            }
            let runs = crate::store::busy_retry(|| enqueue_locked(state, scope, &shop, &due, every)).await?;
            for run in runs {
                announce(state, &run);
                queued.push(run);
            }
        }
    }
    Ok(queued)
}

/// Under the shop's row lock: the kinds still due, inserted QUEUED.
async fn enqueue_locked(
    state: &AppState,
    scope: Scope,
    shop: &shop::Model,
    kinds: &[SyncKind],
    every: Duration,
) -> AppResult<Vec<sync_run::Model>> {
    let txn = crate::store::begin_write(&state.db).await?;
    let locked = scope.find::<shop::Entity>().filter(shop::Column::Id.eq(shop.id)).lock_exclusive().one(&txn).await?;
    let mut runs = Vec::new();
    if locked.is_some() {
        for kind in kinds {
            if is_due(&txn, scope, shop.id, *kind, every).await? {
                runs.push(insert_queued(&txn, scope, shop, *kind, TRIGGER_AUTO, (None, None)).await?);
            }
        }
    }
    txn.commit().await?;
    Ok(runs)
}

/// [`enqueue_due`], then waits (up to `limit`) until the workers have performed every run it
/// queued; returns them as they ended. For tests and tools that want a pass done.
pub async fn run_due_and_wait(
    state: &AppState,
    interval: Option<Duration>,
    limit: Duration,
) -> AppResult<Vec<sync_run::Model>> {
    let queued = enqueue_due(state, interval).await?;
    wait_finished(state, &queued.iter().map(|r| r.id).collect::<Vec<_>>(), limit).await
}

/// Waits (up to `limit`) until these runs have ended (SUCCEEDED or FAILED); returns them.
pub async fn wait_finished(state: &AppState, ids: &[i64], limit: Duration) -> AppResult<Vec<sync_run::Model>> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let rows = sync_run::Entity::find()
            .filter(sync_run::Column::Id.is_in(ids.iter().copied()))
            .order_by_asc(sync_run::Column::Id)
            .all(&state.db)
            .await?;
        if rows.iter().all(|r| matches!(r.state, sync_run::State::Succeeded | sync_run::State::Failed)) {
            return Ok(rows);
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(AppError::internal(anyhow::anyhow!(
                "runs still waiting or running after {limit:?}: {:?}",
                rows.iter()
                    .filter(|r| !matches!(r.state, sync_run::State::Succeeded | sync_run::State::Failed))
                    .map(|r| r.id)
                    .collect::<Vec<_>>()
            )));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
