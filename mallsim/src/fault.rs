//! Fault injection, one middleware layer per marketplace prefix: slow answers, N× 429 with
//! Retry-After, N× 503, dropped connections (closed without an answer) and expired keys (the
//! last one is read by each marketplace's authentication).

use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::net::ConnHandle;
use crate::state::Marketplace;
use crate::{Sim, amazon, aupay, rakuma, rakuten, yahoo};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Faults {
    /// Delay before every answer.
    pub latency_ms: u64,
    /// The next N requests get 429 with `Retry-After`.
    pub too_many_requests: u32,
    /// Seconds in `Retry-After` (default 1).
    pub retry_after_secs: u64,
    /// The next N requests get 503.
    pub unavailable: u32,
    /// The next N requests get their connection closed without an answer.
    pub drop_connections: u32,
    /// Every key of this marketplace is treated as expired.
    pub expired_key: bool,
    /// The next N requests are carried out, but their answer comes only after `lateAnswerMs`
    /// (default 30 s): the caller times out although the work was done — the case that makes
    /// "exactly once" hard.
    pub late_answers: u32,
    pub late_answer_ms: u64,
}

enum Action {
    Pass,
    Drop,
    TooMany(u64),
    Unavailable,
    AnswerLate(u64),
}

pub async fn layer(State((sim, mp)): State<(Sim, Marketplace)>, req: Request, next: Next) -> Response {
    let (latency, action) = {
        let mut st = sim.state().await;
        *st.requests.entry(mp).or_default() += 1;
        let f = st.faults.entry(mp).or_default();
        let action = if f.drop_connections > 0 {
            f.drop_connections -= 1;
            Action::Drop
        } else if f.too_many_requests > 0 {
            f.too_many_requests -= 1;
            Action::TooMany(f.retry_after_secs.max(1))
        } else if f.unavailable > 0 {
            f.unavailable -= 1;
            Action::Unavailable
        } else if f.late_answers > 0 {
            f.late_answers -= 1;
            Action::AnswerLate(if f.late_answer_ms == 0 { 30_000 } else { f.late_answer_ms })
        } else {
            Action::Pass
        };
        (f.latency_ms, action)
    };
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    match action {
        Action::Pass => next.run(req).await,
        Action::Drop => drop_connection(&req),
        Action::TooMany(secs) => {
            let mut resp = marketplace_error(mp, 429);
            resp.headers_mut().insert("retry-after", axum::http::HeaderValue::from(secs));
            resp
        }
        Action::Unavailable => marketplace_error(mp, 503),
        Action::AnswerLate(ms) => {
            let resp = next.run(req).await;
            tokio::time::sleep(Duration::from_millis(ms)).await;
            resp
        }
    }
}

/// The marketplace's own envelope for 429 / 503.
fn marketplace_error(mp: Marketplace, status: u16) -> Response {
    match mp {
        Marketplace::Rakuten => rakuten::overload_error(status),
        Marketplace::Yahoo => yahoo::overload_error(status),
        Marketplace::Aupay => aupay::overload_error(status),
        Marketplace::Amazon => amazon::overload_error(status),
        Marketplace::Rakuma => rakuma::overload_error(status),
    }
}

/// Closes the connection without writing an answer. Under [`crate::serve`] the connection is
/// marked and the transport fails every later read and write; when the router is served some
/// other way, the request task is unwound instead, which also drops the connection.
fn drop_connection(req: &Request) -> Response {
    if let Some(ConnectInfo(handle)) = req.extensions().get::<ConnectInfo<ConnHandle>>() {
        handle.kill();
        return ().into_response();
    }
    std::panic::resume_unwind(Box::new("connection dropped by fault injection"))
}
