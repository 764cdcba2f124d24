//! Operations metrics in the Prometheus text format, served only on their own address
//! (`--metrics-listen`), never on the public one.
//!
//! The recorder is process-wide (the `metrics` facade): it is installed once, and every server
//! started in this process records into it. Labels never carry a tenant, a shop or a customer:
//! only marketplaces, run kinds, results, HTTP statuses and GraphQL operation names (capped, see
//! [`operation_label`]).

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};

pub const GRAPHQL_REQUESTS: &str = "madoguchi_graphql_requests_total";
pub const GRAPHQL_DURATION: &str = "madoguchi_graphql_request_duration_seconds";
pub const SOCKETS_OPEN: &str = "madoguchi_websockets_open";
pub const SOCKET_OPERATIONS: &str = "madoguchi_websocket_operations_running";
pub const SYNC_RUNS: &str = "madoguchi_sync_runs_total";
pub const SYNC_DURATION: &str = "madoguchi_sync_run_duration_seconds";
pub const OUTBOX_BACKLOG: &str = "madoguchi_outbox_backlog";
pub const DELIVERIES: &str = "madoguchi_reply_deliveries_total";
pub const WEBHOOK_DELIVERIES: &str = "madoguchi_webhook_deliveries_total";
/// Recorded by the connectors (`connectors::metrics`).
pub use connectors::metrics::MARKETPLACE_RESPONSES;
pub const DB_POOL: &str = "madoguchi_db_pool_connections";

/// Distinct GraphQL operation names recorded before the rest count as `other`.
const MAX_OPERATION_NAMES: usize = 500;

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process-wide recorder (once) and returns its handle.
pub fn install() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let seconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0];
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_duration_seconds".into()), &seconds)
                .map(PrometheusBuilder::build_recorder)
                .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("another metrics recorder is installed; /metrics shows only what it does not take");
            }
            handle
        })
        .clone()
}

/// How often the recorder's histograms are folded into their buckets when nobody scrapes.
const UPKEEP: Duration = Duration::from_secs(5);

/// Folds the recorder's histogram samples into their buckets every [`UPKEEP`], for as long as
/// this runtime runs. The recorder keeps every sample until then (`build_recorder` leaves the
/// upkeep to its caller), so without this a server that nobody scrapes — `--metrics-listen` is
/// optional — would keep one sample of every request it ever answered.
pub fn spawn_upkeep() -> tokio::task::JoinHandle<()> {
    let handle = install();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(UPKEEP);
        loop {
            tick.tick().await;
            handle.run_upkeep();
        }
    })
}

/// A GraphQL operation name as a label: names a client chooses are bounded in length, in
/// characters and in number, so a client cannot grow the metrics without end.
pub fn operation_label(name: Option<&str>) -> String {
    static SEEN: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    let Some(name) = name.filter(|n| !n.is_empty()) else { return "anonymous".into() };
    if name.len() > 64 || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return "other".into();
    }
    let mut seen = SEEN.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner());
    if seen.contains(name) {
        return name.to_owned();
    }
    if seen.len() >= MAX_OPERATION_NAMES {
        return "other".into();
    }
    seen.insert(name.to_owned());
    name.to_owned()
}

/// One GraphQL request over HTTP, by operation name and whether it had errors.
pub fn graphql_request(operation: &str, ok: bool, took: Duration) {
    let result = if ok { "ok" } else { "error" };
    counter!(GRAPHQL_REQUESTS, "operation" => operation.to_owned(), "result" => result).increment(1);
    histogram!(GRAPHQL_DURATION, "operation" => operation.to_owned()).record(took.as_secs_f64());
}

