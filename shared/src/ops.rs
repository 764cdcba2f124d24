//! The GraphQL operations the browser app sends, typed.
//!
//! Each operation is a unit struct implementing [`Operation`]: its document (the query text), its
//! variables and the shape of its `data`. The SPA sends exactly these documents, and a server
//! test executes every one of them (see [`ALL`]) against the real schema and deserialises the
//! answer into the `…Data` type, so a renamed field breaks `cargo test`, not the browser.
//!
//! Names follow API.md: camelCase fields, SCREAMING_CASE enums (the shared enums), timestamps as
//! RFC 3339 strings with offset (read as `DateTime<FixedOffset>`), IDs as opaque strings.
//! Nothing here depends on wasm or on the server: both sides compile this module.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::{
    DeliveryState, InquirySort, InquiryStatus, Marketplace, MessageAuthor, OrderStatus, PresenceState, Role, SyncKind,
    SyncState, WebhookDeliveryResult, WebhookEvent,
};

/// A GraphQL timestamp (`DateTime` scalar): RFC 3339 with offset.
pub type Timestamp = DateTime<FixedOffset>;

/// One GraphQL operation: its document and its typed variables and data.
pub trait Operation {
    /// The operation name inside [`Self::DOCUMENT`] (sent as `operationName`).
    const NAME: &'static str;
    /// The GraphQL document.
    const DOCUMENT: &'static str;
    type Variables: Serialize;
    type Data: DeserializeOwned;
}

/// The JSON body of a GraphQL request (POST, or the payload of a WebSocket `subscribe`).
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct Request<V> {
    pub query: String,
    #[serde(rename = "operationName")]
    pub operation_name: String,
    pub variables: V,
}

/// The JSON body of a GraphQL response.
#[derive(Deserialize, Debug, Clone)]
pub struct Response<D> {
    pub data: Option<D>,
    #[serde(default)]
    pub errors: Vec<GraphqlError>,
}

#[derive(Deserialize, Debug, Clone)]
pub struct GraphqlError {
    pub message: String,
    #[serde(default)]
    pub extensions: Option<ErrorExtensions>,
}

impl GraphqlError {
    /// The machine-readable code (`extensions.code`), if any.
    pub fn code(&self) -> Option<&str> {
        self.extensions.as_ref()?.code.as_deref()
    }

    /// The input field a `VALIDATION` error is about (`extensions.field`), if any.
    pub fn field(&self) -> Option<&str> {
        self.extensions.as_ref()?.field.as_deref()
    }
}

#[derive(Deserialize, Debug, Clone, Default)]
pub struct ErrorExtensions {
    pub code: Option<String>,
    pub field: Option<String>,
}

/// The request body for `O` with these variables.
pub fn request<O: Operation>(vars: O::Variables) -> Request<O::Variables> {
    Request { query: O::DOCUMENT.to_owned(), operation_name: O::NAME.to_owned(), variables: vars }
}

/// Every operation as (name, document), for the server test that executes them all.
pub const ALL: &[(&str, &str)] = &[
    (Viewer::NAME, Viewer::DOCUMENT),
    (InboxCounts::NAME, InboxCounts::DOCUMENT),
    (Inquiries::NAME, Inquiries::DOCUMENT),
    (Inquiry::NAME, Inquiry::DOCUMENT),
    (ReplyToInquiry::NAME, ReplyToInquiry::DOCUMENT),
    (RetryMessage::NAME, RetryMessage::DOCUMENT),
    (WithdrawMessage::NAME, WithdrawMessage::DOCUMENT),
    (CompleteInquiry::NAME, CompleteInquiry::DOCUMENT),
    (ReopenInquiry::NAME, ReopenInquiry::DOCUMENT),
    (SetPresence::NAME, SetPresence::DOCUMENT),
    (Templates::NAME, Templates::DOCUMENT),
    (TemplateCategories::NAME, TemplateCategories::DOCUMENT),
    (CreateTemplate::NAME, CreateTemplate::DOCUMENT),
    (UpdateTemplate::NAME, UpdateTemplate::DOCUMENT),
    (DeleteTemplate::NAME, DeleteTemplate::DOCUMENT),
    (Shops::NAME, Shops::DOCUMENT),
    (Orders::NAME, Orders::DOCUMENT),
    (Order::NAME, Order::DOCUMENT),
    (UpdateOrder::NAME, UpdateOrder::DOCUMENT),
    (CreateOrder::NAME, CreateOrder::DOCUMENT),
    (InquiryReceivedSub::NAME, InquiryReceivedSub::DOCUMENT),
    (InquiryUpdatedSub::NAME, InquiryUpdatedSub::DOCUMENT),
    (InboxCountsChangedSub::NAME, InboxCountsChangedSub::DOCUMENT),
    (PresenceChangedSub::NAME, PresenceChangedSub::DOCUMENT),
    (ShopSettingsList::NAME, ShopSettingsList::DOCUMENT),
    (CreateShop::NAME, CreateShop::DOCUMENT),
    (UpdateShop::NAME, UpdateShop::DOCUMENT),
    (SyncRuns::NAME, SyncRuns::DOCUMENT),
    (SyncRunItems::NAME, SyncRunItems::DOCUMENT),
    (ImportOrders::NAME, ImportOrders::DOCUMENT),
    (ImportInquiries::NAME, ImportInquiries::DOCUMENT),
    (ExportShipments::NAME, ExportShipments::DOCUMENT),
    (RegisterEvaluations::NAME, RegisterEvaluations::DOCUMENT),
    (SyncRunUpdatedSub::NAME, SyncRunUpdatedSub::DOCUMENT),
    (OrderChangedSub::NAME, OrderChangedSub::DOCUMENT),
    (UpdateOrders::NAME, UpdateOrders::DOCUMENT),
    (TestShopConnection::NAME, TestShopConnection::DOCUMENT),
    (ApiTokens::NAME, ApiTokens::DOCUMENT),
    (CreateApiToken::NAME, CreateApiToken::DOCUMENT),
    (RevokeApiToken::NAME, RevokeApiToken::DOCUMENT),
    (StaffMembers::NAME, StaffMembers::DOCUMENT),
    (CreateStaff::NAME, CreateStaff::DOCUMENT),
    (UpdateStaff::NAME, UpdateStaff::DOCUMENT),
    (DisableStaff::NAME, DisableStaff::DOCUMENT),
    (EnableStaff::NAME, EnableStaff::DOCUMENT),
    (ShopCsvMapping::NAME, ShopCsvMapping::DOCUMENT),
    (UpdateShopCsvMapping::NAME, UpdateShopCsvMapping::DOCUMENT),
    (ImportOrdersCsv::NAME, ImportOrdersCsv::DOCUMENT),
    (ExportOrdersCsv::NAME, ExportOrdersCsv::DOCUMENT),
    (AssignInquiry::NAME, AssignInquiry::DOCUMENT),
    (AddInquiryNote::NAME, AddInquiryNote::DOCUMENT),
    (AssignableStaff::NAME, AssignableStaff::DOCUMENT),
    (MarkInquiryRead::NAME, MarkInquiryRead::DOCUMENT),
    (InboxPresenceSub::NAME, InboxPresenceSub::DOCUMENT),
    (Webhooks::NAME, Webhooks::DOCUMENT),
    (CreateWebhook::NAME, CreateWebhook::DOCUMENT),
    (DeleteWebhook::NAME, DeleteWebhook::DOCUMENT),
];

/// Variables of an operation that takes none; serialises as `{}`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoVariables {}

// ---------------------------------------------------------------------------------------------
// Shared pieces of data
// ---------------------------------------------------------------------------------------------

/// Relay `PageInfo`.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

