//! The GraphQL operations the browser app sends, typed and generated from `schema.graphql`.
//!
//! Each operation is a unit struct implementing [`Operation`]: its name, its variables and the
//! shape of its `data`. The shapes are cynic query fragments: cynic checks every field, argument
//! and variable against the committed `schema.graphql` when this crate compiles, and writes the
//! query document from them ([`Operation::document`]). Nothing here is a hand-written query: a
//! renamed or retyped field of the contract breaks the build of the app, and the contract test
//! (`tests/api/contract.rs`) sends every operation with the app's own variables to the real
//! server and decodes the answer into these types.
//!
//! Names follow API.md: camelCase fields, SCREAMING_CASE enums (the shared enums), timestamps as
//! RFC 3339 strings with offset (read as `DateTime<FixedOffset>`), IDs as opaque [`Id`]s.
//! Nothing here depends on wasm or on the server: the app and the tests compile this module
//! (the `client` feature).

use std::collections::HashSet;

use chrono::{DateTime, FixedOffset};
use cynic::queries::OperationType;
use serde::{Deserialize, Serialize, de::DeserializeOwned};

mod glue;
pub mod schema;

mod admin;
mod csv;
mod inbox;
mod orders;
mod shops;
mod subscriptions;
mod sync;
mod templates;

pub use admin::*;
pub use csv::*;
pub use glue::{Id, Upload};
pub use inbox::*;
pub use orders::*;
pub use shops::*;
pub use subscriptions::*;
pub use sync::*;
pub use templates::*;

/// A GraphQL timestamp (`DateTime` scalar): RFC 3339 with offset.
pub type Timestamp = DateTime<FixedOffset>;

/// Whether an operation reads, writes or listens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Query,
    Mutation,
    Subscription,
}

/// One GraphQL operation: its name, typed variables and data; the document is generated.
pub trait Operation {
    /// The operation name (sent as `operationName`; the server's metrics count by it).
    const NAME: &'static str;
    const KIND: Kind;
    type Variables: cynic::QueryVariables + Serialize;
    type Data: cynic::QueryFragment<VariablesFields = <Self::Variables as cynic::QueryVariables>::Fields>
        + DeserializeOwned;

    /// The GraphQL document, written by cynic from [`Self::Data`] and [`Self::Variables`].
    fn document() -> String {
        let kind = match Self::KIND {
            Kind::Query => OperationType::Query,
            Kind::Mutation => OperationType::Mutation,
            Kind::Subscription => OperationType::Subscription,
        };
        cynic::queries::build_executable_document::<Self::Data, Self::Variables>(
            kind,
            Some(Self::NAME),
            HashSet::new(),
            None,
        )
    }
}

/// Implements [`Operation`] for a unit struct: `operation!(Name: query Data(Variables))`, or
/// with another operation name: `operation!(NameSub as "Name" => subscription Data(Variables))`.
macro_rules! operation {
    ($(#[$doc:meta])* $name:ident : $kind:ident $data:ident ( $vars:ty )) => {
        operation!(@op $(#[$doc])* $name, stringify!($name), $kind, $data, $vars);
    };
    ($(#[$doc:meta])* $name:ident as $opname:literal => $kind:ident $data:ident ( $vars:ty )) => {
        operation!(@op $(#[$doc])* $name, $opname, $kind, $data, $vars);
    };
    (@op $(#[$doc:meta])* $name:ident, $opname:expr, $kind:ident, $data:ident, $vars:ty) => {
        $(#[$doc])*
        pub struct $name;

        impl $crate::ops::Operation for $name {
            const NAME: &'static str = $opname;
            const KIND: $crate::ops::Kind = operation!(@kind $kind);
            type Variables = $vars;
            type Data = $data;
        }
    };
    (@kind query) => { $crate::ops::Kind::Query };
    (@kind mutation) => { $crate::ops::Kind::Mutation };
    (@kind subscription) => { $crate::ops::Kind::Subscription };
}
pub(crate) use operation;

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

/// The request body for `O` with these variables (an operation without variables sends `{}`).
pub fn request<O: Operation>(vars: O::Variables) -> Request<serde_json::Value> {
    let variables = match serde_json::to_value(vars) {
        Ok(serde_json::Value::Null) | Err(_) => serde_json::json!({}),
        Ok(v) => v,
    };
    Request { query: O::document(), operation_name: O::NAME.to_owned(), variables }
}

/// Variables of an operation that takes none.
pub type NoVariables = ();

/// An operation whose only variable is `$id: ID!`.
#[derive(cynic::QueryVariables, Debug, Clone, PartialEq, Eq)]
pub struct IdVariables {
    pub id: Id,
}

impl IdVariables {
    pub fn new(id: impl Into<Id>) -> Self {
        IdVariables { id: id.into() }
    }
}

/// Relay `PageInfo`.
#[derive(cynic::QueryFragment, Debug, Clone, Default, PartialEq, Eq)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

/// Cursor arguments of a Relay connection (`first`/`after` forwards, `last`/`before` backwards).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
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

/// `with_page` for variables that carry the four cursor arguments (cynic's variables cannot
/// flatten a shared struct, so each list's variables hold them itself).
macro_rules! paged {
    ($vars:ident) => {
        impl $vars {
            /// The page's cursor arguments.
            pub fn with_page(mut self, page: $crate::ops::Page) -> Self {
                self.first = page.first;
                self.after = page.after;
                self.last = page.last;
                self.before = page.before;
                self
            }
        }
    };
}
pub(crate) use paged;

/// Every operation the app sends, by name: the contract test checks that it sends each one.
pub const ALL: &[&str] = &[
    Viewer::NAME,
    InboxCounts::NAME,
    Inquiries::NAME,
    Inquiry::NAME,
    ReplyToInquiry::NAME,
    RetryMessage::NAME,
    WithdrawMessage::NAME,
    CompleteInquiry::NAME,
    ReopenInquiry::NAME,
    SetPresence::NAME,
    Templates::NAME,
    TemplateCategories::NAME,
    CreateTemplate::NAME,
    UpdateTemplate::NAME,
    DeleteTemplate::NAME,
    Shops::NAME,
    Orders::NAME,
    Order::NAME,
    UpdateOrder::NAME,
    CreateOrder::NAME,
    InquiryReceivedSub::NAME,
    InquiryUpdatedSub::NAME,
    InboxCountsChangedSub::NAME,
    PresenceChangedSub::NAME,
    ShopSettingsList::NAME,
    CreateShop::NAME,
    UpdateShop::NAME,
    SyncRuns::NAME,
    SyncRunItems::NAME,
    ImportOrders::NAME,
    ImportInquiries::NAME,
    ExportShipments::NAME,
    RegisterEvaluations::NAME,
    SyncRunUpdatedSub::NAME,
    OrderChangedSub::NAME,
    UpdateOrders::NAME,
    TestShopConnection::NAME,
    ApiTokens::NAME,
    CreateApiToken::NAME,
    RevokeApiToken::NAME,
    StaffMembers::NAME,
    CreateStaff::NAME,
    UpdateStaff::NAME,
    DisableStaff::NAME,
    EnableStaff::NAME,
    ShopCsvMapping::NAME,
    UpdateShopCsvMapping::NAME,
    ImportOrdersCsv::NAME,
    ExportOrdersCsv::NAME,
    AssignInquiry::NAME,
    AddInquiryNote::NAME,
    AssignableStaff::NAME,
    MarkInquiryRead::NAME,
    InboxPresenceSub::NAME,
    Webhooks::NAME,
    CreateWebhook::NAME,
    DeleteWebhook::NAME,
];

#[cfg(test)]
mod tests;
