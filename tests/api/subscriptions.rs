//! Live events over graphql-transport-ws.

use std::time::Duration;

use madoguchi_tests::each_backend;
use serde_json::json;
use shared::{Marketplace, MessageAuthor::*};

use crate::seed::{self, Thread};

#[tokio::test]
async fn a_subscriber_sees_another_clients_reply_within_a_second_and_nothing_of_other_tenants() {
    each_backend!(|app| {
        let (a_token, a_actor) = app.tenant("A商店", true).await;
        let (b_token, b_actor) = app.tenant("B商店", true).await;
        let a_shop = seed::shop(&app, &a_token, Marketplace::Rakuten, "A楽天店").await;
        let b_shop = seed::shop(&app, &b_token, Marketplace::Rakuten, "B楽天店").await;
        let a_inq = seed::inquiry(
            &app,
            &a_actor,
            &a_shop,
            Thread {
                mid: "a1",
                order_number: None,
                customer: "A 顧客",
                created_minutes: 0,
                messages: seed::asks(),
                completed: false,
            },
        )
        .await;
        let b_inq = seed::inquiry(
            &app,
            &b_actor,
            &b_shop,
            Thread {
                mid: "b1",
                order_number: None,
                customer: "B 顧客",
                created_minutes: 0,
                messages: seed::asks(),
                completed: false,
            },
        )
        .await;

        let mut a_updates = app.subscribe(&a_token, "subscription { inquiryUpdated { id status } }", json!({})).await;
        let mut a_counts =
            app.subscribe(&a_token, "subscription { inboxCountsChanged { needsReply } }", json!({})).await;

        // Tenant B replies first: A must not hear of it.
        app.gql_ok(
            &b_token,
            "mutation($id: ID!) { replyToInquiry(input: {inquiryId: $id, body: \"Bの返信\"}) { id } }",
            json!({ "id": b_inq }),
        )
        .await;
        // Then another client of A replies.
        app.gql_ok(
            &a_token,
            "mutation($id: ID!) { replyToInquiry(input: {inquiryId: $id, body: \"Aの返信\"}) { id } }",
            json!({ "id": a_inq }),
        )
        .await;

        let got = a_updates.next_within(Duration::from_secs(5)).await.expect("inquiryUpdated");
        assert_eq!(got["data"]["inquiryUpdated"]["id"], a_inq.as_str(), "the first event is A's own, not B's");
        assert_eq!(got["data"]["inquiryUpdated"]["status"], "REPLIED");
        let counts = a_counts.next_within(Duration::from_secs(5)).await.expect("inboxCountsChanged");
        assert_eq!(counts["data"]["inboxCountsChanged"]["needsReply"], 0);
        assert!(a_updates.next_within(Duration::from_millis(300)).await.is_none(), "nothing else, least of all B's");
    });
}

#[tokio::test]
async fn a_new_customer_message_fires_inquiry_received_for_the_shop_asked_for() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let rakuten = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        let yahoo = seed::shop(&app, &token, Marketplace::Yahoo, "Yahoo店").await;
        let mut only_yahoo = app
            .subscribe(
                &token,
                "subscription($s: ID) { inquiryReceived(shopId: $s) { id customerName preview } }",
                json!({ "s": yahoo }),
            )
            .await;
        // graphql-transport-ws does not acknowledge a subscribe: on a loaded machine give the
        // server a moment to put the subscription on the bus before the first change.
        tokio::time::sleep(Duration::from_millis(500)).await;
        seed::inquiry(
            &app,
            &actor,
            &rakuten,
            Thread {
                mid: "r1",
                order_number: None,
                customer: "楽天 太郎",
                created_minutes: 0,
                messages: seed::asks(),
                completed: false,
            },
        )
        .await;
        let y = seed::inquiry(
            &app,
            &actor,
            &yahoo,
            Thread {
                mid: "y1",
                order_number: None,
                customer: "9f0*****",
                created_minutes: 0,
                messages: vec![(Customer, "届きません")],
                completed: false,
            },
        )
        .await;
        let got = only_yahoo.next_within(Duration::from_secs(5)).await.expect("inquiryReceived");
        assert_eq!(got["data"]["inquiryReceived"]["id"], y.as_str());
        assert_eq!(got["data"]["inquiryReceived"]["preview"], "届きません");
        // The same message arriving again (poll and push) is recorded once and fires nothing.
        seed::inquiry(
            &app,
            &actor,
            &yahoo,
            Thread {
                mid: "y1",
                order_number: None,
                customer: "9f0*****",
                created_minutes: 0,
                messages: vec![(Customer, "届きません")],
                completed: false,
            },
        )
        .await;
        assert!(only_yahoo.next_within(Duration::from_millis(300)).await.is_none());
        let thread =
            app.gql_ok(&token, "query($id: ID!) { inquiry(id: $id) { messages { id } } }", json!({ "id": y })).await;
        assert_eq!(thread["inquiry"]["messages"].as_array().unwrap().len(), 1);
    });
}

