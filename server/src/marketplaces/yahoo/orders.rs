//! Yahoo!ショッピング 注文API (XML, MARKETPLACES.md §4): orderList (order ids by order time,
//! pages of up to 2000), orderInfo (one order with its items), orderShipStatusChange
//! (ShipStatus 3 with carrier code, invoice number and ship date; `IsPointFix` true).

use chrono::{DateTime, FixedOffset, Utc};

use super::Yahoo;
use crate::marketplaces::xml;
use crate::marketplaces::{MResult, MarketplaceError, ShipmentPush};
use crate::orders::{IncomingOrder, ItemForSave, PartyForSave};

const PAGE: usize = 2000;
const INFO_FIELDS: &str = "OrderId,OrderTime,OrderStatus,BuyerComments,PayMethodName,BillFirstName,BillLastName,BillZipCode,BillPrefecture,BillCity,BillAddress1,BillPhoneNumber,ShipStatus,ShipMethodName,ShipCompanyCode,ShipInvoiceNumber1,ShipDate,ShipFirstName,ShipLastName,ShipZipCode,ShipPrefecture,ShipCity,ShipAddress1,ShipPhoneNumber,TotalPrice,LineId,Title,SubCode,UnitPrice,Quantity";

fn jst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("valid offset")
}

/// Yahoo! ShipCompanyCode (MARKETPLACES.md §4.1).
pub fn carrier_code(name: Option<&str>) -> &'static str {
    match name.map(str::trim).unwrap_or("") {
        "ヤマト運輸" | "ヤマト" => "1001",
        "佐川急便" | "佐川" => "1002",
        "日本郵便" | "ゆうパック" | "ゆうパケット" => "1003",
        "西濃運輸" => "1004",
        _ => "1000",
    }
}

fn carrier_name(code: &str) -> Option<&'static str> {
    Some(match code {
        "1000" => "その他",
        "1001" => "ヤマト運輸",
        "1002" => "佐川急便",
        "1003" => "日本郵便",
        "1004" => "西濃運輸",
        _ => return None,
    })
}

fn join(parts: &[Option<String>], sep: &str) -> Option<String> {
    let v: Vec<&str> = parts.iter().flatten().map(String::as_str).filter(|s| !s.is_empty()).collect();
    (!v.is_empty()).then(|| v.join(sep))
}

fn order(info: &str) -> IncomingOrder {
    let t = |n: &str| xml::text(info, n);
    let status = t("OrderStatus").unwrap_or_default();
    let raw = match t("ShipStatus") {
        Some(s) => format!("{status}/{s}"),
        None => status,
    };
    IncomingOrder {
        order_number: t("OrderId").unwrap_or_default(),
        ordered_at: t("OrderTime")
            .and_then(|v| DateTime::parse_from_rfc3339(&v).ok())
            .map(|v| v.with_timezone(&Utc))
            .unwrap_or_else(Utc::now),
        marketplace_status: raw,
        buyer: PartyForSave {
            name: join(&[t("BillLastName"), t("BillFirstName")], " "),
            postal_code: t("BillZipCode"),
            address: join(&[t("BillPrefecture"), t("BillCity"), t("BillAddress1")], ""),
            phone: t("BillPhoneNumber"),
        },
        recipient: PartyForSave {
            name: join(&[t("ShipLastName"), t("ShipFirstName")], " "),
            postal_code: t("ShipZipCode"),
            address: join(&[t("ShipPrefecture"), t("ShipCity"), t("ShipAddress1")], ""),
            phone: t("ShipPhoneNumber"),
        },
        requested_delivery: None,
        items: xml::elements(info, "Item")
            .into_iter()
            .map(|i| ItemForSave {
                name: xml::text(i, "Title").unwrap_or_default(),
                sku: xml::text(i, "SubCode"),
                unit_price: xml::text(i, "UnitPrice").and_then(|v| v.parse().ok()).unwrap_or(0),
                quantity: xml::text(i, "Quantity").and_then(|v| v.parse().ok()).unwrap_or(1),
            })
            .collect(),
        total_amount: t("TotalPrice").and_then(|v| v.parse().ok()).unwrap_or(0),
        payment_method: t("PayMethodName"),
        special_notes: t("BuyerComments"),
        ship_date: t("ShipDate"),
        carrier: t("ShipCompanyCode").map(|c| carrier_name(&c).map(str::to_owned).unwrap_or(c)),
        tracking_number: t("ShipInvoiceNumber1"),
        delivery_method: None,
    }
}

