//! Attack suite: cost.
//!
//! What a query may cost is counted before it runs: connections by their page size, lists by
//! their usual size, every field after fragment expansion; a document over the limit is refused
//! with `QUERY_TOO_COMPLEX` and nothing runs. The staff app's own queries stay well inside. A
//! search text is capped; an inquiry's order and an order's inquiries are loaded in batches.
//! `setPresence` needs write permission and is rate-limited per caller (`RATE_LIMITED`).

use madoguchi_tests::{TestApp, each_backend, error_code};
use serde_json::{Value, json};
use shared::Marketplace;
use shared::MessageAuthor::*;
use shared::ops::Operation;

use crate::seed::{self, Thread};

/// An API token of the tenant of `actor` with only these scopes.
async fn token_with(app: &TestApp, actor: &server::auth::Actor, scopes: &[&str]) -> String {
    let scopes: Vec<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
    server::auth::create_api_token(&app.state.db, actor, "attack", &scopes).await.expect("token").0
}

fn no_data(body: &Value) -> bool {
    body.get("data").is_none_or(|d| d.is_null() || d.as_object().is_some_and(|o| o.values().all(Value::is_null)))
}

async fn create_order(app: &TestApp, token: &str, shop: &str, number: &str) -> String {
    let data = app
        .gql_ok(
            token,
            "mutation($i: OrderInput!) { createOrder(input: $i) { id } }",
            json!({ "i": {
                "shopId": shop, "orderNumber": number, "orderedAt": "2026-11-01T09:00:00+09:00",
                "recipient": { "name": "佐藤 一郎" },
                "items": [{ "name": "緑茶", "unitPrice": 1200, "quantity": 1 }]
            }}),
        )
        .await;
    data["createOrder"]["id"].as_str().expect("order id").to_owned()
}

#[tokio::test]
async fn three_hundred_aliased_full_inbox_pages_are_refused_as_too_complex_before_running() {
    each_backend!(|app| {
        let (admin, actor) = app.tenant("A商店", true).await;
        let read = token_with(&app, &actor, &["read"]).await;
        let shop = seed::shop(&app, &admin, Marketplace::Rakuten, "楽天店").await;
        seed::inquiry(
            &app,
            &actor,
            &shop,
            Thread {
                mid: "q-1",
                order_number: None,
                customer: "佐藤",
                created_minutes: 0,
                messages: seed::asks(),
                completed: false,
            },
        )
        .await;

        let aliases: String = (0..300)
            .map(|i| format!("a{i}: inquiries(first: 100) {{ nodes {{ id subject preview }} totalCount }} "))
            .collect();
        let body = app.gql(Some(&read), &format!("query {{ {aliases} }}"), json!({})).await;
        assert_eq!(error_code(&body).as_deref(), Some("QUERY_TOO_COMPLEX"), "{body}");
        assert!(no_data(&body), "nothing ran: {body}");

        // One full page of threads with their files is over the limit too; the same with a
        // smaller page passes.
        let deep = |n: i32| {
            format!(
                "{{ inquiries(first: {n}) {{ nodes {{ id messages {{ id body attachments {{ id fileName url }} }} \
                 order {{ id items {{ name }} inquiries {{ id messages {{ body }} }} }} }} }} }}"
            )
        };
        let body = app.gql(Some(&read), &deep(100), json!({})).await;
        assert_eq!(error_code(&body).as_deref(), Some("QUERY_TOO_COMPLEX"), "{body}");
        let ok = app.gql_ok(&read, &deep(5), json!({})).await;
        assert_eq!(ok["inquiries"]["nodes"].as_array().map(Vec::len), Some(1));

        // The page size counts through variables as through literals.
        let body = app
            .gql(
                Some(&read),
                "query($n: Int) { a: inquiries(first: $n) { nodes { id messages { id body attachments { id } } } } \
                 b: orders(first: $n) { nodes { id items { name sku } inquiries { id messages { body } } } } }",
                json!({ "n": 100 }),
            )
            .await;
        assert_eq!(error_code(&body).as_deref(), Some("QUERY_TOO_COMPLEX"), "{body}");
    });
}