#[tokio::test]
async fn presence_tells_who_else_is_writing_on_an_inquiry() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        let id = seed::inquiry(
            &app,
            &actor,
            &shop,
            Thread {
                mid: "r1",
                order_number: None,
                customer: "楽天 太郎",
                created_minutes: 0,
                messages: seed::asks(),
                completed: false,
            },
        )
        .await;
        let mut watch = app
            .subscribe(
                &token,
                "subscription($id: ID!) { presenceChanged(inquiryId: $id) { staffName state } }",
                json!({ "id": id }),
            )
            .await;
        // Presence is a heartbeat: the browser sends it again while someone types. Sent until
        // heard, so the moment the server registers the subscription does not matter.
        let mut got = None;
        for _ in 0..10 {
            app.gql_ok(
                &token,
                "mutation($id: ID!) { setPresence(inquiryId: $id, state: TYPING) }",
                json!({ "id": id }),
            )
            .await;
            got = watch.next_within(Duration::from_millis(500)).await;
            if got.is_some() {
                break;
            }
        }
        let got = got.expect("presence");
        assert_eq!(got["data"]["presenceChanged"]["state"], "TYPING");
    });
}

/// Several server processes on one PostgreSQL: a change made through one reaches the
/// subscribers of every other (LISTEN/NOTIFY). SQLite is one process by design: not run there.
#[tokio::test]
async fn on_postgresql_a_subscriber_of_one_process_hears_a_change_made_through_another() {
    for backend in madoguchi_tests::backends().await {
        if backend == madoguchi_tests::Backend::Sqlite {
            continue;
        }
        let first = madoguchi_tests::spawn_app(&backend).await;
        let second = first.another_process().await;
        let (token, actor) = first.tenant("A商店", true).await;
        let (other_token, _) = first.tenant("B商店", true).await;
        let shop = seed::shop(&first, &token, Marketplace::Rakuten, "楽天店").await;
        let inq = seed::inquiry(
            &first,
            &actor,
            &shop,
            Thread {
                mid: "p1",
                order_number: None,
                customer: "楽天 太郎",
                created_minutes: 0,
                messages: seed::asks(),
                completed: false,
            },
        )
        .await;

        // Subscribed on the second process; the reply goes through the first.
        let mut updates = second.subscribe(&token, "subscription { inquiryUpdated { id status } }", json!({})).await;
        let mut others = second.subscribe(&other_token, "subscription { inquiryUpdated { id } }", json!({})).await;
        first
            .gql_ok(
                &token,
                "mutation($id: ID!) { replyToInquiry(input: {inquiryId: $id, body: \"発送いたしました\"}) { id } }",
                json!({ "id": inq }),
            )
            .await;
        // (The seeding's own notifications may still be on their way: wait for the reply's.)
        let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let got = updates.next_within(left).await.expect("the other process hears the reply");
            assert_eq!(got["data"]["inquiryUpdated"]["id"], inq.as_str());
            if got["data"]["inquiryUpdated"]["status"] == "REPLIED" {
                break;
            }
        }
        assert!(others.next_within(Duration::from_millis(300)).await.is_none(), "still only the tenant's own");

        // And the other way round, with the second process making the change.
        let mut on_first =
            first.subscribe(&token, "subscription { inboxCountsChanged { needsReply } }", json!({})).await;
        second.gql_ok(&token, "mutation($id: ID!) { completeInquiry(id: $id) { status } }", json!({ "id": inq })).await;
        let counts = on_first.next_within(Duration::from_secs(2)).await.expect("the first process hears it");
        assert_eq!(counts["data"]["inboxCountsChanged"]["needsReply"], 0, "{counts}");
        second.finish().await;
        first.finish().await;
    }
}