impl Yahoo {
    /// `Status` NG (or no result) → the error it carries.
    fn xml_result(&self, a: &crate::marketplaces::http::Answer) -> MResult<String> {
        let body = String::from_utf8_lossy(&a.body).into_owned();
        if a.status.is_success() && xml::text(&body, "Status").as_deref() == Some("OK") {
            return Ok(body);
        }
        if !a.status.is_success() && xml::text(&body, "Status").is_none() {
            return Err(self.client.error(a));
        }
        let detail = format!(
            "{} {}",
            xml::text(&body, "Code").unwrap_or_default(),
            xml::text(&body, "Message").unwrap_or_default()
        );
        Err(MarketplaceError::Refused(format!("{}: {}", self.client.label, detail.trim())))
    }

    pub(super) async fn orders(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> MResult<Vec<IncomingOrder>> {
        let ts = |t: DateTime<Utc>| t.with_timezone(&jst()).format("%Y%m%d%H%M%S").to_string();
        let mut ids = Vec::new();
        let mut start = 1;
        let mut pages = 0i64;
        loop {
            pages += 1;
            if pages > crate::marketplaces::http::MAX_PAGES {
                return Err(crate::marketplaces::http::too_many_pages(&self.client.label));
            }
            let req = format!(
                "<Req><Search><Result>{PAGE}</Result><Start>{start}</Start><Sort>+order_time</Sort><Condition><OrderTimeFrom>{}</OrderTimeFrom><OrderTimeTo>{}</OrderTimeTo></Condition><Field>OrderId</Field></Search><SellerId>{}</SellerId></Req>",
                ts(from),
                ts(to),
                xml::escape(&self.seller_id)
            );
            let body = self.xml_result(&self.client.call_xml("orderList", req).await?)?;
            let total: usize = xml::text(&body, "TotalCount").and_then(|v| v.parse().ok()).unwrap_or(0);
            let page: Vec<String> =
                xml::elements(&body, "OrderInfo").into_iter().filter_map(|o| xml::text(o, "OrderId")).collect();
            let n = page.len();
            ids.extend(page);
            start += n;
            if n == 0 || start > total {
                break;
            }
        }
        let mut out = Vec::new();
        for id in ids {
            let req = format!(
                "<Req><Target><OrderId>{}</OrderId><Field>{INFO_FIELDS}</Field></Target><SellerId>{}</SellerId></Req>",
                xml::escape(&id),
                xml::escape(&self.seller_id)
            );
            let body = self.xml_result(&self.client.call_xml("orderInfo", req).await?)?;
            if let Some(info) = xml::elements(&body, "OrderInfo").first() {
                out.push(order(info));
            }
        }
        Ok(out)
    }

    pub(super) async fn ship(&self, s: &ShipmentPush) -> MResult<()> {
        let req = format!(
            "<Req><Target><OrderId>{}</OrderId><IsPointFix>true</IsPointFix></Target><Order><Ship><ShipStatus>3</ShipStatus><ShipCompanyCode>{}</ShipCompanyCode><ShipInvoiceNumber1>{}</ShipInvoiceNumber1><ShipDate>{}</ShipDate></Ship></Order><SellerId>{}</SellerId></Req>",
            xml::escape(&s.order_number),
            carrier_code(s.carrier.as_deref()),
            xml::escape(s.tracking_number.as_deref().unwrap_or("")),
            s.ship_date.format("%Y%m%d"),
            xml::escape(&self.seller_id)
        );
        self.xml_result(&self.client.call_xml("orderShipStatusChange", req).await?).map(|_| ())
    }
}
