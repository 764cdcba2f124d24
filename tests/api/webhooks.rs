//! Webhooks: admins register endpoints per event type; each gets the tenant's events of those
//! types as signed JSON POSTs, in sequence order, again after failures, with a delivery log;
//! deleted endpoints get nothing more; tenants never see each other's; URLs follow the address
//! rules of `apiBaseUrl`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use madoguchi_tests::{TestApp, each_backend, error_code};
use serde_json::{Value, json};
use sha2::Sha256;
use shared::{Marketplace, MessageAuthor::*};

use crate::seed::{self, Thread};

const CREATE: &str =
    "mutation($i: WebhookInput!) { createWebhook(input: $i) { secret webhook { id url events createdBy } } }";
const LIST: &str =
    "{ webhooks { id url events deliveries(first: 50) { sequence eventType attempt result statusCode error } } }";
const DELETE: &str = "mutation($id: ID!) { deleteWebhook(id: $id) }";
const CREATE_ORDER: &str = "mutation($i: OrderInput!) { createOrder(input: $i) { id } }";
const UPDATE_ORDER: &str = "mutation($id: ID!, $i: OrderUpdateInput!) { updateOrder(id: $id, input: $i) { id } }";
const REPLY: &str = "mutation($i: ReplyInput!) { replyToInquiry(input: $i) { id } }";

/// How long a test waits for deliveries it expects (never a figure it asserts).
const WAIT: Duration = Duration::from_secs(20);

/// An endpoint of the test's own on 127.0.0.1: it checks each request's signature with the
/// secret it is given, keeps the bodies, and answers with the statuses it was told (then 200).
struct Receiver {
    url: String,
    secret: Arc<Mutex<String>>,
    /// Every request: (status answered, body), in the order they came.
    seen: Arc<Mutex<Vec<(u16, Value)>>>,
    answers: Arc<Mutex<Vec<u16>>>,
}

