//! `scripts/bench fanout` — live fan-out: prints figures, asserts nothing (BENCHMARKS.md).
//!
//! 1. **Delivery**: one server in this process (SQLite file, or
//!    `MADOGUCHI_BENCH_DATABASE_URL=postgres://…`; tenants are new ones, nothing is emptied),
//!    `MADOGUCHI_FANOUT_SUBSCRIBERS` graphql-transport-ws subscribers (default 1,000) on
//!    `inboxCountsChanged { needsReply }`, spread over `MADOGUCHI_FANOUT_TENANTS` tenants (default
//!    20: a process takes at most 200 sockets of one tenant). For `MADOGUCHI_FANOUT_SECONDS`
//!    (default 30) a new 返信が必要 inquiry is recorded through `inbox::upsert_inquiry` at
//!    `MADOGUCHI_FANOUT_RATE` a second (default 10), round-robin over the tenants. Each write
//!    raises its tenant's `needsReply` by one, so a payload names the write it shows: delivery =
//!    when a subscriber received the `next` with that value − when the write started (when two
//!    writes of one tenant overlap, one read may show both: then the first higher count, which
//!    includes the write, counted apart). Every subscriber of the tenant should receive every
//!    write of it; the ones that never came are counted as missing.
//! 2. **Idle sockets**: the real `madoguchi` binary as a separate process (on its own SQLite file,
//!    or on that PostgreSQL database), and `MADOGUCHI_FANOUT_IDLE` sockets (default 5,000) over
//!    `MADOGUCHI_FANOUT_IDLE_TENANTS` tenants (default 50), each with `connection_init`
//!    acknowledged and one `inboxCountsChanged` subscription, nothing else. The server's resident
//!    memory (`/proc/<pid>/status` VmRSS) before and after. Needs about 2 file descriptors per
//!    socket across the two processes (`scripts/bench` raises the limit to 8,192).
//!    `MADOGUCHI_FANOUT_IDLE_SUBSCRIBE=0`: sockets without the subscription (what the socket
//!    alone costs); `MADOGUCHI_FANOUT_BIN`: another server binary (e.g. the release one from a
//!    quicker debug build of this bench).
//!
//! `cargo bench -p madoguchi-server --bench fanout -- delivery` (or `idle`) runs one part.

#![allow(clippy::unwrap_used, clippy::expect_used)] // bench code: a failed step is a failed run

#[path = "common/serve.rs"]
mod serve;
#[path = "common/shops.rs"]
mod shops;

#[path = "../tests/common/mod.rs"]
mod binary;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{TimeDelta, Utc};
use futures_util::{FutureExt as _, SinkExt, StreamExt};
use serde_json::{Value, json};
use server::inbox::{self, IncomingInquiry, IncomingMessage};
use shared::MessageAuthor;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

const COUNTS: &str = "subscription { inboxCountsChanged { needsReply } }";
/// 返信が必要 inquiries each tenant has before the measured writes.
const SEEDED: usize = 20;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.replace(['_', ','], "").parse().ok()).unwrap_or(default)
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn status_kib(pid: &str, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

fn open_fds(pid: &str) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map(|d| d.count()).unwrap_or(0)
}

fn ms(sorted: &[Duration], p: usize) -> String {
    if sorted.is_empty() {
        return "-".into();
    }
    format!("{:.1} ms", sorted[(sorted.len() * p / 100).min(sorted.len() - 1)].as_secs_f64() * 1000.0)
}

fn database_name(url: &str) -> &'static str {
    if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" }
}

