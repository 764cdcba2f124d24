//! `scripts/soak [SECONDS]` — load and soak: prints figures, asserts nothing (BENCHMARKS.md).
//!
//! The real `madoguchi` binary as its own process (`MADOGUCHI_SOAK_BIN`: another build of it) on
//! a fresh SQLite file (`MADOGUCHI_BENCH_DATABASE_URL=postgres://…` for PostgreSQL, on a
//! database that may be emptied), four tenants with 500 inquiries each (written through the
//! product's own calls before the server starts),
//! 200 graphql-transport-ws subscribers (50 per tenant: inbox counts and inquiry updates) and
//! an open-loop stream of mixed requests (`MADOGUCHI_SOAK_RATE`, default 300 a second: 45 %
//! inbox pages, 25 % inbox counts, 15 % one inquiry with its thread, 15 % writes — a reply
//! whose delivery waits, as the shop has no credentials) for `SECONDS` (default 60).
//!
//! Every 10 s it prints the requests done, errors (a request unanswered after 10 s is one: the
//! load never piles up past that), p50/p99 latency of that window, the server process's resident
//! memory and open file descriptors, the load generator's resident memory, and the events the
//! subscribers received; at the end the totals.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step is a failed test

#[path = "common/serve.rs"]
mod serve;
#[path = "common/shops.rs"]
mod shops;

#[path = "../tests/common/mod.rs"]
mod binary;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{TimeDelta, Utc};
use futures_util::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use serde_json::{Value, json};
use server::inbox::{self, IncomingInquiry, IncomingMessage};
use shared::MessageAuthor;
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

const TENANTS: usize = 4;
const INQUIRIES_PER_TENANT: usize = 500;
const SUBSCRIBERS_PER_TENANT: usize = 50;

/// A field of `/proc/<pid>/status` in KiB (`pid` "self": this load generator).
fn status_kib(pid: &str, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

fn open_fds(pid: &str) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map(|d| d.count()).unwrap_or(0)
}

/// Latencies in microseconds, up to a minute, three significant digits: constant memory
/// however long the soak runs (a list of every latency would grow with it).
fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("bounds")
}

fn ms_at(h: &Histogram<u64>, quantile: f64) -> f64 {
    h.value_at_quantile(quantile) as f64 / 1000.0
}

struct Tenant {
    token: String,
    inquiry_ids: Vec<String>,
}

