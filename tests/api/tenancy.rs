//! The tenant wall: another tenant's ids are simply not found, at every entry point.

use madoguchi_tests::{each_backend, error_code};
use serde_json::{Value, json};
use shared::{Marketplace, MessageAuthor::*};

use crate::seed::{self, Thread};

#[tokio::test]
async fn another_tenants_ids_are_not_found_at_every_entry_point() {
    each_backend!(|app| {
        let (a_token, _) = app.tenant("A商店", true).await;
        let (b_token, b_actor) = app.tenant("B商店", true).await;
        let b_shop = seed::shop(&app, &b_token, Marketplace::Rakuten, "B楽天店").await;
        let b_inquiry = seed::inquiry(
            &app,
            &b_actor,
            &b_shop,
            Thread {
                mid: "b1",
                order_number: Some("b-1"),
                customer: "B 顧客",
                created_minutes: 0,
                messages: vec![(Customer, "Bの秘密の相談")],
                completed: false,
            },
        )
        .await;
        let b_thread = app
            .gql_ok(&b_token, "query($id: ID!) { inquiry(id: $id) { messages { id } } }", json!({ "id": b_inquiry }))
            .await;
        let b_message = b_thread["inquiry"]["messages"][0]["id"].clone();
        let b_template = app
            .gql_ok(
                &b_token,
                "mutation { createTemplate(input: {category: \"c\", name: \"n\", body: \"b\"}) { id } }",
                json!({}),
            )
            .await["createTemplate"]["id"]
            .clone();
        let b_order = app
            .gql_ok(&b_token, "mutation($s: ID!) { createOrder(input: {shopId: $s, orderNumber: \"b-1\", orderedAt: \"2026-11-01T00:00:00+09:00\", recipient: {name: \"B\"}, items: [{name: \"x\", unitPrice: 1, quantity: 1}]}) { id } }", json!({ "s": b_shop }))
            .await["createOrder"]["id"]
            .clone();
        let b_token_id = app.gql_ok(&b_token, "{ apiTokens { id } }", json!({})).await["apiTokens"][0]["id"].clone();
        let shop_input = json!({ "marketplace": "RAKUTEN", "name": "x", "profile": { "mallShopName": "x", "staffName": "x", "phone": "0", "email": "a@b.c" } });
        let period = json!({ "shopId": b_shop, "createdFrom": "2026-11-01T00:00:00+09:00", "createdTo": "2026-11-02T00:00:00+09:00" });

        let attempts: Vec<(&str, Value)> = vec![
            ("query($id: ID!) { inquiry(id: $id) { id } }", json!({ "id": b_inquiry })),
            ("query($id: ID!) { order(id: $id) { id } }", json!({ "id": b_order })),
            (
                "query($t: ID!, $i: ID!) { renderTemplate(templateId: $t, inquiryId: $i) }",
                json!({ "t": b_template, "i": b_inquiry }),
            ),
            (
                "mutation($id: ID!) { replyToInquiry(input: {inquiryId: $id, body: \"x\"}) { id } }",
                json!({ "id": b_inquiry }),
            ),
            ("mutation($id: ID!) { retryMessage(id: $id) { id } }", json!({ "id": b_message })),
            ("mutation($id: ID!) { completeInquiry(id: $id) { id } }", json!({ "id": b_inquiry })),
            ("mutation($id: ID!) { reopenInquiry(id: $id) { id } }", json!({ "id": b_inquiry })),
            (
                "mutation($id: ID!) { updateTemplate(id: $id, input: {category: \"c\", name: \"n\", body: \"b\"}) { id } }",
                json!({ "id": b_template }),
            ),
            ("mutation($id: ID!) { deleteTemplate(id: $id) }", json!({ "id": b_template })),
            ("mutation($id: ID!) { updateOrder(id: $id, input: {notes: \"x\"}) { id } }", json!({ "id": b_order })),
            (
                "mutation($id: ID!, $i: ShopInput!) { updateShop(id: $id, input: $i) { id } }",
                json!({ "id": b_shop, "i": shop_input }),
            ),
            ("mutation($id: ID!) { setPresence(inquiryId: $id, state: VIEWING) }", json!({ "id": b_inquiry })),
            ("mutation($id: ID!) { revokeApiToken(id: $id) }", json!({ "id": b_token_id })),
            (
                "mutation($s: ID!) { createOrder(input: {shopId: $s, orderNumber: \"a-1\", orderedAt: \"2026-11-01T00:00:00+09:00\", recipient: {name: \"A\"}, items: [{name: \"x\", unitPrice: 1, quantity: 1}]}) { id } }",
                json!({ "s": b_shop }),
            ),
            ("mutation($s: ID!) { importOrders(input: {shopId: $s}) { id } }", json!({ "s": b_shop })),
            ("mutation($i: ExportInput!) { exportShipments(input: $i) { id } }", json!({ "i": period })),
        ];
        for (q, v) in attempts {
            let body = app.gql(Some(&a_token), q, v).await;
            assert_eq!(error_code(&body).as_deref(), Some("NOT_FOUND"), "{q} → {body}");
        }
        // Lists and counts of A show nothing of B.
        let lists = app
            .gql_ok(&a_token, "query($s: ID!) { inquiries(first: 50) { totalCount } f: inquiries(filter: {shopId: $s}) { totalCount } orders { totalCount } shops { id } templates { id } inboxCounts { needsReply } syncRuns { totalCount } }", json!({ "s": b_shop }))
            .await;
        assert_eq!(lists["inquiries"]["totalCount"], 0);
        assert_eq!(lists["f"]["totalCount"], 0);
        assert_eq!(lists["orders"]["totalCount"], 0);
        assert_eq!(lists["shops"], json!([]));
        assert_eq!(lists["templates"], json!([]));
        assert_eq!(lists["inboxCounts"]["needsReply"], 0);
        // And B's data is untouched.
        let still = app
            .gql_ok(
                &b_token,
                "query($id: ID!) { inquiry(id: $id) { status messages { body } } }",
                json!({ "id": b_inquiry }),
            )
            .await;
        assert_eq!(still["inquiry"]["status"], "NEEDS_REPLY");
        assert_eq!(still["inquiry"]["messages"].as_array().unwrap().len(), 1);
    });
}
