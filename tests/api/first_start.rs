//! First start (SPEC: issue 8): while the database has no tenant, the server has a one-time
//! setup code and `POST /setup` creates the first company and its admin — once per database,
//! only with that code — and signs the admin in. `/readyz` says whether the database answers
//! and every migration is applied.

use madoguchi_tests::{TestApp, browser_like_client, each_backend, spawn_app_with};
use reqwest::StatusCode;
use sea_orm::ConnectionTrait as _;
use serde_json::{Value, json};

fn form(code: &str) -> Value {
    json!({
        "companyName": "株式会社はじまり",
        "adminName": "最初 管理者",
        "email": "Owner@Hajimari.example.jp",
        "password": "first-admin-pass-1",
        "setupCode": code,
    })
}

fn code_of(app: &TestApp) -> String {
    app.state.setup.code().expect("an empty database gives the process a setup code").to_owned()
}

async fn needed(app: &TestApp) -> bool {
    let resp = app.http.get(format!("{}/setup", app.base)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await.unwrap();
    body["needed"].as_bool().expect("needed is a boolean")
}

async fn post_setup(client: &reqwest::Client, app: &TestApp, body: &Value) -> (StatusCode, Value) {
    let resp = client.post(format!("{}/setup", app.base)).json(body).send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn tenants(app: &TestApp) -> usize {
    server::provision::list_tenants(&app.state.db).await.unwrap().len()
}

#[tokio::test]
async fn an_empty_database_needs_setup_and_the_right_code_creates_the_admin_and_signs_them_in() {
    each_backend!(|app| {
        assert!(needed(&app).await, "no tenant yet: setup is offered");
        let (status, body) = post_setup(&app.http, &app, &form(&code_of(&app))).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["role"], "ADMIN", "{body}");

        // The same client holds the session cookie: it is signed in as the new admin.
        let me = app.gql(None, "{ viewer { name email role tenantName apiOption } }", json!({})).await;
        assert_eq!(me["data"]["viewer"]["name"], "最初 管理者", "{me}");
        assert_eq!(me["data"]["viewer"]["email"], "owner@hajimari.example.jp");
        assert_eq!(me["data"]["viewer"]["role"], "ADMIN");
        assert_eq!(me["data"]["viewer"]["tenantName"], "株式会社はじまり");

        // And the admin can sign in again with that password.
        let other = browser_like_client(&app.base);
        let login = other
            .post(format!("{}/auth/login", app.base))
            .json(&json!({ "email": "owner@hajimari.example.jp", "password": "first-admin-pass-1" }))
            .send()
            .await
            .unwrap();
        assert_eq!(login.status(), StatusCode::OK);
        assert!(!needed(&app).await, "set up: the form is no longer offered");
    });
}

#[tokio::test]
async fn setup_works_once_then_answers_already_set_up() {
    each_backend!(|app| {
        let code = code_of(&app);
        let (status, _) = post_setup(&app.http, &app, &form(&code)).await;
        assert_eq!(status, StatusCode::CREATED);
        let mut again = form(&code);
        again["companyName"] = json!("乗っ取り商事");
        again["email"] = json!("intruder@example.jp");
        let (status, body) = post_setup(&browser_like_client(&app.base), &app, &again).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["code"], "ALREADY_SET_UP");
        assert_eq!(tenants(&app).await, 1);
    });
}

