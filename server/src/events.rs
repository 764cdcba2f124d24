//! The event bus: every write publishes a small event after it commits; subscribers filter by
//! tenant (and shop), then read what they need through their own scope.
//!
//! In-process it is a `tokio::sync::broadcast` channel owned by the app state (not a global, so
//! parallel tests never see each other's events).

use tokio::sync::broadcast;

use shared::PresenceState;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// A new inquiry, or a new customer message on one.
    InquiryReceived {
        inquiry_id: i64,
    },
    /// Any change to an inquiry: status, reply stored or delivered, completion.
    InquiryUpdated {
        inquiry_id: i64,
    },
    /// The needs-reply counts may have changed.
    InboxCountsChanged,
    SyncRunUpdated {
        run_id: i64,
    },
    /// An order was registered, imported or edited.
    OrderChanged {
        order_id: i64,
    },
    Presence {
        inquiry_id: i64,
        staff_name: String,
        state: PresenceState,
        at: chrono::DateTime<chrono::Utc>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub tenant_id: i64,
    pub shop_id: Option<i64>,
    pub kind: EventKind,
}

#[derive(Clone)]
pub struct EventBus {
    tx: broadcast::Sender<Event>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new()
    }
}

impl EventBus {
    pub fn new() -> Self {
        let (tx, _) = broadcast::channel(1024);
        EventBus { tx }
    }

    pub fn publish(&self, event: Event) {
        // No subscriber is not an error.
        let _ = self.tx.send(event);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.tx.subscribe()
    }
}
