//! The inbox (お問い合わせ管理) in the browser: filters, keyboard use, and catching up after
//! the live connection drops.

use chrono::{Duration as Days, FixedOffset, Utc};
use fantoccini::Client;
use fantoccini::key::Key;
use serde_json::{Value, json};

use crate::harness::*;

/// Rows on one inbox page.
const PAGE_SIZE: i64 = 20;

/// What the list shows right now, read in one go: (id, marketplace class, selected, focused)
/// per row, the pager's total, and whether the empty state is shown.
#[derive(Debug, Default)]
struct Snapshot {
    rows: Vec<Row>,
    total: String,
    empty: bool,
}

#[derive(Debug, Clone, PartialEq)]
struct Row {
    id: String,
    mall: String,
    selected: bool,
    aria_current: bool,
    focused: bool,
}

async fn snapshot(c: &Client) -> Snapshot {
    let v = js(
        c,
        r#"
        const rows = Array.from(document.querySelectorAll('.inquiry-list a.inquiry-row')).map(r => ({
            id: r.dataset.id || '',
            mall: (r.querySelector('.mall') || {}).className || '',
            selected: r.classList.contains('selected'),
            ariaCurrent: r.getAttribute('aria-current') === 'true',
            focused: document.activeElement === r,
        }));
        const total = (document.querySelector('.pager .total') || {}).textContent || '';
        return { rows, total, empty: !!document.querySelector('.inbox .empty') };
        "#,
    )
    .await;
    Snapshot {
        rows: v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| Row {
                id: r["id"].as_str().unwrap().to_owned(),
                mall: r["mall"].as_str().unwrap().to_owned(),
                selected: r["selected"].as_bool().unwrap(),
                aria_current: r["ariaCurrent"].as_bool().unwrap(),
                focused: r["focused"].as_bool().unwrap(),
            })
            .collect(),
        total: v["total"].as_str().unwrap().trim().to_owned(),
        empty: v["empty"].as_bool().unwrap(),
    }
}

/// `totalCount` of `inquiries(filter: …)` from the API.
async fn total_count(app: &madoguchi_tests::TestApp, filter: Value) -> i64 {
    app.gql_ok(
        TOKEN,
        "query($f: InquiryFilter) { inquiries(filter: $f, first: 1) { totalCount } }",
        json!({ "f": filter }),
    )
    .await["inquiries"]["totalCount"]
        .as_i64()
        .unwrap()
}

/// Sets an `<input type=date>` the way the date picker does (its typed form depends on the
/// browser's locale): the value, then a `change` event.
async fn set_date(c: &Client, name: &str, day: &str) {
    c.execute(
        "const el = document.querySelector(`.inbox input[name=${arguments[0]}]`); \
         el.value = arguments[1]; el.dispatchEvent(new Event('change', { bubbles: true }));",
        vec![json!(name), json!(day)],
    )
    .await
    .expect("set the date");
}

