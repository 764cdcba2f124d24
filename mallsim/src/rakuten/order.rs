//! RakutenPayOrderAPI (楽天ペイ受注API) — MARKETPLACES.md §2: searchOrder, getOrder,
//! confirmOrder, updateOrderShipping. Every operation is POST with a JSON body and answers with
//! the `MessageModelList` envelope.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Shop, json_body, json_status};
use crate::Sim;
use crate::state::{Kind, Order, OrderState, Person, Shipment};
use crate::time;

const WINDOW_DAYS: i64 = 63;
const LOOKBACK_DAYS: i64 = 730;
const MAX_RESULTS: usize = 15_000;
const MAX_PAGE_SIZE: i64 = 1000;
const MAX_SHIPPINGS_PER_BASKET: usize = 20;

pub fn router() -> Router<Sim> {
    let mut r = Router::new();
    // The documented paths end with `/`; the same operation without it is accepted too.
    for (path, handler) in [
        ("searchOrder", post(search_order)),
        ("getOrder", post(get_order)),
        ("confirmOrder", post(confirm_order)),
        ("updateOrderShipping", post(update_order_shipping)),
    ] {
        r = r.route(&format!("/{path}/"), handler.clone()).route(&format!("/{path}"), handler);
    }
    r
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct MessageModel {
    pub message_type: &'static str,
    pub message_code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_number: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_detail_id: Option<i64>,
}

fn msg(kind: &'static str, code: &str, message: impl Into<String>) -> MessageModel {
    MessageModel {
        message_type: kind,
        message_code: code.into(),
        message: message.into(),
        order_number: None,
        data_number: None,
        shipping_detail_id: None,
    }
}

/// orderProgress for the neutral order state.
pub fn progress(state: OrderState) -> i64 {
    match state {
        OrderState::New => 100,
        OrderState::Confirmed => 300,
        OrderState::Shipped => 500,
        OrderState::Completed => 700,
        OrderState::Cancelled => 900,
    }
}

// ---------------------------------------------------------------- searchOrder

#[derive(Serialize)]
struct SearchResponse {
    #[serde(rename = "orderNumberList")]
    order_number_list: Option<Vec<String>>,
    #[serde(rename = "MessageModelList")]
    message_model_list: Vec<MessageModel>,
    #[serde(rename = "PaginationResponseModel")]
    pagination: Option<Value>,
}

const SEARCH: &str = "ORDER_EXT_API_SEARCH_ORDER";

/// The date the search window applies to, per `dateType`.
fn date_of(o: &Order, date_type: i64) -> Option<DateTime<Utc>> {
    match date_type {
        1 | 6 => Some(o.ordered_at),
        2 | 3 => o.confirmed_at,
        4 => o.shipments.iter().filter_map(|s| s.date).min().map(time::jst_day_start),
        5 => o.shipped_at,
        _ => None,
    }
}

async fn search_order(State(sim): State<Sim>, shop: Shop, body: Bytes) -> Response {
    let req: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut errors = Vec::new();
    let date_type = req.get("dateType").and_then(Value::as_i64);
    match req.get("dateType") {
        None | Some(Value::Null) => {
            errors.push(msg("ERROR", &format!("{SEARCH}_ERROR_009"), "dateTypeの項目を指定して下さい。"))
        }
        Some(_) if !matches!(date_type, Some(1..=6)) => {
            errors.push(msg("ERROR", &format!("{SEARCH}_ERROR_011"), "dateTypeの書式が不正です。"))
        }
        _ => {}
    }
    let mut dt = |name: &str| match req.get(name).and_then(Value::as_str) {
        None => {
            errors.push(msg("ERROR", &format!("{SEARCH}_ERROR_010"), format!("{name}の値を指定して下さい。")));
            None
        }
        Some(s) => {
            let t = time::parse_rakuten_order(s);
            if t.is_none() {
                errors.push(msg("ERROR", &format!("{SEARCH}_ERROR_011"), format!("{name}の書式が不正です。")));
            }
            t
        }
    };
    let start = dt("startDatetime");
    let end = dt("endDatetime");
    let now = Utc::now();
    // ASSUMED: range violations are reported as ERROR_023.
    if let (Some(s), Some(e)) = (start, end) {
        if s > e {
            errors.push(msg(
                "ERROR",
                &format!("{SEARCH}_ERROR_023"),
                "startDatetimeはendDatetimeより前を指定して下さい。",
            ));
        } else if e - s > Duration::days(WINDOW_DAYS) {
            errors.push(msg(
                "ERROR",
                &format!("{SEARCH}_ERROR_023"),
                "endDatetimeは開始日から63日以内を指定して下さい。",
            ));
        }
        if s < now - Duration::days(LOOKBACK_DAYS) {
            errors.push(msg("ERROR", &format!("{SEARCH}_ERROR_023"), "startDatetimeは過去730日以内を指定して下さい。"));
        }
    }
    let paging = req.get("PaginationRequestModel");
    let amount = paging.and_then(|p| p.get("requestRecordsAmount")).and_then(Value::as_i64).unwrap_or(30);
    let page = paging.and_then(|p| p.get("requestPage")).and_then(Value::as_i64).unwrap_or(1);
    if !(1..=MAX_PAGE_SIZE).contains(&amount) {
        errors.push(msg(
            "ERROR",
            &format!("{SEARCH}_ERROR_023"),
            "requestRecordsAmountは1から1000の範囲で指定して下さい。",
        ));
    }
    if page < 1 {
        errors.push(msg("ERROR", &format!("{SEARCH}_ERROR_023"), "requestPageは1以上を指定して下さい。"));
    }
    if !errors.is_empty() {
        return search_error(errors);
    }
    let (start, end, date_type) = (start.unwrap_or(now), end.unwrap_or(now), date_type.unwrap_or(1));
    let ascending = paging
        .and_then(|p| p.get("SortModelList"))
        .and_then(|l| l.get(0))
        .and_then(|s| s.get("sortDirection"))
        .and_then(Value::as_i64)
        == Some(1);
    let progress_filter: Option<Vec<i64>> =
        req.get("orderProgressList").and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_i64).collect());
    let st = sim.state().await;
    let mut found: Vec<&Order> = st
        .orders_of(&shop.0)
        .filter(|o| date_of(o, date_type).is_some_and(|d| d >= start && d <= end))
        .filter(|o| progress_filter.as_ref().is_none_or(|p| p.contains(&progress(o.state))))
        .collect();
    found.sort_by_key(|o| o.ordered_at);
    if !ascending {
        found.reverse();
    }
    let total = found.len() as i64;
    if total == 0 {
        return json_body(
            serde_json::to_value(SearchResponse {
                order_number_list: Some(vec![]),
                message_model_list: vec![msg(
                    "INFO",
                    &format!("{SEARCH}_INFO_102"),
                    "注文検索に成功しました。(検索結果０件)",
                )],
                pagination: Some(json!({"totalRecordsAmount": null, "totalPages": null, "requestPage": null})),
            })
            .unwrap_or_default(),
        );
    }
    // Orders past the 15,000th cannot be reached.
    let numbers: Vec<String> = found
        .into_iter()
        .take(MAX_RESULTS)
        .skip(((page - 1) * amount) as usize)
        .take(amount as usize)
        .map(|o| o.number.clone())
        .collect();
    json_body(
        serde_json::to_value(SearchResponse {
            order_number_list: Some(numbers),
            message_model_list: vec![msg("INFO", &format!("{SEARCH}_INFO_101"), "注文検索に成功しました。")],
            pagination: Some(json!({
                "totalRecordsAmount": total,
                "totalPages": (total + amount - 1) / amount,
                "requestPage": page,
            })),
        })
        .unwrap_or_default(),
    )
}

