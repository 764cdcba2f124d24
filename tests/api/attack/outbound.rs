//! Attack suite: outbound.
//!
//! A shop's API base URL is chosen by a tenant admin and receives the shop's credentials
//! (SSRF); the values Madoguchi puts in a marketplace's URL come from the marketplace and from
//! staff (path injection); errors of outbound calls reach staff and API clients (no internal
//! text); the Rakuten push endpoint is open to the internet (found by an index of its key,
//! compared in constant time, rate-limited).

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use madoguchi_tests::{TestApp, each_backend, error_code};
use serde_json::{Value, json};
use server::marketplaces::{RetryPolicy, set_retry_policy};

pub(super) const RAKUTEN_SHOP: &str = "123456";

/// The marketplace simulator on loopback, with the short retries the suite uses everywhere.
pub(super) struct Mall {
    pub(super) base: String,
    http: reqwest::Client,
    pub(super) sim: mallsim::Sim,
    task: tokio::task::JoinHandle<()>,
}

impl Mall {
    pub(super) async fn start() -> Mall {
        set_retry_policy(RetryPolicy {
            base: Duration::from_millis(5),
            max: Duration::from_millis(40),
            attempts: 6,
            timeout: Duration::from_secs(3),
            pace: false,
        });
        let sim = mallsim::Sim::new(42);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let s = sim.clone();
        let task = tokio::spawn(async move {
            let _ = mallsim::serve(listener, s).await;
        });
        Mall { base: format!("http://{addr}"), http: reqwest::Client::new(), sim, task }
    }

