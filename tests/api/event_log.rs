//! The event log: one row per change with a per-tenant sequence without gaps, the `events`
//! query, retention, and subscriptions resumed with `after`.

use std::collections::BTreeSet;
use std::time::Duration;

use madoguchi_tests::{Backend, TestApp, each_backend, error_code};
use serde_json::{Value, json};
use shared::{Marketplace, MessageAuthor::*};

use crate::seed::{self, Thread};

const EVENTS: &str = "query($after: String, $first: Int) { events(after: $after, first: $first) {
    totalCount edges { cursor node { id sequence type occurredAt data } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }";
const ASSIGN: &str = "mutation($id: ID!, $s: ID) { assignInquiry(id: $id, staffId: $s) { id } }";
const NOTE: &str = "mutation($id: ID!, $b: String!) { addInquiryNote(inquiryId: $id, body: $b) { id } }";
const COMPLETE: &str = "mutation($id: ID!) { completeInquiry(id: $id) { status } }";
const CREATE_ORDER: &str = "mutation($i: OrderInput!) { createOrder(input: $i) { id } }";
const UPDATE_ORDER: &str = "mutation($id: ID!) { updateOrder(id: $id, input: {notes: \"ギフト包装\"}) { id } }";
const CSV_IMPORT: &str = "mutation($i: CsvImportInput!) { importOrdersCsv(input: $i) { run { id state } } }";

fn order_input(shop: &str, number: &str) -> Value {
    json!({ "i": {
        "shopId": shop, "orderNumber": number, "orderedAt": "2026-11-01T10:00:00+09:00",
        "recipient": { "name": "佐藤 花子", "postalCode": "150-0001", "address": "東京都渋谷区神宮前1-2-3", "phone": "03-0000-0000" },
        "items": [{ "name": "今治タオル", "sku": "IMB-1", "unitPrice": 1100, "quantity": 3 }]
    }})
}

fn thread<'a>(mid: &'a str, messages: Vec<(shared::MessageAuthor, &'a str)>) -> Thread<'a> {
    Thread { mid, order_number: None, customer: "楽天 太郎", created_minutes: 0, messages, completed: false }
}

/// Every event of the tenant, paging `first` at a time; asserts the pages join without gaps.
async fn all_events(app: &TestApp, token: &str, first: i64) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    let mut after = Value::Null;
    loop {
        let d = app.gql_ok(token, EVENTS, json!({ "after": after, "first": first })).await;
        let edges = d["events"]["edges"].as_array().expect("edges").clone();
        for e in &edges {
            out.push(e["node"].clone());
        }
        if !d["events"]["pageInfo"]["hasNextPage"].as_bool().expect("hasNextPage") {
            break;
        }
        after = d["events"]["pageInfo"]["endCursor"].clone();
    }
    let seqs: Vec<i64> = out.iter().map(|e| e["sequence"].as_i64().expect("sequence")).collect();
    if let Some(first) = seqs.first() {
        let expected: Vec<i64> = (*first..*first + seqs.len() as i64).collect();
        assert_eq!(seqs, expected, "sequences follow each other without gaps");
    }
    out
}

fn types(events: &[Value]) -> Vec<String> {
    events.iter().map(|e| e["type"].as_str().expect("type").to_owned()).collect()
}

