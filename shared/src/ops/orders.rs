//! 受注: the list, one order, 受注登録, and editing one or many.

use super::ShopRef;
use super::{Id, IdVariables, IdVariablesFields, PageInfo, Timestamp, operation, schema};
use crate::{InquiryStatus, Marketplace, OrderStatus};

/// `OrderItem`.
#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
pub struct OrderItem {
    pub name: String,
    pub sku: Option<String>,
    pub unit_price: i32,
    pub quantity: i32,
}

/// `Party`: buyer (注文者) or recipient (送付先).
#[derive(cynic::QueryFragment, Debug, Clone, Default, PartialEq, Eq)]
pub struct Party {
    pub name: Option<String>,
    pub postal_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
}

/// `PartyInput`.
#[derive(cynic::InputObject, Debug, Clone, Default, PartialEq, Eq)]
pub struct PartyInput {
    pub name: Option<String>,
    pub postal_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
}

/// `Party { name }`.
#[derive(cynic::QueryFragment, Debug, Clone, Default, PartialEq, Eq)]
#[cynic(graphql_type = "Party")]
pub struct PartyName {
    pub name: Option<String>,
}

/// `OrderFilter`.
#[derive(cynic::InputObject, Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderFilter {
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderStatus>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub shop_id: Option<Id>,
    /// Orders of this marketplace's shops (モール).
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub marketplace: Option<Marketplace>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub search: Option<String>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub from: Option<Timestamp>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub to: Option<Timestamp>,
}

#[derive(cynic::QueryVariables, Debug, Clone, Default, PartialEq, Eq)]
pub struct OrdersVariables {
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub filter: Option<OrderFilter>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub first: Option<i32>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub last: Option<i32>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
}

super::paged!(OrdersVariables);

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "QueryRoot", variables = "OrdersVariables")]
pub struct OrdersData {
    #[arguments(filter: $filter, first: $first, after: $after, last: $last, before: $before)]
    pub orders: OrderConnection,
}

#[derive(cynic::QueryFragment, Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderConnection {
    pub nodes: Vec<OrderSummary>,
    pub page_info: PageInfo,
    pub total_count: i32,
}

/// One row of the order list.
#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "Order")]
pub struct OrderSummary {
    pub id: Id,
    pub order_number: String,
    pub ordered_at: Timestamp,
    pub status: OrderStatus,
    pub buyer: Option<PartyName>,
    pub recipient: Option<PartyName>,
    pub total_amount: i32,
    pub ship_date: Option<String>,
    pub tracking_number: Option<String>,
    pub shop: ShopRef,
    /// Inquiries about the order that need a reply (the list's 返信が必要 mark).
    pub open_inquiry_count: i32,
}

operation!(
    /// The order list.
    Orders: query OrdersData(OrdersVariables)
);

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "QueryRoot", variables = "IdVariables")]
pub struct OrderData {
    #[arguments(id: $id)]
    pub order: Option<OrderDetail>,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "Order")]
pub struct OrderDetail {
    pub id: Id,
    pub order_number: String,
    pub ordered_at: Timestamp,
    pub status: OrderStatus,
    pub marketplace_status: Option<String>,
    pub buyer: Option<Party>,
    pub recipient: Option<Party>,
    pub requested_delivery: Option<String>,
    pub items: Vec<OrderItem>,
    pub total_amount: i32,
    /// 支払方法 (an extension of API.md).
    pub payment_method: Option<String>,
    /// 特記事項: the buyer's notes from the marketplace (an extension of API.md).
    pub special_notes: Option<String>,
    pub ship_date: Option<String>,
    pub carrier: Option<String>,
    pub delivery_method: Option<String>,
    pub tracking_number: Option<String>,
    pub notes: Option<String>,
    pub shop: ShopRef,
    /// 最終書出日時: the last successful export of the shipping data.
    pub last_exported_at: Option<Timestamp>,
    /// Whether the next automatic shipping export sends the order, and if not, why.
    pub shipment_export: ShipmentExportCheck,
    /// Newest first.
    pub inquiries: Vec<OrderInquiry>,
}

/// `ShipmentExportCheck`: eligible, or the reasons (Japanese, one per rule that excludes it).
#[derive(cynic::QueryFragment, Debug, Clone, Default, PartialEq, Eq)]
pub struct ShipmentExportCheck {
    pub eligible: bool,
    pub reasons: Vec<String>,
}

/// One entry of the order page's inquiry history.
#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "Inquiry")]
pub struct OrderInquiry {
    pub id: Id,
    pub created_at: Timestamp,
    pub last_message_at: Timestamp,
    pub preview: String,
    pub status: InquiryStatus,
    /// The shop's latest reply failed to send (送信失敗).
    pub reply_failed: bool,
}

operation!(
    /// One order with its inquiry history (the order page).
    Order: query OrderData(IdVariables)
);

/// 受注登録: `OrderInput`.
#[derive(cynic::InputObject, Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderInput {
    pub shop_id: Id,
    pub order_number: String,
    pub ordered_at: Timestamp,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub buyer: Option<PartyInput>,
    pub recipient: PartyInput,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub requested_delivery: Option<String>,
    pub items: Vec<OrderItemInput>,
    /// 支払方法 (an extension of API.md).
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<String>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// One line of `OrderInput`.
#[derive(cynic::InputObject, Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderItemInput {
    pub name: String,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    pub unit_price: i32,
    pub quantity: i32,
}

#[derive(cynic::QueryVariables, Debug, Clone, PartialEq, Eq)]
pub struct CreateOrderVariables {
    pub input: OrderInput,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "MutationRoot", variables = "CreateOrderVariables")]
pub struct CreateOrderData {
    #[arguments(input: $input)]
    pub create_order: OrderDetail,
}

operation!(
    /// Registers an order by hand (受注登録).
    CreateOrder: mutation CreateOrderData(CreateOrderVariables)
);

/// `OrderUpdateInput`: only the fields that are set are sent.
#[derive(cynic::InputObject, Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderUpdateInput {
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderStatus>,
    /// YYYY-MM-DD.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub ship_date: Option<String>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub carrier: Option<String>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub delivery_method: Option<String>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub tracking_number: Option<String>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

#[derive(cynic::QueryVariables, Debug, Clone, PartialEq, Eq)]
pub struct UpdateOrderVariables {
    pub id: Id,
    pub input: OrderUpdateInput,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "MutationRoot", variables = "UpdateOrderVariables")]
pub struct UpdateOrderData {
    #[arguments(id: $id, input: $input)]
    pub update_order: OrderDetail,
}

operation!(
    /// Edits an order's shipping data, status or notes.
    UpdateOrder: mutation UpdateOrderData(UpdateOrderVariables)
);

#[derive(cynic::QueryVariables, Debug, Clone, PartialEq, Eq)]
pub struct UpdateOrdersVariables {
    pub ids: Vec<Id>,
    pub input: OrderUpdateInput,
}

/// An order's id only.
#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "Order")]
pub struct ChangedOrder {
    pub id: Id,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "MutationRoot", variables = "UpdateOrdersVariables")]
pub struct UpdateOrdersData {
    #[arguments(ids: $ids, input: $input)]
    pub update_orders: Vec<ChangedOrder>,
}

operation!(
    /// 一括変更: the same edit on the selected orders (all or none).
    UpdateOrders: mutation UpdateOrdersData(UpdateOrdersVariables)
);
