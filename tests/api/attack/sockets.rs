//! Attack suite: sockets.
//!
//! A graphql-transport-ws socket keeps no access of its own: the caller is resolved for every
//! operation, and when their access ends or changes (token revoked, member disabled, signed out,
//! demoted, given a new password) their sockets close with 4403 on every server process and run
//! nothing more. Nothing runs before an accepted `connection_init`, which must come within 10 s.
//! A socket runs at most 100 operations at once, a tenant keeps at most so many sockets open,
//! a busy tenant does not push other tenants' events out, and an access change is never lost.

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use madoguchi_tests::{TestApp, each_backend, error_code};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use server::events::{Event, EventKind, TENANT_RING};
use server::graphql::socket::{MAX_OPERATIONS, MAX_SOCKETS_PER_TENANT, TOO_MANY_SUBSCRIPTIONS};
use shared::{Marketplace, MessageAuthor::*};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::seed::{self, Thread};

const FORBIDDEN: u16 = 4403;
const COUNTS: &str = "subscription { inboxCountsChanged { needsReply } }";
const VIEWER: &str = "{ viewer { name role } }";
const CREATE_TOKEN: &str = "mutation { createApiToken(name: \"after\", scopes: [\"admin\"]) { token } }";
const REPLY: &str = "mutation($id: ID!) { replyToInquiry(input: {inquiryId: $id, body: \"後からの返信\"}) { id } }";

/// What came from the server.
#[derive(Debug)]
enum Got {
    Text(Value),
    /// The socket closed, with the close code (0: dropped without a close frame).
    Closed(u16),
    Timeout,
}

/// A raw graphql-transport-ws client, so that every frame (and every close code) is seen.
struct Ws {
    ws: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    /// The close code once the server's close frame was read (a later read sees it again,
    /// even when the frame was read while waiting for something else).
    close_code: Option<u16>,
}

impl Ws {
    /// Opens a socket (not initialised), with the session cookie of a page of this server when given.
    async fn open_on(app: &TestApp, cookie: Option<&str>) -> Ws {
        let mut req = format!("ws://{}/graphql", app.addr).into_client_request().expect("ws request");
        let h = req.headers_mut();
        h.insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().expect("header"));
        if let Some(c) = cookie {
            h.insert("Cookie", format!("{}={c}", server::auth::SESSION_COOKIE).parse().expect("header"));
            h.insert("Origin", app.base.parse().expect("header"));
        }
        let (ws, _) = tokio_tungstenite::connect_async(req).await.expect("ws connect");
        Ws { ws, close_code: None }
    }

    async fn send_json(&mut self, v: Value) -> bool {
        self.ws.send(Message::Text(v.to_string().into())).await.is_ok()
    }

    async fn init(&mut self, payload: Value) -> bool {
        self.send_json(json!({ "type": "connection_init", "payload": payload })).await
    }

    async fn op(&mut self, id: &str, query: &str, variables: Value) -> bool {
        self.send_json(json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": variables } }))
            .await
    }

    async fn recv(&mut self, wait: Duration) -> Got {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match tokio::time::timeout(left, self.ws.next()).await {
                Err(_) => return Got::Timeout,
                Ok(None) | Ok(Some(Err(_))) => return Got::Closed(self.close_code.unwrap_or(0)),
                Ok(Some(Ok(Message::Close(frame)))) => {
                    let code = frame.map_or(0, |f| u16::from(f.code));
                    self.close_code = Some(code);
                    return Got::Closed(code);
                }
                Ok(Some(Ok(Message::Text(t)))) => {
                    let v: Value = serde_json::from_str(&t).expect("json frame");
                    if v["type"] == "ping" {
                        let _ = self.send_json(json!({ "type": "pong" })).await;
                        continue;
                    }
                    return Got::Text(v);
                }
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    /// Expects `connection_ack`.
    async fn acked(&mut self) {
        match self.recv(Duration::from_secs(5)).await {
            Got::Text(v) if v["type"] == "connection_ack" => {}
            other => panic!("expected connection_ack, got {other:?}"),
        }
    }

    async fn with_token(app: &TestApp, token: &str) -> Ws {
        let mut ws = Ws::open_on(app, None).await;
        ws.init(json!({ "authorization": format!("Bearer {token}") })).await;
        ws.acked().await;
        ws
    }

    async fn with_cookie(app: &TestApp, cookie: &str) -> Ws {
        let mut ws = Ws::open_on(app, Some(cookie)).await;
        ws.init(json!({})).await;
        ws.acked().await;
        ws
    }

    /// The close code when the server closes the socket within `wait` (frames meanwhile skipped).
    async fn closed_within(&mut self, wait: Duration) -> Option<u16> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match self.recv(deadline.saturating_duration_since(tokio::time::Instant::now())).await {
                Got::Closed(code) => return Some(code),
                Got::Timeout => return None,
                Got::Text(_) => {}
            }
        }
    }

    /// The first `next` (or `error`) of operation `id` within `wait`.
    async fn result_of(&mut self, id: &str, wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match self.recv(deadline.saturating_duration_since(tokio::time::Instant::now())).await {
                Got::Text(v) if v["id"] == id && matches!(v["type"].as_str(), Some("next" | "error")) => {
                    return Some(v);
                }
                Got::Text(_) => {}
                Got::Closed(_) | Got::Timeout => return None,
            }
        }
    }

    /// A query over the socket, expecting data.
    async fn query_ok(&mut self, id: &str, query: &str, variables: Value) -> Value {
        assert!(self.op(id, query, variables).await, "sent");
        let v = self.result_of(id, Duration::from_secs(5)).await.expect("an answer over the socket");
        assert!(v["payload"]["errors"].is_null(), "unexpected errors: {v}");
        v["payload"]["data"].clone()
    }

    /// Sends a mutation and a query, and asserts that no data comes back, whether the socket
    /// is already closed or not.
    async fn runs_nothing(&mut self, mutation: &str, variables: Value) {
        let _ = self.op("after-m", mutation, variables).await;
        let _ = self.op("after-q", VIEWER, json!({})).await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
        loop {
            match self.recv(deadline.saturating_duration_since(tokio::time::Instant::now())).await {
                Got::Text(v) if v["type"] == "next" => {
                    assert!(v["payload"]["data"].is_null(), "no data after the access ended: {v}");
                }
                Got::Text(_) => {}
                Got::Closed(_) | Got::Timeout => return,
            }
        }
    }
}