#[tokio::test]
async fn each_change_appends_exactly_one_event_in_sequence() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Yahoo, "Yahoo店").await;
        // A new inquiry, then a new customer message on it (both: received).
        let inq = seed::inquiry(&app, &actor, &shop, thread("y1", vec![(Customer, "質問です"), (Shop, "回答です")])).await;
        seed::inquiry(&app, &actor, &shop, thread("y1", vec![(Customer, "質問です"), (Shop, "回答です"), (Customer, "追加")]))
            .await;
        // The same again changes nothing and logs nothing.
        seed::inquiry(&app, &actor, &shop, thread("y1", vec![(Customer, "質問です"), (Shop, "回答です"), (Customer, "追加")]))
            .await;
        let me = app.gql_ok(&token, "{ assignableStaff { id } }", json!({})).await;
        let staff = me["assignableStaff"][0]["id"].clone();
        if staff.is_string() {
            app.gql_ok(&token, ASSIGN, json!({ "id": inq, "s": staff })).await;
        } else {
            app.gql_ok(&token, ASSIGN, json!({ "id": inq, "s": null })).await;
        }
        app.gql_ok(&token, NOTE, json!({ "id": inq, "b": "電話で確認済み" })).await;
        app.gql_ok(&token, COMPLETE, json!({ "id": inq })).await;
        let order = app.gql_ok(&token, CREATE_ORDER, order_input(&shop, "y-0001")).await;
        let order_id = order["createOrder"]["id"].as_str().expect("order id").to_owned();
        app.gql_ok(&token, UPDATE_ORDER, json!({ "id": order_id })).await;

        let events = all_events(&app, &token, 3).await;
        assert_eq!(
            types(&events),
            [
                "INQUIRY_RECEIVED",
                "INQUIRY_RECEIVED",
                "INQUIRY_UPDATED",
                "INQUIRY_UPDATED",
                "INQUIRY_UPDATED",
                "ORDER_CREATED",
                "ORDER_UPDATED"
            ]
        );
        assert_eq!(events[0]["sequence"], 1, "a tenant's sequence starts at 1");
        // The data are a snapshot of the subject, ids as the API shows them.
        assert_eq!(events[0]["data"]["id"], inq.as_str());
        assert_eq!(events[0]["data"]["shopId"], shop.as_str());
        assert_eq!(events[0]["data"]["marketplace"], "YAHOO");
        assert_eq!(events[0]["data"]["status"], "REPLIED");
        assert_eq!(events[1]["data"]["status"], "NEEDS_REPLY", "the customer wrote again");
        assert_eq!(events[4]["data"]["status"], "COMPLETED");
        assert_eq!(events[5]["data"]["id"], order_id.as_str());
        assert_eq!(events[5]["data"]["orderNumber"], "y-0001");
        assert_eq!(events[6]["data"]["status"], "NEW");
        for e in &events {
            assert!(e["occurredAt"].as_str().expect("occurredAt").ends_with("+09:00"), "times in JST as the API");
        }
        let page = app.gql_ok(&token, EVENTS, json!({ "first": 3 })).await;
        assert_eq!(page["events"]["totalCount"], 7);
        assert_eq!(page["events"]["pageInfo"]["hasPreviousPage"], false);
    });
}

