//! What shop staff do all day, in the browser.

use std::time::Duration;

use fantoccini::Locator;
use serde_json::json;

use crate::harness::*;

#[tokio::test]
async fn staff_answer_an_inquiry_with_a_template_complete_it_and_move_between_order_and_inquiry() {
    let Some((app, driver)) = setup().await else { return };
    // An inquiry waiting for a reply, about an order that is imported.
    let d = app
        .gql_ok(TOKEN, "{ inquiries(filter: {status: NEEDS_REPLY}, first: 100) { nodes { id order { id } shop { profile { mallShopName staffName } } } } }", json!({}))
        .await;
    let target = d["inquiries"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| !n["order"].is_null())
        .expect("a demo inquiry with an order")
        .clone();
    let id = target["id"].as_str().unwrap().to_owned();
    let mall_shop_name = target["shop"]["profile"]["mallShopName"].as_str().unwrap().to_owned();
    let staff_name = target["shop"]["profile"]["staffName"].as_str().unwrap().to_owned();

    let c = browser(&driver).await;
    log_in(&c, &app.base).await;
    eventually("the 返信が必要 count", || async { needs_reply_count(&c).await.is_some() }).await;
    let before = needs_reply_count(&c).await.expect("count");
    let api_count = app.gql_ok(TOKEN, "{ inboxCounts { needsReply } }", json!({})).await["inboxCounts"]["needsReply"]
        .as_i64()
        .unwrap();
    assert_eq!(before, api_count, "the tab shows the server's count");
    screenshot(&c, "01-inbox").await;

    // Open it from the inbox.
    find(&c, &format!("a.inquiry-row[href='/inquiries/{id}']")).await.click().await.unwrap();
    find(&c, ".thread").await;
    // Pick the template; the preview has the shop's own values.
    let template_select = find(&c, ".template-picker select[name=template]").await;
    template_select.select_by_label("ご注文のお礼").await.expect("choose the template");
    find_text(&c, "button", "本文を置き換え").await.click().await.expect("use it");
    eventually("the preview with the shop's values", || async {
        let p = text(&c, ".preview-text").await;
        p.contains(&mall_shop_name) && p.contains(&staff_name)
    })
    .await;
    assert!(!text(&c, ".preview-text").await.contains("[出店モール店舗名]"));
    screenshot(&c, "02-inquiry-with-template").await;

    find_text(&c, "button", "送信").await.click().await.unwrap();
    eventually("the status turns to 返信済み", || async {
        text(&c, ".inquiry-head").await.contains("返信済み")
    })
    .await;
    let sent = app
        .gql_ok(
            TOKEN,
            "query($id: ID!) { inquiry(id: $id) { status messages { author body delivery } } }",
            json!({ "id": id }),
        )
        .await;
    let last = sent["inquiry"]["messages"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["author"], "SHOP");
    assert!(
        last["body"].as_str().unwrap().starts_with(&format!("{mall_shop_name}の{staff_name}です。")),
        "the sent text is the preview: {last}"
    );

    // Complete: the button turns into the label 対応完了 (the head of the page, scrolled back to:
    // after sending, the page sits at the reply box and the sticky top bar covers the head).
    c.execute("window.scrollTo(0, 0)", vec![]).await.unwrap();
    find_text(&c, "button", "完了する").await.click().await.unwrap();
    let done = find(&c, ".done-label").await;
    assert_eq!(done.text().await.unwrap(), "対応完了");
    screenshot(&c, "03-inquiry-completed").await;

    // The order page, and back through お問い合わせ詳細へ.
    find_text(&c, "a", "注文詳細を開く").await.click().await.unwrap();
    find(&c, ".order-page").await;
    screenshot(&c, "04-order").await;
    find(&c, &format!("a.button[href='/inquiries/{id}']")).await.click().await.unwrap();
    find(&c, ".done-label").await;
    assert!(c.current_url().await.unwrap().path().ends_with(&format!("/inquiries/{id}")));

    // The count dropped by one.
    c.find(Locator::Css("a.back")).await.unwrap().click().await.unwrap();
    eventually("the count drops by one", || async { needs_reply_count(&c).await == Some(before - 1) }).await;
    c.close().await.ok();
    app.finish().await;
}

