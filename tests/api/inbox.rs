//! The inbox: paging, filters, counts, replies, completion.

use madoguchi_tests::{each_backend, error_code};
use serde_json::{Value, json};
use shared::{Marketplace, MessageAuthor::*};
use std::collections::HashSet;

use crate::seed::{self, Thread};

const PAGE: &str = "query($f: InquiryFilter, $first: Int, $after: String, $last: Int, $before: String) {
  inquiries(filter: $f, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id } }
    nodes { id status customerName preview }
  }
}";

fn ids(page: &Value) -> Vec<String> {
    page["nodes"].as_array().expect("nodes").iter().map(|n| n["id"].as_str().expect("id").to_owned()).collect()
}

#[tokio::test]
async fn pages_forwards_and_backwards_cover_every_inquiry_once_in_order() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        let mut made = Vec::new();
        for k in 0..23 {
            // Two inquiries share each timestamp pair, so the id breaks ties.
            let mid = format!("r-{k}");
            made.push(
                seed::inquiry(
                    &app,
                    &actor,
                    &shop,
                    Thread {
                        mid: &mid,
                        order_number: None,
                        customer: "楽天 太郎",
                        created_minutes: (k / 2) * 10,
                        messages: seed::asks(),
                        completed: false,
                    },
                )
                .await,
            );
        }
        // Forwards, 5 at a time.
        let mut forward = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let d = app.gql_ok(&token, PAGE, json!({ "first": 5, "after": after })).await;
            let page = &d["inquiries"];
            assert_eq!(page["totalCount"], 23);
            assert_eq!(page["pageInfo"]["hasPreviousPage"], after.is_some());
            forward.extend(ids(page));
            if page["pageInfo"]["hasNextPage"] == false {
                break;
            }
            after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        }
        assert_eq!(forward.len(), 23, "no repeats, no gaps");
        assert_eq!(forward.iter().collect::<HashSet<_>>().len(), 23);
        let mut newest_first = made.clone();
        newest_first.reverse();
        assert_eq!(forward, newest_first, "newest activity first, ties by id");

        // Backwards from the end, 4 at a time.
        let mut backward: Vec<String> = Vec::new();
        let mut before: Option<String> = None;
        loop {
            let d = app.gql_ok(&token, PAGE, json!({ "last": 4, "before": before })).await;
            let page = &d["inquiries"];
            let mut chunk = ids(page);
            chunk.extend(backward);
            backward = chunk;
            if page["pageInfo"]["hasPreviousPage"] == false {
                break;
            }
            before = page["pageInfo"]["startCursor"].as_str().map(str::to_owned);
        }
        assert_eq!(backward, forward);

        // Edges carry the same nodes and cursors that resume the list.
        let d = app.gql_ok(&token, PAGE, json!({ "first": 3 })).await;
        let edge_ids: Vec<_> =
            d["inquiries"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["id"].clone()).collect();
        assert_eq!(
            edge_ids,
            d["inquiries"]["nodes"].as_array().unwrap().iter().map(|n| n["id"].clone()).collect::<Vec<_>>()
        );
        let bad = app.gql(Some(&token), PAGE, json!({ "first": 3, "after": "garbage" })).await;
        assert_eq!(error_code(&bad).as_deref(), Some("VALIDATION"));
        let too_many = app.gql(Some(&token), PAGE, json!({ "first": 1000 })).await;
        assert_eq!(error_code(&too_many).as_deref(), Some("VALIDATION"));
    });
}

