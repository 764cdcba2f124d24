//! An inquiry as a marketplace reports it.

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
