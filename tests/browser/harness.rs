use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use madoguchi_tests::{Backend, TestApp, spawn_app_with, spawn_demo_with};
use serde_json::json;

pub const TOKEN: &str = "browser-test-token";

fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn required() -> bool {
    std::env::var("MADOGUCHI_TEST_BROWSER_REQUIRED").is_ok_and(|v| v == "1")
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|d| PathBuf::from(d).join(name)).find(|p| p.is_file())
}

pub fn dist() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../web/dist")
}

pub fn artifacts() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../artifacts/screenshots");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// A chromedriver process; killed on drop.
pub struct Driver {
    child: Child,
    pub url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Everything a browser test needs, or None (with a note) where the machine lacks it.
pub async fn setup() -> Option<(TestApp, Driver)> {
    setup_with(false).await
}

/// Like [`setup`], with the demo exactly as `serve --demo` runs it (its simulator keeps adding
/// orders and customer messages, imported every few seconds).
pub async fn setup_live_demo() -> Option<(TestApp, Driver)> {
    setup_with(true).await
}

async fn setup_with(live: bool) -> Option<(TestApp, Driver)> {
    let chromium = which("chromium").or_else(|| which("chromium-browser"));
    let driver = which("chromedriver");
    let built = dist().join("index.html").exists();
    if chromium.is_none() || driver.is_none() || !built {
        let why = format!(
            "browser tests need chromium ({}), chromedriver ({}) and a built web/dist ({})",
            chromium.is_some(),
            driver.is_some(),
            built
        );
        assert!(!required(), "{why}");
        say(&format!("NOTE: skipping: {why}. Run scripts/test after `apt-get install chromium chromium-driver`."));
        return None;
    }
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
        l.local_addr().expect("addr").port()
    };
    let child = Command::new(driver.expect("checked"))
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let configure = |c: &mut server::ServerConfig| {
        c.demo = true;
        c.spa_dir = Some(dist());
        c.bootstrap_token = Some(TOKEN.into());
    };
    let app = if live {
        spawn_demo_with(&Backend::Sqlite, configure).await
    } else {
        spawn_app_with(&Backend::Sqlite, configure).await
    };
    Some((app, Driver { child, url }))
}

/// A new browser session (its own profile: a separate context with its own cookies).
pub async fn browser(driver: &Driver) -> Client {
    let profile = std::env::temp_dir().join(format!("madoguchi-chrome-{:x}", rand::random::<u64>()));
    let caps = json!({
        "goog:chromeOptions": {
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--window-size=1280,900", "--lang=ja", format!("--user-data-dir={}", profile.display())
            ]
        }
    });
    let caps = caps.as_object().expect("object").clone().into_iter().collect();
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a browser session")
}

/// Waits (up to 10 s) for an element.
pub async fn find(c: &Client, css: &str) -> Element {
    find_within(c, css, Duration::from_secs(10)).await
}

/// Waits up to `wait` for an element (for what the server may answer late on a loaded machine).
pub async fn find_within(c: &Client, css: &str, wait: Duration) -> Element {
    c.wait().at_most(wait).for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no `{css}`: {e}"))
}

/// Waits for an element whose text contains `text` (XPath over the visible text).
pub async fn find_text(c: &Client, tag: &str, text: &str) -> Element {
    let xpath = format!("//{tag}[contains(normalize-space(.), '{text}')]");
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|e| panic!("no <{tag}> with 「{text}」: {e}"))
}

/// Polls until `check` holds (up to 10 s).
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..100 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for: {what}");
}