/// A shop as lists show it: `shop { id name marketplace }`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ShopRef {
    pub id: String,
    pub name: String,
    pub marketplace: Marketplace,
}

/// `ShopProfile`: the four merge-field values of a shop. The same type template rendering takes,
/// so what the server returns feeds `template::render` as it is.
pub use crate::template::ShopProfile;

/// A shop with its profile: `shop { id name marketplace profile { … } }`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ShopWithProfile {
    pub id: String,
    pub name: String,
    pub marketplace: Marketplace,
    pub profile: ShopProfile,
}

/// `OrderItem`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct OrderItem {
    pub name: String,
    pub sku: Option<String>,
    pub unit_price: i64,
    pub quantity: i64,
}

/// `Party`: buyer (注文者) or recipient (送付先).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Party {
    pub name: Option<String>,
    pub postal_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
}

/// `Attachment`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    pub id: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub url: String,
}

/// `Message`, with everything the thread shows.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub id: String,
    pub author: MessageAuthor,
    pub staff_name: Option<String>,
    pub body: String,
    pub sent_at: Timestamp,
    pub delivery: DeliveryState,
    pub delivery_error: Option<String>,
    pub attachments: Vec<Attachment>,
}

macro_rules! message_fields {
    () => {
        "id author staffName body sentAt delivery deliveryError attachments { id fileName contentType size url }"
    };
}

/// An inquiry's status after a change: `{ id status completedAt lastMessageAt }`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct InquiryState {
    pub id: String,
    pub status: InquiryStatus,
    pub completed_at: Option<Timestamp>,
    pub last_message_at: Timestamp,
}

// ---------------------------------------------------------------------------------------------
// Viewer
// ---------------------------------------------------------------------------------------------

/// Who is signed in (an extension of API.md: `Query.viewer`).
pub struct Viewer;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ViewerData {
    pub viewer: Option<ViewerInfo>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ViewerInfo {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub role: Role,
    pub tenant_name: String,
    /// Whether the tenant has the API option (inquiry management and auto-export need it).
    pub api_option: bool,
}

impl Operation for Viewer {
    const NAME: &'static str = "Viewer";
    const DOCUMENT: &'static str = "query Viewer { viewer { id name email role tenantName apiOption } }";
    type Variables = NoVariables;
    type Data = ViewerData;
}

// ---------------------------------------------------------------------------------------------
// Inbox
// ---------------------------------------------------------------------------------------------

/// The 返信が必要 counts, in total and per shop.
pub struct InboxCounts;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct InboxCountsData {
    pub inbox_counts: InboxCountsInfo,
}

#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct InboxCountsInfo {
    pub needs_reply: i64,
    /// Open inquiries whose latest reply failed to send (counted in `needs_reply` too).
    pub failed_deliveries: i64,
    pub by_shop: Vec<ShopCount>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ShopCount {
    pub shop: ShopRef,
    pub needs_reply: i64,
}

impl Operation for InboxCounts {
    const NAME: &'static str = "InboxCounts";
    const DOCUMENT: &'static str = "query InboxCounts { inboxCounts { needsReply failedDeliveries byShop { shop { id name marketplace } needsReply } } }";
    type Variables = NoVariables;
    type Data = InboxCountsData;
}

/// `InquiryFilter`.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct InquiryFilter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<InquiryStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shop_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marketplace: Option<Marketplace>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Timestamp>,
    /// 「自分の担当」: the viewer's own id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee_id: Option<String>,
    /// 未割り当て only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unassigned: Option<bool>,
    /// 未読 only (true) or read only (false), for the viewer.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub unread: Option<bool>,
}

/// Cursor arguments of a Relay connection (`first`/`after` forwards, `last`/`before` backwards).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Page {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
}

impl Page {
    pub fn first(n: i32) -> Self {
        Page { first: Some(n), ..Page::default() }
    }
    pub fn after(n: i32, cursor: impl Into<String>) -> Self {
        Page { first: Some(n), after: Some(cursor.into()), ..Page::default() }
    }
    pub fn before(n: i32, cursor: impl Into<String>) -> Self {
        Page { last: Some(n), before: Some(cursor.into()), ..Page::default() }
    }
}

/// The inbox list.
pub struct Inquiries;

#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct InquiriesVariables {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<InquiryFilter>,
    #[serde(flatten)]
    pub page: Page,
    /// `None`: newest activity first.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sort: Option<InquirySort>,
    /// The search text, for each row's `excerpt` (the matching message).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub excerpt_of: Option<String>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct InquiriesData {
    pub inquiries: InquiryConnection,
}

#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct InquiryConnection {
    pub nodes: Vec<InquirySummary>,
    pub page_info: PageInfo,
    pub total_count: i64,
}

/// One row of the inbox.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct InquirySummary {
    pub id: String,
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
    #[serde(default)]
    pub waiting_since: Option<Timestamp>,
    /// 担当者.
    #[serde(default)]
    pub assignee: Option<StaffRef>,
    /// 未読 for the viewer: a customer wrote since they last opened it.
    #[serde(default)]
    pub unread: bool,
    /// When searched: the text around the match in the newest message that has it.
    #[serde(default)]
    pub excerpt: Option<String>,
}

/// A staff member as the inbox names them (担当者, a note's author).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct StaffRef {
    pub id: String,
    pub name: String,
}

/// 社内メモ: internal, never sent to the customer.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct InquiryNote {
    pub id: String,
    pub body: String,
    /// The staff member's name, or the API token's name.
    pub author: String,
    pub created_at: Timestamp,
}

impl Operation for Inquiries {
    const NAME: &'static str = "Inquiries";
    const DOCUMENT: &'static str = "query Inquiries($filter: InquiryFilter, $first: Int, $after: String, $last: Int, $before: String, $sort: InquirySort, $excerptOf: String) { \
        inquiries(filter: $filter, first: $first, after: $after, last: $last, before: $before, sort: $sort) { \
        nodes { id marketplaceInquiryId orderNumber customerName subject status createdAt lastMessageAt preview replyFailed shop { id name marketplace } waitingSince assignee { id name } unread excerpt(matching: $excerptOf) } \
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount } }";
    type Variables = InquiriesVariables;
    type Data = InquiriesData;
}

/// An operation whose only variable is `$id: ID!`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct IdVariables {
    pub id: String,
}

impl IdVariables {
    pub fn new(id: impl Into<String>) -> Self {
        IdVariables { id: id.into() }
    }
}

/// One inquiry with its thread, its order and its shop's profile.
pub struct Inquiry;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct InquiryData {
    pub inquiry: Option<InquiryDetail>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct InquiryDetail {
    pub id: String,
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
    #[serde(default)]
    pub assignee: Option<StaffRef>,
    /// Who last assigned or unassigned it.
    #[serde(default)]
    pub assigned_by: Option<String>,
    #[serde(default)]
    pub waiting_since: Option<Timestamp>,
    /// 社内メモ, oldest first.
    #[serde(default)]
    pub notes: Vec<InquiryNote>,
}

/// The order panel beside the thread.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct InquiryOrder {
    pub id: String,
    pub order_number: String,
    pub ordered_at: Timestamp,
    pub requested_delivery: Option<String>,
    pub items: Vec<OrderItem>,
}

impl Operation for Inquiry {
    const NAME: &'static str = "Inquiry";
    const DOCUMENT: &'static str = concat!(
        "query Inquiry($id: ID!) { inquiry(id: $id) { ",
        "id marketplaceInquiryId orderNumber customerName subject status createdAt lastMessageAt completedAt replyFailed ",
        "shop { id name marketplace profile { mallShopName staffName phone email } } ",
        "order { id orderNumber orderedAt requestedDelivery items { name sku unitPrice quantity } } ",
        "messages { ",
        message_fields!(),
        " } assignee { id name } assignedBy waitingSince notes { id body author createdAt } } }"
    );
    type Variables = IdVariables;
    type Data = InquiryData;
}

