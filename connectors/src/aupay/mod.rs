//! au PAY マーケット (Wow!manager API): orders by searchTradeInfoListProc (pages of up to
//! 1000, order date in `YYYYMMDD`), shipping by updateTradeInfoProc (XML). MARKETPLACES.md §6.
//! Bearer API key, valid 90 days. Every answer is `<response><result><status>` (0 = OK).
//!
//! ASSUMED: the carrier codes other than 1 = ヤマト運輸 (the documentation lists 1/2/4/5/6/7/9
//! without names); see [`carrier_code`].

pub mod wire;

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use futures_util::future::BoxFuture;
use reqwest::StatusCode;
use shared::Marketplace;

use super::http::{self, Answer};
use super::pace;
use super::{Connector, MResult, MarketplaceError, ShipmentPush};
use crate::account::Account;
use crate::model::{IncomingOrder, ItemForSave, PartyForSave};

pub const ORIGIN: &str = "https://api.manager.wowma.jp";
const BASE: &str = "/wmshopapi";
const PAGE: usize = 1000;

pub struct AuPay {
    http: http::Outbound,
    origin: String,
    api_key: String,
    shop_id: String,
    label: String,
    shop_name: String,
    /// Madoguchi's shop id, for pacing.
    pacer: pace::Pacer,
}

fn jst() -> FixedOffset {
    shared::jst()
}

/// `YYYY/MM/DD HH:MM` (JST).
fn parse_order_date(s: &str) -> Option<DateTime<Utc>> {
    let n = NaiveDateTime::parse_from_str(s.trim(), "%Y/%m/%d %H:%M").ok()?;
    jst().from_local_datetime(&n).single().map(|t| t.with_timezone(&Utc))
}

/// The shippingCarrier code of a carrier (`shared::carriers`; names ASSUMED except 1 = ヤマト運輸).
pub fn carrier_code(name: Option<&str>) -> &'static str {
    shared::carriers::code(shared::Marketplace::AuPay, name)
}

fn carrier_name(code: &str) -> Option<&'static str> {
    shared::carriers::name(shared::Marketplace::AuPay, code)
}

