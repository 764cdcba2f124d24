//! `cargo bench -p madoguchi-server --bench inbox` — prints figures, asserts nothing.
//!
//! - the inbox as the app asks it, over HTTP and GraphQL: pages with and without `totalCount`,
//!   `inboxCounts`, and text searches, over one tenant with `MADOGUCHI_BENCH_INQUIRIES`
//!   inquiries (default 20,000; the first `MADOGUCHI_BENCH_RECORDED`, default 1,000, recorded
//!   through `upsert_inquiry`, the rest written in batches: `inbox_data/seed.rs`). SQLite by
//!   default; `MADOGUCHI_BENCH_DATABASE_URL=postgres://…` for PostgreSQL, on a database that
//!   may be emptied;
//! - resident memory per idle graphql-transport-ws connection (server and client halves in
//!   this one process, client buffers set as small as the server's).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step is a failed test

#[path = "inbox_data/seed.rs"]
mod seed;

#[path = "common/shops.rs"]
mod shops;

use std::time::{Duration, Instant};

use chrono::Utc;
use futures_util::{SinkExt, StreamExt};
use sea_orm::ConnectionTrait as _;
use serde_json::{Value, json};
use server::inbox;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

const SOCKETS: usize = 300;
const BATCH: usize = 500;

fn env_size(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.replace('_', "").parse().ok()).unwrap_or(default)
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

async fn time<F, Fut, T>(label: &str, runs: u32, mut f: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let mut all = Vec::with_capacity(runs as usize);
    for _ in 0..runs {
        let t = Instant::now();
        let _ = f().await;
        all.push(t.elapsed());
    }
    all.sort();
    let p50 = all[all.len() / 2];
    let p95 = all[(all.len() * 95 / 100).min(all.len() - 1)];
    let p99 = all[(all.len() * 99 / 100).min(all.len() - 1)];
    println!("{label:<58} p50 {:>8.2} ms   p95 {:>8.2} ms   p99 {:>8.2} ms", ms(p50), ms(p95), ms(p99));
    p50
}

