//! The contract cannot drift: the committed `schema.graphql` equals the code's schema, and every
//! operation the browser app sends (`shared::ops`) runs against the real server and decodes
//! into the app's own types.

use std::time::Duration;

use madoguchi_tests::each_backend;
use serde_json::{Value, json};
use shared::ops::{self, Operation};
use shared::{
    CsvField, InquirySort, InquiryStatus, Marketplace, MessageAuthor::*, OrderStatus, PresenceState, Role, WebhookEvent,
};

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

/// Sends `O` exactly as the browser app does (`shared::ops::request`: the generated document, its
/// name and the app's own typed variables) and decodes the answer into the app's types.
async fn send<O: Operation>(app: &madoguchi_tests::TestApp, token: &str, vars: O::Variables) -> Value {
    let resp = app
        .http
        .post(format!("{}/graphql", app.base))
        .bearer_auth(token)
        .json(&ops::request::<O>(vars))
        .send()
        .await
        .expect("POST /graphql");
    resp.json().await.expect("JSON body")
}

async fn run<O: Operation>(app: &madoguchi_tests::TestApp, token: &str, vars: O::Variables) -> Value {
    let body = send::<O>(app, token, vars).await;
    let errors = body["errors"].as_array().cloned().unwrap_or_default();
    assert!(errors.is_empty(), "{} failed against the schema: {body:#}", O::NAME);
    serde_json::from_value::<O::Data>(body["data"].clone())
        .unwrap_or_else(|e| panic!("{}: the app's types do not decode the answer: {e}\n{body:#}", O::NAME));
    body["data"].clone()
}

/// Sends `O` where a business rule refuses it: the document and variables must still be valid.
async fn refused<O: Operation>(app: &madoguchi_tests::TestApp, token: &str, vars: O::Variables, codes: &[&str]) {
    let body = send::<O>(app, token, vars).await;
    let code = body["errors"][0]["extensions"]["code"].as_str().unwrap_or_default().to_owned();
    assert!(
        codes.contains(&code.as_str()),
        "{}: a valid document refused only for a business reason: {body:#}",
        O::NAME
    );
}

fn id(v: &Value) -> ops::Id {
    ops::Id::new(v.as_str().expect("an id"))
}

