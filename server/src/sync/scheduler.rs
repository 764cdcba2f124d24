//! Auto runs: the scheduler only enqueues (the workers perform, `workers.rs`): one QUEUED run
//! per shop and kind when its interval has passed, once across processes.

use std::collections::{HashMap, HashSet};
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

/// How often the scheduler looks for shops that are due. A pass is four small reads however many
/// shops there are ([`enqueue_due`]), so a short tick costs little and a shop's run starts at
/// most 5 s after its interval has passed.
pub const SCHEDULER_TICK: Duration = Duration::from_secs(5);

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

/// The auto runs one pass needs to know of, read at once for every shop: which shop and kind
/// has one QUEUED or RUNNING, and when each last had one created (within the longest interval).
/// Two queries whatever the number of shops and tenants (a job over all tenants, as
/// `note_expiring_keys`; each run is then enqueued in its own tenant's scope).
struct AutoRuns {
    open: HashSet<(i64, sync_run::Kind)>,
    latest: HashMap<(i64, sync_run::Kind), chrono::DateTime<chrono::Utc>>,
}

impl AutoRuns {
    async fn read(db: &impl sea_orm::ConnectionTrait, longest: Duration) -> AppResult<Self> {
        let open = sync_run::Entity::find()
            .select_only()
            .columns([sync_run::Column::ShopId, sync_run::Column::Kind])
            .filter(sync_run::Column::Trigger.eq(TRIGGER_AUTO))
            .filter(sync_run::Column::State.is_in([sync_run::State::Queued, sync_run::State::Running]))
            .into_tuple::<(i64, sync_run::Kind)>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        let since = clock::now() - chrono::Duration::from_std(longest).unwrap_or_default();
        let mut latest = HashMap::new();
        let recent = sync_run::Entity::find()
            .select_only()
            .columns([sync_run::Column::ShopId, sync_run::Column::Kind, sync_run::Column::CreatedAt])
            .filter(sync_run::Column::Trigger.eq(TRIGGER_AUTO))
            .filter(sync_run::Column::CreatedAt.gt(since))
            .into_tuple::<(i64, sync_run::Kind, chrono::DateTime<chrono::Utc>)>()
            .all(db)
            .await?;
        for (shop_id, kind, at) in recent {
            let last = latest.entry((shop_id, kind)).or_insert(at);
            *last = (*last).max(at);
        }
        Ok(AutoRuns { open, latest })
    }

    /// [`is_due`] from what was read: none waiting or running, none created within `interval`.
    fn is_due(&self, shop_id: i64, kind: SyncKind, interval: Duration) -> bool {
        let key = (shop_id, sync_run::Kind::from(kind));
        let since = clock::now() - chrono::Duration::from_std(interval).unwrap_or_default();
        !self.open.contains(&key) && self.latest.get(&key).is_none_or(|at| *at <= since)
    }
}

/// Enqueues the auto runs that are due (see [`auto_kinds`], [`auto_interval`]); returns the
/// QUEUED runs, which this process's and other processes' workers perform.
///
/// A pass reads the tenants, the shops that run automatically and their auto runs ([`AutoRuns`])
/// in four queries however many shops there are, so it can run every few seconds; it then
/// writes only for the shops that are due.
///
/// Once across processes: a shop's due runs are checked again and inserted in one transaction
/// holding the shop's row lock (`SELECT … FOR UPDATE` on PostgreSQL; SQLite has one writer),
/// so a second scheduler waits and then sees the first one's runs.
pub async fn enqueue_due(state: &AppState, interval: Option<Duration>) -> AppResult<Vec<sync_run::Model>> {
    let tenants: HashMap<i64, tenant::Model> =
        tenant::Entity::find().all(&state.db).await?.into_iter().map(|t| (t.id, t)).collect();
    // A job over all tenants: each shop's runs are enqueued in its own tenant's scope below.
    let shops: Vec<shop::Model> = shop::Entity::find()
        .filter(Condition::any().add(shop::Column::AutoImport.eq(true)).add(shop::Column::AutoExport.eq(true)))
        .order_by_asc(shop::Column::Id)
        .all(&state.db)
        .await?
        .into_iter()
        .filter(marketplaces::is_connected)
        .collect();
    let Some(longest) = shops.iter().map(|s| auto_interval(s, interval)).max() else {
        return Ok(Vec::new());
    };
    let seen = AutoRuns::read(&state.db, longest).await?;
    let mut queued = Vec::new();
    for shop in shops {
        let Some(t) = tenants.get(&shop.tenant_id) else { continue };
        let scope = Scope::of_tenant(t.id);
        let every = auto_interval(&shop, interval);
        let due: Vec<SyncKind> = auto_kinds(t, &shop).into_iter().filter(|k| seen.is_due(shop.id, *k, every)).collect();
        if due.is_empty() {
            continue;
        }
        let runs = crate::store::busy_retry(|| enqueue_locked(state, scope, &shop, &due, every)).await?;
        for run in runs {
            announce(state, &run);
            queued.push(run);
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
