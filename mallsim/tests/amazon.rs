//! Amazon SP-API (LWA token + Orders v0) over real HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step is a failed test

mod common;

use common::start;
use serde_json::{Value, json};

async fn account(r: &common::Running, seller: &str) {
    r.post_control(
        "/accounts",
        json!({"marketplace": "amazon", "sellerId": seller, "clientId": "amzn1.application-oa2-client.x", "clientSecret": "sec", "refreshToken": format!("Atzr|{seller}")}),
    )
    .await;
}

async fn token(r: &common::Running, refresh: &str, secret: &str) -> (u16, Value) {
    let resp = r
        .http
        .post(r.url("/amazon/auth/o2/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", "amzn1.application-oa2-client.x"),
            ("client_secret", secret),
        ])
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

async fn orders(r: &common::Running, access: &str, query: &str) -> (u16, Value) {
    let resp = r
        .http
        .get(r.url(&format!("/amazon/orders/v0/orders?{query}")))
        .header("x-amz-access-token", access)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

#[tokio::test]
async fn lwa_issues_an_access_token_for_the_refresh_token() {
    let r = start().await;
    account(&r, "A1SELLER1").await;
    let (status, body) = token(&r, "Atzr|A1SELLER1", "sec").await;
    assert_eq!(status, 200);
    assert!(body["access_token"].as_str().unwrap().starts_with("Atza|"));
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 3600);
    let (status, body) = token(&r, "Atzr|A1SELLER1", "wrong").await;
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")));
    let (status, body) = token(&r, "Atzr|other", "sec").await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
}

#[tokio::test]
async fn get_orders_pages_with_next_token() {
    let r = start().await;
    account(&r, "A1SELLER2").await;
    r.post_control("/accounts/amazon/A1SELLER2/orders", json!({"count": 5, "withinDays": 3})).await;
    let (_, t) = token(&r, "Atzr|A1SELLER2", "sec").await;
    let access = t["access_token"].as_str().unwrap();
    let after = (chrono::Utc::now() - chrono::Duration::days(4)).format("%Y-%m-%dT%H:%M:%SZ");
    let (status, body) =
        orders(&r, access, &format!("MarketplaceIds=A1VC38T7YXB528&CreatedAfter={after}&MaxResultsPerPage=2")).await;
    assert_eq!(status, 200, "{body}");
    let mut ids: Vec<String> = Vec::new();
    let mut page = body;
    loop {
        for o in page["payload"]["Orders"].as_array().unwrap() {
            let id = o["AmazonOrderId"].as_str().unwrap();
            let lens: Vec<usize> = id.split('-').map(str::len).collect();
            assert_eq!(lens, vec![3, 7, 7]);
            assert_eq!(o["OrderTotal"]["CurrencyCode"], "JPY");
            assert!(o["PurchaseDate"].as_str().unwrap().ends_with('Z'));
            ids.push(id.to_string());
        }
        let Some(next) = page["payload"]["NextToken"].as_str() else { break };
        let next = next.to_string();
        let q = reqwest::Url::parse_with_params(
            "http://x/",
            &[("MarketplaceIds", "A1VC38T7YXB528"), ("NextToken", next.as_str())],
        )
        .unwrap();
        page = orders(&r, access, q.query().unwrap()).await.1;
    }
    assert_eq!(ids.len(), 5);
    let (status, body) = orders(&r, access, "MarketplaceIds=A1VC38T7YXB528").await;
    assert_eq!((status, body["errors"][0]["code"].as_str()), (400, Some("InvalidInput")));
}

#[tokio::test]
async fn an_unknown_or_expired_access_token_is_denied() {
    let r = start().await;
    account(&r, "A1SELLER3").await;
    let q = "MarketplaceIds=A1VC38T7YXB528&CreatedAfter=2026-01-01T00:00:00Z";
    let (status, body) = orders(&r, "Atza|nope", q).await;
    assert_eq!((status, body["errors"][0]["code"].as_str()), (403, Some("Unauthorized")));
    let (_, t) = token(&r, "Atzr|A1SELLER3", "sec").await;
    r.post_control("/accounts/amazon/A1SELLER3/expire", json!({})).await;
    let (status, body) = orders(&r, t["access_token"].as_str().unwrap(), q).await;
    assert_eq!(status, 403);
    assert!(body["errors"][0]["details"].as_str().unwrap().contains("expired"));
    let (status, _) = token(&r, "Atzr|A1SELLER3", "sec").await;
    assert_eq!(status, 400, "a revoked refresh token gets no new access token");
}

#[tokio::test]
async fn throttling_uses_the_quota_exceeded_envelope() {
    let r = start().await;
    account(&r, "A1SELLER4").await;
    r.control("PUT", "/faults/amazon", json!({"tooManyRequests": 1, "retryAfterSecs": 2})).await;
    let resp = r.http.get(r.url("/amazon/orders/v0/orders")).send().await.unwrap();
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["retry-after"], "2");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "QuotaExceeded");
}
