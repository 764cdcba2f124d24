//! HTTP: authentication, the JSON-only POST, limits, health, GraphiQL, secrets never returned.

use madoguchi_tests::{each_backend, error_code};
use serde_json::json;
use shared::Role;

#[tokio::test]
async fn a_text_plain_post_is_refused() {
    each_backend!(|app| {
        let (token, _) = app.tenant("A商店", true).await;
        for ct in ["text/plain", "application/x-www-form-urlencoded"] {
            let resp = app
                .http
                .post(format!("{}/graphql", app.base))
                .bearer_auth(&token)
                .header("content-type", ct)
                .body(r#"{"query":"{ shops { id } }"}"#)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 415, "{ct}");
        }
    });
}

#[tokio::test]
async fn unauthenticated_requests_get_unauthenticated() {
    each_backend!(|app| {
        let body = app.gql(None, "{ inquiries { totalCount } }", json!({})).await;
        assert_eq!(error_code(&body).as_deref(), Some("UNAUTHENTICATED"));
        let resp = app
            .http
            .post(format!("{}/graphql", app.base))
            .bearer_auth("mdg_not-a-token")
            .json(&json!({ "query": "{ shops { id } }" }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401);
    });
}

#[tokio::test]
async fn staff_log_in_with_a_session_cookie_and_log_out() {
    each_backend!(|app| {
        let (_, actor) = app.tenant("A商店", true).await;
        server::provision::create_staff(
            &app.state.db,
            &actor,
            "hanako@example.jp",
            "山田 花子",
            Role::Staff,
            "correct horse",
        )
        .await
        .unwrap();
        let wrong = app
            .http
            .post(format!("{}/auth/login", app.base))
            .json(&json!({ "email": "hanako@example.jp", "password": "nope" }))
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 401);
        let ok = app
            .http
            .post(format!("{}/auth/login", app.base))
            .json(&json!({ "email": "Hanako@example.jp", "password": "correct horse" }))
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), 200);
        let cookie = ok.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
        let me = app.gql(None, "{ viewer { name role tenantName } }", json!({})).await;
        assert_eq!(me["data"]["viewer"]["name"], "山田 花子");
        assert_eq!(me["data"]["viewer"]["role"], "STAFF");
        let admin_only =
            app.gql(None, "mutation { createApiToken(name: \"x\", scopes: [\"read\"]) { token } }", json!({})).await;
        assert_eq!(error_code(&admin_only).as_deref(), Some("FORBIDDEN"), "staff are not admins");
        app.http.post(format!("{}/auth/logout", app.base)).send().await.unwrap();
        let after = app.gql(None, "{ viewer { name } }", json!({})).await;
        assert_eq!(error_code(&after).as_deref(), Some("UNAUTHENTICATED"));
    });
}