#[tokio::test]
async fn staff_create_edit_and_delete_a_template() {
    let Some((app, driver)) = setup().await else { return };
    let c = browser(&driver).await;
    log_in(&c, &app.base).await;
    c.goto(&format!("{}/templates", app.base)).await.unwrap();
    find_text(&c, "button", "新規作成").await.click().await.unwrap();
    let form = find(&c, "form.editor-card").await;
    // Save empty: the errors stand next to their fields.
    find(&c, "form.editor-card button[type=submit]").await.click().await.unwrap();
    eventually("field errors", || async { !text(&c, "form.editor-card .field-error").await.is_empty() }).await;
    let inputs = form.find_all(Locator::Css("input")).await.unwrap();
    inputs[0].send_keys("お詫び").await.unwrap();
    inputs[1].send_keys("遅延のお詫び").await.unwrap();
    form.find(Locator::Css("textarea"))
        .await
        .unwrap()
        .send_keys("[出店モール店舗名]です。発送が遅れております。")
        .await
        .unwrap();
    screenshot(&c, "05-template-editor").await;
    find(&c, "form.editor-card button[type=submit]").await.click().await.unwrap();
    find_text(&c, "td", "遅延のお詫び").await;
    let listed = || async {
        app.gql_ok(TOKEN, "{ templates(category: \"お詫び\") { name } }", json!({})).await["templates"].clone()
    };
    assert_eq!(listed().await, json!([{ "name": "遅延のお詫び" }]));

    // Edit.
    find_text(&c, "tr", "遅延のお詫び")
        .await
        .find(Locator::XPath(".//button[contains(., '編集')]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let name = find(&c, "form.editor-card label:nth-of-type(2) input").await;
    name.clear().await.unwrap();
    name.send_keys("発送遅延のお詫び").await.unwrap();
    find(&c, "form.editor-card button[type=submit]").await.click().await.unwrap();
    find_text(&c, "td", "発送遅延のお詫び").await;
    assert_eq!(listed().await, json!([{ "name": "発送遅延のお詫び" }]));

    // Delete, confirming the dialog.
    find_text(&c, "tr", "発送遅延のお詫び")
        .await
        .find(Locator::XPath(".//button[contains(., '削除')]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    c.accept_alert().await.expect("a confirmation dialog");
    eventually("the template is gone", || async { listed().await == json!([]) }).await;
    screenshot(&c, "06-templates").await;
    c.close().await.ok();
    app.finish().await;
}

#[tokio::test]
async fn an_inquiry_arriving_meanwhile_appears_live_in_another_browser() {
    let Some((app, driver)) = setup().await else { return };
    let watcher = browser(&driver).await;
    log_in(&watcher, &app.base).await;
    eventually("the 返信が必要 count", || async { needs_reply_count(&watcher).await.is_some() }).await;
    let before = needs_reply_count(&watcher).await.unwrap();

    // A customer message arrives by import, without anyone touching the page.
    customer_writes_in(&app, "live-1", "生放送 花子 様", "配送", "今から届きますか？").await;
    eventually("the new inquiry appears without reload", || async {
        text(&watcher, ".inquiry-list").await.contains("生放送 花子")
    })
    .await;
    eventually("the count rises", || async { needs_reply_count(&watcher).await == Some(before + 1) }).await;
    screenshot(&watcher, "07-inbox-live").await;
    watcher.close().await.ok();
    app.finish().await;
}

#[tokio::test]
async fn an_admin_changes_the_import_days_of_a_shop_in_the_shop_settings() {
    let Some((app, driver)) = setup().await else { return };
    let settings = |id: String| {
        let app = &app;
        async move {
            app.gql_ok(TOKEN, "{ shops { id settings { importDays credentialsSet } } }", json!({})).await["shops"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["id"] == id.as_str())
                .expect("the shop")["settings"]
                .clone()
        }
    };
    let shops = app.gql_ok(TOKEN, "{ shops { id } }", json!({})).await;
    let id = shops["shops"][0]["id"].as_str().expect("a demo shop").to_owned();
    let before = settings(id.clone()).await;
    let wanted = if before["importDays"] == 45 { 46 } else { 45 };

    let c = browser(&driver).await;
    log_in(&c, &app.base).await;
    find_text(&c, "a", "店舗設定").await.click().await.unwrap();
    find(&c, &format!("tr[data-shop-id='{id}'] button")).await.click().await.unwrap();
    let days = find(&c, "form.shop-editor input[name=importDays]").await;
    days.clear().await.unwrap();
    days.send_keys(&wanted.to_string()).await.unwrap();
    screenshot(&c, "08-shop-settings").await;
    find(&c, "form.shop-editor button[type=submit]").await.click().await.unwrap();
    find(&c, ".success").await;
    eventually("the new 受注を取得する日数 is stored", || {
        let id = id.clone();
        let settings = &settings;
        async move { settings(id).await["importDays"] == wanted }
    })
    .await;
    let after = settings(id.clone()).await;
    assert_eq!(after["credentialsSet"], before["credentialsSet"], "credentials left empty are not cleared");
    // The table re-reads the shops after the save; wait for that, not for the first paint.
    eventually("the table shows the new days", || async {
        text(&c, &format!("tr[data-shop-id='{id}'] .import-days")).await.contains(&format!("{wanted}日"))
    })
    .await;

    // The import screen uses the configured days; a run ends with counts, or with the reason
    // the server refuses it.
    find_text(&c, "a", "取込・書出").await.click().await.unwrap();
    find_text(&c, "button", "モール詳細の取得日数で取得").await.click().await.unwrap();
    // Starting a run is a write to the same SQLite file as the server's background work (the
    // scheduler's automatic runs start with the server); on a loaded machine it can wait on
    // them longer than a page element normally takes (seen once in CI: over 10 s).
    find_within(&c, ".run-status .error, .run-status .run-summary", Duration::from_secs(40)).await;
    screenshot(&c, "09-import-export").await;
    c.close().await.ok();
    app.finish().await;
}