/// Opens a graphql-transport-ws socket with the token, waits for `connection_ack`, and starts
/// the counts subscription (unless `subscribe` is false). Small buffers: the client half should
/// not weigh on the machine.
async fn open_socket(base: &str, token: &str, subscribe: bool) -> anyhow::Result<Ws> {
    let mut req = format!("ws://{base}/graphql").into_client_request()?;
    req.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse()?);
    let cfg = WebSocketConfig::default().read_buffer_size(8 * 1024).write_buffer_size(8 * 1024);
    let (mut ws, _) = tokio_tungstenite::connect_async_with_config(req, Some(cfg), false).await?;
    let init = json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {token}")}});
    ws.send(WsMessage::text(init.to_string())).await?;
    match tokio::time::timeout(Duration::from_secs(15), ws.next()).await {
        Ok(Some(Ok(WsMessage::Text(t)))) if t.contains("connection_ack") => {}
        Ok(Some(Ok(WsMessage::Close(frame)))) => anyhow::bail!("closed: {frame:?}"),
        other => anyhow::bail!("no connection_ack: {other:?}"),
    }
    if subscribe {
        let subscribe = json!({"id": "1", "type": "subscribe", "payload": {"query": COUNTS}});
        ws.send(WsMessage::text(subscribe.to_string())).await?;
    }
    Ok(ws)
}

fn needs_reply_inquiry(id: String, at: chrono::DateTime<Utc>) -> IncomingInquiry {
    IncomingInquiry {
        marketplace_inquiry_id: id,
        order_number: None,
        customer_name: Some("顧客".into()),
        subject: None,
        created_at: at,
        completed: false,
        messages: vec![IncomingMessage {
            marketplace_message_id: "0".into(),
            author: MessageAuthor::Customer,
            staff_name: None,
            body: "注文はいつ届きますか".into(),
            sent_at: at,
            files: Vec::new(),
        }],
    }
}

struct Tenant {
    actor: server::auth::Actor,
    shop: server::store::entities::shop::Model,
    token: String,
    /// 返信が必要 before the measured writes.
    base: i64,
}

/// A measured write: its tenant (index), the `needsReply` it makes, when it started, and how
/// long it took (none when it failed).
type Write = (usize, i64, Instant, Option<Duration>);

/// What one subscriber received: each `needsReply` value with when it arrived.
#[derive(Default)]
struct Received {
    values: Mutex<Vec<(i64, Instant)>>,
}

