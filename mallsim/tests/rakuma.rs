//! Rakuma (assumed contract, see src/rakuma.rs) over real HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step is a failed test

mod common;

use common::start;
use serde_json::{Value, json};

async fn login(r: &common::Running, email: &str) -> String {
    r.post_control(
        "/accounts",
        json!({"marketplace": "rakuma", "email": email, "password": "pw", "clientId": "cid", "clientSecret": "csec"}),
    )
    .await;
    let resp = r
        .http
        .post(r.url("/rakuma/oauth/token"))
        .form(&[
            ("grant_type", "password"),
            ("username", email),
            ("password", "pw"),
            ("client_id", "cid"),
            ("client_secret", "csec"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    format!("Bearer {}", body["access_token"].as_str().unwrap())
}

async fn call(r: &common::Running, auth: &str, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = r
        .http
        .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), r.url(&format!("/rakuma/api/v1{path}")))
        .header("Authorization", auth);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn only_single_item_accounts_are_supported() {
    let r = start().await;
    let (status, _) = r
        .control("POST", "/accounts", json!({"marketplace": "rakuma", "email": "multi@example.jp", "password": "pw", "clientId": "c", "clientSecret": "s", "accountType": "multi"}))
        .await;
    assert_eq!(status, 400);
    let auth = login(&r, "single@example.jp").await;
    r.post_control("/accounts/rakuma/single@example.jp/orders", json!({"count": 3})).await;
    let now = chrono::Utc::now();
    let q = format!(
        "/orders?from={}&to={}",
        (now - chrono::Duration::days(20)).format("%Y-%m-%dT%H:%M:%SZ"),
        now.format("%Y-%m-%dT%H:%M:%SZ")
    );
    let (status, body) = call(&r, &auth, "GET", &q, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["pagination"]["total_count"], 3);
    assert!(body["orders"].as_array().unwrap().iter().all(|o| o["item"].is_object()));
    let q = format!(
        "/orders?from={}&to={}",
        (now - chrono::Duration::days(40)).format("%Y-%m-%dT%H:%M:%SZ"),
        now.format("%Y-%m-%dT%H:%M:%SZ")
    );
    let (status, _) = call(&r, &auth, "GET", &q, None).await;
    assert_eq!(status, 400, "periods are at most 31 days");
}

#[tokio::test]
async fn shipping_notice_then_evaluation_each_exactly_once() {
    let r = start().await;
    let auth = login(&r, "shop@example.jp").await;
    let created = r.post_control("/accounts/rakuma/shop@example.jp/orders", json!({"count": 1})).await;
    let id = created["orderNumbers"][0].as_str().unwrap();
    let eval = json!({"rating": "good", "comment": "この度はお取引ありがとうございました。またのご利用をお待ちしております。"});
    let (status, body) = call(&r, &auth, "POST", &format!("/orders/{id}/evaluation"), Some(eval.clone())).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("not_shipped")));
    let notice = json!({"carrier": "yamato", "tracking_number": "1234-5678-9012"});
    let (status, body) = call(&r, &auth, "POST", &format!("/orders/{id}/shipping_notice"), Some(notice.clone())).await;
    assert_eq!(status, 200);
    assert_eq!(body["order"]["status"], "shipped");
    let (status, _) = call(&r, &auth, "POST", &format!("/orders/{id}/shipping_notice"), Some(notice)).await;
    assert_eq!(status, 409);
    let (status, _) = call(&r, &auth, "POST", &format!("/orders/{id}/evaluation"), Some(eval.clone())).await;
    assert_eq!(status, 201);
    let (status, _) = call(&r, &auth, "POST", &format!("/orders/{id}/evaluation"), Some(eval)).await;
    assert_eq!(status, 409);
    let (_, body) = call(&r, &auth, "GET", &format!("/orders/{id}"), None).await;
    assert_eq!(body["order"]["status"], "completed");
    let c = r.counters("rakuma", "shop@example.jp").await;
    assert_eq!((c["shippingUpdates"].as_u64(), c["evaluations"].as_u64()), (Some(1), Some(1)));
}

#[tokio::test]
async fn a_bad_token_and_an_expired_account_are_refused() {
    let r = start().await;
    let auth = login(&r, "exp@example.jp").await;
    let (status, body) = call(&r, "Bearer nope", "GET", "/orders/1", None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("unauthorized")));
    r.post_control("/accounts/rakuma/exp@example.jp/expire", json!({})).await;
    let (status, body) = call(&r, &auth, "GET", "/orders/1", None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("token_expired")));
}