/// 担当者を設定する / 外す (`staff_id` none).
pub struct AssignInquiry;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AssignInquiryVariables {
    pub id: String,
    pub staff_id: Option<String>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AssignInquiryData {
    pub assign_inquiry: AssignedInquiry,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AssignedInquiry {
    pub id: String,
    pub assignee: Option<StaffRef>,
    pub assigned_by: Option<String>,
}

impl Operation for AssignInquiry {
    const NAME: &'static str = "AssignInquiry";
    const DOCUMENT: &'static str = "mutation AssignInquiry($id: ID!, $staffId: ID) { assignInquiry(id: $id, staffId: $staffId) { id assignee { id name } assignedBy } }";
    type Variables = AssignInquiryVariables;
    type Data = AssignInquiryData;
}

/// 既読にする: the inquiry page shows the thread (and again when a customer writes while it is open).
pub struct MarkInquiryRead;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct MarkInquiryReadData {
    pub mark_inquiry_read: ReadInquiry,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ReadInquiry {
    pub id: String,
    pub unread: bool,
}

impl Operation for MarkInquiryRead {
    const NAME: &'static str = "MarkInquiryRead";
    const DOCUMENT: &'static str = "mutation MarkInquiryRead($id: ID!) { markInquiryRead(id: $id) { id unread } }";
    type Variables = IdVariables;
    type Data = MarkInquiryReadData;
}

/// 社内メモを追加する.
pub struct AddInquiryNote;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AddInquiryNoteVariables {
    pub inquiry_id: String,
    pub body: String,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AddInquiryNoteData {
    pub add_inquiry_note: InquiryNote,
}

impl Operation for AddInquiryNote {
    const NAME: &'static str = "AddInquiryNote";
    const DOCUMENT: &'static str = "mutation AddInquiryNote($inquiryId: ID!, $body: String!) { addInquiryNote(inquiryId: $inquiryId, body: $body) { id body author createdAt } }";
    type Variables = AddInquiryNoteVariables;
    type Data = AddInquiryNoteData;
}

/// Who an inquiry can be assigned to (every role may read it).
pub struct AssignableStaff;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AssignableStaffData {
    pub assignable_staff: Vec<StaffRef>,
}

impl Operation for AssignableStaff {
    const NAME: &'static str = "AssignableStaff";
    const DOCUMENT: &'static str = "query AssignableStaff { assignableStaff { id name } }";
    type Variables = NoVariables;
    type Data = AssignableStaffData;
}

/// `ReplyInput` without attachments (those go as a multipart request).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ReplyInput {
    pub inquiry_id: String,
    pub body: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
    /// The last message the writer saw; the server answers `CONFLICT` if a newer one exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen_message_id: Option<String>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct InputVariables<I> {
    pub input: I,
}

/// Sends a reply (stored first, then delivered).
pub struct ReplyToInquiry;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ReplyToInquiryData {
    pub reply_to_inquiry: Message,
}

impl Operation for ReplyToInquiry {
    const NAME: &'static str = "ReplyToInquiry";
    const DOCUMENT: &'static str = concat!(
        "mutation ReplyToInquiry($input: ReplyInput!) { replyToInquiry(input: $input) { ",
        message_fields!(),
        " } }"
    );
    type Variables = InputVariables<ReplyInput>;
    type Data = ReplyToInquiryData;
}

/// Retries a reply whose delivery failed.
pub struct RetryMessage;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RetryMessageData {
    pub retry_message: Message,
}

/// 再送する, optionally with a corrected text or without the attachments.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RetryMessageVariables {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    pub drop_attachments: bool,
}

impl Operation for RetryMessage {
    const NAME: &'static str = "RetryMessage";
    const DOCUMENT: &'static str = concat!(
        "mutation RetryMessage($id: ID!, $body: String, $dropAttachments: Boolean) { ",
        "retryMessage(id: $id, body: $body, dropAttachments: $dropAttachments) { ",
        message_fields!(),
        " } }"
    );
    type Variables = RetryMessageVariables;
    type Data = RetryMessageData;
}

/// 取り下げる: removes a reply that failed to send.
pub struct WithdrawMessage;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct WithdrawMessageData {
    pub withdraw_message: InquiryState,
}

impl Operation for WithdrawMessage {
    const NAME: &'static str = "WithdrawMessage";
    const DOCUMENT: &'static str =
        "mutation WithdrawMessage($id: ID!) { withdrawMessage(id: $id) { id status completedAt lastMessageAt } }";
    type Variables = IdVariables;
    type Data = WithdrawMessageData;
}

/// 完了する.
pub struct CompleteInquiry;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CompleteInquiryData {
    pub complete_inquiry: InquiryState,
}

impl Operation for CompleteInquiry {
    const NAME: &'static str = "CompleteInquiry";
    const DOCUMENT: &'static str =
        "mutation CompleteInquiry($id: ID!) { completeInquiry(id: $id) { id status completedAt lastMessageAt } }";
    type Variables = IdVariables;
    type Data = CompleteInquiryData;
}

/// Back to 返信が必要/返信済み (refused with `CONFLICT` where the marketplace forbids it).
pub struct ReopenInquiry;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ReopenInquiryData {
    pub reopen_inquiry: InquiryState,
}

impl Operation for ReopenInquiry {
    const NAME: &'static str = "ReopenInquiry";
    const DOCUMENT: &'static str =
        "mutation ReopenInquiry($id: ID!) { reopenInquiry(id: $id) { id status completedAt lastMessageAt } }";
    type Variables = IdVariables;
    type Data = ReopenInquiryData;
}

/// Tells the others that this staff member is viewing, typing on, or has left an inquiry.
pub struct SetPresence;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SetPresenceVariables {
    pub inquiry_id: String,
    pub state: PresenceState,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SetPresenceData {
    pub set_presence: bool,
}

impl Operation for SetPresence {
    const NAME: &'static str = "SetPresence";
    const DOCUMENT: &'static str = "mutation SetPresence($inquiryId: ID!, $state: PresenceState!) { setPresence(inquiryId: $inquiryId, state: $state) }";
    type Variables = SetPresenceVariables;
    type Data = SetPresenceData;
}

// ---------------------------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------------------------

/// `Template`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Template {
    pub id: String,
    pub category: String,
    pub name: String,
    pub body: String,
    pub updated_at: Timestamp,
}

/// `TemplateInput`.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TemplateInput {
    pub category: String,
    pub name: String,
    pub body: String,
}

/// Templates, all or of one category.
pub struct Templates;

#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TemplatesVariables {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TemplatesData {
    pub templates: Vec<Template>,
}

impl Operation for Templates {
    const NAME: &'static str = "Templates";
    const DOCUMENT: &'static str =
        "query Templates($category: String) { templates(category: $category) { id category name body updatedAt } }";
    type Variables = TemplatesVariables;
    type Data = TemplatesData;
}

/// The category names (カテゴリ名) in use.
pub struct TemplateCategories;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TemplateCategoriesData {
    pub template_categories: Vec<String>,
}

impl Operation for TemplateCategories {
    const NAME: &'static str = "TemplateCategories";
    const DOCUMENT: &'static str = "query TemplateCategories { templateCategories }";
    type Variables = NoVariables;
    type Data = TemplateCategoriesData;
}

pub struct CreateTemplate;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CreateTemplateData {
    pub create_template: Template,
}

impl Operation for CreateTemplate {
    const NAME: &'static str = "CreateTemplate";
    const DOCUMENT: &'static str = "mutation CreateTemplate($input: TemplateInput!) { createTemplate(input: $input) { id category name body updatedAt } }";
    type Variables = InputVariables<TemplateInput>;
    type Data = CreateTemplateData;
}

