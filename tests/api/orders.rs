//! Orders: registration, edits, and the order page's inquiry history.

use madoguchi_tests::{each_backend, error_code};
use serde_json::json;
use shared::{Marketplace, MessageAuthor::*};

use crate::seed::{self, Thread};

const CREATE: &str = "mutation($i: OrderInput!) { createOrder(input: $i) { id orderNumber totalAmount buyer { name } recipient { name } items { name quantity } } }";
const HISTORY: &str = "query($id: ID!) { order(id: $id) { orderNumber inquiries { id preview lastMessageAt } } }";

fn order_input(shop: &str, number: &str) -> serde_json::Value {
    json!({ "i": {
        "shopId": shop, "orderNumber": number, "orderedAt": "2026-11-01T10:00:00+09:00",
        "recipient": { "name": "佐藤 花子", "postalCode": "150-0001", "address": "東京都渋谷区神宮前1-2-3", "phone": "03-0000-0000" },
        "requestedDelivery": "2026/11/05 14〜16時",
        "items": [{ "name": "今治タオル", "sku": "IMB-1", "unitPrice": 1100, "quantity": 3 }]
    }})
}

#[tokio::test]
async fn the_order_page_lists_its_inquiries_newest_first_whichever_arrived_first() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        // An inquiry about an order that is not imported yet…
        seed::inquiry(
            &app,
            &actor,
            &shop,
            Thread {
                mid: "r1",
                order_number: Some("382817-20261101-0000001"),
                customer: "楽天 太郎",
                created_minutes: 0,
                messages: vec![(Customer, "一通目\n詳細")],
                completed: false,
            },
        )
        .await;
        // …then the order arrives, then a second inquiry.
        let order = app.gql_ok(&token, CREATE, order_input(&shop, "382817-20261101-0000001")).await;
        assert_eq!(order["createOrder"]["totalAmount"], 3300);
        let oid = order["createOrder"]["id"].clone();
        seed::inquiry(
            &app,
            &actor,
            &shop,
            Thread {
                mid: "r2",
                order_number: Some("382817-20261101-0000001"),
                customer: "楽天 太郎",
                created_minutes: 90,
                messages: vec![(Customer, "二通目")],
                completed: false,
            },
        )
        .await;
        let page = app.gql_ok(&token, HISTORY, json!({ "id": oid })).await;
        let previews: Vec<_> = page["order"]["inquiries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["preview"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(previews, vec!["二通目", "一通目…"], "newest first; first line cut with …");
        let linked = app.gql_ok(&token, "{ inquiries(first: 5) { nodes { order { orderNumber } } } }", json!({})).await;
        assert!(
            linked["inquiries"]["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .all(|n| n["order"]["orderNumber"] == "382817-20261101-0000001")
        );
    });
}

#[tokio::test]
async fn an_order_without_inquiries_has_an_empty_history() {
    each_backend!(|app| {
        let (token, _) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Yahoo, "Yahoo店").await;
        let order = app.gql_ok(&token, CREATE, order_input(&shop, "store-10000001")).await;
        let page = app.gql_ok(&token, HISTORY, json!({ "id": order["createOrder"]["id"] })).await;
        assert_eq!(page["order"]["inquiries"], json!([]));
        let dup = app.gql(Some(&token), CREATE, order_input(&shop, "store-10000001")).await;
        assert_eq!(error_code(&dup).as_deref(), Some("CONFLICT"), "order numbers are unique per shop");
    });
}

#[tokio::test]
async fn rakuma_orders_take_the_recipient_as_the_buyer() {
    each_backend!(|app| {
        let (token, _) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Rakuma, "ラクマ店").await;
        let order = app.gql_ok(&token, CREATE, order_input(&shop, "m123456789")).await;
        assert_eq!(order["createOrder"]["buyer"]["name"], "佐藤 花子");
    });
}

#[tokio::test]
async fn shipping_data_is_edited_and_checked() {
    each_backend!(|app| {
        let (token, _) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        let order = app.gql_ok(&token, CREATE, order_input(&shop, "382817-20261101-0000009")).await;
        let id = order["createOrder"]["id"].clone();
        const UPDATE: &str = "mutation($id: ID!, $i: OrderUpdateInput!) { updateOrder(id: $id, input: $i) { status shipDate carrier deliveryMethod trackingNumber notes } }";
        let d = app
            .gql_ok(&token, UPDATE, json!({ "id": id, "i": { "status": "SHIPPED", "shipDate": "2026-11-02", "carrier": "ヤマト運輸", "deliveryMethod": "宅急便", "trackingNumber": "1234-5678-9012", "notes": "ギフト" } }))
            .await;
        assert_eq!(d["updateOrder"]["status"], "SHIPPED");
        assert_eq!(d["updateOrder"]["trackingNumber"], "1234-5678-9012");
        let bad = app.gql(Some(&token), UPDATE, json!({ "id": id, "i": { "shipDate": "2026/11/02" } })).await;
        assert_eq!(error_code(&bad).as_deref(), Some("VALIDATION"));
        assert_eq!(bad["errors"][0]["extensions"]["field"], "shipDate");
        let filtered = app
            .gql_ok(&token, "{ orders(filter: {status: SHIPPED, search: \"タオル\"}) { totalCount } }", json!({}))
            .await;
        assert_eq!(filtered["orders"]["totalCount"], 1);
    });
}
