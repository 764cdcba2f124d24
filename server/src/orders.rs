//! Orders (受注): list, order page, registration by hand (受注登録) and edits of shipping data,
//! status and notes.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, QueryFilter, QueryOrder, TransactionTrait,
};
use shared::OrderStatus;

use crate::auth::{Actor, Permission};
use crate::clock;
use crate::error::{AppError, AppResult};
use crate::events::{Event, EventKind};
use crate::inbox::contains;
use crate::paging::{self, Cursor, Page, PageRequest};
use crate::state::AppState;
use crate::store::Scope;
use crate::store::entities::{inquiry, order, order_item, shop};

#[derive(Clone, Debug, Default)]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    pub shop_id: Option<i64>,
    /// Order number, buyer or recipient name, phone, or an item name.
    pub search: Option<String>,
    /// On the order time, inclusive.
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

pub fn status_of(o: &order::Model) -> OrderStatus {
    OrderStatus::parse(&o.status).unwrap_or(OrderStatus::Processing)
}

pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    f: &OrderFilter,
    page: &PageRequest,
) -> AppResult<Page<order::Model>> {
    actor.require(Permission::Read)?;
    let scope = actor.scope;
    let mut q = scope.find::<order::Entity>();
    if let Some(s) = f.status {
        q = q.filter(order::Column::Status.eq(s.as_str()));
    }
    if let Some(id) = f.shop_id {
        q = q.filter(order::Column::ShopId.eq(id));
    }
    if let Some(from) = f.from {
        q = q.filter(order::Column::OrderedAt.gte(from));
    }
    if let Some(to) = f.to {
        q = q.filter(order::Column::OrderedAt.lte(to));
    }
    if let Some(text) = f.search.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let in_items = sea_orm::sea_query::Query::select()
            .column(order_item::Column::OrderId)
            .from(order_item::Entity)
            .and_where(order_item::Column::TenantId.eq(scope.tenant_id()))
            .and_where(Expr::col(order_item::Column::Name).like(contains(text)))
            .to_owned();
        q = q.filter(
            Condition::any()
                .add(Expr::col(order::Column::OrderNumber).like(contains(text)))
                .add(Expr::col(order::Column::BuyerName).like(contains(text)))
                .add(Expr::col(order::Column::RecipientName).like(contains(text)))
                .add(Expr::col(order::Column::RecipientPhone).like(contains(text)))
                .add(Expr::col(order::Column::TrackingNumber).like(contains(text)))
                .add(order::Column::Id.in_subquery(in_items)),
        );
    }
    paging::paginate(
        db,
        q,
        order::Column::OrderedAt,
        order::Column::Id,
        |r| Cursor { at: r.ordered_at, id: r.id },
        page,
    )
    .await
}

pub async fn get(db: &DatabaseConnection, actor: &Actor, id: i64) -> AppResult<Option<order::Model>> {
    actor.require(Permission::Read)?;
    Ok(actor.scope.get::<order::Entity>(db, id).await?)
}

/// The order an inquiry is about, if it has been imported (linked by shop and order number,
/// so it works whichever of the two arrived first).
pub async fn for_inquiry(
    db: &DatabaseConnection,
    actor: &Actor,
    i: &inquiry::Model,
) -> AppResult<Option<order::Model>> {
    let Some(number) = i.order_number.as_deref() else {
        return Ok(None);
    };
    Ok(actor
        .scope
        .find::<order::Entity>()
        .filter(order::Column::ShopId.eq(i.shop_id))
        .filter(order::Column::OrderNumber.eq(number))
        .one(db)
        .await?)
}

