//! Orders with their parties and items, and the inquiries about them.

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, FixedOffset};
use shared::OrderStatus;

use crate::graphql::context::{load_err, loaders};
use crate::graphql::cost;
use crate::orders;
use crate::store::entities::{order, order_item};

use super::*;

#[derive(SimpleObject)]
pub struct Party {
    pub name: Option<String>,
    pub postal_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
}

#[derive(SimpleObject)]
pub struct OrderItem {
    pub name: String,
    pub sku: Option<String>,
    pub unit_price: i32,
    pub quantity: i32,
}

impl From<order_item::Model> for OrderItem {
    fn from(i: order_item::Model) -> Self {
        OrderItem { name: i.name, sku: i.sku, unit_price: i.unit_price as i32, quantity: i.quantity }
    }
}

/// Whether the next automatic shipping export (発送情報の書出) sends this order.
#[derive(SimpleObject)]
pub struct ShipmentExportCheck {
    pub eligible: bool,
    /// Why not, in Japanese, one per rule that excludes it (the export's own rules); empty when eligible.
    pub reasons: Vec<String>,
}

pub struct Order(pub order::Model);

#[Object]
impl Order {
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    async fn shop(&self, ctx: &Context<'_>) -> Result<Shop> {
        load_shop(ctx, self.0.shop_id).await
    }
    async fn order_number(&self) -> &str {
        &self.0.order_number
    }
    async fn ordered_at(&self) -> DateTime<FixedOffset> {
        jst(self.0.ordered_at)
    }
    async fn status(&self) -> OrderStatus {
        orders::status_of(&self.0)
    }
    async fn marketplace_status(&self) -> Option<&str> {
        self.0.marketplace_status.as_deref()
    }
    async fn buyer(&self) -> Option<Party> {
        let o = &self.0;
        let p = Party {
            name: o.buyer_name.clone(),
            postal_code: o.buyer_postal_code.clone(),
            address: o.buyer_address.clone(),
            phone: o.buyer_phone.clone(),
        };
        (p.name.is_some() || p.address.is_some()).then_some(p)
    }
    async fn recipient(&self) -> Option<Party> {
        let o = &self.0;
        let p = Party {
            name: o.recipient_name.clone(),
            postal_code: o.recipient_postal_code.clone(),
            address: o.recipient_address.clone(),
            phone: o.recipient_phone.clone(),
        };
        (p.name.is_some() || p.address.is_some()).then_some(p)
    }
    /// お届け指定日時 as the marketplace states it.
    async fn requested_delivery(&self) -> Option<&str> {
        self.0.requested_delivery.as_deref()
    }
    #[graphql(complexity = "cost::list(cost::ORDER_ITEMS, child_complexity)")]
    async fn items(&self, ctx: &Context<'_>) -> Result<Vec<OrderItem>> {
        let rows = loaders(ctx)?.items().load_one(self.0.id).await.map_err(load_err)?;
        Ok(rows.unwrap_or_default().into_iter().map(OrderItem::from).collect())
    }
    /// Yen.
    async fn total_amount(&self) -> i32 {
        self.0.total_amount.clamp(i32::MIN as i64, i32::MAX as i64) as i32
    }
    async fn payment_method(&self) -> Option<&str> {
        self.0.payment_method.as_deref()
    }
    /// 特記事項 from the marketplace.
    async fn special_notes(&self) -> Option<&str> {
        self.0.special_notes.as_deref()
    }
    /// YYYY-MM-DD
    async fn ship_date(&self) -> Option<&str> {
        self.0.ship_date.as_deref()
    }
    async fn carrier(&self) -> Option<&str> {
        self.0.carrier.as_deref()
    }
    async fn delivery_method(&self) -> Option<&str> {
        self.0.delivery_method.as_deref()
    }
    async fn tracking_number(&self) -> Option<&str> {
        self.0.tracking_number.as_deref()
    }
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// Last successful export of shipping data to the marketplace.
    async fn last_exported_at(&self) -> Option<DateTime<FixedOffset>> {
        self.0.last_exported_at.map(jst)
    }
    /// Whether the next automatic shipping export sends this order, and if not, why.
    async fn shipment_export(&self, ctx: &Context<'_>) -> Result<ShipmentExportCheck> {
        let shop = load_shop(ctx, self.0.shop_id).await?;
        let check = orders::shipment_export_check(&self.0, &shop.0);
        Ok(ShipmentExportCheck { eligible: check.eligible, reasons: check.reasons })
    }
    /// Inquiries about this order that need a reply (返信が必要).
    async fn open_inquiry_count(&self, ctx: &Context<'_>) -> Result<i32> {
        let rows = loaders(ctx)?
            .inquiries_of_order()
            .load_one((self.0.shop_id, self.0.order_number.clone()))
            .await
            .map_err(load_err)?;
        let open = rows
            .unwrap_or_default()
            .iter()
            .filter(|i| shared::InquiryStatus::from(i.status) == shared::InquiryStatus::NeedsReply)
            .count();
        Ok(i32::try_from(open).unwrap_or(i32::MAX))
    }
    /// The order page's inquiry history, newest first.
    #[graphql(complexity = "cost::list(cost::ORDER_INQUIRIES, child_complexity)")]
    async fn inquiries(&self, ctx: &Context<'_>) -> Result<Vec<Inquiry>> {
        let rows = loaders(ctx)?
            .inquiries_of_order()
            .load_one((self.0.shop_id, self.0.order_number.clone()))
            .await
            .map_err(load_err)?;
        Ok(rows.unwrap_or_default().into_iter().map(Inquiry).collect())
    }
}

impl From<order::Model> for Order {
    fn from(m: order::Model) -> Self {
        Order(m)
    }
}

connection!(OrderConnection, OrderEdge, Order);
