//! au PAY マーケット (Wow!manager API) — MARKETPLACES.md §6, under `/wmshopapi/`:
//! searchTradeInfoListProc (GET, order search), searchTradeInfoProc (GET, one order) and
//! updateTradeInfoProc (POST XML, shipping). `Authorization: Bearer <APIキー>`; keys expire after
//! 90 days. Every answer is `<response><result><status>0|1</status>…`; status ≠ 0 is an error.
//!
//! ASSUMED here: the error codes and texts, the HTTP status of errors (401 for auth, 400 for
//! parameters; the body says `status 1` either way), the `orderStatus` names of the neutral
//! states, `dateType 1` = shipping date, and `resultCount` = total hits.

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{Duration, NaiveDate, Utc};
use serde_json::json;

use crate::Sim;
use crate::state::{AccountKey, Credentials, Kind, Marketplace, Order, OrderState, Shipment};
use crate::time;
use crate::xml::{self, Writer, text};

const MAX_PAGE: usize = 1000;

pub fn router() -> Router<Sim> {
    Router::new().nest(
        "/wmshopapi",
        Router::new()
            .route("/searchTradeInfoListProc", get(search_list))
            .route("/searchTradeInfoProc", get(search_one))
            .route("/updateTradeInfoProc", post(update_trade_info)),
    )
}

fn respond(status: StatusCode, body: String) -> Response {
    (status, [(axum::http::header::CONTENT_TYPE, "application/xml; charset=utf-8")], body).into_response()
}

pub fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let mut w = Writer::new();
    w.open("response")
        .open("result")
        .leaf("status", 1)
        .open("error")
        .leaf("code", code)
        .leaf("message", message)
        .close("error")
        .close("result")
        .close("response");
    respond(status, w.finish())
}

pub fn overload_error(status: u16) -> Response {
    if status == 429 {
        error(StatusCode::TOO_MANY_REQUESTS, "PUB0429", "アクセスが集中しています。時間をおいて再度実行してください。")
    } else {
        error(StatusCode::SERVICE_UNAVAILABLE, "PUB0503", "メンテナンス中です。")
    }
}

/// The shop whose API key the request carries.
pub struct Shop(pub AccountKey);

impl FromRequestParts<Sim> for Shop {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, sim: &Sim) -> Result<Self, Response> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer "))
            .unwrap_or_default()
            .trim()
            .to_string();
        let st = sim.state().await;
        let key = st.find_account(
            Marketplace::Aupay,
            |c| matches!(c, Credentials::Aupay { api_key, .. } if !token.is_empty() && *api_key == token),
        );
        match key {
            None => Err(error(StatusCode::UNAUTHORIZED, "PUB0001", "認証に失敗しました。APIキーを確認してください。")),
            Some(k) if st.key_expired(&k) => Err(error(
                StatusCode::UNAUTHORIZED,
                "PUB0002",
                "APIキーの有効期限が切れています。Wow!managerでAPIキーを再発行してください。",
            )),
            Some(k) => Ok(Shop(k)),
        }
    }
}

impl Shop {
    fn check(&self, shop_id: Option<&str>) -> Result<(), Response> {
        if shop_id == Some(self.0.id.as_str()) {
            Ok(())
        } else {
            Err(error(StatusCode::BAD_REQUEST, "PUB0003", "shopIdが不正です。"))
        }
    }
}

/// orderStatus names for the neutral states.
pub fn order_status(o: &Order) -> &'static str {
    match o.state {
        OrderState::New => "新規受付",
        OrderState::Confirmed => "発送待ち",
        OrderState::Shipped | OrderState::Completed => "完了",
        OrderState::Cancelled => "キャンセル",
    }
}

