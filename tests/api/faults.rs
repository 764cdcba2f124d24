//! A bad day at every marketplace: slow answers, 429 with Retry-After, 503, dropped
//! connections and answers that come after the caller gave up, all in one run. Imports
//! complete with the right counts, replies are delivered once, and a run that has to give up
//! says why in plain words.
//!
//! The simulator counts faults per request ("the next N requests …") rather than drawing them
//! at random, so each run meets every kind of fault in a known order; the latency is scaled
//! down from the 2 s of a real bad day to keep the suite fast (the retry timeouts are scaled
//! the same way by the test retry policy).

use chrono::{TimeDelta, Utc};
use madoguchi_tests::{TestApp, each_backend};
use serde_json::{Value, json};

use crate::marketplaces::{Mall, REPLY, THREADS, run, wait_delivered_on};

const YAHOO_SELLER: &str = "madoguchi-faults";

/// One marketplace as the simulator and a shop of ours see it.
struct Market {
    /// The simulator's name and path prefix.
    sim: &'static str,
    /// The account id the simulator files orders under.
    account: &'static str,
    account_body: Value,
    shop: Value,
}

fn markets() -> Vec<Market> {
    let profile = |name: &str| json!({ "mallShopName": name, "staffName": "山田 花子", "phone": "03-1111-2222", "email": "shop@example.jp" });
    vec![
        Market {
            sim: "rakuten",
            account: "123456",
            account_body: json!({"marketplace": "rakuten", "shopId": "123456", "serviceSecret": "SP123456_secret", "licenseKey": "SL123456_key"}),
            shop: json!({ "marketplace": "RAKUTEN", "name": "楽天店", "profile": profile("楽天店"),
                "settings": { "credentials": { "serviceSecret": "SP123456_secret", "licenseKey": "SL123456_key", "shopId": "123456" } } }),
        },
        Market {
            sim: "yahoo",
            account: YAHOO_SELLER,
            account_body: json!({"marketplace": "yahoo", "sellerId": YAHOO_SELLER, "accessToken": "yahoo-token", "minIntervalMs": 0}),
            shop: json!({ "marketplace": "YAHOO", "name": "Yahoo店", "profile": profile("Yahoo店"),
                "settings": { "credentials": { "sellerId": YAHOO_SELLER, "accessToken": "yahoo-token" } } }),
        },
        Market {
            sim: "rakuma",
            account: "shop@rakuma.example",
            account_body: json!({"marketplace": "rakuma", "email": "shop@rakuma.example", "password": "pw", "clientId": "rk-client", "clientSecret": "rk-secret"}),
            shop: json!({ "marketplace": "RAKUMA", "name": "ラクマ店", "profile": profile("ラクマ店"),
                "settings": { "reviewMessage": "ありがとうございました。", "credentials": { "email": "shop@rakuma.example", "password": "pw", "clientId": "rk-client", "clientSecret": "rk-secret" } } }),
        },
        Market {
            sim: "aupay",
            account: "51230000",
            account_body: json!({"marketplace": "aupay", "shopId": "51230000", "apiKey": "aupay-key"}),
            shop: json!({ "marketplace": "AU_PAY", "name": "au PAY店", "profile": profile("au PAY店"),
                "settings": { "credentials": { "shopId": "51230000", "apiKey": "aupay-key" } } }),
        },
        Market {
            sim: "amazon",
            account: "A1TESTSELLER",
            account_body: json!({"marketplace": "amazon", "sellerId": "A1TESTSELLER", "clientId": "amzn-client", "clientSecret": "amzn-secret", "refreshToken": "Atzr|refresh"}),
            shop: json!({ "marketplace": "AMAZON", "name": "Amazon店", "profile": profile("Amazon店"),
                "settings": { "credentials": { "sellerId": "A1TESTSELLER", "clientId": "amzn-client", "clientSecret": "amzn-secret", "refreshToken": "Atzr|refresh" } } }),
        },
    ]
}

/// Every kind of fault once, then slow answers: within the retry budget of one call.
fn bad_day() -> Value {
    json!({
        "latencyMs": 150,
        "dropConnections": 1,
        "tooManyRequests": 1,
        "retryAfterSecs": 1,
        "unavailable": 1,
        "lateAnswers": 1,
        "lateAnswerMs": 4_500
    })
}

async fn faults(mall: &Mall, sim: &str, f: Value) {
    mall.control(reqwest::Method::PUT, &format!("/faults/{sim}"), f).await;
}

