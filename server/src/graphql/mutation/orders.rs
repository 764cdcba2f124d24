//! 受注登録 and order edits.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, FixedOffset};

use super::utc;
use crate::graphql::context::{actor, state};
use crate::graphql::error::parse_id;
use crate::graphql::types::*;
use crate::orders;
use shared::OrderStatus;

#[derive(InputObject)]
pub struct PartyInput {
    pub name: Option<String>,
    pub postal_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
}

#[derive(InputObject)]
pub struct OrderItemInput {
    pub name: String,
    pub sku: Option<String>,
    pub unit_price: i32,
    pub quantity: i32,
}

#[derive(InputObject)]
pub struct OrderInput {
    pub shop_id: ID,
    pub order_number: String,
    pub ordered_at: DateTime<FixedOffset>,
    pub buyer: Option<PartyInput>,
    pub recipient: PartyInput,
    pub requested_delivery: Option<String>,
    pub items: Vec<OrderItemInput>,
    /// 支払方法 (e.g. クレジットカード, 銀行振込, 代金引換).
    pub payment_method: Option<String>,
    pub notes: Option<String>,
    /// Defaults to NEW.
    pub status: Option<OrderStatus>,
}

#[derive(InputObject)]
pub struct OrderUpdateInput {
    pub status: Option<OrderStatus>,
    /// YYYY-MM-DD; empty clears.
    pub ship_date: Option<String>,
    pub carrier: Option<String>,
    pub delivery_method: Option<String>,
    pub tracking_number: Option<String>,
    pub notes: Option<String>,
}

impl From<OrderUpdateInput> for orders::OrderForUpdate {
    fn from(input: OrderUpdateInput) -> Self {
        orders::OrderForUpdate {
            status: input.status,
            ship_date: input.ship_date,
            carrier: input.carrier,
            delivery_method: input.delivery_method,
            tracking_number: input.tracking_number,
            notes: input.notes,
        }
    }
}

fn party(p: PartyInput) -> orders::PartyForSave {
    orders::PartyForSave { name: p.name, postal_code: p.postal_code, address: p.address, phone: p.phone }
}

#[derive(Default)]
pub struct OrderMutation;

#[Object]
impl OrderMutation {
    /// 受注登録.
    async fn create_order(&self, ctx: &Context<'_>, input: OrderInput) -> Result<Order> {
        let row = orders::create(
            state(ctx),
            actor(ctx)?,
            orders::OrderForCreate {
                shop_id: parse_id(&input.shop_id, "店舗")?,
                order_number: input.order_number,
                ordered_at: utc(input.ordered_at),
                buyer: input.buyer.map(party),
                recipient: party(input.recipient),
                requested_delivery: input.requested_delivery,
                items: input
                    .items
                    .into_iter()
                    .map(|i| orders::ItemForSave {
                        name: i.name,
                        sku: i.sku,
                        unit_price: i.unit_price as i64,
                        quantity: i.quantity,
                    })
                    .collect(),
                payment_method: input.payment_method,
                notes: input.notes,
                status: input.status.unwrap_or(OrderStatus::New),
                marketplace_status: None,
            },
        )
        .await?;
        Ok(Order(row))
    }

    async fn update_order(&self, ctx: &Context<'_>, id: ID, input: OrderUpdateInput) -> Result<Order> {
        let row = orders::update(state(ctx), actor(ctx)?, parse_id(&id, "受注")?, input.into()).await?;
        Ok(Order(row))
    }

    /// 一括変更: the same edit on every order of `ids` (1 to 200 of the caller's), all or none.
    /// A `carrier` must be one every selected order's marketplace accepts (`VALIDATION` on
    /// `carrier` naming the order otherwise); an id that is not the caller's is `NOT_FOUND`.
    /// Each order changed fires `orderChanged` and is logged like a single edit.
    async fn update_orders(&self, ctx: &Context<'_>, ids: Vec<ID>, input: OrderUpdateInput) -> Result<Vec<Order>> {
        let ids = ids.iter().map(|id| parse_id(id, "受注")).collect::<Result<Vec<_>, _>>()?;
        let rows = orders::update_many(state(ctx), actor(ctx)?, &ids, input.into()).await?;
        Ok(rows.into_iter().map(Order).collect())
    }
}