fn search_error(errors: Vec<MessageModel>) -> Response {
    json_status(
        StatusCode::BAD_REQUEST,
        serde_json::to_value(SearchResponse { order_number_list: None, message_model_list: errors, pagination: None })
            .unwrap_or_default(),
    )
}

// ---------------------------------------------------------------- getOrder

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OrdererModel {
    zip_code1: String,
    zip_code2: String,
    prefecture: String,
    city: String,
    sub_address: String,
    family_name: String,
    first_name: String,
    family_name_kana: String,
    first_name_kana: String,
    phone_number1: String,
    phone_number2: String,
    phone_number3: String,
    email_address: String,
    sex: String,
    birth_year: Option<i64>,
    birth_month: Option<i64>,
    birth_day: Option<i64>,
}

fn orderer(p: &Person, masked_email: String) -> OrdererModel {
    let mut phone = p.phone.split('-').map(str::to_string);
    OrdererModel {
        zip_code1: p.zip_code[..3].into(),
        zip_code2: p.zip_code[3..].into(),
        prefecture: p.prefecture.clone(),
        city: p.city.clone(),
        sub_address: p.sub_address.clone(),
        family_name: p.family_name.clone(),
        first_name: p.first_name.clone(),
        family_name_kana: p.family_name_kana.clone(),
        first_name_kana: p.first_name_kana.clone(),
        phone_number1: phone.next().unwrap_or_default(),
        phone_number2: phone.next().unwrap_or_default(),
        phone_number3: phone.next().unwrap_or_default(),
        email_address: masked_email,
        sex: String::new(),
        birth_year: None,
        birth_month: None,
        birth_day: None,
    }
}