pub struct UpdateTemplate;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct IdInputVariables<I> {
    pub id: String,
    pub input: I,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct UpdateTemplateData {
    pub update_template: Template,
}

impl Operation for UpdateTemplate {
    const NAME: &'static str = "UpdateTemplate";
    const DOCUMENT: &'static str = "mutation UpdateTemplate($id: ID!, $input: TemplateInput!) { updateTemplate(id: $id, input: $input) { id category name body updatedAt } }";
    type Variables = IdInputVariables<TemplateInput>;
    type Data = UpdateTemplateData;
}

pub struct DeleteTemplate;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DeleteTemplateData {
    /// The id of the deleted template.
    pub delete_template: String,
}

impl Operation for DeleteTemplate {
    const NAME: &'static str = "DeleteTemplate";
    const DOCUMENT: &'static str = "mutation DeleteTemplate($id: ID!) { deleteTemplate(id: $id) }";
    type Variables = IdVariables;
    type Data = DeleteTemplateData;
}

// ---------------------------------------------------------------------------------------------
// Shops
// ---------------------------------------------------------------------------------------------

/// The tenant's shops with their profiles and 返信が必要 counts.
pub struct Shops;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ShopsData {
    pub shops: Vec<ShopInfo>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ShopInfo {
    pub id: String,
    pub name: String,
    pub marketplace: Marketplace,
    pub profile: ShopProfile,
    pub needs_reply_count: i64,
}

impl Operation for Shops {
    const NAME: &'static str = "Shops";
    const DOCUMENT: &'static str =
        "query Shops { shops { id name marketplace profile { mallShopName staffName phone email } needsReplyCount } }";
    type Variables = NoVariables;
    type Data = ShopsData;
}

// ---------------------------------------------------------------------------------------------
// Orders
// ---------------------------------------------------------------------------------------------

/// `OrderFilter`.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct OrderFilter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shop_id: Option<String>,
    /// Orders of this marketplace's shops (モール).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marketplace: Option<Marketplace>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Timestamp>,
}

/// The order list.
pub struct Orders;

#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct OrdersVariables {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<OrderFilter>,
    #[serde(flatten)]
    pub page: Page,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct OrdersData {
    pub orders: OrderConnection,
}

#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct OrderConnection {
    pub nodes: Vec<OrderSummary>,
    pub page_info: PageInfo,
    pub total_count: i64,
}

/// One row of the order list.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct OrderSummary {
    pub id: String,
    pub order_number: String,
    pub ordered_at: Timestamp,
    pub status: OrderStatus,
    pub buyer: Option<PartyName>,
    pub recipient: Option<PartyName>,
    pub total_amount: i64,
    pub ship_date: Option<String>,
    pub tracking_number: Option<String>,
    pub shop: ShopRef,
    /// Inquiries about the order that need a reply (the list's 返信が必要 mark).
    pub open_inquiry_count: i64,
}

/// `Party { name }`.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PartyName {
    pub name: Option<String>,
}

impl Operation for Orders {
    const NAME: &'static str = "Orders";
    const DOCUMENT: &'static str = "query Orders($filter: OrderFilter, $first: Int, $after: String, $last: Int, $before: String) { \
        orders(filter: $filter, first: $first, after: $after, last: $last, before: $before) { \
        nodes { id orderNumber orderedAt status buyer { name } recipient { name } totalAmount shipDate trackingNumber shop { id name marketplace } openInquiryCount } \
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount } }";
    type Variables = OrdersVariables;
    type Data = OrdersData;
}

/// One order with its inquiry history (the order page).
pub struct Order;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct OrderData {
    pub order: Option<OrderDetail>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct OrderDetail {
    pub id: String,
    pub order_number: String,
    pub ordered_at: Timestamp,
    pub status: OrderStatus,
    pub marketplace_status: Option<String>,
    pub buyer: Option<Party>,
    pub recipient: Option<Party>,
    pub requested_delivery: Option<String>,
    pub items: Vec<OrderItem>,
    pub total_amount: i64,
    /// 支払方法 (an extension of API.md).
    pub payment_method: Option<String>,
    /// 特記事項: the buyer's notes from the marketplace (an extension of API.md).
    pub special_notes: Option<String>,
    pub ship_date: Option<String>,
    pub carrier: Option<String>,
    pub delivery_method: Option<String>,
    pub tracking_number: Option<String>,
    pub notes: Option<String>,
    pub shop: ShopRef,
    /// 最終書出日時: the last successful export of the shipping data.
    pub last_exported_at: Option<Timestamp>,
    /// Whether the next automatic shipping export sends the order, and if not, why.
    pub shipment_export: ShipmentExportCheck,
    /// Newest first.
    pub inquiries: Vec<OrderInquiry>,
}

/// `ShipmentExportCheck`: eligible, or the reasons (Japanese, one per rule that excludes it).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ShipmentExportCheck {
    pub eligible: bool,
    pub reasons: Vec<String>,
}

/// One entry of the order page's inquiry history.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct OrderInquiry {
    pub id: String,
    pub created_at: Timestamp,
    pub last_message_at: Timestamp,
    pub preview: String,
    pub status: InquiryStatus,
    /// The shop's latest reply failed to send (送信失敗).
    pub reply_failed: bool,
}

macro_rules! order_detail_fields {
    () => {
        "id orderNumber orderedAt status marketplaceStatus \
         buyer { name postalCode address phone } recipient { name postalCode address phone } \
         requestedDelivery items { name sku unitPrice quantity } totalAmount paymentMethod specialNotes \
         shipDate carrier deliveryMethod trackingNumber notes shop { id name marketplace } \
         lastExportedAt shipmentExport { eligible reasons } \
         inquiries { id createdAt lastMessageAt preview status replyFailed }"
    };
}

impl Operation for Order {
    const NAME: &'static str = "Order";
    const DOCUMENT: &'static str = concat!("query Order($id: ID!) { order(id: $id) { ", order_detail_fields!(), " } }");
    type Variables = IdVariables;
    type Data = OrderData;
}

/// 受注登録: `OrderInput`.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct OrderInput {
    pub shop_id: String,
    pub order_number: String,
    pub ordered_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buyer: Option<Party>,
    pub recipient: Party,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_delivery: Option<String>,
    pub items: Vec<OrderItemInput>,
    /// 支払方法 (an extension of API.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// One line of `OrderInput`.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct OrderItemInput {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    pub unit_price: i64,
    pub quantity: i64,
}

/// Registers an order by hand (受注登録).
pub struct CreateOrder;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CreateOrderData {
    pub create_order: OrderDetail,
}

impl Operation for CreateOrder {
    const NAME: &'static str = "CreateOrder";
    const DOCUMENT: &'static str = concat!(
        "mutation CreateOrder($input: OrderInput!) { createOrder(input: $input) { ",
        order_detail_fields!(),
        " } }"
    );
    type Variables = InputVariables<OrderInput>;
    type Data = CreateOrderData;
}

/// `OrderUpdateInput`: only the fields that are set are sent.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct OrderUpdateInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderStatus>,
    /// YYYY-MM-DD.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ship_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carrier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracking_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// Edits an order's shipping data, status or notes.
pub struct UpdateOrder;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct UpdateOrderData {
    pub update_order: OrderDetail,
}

impl Operation for UpdateOrder {
    const NAME: &'static str = "UpdateOrder";
    const DOCUMENT: &'static str = concat!(
        "mutation UpdateOrder($id: ID!, $input: OrderUpdateInput!) { updateOrder(id: $id, input: $input) { ",
        order_detail_fields!(),
        " } }"
    );
    type Variables = IdInputVariables<OrderUpdateInput>;
    type Data = UpdateOrderData;
}

