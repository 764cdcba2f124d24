//! Yahoo! 注文API (XML) — MARKETPLACES.md §4: orderList, orderInfo, orderShipStatusChange.
//! Requests are POSTed XML rooted at `<Req>`, sent as `application/xml` or as a raw
//! `application/x-www-form-urlencoded` body; both are accepted.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use serde_json::json;

use super::{Seller, xml_headers};
use crate::Sim;
use crate::state::{Kind, Order, OrderState, Shipment};
use crate::time;
use crate::xml::{self, Writer, text};

const MAX_RESULTS: usize = 2000;

pub fn router() -> Router<Sim> {
    Router::new()
        .route("/orderList", post(order_list))
        .route("/orderInfo", post(order_info))
        .route("/orderShipStatusChange", post(ship_status_change))
}

/// A form-encoded body as text: `+` is a space, `%XX` a byte.
fn decode_form(s: &str) -> String {
    percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned()
}

/// The `<Req>` document of the three calls (what the simulator reads of it).
#[derive(Deserialize, Default, Clone)]
#[serde(default, rename_all = "PascalCase")]
struct Req {
    seller_id: Option<String>,
    search: Search,
    target: Target,
    order: OrderPart,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default, rename_all = "PascalCase")]
struct Search {
    field: Option<String>,
    condition: Condition,
    result: Option<String>,
    start: Option<String>,
    sort: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default, rename_all = "PascalCase")]
struct Condition {
    order_id: Option<String>,
    order_time_from: Option<String>,
    order_time_to: Option<String>,
    publication_time_from: Option<String>,
    publication_time_to: Option<String>,
    order_status: Option<String>,
    is_seen: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default, rename_all = "PascalCase")]
struct Target {
    order_id: Option<String>,
    field: Option<String>,
    is_point_fix: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default, rename_all = "PascalCase")]
struct OrderPart {
    ship: ShipPart,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default, rename_all = "PascalCase")]
struct ShipPart {
    ship_status: Option<String>,
    ship_company_code: Option<String>,
    ship_invoice_number1: Option<String>,
    ship_notes: Option<String>,
    ship_url: Option<String>,
    ship_date: Option<String>,
}

/// The `<Req>` document, raw or form-encoded.
fn request(raw: &Bytes) -> Option<Req> {
    let text = String::from_utf8_lossy(raw);
    let trimmed = text.trim();
    let doc = if trimmed.starts_with('<') {
        trimmed.to_string()
    } else {
        let decoded = decode_form(trimmed);
        // A form field such as `xml=<Req>…` is accepted too.
        match decoded.find('<') {
            Some(p) => decoded[p..].to_string(),
            None => return None,
        }
    };
    xml::read(&doc, "Req")
}

fn xml_response(status: StatusCode, body: String) -> Response {
    (status, xml_headers(), body).into_response()
}

/// ASSUMED error codes; the shape is the documented `Result/Error/{Code,Message}`.
fn list_error(code: &str, message: &str) -> Response {
    let mut w = Writer::new();
    w.open("Result")
        .leaf("Status", "NG")
        .open("Error")
        .leaf("Code", code)
        .leaf("Message", message)
        .close("Error")
        .close("Result");
    xml_response(StatusCode::BAD_REQUEST, w.finish())
}

fn set_error(code: &str, message: &str) -> Response {
    let mut w = Writer::new();
    w.open_with(
        "ResultSet",
        &[
            ("totalResultsAvailable", "1".into()),
            ("totalResultsReturned", "1".into()),
            ("ok", "0".into()),
            ("ng", "1".into()),
        ],
    )
    .open("Result")
    .leaf("Status", "NG")
    .open("Error")
    .leaf("Code", code)
    .leaf("Message", message)
    .close("Error")
    .close("Result")
    .close("ResultSet");
    xml_response(StatusCode::BAD_REQUEST, w.finish())
}

pub fn order_status(o: &Order) -> u8 {
    match o.state {
        OrderState::New | OrderState::Confirmed | OrderState::Shipped => 2,
        OrderState::Completed => 5,
        OrderState::Cancelled => 4,
    }
}

