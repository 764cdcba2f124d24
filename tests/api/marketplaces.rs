//! Marketplace connectors end to end: a real server, the marketplace simulator on loopback
//! (`mallsim`), real HTTP between them, on SQLite and PostgreSQL.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use madoguchi_tests::{TestApp, each_backend, error_code};
use serde_json::{Value, json};
use server::marketplaces::{RetryPolicy, set_retry_policy};

pub(crate) const RAKUTEN_SHOP: &str = "123456";

/// How long a loopback call may take before it counts as timed out.
const LOOPBACK_TIMEOUT: Duration = Duration::from_secs(3);

/// Short waits between retries: the tests inject faults, never sleep for them.
fn fast_retries() {
    set_retry_policy(RetryPolicy {
        base: Duration::from_millis(5),
        max: Duration::from_millis(40),
        attempts: 6,
        timeout: LOOPBACK_TIMEOUT,
        pace: false,
    });
}

pub(crate) struct Mall {
    pub(crate) base: String,
    http: reqwest::Client,
    sim: mallsim::Sim,
    pub(crate) task: tokio::task::JoinHandle<()>,
}

impl Mall {
    pub(crate) async fn start() -> Mall {
        fast_retries();
        let sim = mallsim::Sim::new(42);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let s = sim.clone();
        let task = tokio::spawn(async move {
            let _ = mallsim::serve(listener, s).await;
        });
        Mall { base: format!("http://{addr}"), http: reqwest::Client::new(), sim, task }
    }

    pub(crate) async fn control(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let resp = self
            .http
            .request(method, format!("{}/_control{path}", self.base))
            .json(&body)
            .send()
            .await
            .expect("control API");
        assert!(resp.status().is_success(), "control {path}: {}", resp.status());
        resp.json().await.unwrap_or(Value::Null)
    }

    pub(crate) async fn post(&self, path: &str, body: Value) -> Value {
        self.control(reqwest::Method::POST, path, body).await
    }

    pub(crate) async fn rakuten_account(&self) {
        self.post(
            "/accounts",
            json!({"marketplace": "rakuten", "shopId": RAKUTEN_SHOP, "serviceSecret": "SP123456_secret", "licenseKey": "SL123456_key"}),
        )
        .await;
    }

    pub(crate) async fn faults(&self, f: Value) {
        self.control(reqwest::Method::PUT, "/faults/rakuten", f).await;
    }

    pub(crate) async fn counters(&self) -> Value {
        self.control(reqwest::Method::GET, &format!("/accounts/rakuten/{RAKUTEN_SHOP}/counters"), Value::Null).await
    }

    pub(crate) async fn inquiry(&self, message: &str, days_ago: i64) -> String {
        let at = Utc::now() - TimeDelta::days(days_ago);
        let v = self
            .post(
                &format!("/accounts/rakuten/{RAKUTEN_SHOP}/inquiries"),
                json!({"inquiries": [{"message": message, "at": at, "userName": "楽天 太郎"}]}),
            )
            .await;
        v["inquiryIds"][0].as_str().expect("inquiry id").to_owned()
    }

    async fn orders(&self, n: usize) -> Vec<String> {
        let specs: Vec<Value> =
            (0..n).map(|i| json!({"at": Utc::now() - TimeDelta::hours(2 + i as i64), "state": "confirmed"})).collect();
        let v = self.post(&format!("/accounts/rakuten/{RAKUTEN_SHOP}/orders"), json!({"orders": specs})).await;
        v["orderNumbers"].as_array().expect("numbers").iter().map(|n| n.as_str().expect("number").to_owned()).collect()
    }
}

impl Drop for Mall {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub(crate) async fn rakuten_shop(app: &TestApp, token: &str, mall: &Mall, name: &str) -> String {
    let d = app
        .gql_ok(
            token,
            "mutation($i: ShopInput!) { createShop(input: $i) { id } }",
            json!({ "i": {
                "marketplace": "RAKUTEN",
                "name": name,
                "profile": { "mallShopName": name, "staffName": "山田 花子", "phone": "03-1111-2222", "email": "shop@example.jp" },
                "settings": {
                    "apiBaseUrl": format!("{}/rakuten", mall.base),
                    "importDays": 7,
                    "credentials": { "serviceSecret": "SP123456_secret", "licenseKey": "SL123456_key", "shopId": RAKUTEN_SHOP }
                }
            }}),
        )
        .await;
    d["createShop"]["id"].as_str().expect("shop id").to_owned()
}

const RUNS: &str = "query($s: ID) { syncRuns(shopId: $s, first: 50) { nodes { id kind state trigger created updated unchanged failed errors startedAt finishedAt } } }";

/// Starts a run through the API and waits for its end; returns the finished run.
pub(crate) async fn run(app: &TestApp, token: &str, mutation: &str, input: Value) -> Value {
    let q = format!("mutation($i: {}Input!) {{ {mutation}(input: $i) {{ id state }} }}", input_type(mutation));
    let started = app.gql_ok(token, &q, json!({ "i": input })).await;
    let id = started[mutation]["id"].as_str().expect("run id").to_owned();
    assert!(matches!(started[mutation]["state"].as_str(), Some("QUEUED" | "RUNNING" | "SUCCEEDED")));
    for _ in 0..400 {
        let runs = app.gql_ok(token, RUNS, json!({ "s": input["shopId"] })).await;
        if let Some(r) = runs["syncRuns"]["nodes"].as_array().expect("nodes").iter().find(|r| r["id"] == id.as_str())
            && matches!(r["state"].as_str(), Some("SUCCEEDED" | "FAILED"))
        {
            return r.clone();
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("run {id} did not finish");
}

fn input_type(mutation: &str) -> &'static str {
    if mutation.starts_with("import") { "Import" } else { "Export" }
}

fn counts(r: &Value) -> (i64, i64, i64, i64) {
    let n = |k: &str| r[k].as_i64().expect("count");
    (n("created"), n("updated"), n("unchanged"), n("failed"))
}

pub(crate) const THREADS: &str = "query($s: ID) { inquiries(filter: {shopId: $s}, first: 50) { totalCount nodes { id status customerName messages { id author body delivery deliveryError } } } }";

#[tokio::test]
async fn rakuten_inquiries_import_by_days_and_by_range_and_importing_again_changes_nothing() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        let (token, _) = app.tenant("A商店", true).await;
        let shop = rakuten_shop(&app, &token, &mall, "楽天A店").await;
        for d in [1, 2, 3] {
            mall.inquiry(&format!("{d}日前の質問です"), d).await;
        }
        // Older than the configured 7 days and than one 31-day window.
        mall.inquiry("40日前の質問です", 40).await;

        let r = run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
        assert_eq!(r["state"], "SUCCEEDED", "{r}");
        assert_eq!(r["trigger"], "manual");
        assert_eq!(counts(&r), (3, 0, 0, 0), "{r}");
        let again = run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
        assert_eq!(counts(&again), (0, 0, 3, 0), "importing the same data changes nothing");

        let from = (Utc::now() - TimeDelta::days(45)).to_rfc3339();
        let ranged = run(&app, &token, "importInquiries", json!({ "shopId": shop, "from": from })).await;
        assert_eq!(counts(&ranged), (1, 0, 3, 0), "a 45-day range spans two 31-day windows");

        let threads = app.gql_ok(&token, THREADS, json!({ "s": shop })).await;
        assert_eq!(threads["inquiries"]["totalCount"], 4);
        let first = &threads["inquiries"]["nodes"][0];
        assert_eq!(first["status"], "NEEDS_REPLY");
        assert_eq!(first["customerName"], "楽天 太郎");
        assert_eq!(first["messages"][0]["author"], "CUSTOMER");
        mall.task.abort();
    });
}

