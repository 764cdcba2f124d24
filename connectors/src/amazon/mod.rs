//! Amazon SP-API (JP): orders only (getOrders with NextToken paging, getOrderItems), through
//! an LWA access token obtained from the shop's refresh token. MARKETPLACES.md §7. Shipping
//! confirmation is out of scope at first, and the Messaging API cannot read buyer messages.
//!
//! Rate limits are per operation (token buckets); a 429 is retried with the usual backoff.

pub mod mapping;
pub mod wire;

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use reqwest::StatusCode;
use shared::Marketplace;

use super::http::{self, Answer};
use super::pace;
use super::{Connector, MResult, MarketplaceError};
use crate::account::Account;
use crate::model::IncomingOrder;

pub const ORIGIN: &str = "https://sellingpartnerapi-fe.amazon.com";
pub const LWA_ORIGIN: &str = "https://api.amazon.co.jp";
pub const JP_MARKETPLACE_ID: &str = "A1VC38T7YXB528";

pub struct Amazon {
    http: http::Outbound,
    origin: String,
    lwa_origin: String,
    client_id: String,
    client_secret: String,
    refresh_token: String,
    marketplace_id: String,
    label: String,
    shop_name: String,
    token: tokio::sync::Mutex<Option<String>>,
    /// Madoguchi's shop id, for pacing.
    pacer: pace::Pacer,
}

impl Amazon {
    pub fn new(account: &Account, creds: &serde_json::Value, out: http::Outbound) -> MResult<Self> {
        let get = |k: &str| creds.get(k).and_then(|v| v.as_str()).map(str::trim).filter(|v| !v.is_empty());
        let (Some(id), Some(secret), Some(refresh)) = (get("clientId"), get("clientSecret"), get("refreshToken"))
        else {
            return Err(MarketplaceError::NotConfigured(format!(
                "Amazonの店舗「{}」の認証情報 (clientId, clientSecret, refreshToken) が揃っていません (credentials of shop {} are incomplete)",
                account.shop_name, account.shop_name
            )));
        };
        let base = account.api_base_url.as_deref().map(|b| b.trim_end_matches('/').to_owned());
        Ok(Amazon {
            http: out,
            origin: base.clone().unwrap_or_else(|| ORIGIN.into()),
            // A configured base (a proxy, the simulator) serves the LWA token endpoint too.
            lwa_origin: base.unwrap_or_else(|| LWA_ORIGIN.into()),
            client_id: id.into(),
            client_secret: secret.into(),
            refresh_token: refresh.into(),
            marketplace_id: get("marketplaceId").unwrap_or(JP_MARKETPLACE_ID).into(),
            label: format!("Amazonの店舗「{}」", account.shop_name),
            shop_name: account.shop_name.clone(),
            token: tokio::sync::Mutex::new(None),
            pacer: account.pacer.clone(),
        })
    }

    fn auth_error(&self, detail: &str) -> MarketplaceError {
        let expired = detail.contains("expired") || detail.contains("revoked");
        let message = if expired {
            format!(
                "{}のリフレッシュトークンが失効しています。Seller Centralで再認可してください (the Amazon authorisation of shop {} has expired: {detail})",
                self.label, self.shop_name
            )
        } else {
            format!(
                "{}のAPI認証に失敗しました (Amazon refused the credentials of shop {}: {detail})",
                self.label, self.shop_name
            )
        };
        MarketplaceError::Auth { expired, message }
    }