    pub(super) async fn control(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
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

    pub(super) async fn post(&self, path: &str, body: Value) -> Value {
        self.control(reqwest::Method::POST, path, body).await
    }

    /// Every request that reached the simulator, per marketplace.
    pub(super) async fn requests(&self) -> Value {
        self.control(reqwest::Method::GET, "/requests", Value::Null).await
    }
}

impl Drop for Mall {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub(super) const CREATE_SHOP: &str = "mutation($i: ShopInput!) { createShop(input: $i) { id } }";
const UPDATE_SHOP: &str = "mutation($id: ID!, $i: ShopInput!) { updateShop(id: $id, input: $i) { id } }";

pub(super) fn rakuten_input(name: &str, base_url: Option<&str>, credentials: Value) -> Value {
    let mut settings = json!({ "importDays": 7, "credentials": credentials });
    if let Some(u) = base_url {
        settings["apiBaseUrl"] = json!(u);
    }
    json!({
        "marketplace": "RAKUTEN",
        "name": name,
        "profile": { "mallShopName": name, "staffName": "山田 花子", "phone": "03-1111-2222", "email": "shop@example.jp" },
        "settings": settings
    })
}

pub(super) fn rakuten_credentials() -> Value {
    json!({ "serviceSecret": "SP123456_secret", "licenseKey": "SL123456_key", "shopId": RAKUTEN_SHOP })
}

const RUNS: &str =
    "query($s: ID) { syncRuns(shopId: $s, first: 50) { nodes { id state created updated unchanged failed errors } } }";

/// Starts a run through the API and waits for its end; returns the finished run.
pub(super) async fn run(app: &TestApp, token: &str, mutation: &str, input: Value) -> Value {
    let kind = if mutation.starts_with("import") { "Import" } else { "Export" };
    let q = format!("mutation($i: {kind}Input!) {{ {mutation}(input: $i) {{ id }} }}");
    let started = app.gql_ok(token, &q, json!({ "i": input })).await;
    let id = started[mutation]["id"].as_str().expect("run id").to_owned();
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

/// Internal wording that must never reach staff or API clients.
fn assert_plain(text: &str) {
    let lower = text.to_lowercase();
    for leak in [
        "os error",
        "tcp connect",
        "error trying to connect",
        "connection refused",
        "reqwest",
        "hyper",
        "sqlx",
        "dberr",
        "database",
        "sqlite",
        "postgres",
        "127.0.0.1",
        "expected value at line",
        "error sending request",
    ] {
        assert!(!lower.contains(leak), "internal text {leak:?} reached the user: {text}");
    }
}

// ───────────────────────── item 3: SSRF through apiBaseUrl ─────────────────────────

#[tokio::test]
async fn a_base_url_to_a_private_address_or_not_https_is_refused_on_the_setting() {
    for backend in madoguchi_tests::backends().await {
        let app = madoguchi_tests::spawn_app_with(&backend, |c| c.policy.allow_private_urls = false).await;
        let (token, _) = app.tenant("A商店", true).await;
        let refused = [
            "http://127.0.0.1:5432/",
            "https://127.0.0.1/",
            "https://169.254.169.254/latest/meta-data/",
            "https://10.0.0.5/",
            "https://192.168.1.10/",
            "https://100.64.0.1/",
            "https://[::1]/",
            "https://[fd00::1]/",
            "https://[::ffff:169.254.169.254]/",
            "https://[::ffff:127.0.0.1]:8443/",
            "https://2130706433/",
            "https://0.0.0.0/",
            "http://api.rms.rakuten.co.jp/es/2.0",
            "https://localhost/",
            "https://localhost:5432/",
            "ftp://example.com/",
            "https://user:pass@example.com/",
        ];
        for url in refused {
            let body = app
                .gql(
                    Some(&token),
                    CREATE_SHOP,
                    json!({ "i": rakuten_input("楽天店", Some(url), rakuten_credentials()) }),
                )
                .await;
            assert_eq!(error_code(&body).as_deref(), Some("VALIDATION"), "{url}: {body}");
            assert_eq!(body["errors"][0]["extensions"]["field"], "settings.apiBaseUrl", "{url}: {body}");
        }
        // Nothing was created; and an existing shop cannot be pointed there either.
        let shops = app.gql_ok(&token, "{ shops { id } }", json!({})).await;
        assert_eq!(shops["shops"].as_array().map(Vec::len), Some(0));
        let d =
            app.gql_ok(&token, CREATE_SHOP, json!({ "i": rakuten_input("楽天店", None, rakuten_credentials()) })).await;
        let shop = d["createShop"]["id"].as_str().expect("shop").to_owned();
        let body = app
            .gql(
                Some(&token),
                UPDATE_SHOP,
                json!({ "id": shop, "i": rakuten_input("楽天店", Some("https://169.254.169.254/"), rakuten_credentials()) }),
            )
            .await;
        assert_eq!(error_code(&body).as_deref(), Some("VALIDATION"), "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "settings.apiBaseUrl");
        app.finish().await;
    }
}

/// A shop whose base URL names a loopback host (saved under an earlier policy, or a name that
/// resolves elsewhere now) gets no request and no credentials: the address is checked when the
/// call is made, and the run says why in plain words.
#[tokio::test]
async fn a_call_to_a_private_address_is_refused_at_connect_time_and_nothing_reaches_it() {
    let mall = Mall::start().await;
    mall.post(
        "/accounts",
        json!({"marketplace": "rakuten", "shopId": RAKUTEN_SHOP, "serviceSecret": "SP123456_secret", "licenseKey": "SL123456_key"}),
    )
    .await;
    for backend in madoguchi_tests::backends().await {
        let app = madoguchi_tests::spawn_app_with(&backend, |c| c.policy.allow_private_urls = false).await;
        let (token, _) = app.tenant("A商店", true).await;
        let d =
            app.gql_ok(&token, CREATE_SHOP, json!({ "i": rakuten_input("楽天店", None, rakuten_credentials()) })).await;
        let shop = d["createShop"]["id"].as_str().expect("shop").to_owned();
        // Written past the API's check, as a row saved before this policy would be.
        let https = mall.base.replace("http://", "https://");
        for (base, why) in [
            (format!("{https}/rakuten"), "ローカル・社内向け"),
            (format!("{}/rakuten", https.replace("127.0.0.1", "localhost")), "ローカル・社内向け"),
            (format!("{}/rakuten", mall.base), "https://"),
        ] {
            use sea_orm::ConnectionTrait;
            let id: i64 = shop.parse().expect("numeric id");
            let sql = format!("UPDATE shop SET api_base_url = '{base}' WHERE id = {id}");
            app.state.db.execute_unprepared(&sql).await.expect("update");
            let before = mall.requests().await;
            let r = run(&app, &token, "importOrders", json!({ "shopId": shop })).await;
            assert_eq!(r["state"], "FAILED", "{r}");
            let error = r["errors"][0].as_str().expect("an error text");
            assert!(error.contains("楽天店") && error.contains(why), "{error}");
            assert_plain(error);
            assert_eq!(mall.requests().await, before, "no request reached the private address ({base})");
        }
        app.finish().await;
    }
}

/// Even with private URLs allowed (the simulator), a redirect is not followed: the run names it.
#[tokio::test]
async fn a_redirect_from_a_marketplace_is_reported_not_followed() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.post(
            "/accounts",
            json!({"marketplace": "rakuten", "shopId": RAKUTEN_SHOP, "serviceSecret": "SP123456_secret", "licenseKey": "SL123456_key"}),
        )
        .await;
        // A base URL that answers every request with a redirect to the simulator.
        let target = format!("{}/rakuten", mall.base);
        let redirector = axum::Router::new().fallback(move |uri: axum::http::Uri| {
            let to = format!("{target}{}", uri.path_and_query().map(|p| p.as_str()).unwrap_or("/"));
            async move { axum::response::Redirect::temporary(&to) }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let stub = tokio::spawn(async move {
            let _ = axum::serve(listener, redirector).await;
        });
        let (token, _) = app.tenant("A商店", true).await;
        let base = format!("http://{addr}");
        let d = app
            .gql_ok(
                &token,
                CREATE_SHOP,
                json!({ "i": rakuten_input("楽天転送店", Some(&base), rakuten_credentials()) }),
            )
            .await;
        let shop = d["createShop"]["id"].as_str().expect("shop").to_owned();
        let r = run(&app, &token, "importOrders", json!({ "shopId": shop })).await;
        assert_eq!(r["state"], "FAILED", "{r}");
        let error = r["errors"][0].as_str().expect("an error text");
        assert!(error.contains("楽天転送店") && error.contains("転送") && error.contains("307"), "{error}");
        let reached = mall.requests().await;
        assert_eq!(reached["rakuten"].as_u64().unwrap_or(0), 0, "the redirect was followed: {reached}");
        stub.abort();
    });
}

// ───────────────────────── item 15: plain error texts ─────────────────────────

/// A marketplace that cannot be reached (connection refused) shows staff and API clients a plain
/// Japanese reason, in the run's errors and in a reply's delivery error — never the socket's,
/// the HTTP library's or the database's own text.
#[tokio::test]
async fn an_unreachable_marketplace_shows_a_plain_message_in_runs_and_deliveries() {
    each_backend!(|app| {
        set_retry_policy(RetryPolicy {
            base: Duration::from_millis(5),
            max: Duration::from_millis(40),
            attempts: 6,
            timeout: Duration::from_secs(3),
            pace: false,
        });
        // A port nobody listens on.
        let closed = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            l.local_addr().expect("addr").port()
        };
        let (token, actor) = app.tenant("A商店", true).await;
        let base = format!("http://127.0.0.1:{closed}");
        let d = app
            .gql_ok(
                &token,
                CREATE_SHOP,
                json!({ "i": rakuten_input("楽天不通店", Some(&base), rakuten_credentials()) }),
            )
            .await;
        let shop = d["createShop"]["id"].as_str().expect("shop").to_owned();
        for mutation in ["importOrders", "importInquiries"] {
            let r = run(&app, &token, mutation, json!({ "shopId": shop })).await;
            assert_eq!(r["state"], "FAILED", "{r}");
            let error = r["errors"][0].as_str().expect("an error text");
            assert!(error.contains("楽天不通店") && error.contains("応答しません"), "{error}");
            assert_plain(error);
        }

        // A reply to that shop's inquiry fails with the same plain reason.
        let id = crate::seed::inquiry(
            &app,
            &actor,
            &shop,
            crate::seed::Thread {
                mid: "r1",
                order_number: None,
                customer: "楽天 太郎",
                created_minutes: 0,
                messages: crate::seed::asks(),
                completed: false,
            },
        )
        .await;
        app.gql_ok(
            &token,
            "mutation($i: ReplyInput!) { replyToInquiry(input: $i) { id } }",
            json!({ "i": { "inquiryId": id, "body": "お問い合わせありがとうございます。" } }),
        )
        .await;
        let mut failed = None;
        for _ in 0..400 {
            let d = app
                .gql_ok(
                    &token,
                    "query($id: ID!) { inquiry(id: $id) { messages { author delivery deliveryError } } }",
                    json!({ "id": id }),
                )
                .await;
            if let Some(m) =
                d["inquiry"]["messages"].as_array().expect("messages").iter().find(|m| m["author"] == "SHOP")
                && m["delivery"] == "FAILED"
            {
                failed = Some(m.clone());
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let m = failed.expect("the reply failed");
        let reason = m["deliveryError"].as_str().expect("a delivery error");
        assert!(reason.contains("楽天不通店") && reason.contains("応答しません"), "{reason}");
        assert_plain(reason);
    });
}

/// An answer that is not what the marketplace documents (an HTML error page) is reported as
/// unreadable, without the parser's own text.
#[tokio::test]
async fn an_unreadable_answer_is_reported_without_the_parsers_text() {
    each_backend!(|app| {
        let html = axum::Router::new().fallback(|| async {
            ([(axum::http::header::CONTENT_TYPE, "text/html")], "<html><body>Bad Gateway (nginx)</body></html>")
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let stub = tokio::spawn(async move {
            let _ = axum::serve(listener, html).await;
        });
        let (token, _) = app.tenant("A商店", true).await;
        let base = format!("http://{addr}");
        let d = app
            .gql_ok(
                &token,
                CREATE_SHOP,
                json!({ "i": rakuten_input("楽天HTML店", Some(&base), rakuten_credentials()) }),
            )
            .await;
        let shop = d["createShop"]["id"].as_str().expect("shop").to_owned();
        let r = run(&app, &token, "importOrders", json!({ "shopId": shop })).await;
        assert_eq!(r["state"], "FAILED", "{r}");
        let error = r["errors"][0].as_str().expect("an error text");
        assert!(error.contains("楽天HTML店") && error.contains("読めません"), "{error}");
        assert_plain(error);
        stub.abort();
    });
}

// ───────────────────────── item 8: values in marketplace URL paths ─────────────────────────

/// A Rakuma order number with `/`, `?`, `#` and `..` reaches Rakuma as one path segment: the
/// shipping notice and the evaluation land on that order and on no other resource.
#[tokio::test]
async fn an_order_number_with_slash_query_hash_and_dots_stays_one_path_segment() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        let email = "shop@rakuma.example";
        mall.post(
            "/accounts",
            json!({"marketplace": "rakuma", "email": email, "password": "pw", "clientId": "rk-client", "clientSecret": "rk-secret"}),
        )
        .await;
        let tricky = "R-1/../2?x=1#frag";
        let v = mall
            .post(
                &format!("/accounts/rakuma/{email}/orders"),
                json!({"orders": [
                    {"number": tricky, "at": Utc::now() - TimeDelta::hours(3), "state": "confirmed"},
                    {"number": "R-1", "at": Utc::now() - TimeDelta::hours(4), "state": "confirmed"}
                ]}),
            )
            .await;
        assert_eq!(v["orderNumbers"][0], tricky, "{v}");
        let (token, _) = app.tenant("A商店", true).await;
        let d = app
            .gql_ok(
                &token,
                CREATE_SHOP,
                json!({ "i": {
                    "marketplace": "RAKUMA", "name": "ラクマ店",
                    "profile": { "mallShopName": "ラクマ店", "staffName": "山田 花子", "phone": "03-1111-2222", "email": "shop@example.jp" },
                    "settings": { "apiBaseUrl": format!("{}/rakuma", mall.base), "reviewMessage": "ありがとうございました。",
                        "credentials": { "email": email, "password": "pw", "clientId": "rk-client", "clientSecret": "rk-secret", "accountType": "single" } }
                }}),
            )
            .await;
        let shop = d["createShop"]["id"].as_str().expect("shop").to_owned();
        let r = run(&app, &token, "importOrders", json!({ "shopId": shop })).await;
        assert_eq!(r["created"], 2, "{r}");
        let list = app
            .gql_ok(
                &token,
                "query($s: ID) { orders(filter: {shopId: $s}, first: 50) { nodes { id orderNumber } } }",
                json!({ "s": shop }),
            )
            .await;
        let target = list["orders"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .find(|o| o["orderNumber"] == tricky)
            .cloned()
            .expect("the tricky order was imported");
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
        assert_eq!(
            (e["state"].as_str(), e["updated"].as_i64(), e["failed"].as_i64()),
            (Some("SUCCEEDED"), Some(1), Some(0)),
            "{e}"
        );
        run(&app, &token, "importOrders", json!({ "shopId": shop })).await;
        let ev = run(&app, &token, "registerEvaluations", period).await;
        assert_eq!((ev["updated"].as_i64(), ev["failed"].as_i64()), (Some(1), Some(0)), "{ev}");

        let c = mall.control(reqwest::Method::GET, &format!("/accounts/rakuma/{email}/counters"), Value::Null).await;
        let log = c["received"].as_array().expect("log");
        let targets: Vec<(&str, &str)> = log
            .iter()
            .filter(|x| matches!(x["kind"].as_str(), Some("shippingUpdate" | "evaluation")))
            .map(|x| (x["kind"].as_str().unwrap_or(""), x["target"].as_str().unwrap_or("")))
            .collect();
        assert_eq!(targets.len(), 2, "{c}");
        assert!(targets.iter().all(|(_, t)| *t == tricky), "each call reached the tricky order itself: {targets:?}");
        let plain =
            mall.control(reqwest::Method::GET, &format!("/accounts/rakuma/{email}/orders/R-1"), Value::Null).await;
        assert!(plain["shipping"].is_null() && plain["evaluation"].is_null(), "the order R-1 was not touched: {plain}");
    });
}

// ───────────────────────── item 14: the Rakuten push endpoint ─────────────────────────

fn push_xml(shop_id: &str, key: &str, inquiry: &str) -> String {
    format!(
        "<notifyModel><authModel><contractId>{shop_id}</contractId><authKey>{key}</authKey></authModel><notifyInfoModel><serviceId>6000</serviceId><functionId>1100</functionId><value1 name=\"inquiryNumber\">{inquiry}</value1><value2 name=\"actionType\">2</value2></notifyInfoModel></notifyModel>"
    )
}

async fn push(app: &TestApp, xml: String) -> (u16, Option<String>, String) {
    let resp = app
        .http
        .post(format!("{}/hooks/rakuten", app.base))
        .header("content-type", "text/xml")
        .body(xml)
        .send()
        .await
        .expect("POST /hooks/rakuten");
    let status = resp.status().as_u16();
    let retry_after = resp.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
    (status, retry_after, resp.text().await.unwrap_or_default())
}

/// The push finds its shop among many tenants by the index of its shop id and key — also for a
/// shop saved before the index existed — and a wrong key or another tenant's shop id is refused.
#[tokio::test]
async fn a_push_finds_its_shop_by_the_key_index_and_a_wrong_key_is_refused() {
    each_backend!(|app| {
        let with_key = |key: &str, shop_id: &str| json!({ "serviceSecret": "s", "licenseKey": "l", "shopId": shop_id, "pushAuthKey": key });
        // Without the API option the push is acknowledged without calling the marketplace.
        let mut tokens = Vec::new();
        for (tenant, shop_id, key) in
            [("A商店", "111111", "key-a"), ("B商店", "222222", "key-b"), ("C商店", "333333", "key-c")]
        {
            let (token, _) = app.tenant(tenant, false).await;
            app.gql_ok(&token, CREATE_SHOP, json!({ "i": rakuten_input(tenant, None, with_key(key, shop_id)) })).await;
            tokens.push(token);
        }
        let (status, _, ok) = push(&app, push_xml("222222", "key-b", "222222-20261101-0001")).await;
        assert_eq!(status, 200);
        assert!(ok.contains("N-000-000"), "{ok}");
        for (shop_id, key) in [("222222", "key-a"), ("111111", "key-b"), ("222222", "key-b2"), ("222222", "")] {
            let (status, _, refused) = push(&app, push_xml(shop_id, key, "222222-20261101-0001")).await;
            assert_eq!(status, 200);
            assert!(refused.contains("E-400-101") || refused.contains("E-400-100"), "{shop_id}/{key}: {refused}");
        }

        // A shop saved before the index existed is found too (its index is computed once).
        {
            use sea_orm::ConnectionTrait;
            app.state.db.execute_unprepared("UPDATE shop SET push_index = NULL").await.expect("clear the index");
        }
        let (_, _, ok) = push(&app, push_xml("333333", "key-c", "333333-20261101-0001")).await;
        assert!(ok.contains("N-000-000"), "{ok}");
        {
            use sea_orm::EntityTrait;
            let shops = server::store::entities::shop::Entity::find().all(&app.state.db).await.expect("shops");
            assert!(
                shops.iter().all(|s| s.push_index.as_deref().is_some_and(|i| i.len() == 64)),
                "every Rakuten shop with a push key has its index again"
            );
        }
        // A new key replaces the old one.
        app.gql_ok(
            &tokens[0],
            "mutation($id: ID!, $i: ShopInput!) { updateShop(id: $id, input: $i) { id } }",
            json!({ "id": app.gql_ok(&tokens[0], "{ shops { id } }", json!({})).await["shops"][0]["id"], "i": rakuten_input("A商店", None, with_key("key-a2", "111111")) }),
        )
        .await;
        let (_, _, old) = push(&app, push_xml("111111", "key-a", "111111-20261101-0001")).await;
        assert!(old.contains("E-400-101"), "{old}");
        let (_, _, new) = push(&app, push_xml("111111", "key-a2", "111111-20261101-0001")).await;
        assert!(new.contains("N-000-000"), "{new}");
    });
}

/// Anyone on the internet can post to the push endpoint: one client gets 429 with
/// `Retry-After` once it sends faster than a marketplace would.
#[tokio::test]
async fn pushes_from_one_client_are_rate_limited_with_retry_after() {
    each_backend!(|app| {
        let mut limited = None;
        for i in 0..1000 {
            let (status, retry_after, _) =
                push(&app, push_xml("999999", "guess", &format!("999999-20261101-{i:04}"))).await;
            if status == 429 {
                limited = Some((i, retry_after));
                break;
            }
            assert_eq!(status, 200);
        }
        let (after, retry_after) = limited.expect("a flood of pushes is limited");
        assert!(after >= server::marketplaces::rakuten::push::PUSH_BURST as usize, "a burst passes first ({after})");
        let secs: u64 = retry_after.expect("Retry-After").parse().expect("seconds");
        assert!((1..=60).contains(&secs), "{secs}");
    });
}