#[tokio::test]
async fn an_import_a_reply_and_its_delivery_outcomes_and_a_csv_import_are_logged() {
    use crate::marketplaces::{Mall, RAKUTEN_SHOP, REPLY, rakuten_shop, run, wait_delivered_on};
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        let (token, _) = app.tenant("A商店", true).await;
        let shop = rakuten_shop(&app, &token, &mall, "楽天C店").await;
        mall.inquiry("質問です", 1).await;
        run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
        let events = all_events(&app, &token, 50).await;
        assert_eq!(types(&events), ["INQUIRY_RECEIVED", "SYNC_RUN_FINISHED"]);
        let id = events[0]["data"]["id"].as_str().expect("inquiry id").to_owned();
        assert_eq!(events[1]["data"]["kind"], "IMPORT_INQUIRIES");

        // Refused by the marketplace, then resent and delivered: each step is one change.
        mall.post(&format!("/accounts/rakuten/{RAKUTEN_SHOP}/expire"), json!({})).await;
        app.gql_ok(&token, REPLY, json!({ "id": id, "b": "ご確認ありがとうございます。" })).await;
        assert_eq!(wait_delivered_on(&app, &token, &id).await["delivery"], "FAILED");
        mall.post(&format!("/accounts/rakuten/{RAKUTEN_SHOP}/expire"), json!({"expired": false})).await;
        let d = app.gql_ok(&token, "query($id: ID!) { inquiry(id: $id) { messages { id author } } }", json!({ "id": id })).await;
        let mid = d["inquiry"]["messages"].as_array().expect("messages").iter().find(|m| m["author"] == "SHOP").expect("reply")["id"].clone();
        app.gql_ok(&token, "mutation($id: ID!) { retryMessage(id: $id) { delivery } }", json!({ "id": mid })).await;
        assert_eq!(wait_delivered_on(&app, &token, &id).await["delivery"], "SENT");
        let events = all_events(&app, &token, 50).await;
        assert_eq!(
            types(&events[2..]),
            ["INQUIRY_UPDATED", "INQUIRY_UPDATED", "INQUIRY_UPDATED", "INQUIRY_UPDATED"],
            "stored, failed, resent, delivered"
        );
        let statuses: Vec<&str> = events[2..].iter().map(|e| e["data"]["status"].as_str().expect("status")).collect();
        assert_eq!(statuses, ["REPLIED", "NEEDS_REPLY", "REPLIED", "REPLIED"]);
        mall.task.abort();

        // A CSV import: each order created, then the run's end.
        let csv_shop = seed::shop(&app, &token, Marketplace::CustomCsv, "自社サイト").await;
        app.gql_ok(
            &token,
            "mutation($id: ID!, $i: ShopInput!) { updateShop(id: $id, input: $i) { id } }",
            json!({ "id": csv_shop, "i": {
                "marketplace": "CUSTOM_CSV", "name": "自社サイト",
                "profile": { "mallShopName": "自社サイト 本店", "staffName": "山田 花子", "phone": "03-1111-2222", "email": "shop@example.jp" },
                "settings": { "csvMapping": [
                    { "field": "ORDER_NUMBER", "header": "注文ID" },
                    { "field": "ORDERED_AT", "header": "注文日時" },
                    { "field": "RECIPIENT_NAME", "header": "お届け先氏名" },
                    { "field": "ITEM_NAME", "header": "品名" },
                    { "field": "UNIT_PRICE", "header": "価格" },
                    { "field": "QUANTITY", "header": "個数" },
                ] }
            }}),
        )
        .await;
        let csv = "注文ID,注文日時,お届け先氏名,品名,価格,個数\r\nW-1,2026/11/20 10:15,山田 太郎,緑茶,1080,2\r\nW-2,2026/11/20 11:00,髙橋 花子,急須,3200,1\r\n";
        let done = app
            .gql_upload(
                &token,
                CSV_IMPORT,
                json!({ "i": { "shopId": csv_shop, "file": null } }),
                "variables.i.file",
                ("orders.csv", "text/csv", csv.as_bytes()),
            )
            .await;
        assert_eq!(done["data"]["importOrdersCsv"]["run"]["state"], "SUCCEEDED", "{done}");
        let run_id = done["data"]["importOrdersCsv"]["run"]["id"].clone();
        let events = all_events(&app, &token, 50).await;
        assert_eq!(types(&events[6..]), ["ORDER_CREATED", "ORDER_CREATED", "SYNC_RUN_FINISHED"]);
        assert_eq!(events[8]["data"]["id"], run_id);
        assert_eq!(events[8]["data"]["state"], "SUCCEEDED");
        assert_eq!(events[8]["data"]["created"], 2);
    });
}

#[tokio::test]
async fn events_are_the_callers_tenants_only_and_a_viewer_reads_them() {
    each_backend!(|app| {
        let (a_token, a_actor) = app.tenant("A商店", true).await;
        let (b_token, _) = app.tenant("B商店", true).await;
        let a_shop = seed::shop(&app, &a_token, Marketplace::Rakuten, "A楽天店").await;
        seed::inquiry(&app, &a_actor, &a_shop, thread("a1", seed::asks())).await;
        seed::inquiry(&app, &a_actor, &a_shop, thread("a2", seed::asks())).await;
        let a_events = all_events(&app, &a_token, 10).await;
        assert_eq!(a_events.len(), 2);
        let b_events = all_events(&app, &b_token, 10).await;
        assert!(b_events.is_empty(), "B sees none of A's events: {b_events:?}");
        // A's cursor means nothing in B: B has no event 2 to resume after.
        let a_cursor = app.gql_ok(&a_token, EVENTS, json!({ "first": 2 })).await["events"]["pageInfo"]["endCursor"].clone();
        let refused = app.gql(Some(&b_token), EVENTS, json!({ "after": a_cursor })).await;
        assert_eq!(error_code(&refused).as_deref(), Some("VALIDATION"));
        assert_eq!(refused["errors"][0]["extensions"]["field"], "after");
        // A read-only token reads them.
        let (viewer, _) = server::auth::create_api_token(&app.state.db, &a_actor, "viewer", &["read".into()])
            .await
            .expect("read token");
        assert_eq!(all_events(&app, &viewer, 10).await.len(), 2);
        // Not a cursor at all.
        let bad = app.gql(Some(&a_token), EVENTS, json!({ "after": "not-a-cursor" })).await;
        assert_eq!(error_code(&bad).as_deref(), Some("VALIDATION"));
    });
}

