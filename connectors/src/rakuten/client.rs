//! The RMS HTTP client: ESA authentication, the two API bases, and reading RMS's error
//! envelopes into [`MarketplaceError`]s that name the shop.

use base64::Engine;
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::wire;
use crate::http::{self, Answer};
use crate::pace;
use crate::{MResult, MarketplaceError};

/// RMS's real origin; a shop's `api_base_url` replaces it.
pub const ORIGIN: &str = "https://api.rms.rakuten.co.jp";
pub const INQUIRY_BASE: &str = "/es/1.0/inquirymng-api";
pub const ORDER_BASE: &str = "/es/2.0/order";

pub struct Client {
    http: http::Outbound,
    origin: String,
    authorization: String,
    /// `楽天市場「shop name」`, for messages.
    pub label: String,
    pub shop_name: String,
    pacer: pace::Pacer,
}

impl Client {
    pub fn new(
        out: http::Outbound,
        origin: Option<&str>,
        service_secret: &str,
        license_key: &str,
        pacer: pace::Pacer,
        shop_name: &str,
    ) -> Self {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{service_secret}:{license_key}"));
        Client {
            http: out,
            origin: origin.unwrap_or(ORIGIN).trim_end_matches('/').to_owned(),
            authorization: format!("ESA {token}"),
            label: format!("楽天市場の店舗「{shop_name}」"),
            shop_name: shop_name.to_owned(),
            pacer,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    /// Sends with retries; answers with the body of a 2xx, or the error it means.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&(impl Serialize + Sync)>,
    ) -> MResult<Answer> {
        let url = self.url(path);
        let json = body.map(serde_json::to_vec).transpose().map_err(|e| MarketplaceError::Protocol(e.to_string()))?;
        self.pacer.wait("rms", pace::RAKUTEN).await;
        let answer = http::send(&self.http, &self.label, |c| {
            let mut r = c
                .request(method.clone(), &url)
                .header(reqwest::header::AUTHORIZATION, &self.authorization)
                .header(reqwest::header::ACCEPT, "application/json");
            if !query.is_empty() {
                r = r.query(query);
            }
            if let Some(j) = &json {
                r = r.header(reqwest::header::CONTENT_TYPE, "application/json; charset=utf-8").body(j.clone());
            }
            r
        })
        .await?;
        Ok(answer)
    }

    /// Uploads one attachment (multipart field `file`).
    pub async fn upload(&self, file_name: &str, content_type: &str, bytes: bytes::Bytes) -> MResult<Answer> {
        let url = self.url(&format!("{INQUIRY_BASE}/attachment"));
        self.pacer.wait("rms", pace::RAKUTEN).await;
        http::send(&self.http, &self.label, |c| {
            let part = reqwest::multipart::Part::stream(bytes.clone())
                .file_name(file_name.to_owned())
                .mime_str(content_type)
                .unwrap_or_else(|_| reqwest::multipart::Part::stream(bytes.clone()).file_name(file_name.to_owned()));
            c.post(&url)
                .header(reqwest::header::AUTHORIZATION, &self.authorization)
                .multipart(reqwest::multipart::Form::new().part("file", part))
        })
        .await
    }

    pub fn decode<T: DeserializeOwned>(&self, a: &Answer) -> MResult<T> {
        serde_json::from_slice(&a.body).map_err(|e| {
            tracing::warn!(label = %self.label, error = %e, "an unreadable RMS answer");
            MarketplaceError::Protocol(format!("{}: RMSの応答を読めません (unreadable RMS answer)", self.label))
        })
    }

    /// The error an answer that is not a success means.
    pub fn error(&self, a: &Answer) -> MarketplaceError {
        let env: wire::ErrorEnvelope = serde_json::from_slice(&a.body).unwrap_or_default();
        let mut detail = Vec::new();
        if let Some(r) = &env.results {
            detail.push(format!("{} {}", r.error_code, r.message));
        }
        if let Some(e) = &env.error {
            let targets = e.targets.as_ref().map(|t| format!(" {t}")).unwrap_or_default();
            detail.push(format!("{} {}{targets}", e.code, e.message));
        }
        for e in env.errors.iter().flatten() {
            detail.push(format!("{} {}", e.code, e.message));
        }
        for m in env.message_model_list.iter().flatten().filter(|m| m.message_type == "ERROR") {
            detail.push(format!("{} {}", m.message_code, m.message));
        }
        let detail = if detail.is_empty() { format!("HTTP {}", a.status.as_u16()) } else { detail.join("; ") };
        match a.status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                let expired = detail.to_ascii_lowercase().contains("expired");
                let message = if expired {
                    format!(
                        "{}のライセンスキーの有効期限が切れています。RMSで再発行して設定し直してください (the Rakuten licence key of shop {} has expired: {detail})",
                        self.label, self.shop_name
                    )
                } else {
                    format!(
                        "{}のAPI認証に失敗しました。serviceSecret と licenseKey を確認してください (Rakuten refused the credentials of shop {}: {detail})",
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