#[tokio::test]
async fn a_new_customer_message_on_the_marketplace_updates_the_inquiry_and_fires_inquiry_received() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        let (token, _) = app.tenant("A商店", true).await;
        let shop = rakuten_shop(&app, &token, &mall, "楽天A店").await;
        let number = mall.inquiry("サイズを教えてください", 1).await;
        run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;

        let mut received = app.subscribe(&token, "subscription { inquiryReceived { id preview } }", json!({})).await;
        mall.post(
            &format!("/accounts/rakuten/{RAKUTEN_SHOP}/inquiries/{number}/messages"),
            json!({"message": "追加で質問です。色違いはありますか？"}),
        )
        .await;
        let r = run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
        assert_eq!(counts(&r), (0, 1, 0, 0), "{r}");
        let got = received.next_within(Duration::from_secs(1)).await.expect("inquiryReceived within a second");
        assert_eq!(got["data"]["inquiryReceived"]["preview"], "追加で質問です。色違いはありますか？");
        let threads = app.gql_ok(&token, THREADS, json!({ "s": shop })).await;
        assert_eq!(threads["inquiries"]["nodes"][0]["messages"].as_array().expect("messages").len(), 2);
        mall.task.abort();
    });
}

async fn wait_delivered(app: &TestApp, token: &str, shop: &str) -> Value {
    for _ in 0..400 {
        let t = app.gql_ok(token, THREADS, json!({ "s": shop })).await;
        let msgs = t["inquiries"]["nodes"][0]["messages"].as_array().expect("messages").clone();
        if let Some(m) = msgs.iter().find(|m| m["author"] == "SHOP")
            && m["delivery"] != "PENDING"
        {
            return m.clone();
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the reply was not delivered");
}

pub(crate) const REPLY: &str =
    "mutation($id: ID!, $b: String!) { replyToInquiry(input: {inquiryId: $id, body: $b}) { id delivery } }";

#[tokio::test]
async fn a_reply_is_delivered_exactly_once_even_through_429_503_and_dropped_connections() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        let (token, _) = app.tenant("A商店", true).await;
        let shop = rakuten_shop(&app, &token, &mall, "楽天A店").await;
        mall.inquiry("いつ届きますか？", 1).await;
        mall.inquiry("在庫はありますか？", 2).await;

        mall.faults(json!({"tooManyRequests": 2, "retryAfterSecs": 1, "unavailable": 2, "dropConnections": 1})).await;
        let r = run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
        assert_eq!(r["state"], "SUCCEEDED", "{r}");
        assert_eq!(counts(&r), (2, 0, 0, 0), "faults cost retries, not data");

        let t = app.gql_ok(&token, THREADS, json!({ "s": shop })).await;
        let id = t["inquiries"]["nodes"][0]["id"].as_str().expect("id").to_owned();
        mall.faults(json!({"unavailable": 1, "dropConnections": 2, "tooManyRequests": 1})).await;
        let sent = app.gql_ok(&token, REPLY, json!({ "id": id, "b": "明日発送いたします。" })).await;
        assert_eq!(sent["replyToInquiry"]["delivery"], "PENDING");
        let m = wait_delivered(&app, &token, &shop).await;
        assert_eq!(m["delivery"], "SENT", "{m}");
        assert_eq!(mall.counters().await["replies"], 1, "the marketplace received the reply exactly once");

        // The marketplace's copy of the reply is recognised as ours.
        let again = run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
        assert_eq!(counts(&again), (0, 0, 2, 0), "{again}");
        let t = app.gql_ok(&token, THREADS, json!({ "s": shop })).await;
        let node = t["inquiries"]["nodes"].as_array().expect("nodes").iter().find(|n| n["id"] == id.as_str()).cloned();
        let node = node.expect("inquiry");
        assert_eq!(node["messages"].as_array().expect("messages").len(), 2);
        assert_eq!(node["status"], "REPLIED");
        mall.task.abort();
    });
}

#[tokio::test]
async fn timeouts_cost_retries_and_a_reply_whose_answer_was_lost_is_delivered_once() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        let (token, _) = app.tenant("A商店", true).await;
        let shop = rakuten_shop(&app, &token, &mall, "楽天T店").await;
        mall.inquiry("いつ届きますか？", 1).await;
        // The marketplace does the work but answers after the caller gave up.
        let late = json!({"lateAnswers": 1, "lateAnswerMs": LOOPBACK_TIMEOUT.as_millis() as u64 + 1500});

        mall.faults(late.clone()).await;
        let r = run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
        assert_eq!(r["state"], "SUCCEEDED", "{r}");
        assert_eq!(counts(&r), (1, 0, 0, 0), "a timed-out list call is asked again");

        let t = app.gql_ok(&token, THREADS, json!({ "s": shop })).await;
        let id = t["inquiries"]["nodes"][0]["id"].as_str().expect("id").to_owned();
        mall.faults(late).await;
        app.gql_ok(&token, REPLY, json!({ "id": id, "b": "本日発送いたしました。" })).await;
        let m = wait_delivered(&app, &token, &shop).await;
        assert_eq!(m["delivery"], "SENT", "{m}");
        let c = mall.counters().await;
        assert_eq!(c["replies"], 1, "the marketplace has the reply once: {c}");
        // A lost answer to a send is not retried blindly: the thread is looked at first, where
        // the reply is found, so the marketplace never even sees a second attempt.
        assert_eq!(c["duplicateReplies"], 0, "no second send after the lost answer: {c}");
        mall.task.abort();
    });
}

#[tokio::test]
async fn completion_reaches_the_marketplace_first_and_when_it_cannot_nothing_changes() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        let (token, _) = app.tenant("A商店", true).await;
        let shop = rakuten_shop(&app, &token, &mall, "楽天C店").await;
        mall.inquiry("届きました。ありがとうございました。", 1).await;
        run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
        let t = app.gql_ok(&token, THREADS, json!({ "s": shop })).await;
        let id = t["inquiries"]["nodes"][0]["id"].as_str().expect("id").to_owned();
        const COMPLETE: &str = "mutation($id: ID!) { completeInquiry(id: $id) { status } }";
        const STATUS: &str = "query($id: ID!) { inquiry(id: $id) { status completedBy } }";

        // Down for longer than the retries last: the staff see why, and nothing changed.
        mall.faults(json!({"unavailable": 50})).await;
        let body = app.gql(Some(&token), COMPLETE, json!({ "id": id })).await;
        assert_eq!(error_code(&body).as_deref(), Some("MARKETPLACE_UNAVAILABLE"), "{body:#}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("楽天C店") && message.contains("503"), "{message}");
        let now = app.gql_ok(&token, STATUS, json!({ "id": id })).await;
        assert_eq!(now["inquiry"]["status"], "NEEDS_REPLY");
        assert_eq!(mall.counters().await["completions"], 0);

        // Back up: completed here and there, once; reopening is told too.
        mall.faults(json!({})).await;
        let done = app.gql_ok(&token, COMPLETE, json!({ "id": id })).await;
        assert_eq!(done["completeInquiry"]["status"], "COMPLETED");
        assert_eq!(mall.counters().await["completions"], 1);
        let open =
            app.gql_ok(&token, "mutation($id: ID!) { reopenInquiry(id: $id) { status } }", json!({ "id": id })).await;
        assert_eq!(open["reopenInquiry"]["status"], "NEEDS_REPLY");
        assert_eq!(mall.counters().await["incompletions"], 1);
        mall.task.abort();
    });
}

