//! Exports: shipping data (発送情報) and Rakuma's ratings (ユーザ評価).

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use shared::SyncItemOutcome;
use shared::export::{Ineligible, shipment_ineligibilities};

use crate::clock;
use crate::inbox::UpsertOutcome;
use crate::marketplaces::{Connector, MarketplaceError, ShipmentPush};
use crate::orders;
use crate::store::entities::{order, shop};

use super::*;

/// Exports read the period's orders this many at a time; the run's progress counts these pages.
pub(crate) const EXPORT_PAGE: u64 = 100;

/// The period's orders of a shop, a page at a time by (order time, id), counted first so the
/// run knows its pages.
struct OrderPages {
    shop_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    after: Option<(DateTime<Utc>, i64)>,
}

impl OrderPages {
    fn of_period(shop: &shop::Model, from: DateTime<Utc>, to: DateTime<Utc>) -> OrderPages {
        OrderPages { shop_id: shop.id, from, to, after: None }
    }

    fn select(&self, p: &Progress<'_>) -> sea_orm::Select<order::Entity> {
        p.scope
            .find::<order::Entity>()
            .filter(order::Column::ShopId.eq(self.shop_id))
            .filter(order::Column::OrderedAt.gte(self.from))
            .filter(order::Column::OrderedAt.lte(self.to))
    }

    /// How many pages the period holds.
    async fn count(&self, p: &Progress<'_>) -> Result<usize, MarketplaceError> {
        let n = self.select(p).count(&p.state.db).await.map_err(db_fault)?;
        Ok(n.div_ceil(EXPORT_PAGE) as usize)
    }

    /// The next page (empty at the end).
    async fn next(&mut self, p: &Progress<'_>) -> Result<Vec<order::Model>, MarketplaceError> {
        let mut q = self.select(p);
        if let Some((at, id)) = self.after {
            q = q.filter(
                Condition::any()
                    .add(order::Column::OrderedAt.gt(at))
                    .add(Condition::all().add(order::Column::OrderedAt.eq(at)).add(order::Column::Id.gt(id))),
            );
        }
        let rows = q
            .order_by_asc(order::Column::OrderedAt)
            .order_by_asc(order::Column::Id)
            .limit(EXPORT_PAGE)
            .all(&p.state.db)
            .await
            .map_err(db_fault)?;
        self.after = rows.last().map(|r| (r.ordered_at, r.id));
        Ok(rows)
    }
}

