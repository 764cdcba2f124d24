//! What a run did (`SyncRun.items`) and how far it has come (`SyncRun.progress`), against the
//! marketplace simulator on SQLite and PostgreSQL.

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use madoguchi_tests::{TestApp, each_backend, error_code};
use serde_json::{Value, json};
use shared::OrderStatus;
use shared::export::Ineligible;

use crate::marketplaces::{Mall, RAKUTEN_SHOP, rakuten_shop, run};

const ITEMS: &str = "query($id: ID!, $first: Int, $after: String) { syncRun(id: $id) { id state progress { done total } \
    items(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { outcome orderId orderNumber inquiryId reason } } } }";

const ORDERS: &str = "query($s: ID) { orders(filter: {shopId: $s}, first: 100) { nodes { id orderNumber } } }";

const UPDATE: &str = "mutation($id: ID!, $i: OrderUpdateInput!) { updateOrder(id: $id, input: $i) { id } }";

/// Puts `n` orders on the simulated Rakuten shop, placed one hour apart (newest first).
async fn orders_on_rakuten(mall: &Mall, n: usize) -> Vec<String> {
    let specs: Vec<Value> =
        (0..n).map(|i| json!({"at": Utc::now() - TimeDelta::hours(2 + i as i64), "state": "confirmed"})).collect();
    let v = mall.post(&format!("/accounts/rakuten/{RAKUTEN_SHOP}/orders"), json!({ "orders": specs })).await;
    v["orderNumbers"].as_array().expect("numbers").iter().map(|n| n.as_str().expect("number").to_owned()).collect()
}

/// Every line of a run, read a page of `page` at a time.
async fn all_items(app: &TestApp, token: &str, run_id: &str, page: i64) -> Vec<Value> {
    let mut out = Vec::new();
    let mut after = Value::Null;
    loop {
        let d = app.gql_ok(token, ITEMS, json!({ "id": run_id, "first": page, "after": after })).await;
        let items = &d["syncRun"]["items"];
        out.extend(items["nodes"].as_array().expect("nodes").iter().cloned());
        if items["pageInfo"]["hasNextPage"] != true {
            return out;
        }
        after = items["pageInfo"]["endCursor"].clone();
    }
}

fn outcomes(items: &[Value]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|i| {
            (i["outcome"].as_str().expect("outcome").to_owned(), i["orderNumber"].as_str().unwrap_or("").to_owned())
        })
        .collect()
}

fn sorted(mut v: Vec<(String, String)>) -> Vec<(String, String)> {
    v.sort();
    v
}

#[tokio::test]
async fn an_order_import_lists_each_order_created_then_unchanged_on_the_next_run() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        let (token, _) = app.tenant("A商店", true).await;
        let shop = rakuten_shop(&app, &token, &mall, "楽天A店").await;
        let numbers = orders_on_rakuten(&mall, 3).await;

        let first = run(&app, &token, "importOrders", json!({ "shopId": shop })).await;
        assert_eq!(first["state"], "SUCCEEDED", "{first}");
        let items = all_items(&app, &token, first["id"].as_str().expect("id"), 20).await;
        let expected: Vec<_> = numbers.iter().map(|n| ("CREATED".to_owned(), n.clone())).collect();
        assert_eq!(sorted(outcomes(&items)), sorted(expected), "{items:?}");
        // Each line links to its order.
        let list = app.gql_ok(&token, ORDERS, json!({ "s": shop })).await;
        for item in &items {
            let order = list["orders"]["nodes"]
                .as_array()
                .expect("nodes")
                .iter()
                .find(|o| o["orderNumber"] == item["orderNumber"])
                .expect("the order is stored");
            assert_eq!(item["orderId"], order["id"], "{item}");
            assert_eq!(item["reason"], Value::Null);
        }
        // The shop imports 7 days: seven windows, all done.
        let done = app.gql_ok(&token, ITEMS, json!({ "id": first["id"] })).await;
        assert_eq!(done["syncRun"]["progress"], json!({ "done": 7, "total": 7 }), "{done}");

        let second = run(&app, &token, "importOrders", json!({ "shopId": shop })).await;
        let items = all_items(&app, &token, second["id"].as_str().expect("id"), 20).await;
        let expected: Vec<_> = numbers.iter().map(|n| ("UNCHANGED".to_owned(), n.clone())).collect();
        assert_eq!(sorted(outcomes(&items)), sorted(expected), "{items:?}");
        mall.task.abort();
    });
}