impl Receiver {
    async fn start() -> Receiver {
        let secret = Arc::new(Mutex::new(String::new()));
        let seen: Arc<Mutex<Vec<(u16, Value)>>> = Arc::default();
        let answers: Arc<Mutex<Vec<u16>>> = Arc::default();
        let (s, v, a) = (secret.clone(), seen.clone(), answers.clone());
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
                let (s, v, a) = (s.clone(), v.clone(), a.clone());
                async move {
                    let secret = s.lock().unwrap().clone();
                    let header = headers.get("x-madoguchi-signature").and_then(|h| h.to_str().ok()).unwrap_or("");
                    assert!(verify(&secret, header, &body), "a delivery with a bad signature: {header}");
                    assert_eq!(headers.get("content-type").unwrap(), "application/json");
                    let status = {
                        let mut a = a.lock().unwrap();
                        if a.is_empty() { 200 } else { a.remove(0) }
                    };
                    v.lock().unwrap().push((status, serde_json::from_slice(&body).unwrap()));
                    StatusCode::from_u16(status).unwrap()
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { url: format!("http://{addr}/hook"), secret, seen, answers }
    }

    /// Registers this endpoint for `events` with `token`; returns the webhook's id.
    async fn register(&self, app: &TestApp, token: &str, events: &[&str]) -> String {
        let made = app.gql_ok(token, CREATE, json!({ "i": { "url": self.url, "events": events } })).await;
        let secret = made["createWebhook"]["secret"].as_str().unwrap().to_owned();
        assert!(secret.starts_with("whsec_") && secret.len() > 40, "a strong secret: {secret}");
        *self.secret.lock().unwrap() = secret;
        made["createWebhook"]["webhook"]["id"].as_str().unwrap().to_owned()
    }

    /// The bodies answered with 2xx, in the order they came.
    fn delivered(&self) -> Vec<Value> {
        self.seen.lock().unwrap().iter().filter(|(s, _)| *s < 300).map(|(_, b)| b.clone()).collect()
    }

    /// Waits until `n` deliveries were answered with 2xx; returns them.
    async fn wait_for(&self, n: usize) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let got = self.delivered();
            if got.len() >= n {
                return got;
            }
            assert!(tokio::time::Instant::now() < deadline, "expected {n} deliveries, got {got:#?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// The receiver's side of the scheme: `t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
fn verify(secret: &str, header: &str, body: &[u8]) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", x)) => t = Some(x.to_owned()),
            Some(("v1", x)) => v1 = Some(x.to_owned()),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else { return false };
    let Ok(sent) = t.parse::<i64>() else { return false };
    if (chrono::Utc::now().timestamp() - sent).abs() > 300 {
        return false;
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    hex::decode(v1).is_ok_and(|sig| mac.verify_slice(&sig).is_ok())
}

fn order_input(shop: &str, number: &str) -> Value {
    json!({ "i": {
        "shopId": shop, "orderNumber": number, "orderedAt": "2026-11-01T10:00:00+09:00",
        "recipient": { "name": "佐藤 花子" },
        "items": [{ "name": "今治タオル", "unitPrice": 1100, "quantity": 1 }]
    }})
}

fn thread<'a>(mid: &'a str, text: &'a str) -> Thread<'a> {
    Thread {
        mid,
        order_number: None,
        customer: "楽天 太郎",
        created_minutes: 0,
        messages: vec![(Customer, text)],
        completed: false,
    }
}

fn types(bodies: &[Value]) -> Vec<String> {
    bodies.iter().map(|b| b["type"].as_str().unwrap().to_owned()).collect()
}

fn assert_in_sequence_order(bodies: &[Value]) {
    let seqs: Vec<i64> = bodies.iter().map(|b| b["sequence"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "in sequence order, each once: {seqs:?}");
}

#[tokio::test]
async fn a_customer_message_a_reply_and_an_order_arrive_signed_in_sequence_order_by_subscribed_type() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        let everything = Receiver::start().await;
        everything
            .register(&app, &token, &["INQUIRY_RECEIVED", "INQUIRY_UPDATED", "ORDER_CREATED", "ORDER_UPDATED"])
            .await;
        let orders_only = Receiver::start().await;
        orders_only.register(&app, &token, &["ORDER_CREATED"]).await;

        let inquiry = seed::inquiry(&app, &actor, &shop, thread("r1", "届きません")).await;
        let detail = app
            .gql_ok(&token, "query($id: ID!) { inquiry(id: $id) { messages { id } } }", json!({ "id": inquiry }))
            .await;
        let last_seen = detail["inquiry"]["messages"][0]["id"].clone();
        app.gql_ok(
            &token,
            REPLY,
            json!({ "i": { "inquiryId": inquiry, "body": "確認いたします", "lastSeenMessageId": last_seen } }),
        )
        .await;
        let order = app.gql_ok(&token, CREATE_ORDER, order_input(&shop, "A-1")).await["createOrder"]["id"].clone();
        app.gql_ok(&token, UPDATE_ORDER, json!({ "id": order, "i": { "notes": "ギフト包装" } })).await;

        // The orders-only endpoint gets exactly the order's creation.
        let got = orders_only.wait_for(1).await;
        assert_eq!(types(&got), ["ORDER_CREATED"]);
        // The other gets all four kinds, in sequence order, each body as the contract says.
        let deadline = tokio::time::Instant::now() + WAIT;
        let got = loop {
            let got = everything.delivered();
            if types(&got).contains(&"ORDER_UPDATED".to_owned()) {
                break got;
            }
            assert!(tokio::time::Instant::now() < deadline, "the order's update never came: {got:#?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_in_sequence_order(&got);
        let kinds = types(&got);
        assert_eq!(kinds.first().map(String::as_str), Some("INQUIRY_RECEIVED"), "{kinds:?}");
        assert!(kinds.contains(&"INQUIRY_UPDATED".to_owned()), "the reply: {kinds:?}");
        let created = kinds.iter().position(|k| k == "ORDER_CREATED").expect("the order");
        let updated = kinds.iter().position(|k| k == "ORDER_UPDATED").expect("its update");
        assert!(created < updated, "{kinds:?}");
        assert!(!kinds.contains(&"SYNC_RUN_FINISHED".to_owned()), "not subscribed: {kinds:?}");
        for b in &got {
            assert_eq!(b["tenantId"], actor.scope.tenant_id().to_string(), "{b}");
            assert!(b["id"].is_string() && b["occurredAt"].is_string() && b["data"].is_object(), "{b}");
            chrono::DateTime::parse_from_rfc3339(b["occurredAt"].as_str().unwrap()).expect("RFC 3339");
        }
        // The data is a snapshot of what changed.
        let first = &got[0];
        assert_eq!(first["data"]["id"], inquiry.as_str(), "{first}");
        assert_eq!(first["data"]["shopId"], shop.as_str(), "{first}");
        let order_created = got.iter().find(|b| b["type"] == "ORDER_CREATED").unwrap();
        assert_eq!(order_created["data"]["orderNumber"], "A-1", "{order_created}");
        assert_eq!(order_created["data"]["id"], order, "{order_created}");
        assert_eq!(
            got.iter().find(|b| b["type"] == "ORDER_CREATED").map(|b| b["sequence"].clone()),
            orders_only.delivered().first().map(|b| b["sequence"].clone()),
            "the same event, the same sequence, for every endpoint"
        );
        // Each event was delivered once, at its first attempt, and the log says so (the log row
        // is written when the receiver's answer is back, so the last one may follow the body
        // the receiver already holds by a moment).
        let mut list = app.gql_ok(&token, LIST, json!({})).await;
        for _ in 0..50 {
            let logged = list["webhooks"][0]["deliveries"].as_array().map_or(0, |l| l.len());
            if logged >= got.len() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            list = app.gql_ok(&token, LIST, json!({})).await;
        }
        let log = &list["webhooks"][0]["deliveries"];
        let delivered: Vec<&Value> = log.as_array().unwrap().iter().filter(|d| d["result"] == "DELIVERED").collect();
        assert_eq!(delivered.len(), got.len(), "{log:#}");
        assert!(delivered.iter().all(|d| d["attempt"] == 1 && d["statusCode"] == 200), "{log:#}");
    });
}

#[tokio::test]
async fn an_order_import_sends_each_new_order_then_the_finished_run() {
    each_backend!(|app| {
        let (token, _) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::CustomCsv, "自社サイト").await;
        app.gql_ok(
            &token,
            "mutation($id: ID!, $i: ShopInput!) { updateShop(id: $id, input: $i) { id } }",
            json!({ "id": shop, "i": {
                "marketplace": "CUSTOM_CSV", "name": "自社サイト",
                "profile": { "mallShopName": "自社サイト 本店", "staffName": "山田 花子", "phone": "03-1111-2222", "email": "shop@example.jp" },
                "settings": { "csvMapping": [
                    { "field": "ORDER_NUMBER", "header": "注文ID" }, { "field": "ORDERED_AT", "header": "注文日時" },
                    { "field": "RECIPIENT_NAME", "header": "お届け先" }, { "field": "ITEM_NAME", "header": "品名" },
                    { "field": "UNIT_PRICE", "header": "価格" }, { "field": "QUANTITY", "header": "個数" },
                ] }
            }}),
        )
        .await;
        let receiver = Receiver::start().await;
        receiver.register(&app, &token, &["ORDER_CREATED", "SYNC_RUN_FINISHED"]).await;
        let csv = "注文ID,注文日時,お届け先,品名,価格,個数\r\nC-1,2026/11/20 10:15,山田 太郎,緑茶,1080,2\r\nC-2,2026/11/20 11:00,佐藤 花子,急須,3200,1\r\n";
        let body = app
            .gql_upload(
                &token,
                "mutation($i: CsvImportInput!) { importOrdersCsv(input: $i) { run { id created } } }",
                json!({ "i": { "shopId": shop, "file": null } }),
                "variables.i.file",
                ("orders.csv", "text/csv", csv.as_bytes()),
            )
            .await;
        assert_eq!(body["data"]["importOrdersCsv"]["run"]["created"], 2, "{body:#}");
        let got = receiver.wait_for(3).await;
        assert_in_sequence_order(&got);
        assert_eq!(types(&got), ["ORDER_CREATED", "ORDER_CREATED", "SYNC_RUN_FINISHED"]);
        let numbers: Vec<&Value> = got[..2].iter().map(|b| &b["data"]["orderNumber"]).collect();
        assert_eq!(numbers, [&json!("C-1"), &json!("C-2")]);
        assert_eq!(got[2]["data"]["id"], body["data"]["importOrdersCsv"]["run"]["id"], "{:#}", got[2]);
        assert_eq!(got[2]["data"]["created"], 2, "{:#}", got[2]);
    });
}

#[tokio::test]
async fn a_failing_endpoint_gets_the_events_again_in_order_and_the_log_shows_each_attempt() {
    for backend in madoguchi_tests::backends().await {
        let metrics_addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        let app = madoguchi_tests::spawn_app_with(&backend, |c| {
            c.webhooks.retry_base = Duration::from_millis(200);
            c.metrics_listen = Some(metrics_addr);
        })
        .await;
        let metrics = format!("http://{metrics_addr}/metrics");
        let counted = |t: &str, result: &str| {
            crate::metrics::value(t, "madoguchi_webhook_deliveries_total", &[("result", result)])
        };
        let before = crate::metrics::scrape(&metrics).await;
        let (token, _) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        let receiver = Receiver::start().await;
        *receiver.answers.lock().unwrap() = vec![500, 500];
        let hook = receiver.register(&app, &token, &["ORDER_CREATED"]).await;

        app.gql_ok(&token, CREATE_ORDER, order_input(&shop, "A-1")).await;
        app.gql_ok(&token, CREATE_ORDER, order_input(&shop, "A-2")).await;

        let got = receiver.wait_for(2).await;
        let numbers: Vec<&str> = got.iter().map(|b| b["data"]["orderNumber"].as_str().unwrap_or("")).collect();
        assert_eq!(types(&got), ["ORDER_CREATED", "ORDER_CREATED"]);
        assert_eq!(numbers, ["A-1", "A-2"], "in the order they happened");
        assert_in_sequence_order(&got);
        // The first order's event was refused twice; the second waited behind it.
        let seen: Vec<(u16, i64)> =
            receiver.seen.lock().unwrap().iter().map(|(s, b)| (*s, b["sequence"].as_i64().unwrap())).collect();
        let (first, second) = (got[0]["sequence"].as_i64().unwrap(), got[1]["sequence"].as_i64().unwrap());
        assert_eq!(seen, [(500, first), (500, first), (200, first), (200, second)], "{numbers:?}");

        let list = app.gql_ok(&token, LIST, json!({})).await;
        let hooks = list["webhooks"].as_array().unwrap();
        let mine = hooks.iter().find(|h| h["id"] == hook).unwrap();
        let mut log: Vec<(i64, i64, String, i64)> = mine["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["sequence"].as_i64().unwrap(),
                    d["attempt"].as_i64().unwrap(),
                    d["result"].as_str().unwrap().to_owned(),
                    d["statusCode"].as_i64().unwrap(),
                )
            })
            .collect();
        log.reverse(); // newest first on the API
        assert_eq!(
            log,
            [
                (first, 1, "FAILED".into(), 500),
                (first, 2, "FAILED".into(), 500),
                (first, 3, "DELIVERED".into(), 200),
                (second, 1, "DELIVERED".into(), 200),
            ]
        );
        let failed = &mine["deliveries"].as_array().unwrap()[3];
        assert!(failed["error"].as_str().unwrap().contains("HTTP 500"), "{failed}");
        // Counted by result (the recorder is shared by every server of this test process).
        let after = crate::metrics::scrape(&metrics).await;
        assert!(counted(&after, "failed") >= counted(&before, "failed") + 2.0, "{after}");
        assert!(counted(&after, "delivered") >= counted(&before, "delivered") + 2.0, "{after}");
        app.finish().await;
    }
}