/// 一括変更: the same edit on the selected orders (all or none).
pub struct UpdateOrders;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct UpdateOrdersVariables {
    pub ids: Vec<String>,
    pub input: OrderUpdateInput,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct UpdateOrdersData {
    pub update_orders: Vec<ChangedOrder>,
}

impl Operation for UpdateOrders {
    const NAME: &'static str = "UpdateOrders";
    const DOCUMENT: &'static str = "mutation UpdateOrders($ids: [ID!]!, $input: OrderUpdateInput!) { updateOrders(ids: $ids, input: $input) { id } }";
    type Variables = UpdateOrdersVariables;
    type Data = UpdateOrdersData;
}

// ---------------------------------------------------------------------------------------------
// Subscriptions (graphql-transport-ws). Events are small; the client re-queries what it shows.
// ---------------------------------------------------------------------------------------------

/// The small event both inquiry subscriptions deliver.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct InquiryEvent {
    pub id: String,
    pub status: InquiryStatus,
    pub last_message_at: Timestamp,
}

/// A new inquiry, or a new customer message on one.
pub struct InquiryReceivedSub;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct InquiryReceivedData {
    pub inquiry_received: InquiryEvent,
}

impl Operation for InquiryReceivedSub {
    const NAME: &'static str = "InquiryReceived";
    const DOCUMENT: &'static str = "subscription InquiryReceived { inquiryReceived { id status lastMessageAt } }";
    type Variables = NoVariables;
    type Data = InquiryReceivedData;
}

/// Any change on an inquiry: status, reply delivered, completed.
pub struct InquiryUpdatedSub;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct InquiryUpdatedData {
    pub inquiry_updated: InquiryEvent,
}

impl Operation for InquiryUpdatedSub {
    const NAME: &'static str = "InquiryUpdated";
    const DOCUMENT: &'static str = "subscription InquiryUpdated { inquiryUpdated { id status lastMessageAt } }";
    type Variables = NoVariables;
    type Data = InquiryUpdatedData;
}

/// The 返信が必要 counts changed.
pub struct InboxCountsChangedSub;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct InboxCountsChangedData {
    pub inbox_counts_changed: InboxCountsInfo,
}

impl Operation for InboxCountsChangedSub {
    const NAME: &'static str = "InboxCountsChanged";
    const DOCUMENT: &'static str = "subscription InboxCountsChanged { inboxCountsChanged { needsReply failedDeliveries byShop { shop { id name marketplace } needsReply } } }";
    type Variables = NoVariables;
    type Data = InboxCountsChangedData;
}

/// Who else is viewing or typing on one inquiry.
pub struct PresenceChangedSub;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PresenceChangedVariables {
    pub inquiry_id: String,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PresenceChangedData {
    pub presence_changed: Presence,
}

/// `Presence`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Presence {
    pub inquiry_id: String,
    pub staff_name: String,
    pub state: PresenceState,
    pub at: Timestamp,
}

impl Operation for PresenceChangedSub {
    const NAME: &'static str = "PresenceChanged";
    const DOCUMENT: &'static str = "subscription PresenceChanged($inquiryId: ID!) { presenceChanged(inquiryId: $inquiryId) { inquiryId staffName state at } }";
    type Variables = PresenceChangedVariables;
    type Data = PresenceChangedData;
}

/// Who is viewing or typing on any inquiry of the tenant (the inbox rows).
pub struct InboxPresenceSub;

impl Operation for InboxPresenceSub {
    const NAME: &'static str = "InboxPresence";
    const DOCUMENT: &'static str = "subscription InboxPresence { presenceChanged { inquiryId staffName state at } }";
    type Variables = NoVariables;
    type Data = PresenceChangedData;
}

// ---------------------------------------------------------------------------------------------
// Shop settings (店舗設定, admin)
// ---------------------------------------------------------------------------------------------

/// `ShopSettings`: the marketplace settings of a shop. Credentials are never returned, only
/// whether they are set.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ShopSettings {
    pub api_base_url: Option<String>,
    /// 受注を取得する日数.
    pub import_days: i64,
    /// 自動取得.
    pub auto_import: bool,
    /// 自動書き出し.
    pub auto_export: bool,
    /// 評価メッセージ (Rakuma).
    pub review_message: Option<String>,
    /// 登録メールアドレス (Rakuma).
    pub registered_email: Option<String>,
    pub credentials_set: bool,
}

/// A shop with its profile and marketplace settings (the 店舗設定 screen).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ShopWithSettings {
    pub id: String,
    pub name: String,
    pub marketplace: Marketplace,
    pub profile: ShopProfile,
    pub settings: ShopSettings,
    /// Rakuten: where to register 問い合わせユーザアクション通知 (none without `--public-url`).
    #[serde(default)]
    pub push_endpoint_url: Option<String>,
    /// When the marketplace last pushed to the shop.
    #[serde(default)]
    pub last_push_at: Option<Timestamp>,
    /// When the licence key runs out (Rakuten, au PAY), if known.
    #[serde(default)]
    pub credentials_expire_at: Option<Timestamp>,
}

macro_rules! shop_settings_fields {
    () => {
        "id name marketplace profile { mallShopName staffName phone email } \
         settings { apiBaseUrl importDays autoImport autoExport reviewMessage registeredEmail credentialsSet } \
         pushEndpointUrl lastPushAt credentialsExpireAt"
    };
}

/// The tenant's shops with their settings.
pub struct ShopSettingsList;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ShopSettingsListData {
    pub shops: Vec<ShopWithSettings>,
}

impl Operation for ShopSettingsList {
    const NAME: &'static str = "ShopSettingsList";
    const DOCUMENT: &'static str = concat!("query ShopSettingsList { shops { ", shop_settings_fields!(), " } }");
    type Variables = NoVariables;
    type Data = ShopSettingsListData;
}

/// 接続テスト: one call to the shop's marketplace.
pub struct TestShopConnection;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionTest {
    pub ok: bool,
    pub message: String,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TestShopConnectionData {
    pub test_shop_connection: ConnectionTest,
}

impl Operation for TestShopConnection {
    const NAME: &'static str = "TestShopConnection";
    const DOCUMENT: &'static str =
        "mutation TestShopConnection($id: ID!) { testShopConnection(id: $id) { ok message } }";
    type Variables = IdVariables;
    type Data = TestShopConnectionData;
}

/// `ShopSettingsInput`. Every field is sent (an empty text clears it) except `credentials`,
/// which is sent only when staff typed new values: leaving it out keeps the stored ones.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ShopSettingsInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_base_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub import_days: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_import: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_export: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registered_email: Option<String>,
    /// Write-only; keys per marketplace (API.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credentials: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `ShopInput`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ShopInput {
    pub marketplace: Marketplace,
    pub name: String,
    pub profile: ShopProfile,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settings: Option<ShopSettingsInput>,
}

pub struct CreateShop;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CreateShopData {
    pub create_shop: ShopWithSettings,
}

impl Operation for CreateShop {
    const NAME: &'static str = "CreateShop";
    const DOCUMENT: &'static str = concat!(
        "mutation CreateShop($input: ShopInput!) { createShop(input: $input) { ",
        shop_settings_fields!(),
        " } }"
    );
    type Variables = InputVariables<ShopInput>;
    type Data = CreateShopData;
}

pub struct UpdateShop;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct UpdateShopData {
    pub update_shop: ShopWithSettings,
}

impl Operation for UpdateShop {
    const NAME: &'static str = "UpdateShop";
    const DOCUMENT: &'static str = concat!(
        "mutation UpdateShop($id: ID!, $input: ShopInput!) { updateShop(id: $id, input: $input) { ",
        shop_settings_fields!(),
        " } }"
    );
    type Variables = IdInputVariables<ShopInput>;
    type Data = UpdateShopData;
}