pub fn ship_status(o: &Order) -> u8 {
    match o.state {
        OrderState::New | OrderState::Confirmed => 1,
        OrderState::Shipped | OrderState::Completed => 3,
        OrderState::Cancelled => 0,
    }
}

fn pay_method(o: &Order) -> (&'static str, &'static str) {
    match o.payment_method.as_str() {
        "代金引換" => ("payment_d1", "商品代引"),
        "銀行振込" => ("payment_b1", "銀行振込"),
        "後払い決済" => ("payment_e1", "後払い"),
        _ => ("payment_a1", "クレジットカード決済"),
    }
}

/// A value of a top-level field of orderList / orderInfo.
fn field(o: &Order, name: &str) -> Option<String> {
    let ship = o.shipments.first();
    Some(match name {
        "OrderId" => o.number.clone(),
        "Version" => "1".into(),
        "OrderTime" => time::yahoo_order(o.ordered_at),
        "PublicationTime" => time::yahoo_order(o.ordered_at),
        "LastUpdateTime" => time::yahoo_order(o.updated_at),
        "OrderStatus" => order_status(o).to_string(),
        "IsSeen" => o.seen.to_string(),
        "IsReadOnly" => "false".into(),
        "ShipStatus" => ship_status(o).to_string(),
        "PayStatus" => "1".into(),
        "PayMethod" => pay_method(o).0.into(),
        "PayMethodName" => pay_method(o).1.into(),
        "TotalPrice" => o.total_price().to_string(),
        "ShipCharge" => o.postage.to_string(),
        "BillFirstName" => o.buyer.first_name.clone(),
        "BillLastName" => o.buyer.family_name.clone(),
        "BillFirstNameKana" => o.buyer.first_name_kana.clone(),
        "BillLastNameKana" => o.buyer.family_name_kana.clone(),
        "BillZipCode" => format!("{}-{}", &o.buyer.zip_code[..3], &o.buyer.zip_code[3..]),
        "BillPrefecture" => o.buyer.prefecture.clone(),
        "BillCity" => o.buyer.city.clone(),
        "BillAddress1" => o.buyer.sub_address.clone(),
        "BillPhoneNumber" => o.buyer.phone.clone(),
        "BillMailAddress" => o.buyer.email.clone(),
        "ShipFirstName" => o.recipient.first_name.clone(),
        "ShipLastName" => o.recipient.family_name.clone(),
        "ShipZipCode" => format!("{}-{}", &o.recipient.zip_code[..3], &o.recipient.zip_code[3..]),
        "ShipPrefecture" => o.recipient.prefecture.clone(),
        "ShipCity" => o.recipient.city.clone(),
        "ShipAddress1" => o.recipient.sub_address.clone(),
        "ShipPhoneNumber" => o.recipient.phone.clone(),
        "ShipMethodName" => o.delivery_name.clone(),
        "ShipCompanyCode" => ship.map(|s| s.carrier.clone()).unwrap_or_default(),
        "ShipInvoiceNumber1" => ship.map(|s| s.tracking_number.clone()).unwrap_or_default(),
        "ShipDate" => ship.and_then(|s| s.date).map(time::ymd).unwrap_or_default(),
        "BuyerComments" => o.remarks.clone(),
        _ => return None,
    })
}

const TOP: &[&str] = &[
    "OrderId",
    "Version",
    "OrderTime",
    "PublicationTime",
    "LastUpdateTime",
    "OrderStatus",
    "IsSeen",
    "IsReadOnly",
    "BuyerComments",
];
const PAY: &[&str] = &[
    "PayStatus",
    "PayMethod",
    "PayMethodName",
    "BillFirstName",
    "BillLastName",
    "BillFirstNameKana",
    "BillLastNameKana",
    "BillZipCode",
    "BillPrefecture",
    "BillCity",
    "BillAddress1",
    "BillPhoneNumber",
    "BillMailAddress",
];
const SHIP: &[&str] = &[
    "ShipStatus",
    "ShipMethodName",
    "ShipCompanyCode",
    "ShipInvoiceNumber1",
    "ShipDate",
    "ShipFirstName",
    "ShipLastName",
    "ShipZipCode",
    "ShipPrefecture",
    "ShipCity",
    "ShipAddress1",
    "ShipPhoneNumber",
];
const DETAIL: &[&str] = &["ShipCharge", "TotalPrice"];

