//! `totalCount` of the inbox: from the kept counts when the filter is at most a status, a shop
//! and a marketplace (exact at any size), otherwise counted up to 10,000 and then said to be
//! capped (`totalCountCapped`).

use madoguchi_tests::each_backend;
use sea_orm::{ActiveValue::Set, EntityTrait};
use serde_json::{Value, json};
use server::store::entities::{inquiry, shop};
use shared::{Marketplace, MessageAuthor::*};

use crate::seed::{self, Thread};

const TOTAL: &str =
    "query($f: InquiryFilter) { inquiries(filter: $f, first: 100) { totalCount totalCountCapped nodes { id } } }";

#[tokio::test]
async fn the_total_of_every_filter_is_the_number_of_inquiries_listed() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let rakuten = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        let yahoo = seed::shop(&app, &token, Marketplace::Yahoo, "Yahoo店").await;
        let threads = [
            (&rakuten, "r1", vec![(Customer, "のしをお願いします")], false),
            (&rakuten, "r2", vec![(Customer, "在庫は"), (Shop, "ございます")], false),
            (&rakuten, "r3", vec![(Customer, "ありがとう")], true),
            (&yahoo, "y1", vec![(Customer, "領収書")], false),
            (&yahoo, "y2", vec![(Customer, "キャンセル"), (Shop, "承りました")], true),
        ];
        for (k, (shop, mid, messages, completed)) in threads.into_iter().enumerate() {
            let t = Thread {
                mid,
                order_number: None,
                customer: "楽天 太郎",
                created_minutes: k as i64 * 60,
                messages,
                completed,
            };
            seed::inquiry(&app, &actor, shop, t).await;
        }
        let filters = [
            json!({}),
            json!({ "status": "NEEDS_REPLY" }),
            json!({ "status": "REPLIED" }),
            json!({ "status": "COMPLETED" }),
            json!({ "shopId": rakuten }),
            json!({ "status": "NEEDS_REPLY", "shopId": yahoo }),
            json!({ "marketplace": "YAHOO" }),
            json!({ "status": "COMPLETED", "marketplace": "RAKUTEN", "shopId": rakuten }),
            json!({ "status": "NEEDS_REPLY", "marketplace": "RAKUTEN", "shopId": yahoo }),
            json!({ "search": "のし" }),
            json!({ "from": "2026-11-01T10:30:00+09:00" }),
            json!({ "unassigned": true, "status": "NEEDS_REPLY" }),
        ];
        for f in filters {
            let d = app.gql_ok(&token, TOTAL, json!({ "f": f })).await;
            let c = &d["inquiries"];
            assert_eq!(c["totalCount"], c["nodes"].as_array().expect("nodes").len(), "{f} on {}", app.backend.name());
            assert_eq!(c["totalCountCapped"], false);
        }
        // Without totalCount the page is the same.
        let d = app.gql_ok(&token, "{ inquiries(first: 100) { nodes { id } } }", json!({})).await;
        assert_eq!(d["inquiries"]["nodes"].as_array().expect("nodes").len(), 5);
    });
}

/// `n` plain inquiries of a shop written in batches (a test of size; imports write them one by
/// one through `upsert_inquiry`), created a minute apart from the base time.
async fn many(app: &madoguchi_tests::TestApp, tenant_id: i64, shop: &shop::Model, n: usize) {
    let base = seed::base_time();
    for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
        let rows = chunk.iter().map(|&k| {
            let at = base + chrono::TimeDelta::minutes(k as i64);
            inquiry::ActiveModel {
                tenant_id: Set(tenant_id),
                shop_id: Set(shop.id),
                marketplace: Set(shop.marketplace),
                marketplace_inquiry_id: Set(format!("m-{k}")),
                order_number: Set(None),
                customer_name: Set(Some("楽天 太郎".into())),
                subject: Set(None),
                created_at: Set(at),
                last_message_at: Set(at),
                last_author: Set(None),
                preview: Set(String::new()),
                completed: Set(false),
                completed_at: Set(None),
                completed_by: Set(None),
                status: Set(inquiry::Status::NeedsReply),
                reply_failed: Set(false),
                updated_at: Set(at),
                assignee_id: Set(None),
                assigned_by: Set(None),
                assigned_at: Set(None),
                waiting_since: Set(None),
                search_text: Set(shared::search_text::inquiry_document(
                    Some("楽天 太郎"),
                    None,
                    None,
                    &format!("m-{k}"),
                    [],
                )),
                ..Default::default()
            }
        });
        inquiry::Entity::insert_many(rows).exec(&app.state.db).await.expect("insert");
    }
}

#[tokio::test]
async fn a_total_the_counts_cannot_answer_stops_at_ten_thousand_and_says_so() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let id: i64 = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await.parse().expect("id");
        let shop = actor.scope.get::<shop::Entity>(&app.state.db, id).await.expect("db").expect("shop");
        many(&app, actor.scope.tenant_id(), &shop, 10_001).await;
        let total = |f: Value| {
            let (app, token) = (&app, token.clone());
            async move {
                let d = app.gql_ok(&token, TOTAL, json!({ "f": f })).await;
                (d["inquiries"]["totalCount"].as_i64().expect("count"), d["inquiries"]["totalCountCapped"].clone())
            }
        };
        assert_eq!(total(json!({})).await, (10_001, json!(false)), "kept counts: exact at any size");
        assert_eq!(total(json!({ "status": "NEEDS_REPLY", "shopId": id.to_string() })).await, (10_001, json!(false)));
        assert_eq!(total(json!({ "unassigned": true })).await, (10_000, json!(true)), "counted: capped");
        assert_eq!(total(json!({ "from": "2026-11-01T09:00:00+09:00" })).await, (10_000, json!(true)));
        // 2026-11-01 09:00 JST + 99 minutes: the first 100.
        assert_eq!(total(json!({ "to": "2026-11-01T10:39:00+09:00" })).await, (100, json!(false)));
        assert_eq!(total(json!({ "search": "m-10000" })).await, (1, json!(false)), "m10000 in its search text");
        // A search that matches thousands (SQLite walks the inbox's order instead of reading
        // the matches by id): a full page, newest first, and a capped total.
        assert_eq!(total(json!({ "search": "楽天 太郎" })).await, (10_000, json!(true)));
        let d = app
            .gql_ok(
                &token,
                "{ inquiries(filter: {search: \"楽天 太郎\"}, first: 3) { nodes { marketplaceInquiryId } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            d["inquiries"]["nodes"],
            json!([{ "marketplaceInquiryId": "m-10000" }, { "marketplaceInquiryId": "m-9999" }, { "marketplaceInquiryId": "m-9998" }])
        );
    });
}