// ---------------------------------------------------------------------------------------------
// Import and export runs (取込・書出)
// ---------------------------------------------------------------------------------------------

/// `SyncRun`: one import or export run, with its counts and errors.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SyncRun {
    pub id: String,
    pub shop: ShopRef,
    pub kind: SyncKind,
    pub state: SyncState,
    /// "auto" | "manual".
    pub trigger: String,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    /// 新規.
    pub created: i64,
    /// 更新.
    pub updated: i64,
    /// 変更なし.
    pub unchanged: i64,
    /// 失敗.
    pub failed: i64,
    pub errors: Vec<String>,
    /// Windows or pages done, of the total when known (none while queued).
    #[serde(default)]
    pub progress: Option<SyncProgress>,
}

macro_rules! sync_run_fields {
    () => {
        "id shop { id name marketplace } kind state trigger startedAt finishedAt created updated unchanged failed errors progress { done total }"
    };
}

/// Runs, newest first, of one shop or all.
pub struct SyncRuns;

#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SyncRunsVariables {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shop_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub filter: Option<SyncRunFilter>,
}

/// `SyncRunFilter`: 実行履歴's 手動 / 自動, kind and 失敗あり.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SyncRunFilter {
    /// "auto" | "manual".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<SyncKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub with_failures: Option<bool>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SyncRunsData {
    pub sync_runs: SyncRunConnection,
}

#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SyncRunConnection {
    pub nodes: Vec<SyncRun>,
    pub page_info: PageInfo,
    pub total_count: i64,
}

impl Operation for SyncRuns {
    const NAME: &'static str = "SyncRuns";
    const DOCUMENT: &'static str = concat!(
        "query SyncRuns($shopId: ID, $first: Int, $after: String, $filter: SyncRunFilter) { syncRuns(shopId: $shopId, first: $first, after: $after, filter: $filter) { nodes { ",
        sync_run_fields!(),
        " } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount } }"
    );
    type Variables = SyncRunsVariables;
    type Data = SyncRunsData;
}

/// `ImportInput`: no range means the shop's configured days (モール詳細の取得日数で取得).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ImportInput {
    pub shop_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Timestamp>,
}

/// `ExportInput`: orders created in the period.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ExportInput {
    pub shop_id: String,
    pub created_from: Timestamp,
    pub created_to: Timestamp,
}

/// 受注取込.
pub struct ImportOrders;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ImportOrdersData {
    pub import_orders: SyncRun,
}

impl Operation for ImportOrders {
    const NAME: &'static str = "ImportOrders";
    const DOCUMENT: &'static str = concat!(
        "mutation ImportOrders($input: ImportInput!) { importOrders(input: $input) { ",
        sync_run_fields!(),
        " } }"
    );
    type Variables = InputVariables<ImportInput>;
    type Data = ImportOrdersData;
}

/// お問い合わせ取込.
pub struct ImportInquiries;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ImportInquiriesData {
    pub import_inquiries: SyncRun,
}

impl Operation for ImportInquiries {
    const NAME: &'static str = "ImportInquiries";
    const DOCUMENT: &'static str = concat!(
        "mutation ImportInquiries($input: ImportInput!) { importInquiries(input: $input) { ",
        sync_run_fields!(),
        " } }"
    );
    type Variables = InputVariables<ImportInput>;
    type Data = ImportInquiriesData;
}

/// 発送情報を更新.
pub struct ExportShipments;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ExportShipmentsData {
    pub export_shipments: SyncRun,
}

impl Operation for ExportShipments {
    const NAME: &'static str = "ExportShipments";
    const DOCUMENT: &'static str = concat!(
        "mutation ExportShipments($input: ExportInput!) { exportShipments(input: $input) { ",
        sync_run_fields!(),
        " } }"
    );
    type Variables = InputVariables<ExportInput>;
    type Data = ExportShipmentsData;
}

/// ユーザ評価を登録 (Rakuma).
pub struct RegisterEvaluations;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RegisterEvaluationsData {
    pub register_evaluations: SyncRun,
}

impl Operation for RegisterEvaluations {
    const NAME: &'static str = "RegisterEvaluations";
    const DOCUMENT: &'static str = concat!(
        "mutation RegisterEvaluations($input: ExportInput!) { registerEvaluations(input: $input) { ",
        sync_run_fields!(),
        " } }"
    );
    type Variables = InputVariables<ExportInput>;
    type Data = RegisterEvaluationsData;
}

/// Progress of runs (of one shop, or all).
pub struct SyncRunUpdatedSub;

#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SyncRunUpdatedVariables {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shop_id: Option<String>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SyncRunUpdatedData {
    pub sync_run_updated: SyncRun,
}

impl Operation for SyncRunUpdatedSub {
    const NAME: &'static str = "SyncRunUpdated";
    const DOCUMENT: &'static str = concat!(
        "subscription SyncRunUpdated($shopId: ID) { syncRunUpdated(shopId: $shopId) { ",
        sync_run_fields!(),
        " } }"
    );
    type Variables = SyncRunUpdatedVariables;
    type Data = SyncRunUpdatedData;
}

/// `SyncProgress`: steps of a run (import windows, export pages) done, of the total when known.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SyncProgress {
    pub done: i64,
    pub total: Option<i64>,
}

/// `SyncRunItem`: one line of what a run did.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SyncRunItem {
    pub outcome: crate::SyncItemOutcome,
    /// The order in Madoguchi, when it is stored.
    pub order_id: Option<String>,
    pub order_number: Option<String>,
    pub inquiry_id: Option<String>,
    /// Why it failed or was left out (Japanese).
    pub reason: Option<String>,
}

#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SyncRunItemConnection {
    pub nodes: Vec<SyncRunItem>,
    pub page_info: PageInfo,
    pub total_count: i64,
}

/// One run with a page of what it did (the run's details), in the order it happened.
pub struct SyncRunItems;

#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SyncRunItemsVariables {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SyncRunWithItems {
    #[serde(flatten)]
    pub run: SyncRun,
    pub items: SyncRunItemConnection,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SyncRunItemsData {
    pub sync_run: Option<SyncRunWithItems>,
}

impl Operation for SyncRunItems {
    const NAME: &'static str = "SyncRunItems";
    const DOCUMENT: &'static str = concat!(
        "query SyncRunItems($id: ID!, $first: Int, $after: String) { syncRun(id: $id) { ",
        sync_run_fields!(),
        " items(first: $first, after: $after) { nodes { outcome orderId orderNumber inquiryId reason } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount } } }"
    );
    type Variables = SyncRunItemsVariables;
    type Data = SyncRunItemsData;
}