/// Signs in with `POST /auth/login`; returns the session cookie's value.
async fn sign_in(app: &TestApp, email: &str, password: &str) -> String {
    let resp = reqwest::Client::new()
        .post(format!("{}/auth/login", app.base))
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .expect("POST /auth/login");
    assert_eq!(resp.status().as_u16(), 200, "{email} signs in");
    let prefix = format!("{}=", server::auth::SESSION_COOKIE);
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.split(';').next()?.strip_prefix(prefix.as_str()).map(str::to_owned))
        .expect("session cookie")
}

/// A staff member made by the tenant's admin token; returns their id.
async fn member(app: &TestApp, admin: &str, email: &str, role: &str) -> String {
    let made = app
        .gql_ok(
            admin,
            "mutation($i: StaffInput!) { createStaff(input: $i) { id } }",
            json!({ "i": { "email": email, "name": "窓口 一郎", "role": role, "password": "correct horse 1" } }),
        )
        .await;
    made["createStaff"]["id"].as_str().expect("id").to_owned()
}

async fn update_member(app: &TestApp, admin: &str, id: &str, email: &str, role: &str, password: Option<&str>) {
    app.gql_ok(
        admin,
        "mutation($id: ID!, $i: StaffInput!) { updateStaff(id: $id, input: $i) { id } }",
        json!({ "id": id, "i": { "email": email, "name": "窓口 一郎", "role": role, "password": password } }),
    )
    .await;
}

async fn one_inquiry(app: &TestApp, admin: &str, actor: &server::auth::Actor) -> String {
    let shop = seed::shop(app, admin, Marketplace::Rakuten, "楽天店").await;
    seed::inquiry(
        app,
        actor,
        &shop,
        Thread {
            mid: "s1",
            order_number: None,
            customer: "楽天 太郎",
            created_minutes: 0,
            messages: vec![(Customer, "届きません")],
            completed: false,
        },
    )
    .await
}