/// Access that ends, ends live too: a revoked API token's subscriptions stop at once and it
/// cannot subscribe again.
#[tokio::test]
async fn a_revoked_token_stops_hearing_at_once() {
    each_backend!(|app| {
        let (admin, _) = app.tenant("A商店", true).await;
        let made = app
            .gql_ok(
                &admin,
                "mutation { createApiToken(name: \"BI\", scopes: [\"read\"]) { token apiToken { id } } }",
                json!({}),
            )
            .await;
        let token = made["createApiToken"]["token"].as_str().expect("token").to_owned();
        let id = made["createApiToken"]["apiToken"]["id"].clone();
        let mut live = app.subscribe(&token, "subscription { inquiryUpdated { id } }", json!({})).await;
        let mut admin_live = app.subscribe(&admin, "subscription { inquiryUpdated { id } }", json!({})).await;
        assert!(!live.ended_within(Duration::from_millis(200)).await, "open while the token is valid");

        app.gql_ok(&admin, "mutation($id: ID!) { revokeApiToken(id: $id) }", json!({ "id": id })).await;
        assert!(live.ended_within(Duration::from_secs(2)).await, "the revoked token's subscription ends");
        assert!(!admin_live.ended_within(Duration::from_millis(300)).await, "nobody else's");
    });
}

#[tokio::test]
async fn an_order_entered_or_changed_by_a_colleague_reaches_order_changed_for_its_shop_only_and_tenant() {
    each_backend!(|app| {
        let (token, _) = app.tenant("A商店", true).await;
        let (b_token, _) = app.tenant("B商店", true).await;
        let rakuten = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        let yahoo = seed::shop(&app, &token, Marketplace::Yahoo, "Yahoo店").await;
        let b_shop = seed::shop(&app, &b_token, Marketplace::Rakuten, "B楽天店").await;
        let query = "subscription($s: ID) { orderChanged(shopId: $s) { id orderNumber status } }";
        let mut all = app.subscribe(&token, query, json!({})).await;
        let mut only_yahoo = app.subscribe(&token, query, json!({ "s": yahoo })).await;
        tokio::time::sleep(Duration::from_millis(500)).await; // see above: no acknowledgement

        let create = "mutation($i: OrderInput!) { createOrder(input: $i) { id } }";
        let order = |shop: &str, number: &str| {
            json!({ "i": {
                "shopId": shop, "orderNumber": number, "orderedAt": "2026-11-01T10:00:00+09:00",
                "recipient": { "name": "佐藤 花子" },
                "items": [{ "name": "今治タオル", "unitPrice": 1100, "quantity": 1 }]
            } })
        };
        app.gql_ok(&b_token, create, order(&b_shop, "B-1")).await;
        let made = app.gql_ok(&token, create, order(&rakuten, "R-1")).await;
        let r1 = made["createOrder"]["id"].as_str().unwrap().to_owned();
        let got = all.next_within(Duration::from_secs(5)).await.expect("orderChanged");
        assert_eq!(got["data"]["orderChanged"]["id"], r1.as_str(), "A's own order first, never B's");
        assert_eq!(got["data"]["orderChanged"]["orderNumber"], "R-1");
        assert_eq!(got["extensions"]["sequence"].as_i64().map(|s| s > 0), Some(true), "{got}");

        let y =
            app.gql_ok(&token, create, order(&yahoo, "Y-1")).await["createOrder"]["id"].as_str().unwrap().to_owned();
        app.gql_ok(
            &token,
            "mutation($id: ID!) { updateOrder(id: $id, input: { status: SHIPPED }) { id } }",
            json!({ "id": y }),
        )
        .await;
        let first = only_yahoo.next_within(Duration::from_secs(5)).await.expect("Y-1 created");
        assert_eq!(first["data"]["orderChanged"]["id"], y.as_str(), "the Rakuten order is not the Yahoo! shop's");
        let second = only_yahoo.next_within(Duration::from_secs(5)).await.expect("Y-1 changed");
        assert_eq!(second["data"]["orderChanged"]["status"], "SHIPPED");
        assert!(only_yahoo.next_within(Duration::from_millis(300)).await.is_none());

        // A list that lost its socket after R-1 resumes from there: the Yahoo! shop's two changes.
        let cursor = got["extensions"]["cursor"].clone();
        let resume = "subscription($s: ID, $a: String) { orderChanged(shopId: $s, after: $a) { id status } }";
        let mut resumed = app.subscribe(&token, resume, json!({ "s": yahoo, "a": cursor })).await;
        let missed: Vec<String> = [
            resumed.next_within(Duration::from_secs(5)).await.expect("missed 1"),
            resumed.next_within(Duration::from_secs(5)).await.expect("missed 2"),
        ]
        .iter()
        .map(|m| {
            format!("{} {}", m["data"]["orderChanged"]["id"].as_str().unwrap(), m["data"]["orderChanged"]["status"])
        })
        .collect();
        // One payload per change, each the order as it is now (as every subscription re-reads).
        assert_eq!(missed, [format!("{y} \"SHIPPED\""), format!("{y} \"SHIPPED\"")]);
        assert!(resumed.next_within(Duration::from_millis(300)).await.is_none());
    });
}

