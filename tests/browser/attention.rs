//! Attention in the browser: an unread row is bold until it is opened; the tab title carries the
//! 返信が必要 count and follows it live; a colleague viewing or typing on an inquiry shows in
//! its inbox row; rows arriving while the mouse is over the list wait behind 「新着 N件」.

use std::time::Duration;

use fantoccini::Client;
use fantoccini::actions::{InputSource, MouseActions, PointerAction};
use madoguchi_tests::TestApp;
use serde_json::json;

use crate::harness::*;

/// The id of the inquiry a customer wrote in on (found by its customer's name).
async fn inquiry_of(app: &TestApp, customer: &str) -> String {
    let found = app
        .gql_ok(
            TOKEN,
            "query($q: String) { inquiries(filter: { search: $q }, first: 5) { nodes { id } } }",
            json!({ "q": customer }),
        )
        .await;
    found["inquiries"]["nodes"][0]["id"].as_str().expect("the inquiry").to_owned()
}

/// The inbox row of an inquiry (its `<li>`), as CSS.
fn row(id: &str) -> String {
    format!("li:has(> a.inquiry-row[data-id='{id}'])")
}

/// The weight the preview of a row is drawn with (0 when the row is not shown).
async fn preview_weight(c: &Client, id: &str) -> i64 {
    let script = format!(
        "const p = document.querySelector(\"{} .preview\"); return p ? parseInt(getComputedStyle(p).fontWeight, 10) : 0;",
        row(id)
    );
    js(c, &script).await.as_i64().unwrap_or(0)
}

/// `unread` of an inquiry as the signed-in page's own session reads it.
async fn unread_for_page(c: &Client, id: &str) -> serde_json::Value {
    let script = format!(
        r#"const done = arguments[arguments.length - 1];
        fetch("/graphql", {{ method: "POST", credentials: "include",
            headers: {{ "content-type": "application/json", "accept": "application/json" }},
            body: JSON.stringify({{ query: "query($id: ID!) {{ inquiry(id: $id) {{ unread }} }}", variables: {{ id: "{id}" }} }}) }})
            .then(r => r.json()).then(b => done(b.data.inquiry.unread)).catch(() => done(null));"#
    );
    c.execute_async(&script, vec![]).await.unwrap_or(serde_json::Value::Null)
}

/// The count at the start of the title, `(12) …`; 0 without one.
fn count_in_title(title: &str) -> i64 {
    title.strip_prefix('(').and_then(|t| t.split(')').next()).and_then(|n| n.parse().ok()).unwrap_or(0)
}

async fn title(c: &Client) -> String {
    js(c, "return document.title").await.as_str().unwrap_or_default().to_owned()
}

/// Signs in as another staff member of the demo tenant.
async fn log_in_as(c: &Client, base: &str, email: &str, password: &str) {
    c.goto(&format!("{base}/")).await.expect("open the app");
    find(c, "input[name=email]").await.send_keys(email).await.expect("type e-mail");
    find(c, "input[name=password]").await.send_keys(password).await.expect("type password");
    find(c, "button[type=submit]").await.click().await.expect("log in");
    find(c, ".tabs").await;
}

#[tokio::test]
async fn an_unread_row_is_bold_until_it_is_opened() {
    let Some((app, driver)) = setup().await else { return };
    customer_writes_in(&app, "attention-unread", "未読 太郎", "サイズ交換", "Mサイズに交換できますか？").await;
    let id = inquiry_of(&app, "未読 太郎").await;
    let c = browser(&driver).await;
    log_in(&c, &app.base).await;

    let unread_row = format!("{}.unread", row(&id));
    find(&c, &unread_row).await;
    assert!(preview_weight(&c, &id).await >= 700, "an unread row is bold");
    let marker = js(&c, &format!("return document.querySelector(\"{unread_row} .visually-hidden\").textContent")).await;
    assert_eq!(marker, json!("未読 "), "screen readers hear 「未読」");
    screenshot(&c, "40-inbox-unread").await;

    find(&c, &format!("a.inquiry-row[data-id='{id}']")).await.click().await.expect("open the inquiry");
    eventually("the thread is shown", || async {
        text(&c, ".thread").await.contains("Mサイズに交換できますか？")
    })
    .await;
    eventually("the page told the server it was read", || async { unread_for_page(&c, &id).await == json!(false) })
        .await;
    find_text(&c, "a", "お問い合わせ一覧").await.click().await.expect("back to the inbox");
    find(&c, &row(&id)).await;
    eventually("the row is drawn normal after opening", || async {
        js(&c, &format!("return !!document.querySelector(\"{}.unread\")", row(&id))).await == json!(false)
            && preview_weight(&c, &id).await == 400
    })
    .await;
    c.close().await.ok();
    app.finish().await;
}