async fn shop_on(app: &TestApp, token: &str, mall: &Mall, m: &Market) -> String {
    mall.control(reqwest::Method::POST, "/accounts", m.account_body.clone()).await;
    let mut input = m.shop.clone();
    input["settings"]["apiBaseUrl"] = json!(format!("{}/{}", mall.base, m.sim));
    let d = app.gql_ok(token, "mutation($i: ShopInput!) { createShop(input: $i) { id } }", json!({ "i": input })).await;
    d["createShop"]["id"].as_str().expect("shop").to_owned()
}

fn created(r: &Value) -> i64 {
    r["created"].as_i64().expect("created")
}

#[tokio::test]
async fn order_imports_of_every_marketplace_complete_through_a_bad_day() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        let (token, _) = app.tenant("A商店", true).await;
        for m in markets() {
            let shop = shop_on(&app, &token, &mall, &m).await;
            let specs: Vec<Value> =
                (0..4).map(|i| json!({"at": Utc::now() - TimeDelta::hours(3 + i), "state": "confirmed"})).collect();
            mall.control(
                reqwest::Method::POST,
                &format!("/accounts/{}/{}/orders", m.sim, m.account),
                json!({ "orders": specs }),
            )
            .await;
            faults(&mall, m.sim, bad_day()).await;
            let r = run(&app, &token, "importOrders", json!({ "shopId": shop })).await;
            assert_eq!(r["state"], "SUCCEEDED", "{}: {r}", m.sim);
            assert_eq!(created(&r), 4, "{}: faults cost retries, not data: {r}", m.sim);
            // Nothing was recorded twice, whatever answers came late.
            faults(&mall, m.sim, json!({})).await;
            let again = run(&app, &token, "importOrders", json!({ "shopId": shop })).await;
            assert_eq!((created(&again), again["unchanged"].as_i64()), (0, Some(4)), "{}: {again}", m.sim);
        }
        mall.task.abort();
    });
}

#[tokio::test]
async fn replies_go_out_once_through_a_bad_day_on_every_marketplace_that_takes_them() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        let (token, _) = app.tenant("A商店", true).await;
        for m in markets().into_iter().filter(|m| matches!(m.sim, "rakuten" | "yahoo")) {
            let shop = shop_on(&app, &token, &mall, &m).await;
            let inquiry = json!({"inquiries": [{"message": "いつ届きますか？", "at": Utc::now() - TimeDelta::hours(2), "userName": "楽天 太郎"}]});
            mall.control(reqwest::Method::POST, &format!("/accounts/{}/{}/inquiries", m.sim, m.account), inquiry).await;
            faults(&mall, m.sim, bad_day()).await;
            let r = run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
            assert_eq!((r["state"].as_str(), created(&r)), (Some("SUCCEEDED"), 1), "{}: {r}", m.sim);
            let t = app.gql_ok(&token, THREADS, json!({ "s": shop })).await;
            let id = t["inquiries"]["nodes"][0]["id"].as_str().expect("id").to_owned();
            faults(&mall, m.sim, bad_day()).await;
            app.gql_ok(&token, REPLY, json!({ "id": id, "b": "明日発送いたします。" })).await;
            assert_eq!(wait_delivered_on(&app, &token, &id).await["delivery"], "SENT", "{}", m.sim);
            let c = mall
                .control(reqwest::Method::GET, &format!("/accounts/{}/{}/counters", m.sim, m.account), Value::Null)
                .await;
            assert_eq!(c["replies"], 1, "{}: the marketplace received the reply exactly once", m.sim);
        }
        mall.task.abort();
    });
}

#[tokio::test]
async fn a_run_that_gives_up_says_why_in_plain_words_on_every_marketplace() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        let (token, _) = app.tenant("A商店", true).await;
        for m in markets() {
            let shop = shop_on(&app, &token, &mall, &m).await;
            // The marketplace is down for longer than the retries last.
            faults(&mall, m.sim, json!({ "unavailable": 1000 })).await;
            let r = run(&app, &token, "importOrders", json!({ "shopId": shop })).await;
            assert_eq!(r["state"], "FAILED", "{}: {r}", m.sim);
            let reason =
                r["errors"].as_array().expect("errors").iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" ");
            assert!(!reason.is_empty(), "{}: the run says why", m.sim);
            let shop_name = m.shop["name"].as_str().expect("name");
            assert!(reason.contains(shop_name), "{}: names the shop: {reason}", m.sim);
            assert!(reason.contains("モール"), "{}: in the staff's words: {reason}", m.sim);
            for internal in ["reqwest", "hyper", "sqlx", "error sending request", "Error {"] {
                assert!(!reason.contains(internal), "{}: no internal text: {reason}", m.sim);
            }
            faults(&mall, m.sim, json!({})).await;
        }
        mall.task.abort();
    });
}
