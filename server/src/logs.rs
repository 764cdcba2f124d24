//! Log lines: plain text (default) or JSON (`--log-format json`), one object per line with
//! the fields of the spans it happened in. Every request runs in a `request` span
//! (`request_id`, `method`, `path`, and `tenant` once the caller is known); every sync run in a
//! `sync_run` span (`tenant`, `shop`, `shop_id`, `run`); every reply delivery in a
//! `deliver_reply` span (`tenant`, `shop`, `shop_id`, `message`).

use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Body;
use axum::http::Request;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::config::LogFormat;

/// Installs the process's log subscriber; `RUST_LOG` filters as usual.
pub fn init(format: LogFormat) {
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn".into());
    let b = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Text => b.init(),
        LogFormat::Json => b.json().with_current_span(true).with_span_list(true).init(),
    }
}

/// A request's id: the caller's `X-Request-Id` when it is a plain token (a proxy's), else one
/// made here.
fn request_id(req: &Request<Body>) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    static PROCESS: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    let given = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).filter(|v| {
        !v.is_empty() && v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    });
    match given {
        Some(v) => v.to_owned(),
        None => format!("{:08x}-{:x}", PROCESS.get_or_init(rand::random::<u32>), NEXT.fetch_add(1, Ordering::Relaxed)),
    }
}

fn request_span(req: &Request<Body>) -> tracing::Span {
    tracing::info_span!(
        "request",
        request_id = %request_id(req),
        method = %req.method(),
        path = %req.uri().path(),
        tenant = tracing::field::Empty,
    )
}

pub type RequestTraceLayer = TraceLayer<
    SharedClassifier<ServerErrorsAsFailures>,
    fn(&Request<Body>) -> tracing::Span,
    tower_http::trace::DefaultOnRequest,
    DefaultOnResponse,
>;

/// Each request in its span, and one line when it is answered (status, latency).
pub fn request_trace_layer() -> RequestTraceLayer {
    TraceLayer::new_for_http()
        .make_span_with(request_span as fn(&Request<Body>) -> tracing::Span)
        .on_response(DefaultOnResponse::new().level(Level::INFO))
}

/// Names the caller's tenant on the request span, once it is known.
pub fn record_tenant(tenant_id: i64) {
    tracing::Span::current().record("tenant", tenant_id);
}
