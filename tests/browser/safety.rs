//! Replying safely in the browser: a refused reply is not an answer and is resent from the
//! thread, the marketplace's text rules are caught before sending, two staff drafting at once
//! are warned and nothing is sent twice, a draft survives leaving the page (links, ログアウト,
//! the back button ask first), a dropped
//! connection is shown and caught up on, and a one-way completion (Yahoo!) asks first.

use std::time::Duration;

use chrono::Utc;
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use madoguchi_tests::TestApp;
use serde_json::{Value, json};
use server::marketplaces::{RetryPolicy, set_retry_policy};

use crate::harness::*;

const RAKUTEN_SHOP: &str = "123456";

/// The marketplace simulator on a loopback port, with one Rakuten account.
struct Mall {
    base: String,
    http: reqwest::Client,
    task: tokio::task::JoinHandle<()>,
}

impl Mall {
    async fn start() -> Mall {
        // The tests inject refusals, never wait for retries.
        set_retry_policy(RetryPolicy {
            base: Duration::from_millis(5),
            max: Duration::from_millis(40),
            attempts: 3,
            timeout: Duration::from_secs(3),
            pace: false,
        });
        let sim = mallsim::Sim::new(7);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let task = tokio::spawn(async move {
            let _ = mallsim::serve(listener, sim).await;
        });
        let mall = Mall { base: format!("http://{addr}"), http: reqwest::Client::new(), task };
        mall.post(
            "/accounts",
            json!({"marketplace": "rakuten", "shopId": RAKUTEN_SHOP, "serviceSecret": "SP123456_secret", "licenseKey": "SL123456_key"}),
        )
        .await;
        mall
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let resp =
            self.http.post(format!("{}/_control{path}", self.base)).json(&body).send().await.expect("control API");
        assert!(resp.status().is_success(), "control {path}: {}", resp.status());
        resp.json().await.unwrap_or(Value::Null)
    }

    /// Whether the shop's licence key is refused (as when it expired).
    async fn expired(&self, expired: bool) {
        self.post(&format!("/accounts/rakuten/{RAKUTEN_SHOP}/expire"), json!({ "expired": expired })).await;
    }
}