async fn delivery() -> anyhow::Result<()> {
    let subscribers = env_usize("MADOGUCHI_FANOUT_SUBSCRIBERS", 1_000);
    let tenant_count = env_usize("MADOGUCHI_FANOUT_TENANTS", 20).max(1);
    let seconds = env_usize("MADOGUCHI_FANOUT_SECONDS", 30) as u64;
    let rate = env_usize("MADOGUCHI_FANOUT_RATE", 10).max(1) as u64;
    let served = serve::serve("fanout").await?;
    let (st, base) = (served.app.state.clone(), served.base.clone());

    let now = Utc::now();
    let mut tenants = Vec::new();
    for n in 0..tenant_count {
        let name = format!("fanout{}-{n}", std::process::id());
        let actor =
            server::provision::create_tenant(&st.db, &name, true).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let (token, _) = server::auth::create_api_token(&st.db, &actor, "fanout", &["read".into()])
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let shop = shops::save_shop(&st, &actor, shared::Marketplace::Rakuten, &name, None).await?;
        for k in 0..SEEDED {
            let incoming = || needs_reply_inquiry(format!("seed-{k}"), now - TimeDelta::minutes(k as i64));
            server::store::busy_retry(|| inbox::upsert_inquiry(&st, actor.scope, &shop, incoming()))
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        }
        let base = inbox::counts(&st.db, actor.scope).await.map_err(|e| anyhow::anyhow!("{e:?}"))?.needs_reply;
        tenants.push(Arc::new(Tenant { actor, shop, token, base }));
    }

    // The subscribers, each reading its socket until it closes.
    let closed = Arc::new(AtomicU64::new(0));
    let mut of_tenant: Vec<Vec<Arc<Received>>> = tenants.iter().map(|_| Vec::new()).collect();
    let connecting = Instant::now();
    for s in 0..subscribers {
        let t = s % tenant_count;
        let mut ws = open_socket(&base, &tenants[t].token, true).await?;
        let received = Arc::new(Received::default());
        of_tenant[t].push(received.clone());
        let closed = closed.clone();
        tokio::spawn(async move {
            while let Some(Ok(msg)) = ws.next().await {
                let WsMessage::Text(text) = msg else { continue };
                let at = Instant::now();
                let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                match v["type"].as_str() {
                    Some("next") => {
                        if let Some(n) = v["payload"]["data"]["inboxCountsChanged"]["needsReply"].as_i64() {
                            received.values.lock().unwrap().push((n, at));
                        }
                    }
                    Some("ping") => {
                        let _ = ws.send(WsMessage::text(json!({"type": "pong"}).to_string())).await;
                    }
                    _ => {}
                }
            }
            closed.fetch_add(1, Ordering::Relaxed);
        });
    }
    println!(
        "live fan-out on {}: {subscribers} subscribers on inboxCountsChanged over {tenant_count} tenants ({} each), connected in {:.1} s",
        served.database,
        subscribers / tenant_count,
        connecting.elapsed().as_secs_f64()
    );
    tokio::time::sleep(Duration::from_secs(1)).await;

    // The writes: `rate` a second, round-robin over the tenants, each started on its tick.
    let total = (rate * seconds) as usize;
    println!(
        "writing {total} new 返信が必要 inquiries at {rate}/s for {seconds} s; load average before: {}",
        loadavg()
    );
    let writes: Arc<Mutex<Vec<Write>>> = Arc::new(Mutex::new(Vec::new()));
    let write_errors = Arc::new(AtomicU64::new(0));
    let mut made = vec![0_i64; tenant_count];
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / rate));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut running = Vec::with_capacity(total);
    for n in 0..total {
        tick.tick().await;
        let t = n % tenant_count;
        made[t] += 1;
        let value = tenants[t].base + made[t];
        let (tenant, st, writes, write_errors) = (tenants[t].clone(), st.clone(), writes.clone(), write_errors.clone());
        running.push(tokio::spawn(async move {
            let started = Instant::now();
            let incoming = || needs_reply_inquiry(format!("live-{n}"), Utc::now());
            let done =
                server::store::busy_retry(|| inbox::upsert_inquiry(&st, tenant.actor.scope, &tenant.shop, incoming()))
                    .await;
            let took = started.elapsed();
            if done.is_err() {
                write_errors.fetch_add(1, Ordering::Relaxed);
            }
            writes.lock().unwrap().push((t, value, started, done.is_ok().then_some(took)));
        }));
    }
    let load_during = loadavg();
    for r in running {
        let _ = r.await;
    }
    // Let the last deliveries arrive.
    tokio::time::sleep(Duration::from_secs(5)).await;

    let writes = std::mem::take(&mut *writes.lock().unwrap());
    let mut latencies = Vec::new();
    let mut missing = 0_usize;
    let mut later = 0_usize;
    let mut expected = 0_usize;
    let mut write_times: Vec<Duration> = writes.iter().filter_map(|w| w.3).collect();
    for (t, value, started, ok) in &writes {
        if ok.is_none() {
            continue;
        }
        for sub in &of_tenant[*t] {
            expected += 1;
            let values = sub.values.lock().unwrap();
            // The payload with this write's count; when writes of one tenant overlapped, a read
            // may show two at once: then the first later count (it includes this write).
            let exact = values.iter().find(|(v, _)| v == value);
            let got = exact.or_else(|| values.iter().find(|(v, _)| v > value));
            match got {
                Some((v, at)) => {
                    later += usize::from(v != value);
                    latencies.push(at.saturating_duration_since(*started));
                }
                None => missing += 1,
            }
        }
    }
    let payloads: usize = of_tenant.iter().flatten().map(|s| s.values.lock().unwrap().len()).sum();
    latencies.sort();
    write_times.sort();
    println!(
        "writes: {} done, {} failed; upsert_inquiry p50 {} p99 {}; load average at the end of the writes: {load_during}",
        write_times.len(),
        write_errors.load(Ordering::Relaxed),
        ms(&write_times, 50),
        ms(&write_times, 99),
    );
    println!(
        "deliveries: expected {expected}, received {} ({later} of them as a later count), missing {missing} ({} payloads in all, {} sockets closed)",
        latencies.len(),
        payloads,
        closed.load(Ordering::Relaxed)
    );
    println!(
        "delivery (write started → next received): p50 {} p95 {} p99 {} max {} (goal: p99 < 50 ms)",
        ms(&latencies, 50),
        ms(&latencies, 95),
        ms(&latencies, 99),
        ms(&latencies, 100)
    );
    let dir = served.dir.clone();
    drop(served);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