#[tokio::test]
async fn the_tab_title_carries_the_needs_reply_count_and_follows_it_live() {
    let Some((app, driver)) = setup().await else { return };
    let c = browser(&driver).await;
    log_in(&c, &app.base).await;
    eventually("live updates are on", || async { live_connected(&c).await }).await;
    eventually("the title says the tab's 返信が必要 count", || async {
        let n = needs_reply_count(&c).await.unwrap_or(0);
        n > 0 && title(&c).await == format!("({n}) 返信が必要 — 窓口 Madoguchi")
    })
    .await;
    let before = count_in_title(&title(&c).await);

    customer_writes_in(&app, "attention-title", "題名 花子", "届きません", "まだ届いていません").await;
    eventually("the title counts the new inquiry", || async {
        let t = title(&c).await;
        let n = count_in_title(&t);
        n > before && t == format!("({n}) 返信が必要 — 窓口 Madoguchi")
    })
    .await;
    c.close().await.ok();
    app.finish().await;
}

#[tokio::test]
async fn a_colleague_on_an_inquiry_shows_in_its_inbox_row() {
    let Some((app, driver)) = setup().await else { return };
    let actor = server::auth::actor_from_token(&app.state.db, TOKEN).await.unwrap().unwrap();
    server::provision::create_staff(
        &app.state.db,
        &actor,
        "colleague@madoguchi.example",
        "同僚 次郎",
        shared::Role::Staff,
        "colleague-password-1",
    )
    .await
    .expect("a colleague");
    customer_writes_in(&app, "attention-presence", "在席 三郎", "返品", "返品したいです").await;
    let id = inquiry_of(&app, "在席 三郎").await;

    let me = browser(&driver).await;
    let colleague = browser(&driver).await;
    log_in(&me, &app.base).await;
    find(&me, &row(&id)).await;
    eventually("live updates are on", || async { live_connected(&me).await }).await;

    log_in_as(&colleague, &app.base, "colleague@madoguchi.example", "colleague-password-1").await;
    colleague.goto(&format!("{}/inquiries/{id}", app.base)).await.expect("the colleague opens it");
    find(&colleague, ".reply textarea").await;
    let presence = format!("{} .cell-presence", row(&id));
    eventually("the row says the colleague is viewing it", || async {
        text(&me, &presence).await.contains("同僚 次郎 閲覧中")
    })
    .await;

    find(&colleague, ".reply textarea").await.send_keys("確認します").await.expect("type a reply");
    eventually("the row says the colleague is typing", || async {
        text(&me, &presence).await.contains("同僚 次郎 入力中")
    })
    .await;
    screenshot(&me, "41-inbox-presence").await;
    let _ = me.close().await;
    let _ = colleague.close().await;
    app.finish().await;
}

#[tokio::test]
async fn new_rows_wait_behind_a_pill_while_the_mouse_is_over_the_list() {
    let Some((app, driver)) = setup().await else { return };
    let c = browser(&driver).await;
    log_in(&c, &app.base).await;
    eventually("live updates are on", || async { live_connected(&c).await }).await;
    let list = find(&c, "ul.inquiry-list").await;
    let first_row = || async { js(&c, "return document.querySelector('a.inquiry-row').dataset.id").await };

    let over = MouseActions::new("mouse".into()).then(PointerAction::MoveToElement {
        element: list.clone(),
        duration: Some(Duration::from_millis(100)),
        x: 0.0,
        y: 0.0,
    });
    c.perform_actions(over).await.expect("the mouse over the list");
    let top = first_row().await;

    customer_writes_in(&app, "attention-pill", "新着 四郎", "在庫", "在庫はありますか？").await;
    let id = inquiry_of(&app, "新着 四郎").await;
    eventually("a pill says a new row waits", || async { text(&c, ".new-rows").await.starts_with("新着 ") }).await;
    assert_eq!(first_row().await, top, "the rows under the pointer did not move");
    assert!(c.find(fantoccini::Locator::Css(&row(&id))).await.is_err(), "the new row waits");
    screenshot(&c, "42-inbox-new-rows-pill").await;

    find(&c, ".new-rows").await.click().await.expect("click the pill");
    eventually("the new row is shown", || async { c.find(fantoccini::Locator::Css(&row(&id))).await.is_ok() }).await;
    assert!(c.find(fantoccini::Locator::Css(".new-rows")).await.is_err(), "nothing waits any more");
    c.close().await.ok();
    app.finish().await;
}
