//! ラクマ (Rakuma) shop API — ASSUMED CONTRACT. Rakuma publishes nothing (MARKETPLACES.md §5);
//! this connector speaks the contract the simulator defines (`mallsim/src/rakuma.rs`), kept in
//! this one module so it is easy to correct once the real one is known:
//!
//! - `POST /oauth/token` (password grant: registered e-mail + password, client id + secret);
//! - `GET /api/v1/orders?from&to&page&per_page` (ISO-8601, period ≤ 31 days, ≤ 100 per page);
//! - `POST /api/v1/orders/{id}/shipping_notice` `{carrier: yamato|sagawa|japanpost|other,
//!   tracking_number}`, once per order (409 `already_notified`);
//! - `POST /api/v1/orders/{id}/evaluation` `{rating, comment}` after shipping, once
//!   (409 `not_shipped` / `already_evaluated`).
//!
//! Rakuma gives no buyer details (the recipient is stored as the buyer, by `orders::upsert_order`)
//! and only single-item accounts (one item per order) are supported.

use chrono::{DateTime, Duration, Utc};
use futures_util::future::BoxFuture;
use reqwest::StatusCode;
use serde::Deserialize;
use shared::Marketplace;

use super::http::{self, Answer};
use super::pace;
use super::{Connector, MResult, MarketplaceError, ShipmentPush};
use crate::account::Account;
use crate::model::{IncomingOrder, ItemForSave, PartyForSave};

/// ASSUMED: no public origin is known; a shop must set its API base URL.
pub const ORIGIN: &str = "https://api.fril.jp/shop";
const WINDOW: Duration = Duration::days(31);
const PER_PAGE: i64 = 100;
/// ASSUMED: the shop's rating of the buyer is always "good" with the configured message.
pub const RATING: &str = "good";