fn is_string_field(name: &str) -> bool {
    !matches!(
        name,
        "OrderStatus" | "ShipStatus" | "PayStatus" | "TotalPrice" | "ShipCharge" | "IsSeen" | "IsReadOnly" | "Version"
    )
}

fn write_field(w: &mut Writer, o: &Order, name: &str) {
    if let Some(v) = field(o, name) {
        if is_string_field(name) {
            w.cdata(name, &v);
        } else {
            w.leaf(name, v);
        }
    }
}

fn csv(s: Option<&str>) -> Vec<String> {
    s.map(|s| s.split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect()).unwrap_or_default()
}

fn condition_time(name: &str, value: &Option<String>) -> Result<Option<chrono::DateTime<Utc>>, Response> {
    match text(value) {
        None => Ok(None),
        Some(s) => time::parse_yahoo_order(s)
            .map(Some)
            .ok_or_else(|| list_error("od20003", &format!("{name} must be YYYYMMDDHH24MISS."))),
    }
}

async fn order_list(State(sim): State<Sim>, seller: Seller, raw: Bytes) -> Response {
    let Some(req) = request(&raw) else {
        return list_error("od20001", "the request is not a <Req> XML document.");
    };
    if let Err(r) = seller.check(text(&req.seller_id)) {
        return r;
    }
    let fields = csv(text(&req.search.field));
    if fields.is_empty() {
        return list_error("od20002", "Field is required.");
    }
    let cond = &req.search.condition;
    let ids = csv(text(&cond.order_id));
    let times = [
        (("OrderTimeFrom", &cond.order_time_from), ("OrderTimeTo", &cond.order_time_to)),
        (("PublicationTimeFrom", &cond.publication_time_from), ("PublicationTimeTo", &cond.publication_time_to)),
    ];
    let mut from = None;
    let mut to = None;
    for ((f, fv), (t, tv)) in times {
        match (condition_time(f, fv), condition_time(t, tv)) {
            (Ok(a), Ok(b)) => {
                from = from.or(a);
                to = to.or(b);
            }
            (Err(r), _) | (_, Err(r)) => return r,
        }
    }
    if ids.is_empty() && from.is_none() && to.is_none() {
        return list_error("od20004", "Condition must contain OrderId or a time range.");
    }
    let statuses = csv(text(&cond.order_status));
    let seen = text(&cond.is_seen).map(|s| s == "true");
    let result = match text(&req.search.result).map(str::parse::<usize>) {
        None => 10,
        Some(Ok(n)) if (1..=MAX_RESULTS).contains(&n) => n,
        _ => return list_error("od20005", "Result must be between 1 and 2000."),
    };
    let start = match text(&req.search.start).map(str::parse::<usize>) {
        None => 1,
        Some(Ok(n)) if n >= 1 => n,
        _ => return list_error("od20006", "Start must be 1 or more."),
    };
    let descending = text(&req.search.sort) == Some("-order_time");
    let st = sim.state().await;
    let mut found: Vec<&Order> = st
        .orders_of(&seller.0)
        .filter(|o| ids.is_empty() || ids.contains(&o.number))
        .filter(|o| from.is_none_or(|f| o.ordered_at >= f) && to.is_none_or(|t| o.ordered_at <= t))
        .filter(|o| statuses.is_empty() || statuses.contains(&order_status(o).to_string()))
        .filter(|o| seen.is_none_or(|s| o.seen == s))
        .collect();
    found.sort_by_key(|o| o.ordered_at);
    if descending {
        found.reverse();
    }
    let mut w = Writer::new();
    w.open("Result").leaf("Status", "OK").open("Search").leaf("TotalCount", found.len());
    let page: Vec<&Order> = found.into_iter().skip(start - 1).take(result).collect();
    if page.is_empty() {
        w.empty("OrderInfo");
    }
    for (i, o) in page.into_iter().enumerate() {
        w.open("OrderInfo").leaf("Index", start + i);
        for f in &fields {
            write_field(&mut w, o, f);
        }
        w.close("OrderInfo");
    }
    w.close("Search").close("Result");
    xml_response(StatusCode::OK, w.finish())
}