#[tokio::test]
async fn an_inquiry_import_lists_each_inquiry_it_stored() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        let (token, _) = app.tenant("A商店", true).await;
        let shop = rakuten_shop(&app, &token, &mall, "楽天A店").await;
        mall.inquiry("届いた商品が違います", 1).await;
        let r = run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
        assert_eq!(r["state"], "SUCCEEDED", "{r}");
        let items = all_items(&app, &token, r["id"].as_str().expect("id"), 20).await;
        assert_eq!(items.len(), 1, "{items:?}");
        assert_eq!(items[0]["outcome"], "CREATED");
        let listed = app.gql_ok(&token, "{ inquiries(first: 5) { nodes { id } } }", json!({})).await;
        assert_eq!(items[0]["inquiryId"], listed["inquiries"]["nodes"][0]["id"], "{items:?}");
        mall.task.abort();
    });
}

#[tokio::test]
async fn an_export_lists_the_orders_sent_and_those_left_out_with_the_rule_that_kept_them_out() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        let (token, _) = app.tenant("A商店", true).await;
        let shop = rakuten_shop(&app, &token, &mall, "楽天A店").await;
        let numbers = orders_on_rakuten(&mall, 3).await;
        run(&app, &token, "importOrders", json!({ "shopId": shop })).await;
        let list = app.gql_ok(&token, ORDERS, json!({ "s": shop })).await;
        let id_of = |n: &str| {
            list["orders"]["nodes"].as_array().expect("nodes").iter().find(|o| o["orderNumber"] == n).expect("order")
                ["id"]
                .clone()
        };
        let jst = chrono::FixedOffset::east_opt(9 * 3600).expect("offset");
        let today = Utc::now().with_timezone(&jst).date_naive();
        let tomorrow = today + TimeDelta::days(1);
        // Sent.
        app.gql_ok(&token, UPDATE, json!({ "id": id_of(&numbers[0]), "i": { "status": "AWAITING_SHIPMENT", "shipDate": today.to_string(), "carrier": "ヤマト運輸", "deliveryMethod": "宅急便", "trackingNumber": "1234-5678-9012" } })).await;
        // Held, without a ship date (a letter pack needs no tracking number).
        app.gql_ok(&token, UPDATE, json!({ "id": id_of(&numbers[1]), "i": { "status": "ON_HOLD", "shipDate": "", "carrier": "日本郵便", "deliveryMethod": "レターパック", "trackingNumber": "" } }))
            .await;
        // Shipped tomorrow.
        app.gql_ok(&token, UPDATE, json!({ "id": id_of(&numbers[2]), "i": { "status": "SHIPPED", "shipDate": tomorrow.to_string(), "carrier": "ヤマト運輸", "deliveryMethod": "宅急便", "trackingNumber": "1234-5678-9013" } })).await;

        let period = json!({ "shopId": shop, "createdFrom": (Utc::now() - TimeDelta::days(2)).to_rfc3339(), "createdTo": Utc::now().to_rfc3339() });
        let r = run(&app, &token, "exportShipments", period.clone()).await;
        assert_eq!(r["state"], "SUCCEEDED", "{r}");
        let items = all_items(&app, &token, r["id"].as_str().expect("id"), 20).await;
        // In the order the export went through them: oldest order first.
        assert_eq!(
            outcomes(&items),
            [
                ("SKIPPED".to_owned(), numbers[2].clone()),
                ("SKIPPED".to_owned(), numbers[1].clone()),
                ("UPDATED".to_owned(), numbers[0].clone()),
            ],
            "{items:?}"
        );
        // The reasons are the export rules' own words, every rule that keeps the order out.
        let held = [Ineligible::Status(OrderStatus::OnHold), Ineligible::NoShipDate]
            .iter()
            .map(Ineligible::label_ja)
            .collect::<Vec<_>>()
            .join(" / ");
        assert_eq!(items[1]["reason"], held.as_str(), "{items:?}");
        assert_eq!(items[0]["reason"], Ineligible::ShipDateInFuture(tomorrow).label_ja().as_str(), "{items:?}");
        assert!(items[1]["reason"].as_str().expect("reason").starts_with("ステータスが「保留」"), "{items:?}");
        assert_eq!(items[2]["reason"], Value::Null);
        // The order page tells the same story for the orders left out.
        let check = app
            .gql_ok(
                &token,
                "query($id: ID!) { order(id: $id) { shipmentExport { reasons } } }",
                json!({ "id": id_of(&numbers[1]) }),
            )
            .await;
        assert_eq!(check["order"]["shipmentExport"]["reasons"].as_array().expect("reasons").len(), 2, "{check}");
        assert!(held.contains(check["order"]["shipmentExport"]["reasons"][0].as_str().expect("reason")));

        // Sent already with this data: unchanged the next time, with why.
        let again = run(&app, &token, "exportShipments", period).await;
        let items = all_items(&app, &token, again["id"].as_str().expect("id"), 20).await;
        assert_eq!(items[2]["outcome"], "UNCHANGED", "{items:?}");
        assert!(items[2]["reason"].as_str().expect("reason").starts_with("同じ内容で書き出し済みです"), "{items:?}");
        mall.task.abort();
    });
}