fn item_models(o: &Order) -> Vec<Value> {
    o.lines
        .iter()
        .map(|l| {
            json!({
                "itemDetailId": l.detail_id,
                "itemName": l.name,
                "itemId": l.item_id,
                "itemNumber": l.sku,
                "manageNumber": l.manage_number,
                "price": l.price,
                "units": l.units,
                "includePostageFlag": 0,
                "includeTaxFlag": 1,
                "selectedChoice": "",
                "taxRate": l.tax_rate,
                "priceTaxIncl": l.price,
                "SkuModelList": [{"variantId": l.sku, "merchantDefinedSkuId": l.sku, "skuInfo": ""}],
            })
        })
        .collect()
}

fn shipping_models(o: &Order) -> Vec<Value> {
    o.shipments
        .iter()
        .map(|s| {
            json!({
                "shippingDetailId": s.id,
                "shippingNumber": s.tracking_number,
                "deliveryCompany": s.carrier,
                "deliveryCompanyName": carrier_name(&s.carrier),
                "shippingDate": s.date.map(time::ymd),
            })
        })
        .collect()
}

fn tax_of(o: &Order) -> i64 {
    o.lines
        .iter()
        .map(|l| {
            let gross = (l.price * l.units) as f64;
            (gross - gross / (1.0 + l.tax_rate)).floor() as i64
        })
        .sum()
}