#[tokio::test]
async fn a_wrong_or_missing_setup_code_is_refused_and_creates_nothing() {
    each_backend!(|app| {
        let code = code_of(&app);
        let wrong = format!("{}X", &code[..code.len() - 1]);
        let wrong = if wrong == code { format!("{}Y", &code[..code.len() - 1]) } else { wrong };
        for given in [wrong.as_str(), "", "0000"] {
            let (status, body) = post_setup(&app.http, &app, &form(given)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{given:?}: {body}");
            assert_eq!(body["code"], "SETUP_CODE_INVALID");
        }
        assert_eq!(tenants(&app).await, 0);
        assert!(needed(&app).await);
        // Not signed in either.
        let resp = app
            .http
            .post(format!("{}/graphql", app.base))
            .json(&json!({ "query": "{ viewer { name } }" }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    });
}

#[tokio::test]
async fn the_setup_code_may_be_typed_in_lower_case_with_spaces_or_dashes() {
    each_backend!(|app| {
        let code = code_of(&app).to_lowercase();
        let typed = format!("{}-{} ", &code[..8], &code[8..]);
        let (status, body) = post_setup(&app.http, &app, &form(&typed)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    });
}

#[tokio::test]
async fn bad_admin_details_are_refused_with_the_field_and_create_nothing() {
    each_backend!(|app| {
        let code = code_of(&app);
        for (field, value) in [("password", json!("short")), ("email", json!("no-at-sign")), ("adminName", json!(" "))]
        {
            let mut body = form(&code);
            body[field] = value;
            let (status, answer) = post_setup(&app.http, &app, &body).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{field}: {answer}");
            assert_eq!(answer["code"], "VALIDATION");
            assert_eq!(answer["field"], field, "{answer}");
        }
        let (status, answer) = post_setup(&app.http, &app, &json!({ "setupCode": code })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert_eq!(tenants(&app).await, 0);
    });
}

#[tokio::test]
async fn setup_from_another_site_or_without_an_origin_is_refused() {
    each_backend!(|app| {
        let code = code_of(&app);
        let plain = reqwest::Client::new();
        let resp = plain.post(format!("{}/setup", app.base)).json(&form(&code)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        let resp = plain
            .post(format!("{}/setup", app.base))
            .header("Origin", "https://evil.example")
            .json(&form(&code))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        let body: Value = resp.json().await.unwrap();
        assert_eq!(madoguchi_tests::error_code(&body).as_deref(), Some("FORBIDDEN"));
        assert_eq!(tenants(&app).await, 0);
    });
}

#[tokio::test]
async fn setup_attempts_are_rate_limited_like_sign_ins() {
    each_backend!(|app| {
        let mut limited = None;
        for _ in 0..40 {
            let (status, body) = post_setup(&app.http, &app, &form("WRONGCODE")).await;
            if status == StatusCode::TOO_MANY_REQUESTS {
                limited = Some(body);
                break;
            }
            assert_eq!(status, StatusCode::FORBIDDEN);
        }
        let body = limited.expect("guessing the code is throttled");
        assert_eq!(body["code"], "RATE_LIMITED");
        assert_eq!(tenants(&app).await, 0);
    });
}

#[tokio::test]
async fn two_processes_setting_up_at_once_create_exactly_one_tenant() {
    each_backend!(|app| {
        let second = app.another_process().await;
        let (a, b) = (code_of(&app), code_of(&second));
        let mut other = form(&b);
        other["companyName"] = json!("同時商事");
        other["email"] = json!("other@example.jp");
        let c1 = browser_like_client(&app.base);
        let c2 = browser_like_client(&second.base);
        let first = form(&a);
        let ((s1, b1), (s2, b2)) = tokio::join!(post_setup(&c1, &app, &first), post_setup(&c2, &second, &other));
        let mut statuses = [s1, s2];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::CREATED, StatusCode::CONFLICT], "{b1} / {b2}");
        let loser = if s1 == StatusCode::CONFLICT { b1 } else { b2 };
        assert_eq!(loser["code"], "ALREADY_SET_UP");
        assert_eq!(tenants(&app).await, 1);
        second.finish().await;
    });
}

#[tokio::test]
async fn the_demo_needs_no_setup_and_a_set_up_database_gives_no_code() {
    for backend in madoguchi_tests::backends().await {
        let app = spawn_app_with(&backend, |c| c.demo = true).await;
        assert!(!needed(&app).await);
        assert!(app.state.setup.code().is_none(), "no setup code when a tenant exists");
        let (status, body) = post_setup(&app.http, &app, &form("ANYTHING")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["code"], "SETUP_CODE_INVALID");
        app.finish().await;
    }
}

#[tokio::test]
async fn readyz_is_ready_when_the_database_answers_and_every_migration_is_applied() {
    each_backend!(|app| {
        let resp = app.http.get(format!("{}/readyz", app.base)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["ready"], true);

        // A migration this build knows is not applied (as when a newer binary starts against an
        // older database before migrating): not ready, and it says which.
        let last = app
            .state
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                app.state.db.get_database_backend(),
                "SELECT version FROM seaql_migrations ORDER BY version DESC LIMIT 1",
            ))
            .await
            .unwrap()
            .expect("a migration row");
        let version: String = last.try_get("", "version").unwrap();
        app.state
            .db
            .execute_unprepared(&format!("DELETE FROM seaql_migrations WHERE version = '{version}'"))
            .await
            .unwrap();
        let resp = app.http.get(format!("{}/readyz", app.base)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["ready"], false);
        assert!(body["reason"].as_str().unwrap().contains(&version), "{body}");

        // /healthz only says the process is alive and the database answers.
        let resp = app.http.get(format!("{}/healthz", app.base)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
    });
}

#[tokio::test]
async fn readyz_is_not_ready_when_the_database_does_not_answer() {
    each_backend!(|app| {
        app.state.db.clone().close().await.unwrap();
        let resp = app.http.get(format!("{}/readyz", app.base)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["reason"], "database unavailable");
    });
}
