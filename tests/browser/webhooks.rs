//! Webhook (admin) in the browser: register an endpoint, see its secret once, see a delivery
//! in its log, delete it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::HeaderMap;
use fantoccini::Locator;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::harness::*;

/// A receiver on 127.0.0.1 that keeps each body with whether its signature checked out against
/// the secret it is given.
struct Receiver {
    url: String,
    secret: Arc<Mutex<String>>,
    got: Arc<Mutex<Vec<(bool, Value)>>>,
}

async fn receiver() -> Receiver {
    let secret = Arc::new(Mutex::new(String::new()));
    let got: Arc<Mutex<Vec<(bool, Value)>>> = Arc::default();
    let (s, g) = (secret.clone(), got.clone());
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let (s, g) = (s.clone(), g.clone());
            async move {
                let header = headers.get("x-madoguchi-signature").and_then(|h| h.to_str().ok()).unwrap_or("");
                let ok = signed(&s.lock().unwrap(), header, &body);
                g.lock().unwrap().push((ok, serde_json::from_slice(&body).unwrap_or(Value::Null)));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Receiver { url: format!("http://{addr}/hook"), secret, got }
}

/// `t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`
fn signed(secret: &str, header: &str, body: &[u8]) -> bool {
    let parts: Vec<(&str, &str)> = header.split(',').filter_map(|p| p.split_once('=')).collect();
    let get = |k: &str| parts.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
    let (Some(t), Some(v1)) = (get("t"), get("v1")) else { return false };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    hex::decode(v1).is_ok_and(|sig| mac.verify_slice(&sig).is_ok())
}

#[tokio::test]
async fn an_admin_registers_a_webhook_sees_its_secret_once_and_its_deliveries() {
    let Some((app, driver)) = setup().await else { return };
    let hook = receiver().await;
    let c = browser(&driver).await;
    log_in(&c, &app.base).await;
    find_text(&c, "a", "Webhook").await.click().await.unwrap();
    find(&c, "form.webhook-form").await;

    find(&c, "input[name=webhookUrl]").await.send_keys(&hook.url).await.unwrap();
    // 問い合わせの受信 is checked at first; only orders are wanted here.
    find(&c, "input[name=events][value=INQUIRY_RECEIVED]").await.click().await.unwrap();
    find(&c, "input[name=events][value=ORDER_CREATED]").await.click().await.unwrap();
    find(&c, "form.webhook-form button[type=submit]").await.click().await.unwrap();
    let secret = find(&c, ".secret-box code.secret").await.text().await.unwrap();
    assert!(secret.starts_with("whsec_"), "{secret}");
    *hook.secret.lock().unwrap() = secret.clone();
    screenshot(&c, "20-webhook-secret").await;
    let listed = app.gql_ok(TOKEN, "{ webhooks { id url events } }", json!({})).await;
    assert_eq!(listed["webhooks"][0]["url"], hook.url.as_str());
    assert_eq!(listed["webhooks"][0]["events"], json!(["ORDER_CREATED"]));
    let id = listed["webhooks"][0]["id"].as_str().unwrap().to_owned();

    // Shown once: closed, and after a reload, it is nowhere on the page.
    find_text(&c, "button", "閉じる").await.click().await.unwrap();
    c.refresh().await.unwrap();
    find(&c, &format!("section[data-webhook-id='{id}']")).await;
    let page = c.source().await.unwrap();
    assert!(!page.contains(&secret), "the secret is not shown again");

    // An order is registered: the endpoint gets it, signed with that secret, and the log says so.
    let shop = app.gql_ok(TOKEN, "{ shops { id } }", json!({})).await["shops"][0]["id"].clone();
    app.gql_ok(
        TOKEN,
        "mutation($i: OrderInput!) { createOrder(input: $i) { id } }",
        json!({ "i": { "shopId": shop, "orderNumber": "WH-1", "orderedAt": "2026-11-01T10:00:00+09:00",
                       "recipient": { "name": "佐藤 花子" }, "items": [{ "name": "今治タオル", "unitPrice": 1100, "quantity": 1 }] } }),
    )
    .await;
    eventually_within(20, "the order's event at the endpoint", || async { !hook.got.lock().unwrap().is_empty() }).await;
    let (ok, body) = hook.got.lock().unwrap()[0].clone();
    assert!(ok, "signed with the secret shown on the screen: {body}");
    assert_eq!(body["type"], "ORDER_CREATED");
    let row = format!("section[data-webhook-id='{id}'] tr[data-result=DELIVERED]");
    // The log shows it by itself (the page reads it again every few seconds), no button pressed.
    eventually_within(20, "the delivery in the log", || async {
        if c.find(Locator::Css(&row)).await.is_ok() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        false
    })
    .await;
    let shown = text(&c, &row).await;
    assert!(shown.contains("受注の登録") && shown.contains("配信済み") && shown.contains("HTTP 200"), "{shown}");
    screenshot(&c, "21-webhook-log").await;

    // Deleted, after the confirmation.
    find(&c, &format!("section[data-webhook-id='{id}'] button.danger")).await.click().await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    c.accept_alert().await.expect("a confirmation dialog");
    eventually("the endpoint is gone", || async {
        c.find(Locator::Css(&format!("section[data-webhook-id='{id}']"))).await.is_err()
    })
    .await;
    assert_eq!(app.gql_ok(TOKEN, "{ webhooks { id } }", json!({})).await["webhooks"], json!([]));
    c.close().await.ok();
    app.finish().await;
}
