//! The inbox: inquiries, their messages, replies, completion, and the needs-reply counts.
//!
//! Status is derived (SPEC §5): every write that can change it goes through
//! [`summary::summarise`], which stores the result of `shared::inquiry::status` for the inbox
//! index. One concern per file: the list and reads (`list`), the counts (`counts`, read from the
//! counters triggers keep), the list's total (`total`), the text search (`search`), the stored
//! summary (`summary`), replies (`reply`), failed replies (`failed_replies`), completion
//! (`completion`), attachment bytes (`files`), who is viewing (`presence`), what each reader has not read yet (`reads`), and the import's
//! upsert (`upsert`) of what a marketplace reports (the connectors' `model`).

mod completion;
mod counts;
mod failed_replies;
mod files;
mod listing;
mod presence;
mod reads;
mod reply;
mod search;
mod summary;
mod total;
mod upsert;

use shared::{DeliveryState, InquiryStatus, Marketplace, MessageAuthor};

use crate::store::entities::{inquiry, message};

pub use completion::{complete, reopen};
pub use connectors::{IncomingInquiry, IncomingMessage, RemoteFile};
pub use counts::{InboxCounts, Tally, counters, counts, needs_reply_count, recount};
pub use failed_replies::{RetryForUpdate, retry_message, withdraw_message};
pub use files::{AttachmentFile, CUSTOMER_FILE_MAX_BYTES, attachment_file, sniffed_type};
pub(crate) use files::{check_file_contents, store_file};
pub(crate) use listing::must_get;
pub use listing::{InquiryFilter, attachments_of, contains, get, list, messages_of, of_orders, of_scope};
pub use presence::announce_presence;
pub use reads::{Reader, mark_read, unread_of};
pub(crate) use reply::check_body;
pub use reply::{NewAttachment, ReplyForCreate, reply};
pub use search::SHORT_SEARCH_SCAN;
pub use summary::{announce_change, resummarise};
pub(crate) use summary::{commit_change, summarise};
pub use total::{COUNT_LIMIT, Total, total_count};
pub use upsert::{UpsertOutcome, upsert_inquiry, upsert_inquiry_in_run};

pub const PREVIEW_CHARS: usize = 60;

/// The status derived from the row (`shared::inquiry::status`), as the API shows it.
pub fn status_of(row: &inquiry::Model) -> InquiryStatus {
    shared::inquiry::status(row.completed, row.last_author.map(MessageAuthor::from), row.reply_failed)
}

pub fn marketplace_of(row: &inquiry::Model) -> Marketplace {
    row.marketplace.into()
}

/// The delivery state as the API shows it (`SENDING` is `PENDING`).
pub fn delivery_of(m: &message::Model) -> DeliveryState {
    m.delivery.into()
}

pub fn author_of(m: &message::Model) -> MessageAuthor {
    m.author.into()
}