#[tokio::test]
async fn a_cursor_older_than_the_retention_is_refused_and_the_sequence_goes_on() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        seed::inquiry(&app, &actor, &shop, thread("r1", seed::asks())).await;
        seed::inquiry(&app, &actor, &shop, thread("r2", seed::asks())).await;
        seed::inquiry(&app, &actor, &shop, thread("r3", seed::asks())).await;
        let page = app.gql_ok(&token, EVENTS, json!({})).await;
        let edges = page["events"]["edges"].as_array().expect("edges").clone();
        let (first, last) = (edges[0]["cursor"].clone(), edges[2]["cursor"].clone());

        // Everything so far is past the retention period (as if 7 days had gone by).
        let gone = server::event_log::purge_expired(&app.state.db, Duration::ZERO).await.expect("purge");
        assert_eq!(gone, 3);
        let refused = app.gql(Some(&token), EVENTS, json!({ "after": first })).await;
        assert_eq!(error_code(&refused).as_deref(), Some("VALIDATION"), "{refused}");
        assert_eq!(refused["errors"][0]["extensions"]["field"], "after");
        // A subscription resumed from there is refused the same way.
        let mut sub = app
            .subscribe(&token, "subscription($a: String) { inquiryUpdated(after: $a) { id } }", json!({ "a": first }))
            .await;
        assert!(sub.ended_within(Duration::from_secs(5)).await, "the subscription is refused");
        // The newest deleted event's cursor misses nothing: it still works.
        let empty = app.gql_ok(&token, EVENTS, json!({ "after": last })).await;
        assert_eq!(empty["events"]["edges"], json!([]));
        seed::inquiry(&app, &actor, &shop, thread("r4", seed::asks())).await;
        let next = app.gql_ok(&token, EVENTS, json!({ "after": last })).await;
        assert_eq!(next["events"]["edges"][0]["node"]["sequence"], 4, "the sequence goes on after a purge");
        assert_eq!(all_events(&app, &token, 10).await.len(), 1);
    });
}

#[tokio::test]
async fn concurrent_writers_in_one_tenant_get_a_sequence_without_gaps() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        let inq = seed::inquiry(&app, &actor, &shop, thread("r1", seed::asks())).await;
        let notes = (0..24).map(|i| {
            let (app, token, inq) = (&app, &token, &inq);
            async move {
                let body = app.gql(Some(token), NOTE, json!({ "id": inq, "b": format!("メモ {i}") })).await;
                body["errors"].is_null()
            }
        });
        let stored = futures_util::future::join_all(notes).await.into_iter().filter(|ok| *ok).count();
        assert!(stored > 0);
        let events = all_events(&app, &token, 100).await;
        assert_eq!(events.len(), 1 + stored, "one event per stored note, and only those");
        let seqs: BTreeSet<i64> = events.iter().map(|e| e["sequence"].as_i64().expect("sequence")).collect();
        assert_eq!(seqs, (1..=(1 + stored as i64)).collect::<BTreeSet<_>>());
    });
}

/// The sequence and cursor a subscription payload carries.
fn position(payload: &Value) -> (i64, String) {
    (
        payload["extensions"]["sequence"].as_i64().unwrap_or_else(|| panic!("no sequence in {payload}")),
        payload["extensions"]["cursor"].as_str().expect("cursor").to_owned(),
    )
}

const UPDATED: &str =
    "subscription($s: ID, $a: String) { inquiryUpdated(shopId: $s, after: $a) { id status lastMessageAt } }";