async fn bodies(app: &TestApp, admin: &str, inquiry: &str) -> Vec<String> {
    let d =
        app.gql_ok(admin, "query($id: ID!) { inquiry(id: $id) { messages { body } } }", json!({ "id": inquiry })).await;
    d["inquiry"]["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["body"].as_str().unwrap_or("").to_owned())
        .collect()
}

async fn token_names(app: &TestApp, admin: &str) -> Vec<String> {
    let d = app.gql_ok(admin, "{ apiTokens { name } }", json!({})).await;
    d["apiTokens"].as_array().expect("tokens").iter().map(|t| t["name"].as_str().unwrap_or("").to_owned()).collect()
}

/// An admin token made over HTTP: (secret, id).
async fn admin_token(app: &TestApp, admin: &str, name: &str) -> (String, String) {
    let d = app
        .gql_ok(
            admin,
            "mutation($n: String!) { createApiToken(name: $n, scopes: [\"read\", \"write\", \"admin\"]) { token apiToken { id } } }",
            json!({ "n": name }),
        )
        .await;
    (
        d["createApiToken"]["token"].as_str().expect("token").to_owned(),
        d["createApiToken"]["apiToken"]["id"].as_str().expect("id").to_owned(),
    )
}

/// The 24 levels of doubling fragment spreads (2^24 fields once expanded).
fn fragment_bomb(levels: usize) -> String {
    let mut q = String::from("query { ...F0 }\n");
    for i in 0..levels {
        q.push_str(&format!("fragment F{i} on QueryRoot {{ ...F{n} ...F{n} }}\n", n = i + 1));
    }
    q.push_str(&format!("fragment F{levels} on QueryRoot {{ viewer {{ name }} }}\n"));
    q
}

async fn healthz_within_100ms(app: &TestApp) {
    let t = Instant::now();
    let resp = reqwest::get(format!("{}/healthz", app.base)).await.expect("healthz");
    assert_eq!(resp.status().as_u16(), 200);
    assert!(t.elapsed() < Duration::from_millis(100), "/healthz took {:?}", t.elapsed());
}

#[tokio::test]
async fn a_revoked_tokens_open_socket_is_closed_4403_and_runs_nothing_more() {
    each_backend!(|app| {
        let (admin, _) = app.tenant("A商店", true).await;
        let (victim, victim_id) = admin_token(&app, &admin, "integration").await;
        let mut ws = Ws::with_token(&app, &victim).await;
        assert!(ws.op("live", COUNTS, json!({})).await);
        assert_eq!(ws.query_ok("before", VIEWER, json!({})).await["viewer"]["name"], "integration");

        app.gql_ok(&admin, "mutation($id: ID!) { revokeApiToken(id: $id) }", json!({ "id": victim_id })).await;

        assert_eq!(ws.closed_within(Duration::from_secs(2)).await, Some(FORBIDDEN));
        ws.runs_nothing(CREATE_TOKEN, json!({})).await;
        assert!(!token_names(&app, &admin).await.contains(&"after".to_owned()), "no token was made after revocation");
    });
}

#[tokio::test]
async fn a_disabled_members_open_socket_is_closed_4403_and_cannot_reply() {
    each_backend!(|app| {
        let (admin, actor) = app.tenant("A商店", true).await;
        let inquiry = one_inquiry(&app, &admin, &actor).await;
        let id = member(&app, &admin, "ichiro@example.jp", "STAFF").await;
        let cookie = sign_in(&app, "ichiro@example.jp", "correct horse 1").await;
        let mut ws = Ws::with_cookie(&app, &cookie).await;
        assert!(ws.op("live", COUNTS, json!({})).await);
        assert_eq!(ws.query_ok("before", VIEWER, json!({})).await["viewer"]["role"], "STAFF");

        app.gql_ok(&admin, "mutation($id: ID!) { disableStaff(id: $id) { id } }", json!({ "id": id })).await;

        assert_eq!(ws.closed_within(Duration::from_secs(2)).await, Some(FORBIDDEN));
        ws.runs_nothing(REPLY, json!({ "id": inquiry })).await;
        assert_eq!(bodies(&app, &admin, &inquiry).await, ["届きません"], "no reply by the disabled member");
    });
}

#[tokio::test]
async fn signing_out_closes_the_sockets_of_that_session_and_no_other() {
    each_backend!(|app| {
        let (admin, _) = app.tenant("A商店", true).await;
        member(&app, &admin, "ichiro@example.jp", "STAFF").await;
        let office = sign_in(&app, "ichiro@example.jp", "correct horse 1").await;
        let home = sign_in(&app, "ichiro@example.jp", "correct horse 1").await;
        let mut signed_out = Ws::with_cookie(&app, &office).await;
        let mut other = Ws::with_cookie(&app, &home).await;

        let resp = reqwest::Client::new()
            .post(format!("{}/auth/logout", app.base))
            .header("Cookie", format!("{}={office}", server::auth::SESSION_COOKIE))
            .header("Origin", app.base.as_str())
            .send()
            .await
            .expect("POST /auth/logout");
        assert!(resp.status().is_success(), "{}", resp.status());

        assert_eq!(signed_out.closed_within(Duration::from_secs(2)).await, Some(FORBIDDEN));
        signed_out.runs_nothing(CREATE_TOKEN, json!({})).await;
        assert_eq!(other.closed_within(Duration::from_millis(300)).await, None, "the other session's socket stays");
        assert_eq!(other.query_ok("q", VIEWER, json!({})).await["viewer"]["role"], "STAFF");
    });
}

#[tokio::test]
async fn an_admin_demoted_to_viewer_is_closed_4403_and_then_has_only_a_viewers_rights() {
    each_backend!(|app| {
        let (admin, _) = app.tenant("A商店", true).await;
        // Another admin stays, as the tenant must keep one.
        member(&app, &admin, "shacho@example.jp", "ADMIN").await;
        let id = member(&app, &admin, "kanri@example.jp", "ADMIN").await;
        let cookie = sign_in(&app, "kanri@example.jp", "correct horse 1").await;
        let mut ws = Ws::with_cookie(&app, &cookie).await;
        let made = ws.query_ok("before", CREATE_TOKEN, json!({})).await;
        assert!(made["createApiToken"]["token"].is_string(), "an admin may make tokens over the socket");

        update_member(&app, &admin, &id, "kanri@example.jp", "VIEWER", None).await;

        assert_eq!(ws.closed_within(Duration::from_secs(2)).await, Some(FORBIDDEN));
        ws.runs_nothing(CREATE_TOKEN, json!({})).await;
        assert_eq!(
            token_names(&app, &admin).await.iter().filter(|n| *n == "after").count(),
            1,
            "only the one made before"
        );

        // Connected again, the socket has the viewer's rights, as over HTTP.
        let mut again = Ws::with_cookie(&app, &cookie).await;
        assert_eq!(again.query_ok("q", VIEWER, json!({})).await["viewer"]["role"], "VIEWER");
        assert!(again.op("m", CREATE_TOKEN, json!({})).await);
        let refused = again.result_of("m", Duration::from_secs(5)).await.expect("an answer");
        assert_eq!(error_code(&refused["payload"]).as_deref(), Some("FORBIDDEN"), "{refused}");
        assert!(refused["payload"]["data"].is_null());
    });
}

#[tokio::test]
async fn a_new_password_closes_the_members_sockets() {
    each_backend!(|app| {
        let (admin, actor) = app.tenant("A商店", true).await;
        let inquiry = one_inquiry(&app, &admin, &actor).await;
        let id = member(&app, &admin, "ichiro@example.jp", "STAFF").await;
        let cookie = sign_in(&app, "ichiro@example.jp", "correct horse 1").await;
        let mut ws = Ws::with_cookie(&app, &cookie).await;
        assert!(ws.op("live", COUNTS, json!({})).await);

        update_member(&app, &admin, &id, "ichiro@example.jp", "STAFF", Some("a brand new secret")).await;

        assert_eq!(ws.closed_within(Duration::from_secs(2)).await, Some(FORBIDDEN));
        ws.runs_nothing(REPLY, json!({ "id": inquiry })).await;
        assert_eq!(bodies(&app, &admin, &inquiry).await, ["届きません"]);
    });
}

#[tokio::test]
async fn a_read_token_cannot_write_over_a_socket_either() {
    each_backend!(|app| {
        let (admin, actor) = app.tenant("A商店", true).await;
        let inquiry = one_inquiry(&app, &admin, &actor).await;
        let d = app
            .gql_ok(&admin, "mutation { createApiToken(name: \"reader\", scopes: [\"read\"]) { token } }", json!({}))
            .await;
        let reader = d["createApiToken"]["token"].as_str().expect("token").to_owned();
        let mut ws = Ws::with_token(&app, &reader).await;
        assert!(ws.op("m", REPLY, json!({ "id": inquiry })).await);
        let refused = ws.result_of("m", Duration::from_secs(5)).await.expect("an answer");
        assert_eq!(error_code(&refused["payload"]).as_deref(), Some("FORBIDDEN"), "{refused}");
        assert_eq!(bodies(&app, &admin, &inquiry).await, ["届きません"]);
    });
}

#[tokio::test]
async fn a_revocation_on_one_process_reaches_the_sockets_of_another() {
    each_backend!(|app| {
        let second = app.another_process().await;
        let (admin, actor) = app.tenant("A商店", true).await;
        let (victim, victim_id) = admin_token(&app, &admin, "integration").await;
        let mut ws = Ws::with_token(&second, &victim).await;
        let postgres = matches!(app.backend, madoguchi_tests::Backend::Postgres(_));
        if postgres {
            // The second process hears the first (its LISTEN is up) before the test goes on.
            assert!(ws.op("live", COUNTS, json!({})).await);
            let tenant = actor.scope.tenant_id();
            let mut heard = false;
            for _ in 0..50 {
                app.state.events.publish(Event {
                    tenant_id: tenant,
                    shop_id: None,
                    kind: EventKind::InboxCountsChanged,
                    sequence: None,
                });
                if ws.result_of("live", Duration::from_millis(200)).await.is_some() {
                    heard = true;
                    break;
                }
            }
            assert!(heard, "the second process hears the first");
        }

        app.gql_ok(&admin, "mutation($id: ID!) { revokeApiToken(id: $id) }", json!({ "id": victim_id })).await;

        if postgres {
            // The event bus is shared through PostgreSQL: the socket closes on the other process too.
            assert_eq!(ws.closed_within(Duration::from_secs(3)).await, Some(FORBIDDEN));
        } else {
            // SQLite has one process by design and no shared bus: the other process's socket
            // has not heard, yet each operation resolves its caller again and gets nothing.
            assert!(ws.op("m", CREATE_TOKEN, json!({})).await);
            // Either answered UNAUTHENTICATED and then closed, or closed (its periodic check)
            // before the answer: the operation gets nothing either way (checked below).
            if let Some(refused) = ws.result_of("m", Duration::from_secs(15)).await {
                assert_eq!(error_code(&refused["payload"]).as_deref(), Some("UNAUTHENTICATED"), "{refused}");
                assert!(refused["payload"]["data"].is_null());
            }
            assert_eq!(ws.closed_within(Duration::from_secs(5)).await, Some(FORBIDDEN), "and the socket closes");
        }
        assert!(!token_names(&app, &admin).await.contains(&"after".to_owned()));
        second.finish().await;
    });
}

#[tokio::test]
async fn nothing_runs_before_an_accepted_connection_init() {
    each_backend!(|app| {
        let (admin, _) = app.tenant("A商店", true).await;
        let bomb = fragment_bomb(24);

        // An operation before any init: closed 4401 at once, nothing executed.
        let started = Instant::now();
        let mut ws = Ws::open_on(&app, None).await;
        assert!(ws.op("1", &bomb, json!({})).await);
        assert_eq!(ws.closed_within(Duration::from_secs(1)).await, Some(4401));
        assert!(started.elapsed() < Duration::from_secs(1), "refused in {:?}", started.elapsed());
        healthz_within_100ms(&app).await;

        // An init without credentials, or with a wrong or revoked token: closed 4403, no ack,
        // and what was sent right behind it is never run.
        let (revoked, revoked_id) = admin_token(&app, &admin, "old").await;
        app.gql_ok(&admin, "mutation($id: ID!) { revokeApiToken(id: $id) }", json!({ "id": revoked_id })).await;
        for payload in [
            json!({}),
            json!({ "authorization": "Bearer mdg_wrong" }),
            json!({ "authorization": format!("Bearer {revoked}") }),
        ] {
            let mut ws = Ws::open_on(&app, None).await;
            assert!(ws.init(payload.clone()).await);
            let _ = ws.op("1", &bomb, json!({})).await;
            let _ = ws.op("2", CREATE_TOKEN, json!({})).await;
            match ws.recv(Duration::from_secs(2)).await {
                Got::Closed(code) => assert_eq!(code, FORBIDDEN, "{payload}"),
                other => panic!("{payload}: expected a close, got {other:?}"),
            }
            healthz_within_100ms(&app).await;
        }
        assert!(!token_names(&app, &admin).await.contains(&"after".to_owned()));

        // A cookie of another site is not taken either (cross-site WebSocket hijacking).
        member(&app, &admin, "ichiro@example.jp", "STAFF").await;
        let cookie = sign_in(&app, "ichiro@example.jp", "correct horse 1").await;
        let mut req = format!("ws://{}/graphql", app.addr).into_client_request().expect("ws request");
        let h = req.headers_mut();
        h.insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().unwrap());
        h.insert("Cookie", format!("{}={cookie}", server::auth::SESSION_COOKIE).parse().unwrap());
        h.insert("Origin", "https://evil.example".parse().unwrap());
        let (raw, _) = tokio_tungstenite::connect_async(req).await.expect("ws connect");
        let mut ws = Ws { ws: raw, close_code: None };
        assert!(ws.init(json!({})).await);
        assert_eq!(ws.closed_within(Duration::from_secs(2)).await, Some(FORBIDDEN));
    });
}

