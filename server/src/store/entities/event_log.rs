//! `event_log` table: one row per inbox or order change and per finished sync run, with the
//! tenant's gap-free `sequence` (see `event_log.rs`).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "event_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    /// 1, 2, 3, … per tenant, in commit order, without gaps.
    pub sequence: i64,
    pub event_type: EventType,
    pub shop_id: Option<i64>,
    /// The inquiry, order or sync run the event is about.
    pub subject_id: i64,
    pub occurred_at: DateTimeUtc,
    /// JSON: a small, stable snapshot of the subject for third parties.
    pub data: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// What happened (the webhook event types of the API: `WebhookEvent`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum EventType {
    /// A new inquiry, or a new customer message on one.
    #[sea_orm(string_value = "INQUIRY_RECEIVED")]
    InquiryReceived,
    /// Any other change to an inquiry: a reply stored, delivered or failed, completion,
    /// reopening, assignment, a note.
    #[sea_orm(string_value = "INQUIRY_UPDATED")]
    InquiryUpdated,
    #[sea_orm(string_value = "ORDER_CREATED")]
    OrderCreated,
    #[sea_orm(string_value = "ORDER_UPDATED")]
    OrderUpdated,
    /// An import or export run ended (SUCCEEDED or FAILED).
    #[sea_orm(string_value = "SYNC_RUN_FINISHED")]
    SyncRunFinished,
    /// A shop needs staff to act (its licence key runs out within 14 days).
    #[sea_orm(string_value = "SHOP_NEEDS_ATTENTION")]
    ShopNeedsAttention,
}

impl EventType {
    pub const ALL: [EventType; 6] = [
        EventType::InquiryReceived,
        EventType::InquiryUpdated,
        EventType::OrderCreated,
        EventType::OrderUpdated,
        EventType::SyncRunFinished,
        EventType::ShopNeedsAttention,
    ];

    /// The stored (and API) name, e.g. `INQUIRY_RECEIVED`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::InquiryReceived => "INQUIRY_RECEIVED",
            EventType::InquiryUpdated => "INQUIRY_UPDATED",
            EventType::OrderCreated => "ORDER_CREATED",
            EventType::OrderUpdated => "ORDER_UPDATED",
            EventType::SyncRunFinished => "SYNC_RUN_FINISHED",
            EventType::ShopNeedsAttention => "SHOP_NEEDS_ATTENTION",
        }
    }

    /// The type of a stored or API name; `None` for anything else.
    pub fn parse(s: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Events about an inquiry.
    pub fn is_inquiry(self) -> bool {
        matches!(self, EventType::InquiryReceived | EventType::InquiryUpdated)
    }
}

impl std::fmt::Display for EventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