#[tokio::test]
async fn an_order_the_marketplace_refuses_is_listed_as_failed_with_the_reason() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        let (token, _) = app.tenant("A商店", true).await;
        let shop = rakuten_shop(&app, &token, &mall, "楽天A店").await;
        // Entered in Madoguchi only: RMS does not know it.
        let ordered_at = (Utc::now() - TimeDelta::hours(3)).to_rfc3339();
        let created = app
            .gql_ok(
                &token,
                "mutation($i: OrderInput!) { createOrder(input: $i) { id } }",
                json!({ "i": { "shopId": shop, "orderNumber": "999999-20261201-0000001", "orderedAt": ordered_at, "recipient": { "name": "佐藤 花子" }, "items": [{ "name": "緑茶", "unitPrice": 1080, "quantity": 1 }] } }),
            )
            .await;
        let jst = chrono::FixedOffset::east_opt(9 * 3600).expect("offset");
        let today = Utc::now().with_timezone(&jst).date_naive();
        app.gql_ok(&token, UPDATE, json!({ "id": created["createOrder"]["id"], "i": { "status": "AWAITING_SHIPMENT", "shipDate": today.to_string(), "carrier": "ヤマト運輸", "deliveryMethod": "宅急便", "trackingNumber": "1234-5678-9012" } })).await;
        let period = json!({ "shopId": shop, "createdFrom": (Utc::now() - TimeDelta::days(1)).to_rfc3339(), "createdTo": Utc::now().to_rfc3339() });
        let r = run(&app, &token, "exportShipments", period).await;
        assert_eq!(r["failed"], 1, "{r}");
        let items = all_items(&app, &token, r["id"].as_str().expect("id"), 20).await;
        assert_eq!(outcomes(&items), [("FAILED".to_owned(), "999999-20261201-0000001".to_owned())]);
        let reason = items[0]["reason"].as_str().expect("a failed line says why");
        assert!(reason.contains("RMSにありません"), "{reason}");
        assert_eq!(items[0]["orderId"], created["createOrder"]["id"]);
        mall.task.abort();
    });
}

