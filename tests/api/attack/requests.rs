//! Attack suite: requests. An anonymous document is never parsed; a document of nested
//! fragment spreads is refused at once while the server keeps answering; a cookie only
//! authenticates what a page of this server sends (CSRF).

use std::time::{Duration, Instant};

use madoguchi_tests::{TestApp, each_backend, error_code};
use serde_json::{Value, json};
use shared::Role;

/// `fragment F0 on QueryRoot { ...F1 ...F1 } … F23 { viewer { name } }`: about 1 KB that
/// expands to 2^24 fields.
fn nested_fragments(levels: usize) -> String {
    let mut q = String::from("query Q { ...F0 }\n");
    for i in 0..levels {
        q.push_str(&format!("fragment F{i} on QueryRoot {{ ...F{} ...F{} }}\n", i + 1, i + 1));
    }
    q.push_str(&format!("fragment F{levels} on QueryRoot {{ viewer {{ name }} }}\n"));
    q
}

async fn post(app: &TestApp, token: Option<&str>, query: &str) -> (u16, Value) {
    let mut req = app.http.post(format!("{}/graphql", app.base)).json(&json!({ "query": query }));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.expect("POST /graphql");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// The slowest `/healthz` answer seen while `during` runs.
async fn slowest_health_check_during<F: std::future::Future>(app: &TestApp, during: F) -> (F::Output, Duration) {
    let probe = async {
        let mut slowest = Duration::ZERO;
        loop {
            let started = Instant::now();
            let resp = app.http.get(format!("{}/healthz", app.base)).send().await.expect("GET /healthz");
            assert_eq!(resp.status(), 200);
            slowest = slowest.max(started.elapsed());
            tokio::time::sleep(Duration::from_millis(10)).await;
            if slowest > Duration::from_secs(5) {
                return slowest;
            }
        }
    };
    tokio::pin!(probe);
    let during = std::pin::pin!(during);
    let out = tokio::select! {
        out = during => out,
        s = &mut probe => panic!("/healthz took {s:?}"),
    };
    // One more probe after the attack, so a blocked runtime shows even when the attack is quick.
    let started = Instant::now();
    app.http.get(format!("{}/healthz", app.base)).send().await.expect("GET /healthz");
    (out, started.elapsed())
}

#[tokio::test]
async fn an_anonymous_request_is_answered_401_without_its_document_being_read() {
    each_backend!(|app| {
        let (status, body) = post(&app, None, &nested_fragments(24)).await;
        assert_eq!(status, 401);
        assert_eq!(error_code(&body).as_deref(), Some("UNAUTHENTICATED"));
        // A body that is not even JSON gets the same answer: it is never parsed.
        let resp = app
            .http
            .post(format!("{}/graphql", app.base))
            .header("content-type", "application/json")
            .body("{ this is not json")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401);
    });
}

#[tokio::test]
async fn nested_fragment_spreads_are_refused_within_a_second_while_healthz_keeps_answering() {
    each_backend!(|app| {
        let (token, _) = app.tenant("攻撃商店", true).await;
        let document = nested_fragments(24);
        assert!(document.len() < 2048, "a small document: {} bytes", document.len());
        for token in [Some(token.as_str()), None] {
            let attack = async {
                let started = Instant::now();
                // Several at once, as an attacker would.
                let answers = futures_util::future::join_all((0..4).map(|_| post(&app, token, &document))).await;
                (answers, started.elapsed())
            };
            let ((answers, took), health) = slowest_health_check_during(&app, attack).await;
            assert!(took < Duration::from_secs(1), "refused within a second (took {took:?})");
            assert!(health < Duration::from_millis(100), "/healthz answered in {health:?}");
            for (status, body) in answers {
                assert!(body.get("data").is_none_or(Value::is_null), "no data: {body}");
                let code = error_code(&body);
                match token {
                    Some(_) => assert_eq!(code.as_deref(), Some("QUERY_TOO_COMPLEX"), "{body}"),
                    None => assert_eq!((status, code.as_deref()), (401, Some("UNAUTHENTICATED"))),
                }
            }
        }
        // The server is unhurt: an ordinary query still answers.
        app.gql_ok(&token, "{ viewer { name } }", json!({})).await;
    });
}

