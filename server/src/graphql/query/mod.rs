//! The queries, one part per domain, merged into the one `QueryRoot` (the order of the parts
//! is the order of the fields in `schema.graphql`).

mod events;
mod inbox;
mod orders;
mod shops;
mod staff;
mod sync;
mod templates;
mod viewer;
mod webhooks;

use async_graphql::MergedObject;
use chrono::{DateTime, FixedOffset, Utc};

use crate::error::AppError;

pub use events::EventQuery;
pub use inbox::{InboxQuery, InquiryFilter};
pub use orders::{OrderFilter, OrderQuery};
pub use shops::ShopQuery;
pub use staff::StaffQuery;
pub use sync::SyncQuery;
pub use templates::TemplateQuery;
pub use viewer::ViewerQuery;
pub use webhooks::WebhookQuery;

#[derive(MergedObject, Default)]
pub struct QueryRoot(
    ViewerQuery,
    InboxQuery,
    OrderQuery,
    TemplateQuery,
    ShopQuery,
    SyncQuery,
    StaffQuery,
    EventQuery,
    WebhookQuery,
);

/// The longest search text (characters): a search scans every message of the tenant, so a
/// longer text only costs more.
pub const SEARCH_MAX: usize = 100;

/// The search text, refused with `VALIDATION` on `search` when longer than [`SEARCH_MAX`].
pub fn search_text(search: Option<String>) -> Result<Option<String>, AppError> {
    match search {
        Some(s) if s.chars().count() > SEARCH_MAX => Err(AppError::validation(
            "search",
            format!("検索語は{SEARCH_MAX}文字以内で入力してください (search must be at most {SEARCH_MAX} characters)"),
        )),
        s => Ok(s),
    }
}

pub fn utc(t: Option<DateTime<FixedOffset>>) -> Option<DateTime<Utc>> {
    t.map(|t| t.with_timezone(&Utc))
}