/// `clients` callers asking `query` back to back for `seconds`: requests per second and p50/p99.
async fn throughput(api: &std::sync::Arc<Api>, clients: usize, seconds: u64, query: &'static str, variables: Value) {
    let until = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (api, variables) = (api.clone(), variables.clone());
        tasks.push(tokio::spawn(async move {
            let mut took = Vec::new();
            while Instant::now() < until {
                let t = Instant::now();
                api.ask(query, variables.clone()).await;
                took.push(t.elapsed());
            }
            took
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("client"));
    }
    all.sort();
    let at = |p: usize| ms(all[(all.len() * p / 100).min(all.len() - 1)]);
    println!(
        "{:<58} {:>6.0} req/s   p50 {:>8.2} ms   p99 {:>8.2} ms",
        format!("返信が必要 page + totalCount, {clients} clients, {seconds} s"),
        all.len() as f64 / seconds as f64,
        at(50),
        at(99)
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

struct Api {
    http: reqwest::Client,
    url: String,
    token: String,
}

impl Api {
    async fn ask(&self, query: &str, variables: Value) -> Value {
        let body: Value = self
            .http
            .post(&self.url)
            .bearer_auth(&self.token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("answer")
            .json()
            .await
            .expect("json");
        assert!(body.get("errors").is_none(), "{body}");
        body
    }
}

const PAGE: &str = "query($f: InquiryFilter) { inquiries(filter: $f, first: 50) { nodes { id customerName preview status } pageInfo { endCursor } } }";
const PAGE_TOTAL: &str = "query($f: InquiryFilter) { inquiries(filter: $f, first: 50) { totalCount totalCountCapped nodes { id customerName preview status } pageInfo { endCursor } } }";
const COUNTS: &str = "{ inboxCounts { needsReply failedDeliveries byShop { shop { id } needsReply } byMarketplace { marketplace needsReply } } }";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n = env_size("MADOGUCHI_BENCH_INQUIRIES", 20_000);
    let recorded = env_size("MADOGUCHI_BENCH_RECORDED", 1_000).min(n);
    let dir = std::env::temp_dir().join(format!("madoguchi-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = std::env::var("MADOGUCHI_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}?mode=rwc", dir.join("bench.sqlite").display()));
    let config = || server::ServerConfig {
        database_url: url.clone(),
        data_dir: dir.clone(),
        spa_dir: None,
        demo: false,
        secret_key: Some("bench".into()),
        bootstrap_token: None,
        policy: server::state::Policy { allow_private_urls: true, public_url: None },
        ..Default::default()
    };
    let mut app = server::start(config()).await?;
    let mut st = app.state.clone();
    let actor = server::provision::create_tenant(&st.db, "bench", true).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let mut shops = Vec::new();
    for (k, marketplace) in [
        shared::Marketplace::Rakuten,
        shared::Marketplace::Rakuten,
        shared::Marketplace::Yahoo,
        shared::Marketplace::Yahoo,
    ]
    .into_iter()
    .enumerate()
    {
        let saved = shops::save_shop(&st, &actor, marketplace, &format!("bench {k}"), None).await?;
        shops.push(saved);
    }
    println!("database: {}", if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" });

    let now = Utc::now();
    let mut threads = seed::threads(n, now).enumerate();
    let t = Instant::now();
    for (k, thread) in threads.by_ref().take(recorded) {
        let shop = &shops[k % shops.len()];
        // As the importers do: a write that met another writer is done again.
        server::store::busy_retry(|| inbox::upsert_inquiry(&st, actor.scope, shop, seed::incoming(&thread)))
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    }
    let took = t.elapsed();
    println!(
        "{recorded} inquiries recorded through upsert_inquiry in {:.1} s ({:.2} ms each)",
        took.as_secs_f64(),
        ms(took) / recorded.max(1) as f64
    );
    let t = Instant::now();
    let mut pending: Vec<Vec<seed::Thread>> = shops.iter().map(|_| Vec::new()).collect();
    for (k, thread) in threads {
        let s = k % shops.len();
        pending[s].push(thread);
        if pending[s].len() == BATCH {
            seed::write_batch(&st.db, actor.scope.tenant_id(), &shops[s], &std::mem::take(&mut pending[s])).await?;
        }
    }
    for (s, batch) in pending.into_iter().enumerate() {
        seed::write_batch(&st.db, actor.scope.tenant_id(), &shops[s], &batch).await?;
    }
    println!("{} more written in batches of {BATCH} in {:.1} s", n - recorded, t.elapsed().as_secs_f64());
    if url.starts_with("postgres") {
        // What autovacuum does after a load this size.
        sea_orm::ConnectionTrait::execute_unprepared(&st.db, "ANALYZE").await?;
    } else {
        // As after a restart: SQLite's planner statistics are taken when the server starts.
        app = server::start(config()).await?;
        st = app.state.clone();
    }

    let (token, _) = server::auth::create_api_token(&st.db, &actor, "bench", &["read".into()])
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app.router).await });
    let api = std::sync::Arc::new(Api {
        http: reqwest::Client::new(),
        url: format!("http://{addr}/graphql"),
        token: token.clone(),
    });
    println!("{n} inquiries, {} shops; GraphQL over HTTP on loopback:", shops.len());

    let all = json!({});
    let needs = json!({ "status": "NEEDS_REPLY" });
    let shop_needs = json!({ "status": "NEEDS_REPLY", "shopId": shops[0].id.to_string() });
    let market = json!({ "status": "REPLIED", "marketplace": "YAHOO" });
    let period = json!({ "from": (now - chrono::TimeDelta::days(30)).to_rfc3339() });
    time("inbox page (50), no totalCount", 30, || api.ask(PAGE, json!({ "f": all }))).await;
    time("inbox page (50) + totalCount (kept counts)", 30, || api.ask(PAGE_TOTAL, json!({ "f": all }))).await;
    let api_page = time("返信が必要 page (50) + totalCount (kept counts)", 100, || {
        api.ask(PAGE_TOTAL, json!({ "f": needs }))
    })
    .await;
    // The floor under it: the same 50 rows by one SQL statement on a pooled connection.
    let raw = sea_orm::Statement::from_string(
        st.db.get_database_backend(),
        format!(
            "SELECT id, customer_name, preview, status FROM inquiry WHERE tenant_id = {} AND status = 'NEEDS_REPLY' \
             ORDER BY last_message_at DESC, id DESC LIMIT 50",
            actor.scope.tenant_id()
        ),
    );
    let raw_page = time("  the same rows by raw SQL (no count)", 100, || st.db.query_all_raw(raw.clone())).await;
    println!("  ratio API / raw SQL: {:.1}", api_page.as_secs_f64() / raw_page.as_secs_f64().max(1e-9));
    throughput(&api, 1, 10, PAGE_TOTAL, json!({ "f": needs })).await;
    throughput(&api, 16, 10, PAGE_TOTAL, json!({ "f": needs })).await;
    time("返信が必要 of one shop + totalCount", 30, || api.ask(PAGE_TOTAL, json!({ "f": shop_needs }))).await;
    time("返信済み on Yahoo! + totalCount", 30, || api.ask(PAGE_TOTAL, json!({ "f": market }))).await;
    time("last 30 days + totalCount (counted, ≤ 10,000)", 10, || api.ask(PAGE_TOTAL, json!({ "f": period }))).await;
    time("inboxCounts", 30, || api.ask(COUNTS, json!({}))).await;
    time("inbox::counts (the function, no HTTP)", 30, || inbox::counts(&st.db, actor.scope)).await;

    let needle_order = format!("100-{:07}", seed::NEEDLE_AT);
    let searches: [(&str, String); 7] = [
        ("search: an order number", needle_order),
        ("search: a phone number without hyphens", seed::NEEDLE_PHONE.replace('-', "")),
        ("search: a customer name (1 in 400)", "佐藤 花子".into()),
        ("search: half-width ﾃｽﾄｷｯﾄ (1 in 12 messages)", "ﾃｽﾄｷｯﾄ".into()),
        ("search: 配送状況 (common)", "配送状況".into()),
        ("search: のし (2 characters: recent 10,000 only)", "のし".into()),
        ("search: nothing matches", "該当なしの言葉".into()),
    ];
    for (label, text) in &searches {
        let f = json!({ "f": { "search": text } });
        let found = api.ask(PAGE_TOTAL, f.clone()).await;
        let c = &found["data"]["inquiries"];
        let shown = format!("{label} [{}{}]", c["totalCount"], if c["totalCountCapped"] == true { "+" } else { "" });
        time(&shown, 10, || api.ask(PAGE, f.clone())).await;
        time("  … + totalCount", 10, || api.ask(PAGE_TOTAL, f.clone())).await;
    }

    // Idle subscription sockets.
    let before = rss_kib();
    let mut open = Vec::new();
    for _ in 0..SOCKETS {
        let mut req = format!("ws://{addr}/graphql").into_client_request()?;
        req.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse()?);
        let cfg = WebSocketConfig::default().read_buffer_size(8 * 1024).write_buffer_size(8 * 1024);
        let Ok((mut ws, _)) = tokio_tungstenite::connect_async_with_config(req, Some(cfg), false).await else { break };
        let init = json!({"type":"connection_init","payload":{"authorization": format!("Bearer {token}")}});
        let subscribe =
            json!({"id":"1","type":"subscribe","payload":{"query":"subscription { inquiryReceived { id } }"}});
        // The per-tenant socket cap closes the ones past it: counted up to there.
        if ws.send(WsMessage::Text(init.to_string().into())).await.is_err() {
            break;
        }
        if !matches!(ws.next().await, Some(Ok(WsMessage::Text(_)))) {
            break;
        }
        if ws.send(WsMessage::Text(subscribe.to_string().into())).await.is_err() {
            break;
        }
        open.push(ws);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after_kib = rss_kib();
    println!(
        "{} idle subscriptions: RSS +{} KiB, {:.1} KiB per connection (server and client halves)",
        open.len(),
        after_kib.saturating_sub(before),
        after_kib.saturating_sub(before) as f64 / open.len().max(1) as f64
    );
    drop(open);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
