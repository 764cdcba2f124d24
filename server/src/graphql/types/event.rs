//! The event log as third parties page it (`events`).

use async_graphql::{Enum, ID, Object};
use chrono::{DateTime, FixedOffset};

use crate::event_log;

use super::*;

/// What happened; the same names as the webhook event types.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    /// A new inquiry, or a new customer message on one.
    InquiryReceived,
    /// Any other change to an inquiry: a reply stored, delivered or failed, completion,
    /// reopening, assignment, a note.
    InquiryUpdated,
    OrderCreated,
    OrderUpdated,
    /// An import or export run ended.
    SyncRunFinished,
    /// A shop needs staff to act: its licence key runs out within 14 days (`data.reason`
    /// `LICENCE_KEY_EXPIRING`, `data.expiresAt`). Logged once per saved key.
    ShopNeedsAttention,
}

impl From<event_log::EventType> for EventType {
    fn from(t: event_log::EventType) -> Self {
        match t {
            event_log::EventType::InquiryReceived => EventType::InquiryReceived,
            event_log::EventType::InquiryUpdated => EventType::InquiryUpdated,
            event_log::EventType::OrderCreated => EventType::OrderCreated,
            event_log::EventType::OrderUpdated => EventType::OrderUpdated,
            event_log::EventType::SyncRunFinished => EventType::SyncRunFinished,
            event_log::EventType::ShopNeedsAttention => EventType::ShopNeedsAttention,
        }
    }
}

/// One change, as logged when it was made.
pub struct LoggedEvent(pub event_log::Model);

#[Object(name = "Event")]
impl LoggedEvent {
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    /// The tenant's sequence: 1, 2, 3, … in the order the changes were committed, with no gaps.
    async fn sequence(&self) -> i64 {
        self.0.sequence
    }
    #[graphql(name = "type")]
    async fn event_type(&self) -> EventType {
        self.0.event_type.into()
    }
    async fn occurred_at(&self) -> DateTime<FixedOffset> {
        jst(self.0.occurred_at)
    }
    /// A small snapshot of the inquiry, order or sync run when the change was made (ids as
    /// this API shows them).
    async fn data(&self) -> serde_json::Value {
        serde_json::from_str(&self.0.data).unwrap_or(serde_json::Value::Null)
    }
}

impl From<event_log::Model> for LoggedEvent {
    fn from(m: event_log::Model) -> Self {
        LoggedEvent(m)
    }
}

connection!(EventConnection, EventEdge, LoggedEvent);