pub fn order_model(o: &Order, shop_id: &str) -> Value {
    // The buyer's address is masked by Rakuten.
    let email = format!("{}@pc.fw.rakuten.ne.jp", o.number.replace('-', ""));
    let goods = o.goods_price();
    json!({
        "orderNumber": o.number,
        "orderProgress": progress(o.state),
        "subStatusId": null,
        "subStatusName": null,
        "orderDatetime": time::rakuten_order(o.ordered_at),
        "shopOrderCfmDatetime": o.confirmed_at.map(time::rakuten_order),
        "orderFixDatetime": o.confirmed_at.map(time::rakuten_order),
        "shippingInstDatetime": o.confirmed_at.map(time::rakuten_order),
        "shippingCmplRptDatetime": o.shipped_at.map(time::rakuten_order),
        "cancelDueDate": null,
        "deliveryDate": null,
        "shippingTerm": null,
        "remarks": o.remarks,
        "giftCheckFlag": 0,
        "severalSenderFlag": 0,
        "equalSenderFlag": i64::from(o.buyer.full_name() == o.recipient.full_name()),
        "isolatedIslandFlag": 0,
        "rakutenMemberFlag": 1,
        "carrierCode": 0,
        "emailCarrierCode": 0,
        "orderType": 1,
        "reserveNumber": null,
        "cautionDisplayType": 0,
        "rakutenConfirmFlag": 0,
        "goodsPrice": goods,
        "goodsTax": tax_of(o),
        "postagePrice": o.postage,
        "deliveryPrice": 0,
        "paymentCharge": 0,
        "paymentChargeTaxRate": 0.1,
        "totalPrice": o.total_price(),
        "requestPrice": o.total_price(),
        "couponAllTotalPrice": 0,
        "couponShopPrice": 0,
        "couponOtherPrice": 0,
        "memo": null,
        "operator": null,
        "mailPlugSentence": null,
        "OrdererModel": orderer(&o.buyer, email),
        "SettlementModel": {"settlementMethodCode": 1, "settlementMethod": o.payment_method, "rpaySettlementFlag": 1},
        "DeliveryModel": {"deliveryName": o.delivery_name, "deliveryClass": 0},
        "PointModel": {"usedPoint": 0},
        "WrappingModel1": null,
        "WrappingModel2": null,
        "PackageModelList": [{
            "basketId": o.basket_id,
            "postagePrice": o.postage,
            "postageTaxRate": 0.1,
            "deliveryPrice": 0,
            "deliveryTaxRate": 0.1,
            "goodsTax": tax_of(o),
            "goodsPrice": goods,
            "totalPrice": o.total_price(),
            "noshi": null,
            "packageDeleteFlag": 0,
            "SenderModel": {
                "zipCode1": &o.recipient.zip_code[..3],
                "zipCode2": &o.recipient.zip_code[3..],
                "prefecture": o.recipient.prefecture,
                "city": o.recipient.city,
                "subAddress": o.recipient.sub_address,
                "familyName": o.recipient.family_name,
                "firstName": o.recipient.first_name,
                "familyNameKana": o.recipient.family_name_kana,
                "firstNameKana": o.recipient.first_name_kana,
                "phoneNumber1": o.recipient.phone.split('-').next(),
                "phoneNumber2": o.recipient.phone.split('-').nth(1),
                "phoneNumber3": o.recipient.phone.split('-').nth(2),
                "isolatedIslandFlag": 0,
            },
            "ItemModelList": item_models(o),
            "ShippingModelList": shipping_models(o),
            "DeliveryCvsModel": null,
            "defaultDeliveryCompanyCode": "1001",
        }],
        "CouponModelList": [],
        "ChangeReasonModelList": [],
        "shopId": shop_id,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NumbersRequest {
    order_number_list: Option<Vec<String>>,
    version: Option<i64>,
}

const GET: &str = "ORDER_EXT_API_GET_ORDER";

async fn get_order(State(sim): State<Sim>, shop: Shop, body: Bytes) -> Response {
    let req: NumbersRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(_) => return envelope_error(&format!("{GET}_ERROR_001"), "リクエストの書式が不正です。"),
    };
    let numbers = req.order_number_list.unwrap_or_default();
    // ASSUMED codes for the documented rules (version required, 1–100 numbers).
    if numbers.is_empty() || numbers.len() > 100 {
        return envelope_error(&format!("{GET}_ERROR_002"), "orderNumberListは1件以上100件以下で指定して下さい。");
    }
    if !matches!(req.version, Some(1..=10)) {
        return envelope_error(&format!("{GET}_ERROR_003"), "versionの値が不正です。");
    }
    let st = sim.state().await;
    let mut models = Vec::new();
    let mut messages = Vec::new();
    for n in &numbers {
        match st.order(&shop.0, n) {
            Some(o) => models.push(order_model(o, &shop.0.id)),
            None => messages.push(MessageModel {
                order_number: Some(n.clone()),
                ..msg("ERROR", &format!("{GET}_ERROR_101"), "注文が存在しません。")
            }),
        }
    }
    messages.insert(
        0,
        msg("INFO", &format!("{GET}_INFO_101"), format!("受注情報取得に成功しました。(取得件数{}件)", models.len())),
    );
    json_body(json!({"MessageModelList": messages, "OrderModelList": models}))
}

fn envelope_error(code: &str, message: &str) -> Response {
    json_status(StatusCode::BAD_REQUEST, json!({"MessageModelList": [msg("ERROR", code, message)]}))
}

// ---------------------------------------------------------------- confirmOrder

async fn confirm_order(State(sim): State<Sim>, shop: Shop, body: Bytes) -> Response {
    const CONFIRM: &str = "ORDER_EXT_API_CONFIRM_ORDER";
    let numbers =
        serde_json::from_slice::<NumbersRequest>(&body).ok().and_then(|r| r.order_number_list).unwrap_or_default();
    if numbers.is_empty() || numbers.len() > 100 {
        return envelope_error(&format!("{CONFIRM}_ERROR_001"), "orderNumberListは1件以上100件以下で指定して下さい。");
    }
    let now = Utc::now();
    let mut st = sim.state().await;
    let mut messages = Vec::new();
    for n in numbers {
        let m = match st.order_mut(&shop.0, &n) {
            Some(o) if o.state == OrderState::New => {
                o.state = OrderState::Confirmed;
                o.confirmed_at = Some(now);
                o.updated_at = now;
                msg("INFO", &format!("{CONFIRM}_INFO_101"), "注文確認に成功しました。")
            }
            Some(_) => msg("ERROR", &format!("{CONFIRM}_ERROR_102"), "注文確認待ちではありません。"),
            None => msg("ERROR", &format!("{CONFIRM}_ERROR_101"), "注文が存在しません。"),
        };
        messages.push(MessageModel { order_number: Some(n), ..m });
    }
    json_body(json!({"MessageModelList": messages}))
}

// ---------------------------------------------------------------- updateOrderShipping

#[derive(Deserialize, Serialize, Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub struct ShippingModel {
    pub shipping_detail_id: Option<i64>,
    pub delivery_company: Option<String>,
    pub shipping_number: Option<String>,
    pub shipping_date: Option<String>,
    pub shipping_delete_flag: Option<i64>,
}

#[derive(Deserialize, Serialize, Clone, Debug)]
pub struct BasketidModel {
    #[serde(rename = "basketId")]
    pub basket_id: Option<i64>,
    #[serde(rename = "ShippingModelList", default)]
    pub shipping_model_list: Vec<ShippingModel>,
}

#[derive(Deserialize, Serialize, Clone, Debug)]
pub struct UpdateShippingRequest {
    #[serde(rename = "orderNumber")]
    pub order_number: Option<String>,
    #[serde(rename = "BasketidModelList", default)]
    pub basketid_model_list: Vec<BasketidModel>,
}

pub fn carrier_name(code: &str) -> Option<&'static str> {
    Some(match code {
        "1000" => "その他",
        "1001" => "ヤマト運輸",
        "1002" => "佐川急便",
        "1003" => "日本郵便",
        "1004" => "西濃運輸",
        "1005" => "セイノースーパーエクスプレス",
        "1006" => "福山通運",
        "1007" => "名鉄運輸",
        "1008" => "トナミ運輸",
        "1009" => "第一貨物",
        "1010" => "新潟運輸",
        "1011" => "中越運送",
        "1012" => "岡山県貨物運送",
        "1013" => "久留米運送",
        "1014" => "山陽自動車運送",
        "1015" => "NXトランスポート",
        "1016" => "エコ配",
        "1017" => "EMS",
        "1018" => "DHL",
        "1019" => "FedEx",
        "1020" => "UPS",
        "1021" => "日本通運",
        "1022" => "TNT",
        "1023" => "OCS",
        "1024" => "USPS",
        "1025" => "SFエクスプレス",
        "1026" => "Aramex",
        "1027" => "SGHグローバル・ジャパン",
        "1028" => "Rakuten EXPRESS",
        "1029" => "日本郵便 楽天倉庫出荷",
        "1030" => "ヤマト運輸 クロネコゆうパケット",
        "1031" => "名鉄NX運輸",
        _ => return None,
    })
}

