//! The demo as `madoguchi serve --demo` starts it: its orders and inquiries are in the
//! marketplace simulator and come in through the connectors, so a seeded inquiry is answered,
//! completed and reopened as it would be at the marketplace — the simulator receives each.

use std::time::Duration;

use chrono::{DateTime, Utc};
use madoguchi_tests::{backends, spawn_demo};
use mallsim::state::{AccountKey, Kind, Marketplace as Mall, Party};
use serde_json::{Value, json};

const REPLY: &str = "お問い合わせありがとうございます。本日発送いたします。";
const LIST: &str = "query($f: InquiryFilter) { inquiries(filter: $f, first: 100) { totalCount nodes { id marketplaceInquiryId status createdAt } } }";

async fn seeded(app: &madoguchi_tests::TestApp, marketplace: &str, status: &str, before: DateTime<Utc>) -> Vec<Value> {
    let d = app.gql(None, LIST, json!({ "f": { "marketplace": marketplace, "status": status, "to": before } })).await;
    d["data"]["inquiries"]["nodes"].as_array().unwrap_or_else(|| panic!("inquiries: {d}")).clone()
}

async fn ok(app: &madoguchi_tests::TestApp, query: &str, variables: Value) -> Value {
    let body = app.gql(None, query, variables).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    body["data"].clone()
}