async fn idle() -> anyhow::Result<()> {
    let sockets = env_usize("MADOGUCHI_FANOUT_IDLE", 5_000);
    let tenant_count = env_usize("MADOGUCHI_FANOUT_IDLE_TENANTS", 50).max(1);
    let subscribe = env_usize("MADOGUCHI_FANOUT_IDLE_SUBSCRIBE", 1) != 0;
    let dir = std::env::temp_dir().join(format!("madoguchi-fanout-idle-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = std::env::var("MADOGUCHI_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}?mode=rwc", dir.join("madoguchi.sqlite").display()));

    // Tenants and tokens written before the server starts, through the product's own calls.
    let mut tokens = Vec::new();
    {
        let db = server::store::connect(&url).await?;
        server::store::migrate(&db).await?;
        for n in 0..tenant_count {
            let name = format!("idle{}-{n}", std::process::id());
            let actor =
                server::provision::create_tenant(&db, &name, true).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let (token, _) = server::auth::create_api_token(&db, &actor, "idle", &["read".into()])
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            tokens.push(token);
        }
        db.close().await?;
    }

    let program = std::env::var("MADOGUCHI_FANOUT_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_madoguchi").to_owned());
    let (child, base) = serve::binary(&program, &dir, &url, "fanout-idle")?;
    let pid = child.0.id().to_string();
    // Let start-up work settle, then one request so the first-use allocations are made.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let _ = reqwest::get(format!("http://{base}/healthz")).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = status_kib(&pid, "VmRSS:");
    let fds_before = open_fds(&pid);

    let opening = Instant::now();
    let results: Vec<anyhow::Result<Ws>> = futures_util::stream::iter(0..sockets)
        .map(|s| {
            let (base, token) = (base.clone(), tokens[s % tenant_count].clone());
            async move { open_socket(&base, &token, subscribe).await }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    let opened_in = opening.elapsed();
    let mut open = Vec::new();
    let mut refused: HashMap<String, usize> = HashMap::new();
    for r in results {
        match r {
            Ok(ws) => open.push(ws),
            Err(e) => *refused.entry(e.to_string().chars().take(120).collect()).or_default() += 1,
        }
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    let after = status_kib(&pid, "VmRSS:");
    let peak = status_kib(&pid, "VmHWM:");
    let fds_after = open_fds(&pid);
    // Still open: nothing (no close) waiting on the socket.
    let mut still_open = 0;
    for ws in &mut open {
        match ws.next().now_or_never() {
            None | Some(Some(Ok(WsMessage::Text(_) | WsMessage::Ping(_) | WsMessage::Pong(_)))) => still_open += 1,
            _ => {}
        }
    }
    println!(
        "idle sockets on {} (the madoguchi binary, pid {pid}): {} opened{} in {:.1} s over {tenant_count} tenants, {} refused, {still_open} still open after 5 s; server fds {fds_before} → {fds_after}",
        database_name(&url),
        open.len(),
        if subscribe { ", one inboxCountsChanged each," } else { " with no subscription" },
        opened_in.as_secs_f64(),
        sockets - open.len(),
    );
    for (reason, n) in &refused {
        println!("  refused ×{n}: {reason}");
    }
    println!(
        "server resident memory: before {:.1} MiB, after {:.1} MiB (peak {:.1} MiB): +{:.1} MiB, {:.1} KiB per socket (goal: < 100 MB for 5,000); load average: {}",
        before as f64 / 1024.0,
        after as f64 / 1024.0,
        peak as f64 / 1024.0,
        after.saturating_sub(before) as f64 / 1024.0,
        after.saturating_sub(before) as f64 / open.len().max(1) as f64,
        loadavg()
    );
    drop(open);
    drop(child);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let only: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let wants = |part: &str| only.is_empty() || only.iter().any(|a| a == part);
    if wants("delivery") {
        delivery().await?;
    }
    if wants("idle") {
        idle().await?;
    }
    Ok(())
}