/// An order created or changed (by hand, by an import, by a colleague): its id only, for a
/// list to read itself again.
pub struct OrderChangedSub;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ChangedOrder {
    pub id: String,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct OrderChangedData {
    pub order_changed: ChangedOrder,
}

impl Operation for OrderChangedSub {
    const NAME: &'static str = "OrderChanged";
    const DOCUMENT: &'static str = "subscription OrderChanged { orderChanged { id } }";
    type Variables = NoVariables;
    type Data = OrderChangedData;
}

// ---------------------------------------------------------------------------------------------
// API tokens (admin)
// ---------------------------------------------------------------------------------------------

/// `ApiToken` (never its secret).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    pub scopes: Vec<String>,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

pub struct ApiTokens;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ApiTokensData {
    pub api_tokens: Vec<ApiToken>,
}

impl Operation for ApiTokens {
    const NAME: &'static str = "ApiTokens";
    const DOCUMENT: &'static str = "query ApiTokens { apiTokens { id name scopes createdAt lastUsedAt } }";
    type Variables = NoVariables;
    type Data = ApiTokensData;
}

/// Creates a token; the answer holds the secret, once.
pub struct CreateApiToken;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CreateApiTokenVariables {
    pub name: String,
    /// Of `read`, `write`, `admin`.
    pub scopes: Vec<String>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CreateApiTokenData {
    pub create_api_token: NewApiToken,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct NewApiToken {
    pub token: String,
    pub api_token: ApiToken,
}

impl Operation for CreateApiToken {
    const NAME: &'static str = "CreateApiToken";
    const DOCUMENT: &'static str = "mutation CreateApiToken($name: String!, $scopes: [String!]!) { createApiToken(name: $name, scopes: $scopes) { token apiToken { id name scopes createdAt lastUsedAt } } }";
    type Variables = CreateApiTokenVariables;
    type Data = CreateApiTokenData;
}

pub struct RevokeApiToken;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RevokeApiTokenData {
    /// The id of the revoked token.
    pub revoke_api_token: String,
}

impl Operation for RevokeApiToken {
    const NAME: &'static str = "RevokeApiToken";
    const DOCUMENT: &'static str = "mutation RevokeApiToken($id: ID!) { revokeApiToken(id: $id) }";
    type Variables = IdVariables;
    type Data = RevokeApiTokenData;
}

// ---------------------------------------------------------------------------------------------
// Webhooks (admin)
// ---------------------------------------------------------------------------------------------

/// `WebhookDelivery`: one attempt to deliver an event to an endpoint.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct WebhookDelivery {
    pub id: String,
    pub sequence: i64,
    pub event_type: WebhookEvent,
    pub attempt: i32,
    pub result: WebhookDeliveryResult,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i32,
    pub at: Timestamp,
}

/// `Webhook` (never its secret), with the newest rows of its delivery log.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    pub id: String,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub created_at: Timestamp,
    pub created_by: String,
    pub failed_attempts: i32,
    pub next_attempt_at: Option<Timestamp>,
    pub deliveries: Vec<WebhookDelivery>,
}

macro_rules! webhook_fields {
    () => {
        "id url events createdAt createdBy failedAttempts nextAttemptAt deliveries(first: 20) { id sequence eventType attempt result statusCode error durationMs at }"
    };
}

pub struct Webhooks;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct WebhooksData {
    pub webhooks: Vec<Webhook>,
}

impl Operation for Webhooks {
    const NAME: &'static str = "Webhooks";
    const DOCUMENT: &'static str = concat!("query Webhooks { webhooks { ", webhook_fields!(), " } }");
    type Variables = NoVariables;
    type Data = WebhooksData;
}

/// Registers an endpoint; the answer holds its signing secret, once.
pub struct CreateWebhook;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct WebhookInput {
    pub url: String,
    pub events: Vec<WebhookEvent>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CreateWebhookVariables {
    pub input: WebhookInput,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CreateWebhookData {
    pub create_webhook: NewWebhook,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct NewWebhook {
    pub webhook: Webhook,
    pub secret: String,
}

impl Operation for CreateWebhook {
    const NAME: &'static str = "CreateWebhook";
    const DOCUMENT: &'static str = concat!(
        "mutation CreateWebhook($input: WebhookInput!) { createWebhook(input: $input) { secret webhook { ",
        webhook_fields!(),
        " } } }"
    );
    type Variables = CreateWebhookVariables;
    type Data = CreateWebhookData;
}

pub struct DeleteWebhook;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DeleteWebhookData {
    /// The id of the deleted endpoint.
    pub delete_webhook: String,
}

impl Operation for DeleteWebhook {
    const NAME: &'static str = "DeleteWebhook";
    const DOCUMENT: &'static str = "mutation DeleteWebhook($id: ID!) { deleteWebhook(id: $id) }";
    type Variables = IdVariables;
    type Data = DeleteWebhookData;
}

// ---------------------------------------------------------------------------------------------
// Staff accounts (スタッフ管理, admin)
// ---------------------------------------------------------------------------------------------

/// `StaffMember` (an extension of API.md): a staff account; its password is never returned.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct StaffMember {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// 利用停止.
    pub disabled: bool,
    pub created_at: Timestamp,
}

macro_rules! staff_member_fields {
    () => {
        "id email name role disabled createdAt"
    };
}

/// `StaffInput`. `password` is required on create; on update `None` keeps the current one.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct StaffInput {
    pub email: String,
    pub name: String,
    pub role: Role,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// The tenant's staff accounts, oldest first.
pub struct StaffMembers;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct StaffMembersData {
    pub staff_members: Vec<StaffMember>,
}

impl Operation for StaffMembers {
    const NAME: &'static str = "StaffMembers";
    const DOCUMENT: &'static str = concat!("query StaffMembers { staffMembers { ", staff_member_fields!(), " } }");
    type Variables = NoVariables;
    type Data = StaffMembersData;
}

pub struct CreateStaff;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CreateStaffData {
    pub create_staff: StaffMember,
}

impl Operation for CreateStaff {
    const NAME: &'static str = "CreateStaff";
    const DOCUMENT: &'static str = concat!(
        "mutation CreateStaff($input: StaffInput!) { createStaff(input: $input) { ",
        staff_member_fields!(),
        " } }"
    );
    type Variables = InputVariables<StaffInput>;
    type Data = CreateStaffData;
}

pub struct UpdateStaff;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct UpdateStaffData {
    pub update_staff: StaffMember,
}

impl Operation for UpdateStaff {
    const NAME: &'static str = "UpdateStaff";
    const DOCUMENT: &'static str = concat!(
        "mutation UpdateStaff($id: ID!, $input: StaffInput!) { updateStaff(id: $id, input: $input) { ",
        staff_member_fields!(),
        " } }"
    );
    type Variables = IdInputVariables<StaffInput>;
    type Data = UpdateStaffData;
}

/// 利用停止: the member cannot sign in any more; their sessions end at once.
pub struct DisableStaff;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DisableStaffData {
    pub disable_staff: StaffMember,
}

impl Operation for DisableStaff {
    const NAME: &'static str = "DisableStaff";
    const DOCUMENT: &'static str =
        concat!("mutation DisableStaff($id: ID!) { disableStaff(id: $id) { ", staff_member_fields!(), " } }");
    type Variables = IdVariables;
    type Data = DisableStaffData;
}

/// 利用再開.
pub struct EnableStaff;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct EnableStaffData {
    pub enable_staff: StaffMember,
}

impl Operation for EnableStaff {
    const NAME: &'static str = "EnableStaff";
    const DOCUMENT: &'static str =
        concat!("mutation EnableStaff($id: ID!) { enableStaff(id: $id) { ", staff_member_fields!(), " } }");
    type Variables = IdVariables;
    type Data = EnableStaffData;
}

// ---------------------------------------------------------------------------------------------
// The custom-CSV shop (カスタムCSV店舗): column mapping, CSV upload (multipart), CSV download
// ---------------------------------------------------------------------------------------------

/// `CsvColumn` / `CsvColumnInput`: one column of a CSV file (the order field and its header).
/// The same type the server validates, so the editor and the server read a mapping alike.
pub use crate::csv_orders::CsvColumn;

/// `ShopSettings { csvMapping }`.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CsvMappingSettings {
    /// The saved mapping, or the default one (every field under its Japanese label).
    pub csv_mapping: Vec<CsvColumn>,
}

/// A shop with its CSV column mapping.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ShopCsvMappingRow {
    pub id: String,
    pub marketplace: Marketplace,
    pub settings: CsvMappingSettings,
}