async fn seed(st: &server::state::AppState, n: usize) -> anyhow::Result<Tenant> {
    let actor = server::provision::create_tenant(&st.db, &format!("soak{n}"), true)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let (token, _) = server::auth::create_api_token(&st.db, &actor, "soak", &["read".into(), "write".into()])
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let shop = shops::save_shop(st, &actor, shared::Marketplace::Rakuten, &format!("soak{n}"), None).await?;
    let now = Utc::now();
    let mut inquiry_ids = Vec::new();
    for k in 0..INQUIRIES_PER_TENANT {
        let at = now - TimeDelta::minutes(k as i64);
        let (inquiry_id, _) = inbox::upsert_inquiry(
            st,
            actor.scope,
            &shop,
            IncomingInquiry {
                marketplace_inquiry_id: format!("s{n}-{k}"),
                order_number: None,
                customer_name: Some(format!("顧客{k}")),
                subject: None,
                created_at: at,
                completed: false,
                messages: vec![IncomingMessage {
                    marketplace_message_id: "0".into(),
                    author: MessageAuthor::Customer,
                    staff_name: None,
                    body: format!("注文{k}はいつ届きますか"),
                    sent_at: at,
                    files: Vec::new(),
                }],
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        inquiry_ids.push(inquiry_id.to_string());
    }
    Ok(Tenant { token, inquiry_ids })
}

/// A subscriber: counts every `next` it receives until the socket closes.
async fn subscribe(base: &str, token: &str, received: Arc<AtomicU64>, errors: Arc<AtomicU64>) -> anyhow::Result<()> {
    let mut req = format!("ws://{base}/graphql").into_client_request()?;
    req.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse()?);
    // Small buffers: the load generator should not weigh on the machine.
    let cfg = WebSocketConfig::default().read_buffer_size(8 * 1024).write_buffer_size(8 * 1024);
    let (mut ws, _) = tokio_tungstenite::connect_async_with_config(req, Some(cfg), false).await?;
    ws.send(WsMessage::text(
        json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {token}")}}).to_string(),
    ))
    .await?;
    for (id, query) in [
        ("1", "subscription { inboxCountsChanged { needsReply } }"),
        ("2", "subscription { inquiryUpdated { id status } }"),
    ] {
        ws.send(WsMessage::text(json!({"id": id, "type": "subscribe", "payload": {"query": query}}).to_string()))
            .await?;
    }
    tokio::spawn(async move {
        while let Some(Ok(msg)) = ws.next().await {
            if let WsMessage::Text(t) = msg {
                let v: Value = serde_json::from_str(&t).unwrap_or(Value::Null);
                match v["type"].as_str() {
                    Some("next") => {
                        received.fetch_add(1, Ordering::Relaxed);
                    }
                    Some("error") => {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                    Some("ping") => {
                        let _ = ws.send(WsMessage::text(json!({"type": "pong"}).to_string())).await;
                    }
                    _ => {}
                }
            }
        }
    });
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let seconds: u64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(60);
    let rate: u64 = std::env::var("MADOGUCHI_SOAK_RATE").ok().and_then(|r| r.parse().ok()).unwrap_or(300);
    // Seeded through the product's own calls by a server in this process, stopped before the
    // measured one starts on the same database.
    let seeding = serve::serve("soak").await?;
    println!("database: {}", seeding.database);
    let mut tenants = Vec::new();
    for n in 0..TENANTS {
        tenants.push(Arc::new(seed(&seeding.app.state, n).await?));
    }
    println!("seeded {TENANTS} tenants × {INQUIRIES_PER_TENANT} inquiries");
    let (dir, url) = (seeding.dir.clone(), seeding.url.clone());
    let db = seeding.app.state.db.clone();
    seeding.app.stop(Duration::from_secs(5)).await;
    db.close().await?;

    let program = std::env::var("MADOGUCHI_SOAK_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_madoguchi").to_owned());
    let (child, base) = serve::binary(&program, &dir, &url, "soak")?;
    let pid = child.0.id().to_string();
    println!("server: {program} (pid {pid}) on {base}");

    let events = Arc::new(AtomicU64::new(0));
    let socket_errors = Arc::new(AtomicU64::new(0));
    for t in &tenants {
        for _ in 0..SUBSCRIBERS_PER_TENANT {
            subscribe(&base, &t.token, events.clone(), socket_errors.clone()).await?;
        }
    }
    println!("{} subscribers connected", TENANTS * SUBSCRIBERS_PER_TENANT);
    tokio::time::sleep(Duration::from_secs(1)).await;
    println!(
        "start: server RSS {} MiB, {} open file descriptors; load generator RSS {} MiB",
        status_kib(&pid, "VmRSS:") / 1024,
        open_fds(&pid),
        status_kib("self", "VmRSS:") / 1024
    );
    println!("load: {rate} requests/s for {seconds} s");
    println!(
        "{:>5} {:>8} {:>7} {:>9} {:>9} {:>9} {:>6} {:>9} {:>9}",
        "t(s)", "requests", "errors", "p50 ms", "p99 ms", "RSS MiB", "fds", "load MiB", "events"
    );

    let http = reqwest::Client::builder().pool_max_idle_per_host(64).timeout(Duration::from_secs(10)).build()?;
    let window = Arc::new(Mutex::new(histogram()));
    let all = Arc::new(Mutex::new(histogram()));
    let errors = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicU64::new(0));
    let first_error: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(None));
    let started = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / rate.max(1)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut next_report = Duration::from_secs(10);
    let mut n: u64 = 0;
    while started.elapsed() < Duration::from_secs(seconds) {
        tick.tick().await;
        n += 1;
        let t = tenants[(n as usize) % TENANTS].clone();
        let id = t.inquiry_ids[(n as usize * 7) % t.inquiry_ids.len()].clone();
        let (query, variables) = match n % 20 {
            0..=8 => (
                "query { inquiries(first: 20, filter: {status: NEEDS_REPLY}) { totalCount nodes { id status preview customerName } } }",
                json!({}),
            ),
            9..=13 => ("query { inboxCounts { needsReply failedDeliveries } }", json!({})),
            14..=16 => (
                "query($id: ID!) { inquiry(id: $id) { id status messages { id author body delivery } } }",
                json!({ "id": id }),
            ),
            _ => (
                "mutation($i: ReplyInput!) { replyToInquiry(input: $i) { id } }",
                json!({ "i": { "inquiryId": id, "body": "ご連絡ありがとうございます。確認いたします。" } }),
            ),
        };
        {
            let (http, url, window, all, errors, done, first_error) = (
                http.clone(),
                format!("http://{base}/graphql"),
                window.clone(),
                all.clone(),
                errors.clone(),
                done.clone(),
                first_error.clone(),
            );
            tokio::spawn(async move {
                let t0 = Instant::now();
                let result = http
                    .post(&url)
                    .bearer_auth(&t.token)
                    .json(&json!({ "query": query, "variables": variables }))
                    .send()
                    .await;
                let ok = match result {
                    Ok(r) if r.status().is_success() => match r.json::<Value>().await {
                        Ok(body) if body.get("errors").is_none() => true,
                        Ok(body) => {
                            first_error.lock().await.get_or_insert_with(|| body["errors"].to_string());
                            false
                        }
                        Err(e) => {
                            first_error.lock().await.get_or_insert_with(|| e.to_string());
                            false
                        }
                    },
                    Ok(r) => {
                        first_error.lock().await.get_or_insert_with(|| format!("HTTP {}", r.status()));
                        false
                    }
                    Err(e) => {
                        first_error.lock().await.get_or_insert_with(|| e.to_string());
                        false
                    }
                };
                let took = t0.elapsed();
                if !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
                done.fetch_add(1, Ordering::Relaxed);
                let micros = (took.as_micros() as u64).clamp(1, 60_000_000);
                window.lock().await.saturating_record(micros);
                all.lock().await.saturating_record(micros);
            });
        }
        if started.elapsed() >= next_report {
            let w = std::mem::replace(&mut *window.lock().await, histogram());
            println!(
                "{:>5} {:>8} {:>7} {:>9.2} {:>9.2} {:>9} {:>6} {:>9} {:>9}",
                next_report.as_secs(),
                done.load(Ordering::Relaxed),
                errors.load(Ordering::Relaxed),
                ms_at(&w, 0.50),
                ms_at(&w, 0.99),
                status_kib(&pid, "VmRSS:") / 1024,
                open_fds(&pid),
                status_kib("self", "VmRSS:") / 1024,
                events.load(Ordering::Relaxed)
            );
            next_report += Duration::from_secs(10);
        }
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let everything = all.lock().await.clone();
    let total = done.load(Ordering::Relaxed);
    println!(
        "total: {total} requests in {seconds} s ({:.0}/s), {} errors, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        total as f64 / seconds as f64,
        errors.load(Ordering::Relaxed),
        ms_at(&everything, 0.50),
        ms_at(&everything, 0.99),
        everything.max() as f64 / 1000.0
    );
    println!(
        "subscribers: {} events received, {} socket errors; end: server RSS {} MiB (peak {} MiB), {} open file descriptors; load generator RSS {} MiB",
        events.load(Ordering::Relaxed),
        socket_errors.load(Ordering::Relaxed),
        status_kib(&pid, "VmRSS:") / 1024,
        status_kib(&pid, "VmHWM:") / 1024,
        open_fds(&pid),
        status_kib("self", "VmRSS:") / 1024
    );
    if let Some(e) = first_error.lock().await.as_ref() {
        println!("first error: {e}");
    }
    drop(child);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
