//! Crashes with real processes: the built `madoguchi` binary is killed with SIGKILL in the middle
//! of its work and started again on the same database. Nothing is lost and nothing is done
//! twice: every reply reaches the marketplace (the simulator) exactly once, an import cut off is
//! taken up again and completes with the right counts, an export or upload the crash cut off
//! is not left looking as if it still ran, and a webhook delivery cut off is sent again (at
//! least once, in sequence order, nothing skipped).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step is a failed test

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const SHOP_ID: &str = "123456";

/// The marketplace simulator, in this test process (it outlives the server's crashes).
struct Mall {
    base: String,
    http: reqwest::Client,
    task: tokio::task::JoinHandle<()>,
}

impl Mall {
    async fn start() -> Mall {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let sim = mallsim::Sim::new(7);
        let task = tokio::spawn(async move {
            let _ = mallsim::serve(listener, sim).await;
        });
        let mall = Mall { base: format!("http://{addr}"), http: reqwest::Client::new(), task };
        mall.control(
            reqwest::Method::POST,
            "/accounts",
            json!({"marketplace": "rakuten", "shopId": SHOP_ID, "serviceSecret": "SP123456_secret", "licenseKey": "SL123456_key"}),
        )
        .await;
        mall
    }

    async fn control(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let resp = self.http.request(method, format!("{}/_control{path}", self.base)).json(&body).send().await.unwrap();
        assert!(resp.status().is_success(), "control {path}: {}", resp.status());
        resp.json().await.unwrap_or(Value::Null)
    }

    async fn latency(&self, ms: u64) {
        self.control(reqwest::Method::PUT, "/faults/rakuten", json!({ "latencyMs": ms })).await;
    }

    async fn inquiries(&self, n: usize) {
        let specs: Vec<Value> = (0..n)
            .map(|i| json!({"message": format!("質問です {i}"), "at": chrono::Utc::now() - chrono::TimeDelta::hours(1 + i as i64), "userName": "楽天 太郎"}))
            .collect();
        self.control(
            reqwest::Method::POST,
            &format!("/accounts/rakuten/{SHOP_ID}/inquiries"),
            json!({ "inquiries": specs }),
        )
        .await;
    }

    async fn counters(&self) -> Value {
        self.control(reqwest::Method::GET, &format!("/accounts/rakuten/{SHOP_ID}/counters"), Value::Null).await
    }

    async fn replies_received(&self) -> i64 {
        self.counters().await["replies"].as_i64().unwrap()
    }

    /// `n` confirmed orders placed in the last hours; their numbers.
    async fn orders(&self, n: usize) -> Vec<String> {
        let specs: Vec<Value> = (0..n)
            .map(|i| json!({"at": chrono::Utc::now() - chrono::TimeDelta::hours(2 + i as i64), "state": "confirmed"}))
            .collect();
        let v = self
            .control(reqwest::Method::POST, &format!("/accounts/rakuten/{SHOP_ID}/orders"), json!({ "orders": specs }))
            .await;
        v["orderNumbers"].as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_owned()).collect()
    }
}

impl Drop for Mall {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One life of the server process on the test's database.
struct Process {
    child: Child,
    base: String,
}

impl Process {
    fn start(dir: &Path, database_url: &str) -> Process {
        let mut child = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
            .arg("serve")
            .args(["--listen", "127.0.0.1:0", "--allow-private-urls", "--database-url", database_url])
            .arg("--data-dir")
            .arg(dir)
            .arg("--spa-dir")
            .arg(dir.join("no-app"))
            .env_remove("MADOGUCHI_LISTEN")
            .env_remove("MADOGUCHI_DEMO")
            .env("MADOGUCHI_SECRET_KEY", "crash-test-key")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the madoguchi binary starts");
        let addr = common::listening_address(&mut child);
        Process { child, base: format!("http://{addr}") }
    }

    /// SIGKILL: no shutdown of any kind.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    async fn gql(&self, token: &str, query: &str, variables: Value) -> Value {
        let body: Value = reqwest::Client::new()
            .post(format!("{}/graphql", self.base))
            .bearer_auth(token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(body.get("errors").is_none(), "{body:#}");
        body["data"].clone()
    }