#[tokio::test]
async fn a_file_the_customer_attaches_is_imported_with_the_thread_once() {
    use base64::Engine;
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        let (token, _) = app.tenant("A商店", true).await;
        let shop = rakuten_shop(&app, &token, &mall, "楽天F店").await;
        let number = mall.inquiry("届いた商品が破損していました。", 1).await;
        let photo: Vec<u8> = [b"\x89PNG\r\n\x1a\n".as_slice(), "破損箇所の写真".as_bytes()].concat();
        mall.post(
            &format!("/accounts/rakuten/{RAKUTEN_SHOP}/inquiries/{number}/messages"),
            json!({ "message": "写真を添付します。", "attachment": {
                "label": "破損.png", "contentType": "image/png",
                "base64": base64::engine::general_purpose::STANDARD.encode(&photo) } }),
        )
        .await;
        const FILES: &str = "query($s: ID) { inquiries(filter: {shopId: $s}) { nodes { messages { body attachments { fileName contentType size downloaded url } } } } }";
        let files = || async {
            let d = app.gql_ok(&token, FILES, json!({ "s": shop })).await;
            d["inquiries"]["nodes"][0]["messages"]
                .as_array()
                .expect("messages")
                .iter()
                .flat_map(|m| m["attachments"].as_array().cloned().unwrap_or_default())
                .collect::<Vec<Value>>()
        };

        let r = run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
        assert_eq!(r["state"], "SUCCEEDED", "{r}");
        let got = files().await;
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0]["fileName"], "破損.png");
        assert_eq!(got[0]["contentType"], "image/png");
        assert_eq!(got[0]["size"], photo.len());
        assert_eq!(got[0]["downloaded"], true);
        let url = format!("{}{}", app.base, got[0]["url"].as_str().unwrap());
        let bytes = app.http.get(&url).bearer_auth(&token).send().await.unwrap().bytes().await.unwrap();
        assert_eq!(bytes.as_ref(), photo.as_slice(), "the customer's file, byte for byte");

        // Imported again: the same one file.
        run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
        assert_eq!(files().await.len(), 1);
        mall.task.abort();
    });
}

#[tokio::test]
async fn an_expired_licence_key_fails_the_run_with_an_error_naming_the_shop() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        let (token, _) = app.tenant("A商店", true).await;
        let shop = rakuten_shop(&app, &token, &mall, "楽天期限切れ店").await;
        mall.inquiry("質問です", 1).await;
        mall.post(&format!("/accounts/rakuten/{RAKUTEN_SHOP}/expire"), json!({})).await;
        let r = run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
        assert_eq!(r["state"], "FAILED");
        let error = r["errors"][0].as_str().expect("an error text");
        assert!(error.contains("楽天期限切れ店") && error.contains("有効期限"), "{error}");
        assert!(r["finishedAt"].is_string());
        mall.task.abort();
    });
}

#[tokio::test]
async fn inquiry_import_needs_the_api_option_and_credentials() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        let (token, _) = app.tenant("オプションなし商店", false).await;
        let shop = rakuten_shop(&app, &token, &mall, "楽天B店").await;
        let body = app
            .gql(
                Some(&token),
                "mutation($s: ID!) { importInquiries(input: {shopId: $s}) { id } }",
                json!({ "s": shop }),
            )
            .await;
        assert_eq!(error_code(&body).as_deref(), Some("API_OPTION_REQUIRED"));
        mall.task.abort();
    });
}

const ORDERS: &str = "query($s: ID) { orders(filter: {shopId: $s}, first: 50) { totalCount nodes { id orderNumber status notes buyer { name } items { name quantity } } } }";

#[tokio::test]
async fn rakuten_orders_import_once_follow_marketplace_changes_and_keep_local_notes() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        let (token, _) = app.tenant("A商店", true).await;
        let shop = rakuten_shop(&app, &token, &mall, "楽天A店").await;
        let numbers = mall.orders(3).await;
        let r = run(&app, &token, "importOrders", json!({ "shopId": shop })).await;
        assert_eq!(r["state"], "SUCCEEDED", "{r}");
        assert_eq!(counts(&r), (3, 0, 0, 0), "{r}");
        assert_eq!(counts(&run(&app, &token, "importOrders", json!({ "shopId": shop })).await), (0, 0, 3, 0));

        let list = app.gql_ok(&token, ORDERS, json!({ "s": shop })).await;
        let target = list["orders"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .find(|o| o["orderNumber"] == numbers[0].as_str())
            .cloned()
            .expect("imported order");
        assert_eq!(target["status"], "AWAITING_SHIPMENT", "orderProgress 300 → 出荷待ち");
        assert!(target["buyer"]["name"].as_str().is_some_and(|n| !n.is_empty()));
        app.gql_ok(
            &token,
            "mutation($id: ID!) { updateOrder(id: $id, input: {notes: \"ギフト包装\"}) { id } }",
            json!({ "id": target["id"] }),
        )
        .await;
        {
            let mut st = mall.sim.state().await;
            let key = mallsim::AccountKey::new(mallsim::Marketplace::Rakuten, RAKUTEN_SHOP);
            let o = st.order_mut(&key, &numbers[0]).expect("order on the marketplace");
            o.state = mallsim::state::OrderState::Cancelled;
        }
        let r = run(&app, &token, "importOrders", json!({ "shopId": shop })).await;
        assert_eq!(counts(&r), (0, 1, 2, 0), "{r}");
        let list = app.gql_ok(&token, ORDERS, json!({ "s": shop })).await;
        let target = list["orders"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .find(|o| o["orderNumber"] == numbers[0].as_str())
            .cloned()
            .expect("order");
        assert_eq!(target["status"], "CANCELLED");
        assert_eq!(target["notes"], "ギフト包装", "local notes stay");
        mall.task.abort();
    });
}

#[tokio::test]
async fn export_eligibility_decides_exactly_which_orders_the_marketplace_receives_and_only_once() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        let (token, _) = app.tenant("A商店", true).await;
        let shop = rakuten_shop(&app, &token, &mall, "楽天A店").await;
        let numbers = mall.orders(6).await;
        let r = run(&app, &token, "importOrders", json!({ "shopId": shop })).await;
        assert_eq!(counts(&r), (6, 0, 0, 0), "{r}");
        let list = app.gql_ok(&token, ORDERS, json!({ "s": shop })).await;
        let id_of = |n: &str| {
            list["orders"]["nodes"].as_array().expect("nodes").iter().find(|o| o["orderNumber"] == n).expect("order")
                ["id"]
                .clone()
        };
        let jst = chrono::FixedOffset::east_opt(9 * 3600).expect("offset");
        let today = Utc::now().with_timezone(&jst).date_naive();
        let tomorrow = today + TimeDelta::days(1);
        let cases = [
            // (status, ship date, carrier, method, tracking, expected to be sent)
            ("AWAITING_SHIPMENT", today.to_string(), "ヤマト運輸", "宅急便", "1234-5678-9012", true),
            ("SHIPPED", tomorrow.to_string(), "ヤマト運輸", "宅急便", "1234-5678-9013", false),
            ("PROCESSING", today.to_string(), "日本郵便", "レターパック", "", true),
            ("PROCESSING", today.to_string(), "ヤマト運輸", "宅急便", "", false),
            ("ON_HOLD", today.to_string(), "佐川急便", "飛脚宅配便", "5555-6666", false),
            ("AWAITING_SHIPMENT", String::new(), "佐川急便", "メール便", "", false),
        ];
        const UPDATE: &str = "mutation($id: ID!, $i: OrderUpdateInput!) { updateOrder(id: $id, input: $i) { id } }";
        let mut expected = HashSet::new();
        for (n, (status, date, carrier, method, tracking, sent)) in numbers.iter().zip(cases.iter()) {
            app.gql_ok(
                &token,
                UPDATE,
                json!({ "id": id_of(n), "i": { "status": status, "shipDate": date, "carrier": carrier, "deliveryMethod": method, "trackingNumber": tracking } }),
            )
            .await;
            if *sent {
                expected.insert(n.clone());
            }
        }
        // The order page's explanation predicts exactly what the export does.
        const CHECK: &str = "query($id: ID!) { order(id: $id) { shipmentExport { eligible reasons } } }";
        for (n, case) in numbers.iter().zip(cases.iter()) {
            let d = app.gql_ok(&token, CHECK, json!({ "id": id_of(n) })).await;
            let check = &d["order"]["shipmentExport"];
            assert_eq!(check["eligible"], case.5, "{n} {case:?}: {check}");
            assert_eq!(check["reasons"].as_array().expect("reasons").is_empty(), case.5, "{check}");
        }
        let period = json!({
            "shopId": shop,
            "createdFrom": (Utc::now() - TimeDelta::days(2)).to_rfc3339(),
            "createdTo": Utc::now().to_rfc3339(),
        });
        let r = run(&app, &token, "exportShipments", period.clone()).await;
        assert_eq!(r["state"], "SUCCEEDED", "{r}");
        // Sent: the next export will not send them again, and the order page says so.
        for n in &expected {
            let d = app.gql_ok(&token, CHECK, json!({ "id": id_of(n) })).await;
            let check = &d["order"]["shipmentExport"];
            assert_eq!(check["eligible"], false, "{check}");
            assert!(check["reasons"][0].as_str().expect("reason").starts_with("同じ内容で書き出し済みです"), "{check}");
        }
        assert_eq!(counts(&r), (0, 2, 4, 0), "{r}");
        let c = mall.counters().await;
        assert_eq!(c["shippingUpdates"], 2);
        let got: HashSet<String> = c["received"]
            .as_array()
            .expect("received")
            .iter()
            .filter(|x| x["kind"] == "shippingUpdate")
            .map(|x| x["target"].as_str().expect("target").to_owned())
            .collect();
        assert_eq!(got, expected);

        // The same data is never sent twice.
        let again = run(&app, &token, "exportShipments", period).await;
        assert_eq!(counts(&again), (0, 0, 6, 0), "{again}");
        assert_eq!(mall.counters().await["shippingUpdates"], 2);
        mall.task.abort();
    });
}

