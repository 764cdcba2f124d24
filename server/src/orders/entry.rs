//! 受注登録 (an order entered by hand) and staff edits: shipping data, status and notes.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter};
use shared::OrderStatus;

use crate::auth::{Actor, Permission};
use crate::clock;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::entities::{order, order_item, shop};

use super::*;

#[derive(Clone, Debug)]
pub struct OrderForCreate {
    pub shop_id: i64,
    pub order_number: String,
    pub ordered_at: DateTime<Utc>,
    pub buyer: Option<PartyForSave>,
    pub recipient: PartyForSave,
    pub requested_delivery: Option<String>,
    pub items: Vec<ItemForSave>,
    /// 支払方法.
    pub payment_method: Option<String>,
    pub notes: Option<String>,
    pub status: OrderStatus,
    pub marketplace_status: Option<String>,
}

/// Stores an order's lines in their order (受注登録 and imports alike).
pub(crate) async fn insert_items(
    txn: &impl sea_orm::ConnectionTrait,
    scope: crate::store::Scope,
    order_id: i64,
    items: Vec<ItemForSave>,
) -> Result<(), sea_orm::DbErr> {
    for (i, it) in items.into_iter().enumerate() {
        scope
            .insert(
                txn,
                order_item::ActiveModel {
                    order_id: Set(order_id),
                    position: Set(i as i32),
                    name: Set(it.name.trim().to_owned()),
                    sku: Set(clean(it.sku)),
                    unit_price: Set(it.unit_price),
                    quantity: Set(it.quantity),
                    ..Default::default()
                },
            )
            .await?;
    }
    Ok(())
}

pub(crate) fn clean(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// 受注登録: registers an order by hand. Rakuma orders take the recipient as the buyer.
pub async fn create(state: &AppState, actor: &Actor, input: OrderForCreate) -> AppResult<order::Model> {
    actor.require(Permission::Write)?;
    let scope = actor.scope;
    let db = &state.db;
    let shop = scope.get::<shop::Entity>(db, input.shop_id).await?.ok_or(AppError::NotFound("店舗"))?;
    let number = input.order_number.trim().to_owned();
    if number.is_empty() || number.chars().count() > 64 {
        return Err(AppError::validation(
            "orderNumber",
            "受注番号は1〜64文字で入力してください (orderNumber must be 1-64 characters)",
        ));
    }
    if input.items.is_empty() {
        return Err(AppError::validation("items", "購入商品を1つ以上入力してください (at least one item is required)"));
    }
    for it in &input.items {
        if it.name.trim().is_empty() {
            return Err(AppError::validation("items", "商品名を入力してください (item name is required)"));
        }
        if it.quantity < 1 || it.unit_price < 0 {
            return Err(AppError::validation(
                "items",
                "数量は1以上、単価は0以上で入力してください (quantity ≥ 1, unitPrice ≥ 0)",
            ));
        }
    }
    let recipient = input.recipient.clone();
    if clean(recipient.name.clone()).is_none() {
        return Err(AppError::validation("recipient", "送付先の氏名を入力してください (recipient name is required)"));
    }
    let marketplace = shared::Marketplace::from(shop.marketplace);
    let buyer =
        if marketplace.capabilities().buyer_is_recipient { Some(recipient.clone()) } else { input.buyer.clone() }
            .unwrap_or_default();
    let exists = scope
        .find::<order::Entity>()
        .filter(order::Column::ShopId.eq(shop.id))
        .filter(order::Column::OrderNumber.eq(number.as_str()))
        .one(db)
        .await?;
    if exists.is_some() {
        return Err(AppError::Conflict(format!(
            "受注番号 {number} はこの店舗に既にあります (order number already exists in this shop)"
        )));
    }
    let now = clock::now();
    let total: i64 = input.items.iter().map(|i| i.unit_price * i.quantity as i64).sum();
    let txn = crate::store::begin_write(db).await?;
    let row = scope
        .insert(
            &txn,
            order::ActiveModel {
                shop_id: Set(shop.id),
                order_number: Set(number),
                ordered_at: Set(clock::normalise(input.ordered_at)),
                status: Set(input.status.into()),
                marketplace_status: Set(input.marketplace_status.clone()),
                buyer_name: Set(clean(buyer.name)),
                buyer_postal_code: Set(clean(buyer.postal_code)),
                buyer_address: Set(clean(buyer.address)),
                buyer_phone: Set(clean(buyer.phone)),
                recipient_name: Set(clean(recipient.name)),
                recipient_postal_code: Set(clean(recipient.postal_code)),
                recipient_address: Set(clean(recipient.address)),
                recipient_phone: Set(clean(recipient.phone)),
                requested_delivery: Set(clean(input.requested_delivery)),
                total_amount: Set(total),
                payment_method: Set(clean(input.payment_method)),
                notes: Set(clean(input.notes)),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            },
        )
        .await?;
    insert_items(&txn, scope, row.id, input.items).await?;
    super::commit_change(state, txn, &row, true).await?;
    Ok(row)
}

#[derive(Clone, Debug, Default)]
pub struct OrderForUpdate {
    pub status: Option<OrderStatus>,
    /// `Some("")` clears the value; `None` keeps it.
    pub ship_date: Option<String>,
    pub carrier: Option<String>,
    pub delivery_method: Option<String>,
    pub tracking_number: Option<String>,
    pub notes: Option<String>,
}

pub async fn update(state: &AppState, actor: &Actor, id: i64, input: OrderForUpdate) -> AppResult<order::Model> {
    actor.require(Permission::Write)?;
    let scope = actor.scope;
    let row = scope.get::<order::Entity>(&state.db, id).await?.ok_or(AppError::NotFound("受注"))?;
    let am = apply_update(row.into(), &input)?;
    let txn = crate::store::begin_write(&state.db).await?;
    let row = scope.update(&txn, am).await?;
    super::commit_change(state, txn, &row, false).await?;
    Ok(row)
}

/// The edits of `input` on an order, checked (`VALIDATION` on the field at fault).
pub(super) fn apply_update(mut am: order::ActiveModel, input: &OrderForUpdate) -> AppResult<order::ActiveModel> {
    if let Some(s) = input.status {
        am.status = Set(s.into());
    }
    if let Some(d) = &input.ship_date {
        let d = d.trim().to_owned();
        if !d.is_empty() && NaiveDate::parse_from_str(&d, "%Y-%m-%d").is_err() {
            return Err(AppError::validation(
                "shipDate",
                "出荷日は YYYY-MM-DD の形式で入力してください (shipDate must be YYYY-MM-DD)",
            ));
        }
        am.ship_date = Set(clean(Some(d)));
    }
    if let Some(v) = &input.carrier {
        am.carrier = Set(clean(Some(v.clone())));
    }
    if let Some(v) = &input.delivery_method {
        am.delivery_method = Set(clean(Some(v.clone())));
    }
    if let Some(v) = &input.tracking_number {
        let v = clean(Some(v.clone()));
        if let Some(t) = &v
            && (t.chars().count() > 40 || !t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        {
            return Err(AppError::validation(
                "trackingNumber",
                "お荷物伝票番号は半角英数字とハイフンで入力してください (trackingNumber: letters, digits and hyphens)",
            ));
        }
        am.tracking_number = Set(v);
    }
    if let Some(v) = &input.notes {
        am.notes = Set(clean(Some(v.clone())));
    }
    am.updated_at = Set(clock::now());
    Ok(am)
}