async fn order_info(State(sim): State<Sim>, seller: Seller, raw: Bytes) -> Response {
    let Some(req) = request(&raw) else {
        return set_error("od00001", "the request is not a <Req> XML document.");
    };
    if let Err(r) = seller.check(text(&req.seller_id)) {
        return r;
    }
    let Some(id) = text(&req.target.order_id).map(str::to_string) else {
        return set_error("od00002", "OrderId is required.");
    };
    let fields = csv(text(&req.target.field));
    let wanted = |name: &str| fields.is_empty() || fields.iter().any(|f| f == name);
    let mut st = sim.state().await;
    // ASSUMED: reading the detail marks the order as seen (IsSeen).
    let Some(o) = st.order_mut(&seller.0, &id) else {
        return set_error("od00003", "the order does not exist.");
    };
    o.seen = true;
    let o = o.clone();
    let mut w = Writer::new();
    w.open_with(
        "ResultSet",
        &[
            ("totalResultsAvailable", "1".into()),
            ("totalResultsReturned", "1".into()),
            ("firstResultPosition", "1".into()),
        ],
    )
    .open("Result")
    .leaf("Status", "OK")
    .open("OrderInfo");
    for f in TOP.iter().filter(|f| wanted(f)) {
        write_field(&mut w, &o, f);
    }
    for (section, names) in [("Pay", PAY), ("Ship", SHIP), ("Detail", DETAIL)] {
        let chosen: Vec<&&str> = names.iter().filter(|f| wanted(f)).collect();
        if !chosen.is_empty() {
            w.open(section);
            for f in chosen {
                write_field(&mut w, &o, f);
            }
            w.close(section);
        }
    }
    let item_fields = ["LineId", "ItemId", "Title", "SubCode", "UnitPrice", "Quantity"];
    if item_fields.iter().any(|f| wanted(f)) {
        for (n, l) in o.lines.iter().enumerate() {
            w.open("Item");
            if wanted("LineId") {
                w.leaf("LineId", n + 1);
            }
            if wanted("ItemId") {
                w.cdata("ItemId", &l.manage_number);
            }
            if wanted("Title") {
                w.cdata("Title", &l.name);
            }
            if wanted("SubCode") {
                w.cdata("SubCode", &l.sku);
            }
            if wanted("UnitPrice") {
                w.leaf("UnitPrice", l.price);
            }
            if wanted("Quantity") {
                w.leaf("Quantity", l.units);
            }
            w.close("Item");
        }
    }
    w.close("OrderInfo").close("Result").close("ResultSet");
    xml_response(StatusCode::OK, w.finish())
}

fn half_width_invoice(s: &str) -> bool {
    s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
}

/// Invoice number rules per carrier (Yamato digits and `-`, ≤14 bytes; Japan Post 11–13
/// characters without hyphens).
fn check_invoice(company: Option<&str>, number: &str) -> bool {
    if !half_width_invoice(number) {
        return false;
    }
    match company {
        Some("1001") => number.len() <= 14 && number.bytes().all(|c| c.is_ascii_digit() || c == b'-'),
        Some("1003") => (11..=13).contains(&number.replace('-', "").len()),
        _ => true,
    }
}

