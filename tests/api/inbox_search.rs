//! The inbox's Japanese text search, the same on SQLite (FTS5 trigram) and PostgreSQL
//! (pg_trgm): half-width katakana, full-width digits and letters, case, and hyphens are
//! normalised alike on both sides (`shared::search_text`); 1–2 characters scan the most recent
//! inquiries; characters that mean something to a query language are plain text.

use madoguchi_tests::each_backend;
use serde_json::json;
use shared::{Marketplace, MessageAuthor::*};

use crate::seed::{self, Thread};

const FOUND: &str =
    "query($s: String) { inquiries(filter: {search: $s}, first: 50) { totalCount nodes { marketplaceInquiryId } } }";

#[tokio::test]
async fn japanese_search_finds_the_same_inquiries_on_both_databases() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        let threads: [(&str, &str, Option<&str>, Vec<_>); 6] = [
            ("a1", "ヤマダ タロウ", None, vec![(Customer, "テスト商品について質問です")]),
            ("a2", "佐藤 花子", Some("ＡＢＣ－１２３"), vec![(Customer, "お電話は090-1234-5678までお願いします")]),
            ("a3", "Suzuki Ichiro", None, vec![(Customer, "Order No. ＸＹＺ について"), (Shop, "のし紙を承りました")]),
            ("a4", "田中 一郎", None, vec![(Customer, "100%_オフ \"特価\" AND (セール*) は？")]),
            ("a5", "高橋 美咲", None, vec![(Customer, "ﾃｰﾌﾞﾙの色違いはありますか")]),
            ("a6", "伊藤 健太", None, vec![(Customer, "０９０１２３４５６７８ に折り返しを")]),
        ];
        for (k, (mid, customer, order_number, messages)) in threads.into_iter().enumerate() {
            let t = Thread { mid, order_number, customer, created_minutes: k as i64, messages, completed: false };
            seed::inquiry(&app, &actor, &shop, t).await;
        }
        let cases: [(&str, &[&str]); 24] = [
            ("ﾃｽﾄ", &["a1"]),
            ("テスト", &["a1"]),
            ("ﾔﾏﾀﾞ", &["a1"]),
            ("ヤマダ　タロウ", &["a1"]),
            ("09012345678", &["a2", "a6"]),
            ("090-1234-5678", &["a2", "a6"]),
            ("０９０－１２３４", &["a2", "a6"]),
            ("090ー1234ー5678", &["a2", "a6"]),
            ("abc123", &["a2"]),
            ("ABC-123", &["a2"]),
            ("order no", &["a3"]),
            ("xyz", &["a3"]),
            ("SUZUKI", &["a3"]),
            ("のし紙", &["a3"]),
            ("テーブル", &["a5"]),
            ("100%", &["a4"]),
            ("%_オ", &["a4"]),
            ("\"特価\"", &["a4"]),
            ("AND (セール*)", &["a4"]),
            ("セール*", &["a4"]),
            // 1–2 characters: the bounded scan, same normalisation.
            ("のし", &["a3"]),
            ("ﾃｽ", &["a1"]),
            ("５", &["a2", "a5", "a6"]), // a5: its marketplace id
            ("ありませんか", &[]),
        ];
        for (search, expected) in cases {
            let d = app.gql_ok(&token, FOUND, json!({ "s": search })).await;
            let mut got: Vec<&str> = d["inquiries"]["nodes"]
                .as_array()
                .expect("nodes")
                .iter()
                .map(|n| n["marketplaceInquiryId"].as_str().expect("id"))
                .collect();
            got.sort();
            assert_eq!(got, expected, "search {search:?} on {}", app.backend.name());
            assert_eq!(d["inquiries"]["totalCount"], expected.len(), "{search:?}");
        }
        // Only dashes: nothing searchable, nothing found.
        assert_eq!(app.gql_ok(&token, FOUND, json!({ "s": "--" })).await["inquiries"]["totalCount"], 0);
    });
}

#[tokio::test]
async fn a_new_message_and_a_changed_name_are_found_at_once() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        let t = |customer, messages| Thread {
            mid: "r1",
            order_number: None,
            customer,
            created_minutes: 0,
            messages,
            completed: false,
        };
        let id = seed::inquiry(&app, &actor, &shop, t("楽天 太郎", vec![(Customer, "在庫はありますか")])).await;
        let count = |s: &'static str| {
            let (app, token) = (&app, token.clone());
            async move { app.gql_ok(&token, FOUND, json!({ "s": s })).await["inquiries"]["totalCount"].clone() }
        };
        assert_eq!(count("南部鉄器").await, 0);
        seed::inquiry(
            &app,
            &actor,
            &shop,
            t("楽天 次郎", vec![(Customer, "在庫はありますか"), (Customer, "南部鉄器の急須")]),
        )
        .await;
        assert_eq!(count("南部鉄器").await, 1, "the new message");
        assert_eq!(count("楽天 次郎").await, 1, "the new name");
        assert_eq!(count("楽天 太郎").await, 0, "not the old one");
        app.gql_ok(
            &token,
            "mutation($i: ReplyInput!) { replyToInquiry(input: $i) { id } }",
            json!({ "i": { "inquiryId": id, "body": "ＴＥＳＴ在庫ございます" } }),
        )
        .await;
        assert_eq!(count("test在庫").await, 1, "a reply");
    });
}
