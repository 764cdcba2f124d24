//! The end-to-end harness: each test starts a real server on a free port with a fresh database,
//! and talks to it over HTTP and WebSocket, once per storage backend.
//!
//! Backends: SQLite always. PostgreSQL when `MADOGUCHI_TEST_POSTGRES` names an admin URL, or
//! when the default `postgres://postgres@127.0.0.1:5432/test` answers; `MADOGUCHI_TEST_POSTGRES=off`
//! turns it off; `MADOGUCHI_TEST_POSTGRES_REQUIRED=1` (CI) makes its absence a failure. Each
//! PostgreSQL test gets its own throwaway database.

pub mod own_postgres;

use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use server::auth::Actor;
use server::state::AppState;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

pub const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres(String),
}

impl Backend {
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }
}

static POSTGRES: OnceLock<Option<String>> = OnceLock::new();

fn say(line: &str) {
    // Straight to the terminal: the test runner captures print!, and this must be seen.
    let _ = writeln!(std::io::stderr(), "{line}");
}

async fn probe_postgres() -> Option<String> {
    let setting = std::env::var("MADOGUCHI_TEST_POSTGRES").unwrap_or_default();
    let required = std::env::var("MADOGUCHI_TEST_POSTGRES_REQUIRED").is_ok_and(|v| v == "1");
    if setting == "off" {
        assert!(!required, "MADOGUCHI_TEST_POSTGRES=off but PostgreSQL is required");
        return None;
    }
    let url = if setting.is_empty() { DEFAULT_POSTGRES.to_owned() } else { setting };
    let ok = match tokio::time::timeout(Duration::from_secs(5), Database::connect(url.as_str())).await {
        Ok(Ok(db)) => db.execute_unprepared("SELECT 1").await.is_ok(),
        _ => false,
    };
    if ok {
        Some(url)
    } else {
        assert!(!required, "PostgreSQL is required (MADOGUCHI_TEST_POSTGRES_REQUIRED=1) but {url} does not answer");
        say(&format!(
            "NOTE: PostgreSQL does not answer at {url}: storage tests run on SQLite only (set MADOGUCHI_TEST_POSTGRES to an admin URL to run them on PostgreSQL too)."
        ));
        None
    }
}

/// The backends every storage test runs on.
pub async fn backends() -> Vec<Backend> {
    if POSTGRES.get().is_none() {
        let found = probe_postgres().await;
        let _ = POSTGRES.set(found);
    }
    let mut all = vec![Backend::Sqlite];
    if let Some(Some(url)) = POSTGRES.get() {
        all.push(Backend::Postgres(url.clone()));
    }
    all
}

fn unique(prefix: &str) -> String {
    format!("{prefix}_{}_{:x}", std::process::id(), rand::random::<u64>())
}

/// A running server with a fresh database.
pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub state: AppState,
    pub backend: Backend,
    pub http: reqwest::Client,
    /// The demo's marketplaces (the simulator in the server's process), when started with the demo.
    pub demo: Option<server::demo::Mall>,
    leftovers: Leftovers,
    database_url: String,
}

/// What a test server leaves behind: its data folder and, on PostgreSQL, its throwaway
/// database. [`TestApp::finish`] removes them; when a test fails before it gets there, the
/// unwinding drops the `TestApp` and this removes them all the same.
struct Leftovers {
    data_dir: std::path::PathBuf,
    pg_drop: Option<(String, String)>,
}

impl Leftovers {
    async fn remove(&mut self) {
        if let Some((admin, name)) = self.pg_drop.take()
            && let Ok(db) = Database::connect(admin.as_str()).await
        {
            let _ = db.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await;
            let _ = db.close().await;
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

impl Drop for Leftovers {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data_dir);
        if let Some(pg) = self.pg_drop.take() {
            // Dropped inside the test's runtime (which may be unwinding): drop the database from
            // a runtime of its own on another thread. Never panics.
            let mut rest = Leftovers { data_dir: self.data_dir.clone(), pg_drop: Some(pg) };
            let _ = std::thread::spawn(move || {
                if let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
                    rt.block_on(rest.remove());
                }
            })
            .join();
        }
    }
}

/// An HTTP client that keeps the session cookie and, like a browser on the staff app's page,
/// names this server as the `Origin` of what it sends.
pub fn browser_like_client(base: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::ORIGIN, reqwest::header::HeaderValue::from_str(base).expect("origin"));
    reqwest::Client::builder().cookie_store(true).default_headers(headers).build().expect("client")
}