async fn ship_status_change(State(sim): State<Sim>, seller: Seller, raw: Bytes) -> Response {
    let Some(req) = request(&raw) else {
        return set_error("od00001", "the request is not a <Req> XML document.");
    };
    if let Err(r) = seller.check(text(&req.seller_id)) {
        return r;
    }
    let Some(id) = text(&req.target.order_id).map(str::to_string) else {
        return set_error("od00002", "OrderId is required.");
    };
    if text(&req.target.is_point_fix) != Some("true") {
        return set_error("od00004", "IsPointFix must be true when changing the ship status.");
    }
    let ship = &req.order.ship;
    let status: u8 = match text(&ship.ship_status).map(str::parse) {
        Some(Ok(s)) if s <= 4 => s,
        _ => return set_error("od00005", "ShipStatus must be 0 to 4."),
    };
    let company = text(&ship.ship_company_code).map(str::to_string);
    let invoice = text(&ship.ship_invoice_number1).map(str::to_string);
    if let Some(n) = &invoice
        && !check_invoice(company.as_deref(), n)
    {
        return set_error("od00006", "ShipInvoiceNumber1 is invalid for the carrier.");
    }
    if text(&ship.ship_notes).is_some_and(|n| n.chars().count() > 500)
        || text(&ship.ship_url).is_some_and(|u| u.chars().count() > 100)
    {
        return set_error("od00007", "ShipNotes or ShipUrl is too long.");
    }
    let date = match text(&ship.ship_date) {
        None => None,
        Some(d) => match NaiveDate::parse_from_str(d, "%Y%m%d") {
            Ok(parsed) if d.len() == 8 && d.bytes().all(|c| c.is_ascii_digit()) => Some(parsed),
            _ => return set_error("od00008", "ShipDate must be YYYYMMDD."),
        },
    };
    let now = Utc::now();
    let mut st = sim.state().await;
    let next = st.next_serial() as i64;
    let Some(o) = st.order_mut(&seller.0, &id) else {
        return set_error("od00003", "the order does not exist.");
    };
    if o.state == OrderState::Cancelled {
        return set_error("od00009", "the order is cancelled.");
    }
    match status {
        3 | 4 => {
            if matches!(o.state, OrderState::New | OrderState::Confirmed) {
                o.state = OrderState::Shipped;
                o.shipped_at = Some(now);
            }
            let shipment = Shipment {
                id: next,
                carrier: company.clone().unwrap_or_else(|| "1000".into()),
                tracking_number: invoice.clone().unwrap_or_default(),
                date: date.or(Some(time::jst_date(now))),
            };
            o.shipments = vec![shipment];
        }
        _ => {
            if o.state == OrderState::Shipped {
                o.state = OrderState::Confirmed;
                o.shipped_at = None;
            }
        }
    }
    o.updated_at = now;
    st.record(
        &seller.0,
        Kind::ShippingUpdate,
        &id,
        json!({"shipStatus": status, "shipCompanyCode": company, "shipInvoiceNumber1": invoice, "shipDate": date}),
    );
    let mut w = Writer::new();
    w.open_with(
        "ResultSet",
        &[
            ("totalResultsAvailable", "1".into()),
            ("totalResultsReturned", "1".into()),
            ("ok", "1".into()),
            ("ng", "0".into()),
        ],
    )
    .open("Result")
    .leaf("Status", "OK")
    .close("Result")
    .close("ResultSet");
    xml_response(StatusCode::OK, w.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoded_xml_is_decoded() {
        assert_eq!(decode_form("%3CReq%3E+a%3C%2FReq%3E"), "<Req> a</Req>");
        assert_eq!(decode_form("%E6%B3%A8%2B%zz"), "注+%zz", "a plus sign and a broken escape stay");
    }

    #[test]
    fn invoice_rules_follow_the_carrier() {
        assert!(check_invoice(Some("1001"), "1234-5678-9012"));
        assert!(!check_invoice(Some("1001"), "12345678901234567"));
        assert!(check_invoice(Some("1003"), "123456789012"));
        assert!(!check_invoice(Some("1003"), "1234567890"));
        assert!(!check_invoice(None, "１２３"));
    }
}
