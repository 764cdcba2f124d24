//! 一括変更: one edit on the orders selected in the list — all of them or none, the caller's
//! orders only, a carrier every selected marketplace accepts, each change logged and live.

use std::time::Duration;

use madoguchi_tests::{TestApp, each_backend, error_code};
use serde_json::{Value, json};
use shared::Marketplace;

use crate::seed;

const CREATE: &str = "mutation($i: OrderInput!) { createOrder(input: $i) { id } }";
const BULK: &str = "mutation($ids: [ID!]!, $i: OrderUpdateInput!) { updateOrders(ids: $ids, input: $i) { id status shipDate carrier } }";
const READ: &str = "query($id: ID!) { order(id: $id) { status shipDate carrier notes } }";

async fn order(app: &TestApp, token: &str, shop: &str, number: &str) -> String {
    let input = json!({ "i": {
        "shopId": shop, "orderNumber": number, "orderedAt": "2026-11-01T10:00:00+09:00",
        "recipient": { "name": "佐藤 花子" },
        "items": [{ "name": "今治タオル", "unitPrice": 1100, "quantity": 1 }]
    }});
    app.gql_ok(token, CREATE, input).await["createOrder"]["id"].as_str().unwrap().to_owned()
}

async fn read(app: &TestApp, token: &str, id: &str) -> Value {
    app.gql_ok(token, READ, json!({ "id": id })).await["order"].clone()
}

#[tokio::test]
async fn selected_orders_get_the_same_status_ship_date_and_carrier_and_each_change_is_live() {
    each_backend!(|app| {
        let (token, _) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        let ids = [order(&app, &token, &shop, "R-1").await, order(&app, &token, &shop, "R-2").await];
        let untouched = order(&app, &token, &shop, "R-3").await;
        let mut live = app.subscribe(&token, "subscription { orderChanged { id } }", json!({})).await;
        tokio::time::sleep(Duration::from_millis(500)).await; // no acknowledgement of a subscribe

        let input = json!({ "status": "SHIPPED", "shipDate": "2026-11-03", "carrier": "ヤマト運輸" });
        let done = app.gql_ok(&token, BULK, json!({ "ids": ids, "i": input })).await;
        let changed = done["updateOrders"].as_array().unwrap();
        assert_eq!(changed.len(), 2);
        for id in &ids {
            let o = read(&app, &token, id).await;
            assert_eq!(
                (o["status"].as_str(), o["shipDate"].as_str(), o["carrier"].as_str()),
                (Some("SHIPPED"), Some("2026-11-03"), Some("ヤマト運輸"))
            );
        }
        assert_eq!(read(&app, &token, &untouched).await["status"], "NEW", "only the selected orders");

        let mut heard = Vec::new();
        for _ in 0..2 {
            let m = live.next_within(Duration::from_secs(5)).await.expect("orderChanged");
            heard.push(m["data"]["orderChanged"]["id"].as_str().unwrap().to_owned());
        }
        heard.sort();
        let mut expected = ids.to_vec();
        expected.sort();
        assert_eq!(heard, expected, "one live change per order");
        let events = app.gql_ok(&token, "{ events(first: 100) { nodes { type } } }", json!({})).await;
        let updated =
            events["events"]["nodes"].as_array().unwrap().iter().filter(|e| e["type"] == "ORDER_UPDATED").count();
        assert_eq!(updated, 2, "each change in the event log");
    });
}

#[tokio::test]
async fn one_bad_order_or_value_changes_none_of_them() {
    each_backend!(|app| {
        let (token, _) = app.tenant("A商店", true).await;
        let (b_token, _) = app.tenant("B商店", true).await;
        let rakuten = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        let amazon = seed::shop(&app, &token, Marketplace::Amazon, "Amazon店").await;
        let b_shop = seed::shop(&app, &b_token, Marketplace::Rakuten, "B楽天店").await;
        let mine = order(&app, &token, &rakuten, "R-1").await;
        let amazon_order = order(&app, &token, &amazon, "A-1").await;
        let theirs = order(&app, &b_token, &b_shop, "B-1").await;

        // Another tenant's order among the selection: not found, and mine is left as it was.
        let r = app.gql(Some(&token), BULK, json!({ "ids": [mine, theirs], "i": { "status": "SHIPPED" } })).await;
        assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
        // A carrier Amazon's shipping updates do not take: refused naming the order.
        let r = app
            .gql(
                Some(&token),
                BULK,
                json!({ "ids": [mine, amazon_order], "i": { "status": "SHIPPED", "carrier": "ヤマト運輸" } }),
            )
            .await;
        assert_eq!(error_code(&r).as_deref(), Some("VALIDATION"), "{r}");
        assert_eq!(r["errors"][0]["extensions"]["field"], "carrier", "{r}");
        assert!(r["errors"][0]["message"].as_str().unwrap().contains("A-1"), "{r}");
        // A bad date, an empty or oversized selection.
        let r = app.gql(Some(&token), BULK, json!({ "ids": [mine], "i": { "shipDate": "11/03" } })).await;
        assert_eq!(r["errors"][0]["extensions"]["field"], "shipDate", "{r}");
        let r = app.gql(Some(&token), BULK, json!({ "ids": [], "i": { "status": "SHIPPED" } })).await;
        assert_eq!(r["errors"][0]["extensions"]["field"], "ids", "{r}");
        let many: Vec<String> = (1..=201).map(|i| i.to_string()).collect();
        let r = app.gql(Some(&token), BULK, json!({ "ids": many, "i": { "status": "SHIPPED" } })).await;
        assert_eq!(r["errors"][0]["extensions"]["field"], "ids", "{r}");

        for id in [&mine, &amazon_order] {
            let o = read(&app, &token, id).await;
            assert_eq!(
                (o["status"].as_str(), o["shipDate"].as_str(), o["carrier"].as_str()),
                (Some("NEW"), None, None),
                "nothing half-stored"
            );
        }
        assert_eq!(read(&app, &b_token, &theirs).await["status"], "NEW");
    });
}

#[tokio::test]
async fn viewers_and_read_tokens_cannot_change_orders_in_bulk() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        let id = order(&app, &token, &shop, "R-1").await;
        let (read_token, _) =
            server::auth::create_api_token(&app.state.db, &actor, "BI", &["read".into()]).await.expect("token");
        let r = app.gql(Some(&read_token), BULK, json!({ "ids": [id], "i": { "status": "CANCELLED" } })).await;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
        assert_eq!(read(&app, &token, &id).await["status"], "NEW");
    });
}
