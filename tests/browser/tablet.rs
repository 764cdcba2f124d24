//! Tablet width (768 px): on every page, every action stays within the screen — nothing to
//! scroll sideways for (wide tables scroll inside their own frame).

use serde_json::json;

use crate::harness::*;

/// What sticks out of the viewport sideways: (how far the page is wider than the screen,
/// the actions partly off screen).
async fn off_screen(c: &fantoccini::Client) -> (i64, Vec<String>) {
    let v = js(
        c,
        "const w = document.documentElement.clientWidth; \
         const bad = [...document.querySelectorAll('button, a, input, select, textarea')] \
           .filter(el => { const r = el.getBoundingClientRect(); \
             if (r.width === 0 && r.height === 0) return false; \
             if (el.closest('.table-scroll')) return false; \
             return r.left < -1 || r.right > w + 1; }) \
           .map(el => (el.textContent.trim() || el.getAttribute('aria-label') || el.name || el.tagName).slice(0, 30)); \
         return [document.documentElement.scrollWidth - w, bad];",
    )
    .await;
    let bad = v[1].as_array().unwrap().iter().map(|b| b.as_str().unwrap_or("").to_owned()).collect();
    (v[0].as_i64().unwrap_or(0), bad)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_page_keeps_its_actions_on_screen_at_tablet_width() {
    let Some((app, driver)) = setup().await else { return };
    let inquiry = app.gql_ok(TOKEN, "{ inquiries(first: 1) { nodes { id } } }", json!({})).await["inquiries"]["nodes"]
        [0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let order = app.gql_ok(TOKEN, "{ orders(first: 1) { nodes { id } } }", json!({})).await["orders"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let c = browser(&driver).await;
    c.set_window_size(768, 1024).await.unwrap();
    log_in(&c, &app.base).await;
    let pages = [
        ("/".to_owned(), ".inquiry-list"),
        (format!("/inquiries/{inquiry}"), ".reply textarea"),
        ("/orders".to_owned(), "table.orders"),
        (format!("/orders/{order}"), "form.card"),
        ("/orders/new".to_owned(), "form.order-new"),
        ("/templates".to_owned(), "main h1"),
        ("/sync".to_owned(), ".sync-card"),
        ("/shops".to_owned(), "main table"),
        ("/api-tokens".to_owned(), "main h1"),
        ("/staff".to_owned(), "main h1"),
        ("/webhooks".to_owned(), "main h1"),
    ];
    let mut found = Vec::new();
    for (path, ready) in &pages {
        c.goto(&format!("{}{path}", app.base)).await.unwrap();
        find(&c, ready).await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await; // late rows and counts
        let (wider, bad) = off_screen(&c).await;
        let name = path.trim_start_matches('/').replace('/', "-");
        screenshot(&c, &format!("tablet-{}", if name.is_empty() { "inbox" } else { &name })).await;
        if wider > 0 || !bad.is_empty() {
            found.push(format!("{path}: {wider}px wider than the screen; off screen: {bad:?}"));
        }
    }
    assert!(found.is_empty(), "at 768 px:\n{}", found.join("\n"));
    c.close().await.ok();
    app.finish().await;
}
