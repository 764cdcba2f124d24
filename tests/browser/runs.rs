//! A run you can audit, in the browser: staff start an order import, see its progress on the
//! card while it works (「n / N 期間」) and in 実行履歴, and open its 明細: each order with what
//! the run did to it in Japanese, linked to the order.

use std::time::Duration;

use fantoccini::Locator;
use serde_json::json;

use crate::harness::*;

#[tokio::test]
async fn staff_start_an_import_see_its_progress_and_open_its_details() {
    let Some((app, driver)) = setup().await else { return };
    let shops = app.gql_ok(TOKEN, "{ shops { id marketplace } }", json!({})).await;
    let rakuten = shops["shops"]
        .as_array()
        .expect("shops")
        .iter()
        .find(|s| s["marketplace"] == "RAKUTEN")
        .expect("a Rakuten shop")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let mall = app.demo.as_ref().expect("the demo's marketplaces");
    // Every answer of the marketplace takes a while, so the run is seen while it works.
    mall.sim.set_faults(mallsim::Marketplace::Rakuten, mallsim::Faults { latency_ms: 300, ..Default::default() }).await;

    let c = browser(&driver).await;
    log_in(&c, &app.base).await;
    c.goto(&format!("{}/sync", app.base)).await.unwrap();
    eventually("the shop list holds the Rakuten shop", || async {
        c.find(Locator::Css(&format!("select[name=shop] option[value='{rakuten}']"))).await.is_ok()
    })
    .await;
    find(&c, "select[name=shop]").await.select_by_value(&rakuten).await.expect("choose the Rakuten shop");
    let start = find(&c, "section.sync-card[data-kind=IMPORT_ORDERS] button.by-days").await;
    eventually("the import can start", || async { start.attr("disabled").await.ok().flatten().is_none() }).await;
    // Whatever the app logs as an error from here on (a panic stops the whole app).
    js(&c, "window.__errs = []; const ce = console.error; console.error = (...a) => { window.__errs.push(a.map(String).join(' ').slice(0, 600)); ce(...a); }; return null;").await;
    start.click().await.unwrap();

    // While it works, the card says how many windows of the period are done, of how many.
    let card = "section.sync-card[data-kind=IMPORT_ORDERS] .run-summary";
    let part_way = |t: &str| {
        let Some((done, rest)) = t.split_once(" / ") else { return false };
        let Some(total) = rest.strip_suffix(" 期間") else { return false };
        matches!((done.trim().parse::<i64>(), total.trim().parse::<i64>()), (Ok(d), Ok(n)) if d < n)
    };
    eventually_within(30, "the card shows the import part-way", || async {
        part_way(&text(&c, &format!("{card}[data-state=RUNNING] .run-progress")).await)
    })
    .await;
    screenshot(&c, "30-run-progress").await;
    let run = || async {
        app.gql_ok(TOKEN, "{ syncRuns(first: 1) { nodes { id state progress { done total } } } }", json!({})).await
            ["syncRuns"]["nodes"][0]
            .clone()
    };
    eventually_within(60, "the import ends", || async { run().await["state"] == "SUCCEEDED" }).await;
    let finished = run().await;
    let total = finished["progress"]["total"].as_i64().expect("a total");
    assert_eq!(finished["progress"]["done"].as_i64(), Some(total), "{finished}");
    assert_eq!(js(&c, "return window.__errs;").await, json!([]), "the app logged errors while the run went on");
    // The card followed it live to the end (no reload).
    eventually("the card shows every window done", || async {
        text(&c, &format!("{card}[data-state=SUCCEEDED] .run-progress")).await == format!("{total} / {total} 期間")
    })
    .await;

    // 実行履歴 shows every window done, and the row opens the run's details.
    c.goto(&format!("{}/sync", app.base)).await.unwrap();
    let row = format!("table.sync-history tbody tr[data-run-id='{}']", finished["id"].as_str().expect("id"));
    eventually("the history row shows the progress", || async {
        text(&c, &format!("{row} td.run-progress")).await == format!("{total} / {total} 期間")
    })
    .await;
    // 実行履歴's filters: 自動 hides this manual run, 手動 shows it again.
    find(&c, "select[name=trigger]").await.select_by_value("auto").await.unwrap();
    eventually("自動 hides the manual run", || async { c.find(Locator::Css(&row)).await.is_err() }).await;
    find(&c, "select[name=trigger]").await.select_by_value("manual").await.unwrap();
    find(&c, &row).await;
    find(&c, &format!("{row} a.run-details-link")).await.click().await.unwrap();

    // The demo's orders are there already: each is 変更なし, linked to the order.
    find_within(&c, "table.run-items tbody tr", Duration::from_secs(15)).await;
    assert!(text(&c, "h1").await.contains("明細"));
    assert_eq!(text(&c, ".run-head .run-progress").await, format!("{total} / {total} 期間"));
    let rows = c.find_all(Locator::Css("table.run-items tbody tr")).await.unwrap();
    assert!(!rows.is_empty());
    for row in rows.iter().take(5) {
        let outcome = row.find(Locator::Css(".item-outcome")).await.unwrap().text().await.unwrap();
        assert!(["新規", "更新", "変更なし"].contains(&outcome.as_str()), "「{outcome}」");
        let link = row.find(Locator::Css("a[href^='/orders/']")).await.expect("the order number links to the order");
        assert!(!link.text().await.unwrap().trim().is_empty());
    }
    assert!(text(&c, "table.run-items").await.contains("変更なし"));
    screenshot(&c, "31-run-details").await;

    // The order number opens the order.
    let first = c.find(Locator::Css("table.run-items tbody tr a[href^='/orders/']")).await.unwrap();
    let number = first.text().await.unwrap();
    first.click().await.unwrap();
    eventually("the order page shows the order", || async { text(&c, "main").await.contains(number.trim()) }).await;
    assert!(c.current_url().await.unwrap().path().starts_with("/orders/"));
    mall.sim.clear_faults(None).await;
}
