//! Fault injection per marketplace prefix, over real HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step is a failed test

mod common;

use std::time::{Duration, Instant};

use chrono::Utc;
use common::{jst, start};
use serde_json::json;

async fn inquiries(r: &common::Running, auth: &str) -> Result<reqwest::Response, reqwest::Error> {
    let now = Utc::now();
    let url = r.url(&format!(
        "/rakuten/es/1.0/inquirymng-api/inquiries?fromDate={}&toDate={}",
        jst(now - chrono::Duration::days(1)),
        jst(now)
    ));
    r.http.get(url).header("Authorization", auth).send().await
}

#[tokio::test]
async fn latency_slows_only_the_faulted_marketplace() {
    let r = start().await;
    let auth = r.rakuten_shop("300001").await;
    let (status, _) = r.control("PUT", "/faults/rakuten", json!({"latencyMs": 300})).await;
    assert_eq!(status, 204);
    let t = Instant::now();
    assert_eq!(inquiries(&r, &auth).await.unwrap().status(), 200);
    assert!(t.elapsed() >= Duration::from_millis(300));
    let t = Instant::now();
    r.http.get(r.url("/yahoo/ShoppingWebService/V1/externalTalkList")).send().await.unwrap();
    assert!(t.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn too_many_requests_n_times_with_retry_after_then_normal_answers() {
    let r = start().await;
    let auth = r.rakuten_shop("300002").await;
    r.control("PUT", "/faults/rakuten", json!({"tooManyRequests": 2, "retryAfterSecs": 7})).await;
    for _ in 0..2 {
        let resp = inquiries(&r, &auth).await.unwrap();
        assert_eq!(resp.status(), 429);
        assert_eq!(resp.headers()["retry-after"], "7");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert!(body["Results"]["errorCode"].is_string());
    }
    assert_eq!(inquiries(&r, &auth).await.unwrap().status(), 200);
}

#[tokio::test]
async fn unavailable_n_times_then_normal_answers() {
    let r = start().await;
    let auth = r.rakuten_shop("300003").await;
    r.control("PUT", "/faults/rakuten", json!({"unavailable": 1})).await;
    let resp = inquiries(&r, &auth).await.unwrap();
    assert_eq!(resp.status(), 503);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["Results"]["message"], "Temporary Unavailable");
    assert_eq!(inquiries(&r, &auth).await.unwrap().status(), 200);
}

#[tokio::test]
async fn a_dropped_connection_gets_no_answer_at_all() {
    let r = start().await;
    let auth = r.rakuten_shop("300004").await;
    r.control("PUT", "/faults/rakuten", json!({"dropConnections": 1})).await;
    let err = inquiries(&r, &auth).await.expect_err("the connection is closed without an answer");
    assert!(!err.is_status() && !err.is_timeout(), "{err:?}");
    assert_eq!(inquiries(&r, &auth).await.unwrap().status(), 200);
}

#[tokio::test]
async fn an_expired_key_fault_applies_to_every_account_until_cleared() {
    let r = start().await;
    let auth = r.rakuten_shop("300005").await;
    r.control("PUT", "/faults/rakuten", json!({"expiredKey": true})).await;
    let faults = r.get_control("/faults").await;
    assert_eq!(faults["rakuten"]["expiredKey"], true);
    let resp = inquiries(&r, &auth).await.unwrap();
    assert_eq!(resp.status(), 401);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert!(body["Results"]["message"].as_str().unwrap().contains("expired"));
    let (status, _) = r.control("DELETE", "/faults/rakuten", json!(null)).await;
    assert_eq!(status, 204);
    assert_eq!(inquiries(&r, &auth).await.unwrap().status(), 200);
}

#[tokio::test]
async fn every_request_that_reaches_a_marketplace_is_counted_faulted_or_not() {
    let r = start().await;
    let auth = r.rakuten_shop("300006").await;
    r.control("PUT", "/faults/rakuten", json!({"unavailable": 1})).await;
    inquiries(&r, &auth).await.unwrap();
    inquiries(&r, &auth).await.unwrap();
    let counts = r.get_control("/requests").await;
    assert_eq!(counts["rakuten"], 2);
    r.control("DELETE", "/faults", json!(null)).await;
    assert_eq!(r.get_control("/faults").await, json!({}));
}

#[tokio::test]
async fn a_dropped_connection_also_gets_no_answer_when_the_router_is_mounted_elsewhere() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let sim = mallsim::Sim::new(1);
    tokio::spawn(async move { axum::serve(listener, mallsim::router(sim)).await });
    let http = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let base = format!("http://{addr}");
    let resp =
        http.put(format!("{base}/_control/faults/amazon")).json(&json!({"dropConnections": 1})).send().await.unwrap();
    assert_eq!(resp.status(), 204);
    let err = http.get(format!("{base}/amazon/orders/v0/orders")).send().await.expect_err("no answer");
    assert!(!err.is_status(), "{err:?}");
    let resp = http.get(format!("{base}/amazon/orders/v0/orders")).send().await.unwrap();
    assert_eq!(resp.status(), 403);
}

#[tokio::test]
async fn each_marketplace_answers_faults_in_its_own_envelope() {
    let r = start().await;
    let cases = [
        ("yahoo", "/yahoo/ShoppingWebService/V1/externalTalkList", "<Error>"),
        ("aupay", "/aupay/wmshopapi/searchTradeInfoListProc", "<status>1</status>"),
        ("amazon", "/amazon/orders/v0/orders", "\"errors\""),
        ("rakuma", "/rakuma/api/v1/orders", "\"error\""),
        ("rakuten", "/rakuten/es/2.0/order/searchOrder/", "\"Results\""),
    ];
    for (mp, path, marker) in cases {
        r.control("PUT", &format!("/faults/{mp}"), json!({"unavailable": 1, "tooManyRequests": 1})).await;
        let resp = r.http.get(r.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 429, "{mp}");
        assert!(resp.headers().contains_key("retry-after"), "{mp}");
        assert!(resp.text().await.unwrap().contains(marker), "{mp}");
        let resp = r.http.get(r.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 503, "{mp}");
        assert!(resp.text().await.unwrap().contains(marker), "{mp}");
    }
}
