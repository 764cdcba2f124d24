//! An order as a marketplace reports it, and the parts an order is saved with.

use chrono::{DateTime, Utc};

#[derive(Clone, Debug, Default)]
pub struct PartyForSave {
    pub name: Option<String>,
    pub postal_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
}

#[derive(Clone, Debug)]
pub struct ItemForSave {
    pub name: String,
    pub sku: Option<String>,
    pub unit_price: i64,
    pub quantity: i32,
}

/// An order as a marketplace reports it (import).
#[derive(Clone, Debug)]
pub struct IncomingOrder {
    pub order_number: String,
    pub ordered_at: DateTime<Utc>,
    /// The marketplace's own status text; mapped by `shared::order_status`.
    pub marketplace_status: String,
    pub buyer: PartyForSave,
    pub recipient: PartyForSave,
    pub requested_delivery: Option<String>,
    pub items: Vec<ItemForSave>,
    pub total_amount: i64,
    pub payment_method: Option<String>,
    pub special_notes: Option<String>,
    /// Shipping data the marketplace already has; it fills empty local values, never clears them.
    pub ship_date: Option<String>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub delivery_method: Option<String>,
}
