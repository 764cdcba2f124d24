//! 連携する for Yahoo!ショッピング shops: YConnect's authorization-code flow
//! (`connectors::yahoo::authorize`) instead of pasting tokens. An admin whose shop has its
//! YConnect client saved (clientId, clientSecret) opens [`START_PATH`]; the browser goes to
//! Yahoo! JAPAN to consent and comes back to [`CALLBACK_PATH`] with a code, which is exchanged
//! once for the access and refresh tokens, stored with the shop's sealed credentials.
//!
//! The `state` sent with the browser is sealed with the server key and names the tenant, the
//! shop, the staff member and the way back, for ten minutes: a code only reaches the shop of the
//! admin who started the flow, signed in with the same session's staff member — a link made by
//! someone else (another tenant, another staff member, an attacker's own consent) is refused.
//!
//! The way back is `--public-url` + [`CALLBACK_PATH`] (register it as the YConnect client's
//! コールバックURL); without `--public-url`, the address the browser used (`Host`, http — the
//! demo and tests).

use serde::{Deserialize, Serialize};
use shared::Marketplace;

use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::marketplaces::yahoo::authorize::{self, YConnectClient};
use crate::state::AppState;
use crate::store::entities::shop;

/// Where the app sends an admin to connect a shop (`?shop=ID`).
pub const START_PATH: &str = "/connect/yahoo/start";
/// Where Yahoo! JAPAN sends the browser back.
pub const CALLBACK_PATH: &str = "/connect/yahoo/callback";
/// How long a started link may take to come back.
const STATE_LIFETIME: chrono::Duration = chrono::Duration::minutes(10);
/// What a sealed value must say to be a link state (not sealed credentials or anything else).
const PURPOSE: &str = "yahoo-link";

#[derive(Serialize, Deserialize)]
struct LinkState {
    purpose: String,
    tenant: i64,
    shop: i64,
    staff: i64,
    redirect_uri: String,
    expires: i64,
}

/// The way back for a server reached at `base` (`--public-url`, or the request's own address).
pub fn redirect_uri(base: &str) -> String {
    format!("{}{CALLBACK_PATH}", base.trim_end_matches('/'))
}

/// The shop's YConnect client from its sealed credentials.
fn client_of(state: &AppState, shop: &shop::Model) -> AppResult<(String, String)> {
    let get = |k: &str| {
        crate::marketplaces::credential(state, shop, k).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
    };
    match (get("clientId"), get("clientSecret")) {
        (Some(id), Some(secret)) => Ok((id, secret)),
        _ => Err(AppError::validation(
            "credentials",
            "clientId（クライアントID）とclientSecret（シークレット）を保存してから「連携する」を押してください (save the shop's YConnect clientId and clientSecret first)",
        )),
    }
}

/// The admin's shop, a Yahoo! one.
async fn yahoo_shop(state: &AppState, actor: &Actor, shop_id: i64) -> AppResult<shop::Model> {
    actor.require(Permission::Admin)?;
    let shop = actor.scope.get::<shop::Entity>(&state.db, shop_id).await?.ok_or(AppError::NotFound("店舗"))?;
    if Marketplace::from(shop.marketplace) != Marketplace::Yahoo {
        return Err(AppError::validation(
            "shop",
            "「連携する」はYahoo!ショッピングの店舗だけで使えます (only Yahoo! shops connect this way)",
        ));
    }
    Ok(shop)
}

/// Where to send the admin's browser to consent for the shop: YConnect's authorization URL.
pub async fn start(state: &AppState, actor: &Actor, shop_id: i64, base: &str) -> AppResult<String> {
    let shop = yahoo_shop(state, actor, shop_id).await?;
    let Some(staff) = actor.staff_id else {
        return Err(AppError::Forbidden(
            "「連携する」はログインしたスタッフが行います (a signed-in staff member connects a shop)".into(),
        ));
    };
    let (client_id, _) = client_of(state, &shop)?;
    let link = LinkState {
        purpose: PURPOSE.into(),
        tenant: shop.tenant_id,
        shop: shop.id,
        staff,
        redirect_uri: redirect_uri(base),
        expires: (crate::clock::now() + STATE_LIFETIME).timestamp(),
    };
    let sealed =
        state.sealer.seal(&serde_json::to_string(&link).map_err(AppError::internal)?).map_err(AppError::internal)?;
    let nonce = format!("{:016x}", rand::random::<u64>());
    Ok(authorize::authorization_url(shop.api_base_url.as_deref(), &client_id, &link.redirect_uri, &sealed, &nonce))
}

/// What Yahoo! JAPAN sent the browser back with.
#[derive(Debug, Default, Deserialize)]
pub struct Callback {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub state: String,
    /// Set instead of `code` when the consent was refused (`access_denied`, …).
    #[serde(default)]
    pub error: String,
}

/// Completes a link: the state checked against the signed-in staff member, the code exchanged,
/// the tokens stored. Returns the shop's id; a refusal says why in Japanese.
pub async fn finish(state: &AppState, actor: &Actor, back: &Callback) -> AppResult<i64> {
    let refused = || {
        AppError::validation(
            "state",
            "連携の手続きが無効か期限切れです。店舗設定から、もう一度「連携する」を押してください (the link is invalid or expired; start again)",
        )
    };
    let link: LinkState =
        state.sealer.open(&back.state).ok().and_then(|plain| serde_json::from_str(&plain).ok()).ok_or_else(refused)?;
    if link.purpose != PURPOSE
        || link.expires < crate::clock::now().timestamp()
        || actor.staff_id != Some(link.staff)
        || actor.scope.tenant_id() != link.tenant
    {
        return Err(refused());
    }
    let shop = yahoo_shop(state, actor, link.shop).await?;
    if !back.error.is_empty() || back.code.is_empty() {
        return Err(AppError::MarketplaceRefused(format!(
            "Yahoo! JAPANで連携が許可されませんでした ({}) (the consent was not given)",
            if back.error.is_empty() { "no code" } else { back.error.as_str() }
        )));
    }
    let (client_id, client_secret) = client_of(state, &shop)?;
    let out = crate::marketplaces::Outbound::new(state.policy.allow_private_urls);
    let client = YConnectClient { client_id: &client_id, client_secret: &client_secret };
    let tokens = authorize::exchange_code(
        &out,
        shop.api_base_url.as_deref(),
        &client,
        &back.code,
        &link.redirect_uri,
        &shop.name,
    )
    .await
    .map_err(|e| AppError::MarketplaceRefused(e.to_string()))?;
    let patch = serde_json::json!({ "accessToken": tokens.access_token, "refreshToken": tokens.refresh_token });
    crate::shops::merge_credentials(state, &shop, patch).await?;
    tracing::info!(shop = shop.id, tenant = shop.tenant_id, "a Yahoo! shop was connected through YConnect");
    Ok(shop.id)
}
