//! Working as a team in the browser: an assignment (担当者) and an internal note (社内メモ)
//! made in one browser appear live in another staff member's open inquiry, the note in its
//! own style and never as a message.

use serde_json::json;

use crate::harness::*;

#[tokio::test]
async fn an_assignment_and_a_note_made_in_one_browser_appear_live_in_another() {
    let Some((app, driver)) = setup().await else { return };
    let inquiry = app.gql_ok(TOKEN, "{ inquiries(first: 1) { nodes { id } } }", json!({})).await["inquiries"]["nodes"]
        [0]["id"]
        .as_str()
        .expect("a demo inquiry")
        .to_owned();
    let staff = app.gql_ok(TOKEN, "{ assignableStaff { id } }", json!({})).await["assignableStaff"][0].clone();
    let staff_id = staff["id"].as_str().expect("a staff member").to_owned();

    let a = browser(&driver).await;
    let b = browser(&driver).await;
    for c in [&a, &b] {
        log_in(c, &app.base).await;
        c.goto(&format!("{}/inquiries/{inquiry}", app.base)).await.expect("open the inquiry");
        find(c, "select[name=assignee]").await;
    }
    eventually("both browsers are live", || async { live_connected(&a).await && live_connected(&b).await }).await;

    find(&a, "select[name=assignee]").await.select_by_value(&staff_id).await.expect("choose the assignee");
    eventually("the other browser shows the new assignee", || async {
        js(&b, "return (document.querySelector('select[name=assignee]') || {}).value || ''").await == json!(staff_id)
    })
    .await;

    find(&a, "textarea[name=note]").await.send_keys("倉庫に在庫を確認中").await.expect("type a note");
    find_text(&a, "button", "メモを追加").await.click().await.expect("add the note");
    eventually("the other browser shows the note in the thread", || async {
        text(&b, ".thread .internal-note .message-body").await.contains("倉庫に在庫を確認中")
    })
    .await;
    let label = text(&b, ".thread .internal-note .note-label").await;
    assert!(label.contains("社内メモ"), "the note is marked as internal: {label}");
    assert!(!text(&b, ".thread .internal-note .author").await.trim().is_empty(), "the note names its author");
    let as_message = js(
        &b,
        "return Array.from(document.querySelectorAll('.thread .message:not(.internal-note) .message-body')).some(e => e.textContent.includes('倉庫に在庫を確認中'))",
    )
    .await;
    assert_eq!(as_message, json!(false), "a note is never shown as a message to the customer");
    screenshot(&b, "inquiry-with-note").await;

    let _ = a.close().await;
    let _ = b.close().await;
    app.finish().await;
}