#[tokio::test]
async fn the_staff_apps_largest_queries_still_pass() {
    each_backend!(|app| {
        let (admin, actor) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &admin, Marketplace::Rakuten, "楽天店").await;
        create_order(&app, &admin, &shop, "R-1").await;
        let inquiry = seed::inquiry(
            &app,
            &actor,
            &shop,
            Thread {
                mid: "q-1",
                order_number: Some("R-1"),
                customer: "佐藤",
                created_minutes: 0,
                messages: vec![(Customer, "届きません"), (Shop, "確認します")],
                completed: false,
            },
        )
        .await;
        let order = create_order(&app, &admin, &shop, "R-2").await;

        // The biggest pages the API answers, with exactly the app's fields.
        let page = json!({ "first": 100 });
        app.gql_ok(&admin, &shared::ops::Inquiries::document(), page.clone()).await;
        app.gql_ok(&admin, &shared::ops::Orders::document(), page.clone()).await;
        app.gql_ok(&admin, &shared::ops::SyncRuns::document(), page).await;
        let detail = app.gql_ok(&admin, &shared::ops::Inquiry::document(), json!({ "id": inquiry })).await;
        assert_eq!(detail["inquiry"]["order"]["orderNumber"], "R-1");
        assert_eq!(detail["inquiry"]["messages"].as_array().map(Vec::len), Some(2));
        app.gql_ok(&admin, &shared::ops::Order::document(), json!({ "id": order })).await;
        for doc in [
            &shared::ops::InboxCounts::document(),
            &shared::ops::ShopSettingsList::document(),
            &shared::ops::ShopCsvMapping::document(),
            &shared::ops::StaffMembers::document(),
            &shared::ops::ApiTokens::document(),
            &shared::ops::Templates::document(),
            &shared::ops::Shops::document(),
            &shared::ops::Viewer::document(),
        ] {
            app.gql_ok(&admin, doc, json!({})).await;
        }
    });
}

#[tokio::test]
async fn an_over_long_search_text_is_refused_with_validation_on_search() {
    each_backend!(|app| {
        let (admin, _) = app.tenant("A商店", true).await;
        let at_limit = "検".repeat(100);
        let over = "検".repeat(101);
        for list in ["inquiries", "orders"] {
            let query = format!("query($s: String) {{ {list}(filter: {{ search: $s }}) {{ totalCount }} }}");
            let ok = app.gql_ok(&admin, &query, json!({ "s": at_limit })).await;
            assert_eq!(ok[list]["totalCount"], 0, "{list}");
            let body = app.gql(Some(&admin), &query, json!({ "s": over })).await;
            assert_eq!(error_code(&body).as_deref(), Some("VALIDATION"), "{list}: {body}");
            assert_eq!(body["errors"][0]["extensions"]["field"], "search", "{list}: {body}");
        }
    });
}

