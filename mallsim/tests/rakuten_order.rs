//! RakutenPayOrderAPI over real HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step is a failed test

mod common;

use chrono::{Duration, Utc};
use common::{jst_order, start};
use serde_json::{Value, json};

async fn call(r: &common::Running, auth: &str, op: &str, body: Value) -> (u16, Value) {
    let resp = r
        .http
        .post(r.url(&format!("/rakuten/es/2.0/order/{op}/")))
        .header("Authorization", auth)
        .header("Content-Type", "application/json;charset=utf-8")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

fn search(from: chrono::DateTime<Utc>, to: chrono::DateTime<Utc>, amount: i64, page: i64) -> Value {
    json!({
        "dateType": 1,
        "startDatetime": jst_order(from),
        "endDatetime": jst_order(to),
        "PaginationRequestModel": {"requestRecordsAmount": amount, "requestPage": page,
            "SortModelList": [{"sortColumn": 1, "sortDirection": 1}]}
    })
}

#[tokio::test]
async fn a_search_window_over_63_days_is_refused() {
    let r = start().await;
    let auth = r.rakuten_shop("200001").await;
    let now = Utc::now();
    let (status, body) = call(&r, &auth, "searchOrder", search(now - Duration::days(64), now, 30, 1)).await;
    assert_eq!(status, 400);
    assert_eq!(body["orderNumberList"], Value::Null);
    assert_eq!(body["PaginationResponseModel"], Value::Null);
    assert_eq!(body["MessageModelList"][0]["messageType"], "ERROR");
    let (status, _) = call(&r, &auth, "searchOrder", search(now - Duration::days(63), now, 30, 1)).await;
    assert_eq!(status, 200);
    let (status, _) =
        call(&r, &auth, "searchOrder", search(now - Duration::days(731), now - Duration::days(700), 30, 1)).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn search_dates_need_the_offset_without_colon_and_date_type_is_required() {
    let r = start().await;
    let auth = r.rakuten_shop("200002").await;
    let body = json!({"startDatetime": "2024-05-01T00:00:00+09:00", "endDatetime": "2024-05-02T00:00:00+0900"});
    let (status, body) = call(&r, &auth, "searchOrder", body).await;
    assert_eq!(status, 400);
    let codes: Vec<&str> =
        body["MessageModelList"].as_array().unwrap().iter().map(|m| m["messageCode"].as_str().unwrap()).collect();
    assert_eq!(codes, vec!["ORDER_EXT_API_SEARCH_ORDER_ERROR_009", "ORDER_EXT_API_SEARCH_ORDER_ERROR_011"]);
}

#[tokio::test]
async fn search_pages_through_the_orders_of_the_window() {
    let r = start().await;
    let auth = r.rakuten_shop("200003").await;
    let now = Utc::now();
    let orders: Vec<Value> = (0..5).map(|i| json!({"at": now - Duration::days(i + 1)})).collect();
    r.post_control("/accounts/rakuten/200003/orders", json!({"orders": orders})).await;
    r.post_control("/accounts/rakuten/200003/orders", json!({"orders": [{"at": now - Duration::days(80)}]})).await;
    let (status, p1) = call(&r, &auth, "searchOrder", search(now - Duration::days(10), now, 2, 1)).await;
    assert_eq!(status, 200);
    assert_eq!(p1["PaginationResponseModel"], json!({"totalRecordsAmount": 5, "totalPages": 3, "requestPage": 1}));
    assert_eq!(p1["MessageModelList"][0]["messageCode"], "ORDER_EXT_API_SEARCH_ORDER_INFO_101");
    let mut all: Vec<String> = Vec::new();
    for page in 1..=3 {
        let (_, p) = call(&r, &auth, "searchOrder", search(now - Duration::days(10), now, 2, page)).await;
        all.extend(p["orderNumberList"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()));
    }
    assert_eq!(all.len(), 5);
    assert!(all.iter().all(|n| n.starts_with("200003-") && n.len() == "200003-".len() + 8 + 1 + 10));
    let (_, none) =
        call(&r, &auth, "searchOrder", search(now - Duration::days(300), now - Duration::days(250), 2, 1)).await;
    assert_eq!(none["orderNumberList"], json!([]));
    assert_eq!(none["MessageModelList"][0]["messageCode"], "ORDER_EXT_API_SEARCH_ORDER_INFO_102");
    assert_eq!(none["PaginationResponseModel"]["totalRecordsAmount"], Value::Null);
}

#[tokio::test]
async fn get_order_returns_the_order_model_and_shipping_moves_it_to_shipped_once() {
    let r = start().await;
    let auth = r.rakuten_shop("200004").await;
    let created = r.post_control("/accounts/rakuten/200004/orders", json!({"count": 1, "withinDays": 2})).await;
    let number = created["orderNumbers"][0].as_str().unwrap().to_string();
    let (status, body) = call(&r, &auth, "getOrder", json!({"orderNumberList": [number], "version": 7})).await;
    assert_eq!(status, 200);
    let order = &body["OrderModelList"][0];
    assert_eq!(order["orderProgress"], 100);
    assert!(order["orderDatetime"].as_str().unwrap().ends_with("+0900"));
    assert!(order["OrdererModel"]["familyName"].is_string());
    let basket = order["PackageModelList"][0]["basketId"].as_i64().unwrap();
    let (status, _) = call(&r, &auth, "getOrder", json!({"orderNumberList": [number]})).await;
    assert_eq!(status, 400, "version is required");

    let bad = json!({"orderNumber": number, "BasketidModelList": [{"basketId": basket,
        "ShippingModelList": [{"deliveryCompany": "1001", "shippingNumber": "123456789012", "shippingDate": "2024/05/01"}]}]});
    let (status, body) = call(&r, &auth, "updateOrderShipping", bad).await;
    assert_eq!(status, 400);
    assert_eq!(body["MessageModelList"][0]["messageCode"], "ORDER_EXT_API_UPDATE_ORDERSHIPPING_ERROR_011");
    assert_eq!(body["MessageModelList"][0]["dataNumber"], 1);

    let today = (Utc::now() + Duration::hours(9)).format("%Y-%m-%d").to_string();
    let good = json!({"orderNumber": number, "BasketidModelList": [{"basketId": basket,
        "ShippingModelList": [{"deliveryCompany": "1001", "shippingNumber": "123456789012", "shippingDate": today}]}]});
    let (status, body) = call(&r, &auth, "updateOrderShipping", good).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["MessageModelList"][0]["messageCode"], "ORDER_EXT_API_UPDATE_ORDERSHIPPING_INFO_101");
    let (_, body) = call(&r, &auth, "getOrder", json!({"orderNumberList": [number], "version": 7})).await;
    let order = &body["OrderModelList"][0];
    assert_eq!(order["orderProgress"], 500);
    assert_eq!(order["PackageModelList"][0]["ShippingModelList"][0]["deliveryCompanyName"], "ヤマト運輸");
    let c = r.counters("rakuten", "200004").await;
    assert_eq!(c["shippingUpdates"], 1);
}

#[tokio::test]
async fn confirm_order_moves_new_orders_to_waiting_for_shipment() {
    let r = start().await;
    let auth = r.rakuten_shop("200005").await;
    let created = r.post_control("/accounts/rakuten/200005/orders", json!({"count": 1})).await;
    let number = created["orderNumbers"][0].as_str().unwrap();
    let (status, body) = call(&r, &auth, "confirmOrder", json!({"orderNumberList": [number]})).await;
    assert_eq!(status, 200);
    assert_eq!(body["MessageModelList"][0]["messageType"], "INFO");
    let (_, body) = call(
        &r,
        &auth,
        "searchOrder",
        json!({
        "dateType": 1, "orderProgressList": [300],
        "startDatetime": jst_order(Utc::now() - Duration::days(20)), "endDatetime": jst_order(Utc::now())}),
    )
    .await;
    assert_eq!(body["orderNumberList"], json!([number]));
}