#[derive(Deserialize, Default)]
#[serde(default)]
struct TokenResponse {
    access_token: String,
    error: Option<String>,
    error_description: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct OrdersResponse {
    orders: Vec<Order>,
    pagination: Pagination,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Pagination {
    total_pages: i64,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Order {
    id: String,
    status: String,
    ordered_at: String,
    item: Item,
    total: i64,
    payment_method: Option<String>,
    shipping_address: Address,
    shipping: Option<Shipping>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Item {
    name: String,
    sku: Option<String>,
    price: i64,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Address {
    name: Option<String>,
    zip_code: Option<String>,
    prefecture: Option<String>,
    city: Option<String>,
    address: Option<String>,
    phone: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Shipping {
    carrier: Option<String>,
    tracking_number: Option<String>,
    notified_at: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ErrorDetail {
    code: String,
    message: String,
}

fn carrier_code(name: Option<&str>) -> &'static str {
    shared::carriers::code(shared::Marketplace::Rakuma, name)
}

fn carrier_name(code: &str) -> &str {
    shared::carriers::name(shared::Marketplace::Rakuma, code).unwrap_or(code)
}

/// One Rakuma order; `label` names the shop in errors.
fn map_order(label: &str, o: &Order) -> MResult<IncomingOrder> {
    let a = &o.shipping_address;
    let address: String = [&a.prefecture, &a.city, &a.address].iter().filter_map(|v| v.as_deref()).collect();
    let recipient = PartyForSave {
        name: a.name.clone(),
        postal_code: a.zip_code.clone(),
        address: (!address.is_empty()).then_some(address),
        phone: a.phone.clone(),
    };
    let shipping = o.shipping.as_ref();
    let ship_date = match shipping.and_then(|s| s.notified_at.as_deref()) {
        None => None,
        Some(t) => Some(
            DateTime::parse_from_rfc3339(t)
                .map_err(|_| MarketplaceError::unreadable(label, "shipping.notified_at", t))?
                .date_naive()
                .format("%Y-%m-%d")
                .to_string(),
        ),
    };
    Ok(IncomingOrder {
        order_number: o.id.clone(),
        ordered_at: DateTime::parse_from_rfc3339(&o.ordered_at)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| MarketplaceError::unreadable(label, "ordered_at", &o.ordered_at))?,
        marketplace_status: o.status.clone(),
        buyer: recipient.clone(),
        recipient,
        requested_delivery: None,
        items: vec![ItemForSave {
            name: o.item.name.clone(),
            sku: o.item.sku.clone(),
            unit_price: o.item.price,
            quantity: 1,
        }],
        total_amount: o.total,
        payment_method: o.payment_method.clone(),
        special_notes: None,
        ship_date,
        carrier: shipping.and_then(|s| s.carrier.as_deref()).map(|c| carrier_name(c).to_owned()),
        tracking_number: shipping.and_then(|s| s.tracking_number.clone()).filter(|t| !t.is_empty()),
        delivery_method: None,
    })
}

pub struct Rakuma {
    http: http::Outbound,
    origin: String,
    email: String,
    password: String,
    client_id: String,
    client_secret: String,
    label: String,
    shop_name: String,
    token: tokio::sync::Mutex<Option<String>>,
    /// Madoguchi's shop id, for pacing.
    pacer: pace::Pacer,
}

impl Rakuma {
    pub fn new(account: &Account, creds: &serde_json::Value, out: http::Outbound) -> MResult<Self> {
        let get = |k: &str| creds.get(k).and_then(|v| v.as_str()).map(str::trim).filter(|v| !v.is_empty());
        let email = get("email").or(account.registered_email.as_deref());
        let (Some(email), Some(password), Some(id), Some(secret)) =
            (email, get("password"), get("clientId"), get("clientSecret"))
        else {
            return Err(MarketplaceError::NotConfigured(format!(
                "ラクマの店舗「{}」の認証情報 (email, password, clientId, clientSecret) が揃っていません (credentials of shop {} are incomplete)",
                account.shop_name, account.shop_name
            )));
        };
        Ok(Rakuma {
            http: out,
            origin: account.api_base_url.as_deref().unwrap_or(ORIGIN).trim_end_matches('/').to_owned(),
            email: email.into(),
            password: password.into(),
            client_id: id.into(),
            client_secret: secret.into(),
            label: format!("ラクマの店舗「{}」", account.shop_name),
            shop_name: account.shop_name.clone(),
            token: tokio::sync::Mutex::new(None),
            pacer: account.pacer.clone(),
        })
    }

    fn auth_error(&self, detail: &str) -> MarketplaceError {
        let expired = detail.contains("expired");
        let message = if expired {
            format!(
                "{}のAPI認証の有効期限が切れています (the Rakuma authorisation of shop {} has expired: {detail})",
                self.label, self.shop_name
            )
        } else {
            format!(
                "{}のAPI認証に失敗しました (Rakuma refused the credentials of shop {}: {detail})",
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
        let url = format!("{}/oauth/token", self.origin);
        let form = [
            ("grant_type", "password"),
            ("username", self.email.as_str()),
            ("password", self.password.as_str()),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.as_str()),
        ];
        let a = http::send(&self.http, &self.label, |c| c.post(&url).form(&form)).await?;
        let r: TokenResponse = serde_json::from_slice(&a.body).unwrap_or_default();
        if !a.status.is_success() || r.access_token.is_empty() {
            let d = format!("{} {}", r.error.unwrap_or_default(), r.error_description.unwrap_or_default());
            return Err(self.auth_error(d.trim()));
        }
        *cached = Some(r.access_token.clone());
        Ok(r.access_token)
    }

    async fn call(&self, post: Option<serde_json::Value>, path: &str, query: &[(&str, String)]) -> MResult<Answer> {
        let token = self.access_token().await?;
        let url = format!("{}{path}", self.origin);
        self.pacer.wait("api", pace::RAKUMA).await;
        http::send(&self.http, &self.label, |c| {
            let r = match &post {
                Some(body) => c.post(&url).json(body),
                None => c.get(&url).query(query),
            };
            r.bearer_auth(&token)
        })
        .await
    }

    fn error(&self, a: &Answer) -> (String, MarketplaceError) {
        let e: ErrorBody = serde_json::from_slice(&a.body).unwrap_or_default();
        let detail = format!("{} {}", e.error.code, e.error.message).trim().to_owned();
        let err = match a.status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => self.auth_error(&format!("{detail} {}", e.error.code)),
            s if s.is_server_error() || s == StatusCode::TOO_MANY_REQUESTS => {
                MarketplaceError::Unavailable(format!("{}: {detail}", self.label))
            }
            _ => MarketplaceError::Refused(format!("{}: {detail}", self.label)),
        };
        (e.error.code, err)
    }

    /// Sends the shop's rating of the buyer; `false` when Rakuma already has one.
    pub async fn evaluate(&self, order_number: &str, comment: &str) -> MResult<bool> {
        let body = serde_json::json!({"rating": RATING, "comment": comment});
        use http::Part::{Fixed, Value};
        let path = http::path(&[Fixed("/api/v1/orders"), Value(order_number), Fixed("/evaluation")])?;
        let a = self.call(Some(body), &path, &[]).await?;
        if a.status.is_success() {
            return Ok(true);
        }
        match self.error(&a) {
            (code, _) if a.status == StatusCode::CONFLICT && code == "already_evaluated" => Ok(false),
            (_, e) => Err(e),
        }
    }
}

impl Connector for Rakuma {
    fn marketplace(&self) -> Marketplace {
        Marketplace::Rakuma
    }

    fn fetch_orders(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> BoxFuture<'_, MResult<Vec<IncomingOrder>>> {
        Box::pin(async move {
            let iso = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
            let mut out = Vec::new();
            for (f, t) in super::rakuten::windows(from, to, WINDOW) {
                let mut page = 1;
                loop {
                    let q = [
                        ("from", iso(f)),
                        ("to", iso(t)),
                        ("page", page.to_string()),
                        ("per_page", PER_PAGE.to_string()),
                    ];
                    let a = self.call(None, "/api/v1/orders", &q).await?;
                    if !a.status.is_success() {
                        return Err(self.error(&a).1);
                    }
                    let r: OrdersResponse = serde_json::from_slice(&a.body).map_err(|e| {
                        tracing::warn!(label = %self.label, error = %e, "an unreadable Rakuma answer");
                        MarketplaceError::Protocol(format!(
                            "{}: ラクマの応答を読めません (unreadable answer)",
                            self.label
                        ))
                    })?;
                    for o in &r.orders {
                        out.push(map_order(&self.label, o)?);
                    }
                    if page >= r.pagination.total_pages || r.orders.is_empty() {
                        break;
                    }
                    if page >= http::MAX_PAGES {
                        return Err(http::too_many_pages(&self.label));
                    }
                    page += 1;
                }
            }
            Ok(out)
        })
    }

    fn push_shipment<'a>(&'a self, s: &'a ShipmentPush) -> BoxFuture<'a, MResult<()>> {
        Box::pin(async move {
            let body = serde_json::json!({
                "carrier": carrier_code(s.carrier.as_deref()),
                "tracking_number": s.tracking_number.clone().unwrap_or_default(),
            });
            use http::Part::{Fixed, Value};
            let path = http::path(&[Fixed("/api/v1/orders"), Value(&s.order_number), Fixed("/shipping_notice")])?;
            let a = self.call(Some(body), &path, &[]).await?;
            if a.status.is_success() {
                return Ok(());
            }
            match self.error(&a) {
                // Rakuma takes one notice per order: it already has this one (an earlier attempt).
                (code, _) if a.status == StatusCode::CONFLICT && code == "already_notified" => Ok(()),
                (_, e) => Err(e),
            }
        })
    }

    fn register_evaluation<'a>(&'a self, order_number: &'a str, comment: &'a str) -> BoxFuture<'a, MResult<bool>> {
        Box::pin(self.evaluate(order_number, comment))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LABEL: &str = "ラクマの店舗「A」";

    fn wire_order(ordered_at: &str, notified_at: &str) -> Order {
        serde_json::from_str(&format!(
            r#"{{"id":"m1","status":"shipped","ordered_at":"{ordered_at}","item":{{"name":"湯呑み","price":1500}},
                "total":1500,"shipping_address":{{"name":"山田 花子"}},
                "shipping":{{"carrier":"yamato","tracking_number":"1234","notified_at":"{notified_at}"}}}}"#
        ))
        .unwrap()
    }

    #[test]
    fn an_order_maps_with_the_recipient_as_buyer_and_its_shipping() {
        let o = map_order(LABEL, &wire_order("2026-11-01T09:00:00+09:00", "2026-11-02T10:00:00+09:00")).unwrap();
        assert_eq!(o.ordered_at.to_rfc3339(), "2026-11-01T00:00:00+00:00");
        assert_eq!(o.buyer.name.as_deref(), Some("山田 花子"));
        assert_eq!((o.ship_date.as_deref(), o.carrier.as_deref()), (Some("2026-11-02"), Some("ヤマト運輸")));
    }

    #[test]
    fn an_unreadable_order_or_notice_time_is_an_error_naming_the_field_and_the_shop() {
        for (o, field) in [
            (wire_order("11/1", "2026-11-02T10:00:00+09:00"), "ordered_at"),
            (wire_order("2026-11-01T09:00:00+09:00", "tomorrow"), "notified_at"),
        ] {
            let err = map_order(LABEL, &o).expect_err("refused");
            assert!(matches!(err, MarketplaceError::Protocol(_)), "{err:?}");
            assert!(err.to_string().contains(field) && err.to_string().contains("店舗「A」"), "{err}");
        }
    }
}