#[tokio::test]
async fn many_inquiries_with_their_orders_and_orders_with_their_inquiries_load_in_one_query() {
    each_backend!(|app| {
        let (admin, actor) = app.tenant("A商店", true).await;
        let rakuten = seed::shop(&app, &admin, Marketplace::Rakuten, "楽天店").await;
        let yahoo = seed::shop(&app, &admin, Marketplace::Yahoo, "Yahoo!店").await;
        // The same order number in two shops: each inquiry finds its own shop's order.
        for n in 0..12 {
            create_order(&app, &admin, &rakuten, &format!("N-{n}")).await;
        }
        create_order(&app, &admin, &yahoo, "N-0").await;
        // q-0…q-11 on N-0…N-11 of the Rakuten shop, q-12 a second one on its N-0, q-13 on an
        // order not imported yet, q-14 on the Yahoo! shop's N-0.
        for i in 0..15 {
            let (shop, number) = match i {
                12 => (&rakuten, "N-0".to_owned()),
                13 => (&rakuten, "N-99".to_owned()),
                14 => (&yahoo, "N-0".to_owned()),
                _ => (&rakuten, format!("N-{i}")),
            };
            seed::inquiry(
                &app,
                &actor,
                shop,
                Thread {
                    mid: &format!("q-{i}"),
                    order_number: Some(&number),
                    customer: "佐藤",
                    created_minutes: i,
                    messages: seed::asks(),
                    completed: false,
                },
            )
            .await;
        }

        let data = app
            .gql_ok(
                &admin,
                "{ inquiries(first: 50) { nodes { marketplaceInquiryId orderNumber shop { name }
                    order { orderNumber shop { name } inquiries { marketplaceInquiryId } } } } }",
                json!({}),
            )
            .await;
        let nodes = data["inquiries"]["nodes"].as_array().expect("nodes");
        assert_eq!(nodes.len(), 15);
        for n in nodes {
            let mid = n["marketplaceInquiryId"].as_str().unwrap();
            if mid == "q-13" {
                assert!(n["order"].is_null(), "an order not imported yet is null: {n}");
                continue;
            }
            assert_eq!(n["order"]["orderNumber"], n["orderNumber"], "{n}");
            assert_eq!(n["order"]["shop"]["name"], n["shop"]["name"], "its own shop's order: {n}");
            let history: Vec<&str> = n["order"]["inquiries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["marketplaceInquiryId"].as_str().unwrap())
                .collect();
            let expected: Vec<&str> = match mid {
                "q-0" | "q-12" => vec!["q-12", "q-0"],
                other => vec![other],
            };
            assert_eq!(history, expected, "newest first, this order's only: {n}");
        }

        let orders = app
            .gql_ok(
                &admin,
                "{ orders(first: 50) { nodes { orderNumber shop { name } inquiries { marketplaceInquiryId } } } }",
                json!({}),
            )
            .await;
        let nodes = orders["orders"]["nodes"].as_array().expect("nodes");
        assert_eq!(nodes.len(), 13);
        let with_inquiries = nodes.iter().filter(|o| !o["inquiries"].as_array().unwrap().is_empty()).count();
        assert_eq!(with_inquiries, 13, "every order has its inquiries: {orders}");
    });
}

#[tokio::test]
async fn set_presence_needs_write_permission_and_a_flood_is_rate_limited() {
    each_backend!(|app| {
        let (admin, actor) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &admin, Marketplace::Rakuten, "楽天店").await;
        let inquiry = seed::inquiry(
            &app,
            &actor,
            &shop,
            Thread {
                mid: "q-1",
                order_number: None,
                customer: "佐藤",
                created_minutes: 0,
                messages: seed::asks(),
                completed: false,
            },
        )
        .await;
        let vars = json!({ "inquiryId": inquiry, "state": "VIEWING" });

        // A read-only caller (an API token with the read scope, like a VIEWER) is refused.
        let read = token_with(&app, &actor, &["read"]).await;
        let body = app.gql(Some(&read), &shared::ops::SetPresence::document(), vars.clone()).await;
        assert_eq!(error_code(&body).as_deref(), Some("FORBIDDEN"), "{body}");

        // A writer's first calls pass; sent all at once, a flood meets the limit.
        let write = token_with(&app, &actor, &["read", "write"]).await;
        let ok = app.gql_ok(&write, &shared::ops::SetPresence::document(), vars.clone()).await;
        assert_eq!(ok["setPresence"], true);
        let document = shared::ops::SetPresence::document();
        let flood =
            futures_util::future::join_all((0..60).map(|_| app.gql(Some(&write), &document, vars.clone()))).await;
        let limited: Vec<&Value> = flood.iter().filter(|b| error_code(b).as_deref() == Some("RATE_LIMITED")).collect();
        assert!(!limited.is_empty(), "a flood is rate-limited");
        assert!(limited[0]["errors"][0]["extensions"]["retryAfter"].as_u64().is_some_and(|s| s >= 1), "{}", limited[0]);
        assert!(
            flood.iter().all(|b| b["data"]["setPresence"] == true || error_code(b).as_deref() == Some("RATE_LIMITED")),
            "every other call passed"
        );

        // The limit is per caller: another writer is not held back.
        let body = app.gql(Some(&admin), &shared::ops::SetPresence::document(), vars).await;
        assert_eq!(body["data"]["setPresence"], true, "{body}");
    });
}