#[tokio::test]
async fn an_overlong_query_text_is_refused_before_it_is_parsed() {
    each_backend!(|app| {
        let (token, _) = app.tenant("攻撃商店", true).await;
        let long = format!("{{ viewer {{ name }} }} # {}", "x".repeat(64 * 1024));
        let (_, body) = post(&app, Some(&token), &long).await;
        assert_eq!(error_code(&body).as_deref(), Some("QUERY_TOO_COMPLEX"), "{body}");
        // Wide but flat: many aliases of a cheap field count as many fields.
        let wide =
            format!("{{ {} }}", (0..2500).map(|i| format!("a{i}: viewer {{ name }}")).collect::<Vec<_>>().join(" "));
        let (_, body) = post(&app, Some(&token), &wide).await;
        assert_eq!(error_code(&body).as_deref(), Some("QUERY_TOO_COMPLEX"), "{body}");
    });
}

const CREATE_TEMPLATE: &str = "mutation($i: TemplateInput!) { createTemplate(input: $i) { id } }";

/// A staff member signed in on `app`'s own client (its cookie jar holds the session); returns
/// an admin token of the tenant and the session cookie (`name=value`).
async fn signed_in_staff(app: &TestApp) -> (String, String) {
    let (token, actor) = app.tenant("CSRF商店", true).await;
    server::provision::create_staff(&app.state.db, &actor, "csrf@example.jp", "受付 太郎", Role::Staff, "pw-csrf-1")
        .await
        .unwrap();
    let resp = app
        .http
        .post(format!("{}/auth/login", app.base))
        .json(&json!({ "email": "csrf@example.jp", "password": "pw-csrf-1" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let set_cookie = resp.headers().get("set-cookie").expect("session cookie").to_str().unwrap();
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    (token, cookie)
}

async fn template_count(app: &TestApp, token: &str) -> usize {
    app.gql_ok(token, "{ templates { id } }", json!({})).await["templates"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn a_cookie_request_from_another_site_is_refused_and_stores_nothing() {
    each_backend!(|app| {
        let (token, cookie) = signed_in_staff(&app).await;
        let before = template_count(&app, &token).await;
        let variables = json!({ "i": { "category": "定型文", "name": "乗っ取り", "body": "本文" } });
        let operations = json!({ "query": CREATE_TEMPLATE, "variables": variables }).to_string();
        let multipart =
            || reqwest::multipart::Form::new().text("operations", operations.clone()).text("map", "{}".to_owned());
        let url = format!("{}/graphql", app.base);
        // A form on another site posting multipart with the victim's cookie.
        let foreign = app.http.post(&url).header("origin", "https://evil.example").multipart(multipart());
        assert_eq!(foreign.send().await.unwrap().status(), 403);
        // The same as JSON, and as told by Sec-Fetch-Site.
        let json_foreign = app
            .http
            .post(&url)
            .header("origin", "https://evil.example")
            .json(&json!({ "query": CREATE_TEMPLATE, "variables": variables }));
        assert_eq!(json_foreign.send().await.unwrap().status(), 403);
        let fetch_site = app
            .http
            .post(&url)
            .header("sec-fetch-site", "cross-site")
            .json(&json!({ "query": CREATE_TEMPLATE, "variables": variables }));
        assert_eq!(fetch_site.send().await.unwrap().status(), 403);
        // Without any Origin at all (a client that hides it) the cookie is not enough either.
        let bare = reqwest::Client::new()
            .post(&url)
            .header("cookie", &cookie)
            .json(&json!({ "query": CREATE_TEMPLATE, "variables": variables }));
        assert_eq!(bare.send().await.unwrap().status(), 403);
        assert_eq!(template_count(&app, &token).await, before, "nothing stored");
        // Logout from another site does not end the session.
        let logout = app.http.post(format!("{}/auth/logout", app.base)).header("origin", "https://evil.example");
        assert_eq!(logout.send().await.unwrap().status(), 403);
        let me = app.gql(None, "{ viewer { name } }", json!({})).await;
        assert_eq!(me["data"]["viewer"]["name"], "受付 太郎", "still signed in: {me}");
        // The staff app's own page (same Origin) goes through, multipart included.
        let own = app.http.post(&url).multipart(multipart());
        let body: Value = own.send().await.unwrap().json().await.unwrap();
        assert!(body["data"]["createTemplate"]["id"].is_string(), "{body}");
        let own_fetch = app
            .http
            .post(&url)
            .header("sec-fetch-site", "same-origin")
            .json(&json!({ "query": "{ viewer { name } }" }));
        assert_eq!(own_fetch.send().await.unwrap().status(), 200);
    });
}

#[tokio::test]
async fn a_bearer_token_request_needs_no_origin() {
    each_backend!(|app| {
        let (token, _) = app.tenant("API商店", true).await;
        let resp = reqwest::Client::new()
            .post(format!("{}/graphql", app.base))
            .bearer_auth(&token)
            .header("origin", "https://bi-tool.example")
            .json(&json!({ "query": "{ viewer { tenantName } }" }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    });
}