impl Drop for Mall {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A Rakuten shop of the demo tenant on the simulator, with one imported inquiry; its id.
async fn rakuten_inquiry_on(app: &TestApp, mall: &Mall, question: &str) -> String {
    let shop = app
        .gql_ok(
            TOKEN,
            "mutation($i: ShopInput!) { createShop(input: $i) { id } }",
            json!({ "i": {
                "marketplace": "RAKUTEN",
                "name": "楽天テスト店",
                "profile": { "mallShopName": "楽天テスト店", "staffName": "山田 花子", "phone": "03-1111-2222", "email": "shop@example.jp" },
                "settings": {
                    "apiBaseUrl": format!("{}/rakuten", mall.base),
                    "importDays": 7,
                    "credentials": { "serviceSecret": "SP123456_secret", "licenseKey": "SL123456_key", "shopId": RAKUTEN_SHOP }
                }
            }}),
        )
        .await["createShop"]["id"]
        .as_str()
        .expect("shop id")
        .to_owned();
    mall.post(
        &format!("/accounts/rakuten/{RAKUTEN_SHOP}/inquiries"),
        json!({"inquiries": [{"message": question, "at": Utc::now() - chrono::TimeDelta::hours(3), "userName": "楽天 太郎"}]}),
    )
    .await;
    let started = app
        .gql_ok(
            TOKEN,
            "mutation($i: ImportInput!) { importInquiries(input: $i) { id } }",
            json!({ "i": { "shopId": shop } }),
        )
        .await;
    let run = started["importInquiries"]["id"].as_str().expect("run id").to_owned();
    let runs = "query($s: ID) { syncRuns(shopId: $s, first: 20) { nodes { id state } } }";
    for _ in 0..400 {
        let r = app.gql_ok(TOKEN, runs, json!({ "s": shop })).await;
        let done = r["syncRuns"]["nodes"]
            .as_array()
            .expect("runs")
            .iter()
            .any(|n| n["id"] == run.as_str() && matches!(n["state"].as_str(), Some("SUCCEEDED" | "FAILED")));
        if done {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let list = app
        .gql_ok(TOKEN, "query($s: ID) { inquiries(filter: {shopId: $s}) { nodes { id } } }", json!({ "s": shop }))
        .await;
    list["inquiries"]["nodes"][0]["id"].as_str().expect("the imported inquiry").to_owned()
}

/// Records an inquiry on the demo shop of `marketplace` the way an import does; its id.
async fn record(app: &TestApp, marketplace: &str, key: &str, messages: &[(shared::MessageAuthor, &str)]) -> String {
    use server::inbox::{IncomingInquiry, IncomingMessage, upsert_inquiry};
    use server::store::entities::shop;
    let shops = app.gql_ok(TOKEN, "{ shops { id marketplace } }", json!({})).await;
    let shop_id: i64 =
        shops["shops"].as_array().unwrap().iter().find(|s| s["marketplace"] == marketplace).unwrap()["id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
    let actor = server::auth::actor_from_token(&app.state.db, TOKEN).await.unwrap().unwrap();
    let shop = actor.scope.get::<shop::Entity>(&app.state.db, shop_id).await.unwrap().unwrap();
    let incoming = IncomingInquiry {
        marketplace_inquiry_id: key.into(),
        order_number: None,
        customer_name: Some("安全 花子".into()),
        subject: Some("お届けについて".into()),
        created_at: Utc::now(),
        completed: false,
        messages: messages
            .iter()
            .enumerate()
            .map(|(i, (author, body))| IncomingMessage {
                marketplace_message_id: i.to_string(),
                author: *author,
                staff_name: None,
                body: (*body).into(),
                sent_at: Utc::now(),
                files: Vec::new(),
            })
            .collect(),
    };
    // The demo's marketplace has it too, so replies and completion reach it as any other's.
    if let Some(mall) = &app.demo {
        mall.hold_inquiry(shared::Marketplace::from(shop.marketplace), &(&incoming).into()).await;
    }
    upsert_inquiry(&app.state, actor.scope, &shop, incoming).await.unwrap();
    let list = app.gql_ok(TOKEN, "{ inquiries(first: 50) { nodes { id marketplaceInquiryId } } }", json!({})).await;
    list["inquiries"]["nodes"].as_array().unwrap().iter().find(|n| n["marketplaceInquiryId"] == key).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn inquiry(app: &TestApp, id: &str) -> Value {
    app.gql_ok(
        TOKEN,
        "query($id: ID!) { inquiry(id: $id) { status replyFailed messages { id author body delivery } } }",
        json!({ "id": id }),
    )
    .await["inquiry"]
        .clone()
}

/// The bodies of the shop's messages on an inquiry.
async fn shop_bodies(app: &TestApp, id: &str) -> Vec<String> {
    inquiry(app, id).await["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["author"] == "SHOP")
        .map(|m| m["body"].as_str().unwrap().to_owned())
        .collect()
}

async fn open_inquiry(c: &Client, base: &str, id: &str) {
    c.goto(&format!("{base}/inquiries/{id}")).await.expect("open the inquiry");
    find(c, ".reply textarea").await;
}

async fn reply_text(c: &Client) -> String {
    js(c, "return document.querySelector('.reply textarea')?.value ?? null;").await.as_str().unwrap_or("").to_owned()
}

/// The reply box's send button: (label, disabled).
async fn send_button(c: &Client) -> (String, bool) {
    let v = js(
        c,
        "const b = document.querySelector('.reply .reply-actions button'); \
         return b ? [b.textContent.trim(), b.disabled] : ['', true];",
    )
    .await;
    (v[0].as_str().unwrap().to_owned(), v[1].as_bool().unwrap())
}

/// Types into the reply box the way a person does.
async fn type_reply(c: &Client, text: &str) {
    find(c, ".reply textarea").await.send_keys(text).await.expect("type the reply");
}

/// Waits for a confirm() dialog and returns its text.
async fn dialog(c: &Client) -> String {
    for _ in 0..100 {
        if let Ok(t) = c.get_alert_text().await {
            return t;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no dialog was shown");
}

#[tokio::test]
async fn a_refused_reply_stays_needing_a_reply_marked_failed_and_is_corrected_and_resent() {
    let Some((app, driver)) = setup().await else { return };
    let mall = Mall::start().await;
    let id = rakuten_inquiry_on(&app, &mall, "注文した商品の在庫はありますか？").await;
    mall.expired(true).await;

    let c = browser(&driver).await;
    log_in(&c, &app.base).await;
    open_inquiry(&c, &app.base, &id).await;
    type_reply(&c, "在庫はございます。").await;
    find(&c, ".reply .reply-actions button").await.click().await.expect("send");

    // The marketplace refuses it: 送信失敗 on the inquiry, still 返信が必要.
    eventually("the reply is marked as failed", || async { text(&c, ".inquiry-head").await.contains("送信失敗") })
        .await;
    assert_eq!(inquiry(&app, &id).await["status"], "NEEDS_REPLY");
    assert!(text(&c, ".thread").await.contains("修正して再送"));

    // In the inbox it is listed under 返信が必要 with 送信失敗.
    c.goto(&format!("{}/?status=NEEDS_REPLY", app.base)).await.expect("inbox");
    let row = format!(".inquiry-list a.inquiry-row[data-id='{id}']");
    eventually("the row is listed as failed", || async { text(&c, &row).await.contains("送信失敗") }).await;
    screenshot(&c, "30-reply-failed-in-inbox").await;

    // The shop renews its key; the reply is corrected and resent from the thread.
    mall.expired(false).await;
    open_inquiry(&c, &app.base, &id).await;
    find_text(&c, "button", "修正して再送").await.click().await.expect("edit");
    let editor = find(&c, ".retry-edit textarea").await;
    editor.clear().await.expect("clear");
    editor.send_keys("在庫はございます。本日発送いたします。").await.expect("type");
    find_text(&c, "button", "修正した内容で再送").await.click().await.expect("resend");

    eventually_within(20, "the inquiry is answered (返信済み)", || async {
        inquiry(&app, &id).await["status"] == "REPLIED"
    })
    .await;
    eventually("the page shows 返信済み without 送信失敗", || async {
        let head = text(&c, ".inquiry-head").await;
        head.contains("返信済み") && !head.contains("送信失敗")
    })
    .await;
    assert_eq!(shop_bodies(&app, &id).await, vec!["在庫はございます。本日発送いたします。".to_owned()]);
    c.close().await.ok();
    app.finish().await;
}

#[tokio::test]
async fn a_link_outside_rakuten_is_caught_while_typing_and_cannot_be_sent() {
    let Some((app, driver)) = setup().await else { return };
    let id = record(&app, "RAKUTEN", "safety-url", &[(shared::MessageAuthor::Customer, "説明書はありますか？")]).await;
    let c = browser(&driver).await;
    log_in(&c, &app.base).await;
    open_inquiry(&c, &app.base, &id).await;
    type_reply(&c, "こちらをご覧ください https://example.com/manual.pdf").await;

    eventually("the rule is shown", || async { text(&c, ".reply .body-problems").await.contains("URL") }).await;
    assert!(send_button(&c).await.1, "送信 is disabled while the text breaks the rule");
    screenshot(&c, "31-reply-url-refused").await;
    assert!(shop_bodies(&app, &id).await.is_empty(), "nothing was sent");
    c.close().await.ok();
    app.finish().await;
}

#[tokio::test]
async fn two_staff_drafting_at_once_are_warned_and_nothing_is_sent_twice() {
    let Some((app, driver)) = setup().await else { return };
    let id = record(&app, "RAKUTEN", "safety-both", &[(shared::MessageAuthor::Customer, "返品できますか？")]).await;
    let a = browser(&driver).await;
    let b = browser(&driver).await;
    log_in(&a, &app.base).await;
    log_in(&b, &app.base).await;
    open_inquiry(&a, &app.base, &id).await;
    open_inquiry(&b, &app.base, &id).await;
    type_reply(&a, "返品を承ります。").await;
    type_reply(&b, "返品は到着後7日以内にご連絡ください。").await;
    eventually("both are connected", || async { live_connected(&a).await && live_connected(&b).await }).await;

    // A sends first.
    find(&a, ".reply .reply-actions button").await.click().await.expect("A sends");
    eventually("A's reply is stored", || async { shop_bodies(&app, &id).await.len() == 1 }).await;

    // B is told at once, sees A's reply, keeps the draft, and must send explicitly.
    eventually("B is warned", || async { text(&b, ".reply .collision").await.contains("新しいメッセージ") }).await;
    eventually("B sees A's reply", || async { text(&b, ".thread").await.contains("返品を承ります。") }).await;
    assert_eq!(reply_text(&b).await, "返品は到着後7日以内にご連絡ください。");
    assert_eq!(send_button(&b).await.0, "このまま送信");
    screenshot(&b, "32-reply-collision").await;
    assert_eq!(shop_bodies(&app, &id).await, vec!["返品を承ります。".to_owned()], "B sent nothing by itself");

    // B decides to send anyway: each reply exists once.
    find(&b, ".reply .reply-actions button").await.click().await.expect("B sends anyway");
    eventually("B's reply is stored", || async { shop_bodies(&app, &id).await.len() == 2 }).await;
    eventually("B's box is empty again", || async { reply_text(&b).await.is_empty() }).await;
    assert_eq!(
        shop_bodies(&app, &id).await,
        vec!["返品を承ります。".to_owned(), "返品は到着後7日以内にご連絡ください。".to_owned()]
    );
    assert_eq!(reply_text(&a).await, "", "A's sent draft is gone");
    a.close().await.ok();
    b.close().await.ok();
    app.finish().await;
}

#[tokio::test]
async fn a_draft_survives_esc_leaving_and_returning_and_is_cleared_after_sending() {
    let Some((app, driver)) = setup().await else { return };
    let id =
        record(&app, "RAKUTEN", "safety-draft", &[(shared::MessageAuthor::Customer, "のしは付けられますか？")]).await;
    let c = browser(&driver).await;
    log_in(&c, &app.base).await;
    open_inquiry(&c, &app.base, &id).await;
    type_reply(&c, "のし対応いたします。").await;

    // Esc leaves the field, never the text.
    press(&c, Key::Escape.into()).await;
    assert_eq!(reply_text(&c).await, "のし対応いたします。");

    // Leaving through a link asks first; staying keeps everything.
    find(&c, "a.back").await.click().await.expect("back link");
    assert!(dialog(&c).await.contains("送信していない返信"));
    c.dismiss_alert().await.expect("stay");
    assert!(c.current_url().await.unwrap().path().starts_with("/inquiries/"));
    assert_eq!(reply_text(&c).await, "のし対応いたします。");

    // Leaving anyway, then coming back (even after a reload): the draft is there.
    find(&c, "a.back").await.click().await.expect("back link");
    dialog(&c).await;
    c.accept_alert().await.expect("leave");
    eventually("on the inbox", || async { c.current_url().await.unwrap().path() == "/" }).await;
    open_inquiry(&c, &app.base, &id).await;
    eventually("the draft is restored", || async { reply_text(&c).await == "のし対応いたします。" }).await;

    // Sent: the draft is gone for good.
    find(&c, ".reply .reply-actions button").await.click().await.expect("send");
    eventually("sent", || async { shop_bodies(&app, &id).await.len() == 1 }).await;
    eventually("the box is empty", || async { reply_text(&c).await.is_empty() }).await;
    open_inquiry(&c, &app.base, &id).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(reply_text(&c).await, "", "no draft after sending");
    c.close().await.ok();
    app.finish().await;
}

#[tokio::test]
async fn logging_out_asks_before_leaving_a_draft() {
    let Some((app, driver)) = setup().await else { return };
    let id = record(&app, "RAKUTEN", "safety-logout", &[(shared::MessageAuthor::Customer, "在庫はありますか？")]).await;
    let c = browser(&driver).await;
    log_in(&c, &app.base).await;
    open_inquiry(&c, &app.base, &id).await;
    type_reply(&c, "在庫ございます。").await;

    // ログアウト asks; staying keeps the session and the text.
    find_text(&c, "button", "ログアウト").await.click().await.expect("log out");
    assert!(dialog(&c).await.contains("送信していない返信"));
    c.dismiss_alert().await.expect("stay");
    assert_eq!(reply_text(&c).await, "在庫ございます。");
    assert!(c.find(Locator::Css("input[name=password]")).await.is_err(), "still signed in");

    // Leaving anyway signs out; signed in again, the draft is there.
    find_text(&c, "button", "ログアウト").await.click().await.expect("log out");
    dialog(&c).await;
    c.accept_alert().await.expect("leave");
    find(&c, "input[name=password]").await;
    log_in(&c, &app.base).await;
    open_inquiry(&c, &app.base, &id).await;
    eventually("the draft is restored", || async { reply_text(&c).await == "在庫ございます。" }).await;
    c.close().await.ok();
    app.finish().await;
}

#[tokio::test]
async fn the_back_button_asks_before_leaving_a_draft_and_not_once_it_is_sent() {
    let Some((app, driver)) = setup().await else { return };
    let id = record(&app, "RAKUTEN", "safety-back", &[(shared::MessageAuthor::Customer, "領収書は出せますか？")]).await;
    let c = browser(&driver).await;
    log_in(&c, &app.base).await;
    // Into the inquiry from the inbox, as staff do (one app page, one history).
    go_within_app(&c, &format!("/inquiries/{id}")).await;
    find(&c, ".reply textarea").await;
    type_reply(&c, "領収書を発行いたします。").await;
    let inquiry_path = format!("/inquiries/{id}");

    // Back asks; staying keeps the page, the text and the question for the next Back.
    let _ = c.back().await; // the dialog may interrupt the command
    assert!(dialog(&c).await.contains("送信していない返信"));
    c.dismiss_alert().await.expect("stay");
    assert_eq!(c.current_url().await.unwrap().path(), inquiry_path);
    assert_eq!(reply_text(&c).await, "領収書を発行いたします。");
    let _ = c.back().await;
    dialog(&c).await;
    c.accept_alert().await.expect("leave");
    eventually("back on the inbox", || async { c.current_url().await.unwrap().path() == "/" }).await;

    // Forward to it again: the draft is back, and once it is sent Back leaves at once.
    let _ = c.forward().await;
    eventually("the draft is restored", || async { reply_text(&c).await == "領収書を発行いたします。" }).await;
    find(&c, ".reply .reply-actions button").await.click().await.expect("send");
    eventually("sent", || async { shop_bodies(&app, &id).await.len() == 1 }).await;
    eventually("the box is empty", || async { reply_text(&c).await.is_empty() }).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    c.back().await.expect("back");
    eventually("left with one Back, no question", || async { c.current_url().await.unwrap().path() == "/" }).await;
    assert!(c.get_alert_text().await.is_err(), "no question without a draft");
    c.close().await.ok();
    app.finish().await;
}

#[tokio::test]
async fn a_cut_connection_shows_a_banner_and_the_page_catches_up_when_it_returns() {
    let Some((app, driver)) = setup().await else { return };
    let id = record(&app, "RAKUTEN", "safety-live", &[(shared::MessageAuthor::Customer, "届いていません")]).await;
    let c = browser(&driver).await;
    log_in_with_socket_switch(&c, &app.base).await;
    // Open the inquiry inside the app (a page load would drop the socket switch).
    go_within_app(&c, &format!("/inquiries/{id}")).await;
    find(&c, ".reply textarea").await;
    eventually("live updates are on", || async { live_connected(&c).await }).await;
    assert!(c.find(Locator::Css(".connection-banner")).await.is_err(), "no banner while connected");

    sockets_off(&c).await;
    eventually("the banner says the connection dropped", || async {
        text(&c, ".connection-banner").await.contains("接続が切れています。再接続しています…")
    })
    .await;
    screenshot(&c, "33-connection-banner").await;

    // Meanwhile the customer writes again.
    record(
        &app,
        "RAKUTEN",
        "safety-live",
        &[
            (shared::MessageAuthor::Customer, "届いていません"),
            (shared::MessageAuthor::Customer, "至急確認してください"),
        ],
    )
    .await;
    assert!(!text(&c, ".thread").await.contains("至急確認してください"));

    sockets_on(&c).await;
    eventually_within(40, "the banner goes away", || async {
        live_connected(&c).await && c.find(Locator::Css(".connection-banner")).await.is_err()
    })
    .await;
    eventually("the page caught up", || async { text(&c, ".thread").await.contains("至急確認してください") }).await;
    c.close().await.ok();
    app.finish().await;
}

#[tokio::test]
async fn completing_a_yahoo_inquiry_asks_first_because_it_cannot_be_reopened() {
    let Some((app, driver)) = setup().await else { return };
    let id = record(
        &app,
        "YAHOO",
        "safety-yahoo",
        &[(shared::MessageAuthor::Customer, "領収書をください"), (shared::MessageAuthor::Shop, "お送りいたします。")],
    )
    .await;
    let c = browser(&driver).await;
    log_in(&c, &app.base).await;
    c.goto(&format!("{}/inquiries/{id}", app.base)).await.expect("open");
    find_text(&c, "button", "完了する").await.click().await.expect("完了する");
    let question = dialog(&c).await;
    assert!(question.contains("Yahoo!") && question.contains("再開できません"), "{question}");
    c.dismiss_alert().await.expect("not now");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_ne!(inquiry(&app, &id).await["status"], "COMPLETED", "nothing changes without a yes");
    screenshot(&c, "34-yahoo-complete-asks").await;
    c.close().await.ok();
    app.finish().await;
}

/// Signs in with two switches a test controls, installed before the app starts its live
/// connection: `window.__silent` swallows everything the server sends on the page's sockets
/// (a connection that looks open while nothing gets through), `window.__offline` makes the
/// page's HTTP requests fail as without a network.
async fn log_in_with_network_switches(c: &Client, base: &str) {
    c.goto(&format!("{base}/")).await.expect("open the app");
    find(c, "input[name=email]").await;
    js(
        c,
        r#"
        window.__silent = false;
        window.__offline = false;
        const Native = window.WebSocket;
        window.WebSocket = class extends Native {
            addEventListener(type, handler, options) {
                if (type === 'message') {
                    const inner = handler;
                    handler = (e) => { if (!window.__silent) inner(e); };
                }
                return super.addEventListener(type, handler, options);
            }
            set onmessage(handler) {
                super.onmessage = handler && ((e) => { if (!window.__silent) handler(e); });
            }
            get onmessage() {
                return super.onmessage;
            }
        };
        const nativeFetch = window.fetch.bind(window);
        window.fetch = (...args) =>
            window.__offline ? Promise.reject(new TypeError('Failed to fetch')) : nativeFetch(...args);
        "#,
    )
    .await;
    find(c, "input[name=email]").await.send_keys(server::demo::DEMO_EMAIL).await.expect("type e-mail");
    find(c, "input[name=password]").await.send_keys(server::demo::DEMO_PASSWORD).await.expect("type password");
    find(c, "button[type=submit]").await.click().await.expect("log in");
    find(c, ".tabs").await;
}

/// Opens a page inside the app (a page load would drop the switches).
async fn go_within_app(c: &Client, path: &str) {
    js(c, &format!("history.pushState(null, '', '{path}'); dispatchEvent(new PopStateEvent('popstate'));")).await;
}

#[tokio::test]
async fn a_socket_that_stops_answering_pings_counts_as_dropped_and_reconnects() {
    let Some((app, driver)) = setup().await else { return };
    let c = browser(&driver).await;
    log_in_with_network_switches(&c, &app.base).await;
    eventually("live updates are on", || async { live_connected(&c).await }).await;

    // The socket stays open but nothing comes through: the missing pong gives it away
    // (a ping every 15 s, 10 s for its pong).
    js(&c, "window.__silent = true;").await;
    eventually_within(40, "the banner says the connection dropped", || async {
        text(&c, ".connection-banner").await.contains("接続が切れています")
    })
    .await;

    js(&c, "window.__silent = false;").await;
    eventually_within(40, "reconnected, the banner is gone", || async {
        live_connected(&c).await && c.find(Locator::Css(".connection-banner")).await.is_err()
    })
    .await;
    c.close().await.ok();
    app.finish().await;
}

#[tokio::test]
async fn a_page_that_failed_to_load_offers_retry_and_recovers_when_the_network_returns() {
    let Some((app, driver)) = setup().await else { return };
    let first = record(&app, "RAKUTEN", "safety-offline-1", &[(shared::MessageAuthor::Customer, "一件目の質問")]).await;
    let second =
        record(&app, "RAKUTEN", "safety-offline-2", &[(shared::MessageAuthor::Customer, "二件目の質問")]).await;
    let c = browser(&driver).await;
    log_in_with_network_switches(&c, &app.base).await;

    // Offline: the page says so and offers 再試行, which works once the network is back.
    js(&c, "window.__offline = true;").await;
    go_within_app(&c, &format!("/inquiries/{first}")).await;
    let retry = find_text(&c, "button", "再試行").await;
    js(&c, "window.__offline = false;").await;
    retry.click().await.expect("再試行");
    eventually("the inquiry loaded", || async { text(&c, ".thread").await.contains("一件目の質問") }).await;

    // Offline again: when the browser says the network is back, the page loads by itself.
    js(&c, "window.__offline = true;").await;
    go_within_app(&c, &format!("/inquiries/{second}")).await;
    find_text(&c, "button", "再試行").await;
    js(&c, "window.__offline = false; window.dispatchEvent(new Event('online'));").await;
    eventually("the inquiry loaded by itself", || async { text(&c, ".thread").await.contains("二件目の質問") }).await;
    c.close().await.ok();
    app.finish().await;
}
