//! The inbox: who is signed in, the counts, the list, one inquiry and what staff do with it.

use super::{Id, IdVariables, IdVariablesFields, NoVariables, PageInfo, Timestamp, operation, schema};
use crate::{DeliveryState, InquirySort, InquiryStatus, Marketplace, MessageAuthor, PresenceState, Role};

// ---------------------------------------------------------------------------------------------
// Pieces several operations share
// ---------------------------------------------------------------------------------------------

/// A shop as lists show it: `shop { id name marketplace }`.
#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "Shop")]
pub struct ShopRef {
    pub id: Id,
    pub name: String,
    pub marketplace: Marketplace,
}

/// `ShopProfile`: the four merge-field values of a shop, read into
/// [`crate::template::ShopProfile`] (what template rendering takes) with `into()`.
#[derive(cynic::QueryFragment, Debug, Clone, Default, PartialEq, Eq)]
#[cynic(graphql_type = "ShopProfile")]
pub struct ShopProfileFields {
    pub mall_shop_name: String,
    pub staff_name: String,
    pub phone: String,
    pub email: String,
}

impl From<ShopProfileFields> for crate::template::ShopProfile {
    fn from(p: ShopProfileFields) -> Self {
        crate::template::ShopProfile {
            mall_shop_name: p.mall_shop_name,
            staff_name: p.staff_name,
            phone: p.phone,
            email: p.email,
        }
    }
}

/// A shop with its profile: `shop { id name marketplace profile { … } }`.
#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "Shop")]
pub struct ShopWithProfile {
    pub id: Id,
    pub name: String,
    pub marketplace: Marketplace,
    pub profile: ShopProfileFields,
}

/// `Attachment`.
#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub id: Id,
    pub file_name: String,
    pub content_type: String,
    pub size: i32,
    pub url: String,
}

/// `Message`, with everything the thread shows.
#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: Id,
    pub author: MessageAuthor,
    pub staff_name: Option<String>,
    pub body: String,
    pub sent_at: Timestamp,
    pub delivery: DeliveryState,
    pub delivery_error: Option<String>,
    pub attachments: Vec<Attachment>,
}

/// An inquiry's status after a change: `{ id status completedAt lastMessageAt }`.
#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "Inquiry")]
pub struct InquiryState {
    pub id: Id,
    pub status: InquiryStatus,
    pub completed_at: Option<Timestamp>,
    pub last_message_at: Timestamp,
}

/// A staff member as the inbox names them (担当者, a note's author).
#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "StaffMember")]
pub struct StaffRef {
    pub id: Id,
    pub name: String,
}

/// 社内メモ: internal, never sent to the customer.
#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
pub struct InquiryNote {
    pub id: Id,
    pub body: String,
    /// The staff member's name, or the API token's name.
    pub author: String,
    pub created_at: Timestamp,
}

// ---------------------------------------------------------------------------------------------
// Viewer
// ---------------------------------------------------------------------------------------------

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "QueryRoot")]
pub struct ViewerData {
    pub viewer: ViewerInfo,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "Viewer")]
pub struct ViewerInfo {
    pub id: Id,
    pub name: String,
    pub email: Option<String>,
    pub role: Role,
    pub tenant_name: String,
    /// Whether the tenant has the API option (inquiry management and auto-export need it).
    pub api_option: bool,
}

operation!(
    /// Who is signed in (an extension of API.md: `Query.viewer`).
    Viewer: query ViewerData(NoVariables)
);

// ---------------------------------------------------------------------------------------------
// Counts
// ---------------------------------------------------------------------------------------------

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "QueryRoot")]
pub struct InboxCountsData {
    pub inbox_counts: InboxCountsInfo,
}