pub async fn text(c: &Client, css: &str) -> String {
    match c.find(Locator::Css(css)).await {
        Ok(e) => e.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

pub async fn screenshot(c: &Client, name: &str) {
    if let Ok(png) = c.screenshot().await {
        let _ = std::fs::write(artifacts().join(format!("{name}.png")), png);
    }
}

pub async fn log_in(c: &Client, base: &str) {
    c.goto(&format!("{base}/")).await.expect("open the app");
    find(c, "input[name=email]").await.send_keys(server::demo::DEMO_EMAIL).await.expect("type e-mail");
    find(c, "input[name=password]").await.send_keys(server::demo::DEMO_PASSWORD).await.expect("type password");
    find(c, "button[type=submit]").await.click().await.expect("log in");
    find(c, ".tabs").await;
}

/// The number on the 返信が必要 tab.
pub async fn needs_reply_count(c: &Client) -> Option<i64> {
    text(c, ".tabs .count").await.trim().parse().ok()
}

/// Polls until `check` holds, for up to `secs` seconds (for waits that include a reconnect
/// backoff; everything else uses [`eventually`]).
pub async fn eventually_within<F, Fut>(secs: u64, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    while std::time::Instant::now() < deadline {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out after {secs} s waiting for: {what}");
}

/// Presses one key (a character, or a `fantoccini::key::Key` as char) on whatever has the focus,
/// the way a person does (keydown + keyup through the WebDriver actions API).
pub async fn press(c: &Client, key: char) {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let actions =
        KeyActions::new("keyboard".into()).then(KeyAction::Down { value: key }).then(KeyAction::Up { value: key });
    c.perform_actions(actions).await.expect("press a key");
}

/// Runs JavaScript in the page and returns its result.
pub async fn js(c: &Client, script: &str) -> serde_json::Value {
    c.execute(script, vec![]).await.unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
}

/// The page's WebSocket as a switch a test controls: installed on the login screen (before
/// the app opens its live connection after signing in), it records every socket the page
/// opens; [`sockets_off`] closes them and makes new ones fail at once (as during a network
/// outage), [`sockets_on`] lets them through again. The app's own reconnect logic does the rest.
pub async fn log_in_with_socket_switch(c: &Client, base: &str) {
    c.goto(&format!("{base}/")).await.expect("open the app");
    find(c, "input[name=email]").await;
    js(
        c,
        r#"
        if (!window.__testSockets) {
            const Native = window.WebSocket;
            window.__testSockets = { open: [], blocked: false };
            window.WebSocket = class extends Native {
                constructor(url, protocols) {
                    // A closed port: refused at once, as an unreachable server is.
                    super(window.__testSockets.blocked ? "ws://127.0.0.1:9/" : url, protocols);
                    window.__testSockets.open.push(this);
                }
            };
        }
        "#,
    )
    .await;
    find(c, "input[name=email]").await.send_keys(server::demo::DEMO_EMAIL).await.expect("type e-mail");
    find(c, "input[name=password]").await.send_keys(server::demo::DEMO_PASSWORD).await.expect("type password");
    find(c, "button[type=submit]").await.click().await.expect("log in");
    find(c, ".tabs").await;
}

/// Drops the page's live connection and keeps it down (see [`log_in_with_socket_switch`]).
pub async fn sockets_off(c: &Client) {
    js(c, "window.__testSockets.blocked = true; for (const s of window.__testSockets.open) s.close(); window.__testSockets.open = [];").await;
}

/// Lets the page connect again.
pub async fn sockets_on(c: &Client) {
    js(c, "window.__testSockets.blocked = false;").await;
}

/// Whether the top bar shows the live connection as up.
pub async fn live_connected(c: &Client) -> bool {
    c.find(Locator::Css(".live.on")).await.is_ok()
}

/// A customer writes in on the demo's Rakuten shop, recorded the way an import records it.
pub async fn customer_writes_in(app: &TestApp, inquiry_id: &str, customer: &str, subject: &str, body: &str) {
    use chrono::Utc;
    use server::inbox::{IncomingInquiry, IncomingMessage, upsert_inquiry};
    use server::store::entities::shop;
    let shops = app.gql_ok(TOKEN, "{ shops { id marketplace } }", json!({})).await;
    let shop_id: i64 = shops["shops"].as_array().unwrap().iter().find(|s| s["marketplace"] == "RAKUTEN").unwrap()["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let actor = server::auth::actor_from_token(&app.state.db, TOKEN).await.unwrap().unwrap();
    let shop = actor.scope.get::<shop::Entity>(&app.state.db, shop_id).await.unwrap().unwrap();
    let incoming = IncomingInquiry {
        marketplace_inquiry_id: inquiry_id.into(),
        order_number: None,
        customer_name: Some(customer.into()),
        subject: Some(subject.into()),
        created_at: Utc::now(),
        completed: false,
        messages: vec![IncomingMessage {
            marketplace_message_id: server::marketplaces::rakuten::mapping::FIRST_MESSAGE_ID.into(),
            author: shared::MessageAuthor::Customer,
            staff_name: None,
            body: body.into(),
            sent_at: Utc::now(),
            files: Vec::new(),
        }],
    };
    // The demo's marketplace has it too, so answering it works as with any other.
    if let Some(mall) = &app.demo {
        mall.hold_inquiry(shared::Marketplace::Rakuten, &(&incoming).into()).await;
    }
    upsert_inquiry(&app.state, actor.scope, &shop, incoming).await.unwrap();
}