#[tokio::test]
async fn auto_import_runs_once_per_interval_for_shops_that_ask_for_it() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        let (token, _) = app.tenant("A商店", true).await;
        let shop = rakuten_shop(&app, &token, &mall, "楽天A店").await;
        mall.inquiry("自動取得の質問", 1).await;
        mall.orders(2).await;
        let interval = Some(Duration::from_secs(300));
        let pass = |app: &madoguchi_tests::TestApp| {
            let state = app.state.clone();
            async move { server::sync::run_due_and_wait(&state, interval, Duration::from_secs(60)).await.expect("pass") }
        };
        assert!(pass(&app).await.is_empty(), "auto-import is off");
        app.gql_ok(
            &token,
            "mutation($id: ID!, $i: ShopInput!) { updateShop(id: $id, input: $i) { id } }",
            json!({ "id": shop, "i": {
                "marketplace": "RAKUTEN", "name": "楽天A店",
                "profile": { "mallShopName": "楽天A店", "staffName": "山田 花子", "phone": "03-1111-2222", "email": "shop@example.jp" },
                "settings": { "autoImport": true }
            }}),
        )
        .await;
        let runs = pass(&app).await;
        let kinds: HashSet<&str> = runs.iter().map(|r| shared::SyncKind::from(r.kind).as_str()).collect();
        assert_eq!(kinds, HashSet::from(["IMPORT_ORDERS", "IMPORT_INQUIRIES"]));
        use server::store::entities::sync_run::{State, Trigger};
        assert!(runs.iter().all(|r| r.state == State::Succeeded && r.trigger == Trigger::Auto));
        assert_eq!(runs.iter().map(|r| r.created).sum::<i32>(), 3);
        assert!(pass(&app).await.is_empty(), "once per interval");
        mall.task.abort();
    });
}

const YAHOO_SELLER: &str = "madoguchi-test";

#[tokio::test]
async fn yahoo_talk_imports_masked_buyers_delivers_replies_and_completes_one_way() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.post(
            "/accounts",
            json!({"marketplace": "yahoo", "sellerId": YAHOO_SELLER, "accessToken": "yahoo-token", "minIntervalMs": 0}),
        )
        .await;
        let (token, _) = app.tenant("A商店", true).await;
        let d = app
            .gql_ok(
                &token,
                "mutation($i: ShopInput!) { createShop(input: $i) { id } }",
                json!({ "i": {
                    "marketplace": "YAHOO", "name": "Yahoo店",
                    "profile": { "mallShopName": "Yahoo店", "staffName": "山田 花子", "phone": "03-1111-2222", "email": "shop@example.jp" },
                    "settings": { "apiBaseUrl": format!("{}/yahoo", mall.base), "credentials": { "sellerId": YAHOO_SELLER, "accessToken": "yahoo-token" } }
                }}),
            )
            .await;
        let shop = d["createShop"]["id"].as_str().expect("shop").to_owned();
        // More than one page of 20.
        let specs: Vec<Value> = (0..23)
            .map(|i| json!({"message": format!("質問{i}です"), "at": Utc::now() - TimeDelta::hours(1 + i)}))
            .collect();
        mall.post(&format!("/accounts/yahoo/{YAHOO_SELLER}/inquiries"), json!({"inquiries": specs})).await;

        let r = run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
        assert_eq!(r["state"], "SUCCEEDED", "{r}");
        assert_eq!(counts(&r), (23, 0, 0, 0), "{r}");
        let again = run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
        assert_eq!(counts(&again), (0, 0, 23, 0), "{again}");
        let evaluations = run_err(&app, &token, "registerEvaluations", &shop).await;
        assert!(evaluations.is_some(), "no buyer evaluation on Yahoo!");

        let t = app.gql_ok(&token, THREADS, json!({ "s": shop })).await;
        let first = t["inquiries"]["nodes"][0].clone();
        let name = first["customerName"].as_str().expect("masked id");
        assert!(name.contains('*'), "only the masked id is shown: {name}");
        let id = first["id"].as_str().expect("id").to_owned();
        app.gql_ok(&token, REPLY, json!({ "id": id, "b": "お問い合わせありがとうございます。" })).await;
        let m = wait_delivered_on(&app, &token, &id).await;
        assert_eq!(m["delivery"], "SENT", "{m}");
        let c =
            mall.control(reqwest::Method::GET, &format!("/accounts/yahoo/{YAHOO_SELLER}/counters"), Value::Null).await;
        assert_eq!(c["replies"], 1);

        app.gql_ok(&token, "mutation($id: ID!) { completeInquiry(id: $id) { status } }", json!({ "id": id })).await;
        let c =
            mall.control(reqwest::Method::GET, &format!("/accounts/yahoo/{YAHOO_SELLER}/counters"), Value::Null).await;
        assert_eq!(c["completions"], 1, "completion reaches Yahoo! before the mutation answers");
        let reopen = app
            .gql(Some(&token), "mutation($id: ID!) { reopenInquiry(id: $id) { status } }", json!({ "id": id }))
            .await;
        assert!(error_code(&reopen).is_some(), "a completed Yahoo! inquiry cannot be reopened");
        mall.task.abort();
    });
}