/// Trimmed text, `None` when absent or empty.
fn text(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// A number that must be readable when present; `default` when absent.
fn number<T: std::str::FromStr>(label: &str, field: &str, v: &Option<String>, default: T) -> MResult<T> {
    match text(v) {
        None => Ok(default),
        Some(t) => t.parse().map_err(|_| MarketplaceError::unreadable(label, field, &t)),
    }
}

/// One `orderInfo` as Madoguchi's order; `label` names the shop in errors.
pub fn order(label: &str, x: &wire::OrderInfo) -> MResult<IncomingOrder> {
    let order_number = text(&x.order_id).ok_or_else(|| MarketplaceError::unreadable(label, "orderId", ""))?;
    let date = text(&x.order_date).unwrap_or_default();
    let ordered_at = parse_order_date(&date).ok_or_else(|| MarketplaceError::unreadable(label, "orderDate", &date))?;
    let items = x
        .detail
        .iter()
        .map(|d| {
            Ok(ItemForSave {
                name: text(&d.item_name).unwrap_or_default(),
                sku: text(&d.lotnumber).or_else(|| text(&d.item_code)),
                unit_price: number(label, "itemPrice", &d.item_price, 0)?,
                quantity: number(label, "unit", &d.unit, 1)?,
            })
        })
        .collect::<MResult<Vec<_>>>()?;
    Ok(IncomingOrder {
        order_number,
        ordered_at,
        marketplace_status: text(&x.order_status).unwrap_or_default(),
        buyer: PartyForSave {
            name: text(&x.orderer_name),
            postal_code: text(&x.orderer_zip_code),
            address: text(&x.orderer_address),
            phone: text(&x.orderer_phone_number1),
        },
        recipient: PartyForSave {
            name: text(&x.sender_name),
            postal_code: text(&x.sender_zip_code),
            address: text(&x.sender_address),
            phone: text(&x.sender_phone_number1),
        },
        requested_delivery: None,
        items,
        total_amount: number(label, "requestPrice", &x.request_price, 0)?,
        payment_method: text(&x.settlement_name),
        special_notes: text(&x.user_comment),
        ship_date: text(&x.shipping_date).map(|d| d.replace('/', "-")),
        carrier: text(&x.shipping_carrier).map(|c| carrier_name(&c).map(str::to_owned).unwrap_or(c)),
        tracking_number: text(&x.shipping_number),
        delivery_method: None,
    })
}

impl AuPay {
    pub fn new(account: &Account, creds: &serde_json::Value, out: http::Outbound) -> MResult<Self> {
        let get = |k: &str| creds.get(k).and_then(|v| v.as_str()).map(str::trim).filter(|v| !v.is_empty());
        let (Some(shop_id), Some(key)) = (get("shopId"), get("apiKey")) else {
            return Err(MarketplaceError::NotConfigured(format!(
                "au PAY マーケットの店舗「{}」の認証情報 (shopId, apiKey) が揃っていません (credentials of shop {} are incomplete)",
                account.shop_name, account.shop_name
            )));
        };
        Ok(AuPay {
            http: out,
            origin: account.api_base_url.as_deref().unwrap_or(ORIGIN).trim_end_matches('/').to_owned(),
            api_key: key.into(),
            shop_id: shop_id.into(),
            label: format!("au PAY マーケットの店舗「{}」", account.shop_name),
            shop_name: account.shop_name.clone(),
            pacer: account.pacer.clone(),
        })
    }

    /// The body of an OK answer, or the error it carries.
    fn check(&self, a: &Answer) -> MResult<wire::Response> {
        let body: wire::Response = quick_xml::de::from_str(&String::from_utf8_lossy(&a.body)).unwrap_or_default();
        if a.status.is_success() && text(&body.result.status).as_deref() == Some("0") {
            return Ok(body);
        }
        let code = text(&body.result.error.code).unwrap_or_default();
        let message = text(&body.result.error.message).unwrap_or_default();
        let detail = format!("{code} {message}").trim().to_owned();
        let detail = if detail.is_empty() { format!("HTTP {}", a.status.as_u16()) } else { detail };
        Err(match a.status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                let expired = message.contains("有効期限") || message.contains("expired");
                let message = if expired {
                    format!(
                        "{}のAPIキーの有効期限が切れています。Wow!managerで再発行してください (the au PAY API key of shop {} has expired: {detail})",
                        self.label, self.shop_name
                    )
                } else {
                    format!(
                        "{}のAPI認証に失敗しました (au PAY refused the key of shop {}: {detail})",
                        self.label, self.shop_name
                    )
                };
                MarketplaceError::Auth { expired, message }
            }
            s if s.is_server_error() || s == StatusCode::TOO_MANY_REQUESTS => {
                MarketplaceError::Unavailable(format!("{}: {detail}", self.label))
            }
            _ => MarketplaceError::Refused(format!("{}: {detail}", self.label)),
        })
    }
}

impl Connector for AuPay {
    fn marketplace(&self) -> Marketplace {
        Marketplace::AuPay
    }

    fn fetch_orders(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> BoxFuture<'_, MResult<Vec<IncomingOrder>>> {
        Box::pin(async move {
            let day = |t: DateTime<Utc>| t.with_timezone(&jst()).format("%Y%m%d").to_string();
            let url = format!("{}{BASE}/searchTradeInfoListProc", self.origin);
            let mut out = Vec::new();
            let mut start = 1usize;
            let mut pages = 0i64;
            loop {
                pages += 1;
                if pages > http::MAX_PAGES {
                    return Err(http::too_many_pages(&self.label));
                }
                let q = [
                    ("shopId", self.shop_id.clone()),
                    ("totalCount", PAGE.to_string()),
                    ("startCount", start.to_string()),
                    ("startDate", day(from)),
                    ("endDate", day(to)),
                    ("dateType", "0".to_owned()),
                ];
                self.pacer.wait("api", pace::AU_PAY).await;
                let a =
                    http::send(&self.http, &self.label, |c| c.get(&url).bearer_auth(&self.api_key).query(&q)).await?;
                let body = self.check(&a)?;
                let total: usize = text(&body.result_count).and_then(|v| v.parse().ok()).unwrap_or(0);
                let n = body.order_info.len();
                let page = body.order_info.iter().map(|o| order(&self.label, o)).collect::<MResult<Vec<_>>>()?;
                // The day-granular search may reach past the period's ends: keep the period.
                out.extend(page.into_iter().filter(|o| o.ordered_at >= from && o.ordered_at <= to));
                start += n;
                if n == 0 || start > total {
                    break;
                }
            }
            Ok(out)
        })
    }

