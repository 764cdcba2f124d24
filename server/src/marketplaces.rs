//! The server's side of the marketplace connectors (the `connectors` crate): which shop gets
//! which connector, with its credentials opened from the sealed store, and a renewed Yahoo!
//! token stored back with the shop. The connectors themselves know nothing of storage; this
//! module is the one place that joins a shop row to them.

use shared::Marketplace;

use crate::state::AppState;
use crate::store::entities::shop;

pub use connectors::{
    Account, Connector, IncomingInquiry, IncomingMessage, IncomingOrder, ItemForSave, MResult, MarketplaceError,
    Outbound, OutgoingFile, PartyForSave, RemoteFile, RetryPolicy, SentReply, ShipmentPush, is_public,
    set_retry_policy,
};
pub use connectors::{amazon, aupay, http, pace, rakuma, rakuten, yahoo};

/// Whether Madoguchi has a connector for this marketplace in this build.
pub fn has_connector(m: Marketplace) -> bool {
    m.capabilities().api_connector
}

/// Whether this build's connector performs runs of this kind for the marketplace.
pub fn supports(m: Marketplace, kind: shared::SyncKind) -> bool {
    m.capabilities().runs_through_api(kind)
}

/// What the connectors read from the shop row besides its credentials, and where its
/// requests are paced.
fn account(state: &AppState, shop: &shop::Model) -> Account {
    Account {
        pacer: crate::rate_budget::pacer(&state.db, shop.id),
        shop_name: shop.name.clone(),
        api_base_url: shop.api_base_url.clone(),
        registered_email: shop.registered_email.clone(),
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
    has_connector(Marketplace::from(shop.marketplace)) && shop.credentials_sealed.is_some()
}

/// The connector for a shop, by its marketplace.
pub fn connector_for(state: &AppState, shop: &shop::Model) -> MResult<Box<dyn Connector>> {
    let m = Marketplace::from(shop.marketplace);
    let out = Outbound::new(state.policy.allow_private_urls);
    if !has_connector(m) {
        return connectors::connect(m, &account(state, shop), &serde_json::Value::Null, out, None);
    }
    let creds = credentials(state, shop)?;
    connectors::connect(m, &account(state, shop), &creds, out, Some(token_saver(state, shop)))
}

/// Stores a renewed access token (Yahoo!'s) with the shop.
fn token_saver(state: &AppState, shop: &shop::Model) -> yahoo::client::OnRefresh {
    let (st, s) = (state.clone(), shop.clone());
    std::sync::Arc::new(move |token: String| {
        let (st, s) = (st.clone(), s.clone());
        Box::pin(async move {
            let patch = serde_json::json!({ "accessToken": token });
            if let Err(e) = crate::shops::merge_credentials(&st, &s, patch).await {
                tracing::warn!(shop = %s.name, error = ?e, "the renewed Yahoo! token could not be stored");
            }
        })
    })
}
