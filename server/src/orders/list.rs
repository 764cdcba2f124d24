//! The order list (filters, newest first), one order, and what the order page reads in batches.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, QueryFilter, QueryOrder};
use shared::OrderStatus;

use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::inbox::contains;
use crate::paging::{self, Cursor, Page, PageRequest};
use crate::store::Scope;
use crate::store::entities::{inquiry, order, order_item, shop};

#[derive(Clone, Debug, Default)]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    pub shop_id: Option<i64>,
    /// Orders of this marketplace's shops (モール).
    pub marketplace: Option<shared::Marketplace>,
    /// Order number, buyer or recipient name, phone, or an item name.
    pub search: Option<String>,
    /// On the order time, inclusive.
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
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
        q = q.filter(order::Column::Status.eq(order::Status::from(s)));
    }
    if let Some(id) = f.shop_id {
        q = q.filter(order::Column::ShopId.eq(id));
    }
    if let Some(m) = f.marketplace {
        let shops = sea_orm::sea_query::Query::select()
            .column(shop::Column::Id)
            .from(shop::Entity)
            .and_where(shop::Column::TenantId.eq(scope.tenant_id()))
            .and_where(shop::Column::Marketplace.eq(shop::Marketplace::from(m)))
            .to_owned();
        q = q.filter(order::Column::ShopId.in_subquery(shops));
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

/// The orders inquiries link to, by `(shop, order number)` (for the dataloader).
pub async fn by_numbers(
    db: &DatabaseConnection,
    scope: Scope,
    numbers: &[(i64, String)],
) -> AppResult<HashMap<(i64, String), order::Model>> {
    let any = numbers.iter().fold(Condition::any(), |c, (shop, number)| {
        c.add(Condition::all().add(order::Column::ShopId.eq(*shop)).add(order::Column::OrderNumber.eq(number.as_str())))
    });
    let rows = scope.find::<order::Entity>().filter(any).all(db).await?;
    Ok(rows.into_iter().map(|r| ((r.shop_id, r.order_number.clone()), r)).collect())
}
