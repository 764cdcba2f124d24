//! The Yahoo! Shopping Web Service client: bearer token, one request per second per URL, and
//! the common XML error (`<Error><Message/><Code/></Error>`, also for the JSON APIs).
//!
//! Yahoo! access tokens live an hour. With the shop's YConnect client (clientId, clientSecret)
//! and refresh token, an expired token is renewed at the token endpoint and the call made once
//! more; the new token is handed to [`Client::on_refresh`] to be stored with the shop.

use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::http::{self, Answer};
use crate::pace;
use crate::{MResult, MarketplaceError};

pub const ORIGIN: &str = "https://circus.shopping.yahooapis.jp";
/// YConnect, where tokens are renewed.
pub const AUTH_ORIGIN: &str = "https://auth.login.yahoo.co.jp";
pub const BASE: &str = "/ShoppingWebService/V1";

/// What renews an access token: the YConnect client and the refresh token.
#[derive(Clone, Debug)]
pub struct Refresh {
    pub client_id: String,
    pub client_secret: String,
    pub refresh_token: String,
}

/// Stores a renewed access token with the shop.
pub type OnRefresh = std::sync::Arc<dyn Fn(String) -> futures_util::future::BoxFuture<'static, ()> + Send + Sync>;

pub struct Client {
    http: http::Outbound,
    origin: String,
    auth_origin: String,
    token: tokio::sync::RwLock<String>,
    refresh: Option<Refresh>,
    on_refresh: Option<OnRefresh>,
    pacer: pace::Pacer,
    pub label: String,
    pub shop_name: String,
}

#[derive(serde::Deserialize, Default)]
struct TokenAnswer {
    #[serde(default)]
    access_token: String,
    #[serde(default)]
    error: String,
    #[serde(default)]
    error_description: String,
}

/// The code and message of Yahoo!'s XML error (`<Error><Message/><Code/></Error>`, also inside
/// an order API `<Result>`); empty when the answer is not one.
fn xml_error(body: &[u8]) -> (String, String) {
    let env: super::order_wire::Envelope = quick_xml::de::from_str(&String::from_utf8_lossy(body)).unwrap_or_default();
    env.error_detail()
}

impl Client {
    pub fn new(out: http::Outbound, origin: Option<&str>, token: &str, pacer: pace::Pacer, shop_name: &str) -> Self {
        Client {
            http: out,
            origin: origin.unwrap_or(ORIGIN).trim_end_matches('/').to_owned(),
            // A configured origin (a proxy, the simulator) serves the token endpoint too.
            auth_origin: origin.unwrap_or(AUTH_ORIGIN).trim_end_matches('/').to_owned(),
            token: tokio::sync::RwLock::new(token.to_owned()),
            refresh: None,
            on_refresh: None,
            pacer,
            label: format!("Yahoo!ショッピングの店舗「{shop_name}」"),
            shop_name: shop_name.to_owned(),
        }
    }

    /// Renews expired access tokens with this client and refresh token.
    pub fn with_refresh(mut self, refresh: Refresh, on_refresh: Option<OnRefresh>) -> Self {
        self.refresh = Some(refresh);
        self.on_refresh = on_refresh;
        self
    }

    /// Sends with the current token (paced per URL); on an expired token, renews it once and
    /// sends again.
    async fn send(
        &self,
        op: &str,
        build: impl Fn(&reqwest::Client, &str) -> reqwest::RequestBuilder,
    ) -> MResult<Answer> {
        self.pacer.wait(op, pace::YAHOO_PER_URL).await;
        let token = self.token.read().await.clone();
        let a = http::send(&self.http, &self.label, |c| build(c, &token)).await?;
        if self.refresh.is_none() || !Self::token_expired(&a) {
            return Ok(a);
        }
        let renewed = self.renew(&token).await?;
        self.pacer.wait(op, pace::YAHOO_PER_URL).await;
        http::send(&self.http, &self.label, |c| build(c, &renewed)).await
    }

    /// Yahoo!'s expired-token answer: code px-04102, or `error_description="expired token"`.
    fn says_expired(code: &str, a: &Answer) -> bool {
        code == "px-04102"
            || a.headers.get("www-authenticate").and_then(|v| v.to_str().ok()).is_some_and(|h| h.contains("expired"))
    }

    fn token_expired(a: &Answer) -> bool {
        a.status == StatusCode::UNAUTHORIZED && Self::says_expired(&Self::error_code(a).unwrap_or_default(), a)
    }