/// A subscriber that went away comes back with its last cursor: exactly what it missed (of its
/// shop), in order, then live events, each once. `writer` makes the changes, `reader` serves
/// the subscription (two processes on PostgreSQL).
async fn resume_after_a_disconnect(writer: &TestApp, reader: &TestApp, token: &str, actor: &server::auth::Actor) {
    let shop = seed::shop(writer, token, Marketplace::Rakuten, "楽天店").await;
    let other = seed::shop(writer, token, Marketplace::Yahoo, "Yahoo店").await;
    let mut sub = reader.subscribe(token, UPDATED, json!({ "s": shop })).await;
    let first = seed::inquiry(writer, actor, &shop, thread("r1", seed::asks())).await;
    let got = sub.next_within(Duration::from_secs(5)).await.expect("the live event");
    assert_eq!(got["data"]["inquiryUpdated"]["id"], first.as_str());
    let (seq, cursor) = position(&got);
    drop(sub);

    // Away: three changes of this shop, one of another shop.
    let second = seed::inquiry(writer, actor, &shop, thread("r2", seed::asks())).await;
    writer.gql_ok(token, NOTE, json!({ "id": first, "b": "確認中" })).await;
    seed::inquiry(writer, actor, &other, thread("y1", seed::asks())).await;
    let third = seed::inquiry(writer, actor, &shop, thread("r3", seed::asks())).await;

    let mut sub = reader.subscribe(token, UPDATED, json!({ "s": shop, "a": cursor })).await;
    let mut seen = Vec::new();
    for _ in 0..3 {
        let got = sub.next_within(Duration::from_secs(5)).await.expect("a missed event");
        let (s, _) = position(&got);
        seen.push((s, got["data"]["inquiryUpdated"]["id"].as_str().expect("id").to_owned()));
    }
    assert_eq!(
        seen.iter().map(|(_, id)| id.clone()).collect::<Vec<_>>(),
        [second.clone(), first.clone(), third.clone()],
        "exactly the missed ones of this shop, in order"
    );
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "increasing sequences: {seen:?}");
    assert!(seen[0].0 > seq);
    // Then live.
    writer.gql_ok(token, NOTE, json!({ "id": second, "b": "発送済み" })).await;
    let got = sub.next_within(Duration::from_secs(5)).await.expect("the live event after the replay");
    assert_eq!(got["data"]["inquiryUpdated"]["id"], second.as_str());
    assert!(position(&got).0 > seen[2].0);
    assert!(sub.next_within(Duration::from_millis(700)).await.is_none(), "nothing twice");
}

#[tokio::test]
async fn a_subscriber_that_reconnects_with_after_gets_exactly_what_it_missed_then_live_events() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        resume_after_a_disconnect(&app, &app, &token, &actor).await;
    });
}

#[tokio::test]
async fn resuming_works_across_two_server_processes_on_postgresql() {
    for backend in madoguchi_tests::backends().await {
        if !matches!(backend, Backend::Postgres(_)) {
            continue;
        }
        let app = madoguchi_tests::spawn_app(&backend).await;
        let other = app.another_process().await;
        let (token, actor) = app.tenant("A商店", true).await;
        resume_after_a_disconnect(&app, &other, &token, &actor).await;
        other.finish().await;
        app.finish().await;
    }
}

#[tokio::test]
async fn every_subscription_resumes_and_the_counts_come_once_for_what_was_missed() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        seed::inquiry(&app, &actor, &shop, thread("r1", seed::asks())).await;
        let start = app.gql_ok(&token, EVENTS, json!({})).await["events"]["pageInfo"]["endCursor"].clone();
        seed::inquiry(&app, &actor, &shop, thread("r2", seed::asks())).await;
        seed::inquiry(&app, &actor, &shop, thread("r3", seed::asks())).await;

        let mut received = app
            .subscribe(&token, "subscription($a: String) { inquiryReceived(after: $a) { id } }", json!({ "a": start }))
            .await;
        let mut counts = app
            .subscribe(
                &token,
                "subscription($a: String) { inboxCountsChanged(after: $a) { needsReply } }",
                json!({ "a": start }),
            )
            .await;
        assert!(received.next_within(Duration::from_secs(5)).await.is_some());
        assert!(received.next_within(Duration::from_secs(5)).await.is_some());
        let c = counts.next_within(Duration::from_secs(5)).await.expect("the counts now");
        assert_eq!(c["data"]["inboxCountsChanged"]["needsReply"], 3);
        assert_eq!(position(&c).0, 3, "the counts as of the newest change");
        assert!(counts.next_within(Duration::from_millis(500)).await.is_none(), "once for all that was missed");
        assert!(received.next_within(Duration::from_millis(300)).await.is_none());
    });
}