fn at(text: &str) -> ops::Timestamp {
    chrono::DateTime::parse_from_rfc3339(text).expect("a timestamp")
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
        let (shop, inquiry) = (ops::Id::new(shop), ops::Id::new(inquiry));
        let order = app
            .gql_ok(&token, "mutation($s: ID!) { createOrder(input: {shopId: $s, orderNumber: \"o-1\", orderedAt: \"2026-11-01T00:00:00+09:00\", recipient: {name: \"佐藤\"}, items: [{name: \"x\", unitPrice: 1, quantity: 1}]}) { id } }", json!({ "s": shop }))
            .await["createOrder"]["id"]
            .clone();
        let order = id(&order);
        let template_input =
            ops::TemplateInput {
                category: "ご挨拶".into(), name: "お礼".into(), body: "[担当者名]です".into()
            };

        let mut checked = Vec::new();
        macro_rules! check {
            ($op:ty, $vars:expr) => {{
                checked.push(<$op>::NAME);
                run::<$op>(&app, &token, $vars).await
            }};
        }
        check!(ops::Viewer, ());
        check!(ops::InboxCounts, ());
        check!(ops::Shops, ());
        check!(
            ops::Inquiries,
            ops::InquiriesVariables {
                filter: Some(ops::InquiryFilter { status: Some(InquiryStatus::NeedsReply), ..Default::default() }),
                excerpt_of: Some("質問".into()),
                ..Default::default()
            }
            .with_page(ops::Page::first(20))
        );
        let detail = check!(ops::Inquiry, ops::IdVariables::new(&inquiry));
        let last_seen = id(&detail["inquiry"]["messages"][0]["id"]);
        let t = check!(ops::CreateTemplate, ops::TemplateInputVariables { input: template_input.clone() });
        let tid = id(&t["createTemplate"]["id"]);
        check!(ops::UpdateTemplate, ops::UpdateTemplateVariables { id: tid.clone(), input: template_input });
        check!(ops::Templates, ops::TemplatesVariables { category: Some("ご挨拶".into()) });
        check!(ops::TemplateCategories, ());
        check!(
            ops::ReplyToInquiry,
            ops::ReplyVariables {
                input: ops::ReplyInput {
                    inquiry_id: inquiry.clone(),
                    body: "回答です".into(),
                    template_id: None,
                    last_seen_message_id: Some(last_seen),
                },
            }
        );
        check!(
            ops::SetPresence,
            ops::SetPresenceVariables { inquiry_id: inquiry.clone(), state: PresenceState::Typing }
        );
        check!(ops::CompleteInquiry, ops::IdVariables::new(&inquiry));
        check!(ops::ReopenInquiry, ops::IdVariables::new(&inquiry));
        check!(ops::Orders, ops::OrdersVariables::default().with_page(ops::Page::first(10)));
        check!(ops::Order, ops::IdVariables::new(&order));
        check!(ops::TestShopConnection, ops::IdVariables::new(&shop));
        check!(
            ops::UpdateOrder,
            ops::UpdateOrderVariables {
                id: order.clone(),
                input: ops::OrderUpdateInput { notes: Some("メモ".into()), ..Default::default() },
            }
        );
        check!(
            ops::UpdateOrders,
            ops::UpdateOrdersVariables {
                ids: vec![order.clone()],
                input: ops::OrderUpdateInput {
                    status: Some(OrderStatus::Processing),
                    ship_date: Some("2026-11-03".into()),
                    ..Default::default()
                },
            }
        );
        check!(
            ops::CreateOrder,
            ops::CreateOrderVariables {
                input: ops::OrderInput {
                    shop_id: shop.clone(),
                    order_number: "tel-1".into(),
                    ordered_at: at("2026-12-02T10:00:00+09:00"),
                    buyer: Some(ops::PartyInput { name: Some("電話 花子".into()), ..Default::default() }),
                    recipient: ops::PartyInput { name: Some("電話 花子".into()), ..Default::default() },
                    items: vec![ops::OrderItemInput {
                        name: "急須".into(), sku: None, unit_price: 8800, quantity: 1
                    }],
                    payment_method: Some("代金引換".into()),
                    ..Default::default()
                },
            }
        );
        run::<ops::Orders>(
            &app,
            &token,
            ops::OrdersVariables {
                filter: Some(ops::OrderFilter { marketplace: Some(Marketplace::Rakuten), ..Default::default() }),
                ..Default::default()
            }
            .with_page(ops::Page::first(10)),
        )
        .await;
        check!(ops::DeleteTemplate, ops::IdVariables::new(&tid));
        // A retry is only valid for a failed message; the document must still be valid.
        checked.push(ops::RetryMessage::NAME);
        let pending = app
            .gql_ok(&token, "query($id: ID!) { inquiry(id: $id) { messages { id } } }", json!({ "id": inquiry }))
            .await["inquiry"]["messages"][1]["id"]
            .clone();
        let pending = id(&pending);
        refused::<ops::RetryMessage>(
            &app,
            &token,
            ops::RetryMessageVariables {
                id: pending.clone(),
                body: Some("直した本文".into()),
                drop_attachments: false,
            },
            &["CONFLICT"],
        )
        .await;
        checked.push(ops::WithdrawMessage::NAME);
        refused::<ops::WithdrawMessage>(&app, &token, ops::IdVariables::new(&pending), &["CONFLICT"]).await;

        // Shops, settings and API tokens.
        check!(ops::ShopSettingsList, ());
        let credentials = json!({ "email": "a@example.jp", "password": "p", "clientId": "c", "clientSecret": "s" });
        let mut shop_input = ops::ShopInput {
            marketplace: Marketplace::Rakuma,
            name: "ラクマ店".into(),
            profile: ops::ShopProfileInput {
                mall_shop_name: "ラクマ店".into(),
                staff_name: "鈴木".into(),
                phone: "03-0000-0000".into(),
                email: "r@example.jp".into(),
            },
            settings: Some(ops::ShopSettingsInput {
                import_days: Some(14),
                auto_import: Some(false),
                auto_export: Some(false),
                review_message: Some("ありがとうございました".into()),
                registered_email: Some("r@example.jp".into()),
                credentials: credentials.as_object().cloned(),
                ..Default::default()
            }),
        };
        let created = check!(ops::CreateShop, ops::CreateShopVariables { input: shop_input.clone() });
        let rakuma = id(&created["createShop"]["id"]);
        if let Some(settings) = shop_input.settings.as_mut() {
            settings.credentials = None;
            settings.import_days = Some(30);
        }
        let updated = check!(ops::UpdateShop, ops::UpdateShopVariables { id: rakuma.clone(), input: shop_input });
        assert_eq!(updated["updateShop"]["settings"]["importDays"], 30);
        assert_eq!(
            updated["updateShop"]["settings"]["credentialsSet"], true,
            "no credentials sent: the stored ones stay"
        );
        let t = check!(
            ops::CreateApiToken,
            ops::CreateApiTokenVariables { name: "連携".into(), scopes: vec!["read".into()] }
        );
        check!(ops::ApiTokens, ());
        check!(ops::RevokeApiToken, ops::IdVariables::new(id(&t["createApiToken"]["apiToken"]["id"])));
        // Staff accounts.
        let member = check!(
            ops::CreateStaff,
            ops::CreateStaffVariables {
                input: ops::StaffInput {
                    email: "kato@example.jp".into(),
                    name: "加藤".into(),
                    role: Role::Staff,
                    password: Some("0123456789".into()),
                },
            }
        );
        let member = id(&member["createStaff"]["id"]);
        check!(
            ops::UpdateStaff,
            ops::UpdateStaffVariables {
                id: member.clone(),
                input: ops::StaffInput {
                    email: "kato@example.jp".into(),
                    name: "加藤 一郎".into(),
                    role: Role::Viewer,
                    password: None,
                },
            }
        );
        check!(ops::DisableStaff, ops::IdVariables::new(&member));
        check!(ops::EnableStaff, ops::IdVariables::new(&member));
        check!(ops::StaffMembers, ());
        // Webhooks.
        let hook = check!(
            ops::CreateWebhook,
            ops::CreateWebhookVariables {
                input: ops::WebhookInput {
                    url: "http://127.0.0.1:9/hook".into(),
                    events: vec![WebhookEvent::InquiryReceived, WebhookEvent::OrderCreated],
                },
            }
        );
        check!(ops::Webhooks, ());
        check!(ops::DeleteWebhook, ops::IdVariables::new(id(&hook["createWebhook"]["webhook"]["id"])));
        // Assignment, internal notes, who waits longest.
        check!(ops::AssignableStaff, ());
        check!(ops::AssignInquiry, ops::AssignInquiryVariables { id: inquiry.clone(), staff_id: Some(member.clone()) });
        check!(
            ops::AddInquiryNote,
            ops::AddInquiryNoteVariables { inquiry_id: inquiry.clone(), body: "社内メモ".into() }
        );
        run::<ops::AssignInquiry>(&app, &token, ops::AssignInquiryVariables { id: inquiry.clone(), staff_id: None })
            .await;
        check!(ops::MarkInquiryRead, ops::IdVariables::new(&inquiry));
        run::<ops::Inquiries>(
            &app,
            &token,
            ops::InquiriesVariables {
                filter: Some(ops::InquiryFilter {
                    assignee_id: Some(member.clone()),
                    unassigned: Some(false),
                    unread: Some(true),
                    ..Default::default()
                }),
                sort: Some(InquirySort::OldestWaiting),
                ..Default::default()
            }
            .with_page(ops::Page::first(20)),
        )
        .await;
        check!(
            ops::SyncRuns,
            ops::SyncRunsVariables {
                shop_id: Some(shop.clone()),
                first: Some(20),
                filter: Some(ops::SyncRunFilter { trigger: Some("manual".into()), ..Default::default() }),
                ..Default::default()
            }
        );
        // Manual runs: a run, or a refusal for a business reason (no connector, no credentials,
        // not offered on this marketplace); never an invalid document.
        let business = ["MARKETPLACE_UNAVAILABLE", "MARKETPLACE_REFUSED", "VALIDATION", "API_OPTION_REQUIRED"];
        async fn run_or_refused<O: Operation>(
            app: &madoguchi_tests::TestApp,
            token: &str,
            vars: O::Variables,
            codes: &[&str],
        ) {
            let body = send::<O>(app, token, vars).await;
            if body["errors"].as_array().is_some_and(|e| !e.is_empty()) {
                let code = body["errors"][0]["extensions"]["code"].as_str().unwrap_or_default();
                assert!(
                    codes.contains(&code),
                    "{}: a valid document refused only for a business reason: {body:#}",
                    O::NAME
                );
            } else {
                serde_json::from_value::<O::Data>(body["data"].clone())
                    .unwrap_or_else(|e| panic!("{}: the app's types do not decode the answer: {e}\n{body:#}", O::NAME));
            }
        }
        let export = ops::ExportVariables {
            input: ops::ExportInput {
                shop_id: rakuma.clone(),
                created_from: at("2026-11-01T00:00:00+09:00"),
                created_to: at("2026-11-30T23:59:59+09:00"),
            },
        };
        checked.extend([
            ops::ImportOrders::NAME,
            ops::ImportInquiries::NAME,
            ops::ExportShipments::NAME,
            ops::RegisterEvaluations::NAME,
        ]);
        run_or_refused::<ops::ImportOrders>(
            &app,
            &token,
            ops::ImportVariables { input: ops::ImportInput { shop_id: shop.clone(), ..Default::default() } },
            &business,
        )
        .await;
        run_or_refused::<ops::ImportInquiries>(
            &app,
            &token,
            ops::ImportVariables {
                input: ops::ImportInput {
                    shop_id: shop.clone(),
                    from: Some(at("2026-11-01T00:00:00+09:00")),
                    to: Some(at("2026-11-02T00:00:00+09:00")),
                },
            },
            &business,
        )
        .await;
        run_or_refused::<ops::ExportShipments>(&app, &token, export.clone(), &business).await;
        run_or_refused::<ops::RegisterEvaluations>(&app, &token, export, &business).await;

        // The custom-CSV shop: its column mapping, a CSV upload (a multipart request with the
        // app's own variables, the file at `variables.input.file`) and a CSV download.
        let csv_shop = ops::Id::new(seed::shop(&app, &token, Marketplace::CustomCsv, "自社サイト").await);
        let listed = check!(ops::ShopCsvMapping, ());
        let listed: ops::ShopCsvMappingData = serde_json::from_value(listed).unwrap();
        let default: Vec<shared::csv_orders::CsvColumn> = listed
            .shops
            .iter()
            .find(|s| s.id == csv_shop)
            .expect("the CSV shop")
            .settings
            .csv_mapping
            .iter()
            .cloned()
            .map(Into::into)
            .collect();
        assert_eq!(default, shared::csv_orders::CsvMapping::default().columns, "no saved mapping: the default");
        let mapping_input = |columns: &[(CsvField, &str)]| ops::UpdateShopVariables {
            id: csv_shop.clone(),
            input: ops::ShopInput {
                marketplace: Marketplace::CustomCsv,
                name: "自社サイト".into(),
                profile: ops::ShopProfileInput {
                    mall_shop_name: "自社サイト 本店".into(),
                    staff_name: "山田 花子".into(),
                    phone: "03-1111-2222".into(),
                    email: "shop@example.jp".into(),
                },
                settings: Some(ops::ShopSettingsInput {
                    csv_mapping: Some(
                        columns
                            .iter()
                            .map(|(field, header)| ops::CsvColumnInput { field: *field, header: (*header).into() })
                            .collect(),
                    ),
                    ..Default::default()
                }),
            },
        };
        let saved = check!(
            ops::UpdateShopCsvMapping,
            mapping_input(&[
                (CsvField::OrderNumber, "注文ID"),
                (CsvField::OrderedAt, "注文日時"),
                (CsvField::RecipientName, "お届け先"),
                (CsvField::ItemName, "品名"),
                (CsvField::UnitPrice, "価格"),
                (CsvField::Quantity, "個数"),
            ])
        );
        assert_eq!(
            saved["updateShop"]["settings"]["csvMapping"][0],
            json!({ "field": "ORDER_NUMBER", "header": "注文ID" })
        );
        let refused_mapping =
            send::<ops::UpdateShopCsvMapping>(&app, &token, mapping_input(&[(CsvField::OrderNumber, "注文ID")])).await;
        assert_eq!(
            refused_mapping["errors"][0]["extensions"]["field"], "csvMapping",
            "a required field is missing: {refused_mapping:#}"
        );

        checked.push(ops::ImportOrdersCsv::NAME);
        let upload = ops::request::<ops::ImportOrdersCsv>(ops::CsvImportVariables {
            input: ops::CsvImportInput {
                shop_id: csv_shop.clone(),
                file: ops::Upload,
                encoding: Some(shared::CsvEncoding::Utf8),
            },
        });
        assert_eq!(upload.variables["input"]["file"], Value::Null, "the file's place in the variables");
        let csv = "注文ID,注文日時,お届け先,品名,価格,個数\r\nC-1,2026/11/20 10:15,山田 太郎,緑茶,1080,2\r\nC-2,昨日,佐藤 花子,急須,3200,1\r\n";
        let body = app
            .gql_upload(
                &token,
                &upload.query,
                upload.variables,
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
        let details = check!(
            ops::SyncRunItems,
            ops::SyncRunItemsVariables { id: imported.run.id.clone(), first: Some(20), after: None }
        );
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
            ops::CsvExportVariables {
                input: ops::CsvExportInput {
                    shop_id: csv_shop.clone(),
                    from: Some(at("2026-11-01T00:00:00+09:00")),
                    to: Some(at("2026-11-30T23:59:59.999+09:00")),
                    status: Some(OrderStatus::New),
                    encoding: Some(shared::CsvEncoding::ShiftJis),
                },
            }
        );
        let file: ops::ExportOrdersCsvData = serde_json::from_value(exported).unwrap();
        assert_eq!((file.export_orders_csv.order_count, file.export_orders_csv.row_count), (1, 1));
        assert_eq!(file.export_orders_csv.encoding, shared::CsvEncoding::ShiftJis);
        assert!(!file.export_orders_csv.content_base64.is_empty());

        // Subscriptions, with the app's own documents and variables. The harness panics on an
        // `error` message, which is what an invalid document gets.
        macro_rules! listen {
            ($op:ty, $vars:expr) => {{
                checked.push(<$op>::NAME);
                let request = ops::request::<$op>($vars);
                let mut sub = app.subscribe(&token, &request.query, request.variables).await;
                let _ = sub.next_within(Duration::from_millis(200)).await;
            }};
        }
        listen!(ops::InquiryReceivedSub, ());
        listen!(ops::InquiryUpdatedSub, ());
        listen!(ops::InboxCountsChangedSub, ());
        listen!(ops::PresenceChangedSub, ops::PresenceChangedVariables { inquiry_id: inquiry.clone() });
        listen!(ops::InboxPresenceSub, ());
        listen!(ops::SyncRunUpdatedSub, ops::SyncRunUpdatedVariables { shop_id: Some(shop.clone()) });
        listen!(ops::OrderChangedSub, ());
        let mut all = ops::ALL.to_vec();
        all.sort();
        checked.sort();
        assert_eq!(checked, all, "every operation in shared::ops::ALL is checked here");
    });
}