    async fn upload(
        &self,
        token: &str,
        query: &str,
        variables: Value,
        bytes: Vec<u8>,
    ) -> Result<Value, reqwest::Error> {
        upload(&self.base, token, query, variables, bytes).await
    }
}

/// A GraphQL multipart upload of one file at `variables.i.file`; the whole answer, or the
/// transport error when the process died meanwhile.
async fn upload(
    base: &str,
    token: &str,
    query: &str,
    variables: Value,
    bytes: Vec<u8>,
) -> Result<Value, reqwest::Error> {
    {
        let form = reqwest::multipart::Form::new()
            .text("operations", json!({ "query": query, "variables": variables }).to_string())
            .text("map", json!({ "0": ["variables.i.file"] }).to_string())
            .part("0", reqwest::multipart::Part::bytes(bytes).file_name("orders.csv").mime_str("text/csv")?);
        reqwest::Client::new()
            .post(format!("{base}/graphql"))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await?
            .json()
            .await
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Setup {
    dir: PathBuf,
    database_url: String,
    token: String,
}

/// A fresh SQLite database with one tenant (API option on) and an admin token, made the way
/// an operator's provisioning would, before the server first starts.
async fn setup() -> Setup {
    let dir = std::env::temp_dir().join(format!("madoguchi_crash_{}_{:x}", std::process::id(), rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    let database_url = format!("sqlite://{}?mode=rwc", dir.join("madoguchi.sqlite").display());
    let db = server::store::connect(&database_url).await.unwrap();
    server::store::migrate(&db).await.unwrap();
    let actor = server::provision::create_tenant(&db, "クラッシュ商店", true).await.unwrap();
    let (token, _) =
        server::auth::create_api_token(&db, &actor, "crash", &["read".into(), "write".into(), "admin".into()])
            .await
            .unwrap();
    db.close().await.unwrap();
    Setup { dir, database_url, token }
}

async fn rakuten_shop(p: &Process, token: &str, mall: &Mall) -> String {
    let d = p
        .gql(
            token,
            "mutation($i: ShopInput!) { createShop(input: $i) { id } }",
            json!({ "i": {
                "marketplace": "RAKUTEN", "name": "楽天店",
                "profile": { "mallShopName": "楽天店", "staffName": "山田 花子", "phone": "03-1111-2222", "email": "shop@example.jp" },
                "settings": {
                    "apiBaseUrl": format!("{}/rakuten", mall.base), "importDays": 7,
                    "credentials": { "serviceSecret": "SP123456_secret", "licenseKey": "SL123456_key", "shopId": SHOP_ID }
                }
            }}),
        )
        .await;
    d["createShop"]["id"].as_str().unwrap().to_owned()
}

const RUNS: &str =
    "query($s: ID) { syncRuns(shopId: $s, first: 50) { nodes { id state created updated unchanged failed errors } } }";
const THREADS: &str = "query($s: ID) { inquiries(filter: {shopId: $s}, first: 100) { totalCount nodes { id messages { author delivery } } } }";

async fn start_import(p: &Process, token: &str, shop: &str) -> String {
    let d = p
        .gql(
            token,
            "mutation($i: ImportInput!) { importInquiries(input: $i) { id } }",
            json!({ "i": { "shopId": shop } }),
        )
        .await;
    d["importInquiries"]["id"].as_str().unwrap().to_owned()
}

async fn wait_run(p: &Process, token: &str, shop: &str, id: &str, limit: Duration) -> Value {
    let deadline = Instant::now() + limit;
    loop {
        let runs = p.gql(token, RUNS, json!({ "s": shop })).await;
        let run = runs["syncRuns"]["nodes"].as_array().unwrap().iter().find(|r| r["id"] == id).cloned().unwrap();
        if matches!(run["state"].as_str(), Some("SUCCEEDED" | "FAILED")) {
            return run;
        }
        assert!(Instant::now() < deadline, "run {id} still {run}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn replies_in_flight_when_the_process_is_killed_reach_the_customer_exactly_once_after_the_restart() {
    let s = setup().await;
    let mall = Mall::start().await;
    mall.inquiries(3).await;
    let first = Process::start(&s.dir, &s.database_url);
    let shop = rakuten_shop(&first, &s.token, &mall).await;
    let run = start_import(&first, &s.token, &shop).await;
    wait_run(&first, &s.token, &shop, &run, Duration::from_secs(60)).await;
    let threads = first.gql(&s.token, THREADS, json!({ "s": shop })).await;
    let ids: Vec<String> = threads["inquiries"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 3);

    // The marketplace answers slowly: the replies are being sent when the process dies.
    mall.latency(3_000).await;
    for id in &ids {
        first
            .gql(
                &s.token,
                "mutation($i: ReplyInput!) { replyToInquiry(input: $i) { id } }",
                json!({ "i": { "inquiryId": id, "body": "お問い合わせありがとうございます。" } }),
            )
            .await;
    }
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    first.kill();

    mall.latency(0).await;
    let second = Process::start(&s.dir, &s.database_url);
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let threads = second.gql(&s.token, THREADS, json!({ "s": shop })).await;
        let sent = threads["inquiries"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|n| n["messages"].as_array().unwrap().iter())
            .filter(|m| m["author"] == "SHOP" && m["delivery"] == "SENT")
            .count();
        if sent == 3 {
            break;
        }
        assert!(Instant::now() < deadline, "replies resolved within 90 s of the restart: {threads}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Give a second delivery (if there were one) the time to arrive, then count.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(mall.replies_received().await, 3, "each reply reached the marketplace exactly once");
    drop(second);
    let _ = std::fs::remove_dir_all(&s.dir);
}

#[tokio::test]
async fn an_import_cut_off_by_a_crash_is_taken_up_again_after_the_restart_and_stores_everything_once() {
    let s = setup().await;
    let mall = Mall::start().await;
    mall.inquiries(6).await;
    let first = Process::start(&s.dir, &s.database_url);
    let shop = rakuten_shop(&first, &s.token, &mall).await;
    // Every marketplace call takes a while: the import is in the middle when the process dies.
    mall.latency(4_000).await;
    let cut = start_import(&first, &s.token, &shop).await;
    tokio::time::sleep(Duration::from_millis(2_000)).await;
    first.kill();

    mall.latency(0).await;
    let second = Process::start(&s.dir, &s.database_url);
    // The run the crash cut off goes back to the queue at the restart (an import may be done
    // again: it is upserts) and completes, saying it was taken up again.
    let done = wait_run(&second, &s.token, &shop, &cut, Duration::from_secs(90)).await;
    assert_eq!(done["state"], "SUCCEEDED", "{done}");
    assert!(done["errors"].to_string().contains("中断"), "{done}");
    let stored =
        done["created"].as_i64().unwrap() + done["unchanged"].as_i64().unwrap() + done["updated"].as_i64().unwrap();
    assert_eq!(stored, 6, "{done}");
    let threads = second.gql(&s.token, THREADS, json!({ "s": shop })).await;
    assert_eq!(threads["inquiries"]["totalCount"], 6, "every inquiry once");
    for n in threads["inquiries"]["nodes"].as_array().unwrap() {
        assert_eq!(n["messages"].as_array().unwrap().len(), 1, "no message twice: {n}");
    }
    drop(second);
    let _ = std::fs::remove_dir_all(&s.dir);
}

/// Every order of the shop (up to `limit`): number and how many lines it has.
async fn order_lines(p: &Process, token: &str, shop: &str) -> (i64, Vec<(String, usize)>) {
    let mut all = Vec::new();
    let mut after: Option<String> = None;
    let total = loop {
        let d = p
            .gql(
                token,
                "query($s: ID, $a: String) { orders(filter: {shopId: $s}, first: 100, after: $a) { totalCount pageInfo { hasNextPage endCursor } nodes { orderNumber items { quantity } } } }",
                json!({ "s": shop, "a": after }),
            )
            .await;
        for n in d["orders"]["nodes"].as_array().unwrap() {
            all.push((n["orderNumber"].as_str().unwrap().to_owned(), n["items"].as_array().unwrap().len()));
        }
        if d["orders"]["pageInfo"]["hasNextPage"] != true {
            break d["orders"]["totalCount"].as_i64().unwrap();
        }
        after = d["orders"]["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    };
    (total, all)
}

#[tokio::test]
async fn a_shipment_export_cut_off_by_a_crash_sends_each_shipment_once_after_the_restart() {
    let s = setup().await;
    let mall = Mall::start().await;
    let numbers = mall.orders(4).await;
    let first = Process::start(&s.dir, &s.database_url);
    let shop = rakuten_shop(&first, &s.token, &mall).await;
    let run = first
        .gql(
            &s.token,
            "mutation($i: ImportInput!) { importOrders(input: $i) { id } }",
            json!({ "i": { "shopId": shop } }),
        )
        .await["importOrders"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    wait_run(&first, &s.token, &shop, &run, Duration::from_secs(60)).await;
    // The staff enter each order's shipping data.
    let list = first
        .gql(
            &s.token,
            "query($s: ID) { orders(filter: {shopId: $s}, first: 50) { nodes { id } } }",
            json!({ "s": shop }),
        )
        .await;
    let today = chrono::Utc::now().with_timezone(&shared::jst()).date_naive().to_string();
    for (i, o) in list["orders"]["nodes"].as_array().unwrap().iter().enumerate() {
        first
            .gql(
                &s.token,
                "mutation($id: ID!, $i: OrderUpdateInput!) { updateOrder(id: $id, input: $i) { id } }",
                json!({ "id": o["id"], "i": { "status": "AWAITING_SHIPMENT", "shipDate": today, "carrier": "ヤマト運輸", "deliveryMethod": "宅急便", "trackingNumber": format!("1234-5678-{i:04}") } }),
            )
            .await;
    }
    // Every marketplace call takes a while: the export is between orders when the process dies.
    mall.latency(1_500).await;
    let period = json!({ "i": {
        "shopId": shop,
        "createdFrom": (chrono::Utc::now() - chrono::TimeDelta::days(2)).to_rfc3339(),
        "createdTo": chrono::Utc::now().to_rfc3339(),
    }});
    const EXPORT: &str = "mutation($i: ExportInput!) { exportShipments(input: $i) { id } }";
    let cut = first.gql(&s.token, EXPORT, period.clone()).await["exportShipments"]["id"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(4_000)).await;
    first.kill();
    let before = mall.counters().await["shippingUpdates"].as_i64().unwrap();
    assert!(before < 4, "the crash came before the export finished ({before} sent)");

    mall.latency(0).await;
    let second = Process::start(&s.dir, &s.database_url);
    let cut_run = wait_run(&second, &s.token, &shop, &cut, Duration::from_secs(90)).await;
    assert_eq!(cut_run["state"], "FAILED", "{cut_run}");
    assert!(cut_run["errors"].to_string().contains("中断"), "{cut_run}");
    // The next run sends what is left; what reached the marketplace before the crash is not
    // sent again (the marketplace already has it).
    let again = second.gql(&s.token, EXPORT, period).await["exportShipments"]["id"].as_str().unwrap().to_owned();
    let done = wait_run(&second, &s.token, &shop, &again, Duration::from_secs(60)).await;
    assert_eq!(done["state"], "SUCCEEDED", "{done}");
    let c = mall.counters().await;
    assert_eq!(c["shippingUpdates"], 4, "each shipment reached the marketplace exactly once: {c}");
    let mut got: Vec<String> = c["received"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["kind"] == "shippingUpdate")
        .map(|x| x["target"].as_str().unwrap().to_owned())
        .collect();
    got.sort();
    let mut want = numbers.clone();
    want.sort();
    assert_eq!(got, want);
    drop(second);
    let _ = std::fs::remove_dir_all(&s.dir);
}

#[tokio::test]
async fn a_csv_upload_cut_off_by_a_crash_leaves_no_half_stored_order_and_uploading_again_completes_it() {
    let s = setup().await;
    let first = Process::start(&s.dir, &s.database_url);
    let shop = first
        .gql(
            &s.token,
            "mutation($i: ShopInput!) { createShop(input: $i) { id } }",
            json!({ "i": {
                "marketplace": "CUSTOM_CSV", "name": "自社サイト",
                "profile": { "mallShopName": "自社サイト 本店", "staffName": "山田 花子", "phone": "03-1111-2222", "email": "shop@example.jp" }
            }}),
        )
        .await["createShop"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // A large file in Madoguchi's own columns: each order has two lines.
    const ORDERS: usize = 4_000;
    let mut csv = String::from("受注番号,注文日時,送付先氏名,送付先住所,商品名,商品番号,単価,数量\r\n");
    for i in 0..ORDERS {
        for (item, sku) in [("りんごジュース", "AJ-1"), ("みかんゼリー", "MZ-2")] {
            csv.push_str(&format!(
                "C{i:06},2026-11-20 10:{:02}:00,山田 太郎,東京都千代田区1-1,{item},{sku},1200,1\r\n",
                i % 60
            ));
        }
    }
    const IMPORT: &str = "mutation($i: CsvImportInput!) { importOrdersCsv(input: $i) { run { id state created updated unchanged failed } } }";
    let vars = json!({ "i": { "shopId": shop, "file": null } });
    let uploading = {
        let (token, vars, bytes) = (s.token.clone(), vars.clone(), csv.clone().into_bytes());
        let base = first.base.clone();
        tokio::spawn(async move { upload(&base, &token, IMPORT, vars, bytes).await })
    };
    // Kill once the import is storing orders.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let runs = first.gql(&s.token, RUNS, json!({ "s": shop })).await;
        let created =
            runs["syncRuns"]["nodes"].as_array().unwrap().first().and_then(|r| r["created"].as_i64()).unwrap_or(0);
        if created > 0 {
            break;
        }
        assert!(Instant::now() < deadline, "the import started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    first.kill();
    let answer = uploading.await.unwrap();
    assert!(
        answer.is_err() || answer.as_ref().is_ok_and(|v| v.get("errors").is_some()),
        "the upload was cut: {answer:?}"
    );

    let second = Process::start(&s.dir, &s.database_url);
    let runs = second.gql(&s.token, RUNS, json!({ "s": shop })).await;
    let cut = runs["syncRuns"]["nodes"][0].clone();
    assert_eq!(cut["state"], "FAILED", "the cut run says so: {cut}");
    assert!(cut["errors"].to_string().contains("中断"), "{cut}");
    let (stored, lines) = order_lines(&second, &s.token, &shop).await;
    assert!(stored > 0 && (stored as usize) < ORDERS, "the crash came in the middle ({stored} stored)");
    for (number, n) in &lines {
        assert_eq!(*n, 2, "order {number} was stored whole or not at all");
    }
    // The same file again: everything is there once.
    let answer = second.upload(&s.token, IMPORT, vars, csv.into_bytes()).await.unwrap();
    let run = &answer["data"]["importOrdersCsv"]["run"];
    assert_eq!(run["state"], "SUCCEEDED", "{answer:#}");
    assert_eq!(run["created"].as_i64().unwrap() + run["unchanged"].as_i64().unwrap(), ORDERS as i64, "{run}");
    assert_eq!(run["created"].as_i64().unwrap(), ORDERS as i64 - stored, "{run}");
    let (total, lines) = order_lines(&second, &s.token, &shop).await;
    assert_eq!(total, ORDERS as i64);
    assert!(lines.iter().all(|(_, n)| *n == 2), "every order has both its lines");
    drop(second);
    let _ = std::fs::remove_dir_all(&s.dir);
}

/// A webhook endpoint of the test's own: it checks each request's signature and keeps every
/// arrival in order, and can hold its answer a while (a slow receiver).
struct HookReceiver {
    url: String,
    secret: std::sync::Arc<std::sync::Mutex<String>>,
    arrivals: std::sync::Arc<std::sync::Mutex<Vec<Value>>>,
    hold_ms: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl HookReceiver {
    async fn start() -> HookReceiver {
        use std::sync::atomic::Ordering;
        let secret = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let arrivals: std::sync::Arc<std::sync::Mutex<Vec<Value>>> = Default::default();
        let hold_ms = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let (s, a, h) = (secret.clone(), arrivals.clone(), hold_ms.clone());
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let (s, a, h) = (s.clone(), a.clone(), h.clone());
                async move {
                    let header = headers.get("x-madoguchi-signature").and_then(|v| v.to_str().ok()).unwrap_or("");
                    assert!(signed_by(&s.lock().unwrap(), header, &body), "a badly signed delivery: {header}");
                    a.lock().unwrap().push(serde_json::from_slice::<Value>(&body).unwrap());
                    tokio::time::sleep(Duration::from_millis(h.load(Ordering::SeqCst))).await;
                    axum::http::StatusCode::OK
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        HookReceiver { url: format!("http://{addr}/hook"), secret, arrivals, hold_ms }
    }

    fn hold(&self, ms: u64) {
        self.hold_ms.store(ms, std::sync::atomic::Ordering::SeqCst);
    }

    /// The event ids in the order they arrived (a delivery sent again appears again).
    fn arrived(&self) -> Vec<(String, i64)> {
        self.arrivals
            .lock()
            .unwrap()
            .iter()
            .map(|b| (b["id"].as_str().unwrap().to_owned(), b["sequence"].as_i64().unwrap()))
            .collect()
    }
}

/// `t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, as a receiver checks it.
fn signed_by(secret: &str, header: &str, body: &[u8]) -> bool {
    use hmac::Mac as _;
    let part = |k: &str| header.split(',').find_map(|p| p.strip_prefix(k)).map(str::to_owned);
    let (Some(t), Some(v1)) = (part("t="), part("v1=")) else { return false };
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    hex::decode(v1).is_ok_and(|sig| mac.verify_slice(&sig).is_ok())
}

#[tokio::test]
async fn a_webhook_delivery_cut_off_by_a_crash_is_sent_again_after_the_restart_in_order_with_nothing_skipped() {
    let s = setup().await;
    let mall = Mall::start().await;
    let hook = HookReceiver::start().await;
    let first = Process::start(&s.dir, &s.database_url);
    let shop = rakuten_shop(&first, &s.token, &mall).await;
    let made = first
        .gql(
            &s.token,
            "mutation($i: WebhookInput!) { createWebhook(input: $i) { secret webhook { id } } }",
            json!({ "i": { "url": hook.url, "events": ["ORDER_CREATED"] } }),
        )
        .await;
    *hook.secret.lock().unwrap() = made["createWebhook"]["secret"].as_str().unwrap().to_owned();

    // The receiver is slow: the first delivery is in flight when the process dies.
    hook.hold(5_000);
    const ORDERS: usize = 3;
    for n in 0..ORDERS {
        first
            .gql(
                &s.token,
                "mutation($i: OrderInput!) { createOrder(input: $i) { id } }",
                json!({ "i": {
                    "shopId": shop, "orderNumber": format!("crash-hook-{n}"), "orderedAt": "2026-11-01T10:00:00+09:00",
                    "recipient": { "name": "佐藤 花子" },
                    "items": [{ "name": "今治タオル", "unitPrice": 1100, "quantity": 1 }]
                }}),
            )
            .await;
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while hook.arrived().is_empty() {
        assert!(Instant::now() < deadline, "the first delivery was sent");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let in_flight = hook.arrived();
    assert_eq!(in_flight.len(), 1, "one delivery at a time per endpoint: {in_flight:?}");
    first.kill();

    hook.hold(0);
    let second = Process::start(&s.dir, &s.database_url);
    let events = second.gql(&s.token, "{ events(first: 50) { nodes { id sequence type } } }", json!({})).await;
    let created: Vec<(String, i64)> = events["events"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "ORDER_CREATED")
        .map(|e| (e["id"].as_str().unwrap().to_owned(), e["sequence"].as_i64().unwrap()))
        .collect();
    assert_eq!(created.len(), ORDERS, "{events}");
    let deadline = Instant::now() + Duration::from_secs(60);
    let arrived = loop {
        let arrived = hook.arrived();
        let mut ids: Vec<&String> = arrived.iter().map(|(id, _)| id).collect();
        ids.dedup();
        if created.iter().all(|(id, _)| ids.contains(&id)) {
            break arrived;
        }
        assert!(Instant::now() < deadline, "every event delivered after the restart: {arrived:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    // The delivery cut off is sent again (at least once: receivers dedupe by id); apart from
    // it, each event arrives once and in sequence order.
    assert_eq!(arrived[0], in_flight[0]);
    assert_eq!(arrived[1], in_flight[0], "the delivery cut off was sent again first: {arrived:?}");
    let after_restart: Vec<i64> = arrived[1..].iter().map(|(_, seq)| *seq).collect();
    assert!(after_restart.windows(2).all(|w| w[0] < w[1]), "in sequence order, each once: {arrived:?}");
    assert_eq!(after_restart, created.iter().map(|(_, seq)| *seq).collect::<Vec<_>>());
    // The delivery log says each was delivered.
    let log = second.gql(&s.token, "{ webhooks { deliveries(first: 50) { sequence result } } }", json!({})).await;
    let delivered: Vec<i64> = log["webhooks"][0]["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["result"] == "DELIVERED")
        .map(|d| d["sequence"].as_i64().unwrap())
        .collect();
    for (_, seq) in &created {
        assert!(delivered.contains(seq), "the log shows {seq} delivered: {log}");
    }
    drop(second);
    let _ = std::fs::remove_dir_all(&s.dir);
}