#[tokio::test]
async fn filters_narrow_the_inbox_and_counts_equal_the_filtered_totals() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let rakuten = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        let yahoo = seed::shop(&app, &token, Marketplace::Yahoo, "Yahoo店").await;
        let t = |mid, customer, minutes, messages, completed| Thread {
            mid,
            order_number: None,
            customer,
            created_minutes: minutes,
            messages,
            completed,
        };
        seed::inquiry(&app, &actor, &rakuten, t("r1", "楽天 太郎", 0, vec![(Customer, "のしをお願いします")], false))
            .await;
        seed::inquiry(
            &app,
            &actor,
            &rakuten,
            t("r2", "楽天 花子", 60, vec![(Customer, "在庫はありますか"), (Shop, "ございます")], false),
        )
        .await;
        seed::inquiry(&app, &actor, &rakuten, t("r3", "楽天 次郎", 120, vec![(Customer, "ありがとう")], true)).await;
        seed::inquiry(&app, &actor, &yahoo, t("y1", "1b7*****", 180, vec![(Customer, "領収書の宛名について")], false))
            .await;
        seed::inquiry(
            &app,
            &actor,
            &yahoo,
            t("y2", "2c8*****", 2000, vec![(Customer, "キャンセルしたい"), (Shop, "承りました")], false),
        )
        .await;

        let total = |f: Value| {
            let app = &app;
            let token = token.clone();
            async move {
                app.gql_ok(&token, PAGE, json!({ "f": f, "first": 50 })).await["inquiries"]["totalCount"]
                    .as_i64()
                    .unwrap()
            }
        };
        assert_eq!(total(json!({ "status": "NEEDS_REPLY" })).await, 2);
        assert_eq!(total(json!({ "status": "REPLIED" })).await, 2);
        assert_eq!(total(json!({ "status": "COMPLETED" })).await, 1);
        assert_eq!(total(json!({ "shopId": rakuten })).await, 3);
        assert_eq!(total(json!({ "marketplace": "YAHOO" })).await, 2);
        assert_eq!(total(json!({ "search": "のし" })).await, 1, "text search reaches message bodies");
        assert_eq!(total(json!({ "search": "承りました" })).await, 1, "shop messages too");
        assert_eq!(total(json!({ "search": "100%" })).await, 0, "LIKE wildcards are literal");
        assert_eq!(total(json!({ "from": "2026-11-01T10:30:00+09:00", "to": "2026-11-01T12:00:00+09:00" })).await, 2);

        let counts =
            app.gql_ok(&token, "{ inboxCounts { needsReply byShop { shop { id } needsReply } } }", json!({})).await;
        assert_eq!(counts["inboxCounts"]["needsReply"], total(json!({ "status": "NEEDS_REPLY" })).await);
        for entry in counts["inboxCounts"]["byShop"].as_array().unwrap() {
            let shop_id = entry["shop"]["id"].clone();
            assert_eq!(
                entry["needsReply"].as_i64().unwrap(),
                total(json!({ "status": "NEEDS_REPLY", "shopId": shop_id })).await
            );
        }
        let shops = app.gql_ok(&token, "{ shops { id needsReplyCount } }", json!({})).await;
        assert_eq!(shops["shops"][0]["needsReplyCount"], 1);
    });
}

const REPLY: &str = "mutation($i: ReplyInput!) { replyToInquiry(input: $i) { id author staffName body delivery } }";
const ONE: &str = "query($id: ID!) { inquiry(id: $id) { status completedAt messages { id author body delivery } } }";
const COUNTS: &str = "{ inboxCounts { needsReply } }";

#[tokio::test]
async fn a_reply_is_stored_pending_and_turns_the_inquiry_to_replied() {
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
        assert_eq!(app.gql_ok(&token, COUNTS, json!({})).await["inboxCounts"]["needsReply"], 1);
        let before = app.gql_ok(&token, ONE, json!({ "id": id })).await;
        let last_seen = before["inquiry"]["messages"][0]["id"].clone();

        let sent = app
            .gql_ok(
                &token,
                REPLY,
                json!({ "i": { "inquiryId": id, "body": "明日発送いたします。", "lastSeenMessageId": last_seen } }),
            )
            .await;
        assert_eq!(sent["replyToInquiry"]["author"], "SHOP");
        assert_eq!(sent["replyToInquiry"]["delivery"], "PENDING");
        let after = app.gql_ok(&token, ONE, json!({ "id": id })).await;
        assert_eq!(after["inquiry"]["status"], "REPLIED");
        assert_eq!(after["inquiry"]["messages"].as_array().unwrap().len(), 2);
        assert_eq!(app.gql_ok(&token, COUNTS, json!({})).await["inboxCounts"]["needsReply"], 0, "the count drops");

        let empty = app.gql(Some(&token), REPLY, json!({ "i": { "inquiryId": id, "body": "   " } })).await;
        assert_eq!(error_code(&empty).as_deref(), Some("VALIDATION"));
        assert_eq!(empty["errors"][0]["extensions"]["field"], "body");
    });
}

