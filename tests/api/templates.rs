//! Templates: validation with the field named, rendering from the inquiry's shop.

use madoguchi_tests::{each_backend, error_code};
use serde_json::json;
use shared::Marketplace;

use crate::seed::{self, Thread};

const CREATE: &str = "mutation($i: TemplateInput!) { createTemplate(input: $i) { id category name body } }";
const UPDATE: &str = "mutation($id: ID!, $i: TemplateInput!) { updateTemplate(id: $id, input: $i) { id name body } }";

#[tokio::test]
async fn template_fields_are_required_trimmed_and_length_limited() {
    each_backend!(|app| {
        let (token, _) = app.tenant("A商店", true).await;
        let made = app
            .gql_ok(
                &token,
                CREATE,
                json!({ "i": { "category": "  ご挨拶 ", "name": " お礼 ", "body": "ありがとうございます。\n" } }),
            )
            .await;
        assert_eq!(made["createTemplate"]["category"], "ご挨拶");
        assert_eq!(made["createTemplate"]["name"], "お礼");
        assert_eq!(made["createTemplate"]["body"], "ありがとうございます。");
        for (field, input) in [
            ("category", json!({ "category": "  ", "name": "a", "body": "b" })),
            ("name", json!({ "category": "a", "name": "", "body": "b" })),
            ("body", json!({ "category": "a", "name": "b", "body": " \n " })),
            ("name", json!({ "category": "a", "name": "長".repeat(101), "body": "b" })),
        ] {
            let body = app.gql(Some(&token), CREATE, json!({ "i": input })).await;
            assert_eq!(error_code(&body).as_deref(), Some("VALIDATION"), "{body}");
            assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
        }
        let all_three = app.gql(Some(&token), CREATE, json!({ "i": { "category": "", "name": "", "body": "" } })).await;
        assert_eq!(
            all_three["errors"][0]["extensions"]["errors"].as_array().unwrap().len(),
            3,
            "every field is reported at once"
        );
        let listed = app.gql_ok(&token, "{ templates { id } templateCategories }", json!({})).await;
        assert_eq!(listed["templates"].as_array().unwrap().len(), 1, "nothing invalid was stored");
        assert_eq!(listed["templateCategories"], json!(["ご挨拶"]));
    });
}

#[tokio::test]
async fn templates_are_listed_by_category_edited_and_deleted() {
    each_backend!(|app| {
        let (token, _) = app.tenant("A商店", true).await;
        let a = app
            .gql_ok(
                &token,
                CREATE,
                json!({ "i": { "category": "発送", "name": "発送のご連絡", "body": "発送しました" } }),
            )
            .await;
        app.gql_ok(
            &token,
            CREATE,
            json!({ "i": { "category": "ご挨拶", "name": "お礼", "body": "ありがとうございます" } }),
        )
        .await;
        let id = a["createTemplate"]["id"].clone();
        let only =
            app.gql_ok(&token, "query($c: String) { templates(category: $c) { name } }", json!({ "c": "発送" })).await;
        assert_eq!(only["templates"], json!([{ "name": "発送のご連絡" }]));
        let edited = app
            .gql_ok(
                &token,
                UPDATE,
                json!({ "id": id, "i": { "category": "発送", "name": "発送完了", "body": "本日発送しました" } }),
            )
            .await;
        assert_eq!(edited["updateTemplate"]["name"], "発送完了");
        let bad = app
            .gql(Some(&token), UPDATE, json!({ "id": id, "i": { "category": "発送", "name": "", "body": "x" } }))
            .await;
        assert_eq!(error_code(&bad).as_deref(), Some("VALIDATION"));
        app.gql_ok(&token, "mutation($id: ID!) { deleteTemplate(id: $id) }", json!({ "id": id })).await;
        let gone = app.gql(Some(&token), "mutation($id: ID!) { deleteTemplate(id: $id) }", json!({ "id": id })).await;
        assert_eq!(error_code(&gone).as_deref(), Some("NOT_FOUND"));
        assert_eq!(
            app.gql_ok(&token, "{ templateCategories }", json!({})).await["templateCategories"],
            json!(["ご挨拶"])
        );
    });
}

#[tokio::test]
async fn render_template_fills_the_four_merge_fields_from_the_inquiry_shop() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Rakuten, "窓口屋").await;
        let inquiry = seed::inquiry(
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
        let t = app
            .gql_ok(
                &token,
                CREATE,
                json!({ "i": { "category": "ご挨拶", "name": "お礼", "body": "[出店モール店舗名]の[担当者名]です。[お届け予定日]に発送します。\nTEL [店舗電話番号] / [店舗メールアドレス]" } }),
            )
            .await;
        let rendered = app
            .gql_ok(
                &token,
                "query($t: ID!, $i: ID!) { renderTemplate(templateId: $t, inquiryId: $i) }",
                json!({ "t": t["createTemplate"]["id"], "i": inquiry }),
            )
            .await;
        assert_eq!(
            rendered["renderTemplate"],
            "窓口屋 本店の山田 花子です。[お届け予定日]に発送します。\nTEL 03-1111-2222 / shop@example.jp",
            "unknown bracketed text is left as it is"
        );
    });
}
