//! What a connector reports: inquiries with their messages, and orders with their parties and
//! items, in Madoguchi's terms. The server records them (`inbox::upsert_inquiry`,
//! `orders::upsert_order`); the demo builds them too.

use chrono::{DateTime, Utc};
use shared::MessageAuthor;

/// An inquiry as a marketplace (or the demo) reports it.
#[derive(Clone, Debug)]
pub struct IncomingInquiry {
    pub marketplace_inquiry_id: String,
    pub order_number: Option<String>,
    /// Already as it may be shown (Yahoo!: the masked id).
    pub customer_name: Option<String>,
    pub subject: Option<String>,
    pub created_at: DateTime<Utc>,
    pub completed: bool,
    pub messages: Vec<IncomingMessage>,
}

#[derive(Clone, Debug)]
pub struct IncomingMessage {
    pub marketplace_message_id: String,
    pub author: MessageAuthor,
    pub staff_name: Option<String>,
    pub body: String,
    pub sent_at: DateTime<Utc>,
    /// Files on the message, still on the marketplace: recorded with the message, their bytes
    /// fetched by the import afterwards (`sync::fetch_customer_files`).
    pub files: Vec<RemoteFile>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteFile {
    pub name: String,
    /// The marketplace's reference (Rakuten: the attachment path).
    pub path: String,
}

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