pub async fn items_of(
    db: &DatabaseConnection,
    scope: Scope,
    order_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<order_item::Model>>> {
    let rows = scope
        .find::<order_item::Entity>()
        .filter(order_item::Column::OrderId.is_in(order_ids.iter().copied()))
        .order_by_asc(order_item::Column::Position)
        .order_by_asc(order_item::Column::Id)
        .all(db)
        .await?;
    let mut map: HashMap<i64, Vec<order_item::Model>> = HashMap::new();
    for r in rows {
        map.entry(r.order_id).or_default().push(r);
    }
    Ok(map)
}

pub use connectors::{IncomingOrder, ItemForSave, PartyForSave};

#[derive(Clone, Debug)]
pub struct OrderForCreate {
    pub shop_id: i64,
    pub order_number: String,
    pub ordered_at: DateTime<Utc>,
    pub buyer: Option<PartyForSave>,
    pub recipient: PartyForSave,
    pub requested_delivery: Option<String>,
    pub items: Vec<ItemForSave>,
    pub notes: Option<String>,
    pub status: OrderStatus,
    pub marketplace_status: Option<String>,
}

fn clean(v: Option<String>) -> Option<String> {
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
    let marketplace = shared::Marketplace::parse(&shop.marketplace).unwrap_or(shared::Marketplace::CustomCsv);
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
    let txn = db.begin().await?;
    let row = scope
        .insert(
            &txn,
            order::ActiveModel {
                shop_id: Set(shop.id),
                order_number: Set(number),
                ordered_at: Set(clock::normalise(input.ordered_at)),
                status: Set(input.status.as_str().into()),
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
                notes: Set(clean(input.notes)),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            },
        )
        .await?;
    for (i, it) in input.items.into_iter().enumerate() {
        scope
            .insert(
                &txn,
                order_item::ActiveModel {
                    order_id: Set(row.id),
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
    txn.commit().await?;
    state.events.publish(Event {
        tenant_id: scope.tenant_id(),
        shop_id: Some(row.shop_id),
        kind: EventKind::OrderChanged { order_id: row.id },
    });
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
    let mut am: order::ActiveModel = row.into();
    if let Some(s) = input.status {
        am.status = Set(s.as_str().into());
    }
    if let Some(d) = input.ship_date {
        let d = d.trim().to_owned();
        if !d.is_empty() && NaiveDate::parse_from_str(&d, "%Y-%m-%d").is_err() {
            return Err(AppError::validation(
                "shipDate",
                "出荷日は YYYY-MM-DD の形式で入力してください (shipDate must be YYYY-MM-DD)",
            ));
        }
        am.ship_date = Set(clean(Some(d)));
    }
    if let Some(v) = input.carrier {
        am.carrier = Set(clean(Some(v)));
    }
    if let Some(v) = input.delivery_method {
        am.delivery_method = Set(clean(Some(v)));
    }
    if let Some(v) = input.tracking_number {
        let v = clean(Some(v));
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
    if let Some(v) = input.notes {
        am.notes = Set(clean(Some(v)));
    }
    am.updated_at = Set(clock::now());
    let row = scope.update(&state.db, am).await?;
    state.events.publish(Event {
        tenant_id: scope.tenant_id(),
        shop_id: Some(row.shop_id),
        kind: EventKind::OrderChanged { order_id: row.id },
    });
    Ok(row)
}

/// Upserts an imported order by (shop, order number). The marketplace's fields follow the
/// marketplace; local-only fields (notes) stay, and local shipping data is never cleared.
pub async fn upsert_order(
    state: &AppState,
    scope: crate::store::Scope,
    shop: &shop::Model,
    incoming: IncomingOrder,
) -> AppResult<(i64, crate::inbox::UpsertOutcome)> {
    use crate::inbox::UpsertOutcome;
    let marketplace = shared::Marketplace::parse(&shop.marketplace).unwrap_or(shared::Marketplace::CustomCsv);
    let buyer =
        if marketplace.capabilities().buyer_is_recipient { incoming.recipient.clone() } else { incoming.buyer.clone() };
    let txn = state.db.begin().await?;
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
        status: String::new(),
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
            m.status = OrderStatus::New.as_str().into();
        }
    } else {
        m.status = shared::order_status::from_marketplace(marketplace, raw_status).as_str().into();
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
            (scope.insert(&txn, am).await?, UpsertOutcome::Created)
        }
        Some(old) => {
            if m == old && !items_changed {
                txn.commit().await?;
                return Ok((old.id, UpsertOutcome::Unchanged));
            }
            m.updated_at = now;
            let am = sea_orm::ActiveModelTrait::reset_all(order::ActiveModel::from(m));
            (scope.update(&txn, am).await?, UpsertOutcome::Updated)
        }
    };
    if items_changed {
        scope.delete_many::<order_item::Entity>().filter(order_item::Column::OrderId.eq(row.id)).exec(&txn).await?;
        for (i, it) in incoming.items.into_iter().enumerate() {
            scope
                .insert(
                    &txn,
                    order_item::ActiveModel {
                        order_id: Set(row.id),
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
    }
    txn.commit().await?;
    state.events.publish(Event {
        tenant_id: scope.tenant_id(),
        shop_id: Some(row.shop_id),
        kind: EventKind::OrderChanged { order_id: row.id },
    });
    Ok((row.id, outcome))
}