#[tokio::test]
async fn a_run_s_items_are_paged_in_order_without_gaps_or_repeats_and_only_for_its_tenant() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        let (token, _) = app.tenant("A商店", true).await;
        let shop = rakuten_shop(&app, &token, &mall, "楽天A店").await;
        let numbers = orders_on_rakuten(&mall, 25).await;
        let r = run(&app, &token, "importOrders", json!({ "shopId": shop })).await;
        let run_id = r["id"].as_str().expect("id").to_owned();

        let whole = all_items(&app, &token, &run_id, 100).await;
        assert_eq!(whole.len(), 25);
        let first = app.gql_ok(&token, ITEMS, json!({ "id": run_id, "first": 10 })).await;
        assert_eq!(first["syncRun"]["items"]["totalCount"], 25);
        assert_eq!(first["syncRun"]["items"]["nodes"].as_array().expect("nodes").len(), 10);
        let paged = all_items(&app, &token, &run_id, 10).await;
        assert_eq!(paged, whole, "pages of 10 list the same lines in the same order");
        let mut got: Vec<_> = paged.iter().map(|i| i["orderNumber"].as_str().expect("number").to_owned()).collect();
        got.sort();
        let mut want = numbers.clone();
        want.sort();
        assert_eq!(got, want);

        let too_many = app.gql(Some(&token), ITEMS, json!({ "id": run_id, "first": 101 })).await;
        assert_eq!(error_code(&too_many).as_deref(), Some("VALIDATION"), "{too_many}");
        let bad = app.gql(Some(&token), ITEMS, json!({ "id": run_id, "after": "garbage" })).await;
        assert_eq!(error_code(&bad).as_deref(), Some("VALIDATION"), "{bad}");

        // Another shop company cannot read the run, nor its lines.
        let (other, _) = app.tenant("B商店", true).await;
        let theirs = app.gql(Some(&other), ITEMS, json!({ "id": run_id, "first": 10 })).await;
        assert_eq!(error_code(&theirs).as_deref(), Some("NOT_FOUND"), "{theirs}");
        assert!(theirs["data"]["syncRun"].is_null(), "{theirs}");
        mall.task.abort();
    });
}

#[tokio::test]
async fn progress_moves_while_an_import_works_and_is_published_as_it_moves() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        let (token, _) = app.tenant("A商店", true).await;
        let shop = rakuten_shop(&app, &token, &mall, "楽天A店").await;
        orders_on_rakuten(&mall, 4).await;
        // Each marketplace call takes a while: the run is seen part-way.
        mall.faults(json!({ "latencyMs": 150 })).await;
        let mut sub = app
            .subscribe(
                &token,
                "subscription($s: ID) { syncRunUpdated(shopId: $s) { id state progress { done total } } }",
                json!({ "s": shop }),
            )
            .await;
        let from = (Utc::now() - TimeDelta::days(5)).to_rfc3339();
        let to = Utc::now().to_rfc3339();
        let started = app
            .gql_ok(
                &token,
                "mutation($i: ImportInput!) { importOrders(input: $i) { id state progress { done total } } }",
                json!({ "i": { "shopId": shop, "from": from, "to": to } }),
            )
            .await;
        let id = started["importOrders"]["id"].clone();
        let mut seen = Vec::new();
        let mut midway = None;
        loop {
            let Some(ev) = sub.next_within(Duration::from_secs(20)).await else {
                panic!("the run ended unseen: {seen:?}")
            };
            let r = &ev["data"]["syncRunUpdated"];
            if r["id"] != id {
                continue;
            }
            let progress = r["progress"].clone();
            seen.push((r["state"].as_str().unwrap_or_default().to_owned(), progress.clone()));
            if r["state"] == "RUNNING"
                && midway.is_none()
                && progress["done"].as_i64().is_some_and(|d| (1..5).contains(&d))
            {
                // Saved, not only published: the API says the same while the run works.
                let d = app.gql_ok(&token, ITEMS, json!({ "id": id, "first": 1 })).await;
                midway = Some(d["syncRun"]["progress"].clone());
            }
            if matches!(r["state"].as_str(), Some("SUCCEEDED" | "FAILED")) {
                assert_eq!(r["state"], "SUCCEEDED", "{seen:?}");
                assert_eq!(progress, json!({ "done": 5, "total": 5 }), "{seen:?}");
                break;
            }
        }
        let dones: Vec<i64> = seen.iter().filter_map(|(_, p)| p["done"].as_i64()).collect();
        assert!(dones.windows(2).all(|w| w[0] <= w[1]), "progress only moves forwards: {seen:?}");
        assert!(
            seen.iter().any(|(s, p)| s == "RUNNING"
                && p["total"] == 5
                && p["done"].as_i64().is_some_and(|d| (1..5).contains(&d))),
            "progress is published part-way, not only at the end: {seen:?}"
        );
        let midway = midway.expect("seen part-way");
        assert_eq!(midway["total"], 5, "{midway}");
        assert!(midway["done"].as_i64().is_some_and(|d| (1..=5).contains(&d)), "{midway}");
        mall.task.abort();
    });
}
