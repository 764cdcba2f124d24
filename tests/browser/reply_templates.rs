//! Templates in the reply box: found by a search over names and texts, previewed with the
//! shop's values before they go in, then put in at the cursor or in place of the text.

use serde_json::{Value, json};

use crate::harness::*;

async fn reply_text(c: &fantoccini::Client) -> String {
    js(c, "return document.querySelector('.reply textarea').value;").await.as_str().unwrap_or("").to_owned()
}

/// The names the template list offers now.
async fn offered(c: &fantoccini::Client) -> Vec<String> {
    let v = js(
        c,
        "return [...document.querySelectorAll('.template-picker select[name=template] option')] \
         .filter(o => o.value).map(o => o.textContent.trim());",
    )
    .await;
    v.as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_found_template_is_previewed_then_inserted_at_the_cursor_or_replaces_the_text() {
    let Some((app, driver)) = setup().await else { return };
    let d = app
        .gql_ok(
            TOKEN,
            "{ inquiries(filter: {status: NEEDS_REPLY}, first: 1) { nodes { id shop { profile { mallShopName } } } } }",
            json!({}),
        )
        .await;
    let id = d["inquiries"]["nodes"][0]["id"].as_str().unwrap().to_owned();
    let shop_name = d["inquiries"]["nodes"][0]["shop"]["profile"]["mallShopName"].as_str().unwrap().to_owned();
    let templates = app.gql_ok(TOKEN, "{ templates { name body } }", json!({})).await;
    let body_of = |name: &str| -> String {
        templates["templates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .map(|t| t["body"].clone())
            .and_then(|b: Value| b.as_str().map(str::to_owned))
            .expect("a demo template")
    };
    let thanks = body_of("ご注文のお礼");

    let c = browser(&driver).await;
    log_in(&c, &app.base).await;
    c.goto(&format!("{}/inquiries/{id}", app.base)).await.unwrap();
    let textarea = find(&c, ".reply textarea").await;
    textarea.send_keys("お世話になっております。\nよろしくお願いいたします。").await.unwrap();
    // The cursor after the first line.
    js(&c, "const t = document.querySelector('.reply textarea'); const n = t.value.indexOf('\\n') + 1; t.focus(); t.setSelectionRange(n, n); return null;").await;

    // The search narrows the list (full-width letters fold too).
    find(&c, ".template-picker input[name=template-search]").await.send_keys("注文　お礼").await.unwrap();
    eventually("only the matching template is offered", || async { offered(&c).await == ["ご注文のお礼"] }).await;
    find(&c, ".template-picker select[name=template]").await.select_by_label("ご注文のお礼").await.unwrap();

    // Previewed with the shop's values; the reply is not touched yet.
    let preview = text(&c, ".template-choice .preview-text").await;
    assert!(preview.contains(&shop_name) && !preview.contains("[出店モール店舗名]"), "{preview}");
    assert_eq!(reply_text(&c).await, "お世話になっております。\nよろしくお願いいたします。");
    screenshot(&c, "reply-template-choice").await;

    find_text(&c, "button", "カーソル位置に挿入").await.click().await.unwrap();
    eventually("inserted at the cursor", || async {
        reply_text(&c).await == format!("お世話になっております。\n{thanks}よろしくお願いいたします。")
    })
    .await;
    assert!(c.find(fantoccini::Locator::Css(".template-choice")).await.is_err(), "the choice is closed");

    // Chosen again and put in place of everything.
    find(&c, ".template-picker select[name=template]").await.select_by_label("ご注文のお礼").await.unwrap();
    find_text(&c, "button", "本文を置き換え").await.click().await.unwrap();
    eventually("the text is the template", || async { reply_text(&c).await == thanks }).await;
    c.close().await.ok();
    app.finish().await;
}