async fn value_of(c: &Client, css: &str) -> String {
    js(c, &format!("return document.querySelector({css:?})?.value ?? '';"))
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn path_and_query(c: &Client) -> String {
    let url = c.current_url().await.expect("url");
    format!("{}?{}", url.path(), url.query().unwrap_or_default())
}

/// Whether the list shows exactly `expected` rows (one page at most), all on `mall` when given,
/// with `全{expected}件` in the pager, or the empty state when there is none.
fn shows(s: &Snapshot, expected: i64, mall: Option<&str>) -> bool {
    if expected == 0 {
        return s.empty && s.rows.is_empty();
    }
    s.rows.len() as i64 == expected.min(PAGE_SIZE)
        && s.total == format!("全{expected}件")
        && mall.is_none_or(|m| s.rows.iter().all(|r| r.mall.split(' ').any(|c| c == m)))
}

/// Whether the page scrolls sideways (it must not, from a tablet to a wide screen).
async fn scrolls_sideways(c: &Client) -> bool {
    js(c, "return document.documentElement.scrollWidth > document.documentElement.clientWidth;").await == json!(true)
}

#[tokio::test]
async fn staff_filter_the_inbox_by_marketplace_and_period_and_clear_the_filters() {
    let Some((app, driver)) = setup().await else { return };
    let needs_reply = total_count(&app, json!({ "status": "NEEDS_REPLY" })).await;
    let yahoo = total_count(&app, json!({ "status": "NEEDS_REPLY", "marketplace": "YAHOO" })).await;
    assert!(yahoo > 0 && yahoo < needs_reply, "the demo has Yahoo! inquiries and others ({yahoo} of {needs_reply})");

    let c = browser(&driver).await;
    log_in(&c, &app.base).await;
    eventually("the whole 返信が必要 list", || async { shows(&snapshot(&c).await, needs_reply, None) }).await;

    // モール: Yahoo!ショッピング.
    find(&c, "select[name=mall] option[value=YAHOO]").await;
    find(&c, "select[name=mall]").await.select_by_label("Yahoo!ショッピング").await.expect("choose the marketplace");
    eventually("only Yahoo! rows, as many as the API counts", || async {
        shows(&snapshot(&c).await, yahoo, Some("mall-yahoo"))
    })
    .await;
    assert!(path_and_query(&c).await.contains("mall=YAHOO"), "the filter is in the URL");
    // The shop choice narrows to that marketplace's shops.
    eventually("only Yahoo! shops to choose", || async {
        let labels = js(
            &c,
            "return Array.from(document.querySelectorAll('select[name=shop] option')).filter(o => o.value).map(o => o.textContent);",
        )
        .await;
        let labels = labels.as_array().cloned().unwrap_or_default();
        !labels.is_empty() && labels.iter().all(|l| l.as_str().unwrap_or_default().contains("Yahoo!ショッピング"))
    })
    .await;

    // 期間: the last ten days (Japan time), as the API counts it with the same bounds.
    let today = Utc::now().with_timezone(&FixedOffset::east_opt(9 * 3600).unwrap()).date_naive();
    let from = (today - Days::days(10)).format("%Y-%m-%d").to_string();
    let to = today.format("%Y-%m-%d").to_string();
    set_date(&c, "from", &from).await;
    set_date(&c, "to", &to).await;
    let in_period = total_count(
        &app,
        json!({
            "status": "NEEDS_REPLY", "marketplace": "YAHOO",
            "from": format!("{from}T00:00:00+09:00"), "to": format!("{to}T23:59:59.999+09:00"),
        }),
    )
    .await;
    assert!(in_period <= yahoo);
    eventually("the Yahoo! rows of the period", || async {
        path_and_query(&c).await.contains(&format!("to={to}"))
            && shows(&snapshot(&c).await, in_period, Some("mall-yahoo"))
    })
    .await;

    // A reload keeps the filters.
    c.refresh().await.expect("reload");
    eventually("the same view after a reload", || async {
        value_of(&c, "select[name=mall]").await == "YAHOO"
            && value_of(&c, "input[name=from]").await == from
            && value_of(&c, "input[name=to]").await == to
            && shows(&snapshot(&c).await, in_period, Some("mall-yahoo"))
    })
    .await;
    screenshot(&c, "11-inbox-filters").await;

    // A period with nothing in it.
    set_date(&c, "from", "2001-01-01").await;
    set_date(&c, "to", "2001-12-31").await;
    eventually("the empty state", || async {
        path_and_query(&c).await.contains("from=2001-01-01")
            && snapshot(&c).await.empty
            && text(&c, ".inbox .empty").await.contains("条件に一致するお問い合わせはありません")
    })
    .await;

    // 条件をクリア: every row of the tab again, and nothing left in the URL or the fields.
    find_text(&c, "button", "条件をクリア").await.click().await.expect("clear");
    eventually("all rows again", || async {
        let url = path_and_query(&c).await;
        shows(&snapshot(&c).await, needs_reply, None)
            && !url.contains("mall=")
            && !url.contains("from=")
            && !url.contains("to=")
            && url.contains("status=NEEDS_REPLY")
            && value_of(&c, "select[name=mall]").await.is_empty()
            && value_of(&c, "input[name=from]").await.is_empty()
    })
    .await;

    // The list fits a tablet and a wide screen without scrolling sideways.
    for (width, height, name) in [(768, 1024, "12-inbox-tablet"), (1600, 1000, "13-inbox-wide")] {
        c.set_window_size(width, height).await.expect("resize");
        eventually(&format!("the inbox at {width}px without sideways scrolling"), || async {
            shows(&snapshot(&c).await, needs_reply, None) && !scrolls_sideways(&c).await
        })
        .await;
        screenshot(&c, name).await;
    }
    c.close().await.ok();
    app.finish().await;
}

/// The selected row's index, when exactly one row is selected (by class and aria-current).
fn selected_index(s: &Snapshot) -> Option<usize> {
    let selected: Vec<usize> = s.rows.iter().enumerate().filter(|(_, r)| r.selected).map(|(i, _)| i).collect();
    match selected.as_slice() {
        [i] if s.rows[*i].aria_current && s.rows.iter().filter(|r| r.aria_current).count() == 1 => Some(*i),
        _ => None,
    }
}

async fn wait_selected(c: &Client, index: usize) -> String {
    eventually(&format!("row {index} is selected"), || async { selected_index(&snapshot(c).await) == Some(index) })
        .await;
    snapshot(c).await.rows[index].id.clone()
}

async fn reply_box_focused(c: &Client) -> bool {
    js(c, "return document.activeElement === document.querySelector('.reply textarea');").await == json!(true)
}

#[tokio::test]
async fn staff_move_through_the_inbox_open_reply_and_return_with_the_keyboard() {
    let Some((app, driver)) = setup().await else { return };
    let c = browser(&driver).await;
    log_in(&c, &app.base).await;
    eventually("at least three rows", || async { snapshot(&c).await.rows.len() >= 3 }).await;
    assert_eq!(selected_index(&snapshot(&c).await), None, "nothing is selected at first");

    // j / k move the selection (and the focus with it).
    press(&c, 'j').await;
    let first = wait_selected(&c, 0).await;
    press(&c, 'j').await;
    let second = wait_selected(&c, 1).await;
    assert!(snapshot(&c).await.rows[1].focused, "the selected row has the focus");
    press(&c, 'k').await;
    assert_eq!(wait_selected(&c, 0).await, first);
    press(&c, 'j').await;
    assert_eq!(wait_selected(&c, 1).await, second);

    // Enter opens it.
    press(&c, Key::Enter.into()).await;
    eventually("the inquiry opens", || async {
        path_and_query(&c).await.starts_with(&format!("/inquiries/{second}?"))
    })
    .await;
    find(&c, ".reply textarea").await;

    // r: to the reply box. Esc leaves the box, Esc again returns to the inbox.
    press(&c, 'r').await;
    eventually("the reply box has the focus", || async { reply_box_focused(&c).await }).await;
    press(&c, Key::Escape.into()).await;
    eventually("the reply box lets go of the focus", || async { !reply_box_focused(&c).await }).await;
    assert!(path_and_query(&c).await.starts_with("/inquiries/"), "the first Esc only leaves the reply box");
    press(&c, Key::Escape.into()).await;
    eventually("back on the inbox", || async { path_and_query(&c).await.starts_with("/?status=NEEDS_REPLY") }).await;

    // The inbox keeps the place: the row just opened is still selected; Enter opens it again
    // (the focus is on the page, not on a link), j goes on from there.
    assert_eq!(wait_selected(&c, 1).await, second);
    press(&c, Key::Enter.into()).await;
    eventually("the same inquiry opens", || async {
        path_and_query(&c).await.starts_with(&format!("/inquiries/{second}?"))
    })
    .await;
    find(&c, ".thread").await;
    press(&c, Key::Escape.into()).await;
    eventually("back on the inbox", || async { path_and_query(&c).await.starts_with("/?status=NEEDS_REPLY") }).await;
    wait_selected(&c, 1).await;
    press(&c, 'j').await;
    let third = wait_selected(&c, 2).await;
    assert!(third != first && third != second);
    screenshot(&c, "14-inbox-keyboard").await;
    c.close().await.ok();
    app.finish().await;
}

#[tokio::test]
async fn after_the_live_connection_drops_the_inbox_catches_up_on_reconnecting() {
    let Some((app, driver)) = setup().await else { return };
    let c = browser(&driver).await;
    log_in_with_socket_switch(&c, &app.base).await;
    eventually("live updates are on", || async { live_connected(&c).await }).await;
    eventually("the 返信が必要 count", || async { needs_reply_count(&c).await.is_some() }).await;
    let before = needs_reply_count(&c).await.unwrap();

    // The connection drops and stays down.
    sockets_off(&c).await;
    eventually("the page knows it is disconnected", || async { !live_connected(&c).await }).await;

    // Meanwhile a customer writes in (an import, as in the live test).
    customer_writes_in(&app, "while-offline-1", "再接続 次郎 様", "在庫", "入荷の予定はありますか？").await;
    // Still disconnected: no event can have reached the page.
    assert!(!live_connected(&c).await, "the page stayed disconnected while the inquiry arrived");
    assert!(!text(&c, ".inquiry-list").await.contains("再接続 次郎"));

    // The network comes back: the client reconnects (with its backoff) and re-queries.
    sockets_on(&c).await;
    eventually_within(30, "live updates are on again", || async { live_connected(&c).await }).await;
    eventually("the inquiry that arrived meanwhile is listed", || async {
        text(&c, ".inquiry-list").await.contains("再接続 次郎")
    })
    .await;
    eventually("the count caught up", || async { needs_reply_count(&c).await == Some(before + 1) }).await;
    screenshot(&c, "15-inbox-after-reconnect").await;
    c.close().await.ok();
    app.finish().await;
}

#[tokio::test]
async fn a_search_spans_every_status_marks_the_words_and_shows_the_matching_message() {
    let Some((app, driver)) = setup().await else { return };
    // A completed inquiry about an order, and a word from the first message of a waiting one.
    let d = app
        .gql_ok(TOKEN, "{ inquiries(filter: {status: COMPLETED}, first: 50) { nodes { id orderNumber } } }", json!({}))
        .await;
    let completed = d["inquiries"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["orderNumber"].is_string())
        .expect("a completed demo inquiry about an order")
        .clone();
    let order_number = completed["orderNumber"].as_str().unwrap().to_owned();
    let d = app
        .gql_ok(
            TOKEN,
            "{ inquiries(filter: {status: NEEDS_REPLY}, first: 50) { nodes { id messages { body } } } }",
            json!({}),
        )
        .await;
    let (waiting, word) = d["inquiries"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|n| {
            let first: Vec<char> = n["messages"][0]["body"].as_str()?.chars().collect();
            let word: String = first.get(2..6)?.iter().collect();
            if word.chars().any(|c| c.is_whitespace() || c.is_ascii_punctuation()) {
                return None;
            }
            Some((n["id"].as_str()?.to_owned(), word))
        })
        .expect("a waiting demo inquiry");

    let c = browser(&driver).await;
    log_in(&c, &app.base).await;
    find(&c, ".inquiry-list").await;
    // From the 返信が必要 tab, the order number finds the completed inquiry too.
    let search = find(&c, ".inbox .search input").await;
    search.send_keys(&order_number).await.unwrap();
    find(&c, ".inbox .search button[type=submit]").await.click().await.unwrap();
    eventually("the completed inquiry is listed", || async {
        c.find(fantoccini::Locator::Css(&format!("a.inquiry-row[data-id='{}']", completed["id"].as_str().unwrap())))
            .await
            .is_ok()
    })
    .await;
    assert!(path_and_query(&c).await.contains("status=ALL"), "{}", path_and_query(&c).await);
    assert_eq!(text(&c, ".tab.active").await.trim(), "すべて");
    assert_eq!(text(&c, ".cell-order mark").await, order_number, "the number is marked");

    // A word of a message: the row shows that message around the word, marked.
    let search = find(&c, ".inbox .search input").await;
    search.clear().await.unwrap();
    search.send_keys(&word).await.unwrap();
    find(&c, ".inbox .search button[type=submit]").await.click().await.unwrap();
    let row = format!("a.inquiry-row[data-id='{waiting}']");
    eventually("the matching message's excerpt with the word marked", || async {
        text(&c, &format!("{row} .preview.excerpt mark")).await == word
    })
    .await;
    screenshot(&c, "inbox-search").await;
    c.close().await.ok();
    app.finish().await;
}
