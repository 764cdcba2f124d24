//! The orders list's filter by marketplace and its mark for orders with an inquiry waiting, and
//! the order page's explanation of the next shipping export.

use chrono::{Duration, Utc};
use madoguchi_tests::each_backend;
use serde_json::json;
use shared::{Marketplace, MessageAuthor::*};

use crate::seed::{self, Thread};

const CREATE: &str = "mutation($i: OrderInput!) { createOrder(input: $i) { id } }";
const UPDATE: &str = "mutation($id: ID!, $i: OrderUpdateInput!) { updateOrder(id: $id, input: $i) { status } }";
const CHECK: &str = "query($id: ID!) { order(id: $id) { shipmentExport { eligible reasons } } }";

fn order_input(shop: &str, number: &str, ordered_at: &str) -> serde_json::Value {
    json!({ "i": {
        "shopId": shop, "orderNumber": number, "orderedAt": ordered_at,
        "recipient": { "name": "佐藤 花子", "postalCode": "150-0001", "address": "東京都渋谷区神宮前1-2-3", "phone": "03-0000-0000" },
        "items": [{ "name": "今治タオル", "sku": "IMB-1", "unitPrice": 1100, "quantity": 1 }]
    }})
}

fn jst_now() -> chrono::DateTime<chrono::FixedOffset> {
    Utc::now().with_timezone(&shared::jst())
}

async fn check(app: &madoguchi_tests::TestApp, token: &str, id: &serde_json::Value) -> (bool, Vec<String>) {
    let d = app.gql_ok(token, CHECK, json!({ "id": id })).await;
    let c = &d["order"]["shipmentExport"];
    let reasons = c["reasons"].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_owned()).collect();
    (c["eligible"].as_bool().unwrap(), reasons)
}

#[tokio::test]
async fn the_order_page_says_which_export_rules_keep_an_order_out_of_the_next_export() {
    each_backend!(|app| {
        let (token, _) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        let now = jst_now();
        let order = app.gql_ok(&token, CREATE, order_input(&shop, "382817-20261201-0000001", &now.to_rfc3339())).await;
        let id = order["createOrder"]["id"].clone();

        // A new order: every rule that excludes it, in the export's order, in Japanese.
        let (eligible, reasons) = check(&app, &token, &id).await;
        assert!(!eligible);
        assert_eq!(
            reasons,
            vec![
                "ステータスが「新規受付」の受注は書き出し対象外です",
                "出荷日が入力されていません",
                "お荷物伝票番号が入力されていません(この配送業者・配送方法では必須です)",
            ]
        );

        // Shipped today with a tracking number: it goes out with the next export.
        let today = now.date_naive().format("%Y-%m-%d").to_string();
        let shipped = json!({ "status": "SHIPPED", "shipDate": today, "carrier": "ヤマト運輸", "deliveryMethod": "宅急便", "trackingNumber": "1234-5678-9012" });
        app.gql_ok(&token, UPDATE, json!({ "id": id, "i": shipped })).await;
        assert_eq!(check(&app, &token, &id).await, (true, vec![]));

        // A ship date after today is the one reason left.
        let tomorrow = (now + Duration::days(1)).date_naive();
        app.gql_ok(&token, UPDATE, json!({ "id": id, "i": { "shipDate": tomorrow.format("%Y-%m-%d").to_string() } }))
            .await;
        let (eligible, reasons) = check(&app, &token, &id).await;
        assert!(!eligible);
        assert_eq!(reasons.len(), 1, "{reasons:?}");
        assert!(
            reasons[0].starts_with(&format!("出荷日({})が未来の日付です", tomorrow.format("%Y/%m/%d"))),
            "{reasons:?}"
        );

        // Letter packs by Japan Post need no tracking number (the manual's exception).
        let letter =
            json!({ "shipDate": today, "carrier": "日本郵便", "deliveryMethod": "レターパック", "trackingNumber": "" });
        app.gql_ok(&token, UPDATE, json!({ "id": id, "i": letter })).await;
        assert_eq!(check(&app, &token, &id).await, (true, vec![]));

        // An order older than the automatic export's period (the shop's import days).
        let old = (now - Duration::days(400)).to_rfc3339();
        let order = app.gql_ok(&token, CREATE, order_input(&shop, "382817-20251101-0000002", &old)).await;
        let old_id = order["createOrder"]["id"].clone();
        app.gql_ok(&token, UPDATE, json!({ "id": old_id, "i": shipped })).await;
        let (eligible, reasons) = check(&app, &token, &old_id).await;
        assert!(!eligible);
        assert_eq!(reasons.len(), 1, "{reasons:?}");
        assert!(reasons[0].starts_with("注文日が自動書出の作成期間"), "{reasons:?}");
    });
}