/// SPEC §8: orders created in the period, eligible by `shared::export::shipment_eligibility`,
/// and not already exported with the same data (fingerprint). Counts: `updated` = sent,
/// `unchanged` = not sent (not eligible, or already sent with this data), `failed` = refused.
/// Lines: each order sent (UPDATED), left out with every rule that keeps it out, in the words
/// of the order page (SKIPPED), already sent with this data (UNCHANGED), refused (FAILED).
pub(crate) async fn export_shipments(
    p: &mut Progress<'_>,
    shop: &shop::Model,
    c: &dyn Connector,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(), MarketplaceError> {
    let mut pages = OrderPages::of_period(shop, from, to);
    p.steps(pages.count(p).await?).await;
    let today = clock::now().with_timezone(&shared::jst()).date_naive();
    loop {
        let rows = pages.next(p).await?;
        if rows.is_empty() {
            return Ok(());
        }
        for row in rows {
            export_shipment(p, c, row, from, to, today).await?;
            p.tick().await;
        }
        p.step_done().await;
    }
}

async fn export_shipment(
    p: &mut Progress<'_>,
    c: &dyn Connector,
    row: order::Model,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    today: chrono::NaiveDate,
) -> Result<(), MarketplaceError> {
    let facts = orders::shipment_facts(&row);
    let fingerprint = orders::shipment_fingerprint_of(&row);
    let date = match (shared::export::shipment_eligibility(&facts, from, to, today), facts.ship_date) {
        (Ok(()), Some(date)) => date,
        (first, _) => {
            let mut rules = shipment_ineligibilities(&facts, today);
            if let Err(Ineligible::OutsidePeriod) = first {
                rules.insert(0, Ineligible::OutsidePeriod);
            }
            let why = rules.iter().map(Ineligible::label_ja).collect::<Vec<_>>().join(" / ");
            p.count(UpsertOutcome::Unchanged);
            p.item(SyncItemOutcome::Skipped, RunItem::stored_order(row.id, &row.order_number).because(why)).await;
            return Ok(());
        }
    };
    if row.last_export_fingerprint.as_deref() == Some(fingerprint.as_str()) {
        p.count(UpsertOutcome::Unchanged);
        p.item(
            SyncItemOutcome::Unchanged,
            RunItem::stored_order(row.id, &row.order_number).because(orders::ALREADY_EXPORTED),
        )
        .await;
        return Ok(());
    }
    let push = ShipmentPush {
        order_number: row.order_number.clone(),
        ship_date: date,
        carrier: row.carrier.clone(),
        delivery_method: row.delivery_method.clone(),
        tracking_number: row.tracking_number.clone(),
    };
    match c.push_shipment(&push).await {
        Ok(()) => {
            let log = p.item_log();
            match record_export(p, &row, fingerprint, log).await {
                Ok(()) => {
                    p.count(UpsertOutcome::Updated);
                    if log.is_some() {
                        p.recorded();
                    }
                }
                Err(e) => {
                    tracing::warn!(order = %row.order_number, error = ?e, "recording an export failed");
                    p.fail(format!("受注 {}: {INTERNAL_TEXT}", row.order_number));
                    p.item(
                        SyncItemOutcome::Failed,
                        RunItem::stored_order(row.id, &row.order_number).because(INTERNAL_TEXT),
                    )
                    .await;
                }
            }
        }
        Err(e @ (MarketplaceError::Auth { .. } | MarketplaceError::Unavailable(_))) => return Err(e),
        Err(e) => {
            p.fail(format!("受注 {}: {e}", row.order_number));
            p.item(SyncItemOutcome::Failed, RunItem::stored_order(row.id, &row.order_number).because(e.to_string()))
                .await;
        }
    }
    Ok(())
}

/// Records that an order's shipping data went out (logged as `ORDER_UPDATED`, then published),
/// with the run's line for it in the same transaction.
async fn record_export(
    p: &Progress<'_>,
    row: &order::Model,
    fingerprint: String,
    log: Option<RunItemLog>,
) -> crate::error::AppResult<()> {
    let txn = crate::store::begin_write(&p.state.db).await?;
    let mut am: order::ActiveModel = row.clone().into();
    am.last_exported_at = Set(Some(clock::now()));
    am.last_export_fingerprint = Set(Some(fingerprint));
    let saved = p.scope.update(&txn, am).await?;
    if let Some(log) = log {
        log.record(&txn, p.scope, SyncItemOutcome::Updated, RunItem::stored_order(saved.id, &saved.order_number))
            .await?;
    }
    orders::commit_change(p.state, txn, &saved, false).await
}

/// Why an evaluation run leaves an order out (ASSUMED Rakuma states, as below).
const NOT_DUE_FOR_RATING: &str = "発送済みで評価待ちの受注ではありません";
/// The marketplace already has the shop's rating of this buyer.
const ALREADY_RATED: &str = "評価済みです";

/// ユーザ評価を登録: for orders created in the period that have shipped (the buyer rates on
/// receipt), the shop's rating with the configured review message. Counts: `updated` = sent,
/// `unchanged` = not due or already rated on the marketplace, `failed` = refused. Lines: each
/// buyer rated (UPDATED), already rated (UNCHANGED), not due (SKIPPED), refused (FAILED).
pub(crate) async fn export_evaluations(
    p: &mut Progress<'_>,
    shop: &shop::Model,
    c: &dyn Connector,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(), MarketplaceError> {
    let comment = shop.review_message.clone().unwrap_or_default();
    let mut pages = OrderPages::of_period(shop, from, to);
    p.steps(pages.count(p).await?).await;
    loop {
        let rows = pages.next(p).await?;
        if rows.is_empty() {
            return Ok(());
        }
        for row in rows {
            // ASSUMED Rakuma states (shared::order_status::RAKUMA_STATUSES): shipped and
            // awaiting the shop's rating.
            let due = matches!(row.marketplace_status.as_deref(), Some("shipped" | "wait_seller_review"));
            let line = RunItem::stored_order(row.id, &row.order_number);
            if !due {
                p.count(UpsertOutcome::Unchanged);
                p.item(SyncItemOutcome::Skipped, line.because(NOT_DUE_FOR_RATING)).await;
                continue;
            }
            match c.register_evaluation(&row.order_number, &comment).await {
                Ok(true) => {
                    p.count(UpsertOutcome::Updated);
                    p.item(SyncItemOutcome::Updated, line).await;
                }
                Ok(false) => {
                    p.count(UpsertOutcome::Unchanged);
                    p.item(SyncItemOutcome::Unchanged, line.because(ALREADY_RATED)).await;
                }
                Err(e @ (MarketplaceError::Auth { .. } | MarketplaceError::Unavailable(_))) => return Err(e),
                Err(e) => {
                    p.fail(format!("受注 {}: {e}", row.order_number));
                    p.item(SyncItemOutcome::Failed, line.because(e.to_string())).await;
                }
            }
            p.tick().await;
        }
        p.step_done().await;
    }
}