#[tokio::test]
async fn an_expired_yahoo_token_is_renewed_with_the_refresh_token_and_kept_for_the_next_run() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.post(
            "/accounts",
            json!({"marketplace": "yahoo", "sellerId": YAHOO_SELLER, "accessToken": "yahoo-token", "minIntervalMs": 0,
                   "clientId": "yc-client", "clientSecret": "yc-secret", "refreshToken": "yc-refresh"}),
        )
        .await;
        mall.post(
            &format!("/accounts/yahoo/{YAHOO_SELLER}/inquiries"),
            json!({"inquiries": [{"message": "サイズ交換できますか？", "at": Utc::now() - TimeDelta::hours(1)}]}),
        )
        .await;
        let (token, _) = app.tenant("A商店", true).await;
        let create = |name: &str, refresh: &str| {
            json!({ "i": {
                "marketplace": "YAHOO", "name": name,
                "profile": { "mallShopName": name, "staffName": "山田 花子", "phone": "03-1111-2222", "email": "shop@example.jp" },
                "settings": { "apiBaseUrl": format!("{}/yahoo", mall.base), "credentials": {
                    "sellerId": YAHOO_SELLER, "accessToken": "yahoo-token",
                    "clientId": "yc-client", "clientSecret": "yc-secret", "refreshToken": refresh } }
            }})
        };
        let q = "mutation($i: ShopInput!) { createShop(input: $i) { id } }";
        let shop = app.gql_ok(&token, q, create("Yahoo店", "yc-refresh")).await["createShop"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let counters = || async {
            mall.control(reqwest::Method::GET, &format!("/accounts/yahoo/{YAHOO_SELLER}/counters"), Value::Null).await
        };

        let stale = app.gql_ok(&token, q, create("Yahoo旧店", "revoked")).await["createShop"]["id"]
            .as_str()
            .unwrap()
            .to_owned();

        // The hour is over: the marketplace calls the token expired.
        mall.post(&format!("/accounts/yahoo/{YAHOO_SELLER}/expire"), json!({})).await;
        // A refresh token Yahoo! does not accept: the run fails and says what to do.
        let r = run(&app, &token, "importInquiries", json!({ "shopId": stale })).await;
        assert_eq!(r["state"], "FAILED", "{r}");
        let error = r["errors"][0].as_str().unwrap();
        assert!(error.contains("Yahoo旧店") && error.contains("再認可"), "{error}");
        assert_eq!(counters().await["tokenRefreshes"], 0);

        // The good one is renewed, and the run goes through.
        let r = run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
        assert_eq!(r["state"], "SUCCEEDED", "{r}");
        assert_eq!(counts(&r), (1, 0, 0, 0));
        assert_eq!(counters().await["tokenRefreshes"], 1);

        // The next run (a new connection) uses the stored new token: no second renewal.
        let again = run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
        assert_eq!(again["state"], "SUCCEEDED", "{again}");
        assert_eq!(counters().await["tokenRefreshes"], 1, "the renewed token was kept with the shop");
        mall.task.abort();
    });
}

async fn run_err(app: &TestApp, token: &str, mutation: &str, shop: &str) -> Option<String> {
    let q = format!(
        "mutation($s: ID!) {{ {mutation}(input: {{shopId: $s, createdFrom: \"2026-01-01T00:00:00Z\", createdTo: \"2026-01-02T00:00:00Z\"}}) {{ id }} }}"
    );
    error_code(&app.gql(Some(token), &q, json!({ "s": shop })).await)
}

pub(crate) async fn wait_delivered_on(app: &TestApp, token: &str, id: &str) -> Value {
    for _ in 0..400 {
        let d = app
            .gql_ok(
                token,
                "query($id: ID!) { inquiry(id: $id) { messages { author delivery deliveryError } } }",
                json!({ "id": id }),
            )
            .await;
        if let Some(m) = d["inquiry"]["messages"].as_array().expect("messages").iter().find(|m| m["author"] == "SHOP")
            && m["delivery"] != "PENDING"
        {
            return m.clone();
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the reply was not delivered");
}

/// Serves Madoguchi's handler of Rakuten's user-action push on its own port (the server's own
/// route mounts the same function).
async fn push_endpoint(app: &TestApp) -> (String, tokio::task::JoinHandle<()>) {
    use axum::routing::post;
    let state = app.state.clone();
    let router = axum::Router::new().route(
        "/hooks/rakuten",
        post(move |headers: axum::http::HeaderMap, body: String| {
            let state = state.clone();
            async move {
                let key = headers.get("x-auth-key").and_then(|v| v.to_str().ok()).map(str::to_owned);
                server::sync::rakuten_push(&state, key.as_deref(), &body).await
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (format!("http://{addr}/hooks/rakuten"), task)
}

#[tokio::test]
async fn a_pushed_message_on_an_old_inquiry_is_recorded_once_whether_push_or_poll_brings_it() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        let (token, actor) = app.tenant("A商店", true).await;
        let shop = rakuten_shop(&app, &token, &mall, "楽天A店").await;
        // The push key is one more credential of the shop.
        app.gql_ok(
            &token,
            "mutation($id: ID!, $i: ShopInput!) { updateShop(id: $id, input: $i) { id } }",
            json!({ "id": shop, "i": {
                "marketplace": "RAKUTEN", "name": "楽天A店",
                "profile": { "mallShopName": "楽天A店", "staffName": "山田 花子", "phone": "03-1111-2222", "email": "shop@example.jp" },
                "settings": { "credentials": { "serviceSecret": "SP123456_secret", "licenseKey": "SL123456_key", "shopId": RAKUTEN_SHOP, "pushAuthKey": "push-key" } }
            }}),
        )
        .await;
        let _ = actor;
        let last_push = || {
            let (app, token, shop) = (&app, token.clone(), shop.clone());
            async move {
                let d = app.gql_ok(&token, "{ shops { id lastPushAt } }", json!({})).await;
                d["shops"].as_array().unwrap().iter().find(|s| s["id"] == shop.as_str()).unwrap()["lastPushAt"].clone()
            }
        };
        assert_eq!(last_push().await, Value::Null, "no push yet");
        let (url, hook) = push_endpoint(&app).await;
        mall.control(
            reqwest::Method::PUT,
            &format!("/accounts/rakuten/{RAKUTEN_SHOP}/push"),
            json!({"url": url, "secret": "push-key"}),
        )
        .await;
        let number = mall.inquiry("40日前のお問い合わせ", 40).await;
        let from = (Utc::now() - TimeDelta::days(45)).to_rfc3339();
        run(&app, &token, "importInquiries", json!({ "shopId": shop, "from": from })).await;

        let mut received = app.subscribe(&token, "subscription { inquiryReceived { id preview } }", json!({})).await;
        // A buyer writes on the old inquiry: the simulator pushes it at once.
        mall.post(
            &format!("/accounts/rakuten/{RAKUTEN_SHOP}/inquiries/{number}/messages"),
            json!({"message": "まだ届いていません"}),
        )
        .await;
        let got = received.next_within(Duration::from_secs(2)).await.expect("inquiryReceived from the push");
        assert_eq!(got["data"]["inquiryReceived"]["preview"], "まだ届いていません");
        assert!(last_push().await.is_string(), "the shop shows when the push came");
        let c = mall.counters().await;
        let pushes: Vec<&Value> =
            c["received"].as_array().expect("log").iter().filter(|r| r["kind"] == "push").collect();
        assert!(pushes.iter().all(|p| p["detail"]["resultCode"] == "N-000-000"), "{pushes:?}");

        // The regular poll of recent days re-reads the open old inquiry: nothing new.
        let r = run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
        assert_eq!(counts(&r), (0, 0, 1, 0), "{r}");
        let t = app.gql_ok(&token, THREADS, json!({ "s": shop })).await;
        assert_eq!(t["inquiries"]["nodes"][0]["messages"].as_array().expect("messages").len(), 2);

        // A push with the wrong key is refused.
        let bad = server::sync::rakuten_push(
            &app.state,
            None,
            &format!("<notifyModel><authModel><contractId>{RAKUTEN_SHOP}</contractId><authKey>wrong</authKey></authModel><notifyInfoModel><value1 name=\"inquiryNumber\">{number}</value1></notifyInfoModel></notifyModel>"),
        )
        .await;
        assert!(bad.contains("E-400-101"), "{bad}");
        hook.abort();
        mall.task.abort();
    });
}

#[tokio::test]
async fn a_refused_reply_fails_with_the_reason_and_a_retry_delivers_it_once() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        let (token, _) = app.tenant("A商店", true).await;
        let shop = rakuten_shop(&app, &token, &mall, "楽天C店").await;
        mall.inquiry("質問です", 1).await;
        run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
        let t = app.gql_ok(&token, THREADS, json!({ "s": shop })).await;
        let id = t["inquiries"]["nodes"][0]["id"].as_str().expect("id").to_owned();

        mall.post(&format!("/accounts/rakuten/{RAKUTEN_SHOP}/expire"), json!({})).await;
        app.gql_ok(&token, REPLY, json!({ "id": id, "b": "ご確認ありがとうございます。" })).await;
        let m = wait_delivered_on(&app, &token, &id).await;
        assert_eq!(m["delivery"], "FAILED");
        let reason = m["deliveryError"].as_str().expect("reason");
        assert!(reason.contains("楽天C店") && reason.contains("有効期限"), "{reason}");
        assert_eq!(mall.counters().await["replies"], 0);

        mall.post(&format!("/accounts/rakuten/{RAKUTEN_SHOP}/expire"), json!({"expired": false})).await;
        let d = app
            .gql_ok(&token, "query($id: ID!) { inquiry(id: $id) { messages { id author } } }", json!({ "id": id }))
            .await;
        let mid = d["inquiry"]["messages"]
            .as_array()
            .expect("m")
            .iter()
            .find(|m| m["author"] == "SHOP")
            .expect("reply")["id"]
            .clone();
        app.gql_ok(&token, "mutation($id: ID!) { retryMessage(id: $id) { delivery } }", json!({ "id": mid })).await;
        let m = wait_delivered_on(&app, &token, &id).await;
        assert_eq!(m["delivery"], "SENT", "{m}");
        assert_eq!(mall.counters().await["replies"], 1);
        mall.task.abort();
    });
}

