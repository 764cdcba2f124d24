//! The contract cannot drift: the committed `schema.graphql` equals the code's schema, and every
//! operation the browser app sends (`shared::ops`) runs against the real server and decodes
//! into the app's own types.

use std::time::Duration;

use madoguchi_tests::each_backend;
use serde_json::{Value, json};
use shared::ops::{self, Operation};
use shared::{Marketplace, MessageAuthor::*};

use crate::seed::{self, Thread};

#[test]
fn committed_schema_matches_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema.graphql");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let current = server::graphql::sdl();
    if std::env::var("MADOGUCHI_UPDATE_SCHEMA").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &current).expect("write schema.graphql");
        return;
    }
    assert!(
        committed == current,
        "schema.graphql differs from the code: run `cargo run -p madoguchi-server -- schema > schema.graphql` and review the diff"
    );
}

#[test]
fn the_schema_keeps_every_name_api_md_promises() {
    let sdl = server::graphql::sdl();
    for name in [
        "enum Marketplace",
        "AU_PAY",
        "CUSTOM_CSV",
        "enum InquiryStatus",
        "NEEDS_REPLY",
        "enum OrderStatus",
        "AWAITING_SHIPMENT",
        "enum DeliveryState",
        "enum SyncKind",
        "EXPORT_EVALUATIONS",
        "enum SyncState",
        "type InquiryConnection",
        "type InquiryEdge",
        "type PageInfo",
        "totalCount: Int!",
        "needsReplyCount: Int!",
        "credentialsSet: Boolean!",
        "renderTemplate(templateId: ID!, inquiryId: ID!): String!",
        "replyToInquiry(input: ReplyInput!): Message!",
        // Extended by optional arguments (issue: fix and resend); calls written to API.md still work.
        "retryMessage(id: ID!, body: String",
        "reopenInquiry(id: ID!): Inquiry!",
        "registerEvaluations(input: ExportInput!): SyncRun!",
        // Extended: without `inquiryId` it tells presence on every inquiry (the inbox rows).
        "presenceChanged(inquiryId: ID): Presence!",
        "scalar Upload",
        "scalar JSON",
        "scalar DateTime",
        "lastSeenMessageId: ID",
        // Extended by an optional `filter` (実行履歴's filters); calls written to API.md still work.
        "syncRuns(shopId: ID, first: Int, after: String",
    ] {
        assert!(sdl.contains(name), "API.md promises `{name}`");
    }
}

async fn run<O: Operation>(app: &madoguchi_tests::TestApp, token: &str, vars: Value) -> Value {
    let body = app.gql(Some(token), O::DOCUMENT, vars).await;
    let errors = body["errors"].as_array().cloned().unwrap_or_default();
    assert!(errors.is_empty(), "{} failed against the schema: {body:#}", O::NAME);
    serde_json::from_value::<O::Data>(body["data"].clone())
        .unwrap_or_else(|e| panic!("{}: the app's types do not decode the answer: {e}\n{body:#}", O::NAME));
    body["data"].clone()
}

