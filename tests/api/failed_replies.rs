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