#[tokio::test]
async fn a_marketplace_that_takes_no_shipping_data_is_named_as_the_reason() {
    each_backend!(|app| {
        let (token, _) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Amazon, "Amazon店").await;
        let now = jst_now();
        let order = app.gql_ok(&token, CREATE, order_input(&shop, "503-1234567-0000001", &now.to_rfc3339())).await;
        let id = order["createOrder"]["id"].clone();
        let today = now.date_naive().format("%Y-%m-%d").to_string();
        let shipped = json!({ "status": "SHIPPED", "shipDate": today, "carrier": "ヤマト運輸", "deliveryMethod": "宅急便", "trackingNumber": "1234" });
        app.gql_ok(&token, UPDATE, json!({ "id": id, "i": shipped })).await;
        assert_eq!(check(&app, &token, &id).await, (false, vec!["Amazonには出荷情報を書き出しません".to_owned()]));
    });
}

#[tokio::test]
async fn orders_are_filtered_by_marketplace_and_marked_when_an_inquiry_waits_for_a_reply() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let rakuten = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        let yahoo = seed::shop(&app, &token, Marketplace::Yahoo, "Yahoo!店").await;
        let at = jst_now().to_rfc3339();
        app.gql_ok(&token, CREATE, order_input(&rakuten, "382817-20261201-0000011", &at)).await;
        app.gql_ok(&token, CREATE, order_input(&rakuten, "382817-20261201-0000012", &at)).await;
        app.gql_ok(&token, CREATE, order_input(&yahoo, "store-10000001", &at)).await;
        // Another tenant's Yahoo! order is never listed.
        let (other, _) = app.tenant("B商店", true).await;
        let other_shop = seed::shop(&app, &other, Marketplace::Yahoo, "B店").await;
        app.gql_ok(&other, CREATE, order_input(&other_shop, "store-20000001", &at)).await;

        // One inquiry waiting on the first order, one answered and one completed on the second.
        for (mid, number, messages, completed) in [
            ("q1", "382817-20261201-0000011", vec![(Customer, "いつ届きますか")], false),
            ("q2", "382817-20261201-0000012", vec![(Customer, "いつ届きますか"), (Shop, "明日です")], false),
            ("q3", "382817-20261201-0000012", vec![(Customer, "ありがとう")], true),
        ] {
            let t = Thread {
                mid,
                order_number: Some(number),
                customer: "楽天 太郎",
                created_minutes: 0,
                messages,
                completed,
            };
            seed::inquiry(&app, &actor, &rakuten, t).await;
        }

        const LIST: &str = "query($f: OrderFilter) { orders(filter: $f, first: 50) { totalCount nodes { orderNumber openInquiryCount } } }";
        let yahoo_only = app.gql_ok(&token, LIST, json!({ "f": { "marketplace": "YAHOO" } })).await;
        assert_eq!(yahoo_only["orders"]["totalCount"], 1);
        assert_eq!(yahoo_only["orders"]["nodes"][0]["orderNumber"], "store-10000001");

        let rakuten_only = app.gql_ok(&token, LIST, json!({ "f": { "marketplace": "RAKUTEN" } })).await;
        let mut marks: Vec<(String, i64)> = rakuten_only["orders"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| (n["orderNumber"].as_str().unwrap().to_owned(), n["openInquiryCount"].as_i64().unwrap()))
            .collect();
        marks.sort();
        assert_eq!(marks, vec![("382817-20261201-0000011".to_owned(), 1), ("382817-20261201-0000012".to_owned(), 0)]);
        let none = app.gql_ok(&token, LIST, json!({ "f": { "marketplace": "AMAZON" } })).await;
        assert_eq!(none["orders"]["totalCount"], 0);
    });
}
