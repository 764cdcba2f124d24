//! `scripts/bench freshness` — how fresh the inbox stays with many shops: prints figures,
//! asserts nothing (BENCHMARKS.md).
//!
//! `MADOGUCHI_FRESHNESS_SHOPS` Rakuten shops (default 1,000) on the simulator, each with
//! 自動取得 on a 60 s interval and one day's window, in one tenant; two server processes (in
//! this process: each its own pool, event bus, scheduler and `MADOGUCHI_FRESHNESS_WORKERS`
//! workers, default 16) on one PostgreSQL database (`MADOGUCHI_BENCH_DATABASE_URL`, a database
//! that may be emptied; without it one process on SQLite). For `MADOGUCHI_FRESHNESS_SECONDS`
//! (default 300) a customer opens an inquiry at a random shop every second; the time from that
//! moment until the inquiry is stored (readable through the API: the same commit) is measured.
//! Rakuten's push (the fast path) is off: this is the polling path alone. Pacing is the
//! production one (one request per second per shop).
//!
//! Then: p50/p90/p99/max of that delay, inquiries not seen by the end, and of the runs: how many
//! were performed, how many were claimed more than once, and whether any two runs of one shop
//! and kind overlapped in time (a job run twice).

#![allow(clippy::unwrap_used, clippy::expect_used)] // bench code: a failed step is a failed run

#[path = "common/shops.rs"]
mod shops;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use mallsim::state::{AccountKey, Credentials, Marketplace as Mall};
use mallsim::{NewAccount, Sim};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use server::store::entities::{inquiry, sync_run};

/// When a run started and finished.
type Span = (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>);

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn ms(sorted: &[Duration], p: usize) -> String {
    if sorted.is_empty() {
        return "-".into();
    }
    format!("{:.1} s", sorted[(sorted.len() * p / 100).min(sorted.len() - 1)].as_secs_f64())
}

async fn start(url: &str, dir: &std::path::Path, workers: u16) -> server::App {
    server::start(server::ServerConfig {
        database_url: url.to_owned(),
        data_dir: dir.to_owned(),
        secret_key: Some("bench-secret-key".into()),
        policy: server::state::Policy { allow_private_urls: true, public_url: None },
        sync_workers: Some(workers),
        ..Default::default()
    })
    .await
    .expect("server starts")
}

