//! Yahoo! ID連携 (YConnect v2)'s authorization-code flow, by which a shop's staff connect
//! Madoguchi to their store instead of pasting tokens: the browser is sent to the
//! authorization endpoint with the shop's YConnect client, Yahoo! JAPAN asks the store's
//! Business ID to consent and sends the browser back with a `code`, which is exchanged once
//! at the token endpoint for the access and refresh tokens.
//!
//! As YConnect v2 documents it (developer.yahoo.co.jp/yconnect/v2/authorization_code/):
//! `GET {auth}/yconnect/v2/authorization?response_type=code&client_id&redirect_uri&scope&state&nonce`,
//! then `POST {auth}/yconnect/v2/token` with `grant_type=authorization_code&code&redirect_uri`
//! and Basic `client_id:client_secret`, answered with JSON `access_token`, `refresh_token`,
//! `expires_in`. ASSUMED: the scope `openid` is what the Shopping APIs need (the store's
//! permissions come from its API application, not from the scope).

use serde::Deserialize;

use super::client::AUTH_ORIGIN;
use crate::error::{MResult, MarketplaceError};
use crate::http::{self, Outbound};

/// The scope asked for (ASSUMED, see the module's documentation).
pub const SCOPE: &str = "openid";

/// Where the browser goes to consent: YConnect's authorization endpoint for this client, coming
/// back to `redirect_uri` with `state`. `origin` replaces `https://auth.login.yahoo.co.jp` (a
/// proxy, the simulator), as the shop's API base URL does for the other endpoints.
pub fn authorization_url(
    origin: Option<&str>,
    client_id: &str,
    redirect_uri: &str,
    state: &str,
    nonce: &str,
) -> String {
    let base = format!("{}/yconnect/v2/authorization", origin.unwrap_or(AUTH_ORIGIN).trim_end_matches('/'));
    let query = [
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("scope", SCOPE),
        ("state", state),
        ("nonce", nonce),
    ];
    match url::Url::parse_with_params(&base, query) {
        Ok(u) => u.to_string(),
        Err(_) => base,
    }
}

/// The tokens a consent gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
}

#[derive(Deserialize, Default)]
struct TokenAnswer {
    #[serde(default)]
    access_token: String,
    #[serde(default)]
    refresh_token: String,
    #[serde(default)]
    error: String,
    #[serde(default)]
    error_description: String,
}

/// The YConnect client of a shop.
pub struct YConnectClient<'a> {
    pub client_id: &'a str,
    pub client_secret: &'a str,
}

/// Exchanges the `code` the browser came back with for the store's tokens (once: a code is
/// good for one exchange). A refusal says why in Japanese.
pub async fn exchange_code(
    out: &Outbound,
    origin: Option<&str>,
    client: &YConnectClient<'_>,
    code: &str,
    redirect_uri: &str,
    shop_name: &str,
) -> MResult<Tokens> {
    let label = format!("Yahoo!ショッピングの店舗「{shop_name}」");
    let url = format!("{}/yconnect/v2/token", origin.unwrap_or(AUTH_ORIGIN).trim_end_matches('/'));
    let form = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirect_uri)];
    let a =
        http::send(out, &label, |c| c.post(&url).basic_auth(client.client_id, Some(client.client_secret)).form(&form))
            .await?;
    let t: TokenAnswer = serde_json::from_slice(&a.body).unwrap_or_default();
    if !a.status.is_success() || t.access_token.is_empty() || t.refresh_token.is_empty() {
        return Err(MarketplaceError::Auth {
            expired: false,
            message: format!(
                "{label}の連携をYahoo! JAPANが受け付けませんでした。クライアントID・シークレットを確認して、もう一度「連携する」を押してください (YConnect refused the authorization of shop {shop_name}: HTTP {} {} {})",
                a.status.as_u16(),
                t.error,
                t.error_description
            ),
        });
    }
    Ok(Tokens { access_token: t.access_token, refresh_token: t.refresh_token })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_authorization_url_carries_the_client_the_way_back_and_the_state_encoded() {
        let u =
            authorization_url(None, "cid", "https://madoguchi.example.jp/connect/yahoo/callback", "v1.a+b/c=", "n1");
        let parsed = url::Url::parse(&u).unwrap();
        assert_eq!(parsed.origin().ascii_serialization(), "https://auth.login.yahoo.co.jp");
        assert_eq!(parsed.path(), "/yconnect/v2/authorization");
        let q: std::collections::BTreeMap<_, _> = parsed.query_pairs().into_owned().collect();
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["client_id"], "cid");
        assert_eq!(q["redirect_uri"], "https://madoguchi.example.jp/connect/yahoo/callback");
        assert_eq!(q["state"], "v1.a+b/c=", "the state comes back exactly as sent");
        assert_eq!(q["scope"], SCOPE);
        let proxied = authorization_url(Some("http://127.0.0.1:9/"), "cid", "r", "s", "n");
        assert!(proxied.starts_with("http://127.0.0.1:9/yconnect/v2/authorization?"), "{proxied}");
    }
}