#[derive(cynic::QueryFragment, Debug, Clone, Default, PartialEq, Eq)]
#[cynic(graphql_type = "InboxCounts")]
pub struct InboxCountsInfo {
    pub needs_reply: i32,
    /// Open inquiries whose latest reply failed to send (counted in `needs_reply` too).
    pub failed_deliveries: i32,
    pub by_shop: Vec<ShopCount>,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
pub struct ShopCount {
    pub shop: ShopRef,
    pub needs_reply: i32,
}

operation!(
    /// The 返信が必要 counts, in total and per shop.
    InboxCounts: query InboxCountsData(NoVariables)
);

// ---------------------------------------------------------------------------------------------
// The list
// ---------------------------------------------------------------------------------------------

/// `InquiryFilter`.
#[derive(cynic::InputObject, Debug, Clone, Default, PartialEq, Eq)]
pub struct InquiryFilter {
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub status: Option<InquiryStatus>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub shop_id: Option<Id>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub marketplace: Option<Marketplace>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub search: Option<String>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub from: Option<Timestamp>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub to: Option<Timestamp>,
    /// 「自分の担当」: the viewer's own id.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub assignee_id: Option<Id>,
    /// 未割り当て only.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub unassigned: Option<bool>,
    /// 未読 only (true) or read only (false), for the viewer.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub unread: Option<bool>,
}

#[derive(cynic::QueryVariables, Debug, Clone, Default, PartialEq, Eq)]
pub struct InquiriesVariables {
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub filter: Option<InquiryFilter>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub first: Option<i32>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub last: Option<i32>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// `None`: newest activity first.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub sort: Option<InquirySort>,
    /// The search text, for each row's `excerpt` (the matching message).
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub excerpt_of: Option<String>,
}

super::paged!(InquiriesVariables);

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "QueryRoot", variables = "InquiriesVariables")]
pub struct InquiriesData {
    #[arguments(filter: $filter, first: $first, after: $after, last: $last, before: $before, sort: $sort)]
    pub inquiries: InquiryConnection,
}

#[derive(cynic::QueryFragment, Debug, Clone, Default, PartialEq, Eq)]
#[cynic(variables = "InquiriesVariables")]
pub struct InquiryConnection {
    pub nodes: Vec<InquirySummary>,
    pub page_info: PageInfo,
    pub total_count: i32,
}

/// One row of the inbox.
#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "Inquiry", variables = "InquiriesVariables")]
pub struct InquirySummary {
    pub id: Id,
    pub marketplace_inquiry_id: String,
    pub order_number: Option<String>,
    /// The masked id on Yahoo!.
    pub customer_name: Option<String>,
    pub subject: Option<String>,
    pub status: InquiryStatus,
    pub created_at: Timestamp,
    pub last_message_at: Timestamp,
    /// First line of the latest customer message, cut with "…" (an extension of API.md).
    pub preview: String,
    /// The shop's latest reply failed to send (送信失敗).
    pub reply_failed: bool,
    pub shop: ShopRef,
    /// Since when the customer has waited (「○時間待ち」); none when nobody waits.
    pub waiting_since: Option<Timestamp>,
    /// 担当者.
    pub assignee: Option<StaffRef>,
    /// 未読 for the viewer: a customer wrote since they last opened it.
    pub unread: bool,
    /// When searched: the text around the match in the newest message that has it.
    #[arguments(matching: $excerpt_of)]
    pub excerpt: Option<String>,
}

operation!(
    /// The inbox list.
    Inquiries: query InquiriesData(InquiriesVariables)
);

// ---------------------------------------------------------------------------------------------
// One inquiry
// ---------------------------------------------------------------------------------------------

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "QueryRoot", variables = "IdVariables")]
pub struct InquiryData {
    #[arguments(id: $id)]
    pub inquiry: Option<InquiryDetail>,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "Inquiry")]
pub struct InquiryDetail {
    pub id: Id,
    pub marketplace_inquiry_id: String,
    pub order_number: Option<String>,
    pub customer_name: Option<String>,
    pub subject: Option<String>,
    pub status: InquiryStatus,
    pub created_at: Timestamp,
    pub last_message_at: Timestamp,
    pub completed_at: Option<Timestamp>,
    /// The shop's latest reply failed to send (送信失敗).
    pub reply_failed: bool,
    pub shop: ShopWithProfile,
    pub order: Option<InquiryOrder>,
    /// Oldest first.
    pub messages: Vec<Message>,
    /// 担当者.
    pub assignee: Option<StaffRef>,
    /// Who last assigned or unassigned it.
    pub assigned_by: Option<String>,
    pub waiting_since: Option<Timestamp>,
    /// 社内メモ, oldest first.
    pub notes: Vec<InquiryNote>,
}

/// The order panel beside the thread.
#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "Order")]
pub struct InquiryOrder {
    pub id: Id,
    pub order_number: String,
    pub ordered_at: Timestamp,
    pub requested_delivery: Option<String>,
    pub items: Vec<super::OrderItem>,
}

operation!(
    /// One inquiry with its thread, its order and its shop's profile.
    Inquiry: query InquiryData(IdVariables)
);

// ---------------------------------------------------------------------------------------------
// What staff do with an inquiry
// ---------------------------------------------------------------------------------------------

#[derive(cynic::QueryVariables, Debug, Clone, PartialEq, Eq)]
pub struct AssignInquiryVariables {
    pub id: Id,
    pub staff_id: Option<Id>,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "MutationRoot", variables = "AssignInquiryVariables")]
pub struct AssignInquiryData {
    #[arguments(id: $id, staffId: $staff_id)]
    pub assign_inquiry: AssignedInquiry,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "Inquiry")]