#[tokio::main]
async fn main() {
    let shops = env_usize("MADOGUCHI_FRESHNESS_SHOPS", 1_000);
    let seconds = env_usize("MADOGUCHI_FRESHNESS_SECONDS", 300) as u64;
    let workers = env_usize("MADOGUCHI_FRESHNESS_WORKERS", 16) as u16;
    let dir = std::env::temp_dir().join(format!("madoguchi_freshness_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (url, processes) = match std::env::var("MADOGUCHI_BENCH_DATABASE_URL") {
        Ok(pg) => {
            let db = sea_orm::Database::connect(&pg).await.expect("postgres");
            use sea_orm::ConnectionTrait;
            db.execute_unprepared("DROP SCHEMA public CASCADE; CREATE SCHEMA public;").await.expect("emptied");
            (pg, 2)
        }
        Err(_) => (format!("sqlite://{}?mode=rwc", dir.join("bench.sqlite").display()), 1),
    };

    // The simulator, on a port of its own.
    let sim = Sim::new(7);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mall = format!("http://{}/rakuten", listener.local_addr().unwrap());
    tokio::spawn(mallsim::serve(listener, sim.clone()));

    let first = start(&url, &dir.join("a"), workers).await;
    let st = first.state.clone();
    let actor = server::provision::create_tenant(&st.db, "freshness", true).await.unwrap();
    let setup = Instant::now();
    let mut accounts = Vec::new();
    for n in 0..shops {
        let shop_id = format!("{}", 100_000 + n);
        let creds = Credentials::Rakuten {
            shop_id: shop_id.clone(),
            service_secret: format!("ss{n}"),
            license_key: format!("lk{n}"),
        };
        let key = sim.create_account(NewAccount::new(creds)).await.unwrap();
        let settings = server::shops::SettingsForSave {
            api_base_url: Some(mall.clone()),
            import_days: Some(1),
            auto_import: Some(true),
            auto_interval_seconds: Some(60),
            credentials: Some(serde_json::json!({
                "serviceSecret": format!("ss{n}"), "licenseKey": format!("lk{n}"), "shopId": shop_id
            })),
            ..Default::default()
        };
        shops::save_shop(&st, &actor, shared::Marketplace::Rakuten, &format!("店舗{n}"), Some(settings)).await.unwrap();
        accounts.push(key);
    }
    println!("{shops} shops set up in {:.1} s", setup.elapsed().as_secs_f64());
    let mut others = Vec::new();
    for p in 1..processes {
        others.push(start(&url, &dir.join(format!("p{p}")), workers).await);
    }
    println!(
        "{processes} process(es) × {workers} workers on {}; measuring for {seconds} s",
        if processes == 2 { "PostgreSQL" } else { "SQLite" }
    );

    // Let the first round of runs (every shop is due at once) pass before measuring.
    let warm = Instant::now();
    loop {
        let open = sync_run::Entity::find()
            .filter(sync_run::Column::State.is_in(["QUEUED", "RUNNING"]))
            .all(&st.db)
            .await
            .unwrap()
            .len();
        let done = sync_run::Entity::find().all(&st.db).await.unwrap().len();
        if done >= shops * 2 && open == 0 || warm.elapsed() > Duration::from_secs(600) {
            println!("first round: {done} runs in {:.0} s", warm.elapsed().as_secs_f64());
            break;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }

    let mut pending: HashMap<String, Instant> = HashMap::new();
    let mut seen = Vec::new();
    let began = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut rng_state: u64 = 0x9e37_79b9_7f4a_7c15;
    while began.elapsed() < Duration::from_secs(seconds)
        || (!pending.is_empty() && began.elapsed() < Duration::from_secs(seconds + 180))
    {
        tick.tick().await;
        if began.elapsed() < Duration::from_secs(seconds) {
            rng_state ^= rng_state << 13;
            rng_state ^= rng_state >> 7;
            rng_state ^= rng_state << 17;
            let key: &AccountKey = &accounts[(rng_state % shops as u64) as usize];
            let id = sim.add_inquiry(key, Default::default()).await.unwrap();
            pending.insert(id, Instant::now());
        }
        let ids: Vec<String> = pending.keys().cloned().collect();
        for found in
            inquiry::Entity::find().filter(inquiry::Column::MarketplaceInquiryId.is_in(ids)).all(&st.db).await.unwrap()
        {
            if let Some(at) = pending.remove(&found.marketplace_inquiry_id) {
                seen.push(at.elapsed());
            }
        }
    }
    seen.sort();
    println!(
        "customer message → inquiry stored: n={} p50 {} p90 {} p99 {} max {}; not seen by the end: {}",
        seen.len(),
        ms(&seen, 50),
        ms(&seen, 90),
        ms(&seen, 99),
        ms(&seen, 100),
        pending.len()
    );

    let runs = sync_run::Entity::find().all(&st.db).await.unwrap();
    let twice = runs.iter().filter(|r| r.attempts > 1).count();
    let mut by_shop: HashMap<(i64, String), Vec<Span>> = HashMap::new();
    for r in &runs {
        if let (Some(s), Some(f)) = (r.started_at, r.finished_at) {
            by_shop.entry((r.shop_id, format!("{:?}", r.kind))).or_default().push((s, f));
        }
    }
    let mut overlapping = 0;
    for spans in by_shop.values_mut() {
        spans.sort();
        overlapping += spans.windows(2).filter(|w| w[1].0 < w[0].1).count();
    }
    let mut by_process: HashMap<String, usize> = HashMap::new();
    for r in &runs {
        let host = r.claimed_by.clone().unwrap_or_default();
        *by_process.entry(host).or_default() += 1;
    }
    let requests = sim.state().await.requests.get(&Mall::Rakuten).copied().unwrap_or(0);
    println!(
        "runs: {} performed ({} per claimer: {:?}); claimed more than once: {twice}; overlapping runs of one shop and kind: {overlapping}; marketplace requests: {requests}",
        runs.len(),
        by_process.len(),
        by_process.values().collect::<Vec<_>>()
    );
    drop(others);
    drop(first);
    let _ = std::fs::remove_dir_all(&dir);
}