fn write_order(w: &mut Writer, o: &Order) {
    let addr = |p: &crate::state::Person| format!("{}{}{}", p.prefecture, p.city, p.sub_address);
    let ship = o.shipments.first();
    w.open("orderInfo")
        .leaf("orderId", &o.number)
        .leaf("orderDate", time::aupay(o.ordered_at))
        .leaf("orderStatus", order_status(o))
        .leaf("ordererName", o.buyer.full_name())
        .leaf("ordererKana", format!("{} {}", o.buyer.family_name_kana, o.buyer.first_name_kana))
        .leaf("ordererZipCode", &o.buyer.zip_code)
        .leaf("ordererAddress", addr(&o.buyer))
        .leaf("ordererPhoneNumber1", &o.buyer.phone)
        .leaf("ordererPhoneNumber2", "")
        .leaf("senderName", o.recipient.full_name())
        .leaf("senderKana", format!("{} {}", o.recipient.family_name_kana, o.recipient.first_name_kana))
        .leaf("senderZipCode", &o.recipient.zip_code)
        .leaf("senderAddress", addr(&o.recipient))
        .leaf("senderPhoneNumber1", &o.recipient.phone)
        .leaf("mailAddress", &o.buyer.email)
        .leaf("settlementName", &o.payment_method)
        .leaf("totalSalePrice", o.goods_price())
        .leaf("postagePrice", o.postage)
        .leaf("chargePrice", 0)
        .leaf("couponTotalPrice", 0)
        .leaf("usePoint", 0)
        .leaf("useAuPointPrice", 0)
        .leaf("requestPrice", o.total_price())
        .leaf("deliveryName", &o.delivery_name)
        .leaf("shipStatus", if ship.is_some() { "発送済み" } else { "未発送" })
        .leaf("shippingDate", ship.and_then(|s| s.date).map(|d| d.format("%Y/%m/%d").to_string()).unwrap_or_default())
        .leaf("shippingCarrier", ship.map(|s| s.carrier.clone()).unwrap_or_default())
        .leaf("shippingNumber", ship.map(|s| s.tracking_number.clone()).unwrap_or_default())
        .leaf("userComment", &o.remarks)
        .leaf("memo", "");
    for l in &o.lines {
        let limit = time::jst_date(o.ordered_at) + Duration::days(3);
        w.open("detail")
            .leaf("orderDetailId", l.detail_id)
            .leaf("itemManagementId", l.item_id)
            .leaf("itemCode", &l.manage_number)
            .leaf("lotnumber", &l.sku)
            .leaf("itemName", &l.name)
            .leaf("itemOption", "")
            .leaf("itemPrice", l.price)
            .leaf("unit", l.units)
            .leaf("totalItemPrice", l.price * l.units)
            .leaf("taxRate", format!("{}%", (l.tax_rate * 100.0).round() as i64))
            .leaf("shippingTimelimitDate", limit.format("%Y/%m/%d").to_string())
            .close("detail");
    }
    w.close("orderInfo");
}

fn int(q: &HashMap<String, String>, name: &str, default: usize) -> Result<usize, Response> {
    match q.get(name) {
        None => Ok(default),
        Some(s) => s.parse().map_err(|_| error(StatusCode::BAD_REQUEST, "PUB0004", &format!("{name}が不正です。"))),
    }
}

async fn search_list(State(sim): State<Sim>, shop: Shop, Query(q): Query<HashMap<String, String>>) -> Response {
    if let Err(r) = shop.check(q.get("shopId").map(String::as_str)) {
        return r;
    }
    let (total, start) = match (int(&q, "totalCount", 100), int(&q, "startCount", 1)) {
        (Ok(t), Ok(s)) => (t, s),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    if !(1..=MAX_PAGE).contains(&total) || start < 1 {
        return error(
            StatusCode::BAD_REQUEST,
            "PUB0004",
            "totalCountは1から1000、startCountは1以上を指定してください。",
        );
    }
    let date = |name: &str| q.get(name).map(|s| time::parse_aupay_date(s));
    let (from, to) = match (date("startDate"), date("endDate")) {
        (Some(Some(a)), Some(Some(b))) => (a, b),
        _ => return error(StatusCode::BAD_REQUEST, "PUB0005", "startDate、endDateはYYYYMMDD形式で指定してください。"),
    };
    let date_type = q.get("dateType").map(String::as_str).unwrap_or("0");
    if !matches!(date_type, "0" | "1") {
        return error(StatusCode::BAD_REQUEST, "PUB0006", "dateTypeが不正です。");
    }
    let in_range = |d: NaiveDate| d >= from && d <= to;
    let st = sim.state().await;
    let mut found: Vec<&Order> = st
        .orders_of(&shop.0)
        .filter(|o| match date_type {
            "1" => o.shipments.iter().filter_map(|s| s.date).any(in_range),
            _ => in_range(time::jst_date(o.ordered_at)),
        })
        .filter(|o| q.get("orderStatus").is_none_or(|s| s.is_empty() || s == order_status(o)))
        .collect();
    found.sort_by_key(|o| o.ordered_at);
    let mut w = Writer::new();
    w.open("response").open("result").leaf("status", 0).close("result").leaf("resultCount", found.len());
    for o in found.into_iter().skip(start - 1).take(total) {
        write_order(&mut w, o);
    }
    w.close("response");
    respond(StatusCode::OK, w.finish())
}

async fn search_one(State(sim): State<Sim>, shop: Shop, Query(q): Query<HashMap<String, String>>) -> Response {
    if let Err(r) = shop.check(q.get("shopId").map(String::as_str)) {
        return r;
    }
    let st = sim.state().await;
    let Some(o) = q.get("orderId").and_then(|id| st.order(&shop.0, id)) else {
        return error(StatusCode::BAD_REQUEST, "PUB0007", "該当する注文が存在しません。");
    };
    let mut w = Writer::new();
    w.open("response").open("result").leaf("status", 0).close("result").leaf("resultCount", 1);
    write_order(&mut w, o);
    w.close("response");
    respond(StatusCode::OK, w.finish())
}

/// Carrier codes of the shipping update (1 = ヤマト運輸, …).
const CARRIERS: &[&str] = &["1", "2", "4", "5", "6", "7", "9"];

/// updateTradeInfoProc's `<request>`.
#[derive(serde::Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct UpdateRequest {
    shop_id: Option<String>,
    order_id: Option<String>,
    shipping_date: Option<String>,
    shipping_carrier: Option<String>,
    shipping_number: Option<String>,
}