/// Counts itself into a gauge while it lives (an open socket, a running operation).
pub struct Held(&'static str);

impl Held {
    pub fn new(name: &'static str) -> Held {
        gauge!(name).increment(1.0);
        Held(name)
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        gauge!(self.0).decrement(1.0);
    }
}

/// A finished sync run.
pub fn sync_run(marketplace: &str, kind: &str, result: &str, took: Duration) {
    counter!(SYNC_RUNS, "marketplace" => marketplace.to_owned(), "kind" => kind.to_owned(), "result" => result.to_owned())
        .increment(1);
    histogram!(SYNC_DURATION, "marketplace" => marketplace.to_owned(), "kind" => kind.to_owned())
        .record(took.as_secs_f64());
}

/// A reply the outbox sent or gave up on.
pub fn delivery(marketplace: &str, sent: bool) {
    let result = if sent { "sent" } else { "failed" };
    counter!(DELIVERIES, "marketplace" => marketplace.to_owned(), "result" => result).increment(1);
}

/// One attempt to deliver an event to a webhook endpoint: `delivered`, `failed` (retried
/// later) or `gave_up`.
pub fn webhook_delivery(result: shared::WebhookDeliveryResult) {
    let result = match result {
        shared::WebhookDeliveryResult::Delivered => "delivered",
        shared::WebhookDeliveryResult::Failed => "failed",
        shared::WebhookDeliveryResult::GaveUp => "gave_up",
    };
    counter!(WEBHOOK_DELIVERIES, "result" => result).increment(1);
}

/// Values read at scrape time: the outbox backlog by marketplace and the database pool.
async fn refresh(db: &DatabaseConnection) {
    match db.get_database_backend() {
        DatabaseBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            pool_gauges(pool.size(), pool.num_idle());
        }
        DatabaseBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            pool_gauges(pool.size(), pool.num_idle());
        }
        _ => {}
    }
    // An operator's total across tenants: replies waiting to be sent (or being sent).
    let sql = "SELECT s.marketplace AS marketplace, COUNT(*) AS n FROM message m \
               JOIN inquiry i ON i.id = m.inquiry_id JOIN shop s ON s.id = i.shop_id \
               WHERE m.author = 'SHOP' AND m.delivery IN ('PENDING', 'SENDING') GROUP BY s.marketplace";
    match db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await {
        Ok(rows) => {
            for m in shared::Marketplace::ALL.iter().map(|m| m.as_str()) {
                let n = rows
                    .iter()
                    .find(|r| r.try_get::<String>("", "marketplace").is_ok_and(|v| v == m))
                    .and_then(|r| r.try_get::<i64>("", "n").ok())
                    .unwrap_or(0);
                gauge!(OUTBOX_BACKLOG, "marketplace" => m.to_ascii_lowercase()).set(n as f64);
            }
        }
        Err(e) => tracing::warn!(error = %e, "metrics: counting the outbox failed"),
    }
}

fn pool_gauges(size: u32, idle: usize) {
    let idle = idle as f64;
    gauge!(DB_POOL, "state" => "idle").set(idle);
    gauge!(DB_POOL, "state" => "in_use").set((f64::from(size) - idle).max(0.0));
}

/// `GET /metrics` (and nothing else) on the metrics address.
pub fn router(db: DatabaseConnection) -> axum::Router {
    let handle = install();
    axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let (db, handle) = (db.clone(), handle.clone());
            async move {
                refresh(&db).await;
                handle.run_upkeep();
                ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], handle.render())
            }
        }),
    )
}

/// Serves [`router`] on `addr` until the process ends; returns the bound address.
pub async fn listen(addr: SocketAddr, db: DatabaseConnection) -> anyhow::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| anyhow::anyhow!("binding {addr}: {e}"))?;
    let bound = listener.local_addr()?;
    let app = router(db);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::warn!(error = %e, "the metrics listener stopped");
        }
    });
    Ok(bound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_outside_a_plain_identifier_count_as_other() {
        assert_eq!(operation_label(None), "anonymous");
        assert_eq!(operation_label(Some("InboxPage")), "InboxPage");
        assert_eq!(operation_label(Some("a b")), "other");
        assert_eq!(operation_label(Some(&"x".repeat(65))), "other");
    }
}
