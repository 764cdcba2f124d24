//! Manual runs: the rules checked before any marketplace is called, then queued (the workers
//! perform them, manual runs before automatic ones).

use chrono::{DateTime, Utc};
use shared::{Marketplace, SyncKind};

use crate::auth::{Actor, Permission};
use crate::clock;
use crate::error::{AppError, AppResult};
use crate::marketplaces;
use crate::state::AppState;
use crate::store::entities::{shop, sync_run};

use super::*;

/// Checks a manual run against the rules that hold before any marketplace is called.
pub async fn start_manual(
    state: &AppState,
    actor: &Actor,
    shop_id: i64,
    kind: SyncKind,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> AppResult<sync_run::Model> {
    actor.require(Permission::Write)?;
    let shop = actor.scope.get::<shop::Entity>(&state.db, shop_id).await?.ok_or(AppError::NotFound("店舗"))?;
    let m = Marketplace::from(shop.marketplace);
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(AppError::validation("from", "期間の開始が終了より後です (from is after to)"));
    }
    let caps = m.capabilities();
    let supported = match kind {
        SyncKind::ImportOrders => caps.imports_orders,
        SyncKind::ImportInquiries => caps.imports_inquiries,
        SyncKind::ExportShipments => caps.exports_shipments,
        SyncKind::ExportEvaluations => caps.registers_evaluations,
    };
    if !supported {
        return Err(AppError::MarketplaceRefused(format!(
            "{}では「{}」を利用できません (not supported on this marketplace)",
            m.label_ja(),
            kind.label_ja()
        )));
    }
    if crate::api_option::needed_for_run(kind, false) {
        crate::api_option::require(&state.db, actor).await?;
    }
    // Where the shop's rating of the buyer goes out with the export, its message must be set.
    if matches!(kind, SyncKind::ExportShipments | SyncKind::ExportEvaluations)
        && caps.registers_evaluations
        && shop.review_message.as_deref().map(str::trim).unwrap_or("").is_empty()
    {
        return Err(AppError::validation(
            "reviewMessage",
            "評価メッセージを設定してください (set the review message first)",
        ));
    }
    if !marketplaces::supports(m, kind) {
        return Err(AppError::MarketplaceUnavailable(format!(
            "{}との「{}」はまだ利用できません (the {} connector does not do this yet)",
            m.label_ja(),
            kind.label_ja(),
            m.name_en()
        )));
    }
    if shop.credentials_sealed.is_none() {
        return Err(AppError::validation(
            "credentials",
            format!(
                "店舗「{}」のAPI認証情報を設定してください (set the marketplace credentials of shop {} first)",
                shop.name, shop.name
            ),
        ));
    }
    // Queued with the period asked for (none: the shop's days up to when it runs); a worker of
    // this process takes it at once unless all are busy, then the first one free anywhere.
    queue(state, actor.scope, &shop, kind, TRIGGER_MANUAL, (from, to)).await
}

/// The period of a run: the range asked for, or the shop's configured days up to now.
pub(crate) fn window(
    shop: &shop::Model,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let now = clock::now();
    let to = to.unwrap_or(now);
    let from = from.unwrap_or_else(|| to - chrono::Duration::days(shop.import_days.max(1) as i64));
    (from, to)
}
