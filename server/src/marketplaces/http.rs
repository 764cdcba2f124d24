//! HTTP to marketplaces with retries: capped exponential backoff with full jitter on 429
//! (honouring `Retry-After`, capped too), 5xx, timeouts and dropped connections.
//!
//! A small loop rather than a retry crate: it has to look at the answer (status and headers)
//! to decide, rebuild multipart bodies on each attempt, and read a process-wide policy that
//! tests shorten.

use std::sync::RwLock;
use std::time::Duration;

use rand::Rng;
use reqwest::StatusCode;

use super::{MResult, MarketplaceError};

/// How hard to try before giving up on a temporary failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// First backoff step; doubled on each retry.
    pub base: Duration,
    /// No single wait is longer (also caps `Retry-After`).
    pub max: Duration,
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Keep the per-URL intervals marketplaces document (Yahoo!: one request per second).
    pub pace: bool,
}

impl RetryPolicy {
    pub const DEFAULT: RetryPolicy = RetryPolicy {
        base: Duration::from_millis(500),
        max: Duration::from_secs(30),
        attempts: 6,
        timeout: Duration::from_secs(30),
        pace: true,
    };
}

static POLICY: RwLock<RetryPolicy> = RwLock::new(RetryPolicy::DEFAULT);

/// Sets the retry policy of every connector in this process (tests use short waits).
pub fn set_retry_policy(p: RetryPolicy) {
    if let Ok(mut g) = POLICY.write() {
        *g = p;
    }
}

pub fn retry_policy() -> RetryPolicy {
    POLICY.read().map(|g| *g).unwrap_or(RetryPolicy::DEFAULT)
}

/// The answer of a request that was not retried away.
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: bytes::Bytes,
}

fn retryable(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || matches!(status.as_u16(), 500 | 502 | 503 | 504)
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let v = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    v.trim().parse::<u64>().ok().map(Duration::from_secs)
}

fn backoff(p: &RetryPolicy, attempt: u32, hint: Option<Duration>) -> Duration {
    let exp = p.base.saturating_mul(1u32 << attempt.min(16)).min(p.max);
    let jittered = Duration::from_millis(rand::thread_rng().gen_range(0..=exp.as_millis() as u64));
    match hint {
        // The marketplace said how long; never less, never past the cap.
        Some(h) => h.min(p.max).max(jittered.min(p.max)),
        None => jittered.max(p.base.min(p.max)),
    }
}

/// Sends the request `build` makes, again on temporary failures. `label` names the shop and
/// the marketplace in the error.
pub async fn send(
    client: &reqwest::Client,
    label: &str,
    build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
) -> MResult<Answer> {
    let p = retry_policy();
    let mut last = String::new();
    for attempt in 0..p.attempts.max(1) {
        if attempt > 0 {
            tracing::debug!(%label, attempt, reason = %last, "retrying a marketplace call");
        }
        match build(client).timeout(p.timeout).send().await {
            Ok(resp) => {
                let status = resp.status();
                let headers = resp.headers().clone();
                if retryable(status) {
                    last = format!("HTTP {}", status.as_u16());
                    if attempt + 1 < p.attempts {
                        tokio::time::sleep(backoff(&p, attempt, retry_after(&headers))).await;
                    }
                    continue;
                }
                match resp.bytes().await {
                    Ok(body) => return Ok(Answer { status, headers, body }),
                    Err(e) => {
                        last = format!("the answer was cut off ({e})");
                    }
                }
            }
            Err(e) if e.is_builder() => {
                return Err(MarketplaceError::Protocol(format!("{label}: {e}")));
            }
            Err(e) => {
                last = if e.is_timeout() { "timeout".to_owned() } else { format!("connection failed ({e})") };
            }
        }
        if attempt + 1 < p.attempts {
            tokio::time::sleep(backoff(&p, attempt, None)).await;
        }
    }
    Err(MarketplaceError::Unavailable(format!(
        "{label}: モールが一時的に応答しません ({last}; gave up after {} attempts)",
        p.attempts
    )))
}

/// One client per process: connection pools are shared.
pub fn client() -> reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    CLIENT
        .get_or_init(|| {
            reqwest::Client::builder()
                .user_agent(concat!("Madoguchi/", env!("CARGO_PKG_VERSION")))
                .connect_timeout(Duration::from_secs(10))
                .build()
                .unwrap_or_default()
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The real marketplaces are https only: the client must speak TLS and check certificates.
    /// A local listener that is not a TLS server makes the handshake fail — a connection error,
    /// never "this client cannot do https".
    #[tokio::test]
    async fn https_origins_are_reached_over_tls() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            while let Ok((mut sock, _)) = listener.accept().await {
                let _ = sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").await;
            }
        });
        let err = client().get(format!("https://{addr}/")).send().await.expect_err("not a TLS server");
        assert!(!err.is_builder(), "the client cannot do https: {err}");
        assert!(err.is_connect(), "the TLS handshake is what fails: {err:?}");
        server.abort();
    }
}