#[tokio::test]
async fn an_event_refused_past_the_retry_window_is_given_up_logged_and_the_next_one_is_sent() {
    for backend in madoguchi_tests::backends().await {
        // The 24-hour window shortened to a second: the same rule, in test time.
        let app = madoguchi_tests::spawn_app_with(&backend, |c| {
            c.webhooks.retry_base = Duration::from_millis(200);
            c.webhooks.give_up_after = Duration::from_secs(1);
        })
        .await;
        let (token, _) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        let receiver = Receiver::start().await;
        *receiver.answers.lock().unwrap() = vec![503; 1000];
        let hook = receiver.register(&app, &token, &["ORDER_CREATED"]).await;
        app.gql_ok(&token, CREATE_ORDER, order_input(&shop, "A-1")).await;

        // Refused until the window closes; then passed, with the last attempt logged as given up.
        let deadline = tokio::time::Instant::now() + WAIT;
        let log = loop {
            let list = app.gql_ok(&token, LIST, json!({})).await;
            let mine = list["webhooks"].as_array().unwrap().iter().find(|h| h["id"] == hook).unwrap().clone();
            let log = mine["deliveries"].as_array().unwrap().clone();
            if log.first().is_some_and(|d| d["result"] == "GAVE_UP") {
                break log;
            }
            assert!(tokio::time::Instant::now() < deadline, "never given up: {log:#?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        let results: Vec<&str> = log.iter().map(|d| d["result"].as_str().unwrap()).collect();
        assert!(results.len() >= 2 && results[1..].iter().all(|r| *r == "FAILED"), "{results:?}");
        let attempts: Vec<i64> = log.iter().rev().map(|d| d["attempt"].as_i64().unwrap()).collect();
        assert_eq!(attempts, (1..=log.len() as i64).collect::<Vec<_>>(), "one attempt after another");
        assert_eq!(log[0]["statusCode"], 503);

        // The endpoint answers again: the next event goes out and the given-up one is not resent.
        let refused = receiver.seen.lock().unwrap().len();
        receiver.answers.lock().unwrap().clear();
        app.gql_ok(&token, CREATE_ORDER, order_input(&shop, "A-2")).await;
        let got = receiver.wait_for(1).await;
        assert_eq!(got[0]["data"]["orderNumber"], "A-2");
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(receiver.seen.lock().unwrap().len(), refused + 1, "A-1 was not sent again");
        app.finish().await;
    }
}

#[tokio::test]
async fn a_deleted_webhook_is_sent_nothing_more() {
    each_backend!(|app| {
        let (token, _) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        let deleted = Receiver::start().await;
        let id = deleted.register(&app, &token, &["ORDER_CREATED"]).await;
        let kept = Receiver::start().await;
        kept.register(&app, &token, &["ORDER_CREATED"]).await;

        app.gql_ok(&token, CREATE_ORDER, order_input(&shop, "A-1")).await;
        deleted.wait_for(1).await;
        let gone = app.gql_ok(&token, DELETE, json!({ "id": id })).await;
        assert_eq!(gone["deleteWebhook"], id);
        app.gql_ok(&token, CREATE_ORDER, order_input(&shop, "A-2")).await;

        // The endpoint still registered gets the second order; by then the deleted one would have.
        kept.wait_for(2).await;
        assert_eq!(deleted.seen.lock().unwrap().len(), 1, "nothing after the deletion");
        let list = app.gql_ok(&token, LIST, json!({})).await;
        assert_eq!(list["webhooks"].as_array().unwrap().len(), 1);
        let again = app.gql(Some(&token), DELETE, json!({ "id": id })).await;
        assert_eq!(error_code(&again).as_deref(), Some("NOT_FOUND"), "{again}");
    });
}

#[tokio::test]
async fn a_tenant_never_reaches_another_tenants_webhooks_nor_hears_its_events() {
    each_backend!(|app| {
        let (a_token, _) = app.tenant("A商店", true).await;
        let (b_token, b_actor) = app.tenant("B商店", true).await;
        let a_shop = seed::shop(&app, &a_token, Marketplace::Rakuten, "A店").await;
        let b_shop = seed::shop(&app, &b_token, Marketplace::Rakuten, "B店").await;
        let a = Receiver::start().await;
        let a_hook = a.register(&app, &a_token, &["ORDER_CREATED"]).await;
        let b = Receiver::start().await;
        b.register(&app, &b_token, &["ORDER_CREATED"]).await;

        let listed = app.gql_ok(&b_token, LIST, json!({})).await;
        assert!(listed["webhooks"].as_array().unwrap().iter().all(|h| h["id"] != a_hook), "{listed}");
        let refused = app.gql(Some(&b_token), DELETE, json!({ "id": a_hook })).await;
        assert_eq!(error_code(&refused).as_deref(), Some("NOT_FOUND"), "{refused}");

        app.gql_ok(&a_token, CREATE_ORDER, order_input(&a_shop, "A-1")).await;
        app.gql_ok(&b_token, CREATE_ORDER, order_input(&b_shop, "B-1")).await;
        a.wait_for(1).await;
        let got = b.wait_for(1).await;
        assert!(
            got.iter().all(|e| e["tenantId"].as_str() == Some(b_actor.scope.tenant_id().to_string().as_str())),
            "only B's events: {got:#?}"
        );
        assert_eq!(got.len(), 1, "{got:#?}");
        // A's endpoint still works after B's attempt to delete it.
        assert_eq!(a.delivered().len(), 1);
    });
}

#[tokio::test]
async fn only_admins_manage_webhooks() {
    each_backend!(|app| {
        let (admin, actor) = app.tenant("A商店", true).await;
        let hook = Receiver::start().await;
        let id = hook.register(&app, &admin, &["ORDER_CREATED"]).await;
        let (writer, _) =
            server::auth::create_api_token(&app.state.db, &actor, "連携", &["read".into(), "write".into()])
                .await
                .unwrap();
        for role in ["STAFF", "VIEWER"] {
            let email = format!("{}@example.jp", role.to_lowercase());
            app.gql_ok(
                &admin,
                "mutation($i: StaffInput!) { createStaff(input: $i) { id } }",
                json!({ "i": { "email": email, "name": role, "role": role, "password": "0123456789" } }),
            )
            .await;
        }
        let mut callers: Vec<(String, reqwest::Client)> = Vec::new();
        for role in ["staff", "viewer"] {
            let client = madoguchi_tests::browser_like_client(&app.base);
            let resp = client
                .post(format!("{}/auth/login", app.base))
                .json(&json!({ "email": format!("{role}@example.jp"), "password": "0123456789" }))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 200);
            callers.push((role.to_owned(), client));
        }
        let create = json!({ "i": { "url": hook.url, "events": ["ORDER_CREATED"] } });
        for (who, client) in &callers {
            for (query, vars) in [(CREATE, create.clone()), (LIST, json!({})), (DELETE, json!({ "id": id }))] {
                let body: Value = client
                    .post(format!("{}/graphql", app.base))
                    .json(&json!({ "query": query, "variables": vars }))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                assert_eq!(error_code(&body).as_deref(), Some("FORBIDDEN"), "{who}: {query}: {body}");
            }
        }
        for (query, vars) in [(CREATE, create.clone()), (LIST, json!({})), (DELETE, json!({ "id": id }))] {
            let body = app.gql(Some(&writer), query, vars).await;
            assert_eq!(error_code(&body).as_deref(), Some("FORBIDDEN"), "a token without admin: {query}: {body}");
        }
        let listed = app.gql_ok(&admin, LIST, json!({})).await;
        assert_eq!(listed["webhooks"].as_array().unwrap().len(), 1, "nothing changed");
    });
}

#[tokio::test]
async fn endpoint_urls_must_be_https_on_public_addresses_unless_private_urls_are_allowed() {
    for backend in madoguchi_tests::backends().await {
        let app = madoguchi_tests::spawn_app_with(&backend, |c| c.policy.allow_private_urls = false).await;
        let (token, _) = app.tenant("A商店", true).await;
        for url in [
            "http://example.com/hook",
            "https://127.0.0.1/hook",
            "https://10.0.0.8/hook",
            "https://169.254.169.254/latest",
            "https://[::1]/hook",
            "https://localhost/hook",
            "https://user:pass@example.com/hook",
            "ftp://example.com/hook",
            "not a url",
            "",
        ] {
            let body = app.gql(Some(&token), CREATE, json!({ "i": { "url": url, "events": ["ORDER_CREATED"] } })).await;
            assert_eq!(error_code(&body).as_deref(), Some("VALIDATION"), "{url}: {body}");
            assert_eq!(body["errors"][0]["extensions"]["field"], "url", "{url}: {body}");
        }
        let body =
            app.gql(Some(&token), CREATE, json!({ "i": { "url": "https://example.com/hook", "events": [] } })).await;
        assert_eq!(error_code(&body).as_deref(), Some("VALIDATION"), "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "events", "{body}");
        let listed = app.gql_ok(&token, LIST, json!({})).await;
        assert_eq!(listed["webhooks"], json!([]), "nothing stored");
        app.finish().await;
    }
}

#[tokio::test]
async fn two_processes_on_one_postgresql_deliver_each_event_once_and_in_order() {
    for backend in madoguchi_tests::backends().await {
        if !matches!(backend, madoguchi_tests::Backend::Postgres(_)) {
            continue; // SQLite is one process by design
        }
        let app = madoguchi_tests::spawn_app(&backend).await;
        let other = app.another_process().await;
        let (token, _) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        let receiver = Receiver::start().await;
        receiver.register(&app, &token, &["ORDER_CREATED"]).await;
        // Changes through both processes; both workers are woken by each (NOTIFY).
        for n in 0..10 {
            let via = if n % 2 == 0 { &app } else { &other };
            via.gql_ok(&token, CREATE_ORDER, order_input(&shop, &format!("P-{n}"))).await;
        }
        let got = receiver.wait_for(10).await;
        assert_in_sequence_order(&got);
        let numbers: Vec<String> = got.iter().map(|b| b["data"]["orderNumber"].as_str().unwrap().to_owned()).collect();
        assert_eq!(numbers, (0..10).map(|n| format!("P-{n}")).collect::<Vec<_>>());
        assert_eq!(receiver.seen.lock().unwrap().len(), 10, "each event once");
        other.finish().await;
        app.finish().await;
    }
}
