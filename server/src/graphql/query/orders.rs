//! Orders: the list with its filters, one order.

use async_graphql::{Context, ID, InputObject, Object, Result};

use crate::error::AppError;
use crate::graphql::context::{actor, state};
use crate::graphql::cost;
use crate::graphql::error::{opt_id, parse_id};
use crate::graphql::types::*;
use crate::paging::PageRequest;
use chrono::{DateTime, FixedOffset};
use shared::{Marketplace, OrderStatus};

use super::{search_text, utc};
use crate::orders;

#[derive(InputObject, Default)]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    pub shop_id: Option<ID>,
    /// Orders of this marketplace's shops (モール).
    pub marketplace: Option<Marketplace>,
    /// Order number, buyer or recipient name and phone, tracking number, item names (at most 100 characters).
    pub search: Option<String>,
    /// Ordered at or after.
    pub from: Option<DateTime<FixedOffset>>,
    /// Ordered at or before.
    pub to: Option<DateTime<FixedOffset>>,
}

#[derive(Default)]
pub struct OrderQuery;

#[Object]
impl OrderQuery {
    /// Orders, newest first.
    #[graphql(complexity = "cost::page(first, last, child_complexity)")]
    async fn orders(
        &self,
        ctx: &Context<'_>,
        filter: Option<OrderFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<OrderConnection> {
        let f = filter.unwrap_or_default();
        let filter = orders::OrderFilter {
            status: f.status,
            shop_id: opt_id(f.shop_id.as_ref(), "店舗")?,
            marketplace: f.marketplace,
            search: search_text(f.search)?,
            from: utc(f.from),
            to: utc(f.to),
        };
        let page =
            orders::list(&state(ctx).db, actor(ctx)?, &filter, &PageRequest { first, after, last, before }).await?;
        Ok(page.into())
    }

    /// `NOT_FOUND` when it does not exist or belongs to another tenant.
    async fn order(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Order>> {
        let id = parse_id(&id, "受注")?;
        let row = orders::get(&state(ctx).db, actor(ctx)?, id).await?.ok_or(AppError::NotFound("受注"))?;
        Ok(Some(Order(row)))
    }
}
