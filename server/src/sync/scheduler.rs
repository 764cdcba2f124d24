//! Auto runs: one run per shop and kind per interval, once across processes.

use std::time::Duration;

use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder};
use shared::{Marketplace, SyncKind};

use crate::clock;
use crate::error::AppResult;
use crate::marketplaces;
use crate::state::AppState;
use crate::store::Scope;
use crate::store::entities::{shop, sync_run, tenant};

use super::*;

/// Auto runs of one kind start at most once per this interval per shop.
pub const AUTO_INTERVAL: Duration = Duration::from_secs(5 * 60);
/// How often the scheduler looks for shops that are due.
pub const SCHEDULER_TICK: Duration = Duration::from_secs(30);

/// Starts the scheduler: every `every`, [`run_due`] with `interval` (production:
/// [`SCHEDULER_TICK`] and [`AUTO_INTERVAL`]; the demo may use shorter ones).
pub fn spawn_scheduler(state: AppState, every: Duration, interval: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            if let Err(e) = crate::shop_setup::note_expiring_keys(&state).await {
                tracing::warn!(error = ?e, "noting expiring licence keys failed");
            }
            if let Err(e) = run_due(&state, interval).await {
                tracing::warn!(error = ?e, "auto import/export pass failed");
            }
        }
    })
}

/// The auto runs that are due: for each connected shop with auto-import (orders, and
/// inquiries with the API option) or auto-export (with the API option), one run per kind
/// when none started within `interval`. Runs are performed before this returns.
///
/// Across processes: each process inserts its QUEUED run, then the one with the lowest id
/// proceeds and the others withdraw theirs.
pub async fn run_due(state: &AppState, interval: Duration) -> AppResult<Vec<sync_run::Model>> {
    let mut done = Vec::new();
    for t in tenant::Entity::find().all(&state.db).await? {
        let scope = Scope::of_tenant(t.id);
        let shops = scope
            .find::<shop::Entity>()
            .filter(Condition::any().add(shop::Column::AutoImport.eq(true)).add(shop::Column::AutoExport.eq(true)))
            .order_by_asc(shop::Column::Id)
            .all(&state.db)
            .await?;
        for shop in shops.into_iter().filter(marketplaces::is_connected) {
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
            // Inquiry imports and auto-export only with the APIオプション.
            let contracted = |k: &SyncKind| t.api_option || !crate::api_option::needed_for_run(*k, true);
            for kind in kinds.into_iter().filter(contracted).filter(|k| marketplaces::supports(m, *k)) {
                let since = clock::now() - chrono::Duration::from_std(interval).unwrap_or_default();
                let recent = |q: sea_orm::Select<sync_run::Entity>| {
                    q.filter(sync_run::Column::ShopId.eq(shop.id))
                        .filter(sync_run::Column::Kind.eq(sync_run::Kind::from(kind)))
                        .filter(sync_run::Column::Trigger.eq(TRIGGER_AUTO))
                        .filter(sync_run::Column::CreatedAt.gt(since))
                };
                if !interval.is_zero() && recent(scope.find::<sync_run::Entity>()).one(&state.db).await?.is_some() {
                    continue;
                }
                let run = queue(state, scope, &shop, kind, TRIGGER_AUTO).await?;
                let earlier = recent(scope.find::<sync_run::Entity>())
                    .filter(sync_run::Column::Id.lt(run.id))
                    .one(&state.db)
                    .await?;
                if !interval.is_zero() && earlier.is_some() {
                    set_live(run.id, false);
                    scope
                        .delete_many::<sync_run::Entity>()
                        .filter(sync_run::Column::Id.eq(run.id))
                        .exec(&state.db)
                        .await?;
                    continue;
                }
                let (from, to) = window(&shop, None, None);
                done.push(execute(state, scope, shop.clone(), run, from, to).await);
            }
        }
    }
    Ok(done)
}