#[tokio::test]
async fn a_socket_that_never_sends_connection_init_is_closed_within_10_seconds() {
    each_backend!(|app| {
        let started = Instant::now();
        let mut ws = Ws::open_on(&app, None).await;
        assert_eq!(ws.closed_within(Duration::from_secs(10)).await, Some(4408));
        assert!(started.elapsed() < Duration::from_secs(10), "closed after {:?}", started.elapsed());
    });
}

#[tokio::test]
async fn the_101st_operation_on_one_socket_is_refused_and_the_others_keep_working() {
    each_backend!(|app| {
        let (admin, actor) = app.tenant("A商店", true).await;
        let inquiry = one_inquiry(&app, &admin, &actor).await;
        let mut ws = Ws::with_token(&app, &admin).await;
        for i in 0..MAX_OPERATIONS {
            assert!(ws.op(&format!("s{i}"), COUNTS, json!({})).await);
        }
        assert!(ws.op("over", COUNTS, json!({})).await);
        let refused = ws.result_of("over", Duration::from_secs(5)).await.expect("an answer to the 101st");
        assert_eq!(error_code(&refused["payload"]).as_deref(), Some(TOO_MANY_SUBSCRIPTIONS), "{refused}");

        // The hundred still hear (a reply changes the counts).
        app.gql_ok(&admin, REPLY, json!({ "id": inquiry })).await;
        let mut heard = std::collections::HashSet::new();
        // Generous: a hundred subscribers each read the counts again, on a machine that may be
        // running the rest of the suite.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while heard.len() < MAX_OPERATIONS {
            match ws.recv(deadline.saturating_duration_since(tokio::time::Instant::now())).await {
                Got::Text(v) if v["type"] == "next" => {
                    assert_eq!(v["payload"]["data"]["inboxCountsChanged"]["needsReply"], 0, "{v}");
                    heard.insert(v["id"].as_str().unwrap_or("").to_owned());
                }
                Got::Text(_) => {}
                other => panic!("the socket must stay open: {other:?} after {} heard", heard.len()),
            }
        }
        // One ends: there is room for another.
        assert!(ws.send_json(json!({ "id": "s0", "type": "complete" })).await);
        assert_eq!(ws.query_ok("q", VIEWER, json!({})).await["viewer"]["name"], "test");
    });
}

