//! Marketplace connectors: one folder per marketplace behind the one [`Connector`] trait.
//!
//! Each folder owns its HTTP client (reqwest), its wire types named as the marketplace names
//! them (`wire.rs`) and the mapping of those to Madoguchi's domain types (`mapping.rs`).
//! Marketplace quirks (date formats, window limits, one-way completion, duplicate answers)
//! live in that folder, never as `if marketplace == …` elsewhere.
//!
//! The base URL is the shop's `api_base_url` when set (the simulator, a proxy) or the
//! marketplace's real origin; the documented paths are appended unchanged. Credentials come
//! from the sealed store and never leave this layer.

pub mod amazon;
pub mod aupay;
pub mod http;
pub mod pace;
pub mod rakuma;
pub mod rakuten;
pub mod xml;
pub mod yahoo;

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use shared::Marketplace;

use crate::inbox::IncomingInquiry;
use crate::orders::IncomingOrder;
use crate::state::AppState;
use crate::store::entities::shop;

pub use http::{Outbound, RetryPolicy, is_public, set_retry_policy};

/// What can go wrong talking to a marketplace. Every message names the shop, so a run's
/// error list and the logs say plainly which shop needs attention.
#[derive(Debug, thiserror::Error)]
pub enum MarketplaceError {
    /// The shop has no credentials (or they cannot be read): nothing can be sent or fetched.
    #[error("{0}")]
    NotConfigured(String),
    /// The key was refused; `expired` when the marketplace says it has expired.
    #[error("{message}")]
    Auth { expired: bool, message: String },
    /// The marketplace answered and refused the request (validation, not found, …).
    #[error("{0}")]
    Refused(String),
    /// Temporary failures that outlasted the retries (429, 5xx, timeouts, dropped connections).
    #[error("{0}")]
    Unavailable(String),
    /// A request that must not be made twice (a reply) was sent, but its answer was lost (a
    /// timeout, a dropped connection): it may have arrived. Not retried blindly — the caller
    /// looks in the marketplace first (see [`http::once_only`]).
    #[error("{0}")]
    Uncertain(String),
    /// The answer could not be understood.
    #[error("{0}")]
    Protocol(String),
    /// This marketplace (or Madoguchi's connector for it) cannot do that.
    #[error("{0}")]
    Unsupported(String),
}

pub type MResult<T> = Result<T, MarketplaceError>;

/// A file attached to a reply, read from the object store.
#[derive(Clone, Debug)]
pub struct OutgoingFile {
    pub file_name: String,
    pub content_type: String,
    pub bytes: bytes::Bytes,
}

/// A reply the marketplace accepted (or already had).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentReply {
    /// The id the reply has in the marketplace's thread, so imports recognise it.
    pub marketplace_message_id: Option<String>,
}

/// Shipping data pushed to the marketplace (発送情報).
#[derive(Clone, Debug)]
pub struct ShipmentPush {
    pub order_number: String,
    pub ship_date: chrono::NaiveDate,
    pub carrier: Option<String>,
    pub delivery_method: Option<String>,
    pub tracking_number: Option<String>,
}

/// One marketplace account of one shop. Methods a marketplace does not offer answer
/// [`MarketplaceError::Unsupported`].
pub trait Connector: Send + Sync {
    fn marketplace(&self) -> Marketplace;

    /// Inquiries with their full threads whose first date is within `[from, to]`.
    fn fetch_inquiries(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> BoxFuture<'_, MResult<Vec<IncomingInquiry>>> {
        let _ = (from, to);
        Box::pin(async move { Err(self.unsupported("お問い合わせ取込")) })
    }

    /// One inquiry with its full thread; `None` when the marketplace does not know it.
    fn fetch_inquiry<'a>(&'a self, inquiry_id: &'a str) -> BoxFuture<'a, MResult<Option<IncomingInquiry>>> {
        let _ = inquiry_id;
        Box::pin(async move { Err(self.unsupported("お問い合わせ取得")) })
    }

    /// Sends a shop reply. A duplicate answer from the marketplace counts as delivered.
    fn send_reply<'a>(
        &'a self,
        inquiry_id: &'a str,
        body: &'a str,
        files: Vec<OutgoingFile>,
    ) -> BoxFuture<'a, MResult<SentReply>> {
        let _ = (inquiry_id, body, files);
        Box::pin(async move { Err(self.unsupported("返信")) })
    }

    /// The bytes and content type of a customer's file (`RemoteFile` of an imported message).
    fn fetch_file<'a>(&'a self, file: &'a crate::inbox::RemoteFile) -> BoxFuture<'a, MResult<(String, bytes::Bytes)>> {
        let _ = file;
        Box::pin(async move { Err(self.unsupported("添付ファイルの取得")) })
    }

    /// Marks an inquiry completed (`true`) or back to open (`false`).
    fn set_completed<'a>(&'a self, inquiry_id: &'a str, completed: bool) -> BoxFuture<'a, MResult<()>> {
        let _ = (inquiry_id, completed);
        Box::pin(async move { Err(self.unsupported("完了")) })
    }

    /// Orders placed within `[from, to]`.
    fn fetch_orders(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> BoxFuture<'_, MResult<Vec<IncomingOrder>>> {
        let _ = (from, to);
        Box::pin(async move { Err(self.unsupported("受注取込")) })
    }

    /// Pushes one order's shipping data.
    fn push_shipment<'a>(&'a self, shipment: &'a ShipmentPush) -> BoxFuture<'a, MResult<()>> {
        let _ = shipment;
        Box::pin(async move { Err(self.unsupported("発送情報の更新")) })
    }

    /// Registers the shop's rating of the buyer with `comment`; `false` when the marketplace
    /// already has one.
    fn register_evaluation<'a>(&'a self, order_number: &'a str, comment: &'a str) -> BoxFuture<'a, MResult<bool>> {
        let _ = (order_number, comment);
        Box::pin(async move { Err(self.unsupported("ユーザ評価")) })
    }

    fn unsupported(&self, what: &str) -> MarketplaceError {
        MarketplaceError::Unsupported(format!(
            "{}の「{what}」にはまだ対応していません ({what} is not supported for {})",
            self.marketplace().label_ja(),
            self.marketplace().name_en()
        ))
    }
}