    fn push_shipment<'a>(&'a self, s: &'a ShipmentPush) -> BoxFuture<'a, MResult<()>> {
        Box::pin(async move {
            let req = wire::UpdateRequest {
                shop_id: &self.shop_id,
                order_id: &s.order_number,
                shipping_date: s.ship_date.format("%Y/%m/%d").to_string(),
                shipping_carrier: carrier_code(s.carrier.as_deref()),
                shipping_number: s.tracking_number.as_deref().unwrap_or(""),
            };
            let body = quick_xml::se::to_string_with_root("request", &req).map_err(|e| {
                tracing::warn!(label = %self.label, error = %e, "an au PAY request could not be written");
                MarketplaceError::Protocol(format!(
                    "{}: リクエストを作れません (the request could not be written)",
                    self.label
                ))
            })?;
            let body = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>{body}");
            let url = format!("{}{BASE}/updateTradeInfoProc", self.origin);
            self.pacer.wait("api", pace::AU_PAY).await;
            let a = http::send(&self.http, &self.label, |c| {
                c.post(&url)
                    .bearer_auth(&self.api_key)
                    .header(reqwest::header::CONTENT_TYPE, "application/xml; charset=utf-8")
                    .body(body.clone())
            })
            .await?;
            self.check(&a).map(|_| ())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LABEL: &str = "au PAY マーケットの店舗「A」";

    const LIST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<response><result><status>0</status></result><resultCount>1</resultCount>
<orderInfo><orderId>61000001</orderId><orderDate>2026/11/01 09:00</orderDate><orderStatus>新規受付</orderStatus>
<ordererName>山田 花子</ordererName><requestPrice>3300</requestPrice><shippingDate/><shippingCarrier>1</shippingCarrier>
<detail><itemCode>y-1</itemCode><lotnumber/><itemName>湯呑み &amp; 急須</itemName><itemPrice>1500</itemPrice><unit>2</unit></detail>
</orderInfo></response>"#;

    fn info(xml: &str) -> wire::OrderInfo {
        let mut r: wire::Response = quick_xml::de::from_str(xml).unwrap();
        assert_eq!(r.result.status.as_deref(), Some("0"));
        r.order_info.remove(0)
    }

    #[test]
    fn an_order_info_maps_to_an_order() {
        let o = order(LABEL, &info(LIST)).unwrap();
        assert_eq!(o.order_number, "61000001");
        assert_eq!(o.ordered_at.to_rfc3339(), "2026-11-01T00:00:00+00:00");
        assert_eq!(o.items[0].name, "湯呑み & 急須");
        assert_eq!((o.items[0].sku.as_deref(), o.items[0].unit_price, o.items[0].quantity), (Some("y-1"), 1500, 2));
        assert_eq!((o.total_amount, o.carrier.as_deref(), o.ship_date.as_deref()), (3300, Some("ヤマト運輸"), None));
    }

    #[test]
    fn an_unreadable_order_date_or_number_is_an_error_naming_the_field_and_the_shop() {
        for (bad, field) in [
            (LIST.replace("2026/11/01 09:00", "2026-11-01"), "orderDate"),
            (LIST.replace("<unit>2</unit>", "<unit>二</unit>"), "unit"),
            (LIST.replace("<requestPrice>3300</requestPrice>", "<requestPrice>¥3300</requestPrice>"), "requestPrice"),
        ] {
            let err = order(LABEL, &info(&bad)).expect_err(field);
            assert!(matches!(err, MarketplaceError::Protocol(_)), "{err:?}");
            assert!(err.to_string().contains(field) && err.to_string().contains("店舗「A」"), "{err}");
        }
    }

    #[test]
    fn the_shipping_update_is_written_as_a_request_document() {
        let req = wire::UpdateRequest {
            shop_id: "s1",
            order_id: "61000001",
            shipping_date: "2026/11/02".into(),
            shipping_carrier: carrier_code(Some("佐川急便")),
            shipping_number: "12<34",
        };
        assert_eq!(
            quick_xml::se::to_string_with_root("request", &req).unwrap(),
            "<request><shopId>s1</shopId><orderId>61000001</orderId><shippingDate>2026/11/02</shippingDate><shippingCarrier>2</shippingCarrier><shippingNumber>12&lt;34</shippingNumber></request>"
        );
    }
}
