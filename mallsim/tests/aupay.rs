//! au PAY マーケット (Wow!manager API) over real HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step is a failed test

mod common;

use common::start;
use mallsim::xml::{Element, parse};
use serde_json::json;

async fn account(r: &common::Running, shop: &str) -> String {
    let key = format!("wm-key-{shop}");
    r.post_control("/accounts", json!({"marketplace": "aupay", "shopId": shop, "apiKey": key})).await;
    format!("Bearer {key}")
}

async fn search(r: &common::Running, auth: &str, query: &str) -> (u16, Element) {
    let resp = r
        .http
        .get(r.url(&format!("/aupay/wmshopapi/searchTradeInfoListProc?{query}")))
        .header("Authorization", auth)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, parse(&resp.text().await.unwrap()).unwrap())
}

fn days_ago(n: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::hours(9) - chrono::Duration::days(n)).format("%Y%m%d").to_string()
}

#[tokio::test]
async fn orders_are_searched_by_day_and_paged_with_start_count() {
    let r = start().await;
    let auth = account(&r, "51000001").await;
    r.post_control("/accounts/aupay/51000001/orders", json!({"count": 7, "withinDays": 5})).await;
    let q = format!(
        "shopId=51000001&totalCount=5&startCount=1&startDate={}&endDate={}&dateType=0",
        days_ago(6),
        days_ago(0)
    );
    let (status, res) = search(&r, &auth, &q).await;
    assert_eq!(status, 200);
    assert_eq!(res.text_at("result/status"), Some("0"));
    assert_eq!(res.text_at("resultCount"), Some("7"));
    let orders: Vec<&Element> = res.children.iter().filter(|c| c.name == "orderInfo").collect();
    assert_eq!(orders.len(), 5);
    let o = orders[0];
    assert!(o.text_at("orderId").unwrap().bytes().all(|c| c.is_ascii_digit()));
    let date = o.text_at("orderDate").unwrap();
    assert_eq!((date.len(), &date[4..5], &date[10..11]), (16, "/", " "), "{date}");
    assert!(o.text_at("detail/itemName").is_some());
    let q2 = q.replace("startCount=1", "startCount=6");
    let (_, res) = search(&r, &auth, &q2).await;
    assert_eq!(res.children.iter().filter(|c| c.name == "orderInfo").count(), 2);
}

#[tokio::test]
async fn wrong_and_expired_api_keys_are_refused_with_status_1() {
    let r = start().await;
    let auth = account(&r, "51000002").await;
    let q = format!("shopId=51000002&startDate={}&endDate={}", days_ago(1), days_ago(0));
    let (status, res) = search(&r, "Bearer wrong", &q).await;
    assert_eq!(status, 401);
    assert_eq!(res.text_at("result/status"), Some("1"));
    assert_eq!(res.text_at("result/error/code"), Some("PUB0001"));
    r.post_control("/accounts/aupay/51000002/expire", json!({})).await;
    let (status, res) = search(&r, &auth, &q).await;
    assert_eq!(status, 401);
    assert_eq!(res.text_at("result/error/code"), Some("PUB0002"));
    assert!(res.text_at("result/error/message").unwrap().contains("有効期限"));
}

#[tokio::test]
async fn update_trade_info_records_the_shipment_once() {
    let r = start().await;
    let auth = account(&r, "51000003").await;
    let created = r.post_control("/accounts/aupay/51000003/orders", json!({"count": 1})).await;
    let id = created["orderNumbers"][0].as_str().unwrap();
    let body = |date: &str| {
        format!(
            "<request><shopId>51000003</shopId><orderId>{id}</orderId><shippingDate>{date}</shippingDate><shippingCarrier>1</shippingCarrier><shippingNumber>123456789012</shippingNumber></request>"
        )
    };
    let post = |b: String| {
        r.http
            .post(r.url("/aupay/wmshopapi/updateTradeInfoProc"))
            .header("Authorization", &auth)
            .header("Content-Type", "application/xml; charset=utf-8")
            .body(b)
            .send()
    };
    let resp = post(body("2026-01-01")).await.unwrap();
    assert_eq!(resp.status(), 400, "dates are YYYY/MM/DD");
    let resp = post(body("2026/01/01")).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(parse(&resp.text().await.unwrap()).unwrap().text_at("result/status"), Some("0"));
    let resp = r
        .http
        .get(r.url(&format!("/aupay/wmshopapi/searchTradeInfoProc?shopId=51000003&orderId={id}")))
        .header("Authorization", &auth)
        .send()
        .await
        .unwrap();
    let res = parse(&resp.text().await.unwrap()).unwrap();
    assert_eq!(res.text_at("orderInfo/shippingNumber"), Some("123456789012"));
    assert_eq!(res.text_at("orderInfo/shippingDate"), Some("2026/01/01"));
    let c = r.counters("aupay", "51000003").await;
    assert_eq!(c["shippingUpdates"], 1);
}