#[tokio::test]
async fn a_reply_based_on_a_stale_thread_is_refused_and_nothing_is_stored() {
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
        let first = app.gql_ok(&token, ONE, json!({ "id": id })).await["inquiry"]["messages"][0]["id"].clone();
        // The customer writes again before the staff member sends.
        seed::inquiry(
            &app,
            &actor,
            &shop,
            Thread {
                mid: "r1",
                order_number: None,
                customer: "楽天 太郎",
                created_minutes: 0,
                messages: vec![(Customer, "商品はいつ届きますか？"), (Customer, "追記: 住所を変更しました")],
                completed: false,
            },
        )
        .await;
        let stale = app
            .gql(
                Some(&token),
                REPLY,
                json!({ "i": { "inquiryId": id, "body": "明日発送します", "lastSeenMessageId": first } }),
            )
            .await;
        assert_eq!(error_code(&stale).as_deref(), Some("CONFLICT"));
        let thread = app.gql_ok(&token, ONE, json!({ "id": id })).await;
        assert_eq!(thread["inquiry"]["messages"].as_array().unwrap().len(), 2, "nothing half-stored");
        assert_eq!(thread["inquiry"]["status"], "NEEDS_REPLY");
    });
}

const COMPLETE: &str = "mutation($id: ID!) { completeInquiry(id: $id) { status completedAt completedBy } }";
const REOPEN: &str = "mutation($id: ID!) { reopenInquiry(id: $id) { status completedAt } }";

#[tokio::test]
async fn yahoo_inquiry_cannot_be_reopened_after_completion() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Yahoo, "Yahoo店").await;
        let id = seed::inquiry(
            &app,
            &actor,
            &shop,
            Thread {
                mid: "y1",
                order_number: None,
                customer: "1b7*****",
                created_minutes: 0,
                messages: vec![(Customer, "質問です"), (Shop, "回答です")],
                completed: false,
            },
        )
        .await;
        let done = app.gql_ok(&token, COMPLETE, json!({ "id": id })).await;
        assert_eq!(done["completeInquiry"]["status"], "COMPLETED");
        let refused = app.gql(Some(&token), REOPEN, json!({ "id": id })).await;
        assert_eq!(error_code(&refused).as_deref(), Some("CONFLICT"));
        assert!(
            refused["errors"][0]["message"].as_str().unwrap().contains("Yahoo"),
            "the reason names the marketplace: {refused}"
        );
        // A new customer message does not reopen it either.
        seed::inquiry(
            &app,
            &actor,
            &shop,
            Thread {
                mid: "y1",
                order_number: None,
                customer: "1b7*****",
                created_minutes: 0,
                messages: vec![(Customer, "質問です"), (Shop, "回答です"), (Customer, "追加の質問")],
                completed: false,
            },
        )
        .await;
        assert_eq!(app.gql_ok(&token, ONE, json!({ "id": id })).await["inquiry"]["status"], "COMPLETED");
    });
}

#[tokio::test]
async fn yahoo_needs_a_shop_reply_before_completion() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Yahoo, "Yahoo店").await;
        let id = seed::inquiry(
            &app,
            &actor,
            &shop,
            Thread {
                mid: "y1",
                order_number: None,
                customer: "1b7*****",
                created_minutes: 0,
                messages: seed::asks(),
                completed: false,
            },
        )
        .await;
        let refused = app.gql(Some(&token), COMPLETE, json!({ "id": id })).await;
        assert_eq!(error_code(&refused).as_deref(), Some("CONFLICT"));
    });
}