#[tokio::test]
async fn a_claim_left_by_a_crashed_sender_is_taken_over_without_sending_twice() {
    use sea_orm::ConnectionTrait;
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        let (token, _) = app.tenant("A商店", true).await;
        let shop = rakuten_shop(&app, &token, &mall, "楽天A店").await;
        let number = mall.inquiry("質問です", 1).await;
        run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
        let t = app.gql_ok(&token, THREADS, json!({ "s": shop })).await;
        let id = t["inquiries"]["nodes"][0]["id"].as_str().expect("id").to_owned();
        let m = wait_for_sent(&app, &token, &id, "一度だけ届くはずの返信です。").await;
        assert_eq!(m["delivery"], "SENT");
        assert_eq!(mall.counters().await["replies"], 1);

        // Simulate a process that sent the reply and died before recording it: the row is
        // claimed again with no marketplace id (its claim time is the real one, just now).
        let db = &app.state.db;
        db.execute_unprepared(
            "UPDATE message SET delivery = 'SENDING', marketplace_message_id = NULL WHERE author = 'SHOP'",
        )
        .await
        .expect("update");
        // A fresh claim is left alone; one older than the lease is released.
        server::delivery::release_stale_after(&app.state, Duration::from_secs(60)).await.expect("release");
        let still: Vec<_> = db
            .query_all_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT delivery FROM message WHERE author = 'SHOP'",
            ))
            .await
            .expect("select")
            .into_iter()
            .map(|r| r.try_get::<String>("", "delivery").expect("delivery"))
            .collect();
        assert_eq!(still, ["SENDING"]);
        server::delivery::release_stale_after(&app.state, Duration::ZERO).await.expect("release");
        server::delivery::run_once(&app.state).await.expect("pass");
        let d = app
            .gql_ok(
                &token,
                "query($id: ID!) { inquiry(id: $id) { messages { author delivery } } }",
                json!({ "id": id }),
            )
            .await;
        let shop_msgs: Vec<&Value> =
            d["inquiry"]["messages"].as_array().expect("m").iter().filter(|m| m["author"] == "SHOP").collect();
        assert_eq!(shop_msgs.len(), 1);
        assert_eq!(shop_msgs[0]["delivery"], "SENT");
        assert_eq!(mall.counters().await["replies"], 1, "found on the marketplace, not sent again");
        let _ = number;
        mall.task.abort();
    });
}

pub(crate) async fn wait_for_sent(app: &TestApp, token: &str, id: &str, body: &str) -> Value {
    app.gql_ok(token, REPLY, json!({ "id": id, "b": body })).await;
    wait_delivered_on(app, token, id).await
}

#[tokio::test]
async fn amazon_orders_import_through_lwa_with_next_token_pages_and_a_revoked_token_names_the_shop() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.post(
            "/accounts",
            json!({"marketplace": "amazon", "sellerId": "A1TESTSELLER", "clientId": "amzn-client", "clientSecret": "amzn-secret", "refreshToken": "Atzr|refresh"}),
        )
        .await;
        let specs: Vec<Value> = (0..105).map(|i| json!({"at": Utc::now() - TimeDelta::minutes(10 + i)})).collect();
        mall.post("/accounts/amazon/A1TESTSELLER/orders", json!({"orders": specs})).await;
        let (token, _) = app.tenant("A商店", true).await;
        let d = app
            .gql_ok(
                &token,
                "mutation($i: ShopInput!) { createShop(input: $i) { id } }",
                json!({ "i": {
                    "marketplace": "AMAZON", "name": "Amazon店",
                    "profile": { "mallShopName": "Amazon店", "staffName": "山田 花子", "phone": "03-1111-2222", "email": "shop@example.jp" },
                    "settings": { "apiBaseUrl": format!("{}/amazon", mall.base), "credentials": { "sellerId": "A1TESTSELLER", "clientId": "amzn-client", "clientSecret": "amzn-secret", "refreshToken": "Atzr|refresh" } }
                }}),
            )
            .await;
        let shop = d["createShop"]["id"].as_str().expect("shop").to_owned();
        let r = run(&app, &token, "importOrders", json!({ "shopId": shop })).await;
        assert_eq!(r["state"], "SUCCEEDED", "{r}");
        assert_eq!(counts(&r), (105, 0, 0, 0), "{r}");
        let again = run(&app, &token, "importOrders", json!({ "shopId": shop })).await;
        assert_eq!(counts(&again), (0, 0, 105, 0), "{again}");
        let list = app.gql_ok(&token, ORDERS, json!({ "s": shop })).await;
        assert_eq!(list["orders"]["totalCount"], 105);
        assert_eq!(list["orders"]["nodes"][0]["status"], "AWAITING_SHIPMENT", "Unshipped → 出荷待ち");

        mall.post("/accounts/amazon/A1TESTSELLER/expire", json!({})).await;
        let failed = run(&app, &token, "importOrders", json!({ "shopId": shop })).await;
        assert_eq!(failed["state"], "FAILED");
        let error = failed["errors"][0].as_str().expect("error");
        assert!(error.contains("Amazon店"), "{error}");
        mall.task.abort();
    });
}

