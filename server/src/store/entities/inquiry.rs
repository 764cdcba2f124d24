//! `inquiry` table.
use sea_orm::entity::prelude::*;
use shared::InquiryStatus;

pub use super::marketplace::Marketplace;
pub use super::message::Author;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inquiry")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub shop_id: i64,
    pub marketplace: Marketplace,
    pub marketplace_inquiry_id: String,
    pub order_number: Option<String>,
    pub customer_name: Option<String>,
    pub subject: Option<String>,
    pub created_at: DateTimeUtc,
    pub last_message_at: DateTimeUtc,
    pub last_author: Option<Author>,
    /// First line of the latest customer message, cut with "…".
    pub preview: String,
    pub completed: bool,
    pub completed_at: Option<DateTimeUtc>,
    pub completed_by: Option<String>,
    /// Denormalised copy for the inbox index, written only from `shared::inquiry::status`.
    pub status: Status,
    /// The shop's latest reply failed to send (送信失敗); written with `status` by `inbox::summarise`.
    pub reply_failed: bool,
    pub updated_at: DateTimeUtc,
    /// The staff member the inquiry is assigned to (担当者), of the same tenant.
    pub assignee_id: Option<i64>,
    /// Who assigned it (staff name or API token name), with when.
    pub assigned_by: Option<String>,
    pub assigned_at: Option<DateTimeUtc>,
    /// The first customer message not yet answered (open inquiries only); written with
    /// `status` by `inbox::summarise`.
    pub waiting_since: Option<DateTimeUtc>,
    /// What the inbox search looks in (`shared::search_text::inquiry_document`: customer name,
    /// subject, order number, marketplace id, every message), written by `inbox::summarise`;
    /// trigram-indexed (SQLite FTS5 `inquiry_fts`, PostgreSQL pg_trgm).
    pub search_text: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// 返信が必要 / 返信済み / 対応完了 (`shared::InquiryStatus`, stored by its code).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Status {
    #[sea_orm(string_value = "NEEDS_REPLY")]
    NeedsReply,
    #[sea_orm(string_value = "REPLIED")]
    Replied,
    #[sea_orm(string_value = "COMPLETED")]
    Completed,
}
same_variants!(Status, InquiryStatus, [NeedsReply, Replied, Completed]);
