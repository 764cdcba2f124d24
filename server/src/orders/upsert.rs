//! Imports are upserts: an order by (shop, order number), local fields kept.

use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};

use crate::clock;
use crate::error::AppResult;
use crate::state::AppState;
use crate::store::entities::{order, order_item, shop};

use super::*;

/// Upserts an imported order by (shop, order number). The marketplace's fields follow the
/// marketplace; local-only fields (notes) stay, and local shipping data is never cleared.
pub async fn upsert_order(
    state: &AppState,
    scope: crate::store::Scope,
    shop: &shop::Model,
    incoming: IncomingOrder,
) -> AppResult<(i64, crate::inbox::UpsertOutcome)> {
    upsert_order_in_run(state, scope, shop, incoming, None).await
}

/// [`upsert_order`] for a run: what it did to the order is written to the run's lines (`log`)
/// in the same transaction.
pub async fn upsert_order_in_run(
    state: &AppState,
    scope: crate::store::Scope,
    shop: &shop::Model,
    incoming: IncomingOrder,
    log: Option<crate::sync::RunItemLog>,
) -> AppResult<(i64, crate::inbox::UpsertOutcome)> {
    // A new order being stored by another import at this very moment: the second try finds it.
    match upsert_order_once(state, scope, shop, incoming.clone(), log).await? {
        Some(done) => Ok(done),
        None => upsert_order_once(state, scope, shop, incoming, log).await?.ok_or_else(|| {
            crate::error::AppError::Conflict("受注を保存できませんでした (the order could not be stored)".into())
        }),
    }
}

/// One try of [`upsert_order`]; `None` when a concurrent insert of the same order won.
async fn upsert_order_once(
    state: &AppState,
    scope: crate::store::Scope,
    shop: &shop::Model,
    incoming: IncomingOrder,
    log: Option<crate::sync::RunItemLog>,
) -> AppResult<Option<(i64, crate::inbox::UpsertOutcome)>> {
    use crate::inbox::UpsertOutcome;
    let marketplace = shared::Marketplace::from(shop.marketplace);
    let buyer =
        if marketplace.capabilities().buyer_is_recipient { incoming.recipient.clone() } else { incoming.buyer.clone() };
    let txn = crate::store::begin_write(&state.db).await?;
    let existing = scope
        .find::<order::Entity>()
        .filter(order::Column::ShopId.eq(shop.id))
        .filter(order::Column::OrderNumber.eq(incoming.order_number.as_str()))
        .one(&txn)
        .await?;
    let now = clock::now();
    let mut m = existing.clone().unwrap_or_else(|| order::Model {
        id: 0,
        tenant_id: scope.tenant_id(),
        shop_id: shop.id,
        order_number: incoming.order_number.clone(),
        ordered_at: now,
        status: order::Status::New,
        marketplace_status: None,
        buyer_name: None,
        buyer_postal_code: None,
        buyer_address: None,
        buyer_phone: None,
        recipient_name: None,
        recipient_postal_code: None,
        recipient_address: None,
        recipient_phone: None,
        requested_delivery: None,
        total_amount: 0,
        payment_method: None,
        special_notes: None,
        notes: None,
        ship_date: None,
        carrier: None,
        delivery_method: None,
        tracking_number: None,
        last_exported_at: None,
        last_export_fingerprint: None,
        created_at: now,
        updated_at: now,
    });
    m.ordered_at = clock::normalise(incoming.ordered_at);
    let raw_status = incoming.marketplace_status.trim();
    if raw_status.is_empty() {
        // No status from the source (a CSV file without one): new orders start as 新規受付,
        // existing ones keep theirs.
        if existing.is_none() {
            m.status = order::Status::New;
        }
    } else {
        m.status = shared::order_status::from_marketplace(marketplace, raw_status).into();
        // A CSV file's status is Madoguchi's own; there is no marketplace status to keep.
        m.marketplace_status = (marketplace != shared::Marketplace::CustomCsv).then(|| raw_status.to_owned());
    }
    m.buyer_name = clean(buyer.name);
    m.buyer_postal_code = clean(buyer.postal_code);
    m.buyer_address = clean(buyer.address);
    m.buyer_phone = clean(buyer.phone);
    m.recipient_name = clean(incoming.recipient.name.clone());
    m.recipient_postal_code = clean(incoming.recipient.postal_code.clone());
    m.recipient_address = clean(incoming.recipient.address.clone());
    m.recipient_phone = clean(incoming.recipient.phone.clone());
    m.requested_delivery = clean(incoming.requested_delivery.clone());
    m.total_amount = incoming.total_amount;
    m.payment_method = clean(incoming.payment_method.clone());
    m.special_notes = clean(incoming.special_notes.clone());
    m.ship_date = m.ship_date.take().or_else(|| clean(incoming.ship_date.clone()));
    m.carrier = m.carrier.take().or_else(|| clean(incoming.carrier.clone()));
    m.tracking_number = m.tracking_number.take().or_else(|| clean(incoming.tracking_number.clone()));
    m.delivery_method = m.delivery_method.take().or_else(|| clean(incoming.delivery_method.clone()));

    let old_items = match &existing {
        Some(row) => scope
            .find::<order_item::Entity>()
            .filter(order_item::Column::OrderId.eq(row.id))
            .order_by_asc(order_item::Column::Position)
            .order_by_asc(order_item::Column::Id)
            .all(&txn)
            .await?
            .into_iter()
            .map(|i| (i.name, i.sku, i.unit_price, i.quantity))
            .collect::<Vec<_>>(),
        None => Vec::new(),
    };
    let new_items: Vec<_> = incoming
        .items
        .iter()
        .map(|i| (i.name.trim().to_owned(), clean(i.sku.clone()), i.unit_price, i.quantity))
        .collect();
    let items_changed = old_items != new_items;

    let (row, outcome) = match existing {
        None => {
            let mut am = sea_orm::ActiveModelTrait::reset_all(order::ActiveModel::from(m));
            am.id = sea_orm::ActiveValue::NotSet;
            let unique = [order::Column::ShopId, order::Column::OrderNumber];
            match scope.insert_unless_present(&txn, am, unique).await? {
                Some(row) => (row, UpsertOutcome::Created),
                // Dropping the transaction rolls it back.
                None => return Ok(None),
            }
        }
        Some(old) => {
            if m == old && !items_changed {
                if let Some(log) = log {
                    let line = crate::sync::RunItem::stored_order(old.id, &old.order_number);
                    log.record(&txn, scope, shared::SyncItemOutcome::Unchanged, line).await?;
                }
                txn.commit().await?;
                return Ok(Some((old.id, UpsertOutcome::Unchanged)));
            }
            m.updated_at = now;
            let am = sea_orm::ActiveModelTrait::reset_all(order::ActiveModel::from(m));
            (scope.update(&txn, am).await?, UpsertOutcome::Updated)
        }
    };
    if items_changed {
        scope.delete_many::<order_item::Entity>().filter(order_item::Column::OrderId.eq(row.id)).exec(&txn).await?;
        super::entry::insert_items(&txn, scope, row.id, incoming.items).await?;
    }
    if let Some(log) = log {
        log.record(&txn, scope, outcome.into(), crate::sync::RunItem::stored_order(row.id, &row.order_number)).await?;
    }
    super::commit_change(state, txn, &row, outcome == UpsertOutcome::Created).await?;
    Ok(Some((row.id, outcome)))
}