async fn update_trade_info(State(sim): State<Sim>, shop: Shop, raw: Bytes) -> Response {
    let Some(req) = xml::read::<UpdateRequest>(&String::from_utf8_lossy(&raw), "request") else {
        return error(StatusCode::BAD_REQUEST, "PUB0008", "リクエストXMLが不正です。");
    };
    if let Err(r) = shop.check(text(&req.shop_id)) {
        return r;
    }
    let Some(order_id) = text(&req.order_id).map(str::to_string) else {
        return error(StatusCode::BAD_REQUEST, "PUB0009", "orderIdを指定してください。");
    };
    let date = match text(&req.shipping_date) {
        None => None,
        Some(d) => match NaiveDate::parse_from_str(d, "%Y/%m/%d") {
            Ok(parsed) if d.len() == 10 => Some(parsed),
            _ => return error(StatusCode::BAD_REQUEST, "PUB0010", "shippingDateはYYYY/MM/DD形式で指定してください。"),
        },
    };
    let carrier = text(&req.shipping_carrier).map(str::to_string);
    if carrier.as_deref().is_some_and(|c| !CARRIERS.contains(&c)) {
        return error(StatusCode::BAD_REQUEST, "PUB0011", "shippingCarrierが不正です。");
    }
    let number = text(&req.shipping_number).map(str::to_string);
    if number.as_deref().is_some_and(|n| n.len() > 20 || !n.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')) {
        return error(StatusCode::BAD_REQUEST, "PUB0012", "shippingNumberが不正です。");
    }
    let now = Utc::now();
    let mut st = sim.state().await;
    let next = st.next_serial() as i64;
    let Some(o) = st.order_mut(&shop.0, &order_id) else {
        return error(StatusCode::BAD_REQUEST, "PUB0007", "該当する注文が存在しません。");
    };
    if o.state == OrderState::Cancelled {
        return error(StatusCode::BAD_REQUEST, "PUB0013", "キャンセルされた注文は更新できません。");
    }
    o.shipments = vec![Shipment {
        id: next,
        carrier: carrier.clone().unwrap_or_else(|| "1".into()),
        tracking_number: number.clone().unwrap_or_default(),
        date: date.or(Some(time::jst_date(now))),
    }];
    if matches!(o.state, OrderState::New | OrderState::Confirmed) {
        o.state = OrderState::Shipped;
        o.shipped_at = Some(now);
    }
    o.updated_at = now;
    st.record(
        &shop.0,
        Kind::ShippingUpdate,
        &order_id,
        json!({"shippingDate": date, "shippingCarrier": carrier, "shippingNumber": number}),
    );
    let mut w = Writer::new();
    w.open("response").open("result").leaf("status", 0).close("result").close("response");
    respond(StatusCode::OK, w.finish())
}
