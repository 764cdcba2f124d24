//! Yahoo!ショッピング 注文API (XML, MARKETPLACES.md §4): orderList (order ids by order time,
//! pages of up to 2000), orderInfo (one order with its items), orderShipStatusChange
//! (ShipStatus 3 with carrier code, invoice number and ship date; `IsPointFix` true).

use chrono::{DateTime, FixedOffset, Utc};

use super::Yahoo;
use super::order_wire as wire;
use crate::http::{self, Answer};
use crate::model::{IncomingOrder, ItemForSave, PartyForSave};
use crate::{MResult, MarketplaceError, ShipmentPush};

const PAGE: usize = 2000;
const INFO_FIELDS: &str = "OrderId,OrderTime,OrderStatus,BuyerComments,PayMethodName,BillFirstName,BillLastName,BillZipCode,BillPrefecture,BillCity,BillAddress1,BillPhoneNumber,ShipStatus,ShipMethodName,ShipCompanyCode,ShipInvoiceNumber1,ShipDate,ShipFirstName,ShipLastName,ShipZipCode,ShipPrefecture,ShipCity,ShipAddress1,ShipPhoneNumber,TotalPrice,LineId,Title,SubCode,UnitPrice,Quantity";

fn jst() -> FixedOffset {
    shared::jst()
}

/// Yahoo! ShipCompanyCode of a carrier (`shared::carriers`; unknown: 1000 その他).
pub fn carrier_code(name: Option<&str>) -> &'static str {
    shared::carriers::code(shared::Marketplace::Yahoo, name)
}

fn carrier_name(code: &str) -> Option<&'static str> {
    shared::carriers::name(shared::Marketplace::Yahoo, code)
}