#[tokio::test]
async fn au_pay_orders_import_and_their_shipping_reaches_the_marketplace_once() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.post("/accounts", json!({"marketplace": "aupay", "shopId": "51230000", "apiKey": "aupay-key"})).await;
        let specs: Vec<Value> =
            (0..3).map(|i| json!({"at": Utc::now() - TimeDelta::hours(3 + i), "state": "confirmed"})).collect();
        let v = mall.post("/accounts/aupay/51230000/orders", json!({"orders": specs})).await;
        let numbers: Vec<String> =
            v["orderNumbers"].as_array().expect("numbers").iter().map(|n| n.as_str().expect("n").to_owned()).collect();
        let (token, _) = app.tenant("A商店", true).await;
        let d = app
            .gql_ok(
                &token,
                "mutation($i: ShopInput!) { createShop(input: $i) { id } }",
                json!({ "i": {
                    "marketplace": "AU_PAY", "name": "au PAY店",
                    "profile": { "mallShopName": "au PAY店", "staffName": "山田 花子", "phone": "03-1111-2222", "email": "shop@example.jp" },
                    "settings": { "apiBaseUrl": format!("{}/aupay", mall.base), "credentials": { "shopId": "51230000", "apiKey": "aupay-key" } }
                }}),
            )
            .await;
        let shop = d["createShop"]["id"].as_str().expect("shop").to_owned();
        let r = run(&app, &token, "importOrders", json!({ "shopId": shop })).await;
        assert_eq!(counts(&r), (3, 0, 0, 0), "{r}");
        assert_eq!(counts(&run(&app, &token, "importOrders", json!({ "shopId": shop })).await), (0, 0, 3, 0));
        let list = app.gql_ok(&token, ORDERS, json!({ "s": shop })).await;
        let target = list["orders"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .find(|o| o["orderNumber"] == numbers[0].as_str())
            .cloned()
            .expect("order");
        let jst = chrono::FixedOffset::east_opt(9 * 3600).expect("offset");
        let today = Utc::now().with_timezone(&jst).date_naive().to_string();
        app.gql_ok(
            &token,
            "mutation($id: ID!, $i: OrderUpdateInput!) { updateOrder(id: $id, input: $i) { id } }",
            json!({ "id": target["id"], "i": { "status": "AWAITING_SHIPMENT", "shipDate": today, "carrier": "ヤマト運輸", "deliveryMethod": "宅急便", "trackingNumber": "4444-5555-6666", "notes": "ギフト" } }),
        )
        .await;
        let period = json!({ "shopId": shop, "createdFrom": (Utc::now() - TimeDelta::days(1)).to_rfc3339(), "createdTo": Utc::now().to_rfc3339() });
        let e = run(&app, &token, "exportShipments", period.clone()).await;
        assert_eq!(e["state"], "SUCCEEDED", "{e}");
        assert_eq!(e["updated"], 1, "{e}");
        assert_eq!(run(&app, &token, "exportShipments", period).await["updated"], 0);
        let c = mall.control(reqwest::Method::GET, "/accounts/aupay/51230000/counters", Value::Null).await;
        assert_eq!(c["shippingUpdates"], 1);
        let o = mall
            .control(reqwest::Method::GET, &format!("/accounts/aupay/51230000/orders/{}", numbers[0]), Value::Null)
            .await;
        assert_eq!(o["shipments"][0]["trackingNumber"], "4444-5555-6666");
        assert_eq!(o["shipments"][0]["carrier"], "1");
        let again = run(&app, &token, "importOrders", json!({ "shopId": shop })).await;
        assert_eq!(again["failed"], 0, "{again}");
        let list = app.gql_ok(&token, ORDERS, json!({ "s": shop })).await;
        let target = list["orders"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .find(|o| o["orderNumber"] == numbers[0].as_str())
            .cloned()
            .expect("order");
        assert_eq!(target["notes"], "ギフト", "local notes stay");
        mall.task.abort();
    });
}

#[tokio::test]
async fn rakuma_orders_take_the_recipient_as_buyer_and_shipping_then_evaluation_reach_rakuma_once() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        let email = "shop@rakuma.example";
        mall.post(
            "/accounts",
            json!({"marketplace": "rakuma", "email": email, "password": "pw", "clientId": "rk-client", "clientSecret": "rk-secret"}),
        )
        .await;
        let specs: Vec<Value> =
            (0..3).map(|i| json!({"at": Utc::now() - TimeDelta::hours(3 + i), "state": "confirmed"})).collect();
        let v = mall.post(&format!("/accounts/rakuma/{email}/orders"), json!({"orders": specs})).await;
        let numbers: Vec<String> =
            v["orderNumbers"].as_array().expect("numbers").iter().map(|n| n.as_str().expect("n").to_owned()).collect();
        let (token, _) = app.tenant("A商店", true).await;
        let d = app
            .gql_ok(
                &token,
                "mutation($i: ShopInput!) { createShop(input: $i) { id } }",
                json!({ "i": {
                    "marketplace": "RAKUMA", "name": "ラクマ店",
                    "profile": { "mallShopName": "ラクマ店", "staffName": "山田 花子", "phone": "03-1111-2222", "email": "shop@example.jp" },
                    "settings": { "apiBaseUrl": format!("{}/rakuma", mall.base), "reviewMessage": "ありがとうございました。またのご利用をお待ちしております。",
                        "credentials": { "email": email, "password": "pw", "clientId": "rk-client", "clientSecret": "rk-secret", "accountType": "single" } }
                }}),
            )
            .await;
        let shop = d["createShop"]["id"].as_str().expect("shop").to_owned();
        let r = run(&app, &token, "importOrders", json!({ "shopId": shop })).await;
        assert_eq!(counts(&r), (3, 0, 0, 0), "{r}");
        const RAKUMA_ORDERS: &str = "query($s: ID) { orders(filter: {shopId: $s}, first: 50) { nodes { id orderNumber status buyer { name } recipient { name } } } }";
        let list = app.gql_ok(&token, RAKUMA_ORDERS, json!({ "s": shop })).await;
        let target = list["orders"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .find(|o| o["orderNumber"] == numbers[0].as_str())
            .cloned()
            .expect("order");
        assert_eq!(target["buyer"]["name"], target["recipient"]["name"], "Rakuma: the recipient is the buyer");
        assert_eq!(target["status"], "AWAITING_SHIPMENT");
        let jst = chrono::FixedOffset::east_opt(9 * 3600).expect("offset");
        let today = Utc::now().with_timezone(&jst).date_naive().to_string();
        app.gql_ok(
            &token,
            "mutation($id: ID!, $i: OrderUpdateInput!) { updateOrder(id: $id, input: $i) { id } }",
            json!({ "id": target["id"], "i": { "shipDate": today, "carrier": "ヤマト運輸", "deliveryMethod": "宅急便", "trackingNumber": "1234-5678-9012" } }),
        )
        .await;
        let period = json!({ "shopId": shop, "createdFrom": (Utc::now() - TimeDelta::days(1)).to_rfc3339(), "createdTo": Utc::now().to_rfc3339() });
        let e = run(&app, &token, "exportShipments", period.clone()).await;
        assert_eq!(e["updated"], 1, "{e}");
        run(&app, &token, "importOrders", json!({ "shopId": shop })).await;
        let ev = run(&app, &token, "registerEvaluations", period.clone()).await;
        assert_eq!(ev["state"], "SUCCEEDED", "{ev}");
        assert_eq!(counts(&ev), (0, 1, 2, 0), "{ev}");
        let again = run(&app, &token, "registerEvaluations", period).await;
        assert_eq!(again["updated"], 0, "{again}");
        let c = mall.control(reqwest::Method::GET, &format!("/accounts/rakuma/{email}/counters"), Value::Null).await;
        assert_eq!((c["shippingUpdates"].as_i64(), c["evaluations"].as_i64()), (Some(1), Some(1)));
        let log = c["received"].as_array().expect("log");
        let eval = log.iter().find(|x| x["kind"] == "evaluation").expect("evaluation");
        assert_eq!(eval["detail"]["comment"], "ありがとうございました。またのご利用をお待ちしております。");
        mall.task.abort();
    });
}

