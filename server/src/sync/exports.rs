//! Exports: shipping data (発送情報) and Rakuma's ratings (ユーザ評価).

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter, QueryOrder};

use crate::clock;
use crate::inbox::UpsertOutcome;
use crate::marketplaces::{Connector, MarketplaceError, ShipmentPush};
use crate::orders;
use crate::store::entities::{order, shop};

use super::*;

/// SPEC §8: orders created in the period, eligible by `shared::export::shipment_eligibility`,
/// and not already exported with the same data (fingerprint). Counts: `updated` = sent,
/// `unchanged` = not sent (not eligible, or already sent with this data), `failed` = refused.
pub(crate) async fn export_shipments(
    p: &mut Progress<'_>,
    shop: &shop::Model,
    c: &dyn Connector,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(), MarketplaceError> {
    let rows = p
        .scope
        .find::<order::Entity>()
        .filter(order::Column::ShopId.eq(shop.id))
        .filter(order::Column::OrderedAt.gte(from))
        .filter(order::Column::OrderedAt.lte(to))
        .order_by_asc(order::Column::OrderedAt)
        .order_by_asc(order::Column::Id)
        .all(&p.state.db)
        .await
        .map_err(db_fault)?;
    let today = clock::now().with_timezone(&shared::jst()).date_naive();
    for row in rows {
        let facts = orders::shipment_facts(&row);
        let ship_date = facts.ship_date;
        let fingerprint = orders::shipment_fingerprint_of(&row);
        let (Ok(()), Some(date)) = (shared::export::shipment_eligibility(&facts, from, to, today), ship_date) else {
            p.count(UpsertOutcome::Unchanged);
            continue;
        };
        if row.last_export_fingerprint.as_deref() == Some(fingerprint.as_str()) {
            p.count(UpsertOutcome::Unchanged);
            continue;
        }
        let push = ShipmentPush {
            order_number: row.order_number.clone(),
            ship_date: date,
            carrier: row.carrier.clone(),
            delivery_method: row.delivery_method.clone(),
            tracking_number: row.tracking_number.clone(),
        };
        match c.push_shipment(&push).await {
            Ok(()) => match record_export(p, &row, fingerprint).await {
                Ok(()) => p.count(UpsertOutcome::Updated),
                Err(e) => {
                    tracing::warn!(order = %row.order_number, error = ?e, "recording an export failed");
                    p.fail(format!("受注 {}: {INTERNAL_TEXT}", row.order_number))
                }
            },
            Err(e @ (MarketplaceError::Auth { .. } | MarketplaceError::Unavailable(_))) => return Err(e),
            Err(e) => p.fail(format!("受注 {}: {e}", row.order_number)),
        }
        p.tick().await;
    }
    Ok(())
}

/// Records that an order's shipping data went out (logged as `ORDER_UPDATED`, then published).
async fn record_export(p: &Progress<'_>, row: &order::Model, fingerprint: String) -> crate::error::AppResult<()> {
    use sea_orm::TransactionTrait;
    let txn = p.state.db.begin().await?;
    let mut am: order::ActiveModel = row.clone().into();
    am.last_exported_at = Set(Some(clock::now()));
    am.last_export_fingerprint = Set(Some(fingerprint));
    let saved = p.scope.update(&txn, am).await?;
    orders::commit_change(p.state, txn, &saved, false).await
}

/// ユーザ評価を登録: for orders created in the period that have shipped (the buyer rates on
/// receipt), the shop's rating with the configured review message. Counts: `updated` = sent,
/// `unchanged` = not due or already rated on the marketplace, `failed` = refused.
pub(crate) async fn export_evaluations(
    p: &mut Progress<'_>,
    shop: &shop::Model,
    c: &dyn Connector,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(), MarketplaceError> {
    let comment = shop.review_message.clone().unwrap_or_default();
    let rows = p
        .scope
        .find::<order::Entity>()
        .filter(order::Column::ShopId.eq(shop.id))
        .filter(order::Column::OrderedAt.gte(from))
        .filter(order::Column::OrderedAt.lte(to))
        .order_by_asc(order::Column::OrderedAt)
        .order_by_asc(order::Column::Id)
        .all(&p.state.db)
        .await
        .map_err(db_fault)?;
    for row in rows {
        // ASSUMED Rakuma states (shared::order_status::RAKUMA_STATUSES): shipped and awaiting
        // the shop's rating.
        let due = matches!(row.marketplace_status.as_deref(), Some("shipped" | "wait_seller_review"));
        if !due {
            p.count(UpsertOutcome::Unchanged);
            continue;
        }
        match c.register_evaluation(&row.order_number, &comment).await {
            Ok(true) => p.count(UpsertOutcome::Updated),
            Ok(false) => p.count(UpsertOutcome::Unchanged),
            Err(e @ (MarketplaceError::Auth { .. } | MarketplaceError::Unavailable(_))) => return Err(e),
            Err(e) => p.fail(format!("受注 {}: {e}", row.order_number)),
        }
        p.tick().await;
    }
    Ok(())
}
