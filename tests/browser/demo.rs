//! The demo in the browser, as `serve --demo` runs it: a seeded inquiry of each marketplace
//! with inquiries is answered and completed, and the simulator receives both.

use std::time::Duration;

use chrono::Utc;
use fantoccini::Locator;
use mallsim::state::{AccountKey, Kind, Marketplace as Mall};
use serde_json::json;

use crate::harness::*;

#[tokio::test]
async fn staff_answer_and_complete_a_seeded_inquiry_of_each_marketplace_in_the_demo() {
    let started = Utc::now();
    let Some((app, driver)) = setup_live_demo().await else { return };
    let mall = app.demo.clone().expect("the demo's simulator");
    let c = browser(&driver).await;
    // The first load of the app (its files compressed once per process) shares the machine with
    // the demo's first imports: it may take longer than a screen's usual wait.
    c.goto(&format!("{}/", app.base)).await.unwrap();
    eventually_within(60, "the sign-in form", || async { c.find(Locator::Css("input[name=email]")).await.is_ok() })
        .await;
    log_in(&c, &app.base).await;

    for (marketplace, key, shot) in [
        ("RAKUTEN", AccountKey::new(Mall::Rakuten, mallsim::demo::RAKUTEN_SHOP_ID), "60-demo-rakuten"),
        ("YAHOO", AccountKey::new(Mall::Yahoo, mallsim::demo::YAHOO_SELLER_ID), "61-demo-yahoo"),
    ] {
        // A seeded one (dated before the demo started) that waits for an answer.
        let list = app
            .gql_ok(
                TOKEN,
                "query($f: InquiryFilter) { inquiries(filter: $f, first: 1) { nodes { id marketplaceInquiryId } } }",
                json!({ "f": { "marketplace": marketplace, "status": "NEEDS_REPLY", "to": started } }),
            )
            .await;
        let id = list["inquiries"]["nodes"][0]["id"].as_str().expect("a seeded inquiry waiting").to_owned();
        let target = list["inquiries"]["nodes"][0]["marketplaceInquiryId"].as_str().unwrap().to_owned();

        c.goto(&format!("{}/inquiries/{id}", app.base)).await.expect("open the inquiry");
        find(&c, ".reply textarea")
            .await
            .send_keys("お問い合わせありがとうございます。本日発送いたします。")
            .await
            .unwrap();
        c.find(Locator::Css(".reply .reply-actions button")).await.unwrap().click().await.unwrap();
        eventually("返信済み", || async { text(&c, ".inquiry-head").await.contains("返信済み") }).await;
        eventually_within(20, "the simulator has the reply", || async {
            let (counters, received) = mall.sim.counters(&key).await.unwrap();
            counters.replies >= 1 && received.iter().any(|r| matches!(r.kind, Kind::Reply) && r.target == target)
        })
        .await;
        // Delivered (the thread no longer shows it as waiting to be sent).
        eventually_within(20, "the reply is delivered", || async {
            let d = app
                .gql_ok(TOKEN, "query($id: ID!) { inquiry(id: $id) { messages { delivery } } }", json!({ "id": id }))
                .await;
            d["inquiry"]["messages"].as_array().unwrap().iter().all(|m| m["delivery"] == "SENT")
        })
        .await;

        // The page as it is now (the reply delivered).
        c.refresh().await.unwrap();
        find(&c, ".reply textarea").await;
        c.execute("window.scrollTo(0, 0)", vec![]).await.unwrap();
        find_text(&c, "button", "完了する").await.click().await.unwrap();
        let mut asked = None;
        for _ in 0..30 {
            if let Ok(t) = c.get_alert_text().await {
                asked = Some(t);
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        if marketplace == "YAHOO" {
            // Yahoo!'s completion cannot be undone: it asks first.
            let question = asked.clone().expect("Yahoo! asks before completing");
            assert!(question.contains("再開できません"), "{question}");
        }
        if asked.is_some() {
            c.accept_alert().await.expect("yes, complete it");
        }
        screenshot(&c, shot).await;
        let done = find(&c, ".done-label").await;
        assert_eq!(done.text().await.unwrap(), "対応完了");
        screenshot(&c, shot).await;
        let st = mall.sim.state().await;
        assert!(st.inquiry(&key, &target).expect("at the marketplace").is_completed(), "{marketplace}");
    }
    c.close().await.ok();
    app.finish().await;
}
