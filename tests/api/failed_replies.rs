//! A reply the marketplace refused is not an answer: the inquiry is 返信が必要 again everywhere
//! (status, list filter, counts, `replyFailed`) until the reply is resent and delivered.

use std::time::Duration;

use madoguchi_tests::each_backend;
use serde_json::{Value, json};

use crate::marketplaces::{Mall, RAKUTEN_SHOP, REPLY, rakuten_shop, run, wait_delivered_on};

const INQUIRY: &str = "query($id: ID!) { inquiry(id: $id) { status replyFailed messages { id author delivery } } }";
const COUNTS: &str = "{ inboxCounts { needsReply failedDeliveries } }";
const NEEDS_REPLY: &str =
    "query($s: ID) { inquiries(filter: {shopId: $s, status: NEEDS_REPLY}) { totalCount nodes { id replyFailed } } }";

#[tokio::test]
async fn a_refused_reply_leaves_the_inquiry_needing_a_reply_until_it_is_resent() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        let (token, _) = app.tenant("A商店", true).await;
        let shop = rakuten_shop(&app, &token, &mall, "楽天C店").await;
        mall.inquiry("質問です", 1).await;
        run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
        let list = app.gql_ok(&token, NEEDS_REPLY, json!({ "s": shop })).await;
        let id = list["inquiries"]["nodes"][0]["id"].as_str().expect("id").to_owned();
        assert_eq!(
            app.gql_ok(&token, COUNTS, json!({})).await["inboxCounts"],
            json!({ "needsReply": 1, "failedDeliveries": 0 })
        );

        // The marketplace refuses the reply (the shop's licence key has expired).
        mall.post(&format!("/accounts/rakuten/{RAKUTEN_SHOP}/expire"), json!({})).await;
        let mut counts = app
            .subscribe(&token, "subscription { inboxCountsChanged { needsReply failedDeliveries } }", json!({}))
            .await;
        app.gql_ok(&token, REPLY, json!({ "id": id, "b": "ご確認ありがとうございます。" })).await;
        assert_eq!(wait_delivered_on(&app, &token, &id).await["delivery"], "FAILED");

        let d = app.gql_ok(&token, INQUIRY, json!({ "id": id })).await;
        assert_eq!(d["inquiry"]["status"], "NEEDS_REPLY", "{d}");
        assert_eq!(d["inquiry"]["replyFailed"], true);
        let list = app.gql_ok(&token, NEEDS_REPLY, json!({ "s": shop })).await;
        assert_eq!(list["inquiries"]["totalCount"], 1, "still in 返信が必要: {list}");
        assert_eq!(list["inquiries"]["nodes"][0]["replyFailed"], true);
        assert_eq!(
            app.gql_ok(&token, COUNTS, json!({})).await["inboxCounts"],
            json!({ "needsReply": 1, "failedDeliveries": 1 })
        );
        // Live: the counts the inbox shows heard of the failure.
        let mut heard_failure = false;
        while let Some(msg) = counts.next_within(Duration::from_secs(5)).await {
            if msg["data"]["inboxCountsChanged"]["failedDeliveries"] == 1 {
                heard_failure = true;
                break;
            }
        }
        assert!(heard_failure, "inboxCountsChanged told of the failed reply");

        // Resent once the marketplace accepts again: answered.
        mall.post(&format!("/accounts/rakuten/{RAKUTEN_SHOP}/expire"), json!({"expired": false})).await;
        let mid = shop_message(&d);
        let retried =
            app.gql_ok(&token, "mutation($id: ID!) { retryMessage(id: $id) { delivery } }", json!({ "id": mid })).await;
        assert_eq!(retried["retryMessage"]["delivery"], "PENDING");
        assert_eq!(wait_delivered_on(&app, &token, &id).await["delivery"], "SENT");
        let d = app.gql_ok(&token, INQUIRY, json!({ "id": id })).await;
        assert_eq!(
            (d["inquiry"]["status"].as_str(), d["inquiry"]["replyFailed"].as_bool()),
            (Some("REPLIED"), Some(false))
        );
        assert_eq!(
            app.gql_ok(&token, COUNTS, json!({})).await["inboxCounts"],
            json!({ "needsReply": 0, "failedDeliveries": 0 })
        );
        mall.task.abort();
    });
}

fn shop_message(d: &Value) -> Value {
    d["inquiry"]["messages"].as_array().expect("messages").iter().find(|m| m["author"] == "SHOP").expect("reply")["id"]
        .clone()
}