pub async fn spawn_app(backend: &Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// Like [`spawn_app`], with the server configuration adjusted (demo data, the built SPA, …).
pub async fn spawn_app_with(backend: &Backend, configure: impl FnOnce(&mut server::ServerConfig)) -> TestApp {
    spawn(backend, configure, false).await
}

/// The demo exactly as `madoguchi serve --demo` starts it: the demo tenant, the simulator in the
/// process with the demo's data imported through the connectors, and the demo's activity (new
/// orders and customer messages, imports every few seconds).
pub async fn spawn_demo(backend: &Backend) -> TestApp {
    spawn_demo_with(backend, |_| {}).await
}

/// Like [`spawn_demo`], with the server configuration adjusted (the built SPA, …).
pub async fn spawn_demo_with(backend: &Backend, configure: impl FnOnce(&mut server::ServerConfig)) -> TestApp {
    spawn(
        backend,
        |c| {
            c.demo = true;
            configure(c);
        },
        true,
    )
    .await
}

async fn spawn(backend: &Backend, configure: impl FnOnce(&mut server::ServerConfig), demo_activity: bool) -> TestApp {
    let data_dir = std::env::temp_dir().join(unique("madoguchi_test"));
    std::fs::create_dir_all(&data_dir).expect("temp dir");
    let (database_url, pg_drop) = match backend {
        Backend::Sqlite => (format!("sqlite://{}?mode=rwc", data_dir.join("test.sqlite").display()), None),
        Backend::Postgres(admin) => {
            let name = unique("mdg");
            let db = Database::connect(admin.as_str()).await.expect("postgres admin connection");
            db.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.expect("create test database");
            let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap_or_else(|| admin.clone());
            (format!("{base}/{name}"), Some((admin.clone(), name)))
        }
    };
    let mut config = server::ServerConfig {
        database_url: database_url.clone(),
        data_dir: data_dir.clone(),
        spa_dir: None,
        demo: false,
        secret_key: Some("test-secret-key".into()),
        bootstrap_token: None,
        policy: server::state::Policy { allow_private_urls: true, public_url: None },
        ..Default::default()
    };
    configure(&mut config);
    let app = server::start(config).await.expect("server starts");
    if demo_activity {
        server::start_demo_activity(&app).expect("the demo's simulator runs");
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = app.router.clone();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await;
    });
    let base = format!("http://{addr}");
    TestApp {
        addr,
        base: base.clone(),
        state: app.state,
        backend: backend.clone(),
        http: browser_like_client(&base),
        demo: app.demo.clone(),
        leftovers: Leftovers { data_dir, pg_drop },
        database_url,
    }
}

impl TestApp {
    /// A second server process on this one's database (its own port, pool and event bus), as
    /// when several stateless processes serve one PostgreSQL.
    pub async fn another_process(&self) -> TestApp {
        self.process_on(&self.database_url.clone()).await
    }

    /// A server process on another database (a restored backup, …); that database is not
    /// dropped by [`TestApp::finish`].
    pub async fn process_on(&self, database_url: &str) -> TestApp {
        self.process_with(database_url, false).await
    }

    /// `serve --demo` started again on this server's database (as after a restart): a new
    /// simulator, the data already there.
    pub async fn demo_again(&self) -> TestApp {
        self.process_with(&self.database_url.clone(), true).await
    }

