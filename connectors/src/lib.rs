//! Marketplace connectors: one folder per marketplace behind the one [`Connector`] trait.
//!
//! Each folder owns its HTTP client (reqwest), its wire types named as the marketplace names
//! them (`wire.rs`) and the mapping of those to Madoguchi's domain types (`mapping.rs`, into
//! [`model`]). Marketplace quirks (date formats, window limits, one-way completion, duplicate
//! answers) live in that folder, never as `if marketplace == …` elsewhere.
//!
//! This crate knows nothing of storage, GraphQL or the server: a connector is made from an
//! [`Account`] (the shop's name, id and API base URL) and its credentials, already opened by
//! the caller ([`connect`]). The base URL is the shop's `api_base_url` when set (the simulator,
//! a proxy) or the marketplace's real origin; the documented paths are appended unchanged.
//! Credentials never leave this layer.

pub mod account;
pub mod amazon;
pub mod aupay;
pub mod connector;
pub mod error;
pub mod http;
pub mod metrics;
pub mod model;
pub mod pace;
pub mod rakuma;
pub mod rakuten;
pub mod yahoo;

pub use account::{Account, connect};
pub use connector::{Connector, OutgoingFile, SentReply, ShipmentPush};
pub use error::{MResult, MarketplaceError};
pub use http::{Outbound, RetryPolicy, is_public, set_retry_policy};
pub use model::{IncomingInquiry, IncomingMessage, IncomingOrder, ItemForSave, PartyForSave, RemoteFile};