#[tokio::test]
async fn what_rakuten_would_refuse_is_refused_before_it_is_stored() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        let (token, _) = app.tenant("A商店", true).await;
        let shop = rakuten_shop(&app, &token, &mall, "楽天D店").await;
        mall.inquiry("質問です", 1).await;
        run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
        let list = app.gql_ok(&token, NEEDS_REPLY, json!({ "s": shop })).await;
        let id = list["inquiries"]["nodes"][0]["id"].as_str().expect("id").to_owned();
        for body in [
            "当店のサイトをご覧ください https://example.com/item".to_owned(),
            "詳しくは http://item.rakuten.co.jp/shop/ へ".to_owned(),
            format!("長い行です{}", "あ".repeat(300)),
        ] {
            let r = app.gql(Some(&token), REPLY, json!({ "id": id, "b": body })).await;
            assert_eq!(madoguchi_tests::error_code(&r).as_deref(), Some("VALIDATION"), "{r}");
            assert_eq!(r["errors"][0]["extensions"]["field"], "body");
        }
        let d = app.gql_ok(&token, INQUIRY, json!({ "id": id })).await;
        assert!(
            d["inquiry"]["messages"].as_array().expect("m").iter().all(|m| m["author"] != "SHOP"),
            "nothing stored"
        );
        // A link on Rakuten's own https domains is fine.
        app.gql_ok(
            &token,
            REPLY,
            json!({ "id": id, "b": "商品ページ https://item.rakuten.co.jp/shop/item/ をご覧ください" }),
        )
        .await;
        mall.task.abort();
    });
}

#[tokio::test]
async fn a_failed_reply_can_be_corrected_and_resent_or_withdrawn() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        let (token, _) = app.tenant("A商店", true).await;
        let shop = rakuten_shop(&app, &token, &mall, "楽天E店").await;
        mall.inquiry("一つ目の質問です", 1).await;
        mall.inquiry("二つ目の質問です", 2).await;
        run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
        let list = app.gql_ok(&token, NEEDS_REPLY, json!({ "s": shop })).await;
        let ids: Vec<String> = list["inquiries"]["nodes"]
            .as_array()
            .expect("n")
            .iter()
            .map(|n| n["id"].as_str().expect("id").to_owned())
            .collect();
        mall.post(&format!("/accounts/rakuten/{RAKUTEN_SHOP}/expire"), json!({})).await;
        for id in &ids {
            app.gql_ok(&token, REPLY, json!({ "id": id, "b": "最初の文面です。" })).await;
            assert_eq!(wait_delivered_on(&app, &token, id).await["delivery"], "FAILED");
        }
        mall.post(&format!("/accounts/rakuten/{RAKUTEN_SHOP}/expire"), json!({"expired": false})).await;
        const RETRY: &str = "mutation($id: ID!, $b: String) { retryMessage(id: $id, body: $b) { delivery body } }";

        // Corrected: the new text is checked by the same rules, then sent once.
        let first = shop_message(&app.gql_ok(&token, INQUIRY, json!({ "id": ids[0] })).await);
        let refused =
            app.gql(Some(&token), RETRY, json!({ "id": first, "b": "http://example.com を見てください" })).await;
        assert_eq!(madoguchi_tests::error_code(&refused).as_deref(), Some("VALIDATION"), "{refused}");
        let retried = app.gql_ok(&token, RETRY, json!({ "id": first, "b": "直した文面です。" })).await;
        assert_eq!(retried["retryMessage"]["body"], "直した文面です。");
        assert_eq!(wait_delivered_on(&app, &token, &ids[0]).await["delivery"], "SENT");
        assert_eq!(mall.counters().await["replies"], 1);

        // Withdrawn: gone from the thread, the inquiry waits for a reply, nothing is sent.
        let second = shop_message(&app.gql_ok(&token, INQUIRY, json!({ "id": ids[1] })).await);
        let w = app
            .gql_ok(
                &token,
                "mutation($id: ID!) { withdrawMessage(id: $id) { id status replyFailed } }",
                json!({ "id": second }),
            )
            .await;
        assert_eq!(
            (w["withdrawMessage"]["status"].as_str(), w["withdrawMessage"]["replyFailed"].as_bool()),
            (Some("NEEDS_REPLY"), Some(false))
        );
        let d = app.gql_ok(&token, INQUIRY, json!({ "id": ids[1] })).await;
        assert!(d["inquiry"]["messages"].as_array().expect("m").iter().all(|m| m["author"] != "SHOP"));
        // A message that is not failed cannot be withdrawn.
        let again = app
            .gql(Some(&token), "mutation($id: ID!) { withdrawMessage(id: $id) { id } }", json!({ "id": first }))
            .await;
        assert_eq!(madoguchi_tests::error_code(&again).as_deref(), Some("CONFLICT"));
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(mall.counters().await["replies"], 1, "the withdrawn reply was never sent");
        assert_eq!(app.gql_ok(&token, COUNTS, json!({})).await["inboxCounts"]["failedDeliveries"], 0);
        mall.task.abort();
    });
}