    async fn process_with(&self, database_url: &str, demo: bool) -> TestApp {
        let data_dir = std::env::temp_dir().join(unique("madoguchi_test"));
        let app = server::start(server::ServerConfig {
            database_url: database_url.to_owned(),
            data_dir: data_dir.clone(),
            spa_dir: None,
            demo,
            secret_key: Some("test-secret-key".into()),
            bootstrap_token: None,
            policy: server::state::Policy { allow_private_urls: true, public_url: None },
            ..Default::default()
        })
        .await
        .expect("second server starts");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let router = app.router.clone();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await;
        });
        let base = format!("http://{addr}");
        TestApp {
            addr,
            base: base.clone(),
            state: app.state,
            backend: self.backend.clone(),
            http: browser_like_client(&base),
            demo: app.demo.clone(),
            leftovers: Leftovers { data_dir, pg_drop: None },
            database_url: database_url.to_owned(),
        }
    }

    /// The folder this server keeps its files in.
    pub fn data_dir(&self) -> &std::path::Path {
        &self.leftovers.data_dir
    }

    /// The database this server runs on.
    pub fn database_url(&self) -> &str {
        &self.database_url
    }

    /// Closes the pool, drops a PostgreSQL test database and removes the data folder.
    pub async fn finish(mut self) {
        let _ = self.state.db.clone().close().await;
        self.leftovers.remove().await;
    }

    /// POSTs a GraphQL request with a bearer token (or the client's cookie when `token` is None);
    /// returns the whole response body.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut req =
            self.http.post(format!("{}/graphql", self.base)).json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("POST /graphql");
        resp.json().await.expect("JSON body")
    }

    /// Like [`gql`](Self::gql), asserting there is no error; returns `data`.
    pub async fn gql_ok(&self, token: &str, query: &str, variables: Value) -> Value {
        let body = self.gql(Some(token), query, variables).await;
        assert!(
            body.get("errors").is_none_or(|e| e.as_array().is_some_and(|a| a.is_empty())),
            "unexpected errors: {body:#}"
        );
        body["data"].clone()
    }

    /// A GraphQL multipart request (the upload spec): one file, placed at `file_path` in the
    /// variables (e.g. `variables.i.file`); returns the whole response body.
    pub async fn gql_upload(
        &self,
        token: &str,
        query: &str,
        variables: Value,
        file_path: &str,
        (name, content_type, bytes): (&str, &str, &[u8]),
    ) -> Value {
        let boundary = "----MadoguchiTestBoundary7MA4YWxk";
        let operations = json!({ "query": query, "variables": variables });
        let mut body = Vec::new();
        for (field, value) in [("operations", operations.to_string()), ("map", json!({ "0": [file_path] }).to_string())]
        {
            body.extend(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"{name}\"\r\nContent-Type: {content_type}\r\n\r\n")
                .as_bytes(),
        );
        body.extend(bytes);
        body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
        let resp = self
            .http
            .post(format!("{}/graphql", self.base))
            .bearer_auth(token)
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .body(body)
            .send()
            .await
            .expect("POST /graphql (multipart)");
        resp.json().await.expect("JSON body")
    }

    /// A new tenant with an admin API token; returns (token, actor for seeding).
    pub async fn tenant(&self, name: &str, api_option: bool) -> (String, Actor) {
        let actor = server::provision::create_tenant(&self.state.db, name, api_option).await.expect("tenant");
        let (token, _) = server::auth::create_api_token(
            &self.state.db,
            &actor,
            "test",
            &["read".into(), "write".into(), "admin".into()],
        )
        .await
        .expect("token");
        (token, actor)
    }

    /// Opens a graphql-transport-ws connection authenticated with `token` and subscribes.
    pub async fn subscribe(&self, token: &str, query: &str, variables: Value) -> Subscription {
        let mut req = format!("ws://{}/graphql", self.addr).into_client_request().expect("ws request");
        req.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().expect("header"));
        let (mut ws, _) = tokio_tungstenite::connect_async(req).await.expect("ws connect");
        let init = json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } });
        ws.send(WsMessage::Text(init.to_string().into())).await.expect("init");
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(5), ws.next())
                .await
                .expect("ack in time")
                .expect("open")
                .expect("frame");
            if let WsMessage::Text(t) = msg {
                let v: Value = serde_json::from_str(&t).expect("json");
                assert_eq!(v["type"], "connection_ack", "expected ack, got {v}");
                break;
            }
        }
        let sub = json!({ "id": "1", "type": "subscribe", "payload": { "query": query, "variables": variables } });
        ws.send(WsMessage::Text(sub.to_string().into())).await.expect("subscribe");
        // graphql-transport-ws does not acknowledge a subscribe: give the server a moment to
        // put the subscription on the bus before the test makes the change it waits for.
        tokio::time::sleep(Duration::from_millis(500)).await;
        Subscription { ws }
    }
}

pub struct Subscription {
    ws: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
}

impl Subscription {
    /// Whether the server ends this subscription (`complete`, `error` or a closed socket)
    /// within `wait`, data arriving meanwhile being skipped.
    pub async fn ended_within(&mut self, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match tokio::time::timeout(left, self.ws.next()).await {
                Err(_) => return false,
                Ok(None) | Ok(Some(Err(_))) => return true,
                Ok(Some(Ok(WsMessage::Close(_)))) => return true,
                Ok(Some(Ok(WsMessage::Text(t)))) => {
                    let v: Value = serde_json::from_str(&t).unwrap_or(Value::Null);
                    if matches!(v["type"].as_str(), Some("complete" | "error")) {
                        return true;
                    }
                }
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    /// The next `next` payload within `wait`, or None.
    pub async fn next_within(&mut self, wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let msg = tokio::time::timeout(left, self.ws.next()).await.ok()??.ok()?;
            match msg {
                WsMessage::Text(t) => {
                    let v: Value = serde_json::from_str(&t).ok()?;
                    match v["type"].as_str() {
                        Some("next") => return Some(v["payload"].clone()),
                        Some("ping") => {
                            let _ = self.ws.send(WsMessage::Text(json!({"type":"pong"}).to_string().into())).await;
                        }
                        Some("error") | Some("complete") => panic!("subscription ended: {v}"),
                        _ => {}
                    }
                }
                WsMessage::Ping(p) => {
                    let _ = self.ws.send(WsMessage::Pong(p)).await;
                }
                WsMessage::Close(_) => return None,
                _ => {}
            }
        }
    }
}

/// Runs a test body once per backend, each on its own fresh server.
#[macro_export]
macro_rules! each_backend {
    (|$app:ident| $body:block) => {
        for backend in $crate::backends().await {
            let $app = $crate::spawn_app(&backend).await;
            $body
            $app.finish().await;
        }
    };
}

/// The `extensions.code` of the first error.
pub fn error_code(body: &Value) -> Option<String> {
    body["errors"][0]["extensions"]["code"].as_str().map(str::to_owned)
}