pub struct AssignedInquiry {
    pub id: Id,
    pub assignee: Option<StaffRef>,
    pub assigned_by: Option<String>,
}

operation!(
    /// 担当者を設定する / 外す (`staff_id` none).
    AssignInquiry: mutation AssignInquiryData(AssignInquiryVariables)
);

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "MutationRoot", variables = "IdVariables")]
pub struct MarkInquiryReadData {
    #[arguments(id: $id)]
    pub mark_inquiry_read: ReadInquiry,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "Inquiry")]
pub struct ReadInquiry {
    pub id: Id,
    pub unread: bool,
}

operation!(
    /// 既読にする: the inquiry page shows the thread (and again when a customer writes while it is open).
    MarkInquiryRead: mutation MarkInquiryReadData(IdVariables)
);

#[derive(cynic::QueryVariables, Debug, Clone, PartialEq, Eq)]
pub struct AddInquiryNoteVariables {
    pub inquiry_id: Id,
    pub body: String,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "MutationRoot", variables = "AddInquiryNoteVariables")]
pub struct AddInquiryNoteData {
    #[arguments(inquiryId: $inquiry_id, body: $body)]
    pub add_inquiry_note: InquiryNote,
}

operation!(
    /// 社内メモを追加する.
    AddInquiryNote: mutation AddInquiryNoteData(AddInquiryNoteVariables)
);

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "QueryRoot")]
pub struct AssignableStaffData {
    pub assignable_staff: Vec<StaffRef>,
}

operation!(
    /// Who an inquiry can be assigned to (every role may read it).
    AssignableStaff: query AssignableStaffData(NoVariables)
);

/// `ReplyInput` without attachments (those go as a multipart request).
#[derive(cynic::InputObject, Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplyInput {
    pub inquiry_id: Id,
    pub body: String,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub template_id: Option<Id>,
    /// The last message the writer saw; the server answers `CONFLICT` if a newer one exists.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub last_seen_message_id: Option<Id>,
}

#[derive(cynic::QueryVariables, Debug, Clone, PartialEq, Eq)]
pub struct ReplyVariables {
    pub input: ReplyInput,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "MutationRoot", variables = "ReplyVariables")]
pub struct ReplyToInquiryData {
    #[arguments(input: $input)]
    pub reply_to_inquiry: Message,
}

operation!(
    /// Sends a reply (stored first, then delivered).
    ReplyToInquiry: mutation ReplyToInquiryData(ReplyVariables)
);

/// 再送する, optionally with a corrected text or without the attachments.
#[derive(cynic::QueryVariables, Debug, Clone, Default, PartialEq, Eq)]
pub struct RetryMessageVariables {
    pub id: Id,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    pub drop_attachments: bool,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "MutationRoot", variables = "RetryMessageVariables")]
pub struct RetryMessageData {
    #[arguments(id: $id, body: $body, dropAttachments: $drop_attachments)]
    pub retry_message: Message,
}

operation!(
    /// Retries a reply whose delivery failed.
    RetryMessage: mutation RetryMessageData(RetryMessageVariables)
);

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "MutationRoot", variables = "IdVariables")]
pub struct WithdrawMessageData {
    #[arguments(id: $id)]
    pub withdraw_message: InquiryState,
}

operation!(
    /// 取り下げる: removes a reply that failed to send.
    WithdrawMessage: mutation WithdrawMessageData(IdVariables)
);

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "MutationRoot", variables = "IdVariables")]
pub struct CompleteInquiryData {
    #[arguments(id: $id)]
    pub complete_inquiry: InquiryState,
}

operation!(
    /// 完了する.
    CompleteInquiry: mutation CompleteInquiryData(IdVariables)
);

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "MutationRoot", variables = "IdVariables")]
pub struct ReopenInquiryData {
    #[arguments(id: $id)]
    pub reopen_inquiry: InquiryState,
}

operation!(
    /// Back to 返信が必要/返信済み (refused with `CONFLICT` where the marketplace forbids it).
    ReopenInquiry: mutation ReopenInquiryData(IdVariables)
);

#[derive(cynic::QueryVariables, Debug, Clone, PartialEq, Eq)]
pub struct SetPresenceVariables {
    pub inquiry_id: Id,
    pub state: PresenceState,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "MutationRoot", variables = "SetPresenceVariables")]
pub struct SetPresenceData {
    #[arguments(inquiryId: $inquiry_id, state: $state)]
    pub set_presence: bool,
}

operation!(
    /// Tells the others that this staff member is viewing, typing on, or has left an inquiry.
    SetPresence: mutation SetPresenceData(SetPresenceVariables)
);