fn join(parts: &[&Option<String>], sep: &str) -> Option<String> {
    let v: Vec<&str> = parts.iter().filter_map(|p| p.as_deref()).map(str::trim).filter(|s| !s.is_empty()).collect();
    (!v.is_empty()).then(|| v.join(sep))
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

/// One orderInfo `OrderInfo` as Madoguchi's order; `label` names the shop in errors.
pub fn order(label: &str, info: &wire::OrderInfo) -> MResult<IncomingOrder> {
    let order_number = text(&info.order_id).ok_or_else(|| MarketplaceError::unreadable(label, "OrderId", ""))?;
    let time = text(&info.order_time).unwrap_or_default();
    let ordered_at = DateTime::parse_from_rfc3339(&time)
        .map(|v| v.with_timezone(&Utc))
        .map_err(|_| MarketplaceError::unreadable(label, "OrderTime", &time))?;
    let status = text(&info.order_status).unwrap_or_default();
    let (pay, ship) = (&info.pay, &info.ship);
    let raw = match text(&ship.ship_status) {
        Some(s) => format!("{status}/{s}"),
        None => status,
    };
    let items = info
        .item
        .iter()
        .map(|i| {
            Ok(ItemForSave {
                name: text(&i.title).unwrap_or_default(),
                sku: text(&i.sub_code),
                unit_price: number(label, "UnitPrice", &i.unit_price, 0)?,
                quantity: number(label, "Quantity", &i.quantity, 1)?,
            })
        })
        .collect::<MResult<Vec<_>>>()?;
    Ok(IncomingOrder {
        order_number,
        ordered_at,
        marketplace_status: raw,
        buyer: PartyForSave {
            name: join(&[&pay.bill_last_name, &pay.bill_first_name], " "),
            postal_code: text(&pay.bill_zip_code),
            address: join(&[&pay.bill_prefecture, &pay.bill_city, &pay.bill_address1], ""),
            phone: text(&pay.bill_phone_number),
        },
        recipient: PartyForSave {
            name: join(&[&ship.ship_last_name, &ship.ship_first_name], " "),
            postal_code: text(&ship.ship_zip_code),
            address: join(&[&ship.ship_prefecture, &ship.ship_city, &ship.ship_address1], ""),
            phone: text(&ship.ship_phone_number),
        },
        requested_delivery: None,
        items,
        total_amount: number(label, "TotalPrice", &info.detail.total_price, 0)?,
        payment_method: text(&pay.pay_method_name),
        special_notes: text(&info.buyer_comments),
        ship_date: text(&ship.ship_date),
        carrier: text(&ship.ship_company_code).map(|c| carrier_name(&c).map(str::to_owned).unwrap_or(c)),
        tracking_number: text(&ship.ship_invoice_number1),
        delivery_method: None,
    })
}

/// A `<Req>` document.
fn request(label: &str, req: &impl serde::Serialize) -> MResult<String> {
    quick_xml::se::to_string_with_root("Req", req).map_err(|e| {
        tracing::warn!(%label, error = %e, "a Yahoo! request could not be written");
        MarketplaceError::Protocol(format!("{label}: リクエストを作れません (the request could not be written)"))
    })
}

impl Yahoo {
    /// `Status` NG (or no result) → the error it carries.
    fn xml_result(&self, a: &Answer) -> MResult<wire::Envelope> {
        let env: wire::Envelope = quick_xml::de::from_str(&String::from_utf8_lossy(&a.body)).unwrap_or_default();
        let status = env.result().status.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        if a.status.is_success() && status.as_deref() == Some("OK") {
            return Ok(env);
        }
        if !a.status.is_success() && status.is_none() {
            return Err(self.client.error(a));
        }
        let (code, message) = env.error_detail();
        let detail = format!("{code} {message}");
        Err(MarketplaceError::Refused(format!("{}: {}", self.client.label, detail.trim())))
    }

    pub(super) async fn orders(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> MResult<Vec<IncomingOrder>> {
        let ts = |t: DateTime<Utc>| t.with_timezone(&jst()).format("%Y%m%d%H%M%S").to_string();
        let label = &self.client.label;
        let mut ids = Vec::new();
        let mut start = 1;
        let mut pages = 0i64;
        loop {
            pages += 1;
            if pages > http::MAX_PAGES {
                return Err(http::too_many_pages(label));
            }
            let req = wire::ListRequest {
                search: wire::ListSearch {
                    result: PAGE,
                    start,
                    sort: "+order_time",
                    condition: wire::ListCondition { order_time_from: ts(from), order_time_to: ts(to) },
                    field: "OrderId",
                },
                seller_id: &self.seller_id,
            };
            let env = self.xml_result(&self.client.call_xml("orderList", request(label, &req)?).await?)?;
            let search = env.result().search.as_ref();
            let total: usize = search.and_then(|s| text(&s.total_count)).and_then(|v| v.parse().ok()).unwrap_or(0);
            let page: Vec<String> =
                search.map(|s| s.order_info.iter().filter_map(|o| text(&o.order_id)).collect()).unwrap_or_default();
            let n = page.len();
            ids.extend(page);
            start += n;
            if n == 0 || start > total {
                break;
            }
        }
        let mut out = Vec::new();
        for id in ids {
            let req = wire::InfoRequest {
                target: wire::InfoTarget { order_id: &id, field: INFO_FIELDS },
                seller_id: &self.seller_id,
            };
            let env = self.xml_result(&self.client.call_xml("orderInfo", request(label, &req)?).await?)?;
            if let Some(info) = &env.result().order_info {
                out.push(order(label, info)?);
            }
        }
        Ok(out)
    }

    pub(super) async fn ship(&self, s: &ShipmentPush) -> MResult<()> {
        let req = wire::ShipRequest {
            target: wire::ShipTarget { order_id: &s.order_number, is_point_fix: true },
            order: wire::ShipOrder {
                ship: wire::ShipChange {
                    ship_status: 3,
                    ship_company_code: carrier_code(s.carrier.as_deref()),
                    ship_invoice_number1: s.tracking_number.as_deref().unwrap_or(""),
                    ship_date: s.ship_date.format("%Y%m%d").to_string(),
                },
            },
            seller_id: &self.seller_id,
        };
        let body = request(&self.client.label, &req)?;
        self.xml_result(&self.client.call_xml("orderShipStatusChange", body).await?).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INFO: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ResultSet totalResultsAvailable="1"><Result><Status>OK</Status><OrderInfo>
<OrderId><![CDATA[store-10000001]]></OrderId><OrderTime>2026-11-01T09:00:00+09:00</OrderTime><OrderStatus>2</OrderStatus>
<Pay><PayMethodName><![CDATA[クレジット & カード]]></PayMethodName><BillLastName>山田</BillLastName><BillFirstName>花子</BillFirstName></Pay>
<Ship><ShipStatus>1</ShipStatus><ShipCompanyCode>1001</ShipCompanyCode></Ship><Detail><TotalPrice>3300</TotalPrice></Detail>
<Item><LineId>1</LineId><Title><![CDATA[湯呑み]]></Title><SubCode>yunomi-1</SubCode><UnitPrice>1500</UnitPrice><Quantity>2</Quantity></Item>
</OrderInfo></Result></ResultSet>"#;

    fn info(xml: &str) -> wire::OrderInfo {
        let env: wire::Envelope = quick_xml::de::from_str(xml).unwrap();
        let result = env.result.unwrap();
        assert_eq!(result.status.as_deref(), Some("OK"));
        result.order_info.unwrap()
    }

    #[test]
    fn an_order_info_maps_to_an_order() {
        let o = order("Yahoo!ショッピングの店舗「A」", &info(INFO)).unwrap();
        assert_eq!(o.order_number, "store-10000001");
        assert_eq!(o.ordered_at.to_rfc3339(), "2026-11-01T00:00:00+00:00");
        assert_eq!(o.marketplace_status, "2/1");
        assert_eq!(o.buyer.name.as_deref(), Some("山田 花子"));
        assert_eq!(o.payment_method.as_deref(), Some("クレジット & カード"));
        assert_eq!(o.carrier.as_deref(), Some("ヤマト運輸"));
        assert_eq!((o.items.len(), o.items[0].unit_price, o.items[0].quantity), (1, 1500, 2));
        assert_eq!(o.total_amount, 3300);
    }

    #[test]
    fn an_unreadable_order_time_or_number_is_an_error_naming_the_field_and_the_shop() {
        for (bad, field) in [
            (INFO.replace("2026-11-01T09:00:00+09:00", "yesterday"), "OrderTime"),
            (INFO.replace("<OrderTime>2026-11-01T09:00:00+09:00</OrderTime>", ""), "OrderTime"),
            (INFO.replace("<Quantity>2</Quantity>", "<Quantity>two</Quantity>"), "Quantity"),
            (INFO.replace("<TotalPrice>3300</TotalPrice>", "<TotalPrice>3,300</TotalPrice>"), "TotalPrice"),
        ] {
            let err = order("Yahoo!ショッピングの店舗「A」", &info(&bad)).expect_err(field);
            assert!(matches!(err, MarketplaceError::Protocol(_)), "{err:?}");
            assert!(err.to_string().contains(field) && err.to_string().contains("店舗「A」"), "{err}");
        }
    }

    #[test]
    fn requests_are_written_as_req_documents_with_escaped_values() {
        let req =
            wire::InfoRequest { target: wire::InfoTarget { order_id: "a<b&c", field: "OrderId" }, seller_id: "store" };
        assert_eq!(
            request("x", &req).unwrap(),
            "<Req><Target><OrderId>a&lt;b&amp;c</OrderId><Field>OrderId</Field></Target><SellerId>store</SellerId></Req>"
        );
    }
}