/// The CSV column mapping of every shop (店舗設定 → CSV列の設定).
pub struct ShopCsvMapping;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ShopCsvMappingData {
    pub shops: Vec<ShopCsvMappingRow>,
}

impl Operation for ShopCsvMapping {
    const NAME: &'static str = "ShopCsvMapping";
    const DOCUMENT: &'static str =
        "query ShopCsvMapping { shops { id marketplace settings { csvMapping { field header } } } }";
    type Variables = NoVariables;
    type Data = ShopCsvMappingData;
}

/// `ShopSettingsInput` with only `csvMapping`: the other settings stay as stored. An empty
/// list goes back to the default mapping.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CsvMappingSettingsInput {
    pub csv_mapping: Vec<CsvColumn>,
}

/// `ShopInput` for saving the CSV mapping: the shop's name and profile as stored (the input
/// requires them), and the mapping.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CsvMappingShopInput {
    pub marketplace: Marketplace,
    pub name: String,
    pub profile: ShopProfile,
    pub settings: CsvMappingSettingsInput,
}

/// CSV列の設定を保存 (or 初期値に戻す with an empty list).
pub struct UpdateShopCsvMapping;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct UpdateShopCsvMappingData {
    pub update_shop: ShopCsvMappingRow,
}

impl Operation for UpdateShopCsvMapping {
    const NAME: &'static str = "UpdateShopCsvMapping";
    const DOCUMENT: &'static str = "mutation UpdateShopCsvMapping($id: ID!, $input: ShopInput!) { \
        updateShop(id: $id, input: $input) { id marketplace settings { csvMapping { field header } } } }";
    type Variables = IdInputVariables<CsvMappingShopInput>;
    type Data = UpdateShopCsvMappingData;
}

/// Where the file of [`ImportOrdersCsv`] goes in its variables (the multipart `map` names
/// `variables.input.file`).
pub const CSV_IMPORT_FILE_AT: &str = "input.file";

/// `CsvImportInput`. `file` is always `null` in the JSON: the file itself is part `0` of the
/// multipart request, mapped to `variables.input.file` ([`CSV_IMPORT_FILE_AT`]).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CsvImportInput {
    pub shop_id: String,
    #[serde(default)]
    pub file: Option<()>,
    /// `None`: the server detects it (valid UTF-8 is UTF-8, anything else Shift_JIS).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<crate::CsvEncoding>,
}

/// `CsvRowError`: a refused line of an uploaded file.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CsvRowError {
    /// 行番号 in the file (1 = the header line).
    pub line: i64,
    /// The header of the column at fault, when one is.
    pub column: Option<String>,
    pub message: String,
}

/// `CsvImport`: the run with its counts, and every refused line.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CsvImport {
    pub run: SyncRun,
    pub row_errors: Vec<CsvRowError>,
}

/// 受注CSV取込 (a GraphQL multipart request; custom-CSV shops only).
pub struct ImportOrdersCsv;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ImportOrdersCsvData {
    pub import_orders_csv: CsvImport,
}

impl Operation for ImportOrdersCsv {
    const NAME: &'static str = "ImportOrdersCsv";
    const DOCUMENT: &'static str = concat!(
        "mutation ImportOrdersCsv($input: CsvImportInput!) { importOrdersCsv(input: $input) { run { ",
        sync_run_fields!(),
        " } rowErrors { line column message } } }"
    );
    type Variables = InputVariables<CsvImportInput>;
    type Data = ImportOrdersCsvData;
}

/// `CsvExportInput`: orders of one shop by order time (inclusive) and status.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CsvExportInput {
    pub shop_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderStatus>,
    /// `None`: UTF-8 (with a BOM, for Excel).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<crate::CsvEncoding>,
}

/// `CsvFile`: a downloaded CSV file, its bytes in base64.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CsvFile {
    pub file_name: String,
    pub content_type: String,
    pub encoding: crate::CsvEncoding,
    pub order_count: i64,
    pub row_count: i64,
    /// Characters Shift_JIS cannot carry (written as 「?」), one line each.
    pub warnings: Vec<String>,
    pub content_base64: String,
}

/// 受注CSV書出.
pub struct ExportOrdersCsv;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ExportOrdersCsvData {
    pub export_orders_csv: CsvFile,
}

impl Operation for ExportOrdersCsv {
    const NAME: &'static str = "ExportOrdersCsv";
    const DOCUMENT: &'static str = "mutation ExportOrdersCsv($input: CsvExportInput!) { exportOrdersCsv(input: $input) { \
        fileName contentType encoding orderCount rowCount warnings contentBase64 } }";
    type Variables = InputVariables<CsvExportInput>;
    type Data = ExportOrdersCsvData;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_document_names_its_operation_and_balances_its_braces() {
        for (name, doc) in ALL {
            let head = doc.split(['(', '{']).next().unwrap().trim();
            let kind = head.split_whitespace().next().unwrap();
            assert!(matches!(kind, "query" | "mutation" | "subscription"), "{name}: {head}");
            assert_eq!(head.split_whitespace().nth(1), Some(*name), "{name}: {head}");
            let mut depth = 0i32;
            for c in doc.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                assert!(depth >= 0, "{name}");
            }
            assert_eq!(depth, 0, "{name}");
        }
        let mut names: Vec<_> = ALL.iter().map(|(n, _)| *n).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ALL.len(), "operation names are unique");
    }

    #[test]
    fn variables_serialise_in_the_contract_names() {
        let vars = InquiriesVariables {
            filter: Some(InquiryFilter {
                status: Some(InquiryStatus::NeedsReply),
                shop_id: Some("s1".into()),
                ..InquiryFilter::default()
            }),
            page: Page::after(20, "c1"),
            sort: None,
            excerpt_of: None,
        };
        let json = serde_json::to_value(request::<Inquiries>(vars)).unwrap();
        assert_eq!(json["operationName"], "Inquiries");
        assert_eq!(
            json["variables"],
            serde_json::json!({"filter": {"status": "NEEDS_REPLY", "shopId": "s1"}, "first": 20, "after": "c1"})
        );
        let reply = InputVariables {
            input: ReplyInput {
                inquiry_id: "i1".into(),
                body: "x".into(),
                template_id: None,
                last_seen_message_id: Some("m9".into()),
            },
        };
        assert_eq!(
            serde_json::to_value(reply).unwrap(),
            serde_json::json!({"input": {"inquiryId": "i1", "body": "x", "lastSeenMessageId": "m9"}})
        );
        assert_eq!(serde_json::to_value(NoVariables {}).unwrap(), serde_json::json!({}));
    }

    #[test]
    fn responses_deserialise_with_errors_and_timestamps() {
        let body = r#"{"data":null,"errors":[{"message":"古いメッセージです","extensions":{"code":"CONFLICT"}}]}"#;
        let res: Response<InquiryData> = serde_json::from_str(body).unwrap();
        assert!(res.data.is_none());
        assert_eq!(res.errors[0].code(), Some("CONFLICT"));
        let body =
            r#"{"data":{"inquiryUpdated":{"id":"1","status":"REPLIED","lastMessageAt":"2023-11-26T20:14:46+09:00"}}}"#;
        let res: Response<InquiryUpdatedData> = serde_json::from_str(body).unwrap();
        let ev = res.data.unwrap().inquiry_updated;
        assert_eq!(ev.status, InquiryStatus::Replied);
        assert_eq!(ev.last_message_at.to_rfc3339(), "2023-11-26T20:14:46+09:00");
        let utc: InquiryEvent =
            serde_json::from_str(r#"{"id":"1","status":"COMPLETED","lastMessageAt":"2023-11-26T11:14:46.123Z"}"#)
                .unwrap();
        assert_eq!(utc.last_message_at, ev.last_message_at + chrono::Duration::milliseconds(123));
    }
}