    async fn access_token(&self) -> MResult<String> {
        let mut cached = self.token.lock().await;
        if let Some(t) = cached.as_ref() {
            return Ok(t.clone());
        }
        let url = format!("{}/auth/o2/token", self.lwa_origin);
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", self.refresh_token.as_str()),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.as_str()),
        ];
        let a = http::send(&self.http, &self.label, |c| c.post(&url).form(&form)).await?;
        let r: wire::TokenResponse = serde_json::from_slice(&a.body).unwrap_or_default();
        if !a.status.is_success() || r.access_token.is_empty() {
            let detail = format!("{} {}", r.error.unwrap_or_default(), r.error_description.unwrap_or_default());
            return Err(self.auth_error(detail.trim()));
        }
        *cached = Some(r.access_token.clone());
        Ok(r.access_token)
    }

    async fn get(&self, path: &str, query: &[(&str, String)]) -> MResult<Answer> {
        let token = self.access_token().await?;
        let url = format!("{}{path}", self.origin);
        // getOrders and getOrderItems have their own token buckets.
        let (bucket, rate) = if path.ends_with("/orderItems") {
            ("getOrderItems", pace::AMAZON_ORDER_ITEMS)
        } else {
            ("getOrders", pace::AMAZON_GET_ORDERS)
        };
        self.pacer.wait(bucket, rate).await;
        let a = http::send(&self.http, &self.label, |c| c.get(&url).header("x-amz-access-token", &token).query(query))
            .await?;
        if a.status.is_success() {
            return Ok(a);
        }
        let e: wire::Errors = serde_json::from_slice(&a.body).unwrap_or_default();
        let detail = e
            .errors
            .iter()
            .map(|e| format!("{} {} {}", e.code, e.message, e.details.clone().unwrap_or_default()).trim().to_owned())
            .collect::<Vec<_>>()
            .join("; ");
        Err(match a.status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => self.auth_error(&detail),
            s if s.is_server_error() || s == StatusCode::TOO_MANY_REQUESTS => {
                MarketplaceError::Unavailable(format!("{}: {detail}", self.label))
            }
            _ => MarketplaceError::Refused(format!("{}: HTTP {} {detail}", self.label, a.status.as_u16())),
        })
    }

    fn decode<T: serde::de::DeserializeOwned>(&self, a: &Answer) -> MResult<T> {
        serde_json::from_slice(&a.body).map_err(|e| {
            tracing::warn!(label = %self.label, error = %e, "an unreadable Amazon answer");
            MarketplaceError::Protocol(format!("{}: Amazonの応答を読めません (unreadable answer)", self.label))
        })
    }
}

impl Connector for Amazon {
    fn marketplace(&self) -> Marketplace {
        Marketplace::Amazon
    }

    fn fetch_orders(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> BoxFuture<'_, MResult<Vec<IncomingOrder>>> {
        Box::pin(async move {
            // CreatedBefore must be at least two minutes before now.
            let to = to.min(Utc::now() - chrono::Duration::minutes(2));
            let iso = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
            let mut orders = Vec::new();
            let mut next: Option<String> = None;
            let mut pages = 0i64;
            loop {
                pages += 1;
                if pages > http::MAX_PAGES {
                    return Err(http::too_many_pages(&self.label));
                }
                let mut q = vec![("MarketplaceIds", self.marketplace_id.clone())];
                match &next {
                    Some(t) => q.push(("NextToken", t.clone())),
                    None => {
                        q.push(("CreatedAfter", iso(from)));
                        q.push(("CreatedBefore", iso(to)));
                    }
                }
                let a = self.get("/orders/v0/orders", &q).await?;
                let r: wire::OrdersResponse = self.decode(&a)?;
                orders.extend(r.payload.orders);
                next = r.payload.next_token.filter(|t| !t.is_empty());
                if next.is_none() {
                    break;
                }
            }
            let mut out = Vec::new();
            for o in orders {
                let mut items = Vec::new();
                let mut next: Option<String> = None;
                let mut pages = 0i64;
                loop {
                    pages += 1;
                    if pages > http::MAX_PAGES {
                        return Err(http::too_many_pages(&self.label));
                    }
                    let q: Vec<(&str, String)> = next.iter().map(|t| ("NextToken", t.clone())).collect();
                    let a = self
                        .get(
                            &http::path(&[
                                http::Part::Fixed("/orders/v0/orders"),
                                http::Part::Value(&o.amazon_order_id),
                                http::Part::Fixed("/orderItems"),
                            ])?,
                            &q,
                        )
                        .await?;
                    let r: wire::OrderItemsResponse = self.decode(&a)?;
                    items.extend(r.payload.order_items);
                    next = r.payload.next_token.filter(|t| !t.is_empty());
                    if next.is_none() {
                        break;
                    }
                }
                out.push(mapping::order(&self.label, &o, &items)?);
            }
            Ok(out)
        })
    }
}