#[tokio::test]
async fn viewers_and_read_tokens_cannot_change_anything() {
    each_backend!(|app| {
        let (admin, _) = app.tenant("A商店", true).await;
        let read = app
            .gql_ok(
                &admin,
                "mutation { createApiToken(name: \"BI\", scopes: [\"read\"]) { token apiToken { scopes } } }",
                json!({}),
            )
            .await;
        let read_token = read["createApiToken"]["token"].as_str().unwrap().to_owned();
        assert_eq!(read["createApiToken"]["apiToken"]["scopes"], json!(["read"]));
        app.gql_ok(&read_token, "{ inquiries { totalCount } templates { id } }", json!({})).await;
        let refused = app
            .gql(
                Some(&read_token),
                "mutation { createTemplate(input: {category: \"c\", name: \"n\", body: \"b\"}) { id } }",
                json!({}),
            )
            .await;
        assert_eq!(error_code(&refused).as_deref(), Some("FORBIDDEN"));
        let id = app.gql_ok(&admin, "{ apiTokens { id name } }", json!({})).await["apiTokens"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "BI")
            .unwrap()["id"]
            .clone();
        app.gql_ok(&admin, "mutation($id: ID!) { revokeApiToken(id: $id) }", json!({ "id": id })).await;
        let resp = app
            .http
            .post(format!("{}/graphql", app.base))
            .bearer_auth(&read_token)
            .json(&json!({ "query": "{ shops { id } }" }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401, "a revoked token no longer works");
    });
}

#[tokio::test]
async fn marketplace_credentials_are_sealed_and_never_returned() {
    each_backend!(|app| {
        let (token, _) = app.tenant("A商店", true).await;
        let made = app
            .gql_ok(
                &token,
                "mutation($i: ShopInput!) { createShop(input: $i) { id settings { credentialsSet importDays } } }",
                json!({ "i": { "marketplace": "RAKUTEN", "name": "楽天店", "profile": { "mallShopName": "窓口屋", "staffName": "山田", "phone": "03", "email": "a@b.jp" },
                        "settings": { "credentials": { "serviceSecret": "SP123_secret", "licenseKey": "SL999_license" }, "importDays": 14 } } }),
            )
            .await;
        assert_eq!(made["createShop"]["settings"], json!({ "credentialsSet": true, "importDays": 14 }));
        let everything = app.gql(Some(&token), "{ shops { id name profile { mallShopName } settings { apiBaseUrl importDays autoImport autoExport reviewMessage registeredEmail credentialsSet } } }", json!({})).await;
        let text = everything.to_string();
        assert!(!text.contains("SL999_license") && !text.contains("SP123_secret"));
        use sea_orm::EntityTrait;
        let rows = server::store::entities::shop::Entity::find().all(&app.state.db).await.unwrap();
        let sealed = rows[0].credentials_sealed.clone().unwrap();
        assert!(!sealed.contains("SL999"), "stored encrypted");
        let bad = app
            .gql(Some(&token), "mutation($i: ShopInput!) { createShop(input: $i) { id } }", json!({ "i": { "marketplace": "RAKUMA", "name": "ラクマ店", "profile": { "mallShopName": "x", "staffName": "x", "phone": "0", "email": "a@b.jp" }, "settings": { "credentials": { "accountType": "stacked" } } } }))
            .await;
        assert_eq!(error_code(&bad).as_deref(), Some("VALIDATION"));
        assert!(
            bad["errors"][0]["message"].as_str().unwrap().contains("縦づみ"),
            "a stacked-inventory Rakuma account is refused by name"
        );
    });
}

#[tokio::test]
async fn deep_queries_and_batches_are_refused_while_health_and_graphiql_answer() {
    each_backend!(|app| {
        let (token, _) = app.tenant("A商店", true).await;
        let deep = "{ inquiries { nodes { order { inquiries { order { inquiries { order { inquiries { order { inquiries { order { inquiries { shop { id } } } } } } } } } } } } } }";
        let body = app.gql(Some(&token), deep, json!({})).await;
        // Refused before it runs, for its depth or for its cost (nested lists multiply).
        assert_eq!(error_code(&body).as_deref(), Some("QUERY_TOO_COMPLEX"), "{body}");
        assert!(body["data"].is_null(), "{body}");
        let batch = app
            .http
            .post(format!("{}/graphql", app.base))
            .bearer_auth(&token)
            .json(&json!([{ "query": "{ shops { id } }" }, { "query": "{ shops { id } }" }]))
            .send()
            .await
            .unwrap();
        assert_eq!(batch.status(), 400, "batches are not accepted");
        let health = app.http.get(format!("{}/healthz", app.base)).send().await.unwrap();
        assert_eq!(health.status(), 200);
        let graphiql = app.http.get(format!("{}/graphql", app.base)).send().await.unwrap().text().await.unwrap();
        assert!(graphiql.to_lowercase().contains("graphiql"));
    });
}

/// POST /graphql with this `Accept` and body; returns (status, content type, body).
async fn post_accepting(
    app: &madoguchi_tests::TestApp,
    token: &str,
    accept: Option<&str>,
    body: &str,
) -> (u16, String, serde_json::Value) {
    let mut req = app
        .http
        .post(format!("{}/graphql", app.base))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(a) = accept {
        req = req.header("accept", a);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let ct = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    (status, ct, resp.json().await.unwrap())
}

#[tokio::test]
async fn graphql_over_http_answers_graphql_response_json_with_its_status_codes() {
    each_backend!(|app| {
        let (token, _) = app.tenant("A商店", true).await;
        let graphql = Some("application/graphql-response+json, application/json;q=0.9");
        let good = r#"{"query":"{ shops { id } }"}"#;
        let unparsable = r#"{"query":"{ shops { id "}"#;
        let invalid = r#"{"query":"{ shops { noSuchField } }"}"#;
        let bad_variables = r#"{"query":"query($id: ID!) { inquiry(id: $id) { id } }","variables":{"id":{"x":1}}}"#;
        let not_json = r#"{"query": "#;
        let executed_with_error = r#"{"query":"{ inquiry(id: \"999999\") { id } }"}"#;

        // Asked for application/graphql-response+json: that media type, and 400 without
        // `data` for what cannot be executed.
        let (status, ct, body) = post_accepting(&app, &token, graphql, good).await;
        assert_eq!((status, ct.as_str()), (200, "application/graphql-response+json; charset=utf-8"));
        assert!(body["data"]["shops"].is_array());
        for (what, req) in
            [("unparsable", unparsable), ("invalid", invalid), ("bad variables", bad_variables), ("not JSON", not_json)]
        {
            let (status, ct, body) = post_accepting(&app, &token, graphql, req).await;
            assert_eq!(status, 400, "{what}: {body}");
            assert!(ct.starts_with("application/graphql-response+json"), "{what}: {ct}");
            assert!(body.get("data").is_none(), "{what}: no data entry: {body}");
            assert!(body["errors"][0]["message"].is_string(), "{what}: {body}");
        }
        // Executed, with a field error: 200, data and errors.
        let (status, _, body) = post_accepting(&app, &token, graphql, executed_with_error).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.get("data").is_some());
        assert_eq!(error_code(&body).as_deref(), Some("NOT_FOUND"));
        // Only the new media type is enough too.
        let (status, ct, _) = post_accepting(&app, &token, Some("application/graphql-response+json"), invalid).await;
        assert_eq!(status, 400);
        assert!(ct.starts_with("application/graphql-response+json"));

        // application/json (or no Accept, or */*) keeps its answers: 200 with errors.
        for accept in [Some("application/json"), None, Some("*/*")] {
            for req in [unparsable, invalid] {
                let (status, ct, body) = post_accepting(&app, &token, accept, req).await;
                assert_eq!(status, 200, "{accept:?}: {body}");
                assert!(ct.starts_with("application/json"), "{accept:?}: {ct}");
                assert!(body["errors"].is_array());
            }
        }
        // A client that prefers application/json gets it.
        let (_, ct, _) =
            post_accepting(&app, &token, Some("application/json, application/graphql-response+json;q=0.5"), good)
                .await;
        assert!(ct.starts_with("application/json"), "{ct}");
    });
}
