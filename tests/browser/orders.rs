//! 受注一覧 and the order page in the browser: the モール filter, the 返信が必要 mark that leads
//! to the waiting inquiry, the order page's explanation of the next shipping export, and 受注登録
//! (the new order appearing live in a colleague's list).

use chrono::Utc;
use serde_json::json;

use crate::harness::*;

const NUMBER: &str = "382817-20261202-0000777";

/// A Rakuten order of the demo tenant, created through the API, and a customer's inquiry about it.
async fn an_order_with_a_waiting_inquiry(app: &madoguchi_tests::TestApp) -> String {
    use server::inbox::{IncomingInquiry, IncomingMessage, upsert_inquiry};
    use server::store::entities::shop;
    let shops = app.gql_ok(TOKEN, "{ shops { id marketplace } }", json!({})).await;
    let shop_id = shops["shops"].as_array().unwrap().iter().find(|s| s["marketplace"] == "RAKUTEN").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let now = Utc::now().with_timezone(&shared::jst());
    let created = app
        .gql_ok(
            TOKEN,
            "mutation($i: OrderInput!) { createOrder(input: $i) { id } }",
            json!({ "i": {
                "shopId": shop_id, "orderNumber": NUMBER, "orderedAt": now.to_rfc3339(),
                "recipient": { "name": "佐藤 花子", "postalCode": "150-0001", "address": "東京都渋谷区神宮前1-2-3", "phone": "03-0000-0000" },
                "items": [{ "name": "今治タオル", "unitPrice": 1100, "quantity": 1 }]
            }}),
        )
        .await;
    let actor = server::auth::actor_from_token(&app.state.db, TOKEN).await.unwrap().unwrap();
    let shop = actor.scope.get::<shop::Entity>(&app.state.db, shop_id.parse().unwrap()).await.unwrap().unwrap();
    let incoming = IncomingInquiry {
        marketplace_inquiry_id: "orders-page-1".into(),
        order_number: Some(NUMBER.into()),
        customer_name: Some("佐藤 花子".into()),
        subject: Some("配送".into()),
        created_at: Utc::now(),
        completed: false,
        messages: vec![IncomingMessage {
            marketplace_message_id: "0".into(),
            author: shared::MessageAuthor::Customer,
            staff_name: None,
            body: "いつ届きますか".into(),
            sent_at: Utc::now(),
            files: Vec::new(),
        }],
    };
    upsert_inquiry(&app.state, actor.scope, &shop, incoming).await.unwrap();
    created["createOrder"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_orders_list_filters_by_marketplace_and_leads_to_the_waiting_inquiry() {
    let Some((app, driver)) = setup().await else { return };
    let c = browser(&driver).await;
    log_in(&c, &app.base).await;
    an_order_with_a_waiting_inquiry(&app).await;

    c.goto(&format!("{}/orders?q={NUMBER}", app.base)).await.unwrap();
    let mark = find(&c, "table.orders a.needs-reply-mark").await;
    assert_eq!(mark.text().await.unwrap(), "返信が必要 1");
    screenshot(&c, "orders-list").await;

    // モール: another marketplace hides the Rakuten order; 楽天市場 shows it again.
    find(&c, "select[aria-label=モール]").await.select_by_value("YAHOO").await.unwrap();
    eventually("the Rakuten order leaves the list", || async { text(&c, "table.orders").await.find(NUMBER).is_none() })
        .await;
    assert!(c.current_url().await.unwrap().as_str().contains("mall=YAHOO"), "the filter is kept in the URL");
    find(&c, "select[aria-label=モール]").await.select_by_value("RAKUTEN").await.unwrap();
    let mark = find(&c, "table.orders a.needs-reply-mark").await;

    // The mark opens the inbox on that order's inquiries that need a reply.
    mark.click().await.unwrap();
    find(&c, "a.inquiry-row").await;
    let url = c.current_url().await.unwrap();
    assert!(url.as_str().contains("status=NEEDS_REPLY"), "{url}");
    assert!(url.as_str().contains(NUMBER), "{url}");
    c.close().await.ok();
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_order_page_explains_the_next_export_and_saving_shipped_says_it_will_be_sent() {
    let Some((app, driver)) = setup().await else { return };
    let c = browser(&driver).await;
    log_in(&c, &app.base).await;
    let id = an_order_with_a_waiting_inquiry(&app).await;
    // Shipping data entered, the status still 新規受付.
    let today = Utc::now().with_timezone(&shared::jst()).date_naive().format("%Y-%m-%d").to_string();
    app.gql_ok(
        TOKEN,
        "mutation($id: ID!, $i: OrderUpdateInput!) { updateOrder(id: $id, input: $i) { id } }",
        json!({ "id": id, "i": { "shipDate": today, "carrier": "ヤマト運輸", "deliveryMethod": "宅急便", "trackingNumber": "1234-5678-9012" } }),
    )
    .await;

    c.goto(&format!("{}/orders/{id}", app.base)).await.unwrap();
    let card = find(&c, "section.export-check").await;
    let shown = card.text().await.unwrap();
    assert!(shown.contains("未書出"), "{shown}");
    assert!(shown.contains("次回の発送情報の書出では送られません"), "{shown}");
    assert!(shown.contains("ステータスが「新規受付」の受注は書き出し対象外です"), "{shown}");

    find(&c, "form.card select").await.select_by_value("SHIPPED").await.unwrap();
    find(&c, "form.card button[type=submit]").await.click().await.unwrap();
    find_text(&c, "p", "次回の発送情報の書出でモールに送られます").await;
    eventually("the export card says it goes out", || async {
        text(&c, "section.export-check").await.contains("次回の発送情報の書出でモールに送られます。")
    })
    .await;
    screenshot(&c, "order-export-check").await;
    c.close().await.ok();
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_order_is_registered_by_hand_opens_on_its_page_and_appears_live_in_a_colleagues_list() {
    let Some((app, driver)) = setup().await else { return };
    // A colleague has 受注一覧 open all along (reached through the menu: the page subscribes
    // on a connection that is already open).
    let colleague = browser(&driver).await;
    log_in(&colleague, &app.base).await;
    find(&colleague, ".inquiry-list").await;
    find_text(&colleague, "a", "受注一覧").await.click().await.unwrap();
    find(&colleague, "table").await;
    assert!(!text(&colleague, "main").await.contains("TEL-0001"));

    let c = browser(&driver).await;
    log_in(&c, &app.base).await;
    c.goto(&format!("{}/orders", app.base)).await.unwrap();
    find_text(&c, "a", "受注登録").await.click().await.unwrap();
    find(&c, "form.order-new").await;

    // Sent without a shop, a recipient or an item: the form says what is missing, nothing is sent.
    find(&c, "form.order-new button[type=submit]").await.click().await.unwrap();
    find_text(&c, "p", "店舗を選んでください").await;
    find_text(&c, "p", "送付先の氏名を入力してください").await;

    let shops = app.gql_ok(TOKEN, "{ shops { id marketplace } }", json!({})).await;
    let yahoo = shops["shops"].as_array().unwrap().iter().find(|s| s["marketplace"] == "YAHOO").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    find(&c, "form.order-new select[name=shopId]").await.select_by_value(&yahoo).await.unwrap();
    let number = find(&c, "input[name=orderNumber]").await;
    let suggested = number.prop("value").await.unwrap().unwrap_or_default();
    assert_eq!(suggested.len(), "20261202-143005".len(), "a number is suggested: {suggested}");
    number.clear().await.unwrap();
    number.send_keys("TEL-0001").await.unwrap();
    find(&c, "input[name=buyer-name]").await.send_keys("電話 花子").await.unwrap();
    find(&c, "input[name=buyer-address]").await.send_keys("東京都渋谷区神宮前1-2-3").await.unwrap();
    find_text(&c, "button", "注文者の情報を送付先にコピー").await.click().await.unwrap();
    assert_eq!(find(&c, "input[name=recipient-name]").await.prop("value").await.unwrap().as_deref(), Some("電話 花子"));
    find(&c, "input[aria-label='商品名 1']").await.send_keys("南部鉄器 急須").await.unwrap();
    find(&c, "input[aria-label='単価 1']").await.send_keys("8,800").await.unwrap();
    find_text(&c, "button", "商品を追加").await.click().await.unwrap();
    find(&c, "input[aria-label='商品名 2']").await.send_keys("手ぬぐい").await.unwrap();
    find(&c, "input[aria-label='単価 2']").await.send_keys("1100").await.unwrap();
    let quantity = find(&c, "input[aria-label='数量 2']").await;
    quantity.clear().await.unwrap();
    quantity.send_keys("2").await.unwrap();
    find_text(&c, "span", "合計 ¥11,000").await;
    find(&c, "input[name=paymentMethod]").await.send_keys("代金引換").await.unwrap();
    screenshot(&c, "order-new").await;
    find(&c, "form.order-new button[type=submit]").await.click().await.unwrap();

    find_text(&c, "h1", "受注番号 TEL-0001").await;
    let d = app
        .gql_ok(
            TOKEN,
            "{ orders(filter: {search: \"TEL-0001\"}) { nodes { totalAmount paymentMethod buyer { name } recipient { name address } items { name quantity } shop { marketplace } } } }",
            json!({}),
        )
        .await;
    let o = &d["orders"]["nodes"][0];
    assert_eq!(o["totalAmount"], 11000);
    assert_eq!(o["paymentMethod"], "代金引換");
    assert_eq!(o["shop"]["marketplace"], "YAHOO");
    assert_eq!(o["recipient"]["address"], "東京都渋谷区神宮前1-2-3");
    assert_eq!(o["items"][1]["quantity"], 2);

    // The colleague's list shows it without a reload.
    eventually("the new order in the colleague's list", || async {
        text(&colleague, "main").await.contains("TEL-0001")
    })
    .await;
    colleague.close().await.ok();
    c.close().await.ok();
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_select_orders_and_set_their_status_and_carrier_at_once() {
    let Some((app, driver)) = setup().await else { return };
    let shops = app.gql_ok(TOKEN, "{ shops { id marketplace } }", json!({})).await;
    let rakuten = shops["shops"].as_array().unwrap().iter().find(|s| s["marketplace"] == "RAKUTEN").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let now = Utc::now().with_timezone(&shared::jst());
    for number in ["BULK-0001", "BULK-0002", "BULK-0003"] {
        app.gql_ok(
            TOKEN,
            "mutation($i: OrderInput!) { createOrder(input: $i) { id } }",
            json!({ "i": {
                "shopId": rakuten, "orderNumber": number, "orderedAt": now.to_rfc3339(),
                "recipient": { "name": "佐藤 花子" },
                "items": [{ "name": "今治タオル", "unitPrice": 1100, "quantity": 1 }]
            }}),
        )
        .await;
    }
    let c = browser(&driver).await;
    log_in(&c, &app.base).await;
    c.goto(&format!("{}/orders?q=BULK-", app.base)).await.unwrap();
    find(&c, "input[aria-label='受注番号 BULK-0001 を選択']").await.click().await.unwrap();
    find(&c, "input[aria-label='受注番号 BULK-0003 を選択']").await.click().await.unwrap();
    find_text(&c, "strong", "2件を選択中").await;
    find(&c, "form.bulk-edit select[name=bulk-status]").await.select_by_value("SHIPPED").await.unwrap();
    find(&c, "form.bulk-edit select[name=bulk-carrier]").await.select_by_value("佐川急便").await.unwrap();
    screenshot(&c, "orders-bulk-edit").await;
    find(&c, "form.bulk-edit button[type=submit]").await.click().await.unwrap();
    find_text(&c, "p", "2件の受注を変更しました").await;

    let d = app
        .gql_ok(TOKEN, "{ orders(filter: {search: \"BULK-\"}) { nodes { orderNumber status carrier } } }", json!({}))
        .await;
    let mut got: Vec<String> = d["orders"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| format!("{} {} {}", o["orderNumber"].as_str().unwrap(), o["status"], o["carrier"]))
        .collect();
    got.sort();
    assert_eq!(
        got,
        ["BULK-0001 \"SHIPPED\" \"佐川急便\"", "BULK-0002 \"NEW\" null", "BULK-0003 \"SHIPPED\" \"佐川急便\""]
    );
    // The list shows the new status without a reload.
    eventually("the list shows 出荷済み twice", || async {
        text(&c, "table.orders").await.matches("出荷済み").count() == 2
    })
    .await;
    c.close().await.ok();
    app.finish().await;
}