#[tokio::test]
async fn every_operation_of_the_browser_app_runs_against_the_real_schema() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        let inquiry = seed::inquiry(
            &app,
            &actor,
            &shop,
            Thread {
                mid: "r1",
                order_number: Some("o-1"),
                customer: "楽天 太郎",
                created_minutes: 0,
                messages: vec![(Customer, "質問")],
                completed: false,
            },
        )
        .await;
        let order = app
            .gql_ok(&token, "mutation($s: ID!) { createOrder(input: {shopId: $s, orderNumber: \"o-1\", orderedAt: \"2026-11-01T00:00:00+09:00\", recipient: {name: \"佐藤\"}, items: [{name: \"x\", unitPrice: 1, quantity: 1}]}) { id } }", json!({ "s": shop }))
            .await["createOrder"]["id"]
            .clone();
        let template_input = json!({ "category": "ご挨拶", "name": "お礼", "body": "[担当者名]です" });

        let mut checked = Vec::new();
        macro_rules! check {
            ($op:ty, $vars:expr) => {{
                checked.push(<$op>::NAME);
                run::<$op>(&app, &token, $vars).await
            }};
        }
        check!(ops::Viewer, json!({}));
        check!(ops::InboxCounts, json!({}));
        check!(ops::Shops, json!({}));
        check!(ops::Inquiries, json!({ "filter": { "status": "NEEDS_REPLY" }, "first": 20 }));
        let detail = check!(ops::Inquiry, json!({ "id": inquiry }));
        let last_seen = detail["inquiry"]["messages"][0]["id"].clone();
        let t = check!(ops::CreateTemplate, json!({ "input": template_input }));
        let tid = t["createTemplate"]["id"].clone();
        check!(ops::UpdateTemplate, json!({ "id": tid, "input": template_input }));
        check!(ops::Templates, json!({ "category": "ご挨拶" }));
        check!(ops::TemplateCategories, json!({}));
        check!(
            ops::ReplyToInquiry,
            json!({ "input": { "inquiryId": inquiry, "body": "回答です", "lastSeenMessageId": last_seen } })
        );
        check!(ops::SetPresence, json!({ "inquiryId": inquiry, "state": "TYPING" }));
        check!(ops::CompleteInquiry, json!({ "id": inquiry }));
        check!(ops::ReopenInquiry, json!({ "id": inquiry }));
        check!(ops::Orders, json!({ "first": 10 }));
        check!(ops::Order, json!({ "id": order }));
        check!(ops::TestShopConnection, json!({ "id": shop }));
        check!(ops::UpdateOrder, json!({ "id": order, "input": { "notes": "メモ" } }));
        check!(
            ops::UpdateOrders,
            json!({ "ids": [order], "input": { "status": "PROCESSING", "shipDate": "2026-11-03" } })
        );
        check!(
            ops::CreateOrder,
            json!({ "input": {
                "shopId": shop, "orderNumber": "tel-1", "orderedAt": "2026-12-02T10:00:00+09:00",
                "buyer": { "name": "電話 花子" }, "recipient": { "name": "電話 花子" },
                "items": [{ "name": "急須", "unitPrice": 8800, "quantity": 1 }], "paymentMethod": "代金引換"
            }})
        );
        run::<ops::Orders>(&app, &token, json!({ "filter": { "marketplace": "RAKUTEN" }, "first": 10 })).await;
        check!(ops::DeleteTemplate, json!({ "id": tid }));
        // A retry is only valid for a failed message; the document must still be valid.
        checked.push(ops::RetryMessage::NAME);
        let pending = app
            .gql_ok(&token, "query($id: ID!) { inquiry(id: $id) { messages { id } } }", json!({ "id": inquiry }))
            .await["inquiry"]["messages"][1]["id"]
            .clone();
        let retry = app
            .gql(
                Some(&token),
                ops::RetryMessage::DOCUMENT,
                json!({ "id": pending, "body": "直した本文", "dropAttachments": false }),
            )
            .await;
        assert_eq!(
            retry["errors"][0]["extensions"]["code"], "CONFLICT",
            "a valid document refused for a business reason: {retry}"
        );
        checked.push(ops::WithdrawMessage::NAME);
        let withdraw = app.gql(Some(&token), ops::WithdrawMessage::DOCUMENT, json!({ "id": pending })).await;
        assert_eq!(
            withdraw["errors"][0]["extensions"]["code"], "CONFLICT",
            "a valid document refused for a business reason: {withdraw}"
        );

        // Shops, settings and API tokens.
        check!(ops::ShopSettingsList, json!({}));
        let shop_input = json!({
            "marketplace": "RAKUMA", "name": "ラクマ店",
            "profile": { "mallShopName": "ラクマ店", "staffName": "鈴木", "phone": "03-0000-0000", "email": "r@example.jp" },
            "settings": { "importDays": 14, "autoImport": false, "autoExport": false, "reviewMessage": "ありがとうございました",
                          "registeredEmail": "r@example.jp", "credentials": { "email": "a@example.jp", "password": "p", "clientId": "c", "clientSecret": "s" } }
        });
        let created = check!(ops::CreateShop, json!({ "input": shop_input }));
        let rakuma = created["createShop"]["id"].clone();
        let mut keep_credentials = shop_input.clone();
        keep_credentials["settings"].as_object_mut().unwrap().remove("credentials");
        keep_credentials["settings"]["importDays"] = json!(30);
        let updated = check!(ops::UpdateShop, json!({ "id": rakuma, "input": keep_credentials }));
        assert_eq!(updated["updateShop"]["settings"]["importDays"], 30);
        assert_eq!(
            updated["updateShop"]["settings"]["credentialsSet"], true,
            "no credentials sent: the stored ones stay"
        );
        let t = check!(ops::CreateApiToken, json!({ "name": "連携", "scopes": ["read"] }));
        check!(ops::ApiTokens, json!({}));
        check!(ops::RevokeApiToken, json!({ "id": t["createApiToken"]["apiToken"]["id"] }));
        // Staff accounts.
        let member = check!(
            ops::CreateStaff,
            json!({ "input": { "email": "kato@example.jp", "name": "加藤", "role": "STAFF", "password": "0123456789" } })
        );
        let member = member["createStaff"]["id"].clone();
        check!(
            ops::UpdateStaff,
            json!({ "id": member, "input": { "email": "kato@example.jp", "name": "加藤 一郎", "role": "VIEWER" } })
        );
        check!(ops::DisableStaff, json!({ "id": member }));
        check!(ops::EnableStaff, json!({ "id": member }));
        check!(ops::StaffMembers, json!({}));
        // Webhooks.
        let hook = check!(
            ops::CreateWebhook,
            json!({ "input": { "url": "http://127.0.0.1:9/hook", "events": ["INQUIRY_RECEIVED", "ORDER_CREATED"] } })
        );
        check!(ops::Webhooks, json!({}));
        check!(ops::DeleteWebhook, json!({ "id": hook["createWebhook"]["webhook"]["id"] }));
        // Assignment, internal notes, who waits longest.
        check!(ops::AssignableStaff, json!({}));
        check!(ops::AssignInquiry, json!({ "id": inquiry, "staffId": member }));
        check!(ops::AddInquiryNote, json!({ "inquiryId": inquiry, "body": "社内メモ" }));
        run::<ops::AssignInquiry>(&app, &token, json!({ "id": inquiry, "staffId": null })).await;
        check!(ops::MarkInquiryRead, json!({ "id": inquiry }));
        run::<ops::Inquiries>(
            &app,
            &token,
            json!({ "filter": { "assigneeId": member, "unassigned": false, "unread": true }, "sort": "OLDEST_WAITING", "first": 20 }),
        )
        .await;
        check!(ops::SyncRuns, json!({ "shopId": shop, "first": 20 }));
        // Manual runs: a run, or a refusal for a business reason (no connector, no credentials,
        // not offered on this marketplace); never an invalid document.
        let period = json!({ "createdFrom": "2026-11-01T00:00:00+09:00", "createdTo": "2026-11-30T23:59:59+09:00" });
        for (name, doc, vars) in [
            (ops::ImportOrders::NAME, ops::ImportOrders::DOCUMENT, json!({ "input": { "shopId": shop } })),
            (
                ops::ImportInquiries::NAME,
                ops::ImportInquiries::DOCUMENT,
                json!({ "input": { "shopId": shop, "from": "2026-11-01T00:00:00+09:00", "to": "2026-11-02T00:00:00+09:00" } }),
            ),
            (
                ops::ExportShipments::NAME,
                ops::ExportShipments::DOCUMENT,
                json!({ "input": { "shopId": rakuma, "createdFrom": period["createdFrom"], "createdTo": period["createdTo"] } }),
            ),
            (
                ops::RegisterEvaluations::NAME,
                ops::RegisterEvaluations::DOCUMENT,
                json!({ "input": { "shopId": rakuma, "createdFrom": period["createdFrom"], "createdTo": period["createdTo"] } }),
            ),
        ] {
            checked.push(name);
            let body = app.gql(Some(&token), doc, vars).await;
            match body["errors"].as_array().filter(|e| !e.is_empty()) {
                None => {
                    let key = body["data"].as_object().and_then(|d| d.keys().next().cloned()).expect("data");
                    serde_json::from_value::<ops::SyncRun>(body["data"][&key].clone())
                        .unwrap_or_else(|e| panic!("{name}: the app's types do not decode the answer: {e}\n{body:#}"));
                }
                Some(errors) => {
                    let code = errors[0]["extensions"]["code"].as_str().unwrap_or_default();
                    assert!(
                        ["MARKETPLACE_UNAVAILABLE", "MARKETPLACE_REFUSED", "VALIDATION", "API_OPTION_REQUIRED"]
                            .contains(&code),
                        "{name}: a valid document refused only for a business reason: {body:#}"
                    );
                }
            }
        }

        // The custom-CSV shop: its column mapping, a CSV upload (a multipart request with the
        // app's own variables, the file at `variables.input.file`) and a CSV download.
        let csv_shop = seed::shop(&app, &token, Marketplace::CustomCsv, "自社サイト").await;
        let listed = check!(ops::ShopCsvMapping, json!({}));
        let listed: ops::ShopCsvMappingData = serde_json::from_value(listed).unwrap();
        let default = &listed.shops.iter().find(|s| s.id == csv_shop).expect("the CSV shop").settings.csv_mapping;
        assert_eq!(default, &shared::csv_orders::CsvMapping::default().columns, "no saved mapping: the default");
        let csv_profile = json!({ "mallShopName": "自社サイト 本店", "staffName": "山田 花子", "phone": "03-1111-2222", "email": "shop@example.jp" });
        let mapping_input = |columns: Value| {
            json!({ "id": csv_shop, "input": {
                "marketplace": "CUSTOM_CSV", "name": "自社サイト", "profile": csv_profile, "settings": { "csvMapping": columns }
            }})
        };
        let saved = check!(
            ops::UpdateShopCsvMapping,
            mapping_input(json!([
                { "field": "ORDER_NUMBER", "header": "注文ID" }, { "field": "ORDERED_AT", "header": "注文日時" },
                { "field": "RECIPIENT_NAME", "header": "お届け先" }, { "field": "ITEM_NAME", "header": "品名" },
                { "field": "UNIT_PRICE", "header": "価格" }, { "field": "QUANTITY", "header": "個数" },
            ]))
        );
        assert_eq!(
            saved["updateShop"]["settings"]["csvMapping"][0],
            json!({ "field": "ORDER_NUMBER", "header": "注文ID" })
        );
        let refused = app
            .gql(
                Some(&token),
                ops::UpdateShopCsvMapping::DOCUMENT,
                mapping_input(json!([{ "field": "ORDER_NUMBER", "header": "注文ID" }])),
            )
            .await;
        assert_eq!(
            refused["errors"][0]["extensions"]["field"], "csvMapping",
            "a required field is missing: {refused:#}"
        );

        checked.push(ops::ImportOrdersCsv::NAME);
        let vars = ops::InputVariables {
            input: ops::CsvImportInput {
                shop_id: csv_shop.clone(),
                file: None,
                encoding: Some(shared::CsvEncoding::Utf8),
            },
        };
        let vars = serde_json::to_value(vars).unwrap();
        assert_eq!(vars["input"]["file"], Value::Null, "the file's place in the variables");
        let csv = "注文ID,注文日時,お届け先,品名,価格,個数\r\nC-1,2026/11/20 10:15,山田 太郎,緑茶,1080,2\r\nC-2,昨日,佐藤 花子,急須,3200,1\r\n";
        let body = app
            .gql_upload(
                &token,
                ops::ImportOrdersCsv::DOCUMENT,
                vars,
                &format!("variables.{}", ops::CSV_IMPORT_FILE_AT),
                ("orders.csv", "text/csv", csv.as_bytes()),
            )
            .await;
        assert!(body["errors"].is_null(), "ImportOrdersCsv failed against the schema: {body:#}");
        let imported = serde_json::from_value::<ops::ImportOrdersCsvData>(body["data"].clone())
            .unwrap_or_else(|e| panic!("ImportOrdersCsv: the app's types do not decode the answer: {e}\n{body:#}"))
            .import_orders_csv;
        assert_eq!((imported.run.created, imported.run.failed), (1, 1), "{body:#}");
        assert_eq!(imported.row_errors[0].line, 3);
        assert_eq!(imported.row_errors[0].column.as_deref(), Some("注文日時"));
        // The upload's details: the refused line and the order stored, in the file's order.
        let details = check!(ops::SyncRunItems, json!({ "id": imported.run.id, "first": 20 }));
        let details: ops::SyncRunItemsData = serde_json::from_value(details).unwrap();
        let items = details.sync_run.expect("the run").items.nodes;
        let outcomes: Vec<_> = items.iter().map(|i| (i.outcome, i.order_number.as_deref())).collect();
        assert_eq!(
            outcomes,
            [(shared::SyncItemOutcome::Failed, None), (shared::SyncItemOutcome::Created, Some("C-1"))],
            "{items:?}"
        );

        let exported = check!(
            ops::ExportOrdersCsv,
            json!({ "input": { "shopId": csv_shop, "from": "2026-11-01T00:00:00+09:00", "to": "2026-11-30T23:59:59.999+09:00", "status": "NEW", "encoding": "SHIFT_JIS" } })
        );
        let file: ops::ExportOrdersCsvData = serde_json::from_value(exported).unwrap();
        assert_eq!((file.export_orders_csv.order_count, file.export_orders_csv.row_count), (1, 1));
        assert_eq!(file.export_orders_csv.encoding, shared::CsvEncoding::ShiftJis);
        assert!(!file.export_orders_csv.content_base64.is_empty());

        for (name, doc, vars) in [
            (ops::InquiryReceivedSub::NAME, ops::InquiryReceivedSub::DOCUMENT, json!({})),
            (ops::InquiryUpdatedSub::NAME, ops::InquiryUpdatedSub::DOCUMENT, json!({})),
            (ops::InboxCountsChangedSub::NAME, ops::InboxCountsChangedSub::DOCUMENT, json!({})),
            (ops::PresenceChangedSub::NAME, ops::PresenceChangedSub::DOCUMENT, json!({ "inquiryId": inquiry })),
            (ops::InboxPresenceSub::NAME, ops::InboxPresenceSub::DOCUMENT, json!({})),
            (ops::SyncRunUpdatedSub::NAME, ops::SyncRunUpdatedSub::DOCUMENT, json!({ "shopId": shop })),
            (ops::OrderChangedSub::NAME, ops::OrderChangedSub::DOCUMENT, json!({})),
        ] {
            checked.push(name);
            // The harness panics on an `error` message, which is what an invalid document gets.
            let mut sub = app.subscribe(&token, doc, vars).await;
            let _ = sub.next_within(Duration::from_millis(200)).await;
        }
        let mut all: Vec<_> = ops::ALL.iter().map(|(n, _)| *n).collect();
        all.sort();
        checked.sort();
        assert_eq!(checked, all, "every operation in shared::ops::ALL is checked here");
    });
}
