//! `cargo bench -p madoguchi-server --bench inbox` — prints figures, asserts nothing.
//!
//! - inbox page, filtered page, text search over message bodies, and needs-reply counts over
//!   a tenant with many inquiries (SQLite by default; `MADOGUCHI_BENCH_DATABASE_URL=postgres://…`
//!   for PostgreSQL, on a database that may be emptied);
//! - resident memory per idle graphql-transport-ws connection (server and client halves in
//!   this one process, client buffers set as small as the server's).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step is a failed test

use std::time::{Duration, Instant};

use chrono::{TimeDelta, Utc};
use futures_util::{SinkExt, StreamExt};
use server::inbox::{self, IncomingInquiry, IncomingMessage, InquiryFilter};
use server::paging::PageRequest;
use shared::{InquiryStatus, MessageAuthor};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

const INQUIRIES: usize = 5_000;
const SOCKETS: usize = 300;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

async fn time<F, Fut, T>(label: &str, runs: u32, mut f: F)
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
    println!("{label:<48} p50 {:>8.2} ms   p95 {:>8.2} ms", ms(p50), ms(p95));
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("madoguchi-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = std::env::var("MADOGUCHI_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}?mode=rwc", dir.join("bench.sqlite").display()));
    let app = server::start(server::ServerConfig {
        database_url: url.clone(),
        data_dir: dir.clone(),
        spa_dir: None,
        demo: false,
        secret_key: Some("bench".into()),
        bootstrap_token: None,
        policy: server::state::Policy { allow_private_urls: true, public_url: None },
        ..Default::default()
    })
    .await?;
    let st = app.state.clone();
    let actor = server::provision::create_tenant(&st.db, "bench", true).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let shop = server::shops::save(
        &st.db,
        &st.sealer,
        &st.policy,
        &actor,
        None,
        server::shops::ShopForSave {
            marketplace: Some(shared::Marketplace::Rakuten),
            name: "bench".into(),
            mall_shop_name: "bench".into(),
            staff_name: "bench".into(),
            phone: "0".into(),
            email: "a@b.c".into(),
            settings: None,
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    println!("database: {}", if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" });
    let t = Instant::now();
    let now = Utc::now();
    for k in 0..INQUIRIES {
        let at = now - TimeDelta::minutes(k as i64);
        let mut messages = vec![IncomingMessage {
            marketplace_message_id: "0".into(),
            author: MessageAuthor::Customer,
            staff_name: None,
            body: format!("注文番号{k}の配送について教えてください。のし希望"),
            sent_at: at,
            files: Vec::new(),
        }];
        if k % 3 == 1 {
            messages.push(IncomingMessage {
                marketplace_message_id: "1".into(),
                author: MessageAuthor::Shop,
                staff_name: Some("山田".into()),
                body: "承知しました".into(),
                sent_at: at + TimeDelta::seconds(30),
                files: Vec::new(),
            });
        }
        let incoming = IncomingInquiry {
            marketplace_inquiry_id: format!("b-{k}"),
            order_number: None,
            customer_name: Some(format!("顧客{k}")),
            subject: None,
            created_at: at,
            completed: k % 3 == 2,
            messages,
        };
        // As the importers do: a write that met another writer (the server's own background
        // work) is done again.
        server::store::busy_retry(|| inbox::upsert_inquiry(&st, actor.scope, &shop, incoming.clone()))
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    }
    let took = t.elapsed();
    println!(
        "{INQUIRIES} inquiries recorded through upsert_inquiry in {:.1} s ({:.2} ms each)",
        took.as_secs_f64(),
        ms(took) / INQUIRIES as f64
    );

    let first = PageRequest { first: Some(50), ..Default::default() };
    let everything = InquiryFilter::default();
    time("inbox page (50, newest first)", 50, || inbox::list(&st.db, &actor, &everything, &first)).await;
    let needs = InquiryFilter { status: Some(InquiryStatus::NeedsReply), ..Default::default() };
    time("返信が必要 page (50)", 50, || inbox::list(&st.db, &actor, &needs, &first)).await;
    let page = inbox::list(&st.db, &actor, &needs, &first).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let after = PageRequest { first: Some(50), after: page.items.last().map(|(c, _)| c.clone()), ..Default::default() };
    time("返信が必要 second page (cursor)", 50, || inbox::list(&st.db, &actor, &needs, &after)).await;
    let waiting = InquiryFilter { sort: Some(shared::InquirySort::OldestWaiting), ..Default::default() };
    time("inbox page (50, oldest waiting first)", 50, || inbox::list(&st.db, &actor, &waiting, &first)).await;
    let search = InquiryFilter { search: Some("注文番号4242の".into()), ..Default::default() };
    time("text search over message bodies", 20, || inbox::list(&st.db, &actor, &search, &first)).await;
    time("needs-reply counts (total and per shop)", 50, || inbox::counts(&st.db, actor.scope)).await;

    // Idle subscription sockets.
    let (token, _) = server::auth::create_api_token(&st.db, &actor, "bench", &["read".into()])
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app.router).await });
    let before = rss_kib();
    let mut open = Vec::new();
    for _ in 0..SOCKETS {
        let mut req = format!("ws://{addr}/graphql").into_client_request()?;
        req.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse()?);
        let cfg = WebSocketConfig::default().read_buffer_size(8 * 1024).write_buffer_size(8 * 1024);
        let (mut ws, _) = tokio_tungstenite::connect_async_with_config(req, Some(cfg), false).await?;
        ws.send(WsMessage::Text(
            serde_json::json!({"type":"connection_init","payload":{"authorization": format!("Bearer {token}")}})
                .to_string()
                .into(),
        ))
        .await?;
        let _ack = ws.next().await;
        ws.send(WsMessage::Text(serde_json::json!({"id":"1","type":"subscribe","payload":{"query":"subscription { inquiryReceived { id } }"}}).to_string().into())).await?;
        open.push(ws);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after_kib = rss_kib();
    println!(
        "{SOCKETS} idle subscriptions: RSS +{} KiB, {:.1} KiB per connection (server and client halves)",
        after_kib.saturating_sub(before),
        after_kib.saturating_sub(before) as f64 / SOCKETS as f64
    );
    drop(open);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