const SHIP: &str = "ORDER_EXT_API_UPDATE_ORDERSHIPPING";

fn strict_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Checks one shipping model; the texts of these messages are ASSUMED.
fn check_shipping(m: &ShippingModel) -> Option<String> {
    if let Some(c) = &m.delivery_company
        && !c.is_empty()
        && carrier_name(c).is_none()
    {
        return Some("deliveryCompanyの書式が不正です。".into());
    }
    if let Some(n) = &m.shipping_number
        && (n.chars().count() > 120 || !n.chars().all(|c| c.is_ascii_graphic()))
    {
        return Some("shippingNumberの書式が不正です。".into());
    }
    if let Some(d) = &m.shipping_date
        && !d.is_empty()
        && strict_date(d).is_none()
    {
        return Some("shippingDateの書式が不正です。".into());
    }
    if m.shipping_delete_flag.is_some_and(|f| f != 0 && f != 1) {
        return Some("shippingDeleteFlagの書式が不正です。".into());
    }
    None
}

async fn update_order_shipping(State(sim): State<Sim>, shop: Shop, body: Bytes) -> Response {
    let Ok(req) = serde_json::from_slice::<UpdateShippingRequest>(&body) else {
        return envelope_error(&format!("{SHIP}_ERROR_011"), "リクエストの書式が不正です。");
    };
    let Some(number) = req.order_number.clone().filter(|n| !n.is_empty()) else {
        return envelope_error(&format!("{SHIP}_ERROR_001"), "orderNumberの値を指定して下さい。");
    };
    let mut st = sim.state().await;
    let Some(order) = st.order(&shop.0, &number).cloned() else {
        return envelope_error(&format!("{SHIP}_ERROR_002"), "注文が存在しません。");
    };
    // Validate everything before changing anything.
    let mut errors = Vec::new();
    let mut index = 0usize;
    for basket in &req.basketid_model_list {
        if basket.basket_id != Some(order.basket_id) {
            errors.push(msg("ERROR", &format!("{SHIP}_ERROR_003"), "basketIdが存在しません。"));
        }
        if basket.shipping_model_list.len() > MAX_SHIPPINGS_PER_BASKET {
            errors.push(msg("ERROR", &format!("{SHIP}_ERROR_004"), "ShippingModelListは20件以下で指定して下さい。"));
        }
        for m in &basket.shipping_model_list {
            index += 1;
            if let Some(text) = check_shipping(m) {
                errors.push(MessageModel {
                    data_number: Some(index),
                    ..msg("ERROR", &format!("{SHIP}_ERROR_011"), text)
                });
            } else if let Some(id) = m.shipping_detail_id
                && !order.shipments.iter().any(|s| s.id == id)
            {
                errors.push(MessageModel {
                    data_number: Some(index),
                    shipping_detail_id: Some(id),
                    ..msg("ERROR", &format!("{SHIP}_ERROR_005"), "shippingDetailIdが存在しません。")
                });
            }
        }
    }
    if order.state == OrderState::Cancelled {
        errors.push(msg("ERROR", &format!("{SHIP}_ERROR_006"), "キャンセルされた注文は更新できません。"));
    }
    if req.basketid_model_list.is_empty() {
        errors.push(msg("ERROR", &format!("{SHIP}_ERROR_001"), "BasketidModelListの値を指定して下さい。"));
    }
    if !errors.is_empty() {
        return json_status(StatusCode::BAD_REQUEST, json!({"MessageModelList": errors}));
    }
    let mut messages = Vec::new();
    let mut next_id = 15_000 + st.next_serial() as i64 * 10;
    let now = Utc::now();
    let Some(o) = st.order_mut(&shop.0, &number) else {
        return envelope_error(&format!("{SHIP}_ERROR_002"), "注文が存在しません。");
    };
    let mut index = 0usize;
    for m in req.basketid_model_list.iter().flat_map(|b| &b.shipping_model_list) {
        index += 1;
        let date = m.shipping_date.as_deref().and_then(strict_date);
        let (code, text, id) = match m.shipping_detail_id {
            Some(id) if m.shipping_delete_flag == Some(1) => {
                o.shipments.retain(|s| s.id != id);
                ("INFO_103", "発送情報を削除しました。", id)
            }
            Some(id) => {
                // Every id was checked above: one that is not there cannot be updated either.
                let Some(s) = o.shipments.iter_mut().find(|s| s.id == id) else { continue };
                if let Some(c) = &m.delivery_company {
                    s.carrier = c.clone();
                }
                if let Some(n) = &m.shipping_number {
                    s.tracking_number = n.clone();
                }
                if let Some(d) = &m.shipping_date {
                    s.date = if d.is_empty() { None } else { date };
                }
                ("INFO_102", "発送情報を更新しました。", id)
            }
            None => {
                next_id += 1;
                o.shipments.push(Shipment {
                    id: next_id,
                    carrier: m.delivery_company.clone().unwrap_or_else(|| "1000".into()),
                    tracking_number: m.shipping_number.clone().unwrap_or_default(),
                    date,
                });
                ("INFO_101", "発送情報を追加しました。", next_id)
            }
        };
        messages.push(MessageModel {
            data_number: Some(index),
            shipping_detail_id: Some(id),
            ..msg("INFO", &format!("{SHIP}_{code}"), text)
        });
    }
    // A shipping date is the 発送完了報告: the order moves to 発送済 (500).
    if o.shipments.iter().any(|s| s.date.is_some()) && matches!(o.state, OrderState::New | OrderState::Confirmed) {
        o.state = OrderState::Shipped;
        o.shipped_at = Some(now);
    }
    o.updated_at = now;
    st.record(&shop.0, Kind::ShippingUpdate, &number, serde_json::to_value(&req).unwrap_or_default());
    json_body(json!({"MessageModelList": messages}))
}