#[tokio::test]
async fn rakuten_inquiry_reopens_by_hand_and_by_a_new_customer_message() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        let thread = |messages| Thread {
            mid: "r1",
            order_number: None,
            customer: "楽天 太郎",
            created_minutes: 0,
            messages,
            completed: false,
        };
        let id = seed::inquiry(&app, &actor, &shop, thread(seed::asks())).await;
        let done = app.gql_ok(&token, COMPLETE, json!({ "id": id })).await;
        assert_eq!(done["completeInquiry"]["status"], "COMPLETED");
        assert_eq!(done["completeInquiry"]["completedBy"], "test");
        let again = app.gql_ok(&token, REOPEN, json!({ "id": id })).await;
        assert_eq!(again["reopenInquiry"]["status"], "NEEDS_REPLY");
        assert_eq!(again["reopenInquiry"]["completedAt"], Value::Null);
        app.gql_ok(&token, COMPLETE, json!({ "id": id })).await;
        seed::inquiry(
            &app,
            &actor,
            &shop,
            thread(vec![(Customer, "商品はいつ届きますか？"), (Customer, "まだ届きません")]),
        )
        .await;
        assert_eq!(app.gql_ok(&token, ONE, json!({ "id": id })).await["inquiry"]["status"], "NEEDS_REPLY");
    });
}

#[tokio::test]
async fn yahoo_customers_appear_only_by_their_masked_id() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let yahoo = seed::shop(&app, &token, Marketplace::Yahoo, "Yahoo店").await;
        let rakuten = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        seed::inquiry(
            &app,
            &actor,
            &yahoo,
            Thread {
                mid: "y1",
                order_number: None,
                customer: "1b7*****",
                created_minutes: 0,
                messages: seed::asks(),
                completed: false,
            },
        )
        .await;
        seed::inquiry(
            &app,
            &actor,
            &rakuten,
            Thread {
                mid: "r1",
                order_number: None,
                customer: "楽天 太郎",
                created_minutes: 5,
                messages: seed::asks(),
                completed: false,
            },
        )
        .await;
        let d = app
            .gql_ok(&token, "{ inquiries(first: 10) { nodes { customerName shop { marketplace } } } }", json!({}))
            .await;
        for n in d["inquiries"]["nodes"].as_array().unwrap() {
            match n["shop"]["marketplace"].as_str().unwrap() {
                "YAHOO" => assert_eq!(n["customerName"], "1b7*****"),
                _ => assert_eq!(n["customerName"], "楽天 太郎"),
            }
        }
    });
}

#[tokio::test]
async fn inquiry_management_needs_the_api_option() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("オプションなし商店", false).await;
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
        for (q, v) in
            [(REPLY, json!({ "i": { "inquiryId": id, "body": "こんにちは" } })), (COMPLETE, json!({ "id": id }))]
        {
            let body = app.gql(Some(&token), q, v).await;
            assert_eq!(error_code(&body).as_deref(), Some("API_OPTION_REQUIRED"), "{body}");
            assert!(body["errors"][0]["message"].as_str().unwrap().contains("APIオプション"));
        }
        // Everything else works.
        app.gql_ok(&token, "{ shops { id } templates { id } }", json!({})).await;
    });
}

/// A GraphQL multipart request (the spec browsers use), with a mixed-case boundary as Chrome sends.
async fn reply_with_file(
    app: &madoguchi_tests::TestApp,
    token: &str,
    inquiry: &str,
    name: &str,
    content_type: &str,
    bytes: &[u8],
) -> Value {
    let boundary = "----WebKitFormBoundaryAbCdEf012XyZ";
    let operations = json!({
        "query": "mutation($i: ReplyInput!) { replyToInquiry(input: $i) { id attachments { fileName contentType size url } } }",
        "variables": { "i": { "inquiryId": inquiry, "body": "画像を添付します", "attachments": [null] } }
    });
    let mut body = Vec::new();
    for (field, value) in
        [("operations", operations.to_string()), ("map", json!({ "0": ["variables.i.attachments.0"] }).to_string())]
    {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"{name}\"\r\nContent-Type: {content_type}\r\n\r\n").as_bytes());
    body.extend(bytes);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    app.http
        .post(format!("{}/graphql", app.base))
        .bearer_auth(token)
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_reply_carries_an_attachment_within_the_marketplace_limits() {
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
        let png = b"\x89PNG\r\n\x1a\nnot really an image";
        let ok = reply_with_file(&app, &token, &id, "写真.png", "image/png", png).await;
        assert!(ok.get("errors").is_none(), "{ok}");
        let att = &ok["data"]["replyToInquiry"]["attachments"][0];
        assert_eq!(att["fileName"], "写真.png");
        assert_eq!(att["size"], png.len());
        let file = app
            .http
            .get(format!("{}{}", app.base, att["url"].as_str().unwrap()))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(file.headers()["content-type"], "application/octet-stream", "never rendered by the browser");
        assert_eq!(file.bytes().await.unwrap().as_ref(), png);
        let (other, _) = app.tenant("B商店", true).await;
        let foreign = app
            .http
            .get(format!("{}{}", app.base, att["url"].as_str().unwrap()))
            .bearer_auth(&other)
            .send()
            .await
            .unwrap();
        assert_eq!(foreign.status(), 404);

        let exe = reply_with_file(&app, &token, &id, "setup.exe", "application/octet-stream", b"MZ").await;
        assert_eq!(error_code(&exe).as_deref(), Some("VALIDATION"), "{exe}");
        assert_eq!(exe["errors"][0]["extensions"]["field"], "attachments");
        let big = vec![0u8; 5_000_001];
        let too_big = reply_with_file(&app, &token, &id, "big.pdf", "application/pdf", &big).await;
        assert_eq!(error_code(&too_big).as_deref(), Some("VALIDATION"), "Rakuten takes 5 MB at most");
        let thread = app.gql_ok(&token, ONE, json!({ "id": id })).await;
        assert_eq!(thread["inquiry"]["messages"].as_array().unwrap().len(), 2, "refused replies store nothing");
    });
}

