//! The control API: accounts, generated data, counters.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step is a failed test

mod common;

use common::{esa, jst, start};
use serde_json::json;

#[tokio::test]
async fn accounts_are_created_once_with_valid_credentials() {
    let r = start().await;
    let body = json!({"marketplace": "rakuten", "shopId": "400001", "serviceSecret": "s", "licenseKey": "l"});
    let (status, created) = r.control("POST", "/accounts", body.clone()).await;
    assert_eq!(status, 201);
    assert_eq!(created, json!({"marketplace": "rakuten", "id": "400001"}));
    let (status, _) = r.control("POST", "/accounts", body).await;
    assert_eq!(status, 409);
    let (status, _) = r
        .control(
            "POST",
            "/accounts",
            json!({"marketplace": "rakuten", "shopId": "abc", "serviceSecret": "s", "licenseKey": "l"}),
        )
        .await;
    assert_eq!(status, 400, "Rakuten shop ids are numeric");
    let (status, _) = r.control("POST", "/accounts", json!({"marketplace": "ebay", "id": "x"})).await;
    assert_eq!(status, 400);
    let (status, _) = r.control("POST", "/accounts/rakuten/999/orders", json!({"count": 1})).await;
    assert_eq!(status, 404);
    let (status, _) =
        r.control("POST", "/accounts", json!({"marketplace": "aupay", "shopId": "1", "apiKey": "k"})).await;
    assert_eq!(status, 201);
    let (status, _) = r.control("POST", "/accounts/aupay/1/inquiries", json!({"count": 1})).await;
    assert_eq!(status, 400, "au PAY has no inquiry API");
}

#[tokio::test]
async fn a_licence_key_older_than_90_days_is_expired() {
    let r = start().await;
    let issued = chrono::Utc::now() - chrono::Duration::days(91);
    r.post_control("/accounts", json!({"marketplace": "rakuten", "shopId": "400002", "serviceSecret": "s", "licenseKey": "l", "keyIssuedAt": issued})).await;
    let now = chrono::Utc::now();
    let url = r.url(&format!(
        "/rakuten/es/1.0/inquirymng-api/inquiries/count?fromDate={}&toDate={}",
        jst(now - chrono::Duration::days(1)),
        jst(now)
    ));
    let resp = r.http.get(&url).header("Authorization", esa("s", "l")).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert!(body["Results"]["message"].as_str().unwrap().contains("expired"));
}

#[tokio::test]
async fn generated_data_is_japanese_and_realistic() {
    let r = start().await;
    r.rakuten_shop("400003").await;
    let created = r.post_control("/accounts/rakuten/400003/orders", json!({"count": 3})).await;
    for n in created["orderNumbers"].as_array().unwrap() {
        let o = r.get_control(&format!("/accounts/rakuten/400003/orders/{}", n.as_str().unwrap())).await;
        let zip = o["buyer"]["zipCode"].as_str().unwrap();
        assert!(zip.len() == 7 && zip.bytes().all(|c| c.is_ascii_digit()));
        assert!(o["buyer"]["prefecture"].as_str().unwrap().ends_with(['都', '道', '府', '県']));
        assert!(o["buyer"]["phone"].as_str().unwrap().starts_with('0'));
        assert!(o["lines"][0]["price"].as_i64().unwrap() > 0);
        assert!(!o["lines"][0]["sku"].as_str().unwrap().is_empty());
    }
    let ids = r
        .post_control(
            "/accounts/rakuten/400003/inquiries",
            json!({"inquiries": [{"message": "領収書をお願いします", "orderNumber": created["orderNumbers"][0]}]}),
        )
        .await;
    let inq =
        r.get_control(&format!("/accounts/rakuten/400003/inquiries/{}", ids["inquiryIds"][0].as_str().unwrap())).await;
    assert_eq!(inq["kind"], "受注問い合わせ");
    assert_eq!(inq["orderNumber"], created["orderNumbers"][0]);
    let (status, _) = r
        .control(
            "POST",
            "/accounts/rakuten/400003/inquiries",
            json!({"inquiries": [{"orderNumber": "400003-20000101-0000000000"}]}),
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_same_seed_gives_the_same_data() {
    let a = mallsim::Sim::new(9);
    let b = mallsim::Sim::new(9);
    for sim in [&a, &b] {
        sim.create_account(mallsim::NewAccount::new(mallsim::Credentials::Yahoo {
            seller_id: "s".into(),
            access_token: "t".into(),
            client_id: None,
            client_secret: None,
            refresh_token: None,
        }))
        .await
        .unwrap();
    }
    let key = mallsim::AccountKey::new(mallsim::Marketplace::Yahoo, "s");
    let na = a.generate_orders(&key, 3, 5).await.unwrap();
    let nb = b.generate_orders(&key, 3, 5).await.unwrap();
    assert_eq!(na, nb);
    let sa = a.state().await;
    let sb = b.state().await;
    assert_eq!(sa.orders[0].buyer.full_name(), sb.orders[0].buyer.full_name());
}

#[tokio::test]
async fn counters_start_at_zero_and_list_what_was_received() {
    let r = start().await;
    r.rakuten_shop("400004").await;
    let c = r.counters("rakuten", "400004").await;
    assert_eq!(c["replies"], 0);
    assert_eq!(c["shippingUpdates"], 0);
    assert_eq!(c["received"], json!([]));
    let (status, _) = r.control("GET", "/accounts/rakuten/400005/counters", json!(null)).await;
    assert_eq!(status, 404);
}