/// One change wakes every subscriber of its tenant; they share one read of it
/// (graphql/live_reads.rs), and that read is never an earlier change's, nor another tenant's.
#[tokio::test]
async fn subscribers_woken_by_one_change_share_its_read_and_each_change_is_read_afresh() {
    each_backend!(|app| {
        let (a_token, a_actor) = app.tenant("A商店", true).await;
        let (b_token, b_actor) = app.tenant("B商店", true).await;
        let a_shop = seed::shop(&app, &a_token, Marketplace::Rakuten, "A楽天店").await;
        let b_shop = seed::shop(&app, &b_token, Marketplace::Rakuten, "B楽天店").await;
        let thread = |mid: &'static str| Thread {
            mid,
            order_number: None,
            customer: "顧客",
            created_minutes: 0,
            messages: seed::asks(),
            completed: false,
        };
        let a1 = seed::inquiry(&app, &a_actor, &a_shop, thread("a1")).await;
        let a2 = seed::inquiry(&app, &a_actor, &a_shop, thread("a2")).await;
        for mid in ["b1", "b2", "b3"] {
            seed::inquiry(&app, &b_actor, &b_shop, thread(mid)).await;
        }
        let counts_query = "subscription { inboxCountsChanged { needsReply } }";
        let mut counts = Vec::new();
        let mut updates = Vec::new();
        for _ in 0..3 {
            counts.push(app.subscribe(&a_token, counts_query, json!({})).await);
            updates.push(app.subscribe(&a_token, "subscription { inquiryUpdated { id status } }", json!({})).await);
        }
        let mut b_counts = app.subscribe(&b_token, counts_query, json!({})).await;
        let reply = "mutation($id: ID!) { replyToInquiry(input: {inquiryId: $id, body: \"確認いたします\"}) { id } }";

        for (inquiry, left) in [(&a1, 1), (&a2, 0)] {
            app.gql_ok(&a_token, reply, json!({ "id": inquiry })).await;
            for s in &mut counts {
                let got = s.next_within(Duration::from_secs(5)).await.expect("inboxCountsChanged");
                assert_eq!(got["data"]["inboxCountsChanged"]["needsReply"], left, "after replying to {inquiry}: {got}");
            }
            for s in &mut updates {
                let got = s.next_within(Duration::from_secs(5)).await.expect("inquiryUpdated");
                assert_eq!(got["data"]["inquiryUpdated"]["id"], inquiry.as_str(), "{got}");
                assert_eq!(got["data"]["inquiryUpdated"]["status"], "REPLIED", "{got}");
            }
        }
        assert!(app.state.live.held().await > 0, "the reads were kept for the subscribers of the same change");
        assert!(b_counts.next_within(Duration::from_millis(300)).await.is_none(), "B heard nothing of A's replies");
        // Tenant B's change is read for B: its own three waiting inquiries, less the one replied to.
        let b1 = app.gql_ok(&b_token, "{ inquiries(first: 1) { nodes { id } } }", json!({})).await;
        let b1 = b1["inquiries"]["nodes"][0]["id"].as_str().expect("an inquiry of B").to_owned();
        app.gql_ok(&b_token, reply, json!({ "id": b1 })).await;
        let got = b_counts.next_within(Duration::from_secs(5)).await.expect("B's inboxCountsChanged");
        assert_eq!(got["data"]["inboxCountsChanged"]["needsReply"], 2, "{got}");
    });
}
