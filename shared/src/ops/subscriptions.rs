//! Subscriptions (graphql-transport-ws). Events are small; the client re-queries what it shows.

use super::{ChangedOrder, Id, InboxCountsInfo, NoVariables, SyncRun, Timestamp, operation, schema};
use crate::{InquiryStatus, PresenceState};

/// The small event both inquiry subscriptions deliver.
#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "Inquiry")]
pub struct InquiryEvent {
    pub id: Id,
    pub status: InquiryStatus,
    pub last_message_at: Timestamp,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "SubscriptionRoot")]
pub struct InquiryReceivedData {
    pub inquiry_received: InquiryEvent,
}

operation!(
    /// A new inquiry, or a new customer message on one.
    InquiryReceivedSub as "InquiryReceived" => subscription InquiryReceivedData(NoVariables)
);

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "SubscriptionRoot")]
pub struct InquiryUpdatedData {
    pub inquiry_updated: InquiryEvent,
}

operation!(
    /// Any change on an inquiry: status, reply delivered, completed.
    InquiryUpdatedSub as "InquiryUpdated" => subscription InquiryUpdatedData(NoVariables)
);

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "SubscriptionRoot")]
pub struct InboxCountsChangedData {
    pub inbox_counts_changed: InboxCountsInfo,
}

operation!(
    /// The 返信が必要 counts changed.
    InboxCountsChangedSub as "InboxCountsChanged" => subscription InboxCountsChangedData(NoVariables)
);

/// `Presence`.
#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
pub struct Presence {
    pub inquiry_id: Id,
    pub staff_name: String,
    pub state: PresenceState,
    pub at: Timestamp,
}

#[derive(cynic::QueryVariables, Debug, Clone, PartialEq, Eq)]
pub struct PresenceChangedVariables {
    pub inquiry_id: Id,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "SubscriptionRoot", variables = "PresenceChangedVariables")]
pub struct PresenceChangedData {
    #[arguments(inquiryId: $inquiry_id)]
    pub presence_changed: Presence,
}

operation!(
    /// Who else is viewing or typing on one inquiry.
    PresenceChangedSub as "PresenceChanged" => subscription PresenceChangedData(PresenceChangedVariables)
);

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "SubscriptionRoot")]
pub struct InboxPresenceData {
    pub presence_changed: Presence,
}

operation!(
    /// Who is viewing or typing on any inquiry of the tenant (the inbox rows).
    InboxPresenceSub as "InboxPresence" => subscription InboxPresenceData(NoVariables)
);

#[derive(cynic::QueryVariables, Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncRunUpdatedVariables {
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub shop_id: Option<Id>,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "SubscriptionRoot", variables = "SyncRunUpdatedVariables")]
pub struct SyncRunUpdatedData {
    #[arguments(shopId: $shop_id)]
    pub sync_run_updated: SyncRun,
}

operation!(
    /// Progress of runs (of one shop, or all).
    SyncRunUpdatedSub as "SyncRunUpdated" => subscription SyncRunUpdatedData(SyncRunUpdatedVariables)
);

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "SubscriptionRoot")]
pub struct OrderChangedData {
    pub order_changed: ChangedOrder,
}

operation!(
    /// An order created or changed (by hand, by an import, by a colleague): its id only, for a
    /// list to read itself again.
    OrderChangedSub as "OrderChanged" => subscription OrderChangedData(NoVariables)
);