#[tokio::test]
async fn a_tenant_keeps_only_so_many_sockets_open_and_other_tenants_are_not_affected() {
    each_backend!(|app| {
        let (a, _) = app.tenant("A商店", true).await;
        let (b, _) = app.tenant("B商店", true).await;
        let mut open = Vec::new();
        for _ in 0..MAX_SOCKETS_PER_TENANT {
            open.push(Ws::with_token(&app, &a).await);
        }
        let mut over = Ws::open_on(&app, None).await;
        assert!(over.init(json!({ "authorization": format!("Bearer {a}") })).await);
        match over.recv(Duration::from_secs(5)).await {
            Got::Closed(code) => assert_eq!(code, 1013, "try again later"),
            other => panic!("expected the socket over the cap to close, got {other:?}"),
        }
        let mut other_tenant = Ws::with_token(&app, &b).await;
        assert_eq!(other_tenant.query_ok("q", VIEWER, json!({})).await["viewer"]["name"], "test");

        // A socket that closes frees its place.
        let mut first = open.remove(0);
        let _ = first.ws.close(None).await;
        drop(first);
        let mut again = None;
        for _ in 0..50 {
            let mut ws = Ws::open_on(&app, None).await;
            ws.init(json!({ "authorization": format!("Bearer {a}") })).await;
            match ws.recv(Duration::from_secs(5)).await {
                Got::Text(v) if v["type"] == "connection_ack" => {
                    again = Some(ws);
                    break;
                }
                _ => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        assert!(again.is_some(), "a place is free again");
    });
}

#[tokio::test]
async fn a_busy_tenant_does_not_push_another_tenants_events_out() {
    each_backend!(|app| {
        let (a_token, a_actor) = app.tenant("A商店", true).await;
        let (b_token, b_actor) = app.tenant("B商店", true).await;
        let (a, b) = (a_actor.scope.tenant_id(), b_actor.scope.tenant_id());
        let counts = |tenant_id| Event::new(tenant_id, None, EventKind::InboxCountsChanged);
        let mut a_ws = Ws::with_token(&app, &a_token).await;
        let mut b_ws = Ws::with_token(&app, &b_token).await;
        assert!(a_ws.op("a", COUNTS, json!({})).await);
        assert!(b_ws.op("b", COUNTS, json!({})).await);
        // Both subscriptions are in place once each has heard once.
        for (ws, id, tenant) in [(&mut a_ws, "a", a), (&mut b_ws, "b", b)] {
            let mut heard = false;
            for _ in 0..50 {
                app.state.events.publish(counts(tenant));
                if ws.result_of(id, Duration::from_millis(200)).await.is_some() {
                    heard = true;
                    break;
                }
            }
            assert!(heard, "{id} subscribed");
            while ws.result_of(id, Duration::from_millis(100)).await.is_some() {}
        }

        // B's change, then a burst of A's far larger than a ring, all before anyone reads.
        app.state.events.publish(counts(b));
        for n in 0..(TENANT_RING as i64 * 8) {
            app.state.events.publish(Event {
                tenant_id: a,
                shop_id: None,
                kind: EventKind::InquiryUpdated { inquiry_id: n },
                sequence: None,
            });
        }

        let got = b_ws.result_of("b", Duration::from_secs(2)).await.expect("B still hears its own change");
        assert_eq!(got["payload"]["data"]["inboxCountsChanged"]["needsReply"], 0);
        // A fell behind its own ring: it is given fresh counts rather than silence.
        let got = a_ws.result_of("a", Duration::from_secs(2)).await.expect("A, behind, reads the counts again");
        assert_eq!(got["payload"]["data"]["inboxCountsChanged"]["needsReply"], 0);
    });
}

#[tokio::test]
async fn an_access_change_is_not_lost_in_a_burst_of_events() {
    each_backend!(|app| {
        let (admin, actor) = app.tenant("A商店", true).await;
        let tenant = actor.scope.tenant_id();
        let (victim, victim_id) = admin_token(&app, &admin, "integration").await;
        let mut ws = Ws::with_token(&app, &victim).await;
        assert!(ws.op("live", COUNTS, json!({})).await);
        assert_eq!(ws.query_ok("q", VIEWER, json!({})).await["viewer"]["name"], "integration");

        // The revocation as `revokeApiToken` makes it (the row, then the event), followed at
        // once by a burst of the same tenant's events, before the socket gets to read anything.
        let id: i64 = victim_id.parse().expect("id");
        use server::store::entities::api_token;
        api_token::Entity::update_many()
            .col_expr(api_token::Column::RevokedAt, sea_orm::sea_query::Expr::value(server::clock::now()))
            .filter(api_token::Column::Id.eq(id))
            .exec(&app.state.db)
            .await
            .expect("revoke");
        app.state.events.access_changed(tenant, None, Some(id));
        for n in 0..(TENANT_RING as i64 * 8) {
            app.state.events.publish(Event {
                tenant_id: tenant,
                shop_id: None,
                kind: EventKind::InquiryUpdated { inquiry_id: n },
                sequence: None,
            });
        }

        assert_eq!(ws.closed_within(Duration::from_secs(2)).await, Some(FORBIDDEN));
    });
}