#[tokio::test]
async fn the_demos_seeded_inquiries_are_answered_completed_and_reopened_at_the_simulator() {
    for backend in backends().await {
        // Everything the plan seeds is dated before the demo starts; what the demo's activity
        // adds meanwhile is dated after.
        let started = Utc::now();
        let app = spawn_demo(&backend).await;
        let mall = app.demo.clone().expect("the demo runs its simulator");
        let login = app
            .http
            .post(format!("{}/auth/login", app.base))
            .json(&json!({ "email": server::demo::DEMO_EMAIL, "password": server::demo::DEMO_PASSWORD }))
            .send()
            .await
            .unwrap();
        assert!(login.status().is_success(), "{}", login.status());

        // The seeded data is there as soon as the server is up: it came through the imports.
        let orders = ok(&app, "{ orders(first: 1) { totalCount } }", json!({})).await;
        assert!(orders["orders"]["totalCount"].as_i64().unwrap() >= 100, "{orders}");
        let all = ok(&app, LIST, json!({ "f": { "to": started } })).await;
        assert_eq!(all["inquiries"]["totalCount"], 40, "{all}");

        for (marketplace, key) in [
            ("RAKUTEN", AccountKey::new(Mall::Rakuten, mallsim::demo::RAKUTEN_SHOP_ID)),
            ("YAHOO", AccountKey::new(Mall::Yahoo, mallsim::demo::YAHOO_SELLER_ID)),
        ] {
            for status in ["NEEDS_REPLY", "REPLIED", "COMPLETED"] {
                assert!(!seeded(&app, marketplace, status, started).await.is_empty(), "{marketplace} {status}");
            }
            let (before, _) = mall.sim.counters(&key).await.unwrap();

            // A reply to a seeded open inquiry reaches the marketplace and is 返信済み.
            let waiting = seeded(&app, marketplace, "NEEDS_REPLY", started).await[0].clone();
            let reply = ok(
                &app,
                "mutation($i: ReplyInput!) { replyToInquiry(input: $i) { id } }",
                json!({ "i": { "inquiryId": waiting["id"], "body": REPLY } }),
            )
            .await;
            let message_id = reply["replyToInquiry"]["id"].clone();
            let mut delivery = Value::Null;
            for _ in 0..200 {
                let d = ok(
                    &app,
                    "query($id: ID!) { inquiry(id: $id) { status messages { id delivery } } }",
                    json!({ "id": waiting["id"] }),
                )
                .await;
                let m = d["inquiry"]["messages"].as_array().unwrap().iter().find(|m| m["id"] == message_id).cloned();
                delivery = m.map(|m| m["delivery"].clone()).unwrap_or_default();
                if delivery == "SENT" || delivery == "FAILED" {
                    assert_eq!(d["inquiry"]["status"], "REPLIED", "{d}");
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            assert_eq!(delivery, "SENT", "{marketplace}: the reply reached the simulator");
            let (after, received) = mall.sim.counters(&key).await.unwrap();
            assert_eq!(after.replies, before.replies + 1, "{marketplace}");
            let target = waiting["marketplaceInquiryId"].as_str().unwrap();
            assert!(received.iter().any(|r| matches!(r.kind, Kind::Reply) && r.target == target));
            {
                let st = mall.sim.state().await;
                let held = st.inquiry(&key, target).expect("the seeded inquiry is at the marketplace");
                assert!(
                    held.messages.iter().any(|m| m.from == Party::Merchant && m.body == REPLY),
                    "{marketplace}: the marketplace has the shop's answer"
                );
            }

            // Completing a seeded answered one: the marketplace is told first.
            let answered = seeded(&app, marketplace, "REPLIED", started)
                .await
                .into_iter()
                .find(|i| i["id"] != waiting["id"])
                .expect("another answered inquiry");
            let done =
                ok(&app, "mutation($id: ID!) { completeInquiry(id: $id) { status } }", json!({ "id": answered["id"] }))
                    .await;
            assert_eq!(done["completeInquiry"]["status"], "COMPLETED");
            let target = answered["marketplaceInquiryId"].as_str().unwrap();
            let (counted, _) = mall.sim.counters(&key).await.unwrap();
            assert_eq!(counted.completions, before.completions + 1, "{marketplace}");
            assert!(mall.sim.state().await.inquiry(&key, target).unwrap().is_completed());

            // Rakuten's completion can be undone, at the marketplace too.
            if marketplace == "RAKUTEN" {
                let open = ok(
                    &app,
                    "mutation($id: ID!) { reopenInquiry(id: $id) { status } }",
                    json!({ "id": answered["id"] }),
                )
                .await;
                // 返信済み, or 返信が必要 when the demo's customer has just written again.
                assert_ne!(open["reopenInquiry"]["status"], "COMPLETED");
                let (counted, _) = mall.sim.counters(&key).await.unwrap();
                assert_eq!(counted.incompletions, before.incompletions + 1);
                assert!(!mall.sim.state().await.inquiry(&key, target).unwrap().is_completed());
            }
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn a_second_start_of_the_demo_on_its_data_keeps_it_and_replies_still_reach_the_marketplace() {
    for backend in backends().await {
        let started = Utc::now();
        // The demo's data without its activity (which would add inquiries between the counts).
        let app = madoguchi_tests::spawn_app_with(&backend, |c| c.demo = true).await;
        let login = |app: &madoguchi_tests::TestApp| {
            app.http
                .post(format!("{}/auth/login", app.base))
                .json(&json!({ "email": server::demo::DEMO_EMAIL, "password": server::demo::DEMO_PASSWORD }))
                .send()
        };
        assert!(login(&app).await.unwrap().status().is_success());
        // Answered in the first run.
        let waiting = seeded(&app, "YAHOO", "NEEDS_REPLY", started).await[0].clone();
        ok(
            &app,
            "mutation($i: ReplyInput!) { replyToInquiry(input: $i) { id } }",
            json!({ "i": { "inquiryId": waiting["id"], "body": "確認いたします。" } }),
        )
        .await;
        let key = AccountKey::new(Mall::Yahoo, mallsim::demo::YAHOO_SELLER_ID);
        let delivered = "query($id: ID!) { inquiry(id: $id) { messages { delivery } } }";
        for _ in 0..200 {
            let d = ok(&app, delivered, json!({ "id": waiting["id"] })).await;
            if d["inquiry"]["messages"].as_array().unwrap().iter().all(|m| m["delivery"] == "SENT") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let before = ok(&app, LIST, json!({ "f": {} })).await["inquiries"]["totalCount"].clone();

        // The demo again on the same data, with a new simulator.
        let again = app.demo_again().await;
        assert!(login(&again).await.unwrap().status().is_success());
        let after = ok(&again, LIST, json!({ "f": {} })).await;
        assert_eq!(after["inquiries"]["totalCount"], before, "nothing is seeded twice");
        let thread = ok(
            &again,
            "query($id: ID!) { inquiry(id: $id) { status messages { author delivery } } }",
            json!({ "id": waiting["id"] }),
        )
        .await;
        assert_eq!(thread["inquiry"]["status"], "REPLIED", "{thread}");
        assert_eq!(thread["inquiry"]["messages"].as_array().unwrap().len(), 2, "imported once: {thread}");

        // The new simulator has the earlier reply, so the inquiry can be completed there.
        let done =
            ok(&again, "mutation($id: ID!) { completeInquiry(id: $id) { status } }", json!({ "id": waiting["id"] }))
                .await;
        assert_eq!(done["completeInquiry"]["status"], "COMPLETED");
        let new_mall = again.demo.clone().unwrap();
        assert_eq!(new_mall.sim.counters(&key).await.unwrap().0.completions, 1);
        again.finish().await;
        app.finish().await;
    }
}