#[tokio::test]
async fn a_searched_row_carries_the_text_around_the_match_in_the_newest_message_that_has_it() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        let thread = |mid, customer, order_number, messages| Thread {
            mid,
            order_number,
            customer,
            created_minutes: 0,
            messages,
            completed: false,
        };
        seed::inquiry(
            &app,
            &actor,
            &shop,
            thread(
                "r1",
                "楽天 太郎",
                None,
                vec![
                    (
                        Customer,
                        "お世話になっております。先日注文した南部鉄器の急須ですが、のしを付けていただけますか。",
                    ),
                    (Shop, "承知しました。のし紙は紅白でよろしいでしょうか。"),
                    (Customer, "はい、お願いします。"),
                ],
            ),
        )
        .await;
        seed::inquiry(
            &app,
            &actor,
            &shop,
            thread("r2", "のし 花子", Some("382817-20261101-0000042"), vec![(Customer, "在庫はありますか")]),
        )
        .await;
        let q = "query($f: InquiryFilter, $m: String) { inquiries(filter: $f, first: 10) { nodes { customerName preview excerpt(matching: $m) } } }";
        let rows = app.gql_ok(&token, q, json!({ "f": { "search": "のし" }, "m": "のし" })).await["inquiries"]["nodes"]
            .clone();
        let by_name = |name: &str| rows.as_array().unwrap().iter().find(|r| r["customerName"] == name).unwrap().clone();
        let taro = by_name("楽天 太郎");
        assert_eq!(taro["preview"], "はい、お願いします。", "the preview stays the latest customer message");
        assert_eq!(
            taro["excerpt"], "承知しました。のし紙は紅白でよろしいでしょうか。",
            "the newest message with the word"
        );
        assert_eq!(by_name("のし 花子")["excerpt"], Value::Null, "only the name matched: no excerpt");
        // Around the match: cut with … on both sides when the message goes on.
        let rows = app.gql_ok(&token, q, json!({ "f": { "search": "南部鉄器" }, "m": "南部鉄器" })).await["inquiries"]
            ["nodes"]
            .clone();
        assert_eq!(
            rows[0]["excerpt"],
            "お世話になっております。先日注文した南部鉄器の急須ですが、のしを付けていただけますか。"
        );
        let rows = app.gql_ok(&token, q, json!({ "m": "のしを" })).await["inquiries"]["nodes"].clone();
        let excerpt = rows.as_array().unwrap().iter().find_map(|r| r["excerpt"].as_str()).expect("one excerpt");
        assert!(excerpt.starts_with('…') && excerpt.contains("のしを付けていただけますか。"), "{excerpt}");
        // No `matching`, no excerpt.
        let rows = app.gql_ok(&token, q, json!({})).await["inquiries"]["nodes"].clone();
        assert!(rows.as_array().unwrap().iter().all(|r| r["excerpt"].is_null()));
    });
}
