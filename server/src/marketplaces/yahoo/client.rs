//! The Yahoo! Shopping Web Service client: bearer token, one request per second per URL, and
//! the common XML error (`<Error><Message/><Code/></Error>`, also for the JSON APIs).

use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::marketplaces::http::{self, Answer};
use crate::marketplaces::pace;
use crate::marketplaces::{MResult, MarketplaceError};

pub const ORIGIN: &str = "https://circus.shopping.yahooapis.jp";
pub const BASE: &str = "/ShoppingWebService/V1";

pub struct Client {
    http: reqwest::Client,
    origin: String,
    token: String,
    shop_id: i64,
    pub label: String,
    pub shop_name: String,
}

/// The text of one XML element, e.g. `Code` in `<Error><Code>px-04102</Code></Error>`.
fn element<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{name}>"))? + start;
    let v = xml[start..end].trim();
    Some(v.strip_prefix("<![CDATA[").and_then(|v| v.strip_suffix("]]>")).unwrap_or(v))
}

impl Client {
    pub fn new(origin: Option<&str>, token: &str, shop_id: i64, shop_name: &str) -> Self {
        Client {
            http: http::client(),
            origin: origin.unwrap_or(ORIGIN).trim_end_matches('/').to_owned(),
            token: token.to_owned(),
            shop_id,
            label: format!("Yahoo!ショッピングの店舗「{shop_name}」"),
            shop_name: shop_name.to_owned(),
        }
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
        pace::wait(self.shop_id, op, pace::YAHOO_PER_URL).await;
        http::send(&self.http, &self.label, |c| {
            let mut r = c.request(method.clone(), &url).bearer_auth(&self.token).query(query);
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
        pace::wait(self.shop_id, op, pace::YAHOO_PER_URL).await;
        http::send(&self.http, &self.label, |c| {
            c.post(&url)
                .bearer_auth(&self.token)
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
        pace::wait(self.shop_id, "externalTalkFileAdd", pace::YAHOO_PER_URL).await;
        http::send(&self.http, &self.label, |c| {
            let part = reqwest::multipart::Part::stream(bytes.clone())
                .file_name(name.to_owned())
                .mime_str(content_type)
                .unwrap_or_else(|_| reqwest::multipart::Part::stream(bytes.clone()).file_name(name.to_owned()));
            c.post(&url)
                .bearer_auth(&self.token)
                .query(query)
                .multipart(reqwest::multipart::Form::new().part("file", part))
        })
        .await
    }

    pub fn decode<T: DeserializeOwned>(&self, a: &Answer) -> MResult<T> {
        serde_json::from_slice(&a.body).map_err(|e| {
            MarketplaceError::Protocol(format!("{}: Yahoo!の応答を読めません (unreadable answer: {e})", self.label))
        })
    }

    /// The code of the common XML error, if the answer is one.
    pub fn error_code(a: &Answer) -> Option<String> {
        element(&String::from_utf8_lossy(&a.body), "Code").map(str::to_owned)
    }

    pub fn error(&self, a: &Answer) -> MarketplaceError {
        let body = String::from_utf8_lossy(&a.body).into_owned();
        let code = element(&body, "Code").unwrap_or_default().to_owned();
        let message = element(&body, "Message").unwrap_or_default().to_owned();
        let www = a.headers.get("www-authenticate").and_then(|v| v.to_str().ok()).unwrap_or_default();
        let detail = if code.is_empty() && message.is_empty() {
            format!("HTTP {}", a.status.as_u16())
        } else {
            format!("{code} {message}")
        };
        match a.status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN if code != "px-04103" => {
                let expired = code == "px-04102" || www.contains("expired");
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