#[tokio::test]
async fn yahoo_orders_import_from_the_xml_api_and_shipping_goes_back_once() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.post(
            "/accounts",
            json!({"marketplace": "yahoo", "sellerId": YAHOO_SELLER, "accessToken": "yahoo-token", "minIntervalMs": 0}),
        )
        .await;
        let specs: Vec<Value> =
            (0..4).map(|i| json!({"at": Utc::now() - TimeDelta::hours(3 + i), "state": "confirmed"})).collect();
        let v = mall.post(&format!("/accounts/yahoo/{YAHOO_SELLER}/orders"), json!({"orders": specs})).await;
        let numbers: Vec<String> =
            v["orderNumbers"].as_array().expect("numbers").iter().map(|n| n.as_str().expect("n").to_owned()).collect();
        let (token, _) = app.tenant("A商店", true).await;
        let d = app
            .gql_ok(
                &token,
                "mutation($i: ShopInput!) { createShop(input: $i) { id } }",
                json!({ "i": {
                    "marketplace": "YAHOO", "name": "Yahoo店",
                    "profile": { "mallShopName": "Yahoo店", "staffName": "山田 花子", "phone": "03-1111-2222", "email": "shop@example.jp" },
                    "settings": { "apiBaseUrl": format!("{}/yahoo", mall.base), "credentials": { "sellerId": YAHOO_SELLER, "accessToken": "yahoo-token" } }
                }}),
            )
            .await;
        let shop = d["createShop"]["id"].as_str().expect("shop").to_owned();
        let r = run(&app, &token, "importOrders", json!({ "shopId": shop })).await;
        assert_eq!(counts(&r), (4, 0, 0, 0), "{r}");
        assert_eq!(counts(&run(&app, &token, "importOrders", json!({ "shopId": shop })).await), (0, 0, 4, 0));
        let list = app.gql_ok(&token, ORDERS, json!({ "s": shop })).await;
        let target = list["orders"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .find(|o| o["orderNumber"] == numbers[0].as_str())
            .cloned()
            .expect("order");
        assert!(target["items"].as_array().is_some_and(|i| !i.is_empty()), "{target}");
        let jst = chrono::FixedOffset::east_opt(9 * 3600).expect("offset");
        let today = Utc::now().with_timezone(&jst).date_naive().to_string();
        app.gql_ok(
            &token,
            "mutation($id: ID!, $i: OrderUpdateInput!) { updateOrder(id: $id, input: $i) { id } }",
            json!({ "id": target["id"], "i": { "status": "AWAITING_SHIPMENT", "shipDate": today, "carrier": "ヤマト運輸", "deliveryMethod": "宅急便", "trackingNumber": "123456789012" } }),
        )
        .await;
        let period = json!({ "shopId": shop, "createdFrom": (Utc::now() - TimeDelta::days(1)).to_rfc3339(), "createdTo": Utc::now().to_rfc3339() });
        let e = run(&app, &token, "exportShipments", period.clone()).await;
        assert_eq!(e["updated"], 1, "{e}");
        assert_eq!(run(&app, &token, "exportShipments", period).await["updated"], 0);
        let c =
            mall.control(reqwest::Method::GET, &format!("/accounts/yahoo/{YAHOO_SELLER}/counters"), Value::Null).await;
        assert_eq!(c["shippingUpdates"], 1);
        mall.task.abort();
    });
}

/// replyToInquiry as a GraphQL multipart request with one file.
async fn reply_with_file(app: &TestApp, token: &str, inquiry: &str, name: &str, bytes: &[u8]) -> Value {
    let boundary = "----MadoguchiBoundary7MA4YWxk";
    let operations = json!({
        "query": "mutation($i: ReplyInput!) { replyToInquiry(input: $i) { id delivery } }",
        "variables": { "i": { "inquiryId": inquiry, "body": "写真をお送りします。", "attachments": [null] } }
    });
    let mut body = Vec::new();
    for (field, value) in
        [("operations", operations.to_string()), ("map", json!({ "0": ["variables.i.attachments.0"] }).to_string())]
    {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"{name}\"\r\nContent-Type: image/png\r\n\r\n")
            .as_bytes(),
    );
    body.extend(bytes);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    app.http
        .post(format!("{}/graphql", app.base))
        .bearer_auth(token)
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .expect("POST")
        .json()
        .await
        .expect("JSON")
}

#[tokio::test]
async fn a_rakuten_reply_with_a_file_uploads_it_first_and_sends_both_once() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        let (token, _) = app.tenant("A商店", true).await;
        let shop = rakuten_shop(&app, &token, &mall, "楽天A店").await;
        let number = mall.inquiry("破損していました", 1).await;
        run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
        let t = app.gql_ok(&token, THREADS, json!({ "s": shop })).await;
        let id = t["inquiries"]["nodes"][0]["id"].as_str().expect("id").to_owned();
        let png = b"\x89PNG\r\n\x1a\n0000";
        let r = reply_with_file(&app, &token, &id, "写真.png", png).await;
        assert!(r.get("errors").is_none(), "{r}");
        let m = wait_delivered_on(&app, &token, &id).await;
        assert_eq!(m["delivery"], "SENT", "{m}");
        let c = mall.counters().await;
        assert_eq!((c["attachments"].as_i64(), c["replies"].as_i64()), (Some(1), Some(1)));
        let inq = mall
            .control(reqwest::Method::GET, &format!("/accounts/rakuten/{RAKUTEN_SHOP}/inquiries/{number}"), Value::Null)
            .await;
        let last = inq["messages"].as_array().expect("messages").last().cloned().expect("reply");
        assert_eq!(last["attachments"][0]["label"], "写真.png", "{last}");
        mall.task.abort();
    });
}

#[tokio::test]
async fn the_run_history_filters_by_manual_or_automatic_kind_and_failures() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        let (token, _) = app.tenant("A商店", true).await;
        let shop = rakuten_shop(&app, &token, &mall, "楽天A店").await;
        mall.orders(1).await;
        app.gql_ok(
            &token,
            "mutation($id: ID!, $i: ShopInput!) { updateShop(id: $id, input: $i) { id } }",
            json!({ "id": shop, "i": {
                "marketplace": "RAKUTEN", "name": "楽天A店",
                "profile": { "mallShopName": "楽天A店", "staffName": "山田 花子", "phone": "03-1111-2222", "email": "shop@example.jp" },
                "settings": { "autoImport": true }
            }}),
        )
        .await;
        // Two automatic runs (orders, inquiries), one manual import, one manual run that fails.
        server::sync::run_due_and_wait(&app.state, Some(Duration::from_secs(300)), Duration::from_secs(60))
            .await
            .expect("pass");
        run(&app, &token, "importOrders", json!({ "shopId": shop })).await;
        mall.post(&format!("/accounts/rakuten/{RAKUTEN_SHOP}/expire"), json!({})).await;
        let failed = run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
        assert_eq!(failed["state"], "FAILED");

        let listed = |filter: Value| {
            let (app, token) = (&app, token.clone());
            async move {
                let q = "query($f: SyncRunFilter) { syncRuns(first: 50, filter: $f) { totalCount nodes { kind trigger state } } }";
                let d = app.gql_ok(&token, q, json!({ "f": filter })).await;
                let mut got: Vec<String> = d["syncRuns"]["nodes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| {
                        format!(
                            "{} {} {}",
                            r["trigger"].as_str().unwrap(),
                            r["kind"].as_str().unwrap(),
                            r["state"].as_str().unwrap()
                        )
                    })
                    .collect();
                got.sort();
                assert_eq!(d["syncRuns"]["totalCount"].as_u64(), Some(got.len() as u64));
                got
            }
        };
        assert_eq!(listed(json!({})).await.len(), 4);
        assert_eq!(
            listed(json!({ "trigger": "auto" })).await,
            ["auto IMPORT_INQUIRIES SUCCEEDED", "auto IMPORT_ORDERS SUCCEEDED"]
        );
        assert_eq!(
            listed(json!({ "trigger": "manual", "kind": "IMPORT_ORDERS" })).await,
            ["manual IMPORT_ORDERS SUCCEEDED"]
        );
        assert_eq!(listed(json!({ "withFailures": true })).await, ["manual IMPORT_INQUIRIES FAILED"]);
        let bad = app.gql(Some(&token), "{ syncRuns(filter: { trigger: \"cron\" }) { totalCount } }", json!({})).await;
        assert_eq!(bad["errors"][0]["extensions"]["code"], "VALIDATION", "{bad}");
        assert_eq!(bad["errors"][0]["extensions"]["field"], "trigger", "{bad}");
        mall.task.abort();
    });
}
