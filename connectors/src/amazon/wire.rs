//! Amazon SP-API wire types (Orders v0 and the LWA token), named as Amazon names them
//! (MARKETPLACES.md §7). Money amounts are decimal strings.

use serde::Deserialize;

#[derive(Deserialize, Debug, Default)]
#[serde(default)]
pub struct TokenResponse {
    pub access_token: String,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default)]
pub struct OrdersResponse {
    pub payload: OrdersPayload,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "PascalCase", default)]
pub struct OrdersPayload {
    pub orders: Vec<Order>,
    pub next_token: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "PascalCase", default)]
pub struct Order {
    pub amazon_order_id: String,
    /// ISO 8601, UTC.
    pub purchase_date: String,
    pub order_status: String,
    pub order_total: Option<Money>,
    pub payment_method: Option<String>,
    pub shipping_address: Option<Address>,
}

#[derive(Deserialize, Debug, Default, Clone)]
#[serde(rename_all = "PascalCase", default)]
pub struct Money {
    pub currency_code: String,
    pub amount: String,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "PascalCase", default)]
pub struct Address {
    pub name: Option<String>,
    pub state_or_region: Option<String>,
    pub city: Option<String>,
    pub address_line1: Option<String>,
    pub postal_code: Option<String>,
    pub phone: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default)]
pub struct OrderItemsResponse {
    pub payload: OrderItemsPayload,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "PascalCase", default)]
pub struct OrderItemsPayload {
    pub order_items: Vec<OrderItem>,
    pub next_token: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "PascalCase", default)]
pub struct OrderItem {
    pub title: Option<String>,
    #[serde(rename = "SellerSKU")]
    pub seller_sku: Option<String>,
    pub quantity_ordered: i32,
    /// The line total (unit price × quantity).
    pub item_price: Option<Money>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default)]
pub struct Errors {
    pub errors: Vec<ApiError>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default)]
pub struct ApiError {
    pub code: String,
    pub message: String,
    pub details: Option<String>,
}