    /// A new access token from YConnect (unless another call renewed `stale` meanwhile).
    async fn renew(&self, stale: &str) -> MResult<String> {
        let Some(r) = &self.refresh else {
            return Err(MarketplaceError::NotConfigured(format!(
                "{}: リフレッシュトークンが設定されていません (no refresh token)",
                self.label
            )));
        };
        let mut token = self.token.write().await;
        if *token != stale {
            return Ok(token.clone());
        }
        let url = format!("{}/yconnect/v2/token", self.auth_origin);
        let form = [("grant_type", "refresh_token"), ("refresh_token", r.refresh_token.as_str())];
        let a = http::send(&self.http, &self.label, |c| {
            c.post(&url).basic_auth(&r.client_id, Some(&r.client_secret)).form(&form)
        })
        .await?;
        let t: TokenAnswer = serde_json::from_slice(&a.body).unwrap_or_default();
        if !a.status.is_success() || t.access_token.is_empty() {
            return Err(MarketplaceError::Auth {
                expired: true,
                message: format!(
                    "{}のアクセストークンを更新できません。Yahoo!で再認可してください (the Yahoo! token of shop {} could not be renewed: HTTP {} {} {})",
                    self.label,
                    self.shop_name,
                    a.status.as_u16(),
                    t.error,
                    t.error_description
                ),
            });
        }
        *token = t.access_token.clone();
        if let Some(save) = &self.on_refresh {
            save(t.access_token.clone()).await;
        }
        Ok(t.access_token)
    }

    pub async fn call(
        &self,
        method: Method,
        op: &str,
        query: &[(&str, String)],
        body: Option<&(impl Serialize + Sync)>,
    ) -> MResult<Answer> {
        let url = format!("{}{BASE}/{op}", self.origin);
        let json = body.map(serde_json::to_vec).transpose().map_err(|e| MarketplaceError::Protocol(e.to_string()))?;
        self.send(op, |c, token| {
            let mut r = c.request(method.clone(), &url).bearer_auth(token).query(query);
            if let Some(j) = &json {
                r = r.header(reqwest::header::CONTENT_TYPE, "application/json").body(j.clone());
            }
            r
        })
        .await
    }

    /// The XML order APIs: POST with a `<Req>` document.
    pub async fn call_xml(&self, op: &str, xml: String) -> MResult<Answer> {
        let url = format!("{}{BASE}/{op}", self.origin);
        self.send(op, |c, token| {
            c.post(&url)
                .bearer_auth(token)
                .header(reqwest::header::CONTENT_TYPE, "application/xml; charset=UTF-8")
                .body(xml.clone())
        })
        .await
    }

    pub async fn upload(
        &self,
        query: &[(&str, String)],
        name: &str,
        content_type: &str,
        bytes: bytes::Bytes,
    ) -> MResult<Answer> {
        let url = format!("{}{BASE}/externalTalkFileAdd", self.origin);
        self.send("externalTalkFileAdd", |c, token| {
            let part = reqwest::multipart::Part::stream(bytes.clone())
                .file_name(name.to_owned())
                .mime_str(content_type)
                .unwrap_or_else(|_| reqwest::multipart::Part::stream(bytes.clone()).file_name(name.to_owned()));
            c.post(&url).bearer_auth(token).query(query).multipart(reqwest::multipart::Form::new().part("file", part))
        })
        .await
    }

    pub fn decode<T: DeserializeOwned>(&self, a: &Answer) -> MResult<T> {
        serde_json::from_slice(&a.body).map_err(|e| {
            tracing::warn!(label = %self.label, error = %e, "an unreadable Yahoo! answer");
            MarketplaceError::Protocol(format!("{}: Yahoo!の応答を読めません (unreadable answer)", self.label))
        })
    }

    /// The code of the common XML error, if the answer is one.
    pub fn error_code(a: &Answer) -> Option<String> {
        Some(xml_error(&a.body).0).filter(|c| !c.is_empty())
    }

    pub fn error(&self, a: &Answer) -> MarketplaceError {
        let (code, message) = xml_error(&a.body);
        let detail = if code.is_empty() && message.is_empty() {
            format!("HTTP {}", a.status.as_u16())
        } else {
            format!("{code} {message}")
        };
        match a.status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN if code != "px-04103" => {
                let expired = Self::says_expired(&code, a);
                let message = if expired {
                    format!(
                        "{}のアクセストークンの有効期限が切れています。Yahoo!で再認可してください (the Yahoo! access token of shop {} has expired: {detail})",
                        self.label, self.shop_name
                    )
                } else {
                    format!(
                        "{}のAPI認証に失敗しました (Yahoo! refused the credentials of shop {}: {detail})",
                        self.label, self.shop_name
                    )
                };
                MarketplaceError::Auth { expired, message }
            }
            s if s.is_server_error() || s == StatusCode::TOO_MANY_REQUESTS => {
                MarketplaceError::Unavailable(format!("{}: {detail}", self.label))
            }
            _ => MarketplaceError::Refused(format!("{}: {detail}", self.label)),
        }
    }
}