/// Whether Madoguchi has a connector for this marketplace in this build.
pub fn has_connector(m: Marketplace) -> bool {
    !matches!(m, Marketplace::CustomCsv)
}

/// Whether this build's connector performs runs of this kind for the marketplace.
pub fn supports(m: Marketplace, kind: shared::SyncKind) -> bool {
    use shared::SyncKind::*;
    match m {
        Marketplace::Rakuten => matches!(kind, ImportOrders | ImportInquiries | ExportShipments),
        Marketplace::Yahoo => matches!(kind, ImportOrders | ImportInquiries | ExportShipments),
        Marketplace::Amazon => matches!(kind, ImportOrders),
        Marketplace::AuPay => matches!(kind, ImportOrders | ExportShipments),
        Marketplace::Rakuma => matches!(kind, ImportOrders | ExportShipments | ExportEvaluations),
        _ => false,
    }
}

/// The shop's credentials as JSON, opened with the server key.
fn credentials(state: &AppState, shop: &shop::Model) -> MResult<serde_json::Value> {
    let sealed = shop.credentials_sealed.as_deref().ok_or_else(|| {
        MarketplaceError::NotConfigured(format!(
            "店舗「{}」のAPI認証情報が設定されていません (no marketplace credentials for shop {})",
            shop.name, shop.name
        ))
    })?;
    crate::shops::open_credentials(&state.sealer, sealed).map_err(|e| {
        tracing::warn!(shop = %shop.name, error = %e, "the shop's credentials cannot be opened");
        MarketplaceError::NotConfigured(format!(
            "店舗「{}」のAPI認証情報を読み出せません。認証情報を設定し直してください (credentials of shop {} cannot be opened; set them again)",
            shop.name, shop.name
        ))
    })
}

/// One credential value of a shop (e.g. Rakuten's `pushAuthKey`), if set.
pub fn credential(state: &AppState, shop: &shop::Model, key: &str) -> Option<String> {
    credentials(state, shop).ok()?.get(key)?.as_str().map(str::to_owned)
}

/// Whether the shop is connected to its marketplace (a connector exists and credentials are set).
pub fn is_connected(shop: &shop::Model) -> bool {
    Marketplace::parse(&shop.marketplace).is_some_and(has_connector) && shop.credentials_sealed.is_some()
}

/// The connector for a shop, by its marketplace.
pub fn connector_for(state: &AppState, shop: &shop::Model) -> MResult<Box<dyn Connector>> {
    let m = Marketplace::parse(&shop.marketplace).unwrap_or(Marketplace::CustomCsv);
    let out = http::Outbound::new(state.policy.allow_private_urls);
    match m {
        Marketplace::Rakuten => Ok(Box::new(rakuten::Rakuten::new(shop, &credentials(state, shop)?, out)?)),
        Marketplace::Yahoo => {
            let (st, s) = (state.clone(), shop.clone());
            let save: yahoo::client::OnRefresh = std::sync::Arc::new(move |token: String| {
                let (st, s) = (st.clone(), s.clone());
                Box::pin(async move {
                    let patch = serde_json::json!({ "accessToken": token });
                    if let Err(e) = crate::shops::merge_credentials(&st, &s, patch).await {
                        tracing::warn!(shop = %s.name, error = ?e, "the renewed Yahoo! token could not be stored");
                    }
                })
            });
            Ok(Box::new(yahoo::Yahoo::new(shop, &credentials(state, shop)?, Some(save), out)?))
        }
        Marketplace::Amazon => Ok(Box::new(amazon::Amazon::new(shop, &credentials(state, shop)?, out)?)),
        Marketplace::AuPay => Ok(Box::new(aupay::AuPay::new(shop, &credentials(state, shop)?, out)?)),
        Marketplace::Rakuma => Ok(Box::new(rakuma::Rakuma::new(shop, &credentials(state, shop)?, out)?)),
        other => Err(MarketplaceError::Unsupported(format!(
            "{}との連携はまだ利用できません (the {} connector is not available in this build)",
            other.label_ja(),
            other.name_en()
        ))),
    }
}
