//! HTTP to marketplaces with retries: capped exponential backoff with jitter (`backon`) on 429
//! (honouring `Retry-After`, capped too), 5xx, timeouts and dropped connections.
//!
//! Each attempt looks at the answer (status and headers) to decide, rebuilds the request
//! (multipart bodies too) and reads the process-wide policy that tests shorten.
//!
//! Outbound safety (SSRF): a shop's base URL is chosen by a tenant admin, and the shop's
//! credentials go wherever it points. Unless the operator allows private URLs
//! (`--allow-private-urls`: the demo, the tests), a call must be `https://` and reach only a
//! public address: the address is checked once resolved, at connect time (a filtering DNS
//! resolver, so a name that resolves differently later cannot slip through), and an IP-literal
//! host is checked before sending. Redirects are never followed (always, policy or not), no
//! system proxy is used, answers are read up to [`MAX_ANSWER_BYTES`], and connectors stop
//! paging after [`MAX_PAGES`].

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use reqwest::StatusCode;

use crate::error::{MResult, MarketplaceError};

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

tokio::task_local! {
    static ONCE_ONLY: ();
}

/// Runs `f` with its marketplace calls made at most once past the point where they may have
/// arrived: a refusal to serve (429, 5xx) or a connection that never opened is still retried,
/// but a timeout or a connection lost after the request went out ends the call with
/// [`MarketplaceError::Uncertain`], so the caller can look in the marketplace before sending
/// again. For requests that are not idempotent (a reply), where a retry would answer the
/// customer twice.
pub async fn once_only<F: std::future::Future>(f: F) -> F::Output {
    ONCE_ONLY.scope((), f).await
}

fn in_once_only() -> bool {
    ONCE_ONLY.try_with(|_| ()).is_ok()
}

fn uncertain(label: &str) -> MarketplaceError {
    MarketplaceError::Uncertain(format!(
        "{label}: 送信の応答が届きませんでした。モールに届いたかを確かめてから送り直します (the answer to a send was lost; the marketplace is checked before sending again)"
    ))
}

/// Sets the retry policy of every connector in this process (tests use short waits).
pub fn set_retry_policy(p: RetryPolicy) {
    if let Ok(mut g) = POLICY.write() {
        *g = p;
    }
}

pub fn retry_policy() -> RetryPolicy {
    POLICY.read().map(|g| *g).unwrap_or(RetryPolicy::DEFAULT)
}

/// The largest answer read from a marketplace (a page of orders, a customer's file); a longer
/// one is cut off and counts as a failure.
pub const MAX_ANSWER_BYTES: usize = 32 * 1024 * 1024;

/// The most pages one listing reads; a marketplace that keeps saying "more" stops here.
pub const MAX_PAGES: i64 = 500;

/// The error for a listing that did not end within [`MAX_PAGES`].
pub fn too_many_pages(label: &str) -> MarketplaceError {
    tracing::warn!(%label, max = MAX_PAGES, "a marketplace listing did not end; paging stopped");
    MarketplaceError::Protocol(format!(
        "{label}: 一覧のページ数が上限({MAX_PAGES})を超えたため取得を中止しました (the listing went on for more than {MAX_PAGES} pages)"
    ))
}

/// Characters left as they are in a path segment: RFC 3986 "unreserved". Everything else
/// (`/`, `?`, `#`, `%`, spaces, non-ASCII, …) is percent-encoded.
const SEGMENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// A URL path from fixed parts and values: `"/api/v1/orders"` stays as written, each value
/// becomes one percent-encoded segment, so a value can never reach another path, add a query
/// or cut the URL. A value that is empty, `.` or `..` cannot be one segment (servers resolve
/// dot segments even percent-encoded) and is refused.
pub fn path(parts: &[Part<'_>]) -> MResult<String> {
    let mut out = String::new();
    for p in parts {
        match p {
            Part::Fixed(s) => out.push_str(s),
            Part::Value(v) => {
                if v.is_empty() || *v == "." || *v == ".." {
                    return Err(MarketplaceError::Refused(format!(
                        "「{v}」はURLに使えない値です (the value {v:?} cannot be a URL path segment)"
                    )));
                }
                out.push('/');
                out.extend(percent_encoding::utf8_percent_encode(v, SEGMENT));
            }
        }
    }
    Ok(out)
}

/// One part of a [`path`].
pub enum Part<'a> {
    /// Written by Madoguchi, e.g. `/api/v1/orders` (taken as is).
    Fixed(&'a str),
    /// A value from a marketplace or a user (an order number, an id): one encoded segment.
    Value(&'a str),
}

/// Whether an address is a public unicast address: not loopback, private (RFC 1918),
/// carrier-grade NAT, link-local (incl. the cloud metadata address 169.254.169.254),
/// unique-local, unspecified, multicast, broadcast, documentation or reserved — for IPv6 also
/// the IPv4 address inside a v4-mapped, v4-compatible, NAT64 or 6to4 address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(a == 0                                  // "this network", 0.0.0.0
        || a == 10                            // private
        || a == 127                           // loopback
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
        || (a == 169 && b == 254)             // link-local, cloud metadata
        || (a == 172 && (16..32).contains(&b)) // private
        || (a == 192 && b == 0 && c == 0)     // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2)     // documentation
        || (a == 192 && b == 88 && c == 99)   // 6to4 relay anycast
        || (a == 192 && b == 168)             // private
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || (a == 198 && b == 51 && c == 100)  // documentation
        || (a == 203 && b == 0 && c == 113)   // documentation
        || a >= 224) // multicast, reserved, broadcast
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let seg = ip.segments();
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    // v4-compatible (deprecated) ::a.b.c.d, and :: / ::1 themselves
    if seg[..6].iter().all(|s| *s == 0) {
        return seg[6] != 0
            && is_public_v4(Ipv4Addr::new((seg[6] >> 8) as u8, seg[6] as u8, (seg[7] >> 8) as u8, seg[7] as u8));
    }
    // NAT64 64:ff9b::/96
    if seg[0] == 0x64 && seg[1] == 0xff9b && seg[2..6].iter().all(|s| *s == 0) {
        return is_public_v4(Ipv4Addr::new((seg[6] >> 8) as u8, seg[6] as u8, (seg[7] >> 8) as u8, seg[7] as u8));
    }
    // 6to4 2002:a.b.c.d::/48
    if seg[0] == 0x2002 {
        return is_public_v4(Ipv4Addr::new((seg[1] >> 8) as u8, seg[1] as u8, (seg[2] >> 8) as u8, seg[2] as u8));
    }
    !((seg[0] & 0xff00) == 0xff00           // multicast
        || (seg[0] & 0xfe00) == 0xfc00      // unique local
        || (seg[0] & 0xffc0) == 0xfe80      // link-local
        || (seg[0] & 0xffc0) == 0xfec0      // site-local (deprecated)
        || (seg[0] == 0x2001 && seg[1] == 0x0db8) // documentation
        || (seg[0] == 0x2001 && seg[1] == 0)      // Teredo
        || (seg[0] == 0x0100 && seg[1..4].iter().all(|s| *s == 0))) // discard-only
}

/// A resolution or address that outbound safety refused.
#[derive(Debug)]
pub struct NotPublic(pub String);

impl std::fmt::Display for NotPublic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} does not resolve to a public address", self.0)
    }
}

impl std::error::Error for NotPublic {}

/// Resolves names with the system resolver and keeps only public addresses; a name with none
/// left fails to resolve (so nothing is ever connected to).
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let all: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = all.iter().copied().filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                tracing::warn!(%host, addresses = ?all, "refused to connect: the name does not resolve to a public address");
                return Err(Box::new(NotPublic(host)) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Why a URL may not be called under the strict policy, in plain words; `None` when it may.
pub fn refusal(url: &reqwest::Url) -> Option<&'static str> {
    if url.scheme() != "https" {
        return Some("https:// のURLだけに接続できます (only https:// URLs may be called)");
    }
    let host_is_private = match url.host() {
        None => true,
        Some(url::Host::Ipv4(ip)) => !is_public_v4(ip),
        Some(url::Host::Ipv6(ip)) => !is_public_v6(ip),
        Some(url::Host::Domain(d)) => {
            d.eq_ignore_ascii_case("localhost") || d.to_ascii_lowercase().ends_with(".localhost")
        }
    };
    host_is_private.then_some(
        "接続先がローカル・社内向けのアドレスのため接続しません (the URL points to a loopback, private or link-local address)",
    )
}

/// How this server calls marketplaces: a client and whether the strict rules apply.
#[derive(Clone)]
pub struct Outbound {
    client: reqwest::Client,
    /// https only, public addresses only (everything but `--allow-private-urls`).
    strict: bool,
}

impl Outbound {
    /// The shared client for this policy (connection pools are shared per policy).
    pub fn new(allow_private_urls: bool) -> Outbound {
        static STRICT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
        static OPEN: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
        let strict = !allow_private_urls;
        let client = if strict { STRICT.get_or_init(|| build(true)) } else { OPEN.get_or_init(|| build(false)) };
        Outbound { client: client.clone(), strict }
    }

    pub fn strict(&self) -> bool {
        self.strict
    }
}

fn build(strict: bool) -> reqwest::Client {
    let mut b = reqwest::Client::builder()
        .user_agent(concat!("Madoguchi/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none());
    if strict {
        b = b.https_only(true).no_proxy().dns_resolver(Arc::new(PublicOnly));
    }
    b.build().unwrap_or_default()
}

/// Whether the error (or one it wraps) is outbound safety refusing an address.
fn refused_address(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if err.is::<NotPublic>() {
            return true;
        }
        cur = err.source();
    }
    false
}

/// Reads a body up to [`MAX_ANSWER_BYTES`].
async fn read_capped(mut resp: reqwest::Response) -> Result<bytes::Bytes, String> {
    if resp.content_length().is_some_and(|n| n > MAX_ANSWER_BYTES as u64) {
        return Err(format!("the answer is larger than {MAX_ANSWER_BYTES} bytes"));
    }
    let mut buf = bytes::BytesMut::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| e.to_string())? {
        if buf.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(format!("the answer is larger than {MAX_ANSWER_BYTES} bytes"));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
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

/// Why one attempt did not give an answer.
enum Failed {
    /// Temporary (429, 5xx, a timeout, a dropped connection, a cut-off answer): worth another
    /// attempt, after `hint` when the marketplace said how long (`Retry-After`).
    Temporary { reason: String, hint: Option<Duration> },
    /// Final: no other attempt would change it.
    Final(MarketplaceError),
}

/// The waits between attempts: exponential from `base`, doubled each time, with jitter, at
/// most `attempts` in all (the first included).
fn backoff(p: &RetryPolicy) -> backon::ExponentialBuilder {
    backon::ExponentialBuilder::default()
        .with_min_delay(p.base)
        .with_max_delay(p.max)
        .with_factor(2.0)
        .with_max_times(p.attempts.max(1).saturating_sub(1) as usize)
        .with_jitter()
}

/// The wait before the next attempt: the backoff's, never past the cap; when the marketplace
/// said how long (`Retry-After`), never less than that either (capped too).
fn wait(p: &RetryPolicy, backoff: Duration, hint: Option<Duration>) -> Duration {
    let backoff = backoff.min(p.max);
    match hint {
        Some(h) => h.min(p.max).max(backoff),
        None => backoff,
    }
}

/// Sends the request `build` makes, again on temporary failures (the process-wide
/// [`RetryPolicy`], through `backon`). `label` names the shop and the marketplace in the error.
/// Error texts are plain words; the technical detail goes to the log only.
pub async fn send(
    out: &Outbound,
    label: &str,
    build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
) -> MResult<Answer> {
    send_with(out, label, &retry_policy(), build).await
}

/// [`send`] under policy `p`.
async fn send_with(
    out: &Outbound,
    label: &str,
    p: &RetryPolicy,
    build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
) -> MResult<Answer> {
    use backon::Retryable;
    let result = (|| attempt(out, label, &build, p))
        .retry(backoff(p))
        .when(|f| matches!(f, Failed::Temporary { .. }))
        .adjust(|f, next| match f {
            Failed::Temporary { hint, .. } => next.map(|d| wait(p, d, *hint)),
            Failed::Final(_) => None,
        })
        .notify(|f, after| {
            if let Failed::Temporary { reason, .. } = f {
                tracing::debug!(%label, %reason, ?after, "retrying a marketplace call");
            }
        })
        .await;
    match result {
        Ok(answer) => Ok(answer),
        Err(Failed::Final(e)) => Err(e),
        Err(Failed::Temporary { reason, .. }) => {
            tracing::warn!(%label, %reason, attempts = p.attempts, "a marketplace call gave up");
            Err(MarketplaceError::Unavailable(format!(
                "{label}: モールが一時的に応答しません ({reason}; gave up after {} attempts)",
                p.attempts
            )))
        }
    }
}

/// What one request made by [`send_once`] came to, when it got no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoAnswer(pub String);

/// One request, never retried, for callers that keep their own retry schedule (webhook
/// deliveries, retried over hours with the schedule stored in the database). The same outbound
/// safety as [`send`]: the policy's client (no redirects followed, the strict rules checked on
/// the URL before sending and on the resolved address at connect time), the answer read up to
/// [`MAX_ANSWER_BYTES`]. Any status is an answer (the caller decides what counts as success);
/// no answer at all (refused URL or address, timeout, connection failure) is [`NoAnswer`]
/// with the reason in plain words.
pub async fn send_once(
    out: &Outbound,
    timeout: Duration,
    build: impl FnOnce(&reqwest::Client) -> reqwest::RequestBuilder,
) -> Result<Answer, NoAnswer> {
    let client = &out.client;
    let request = build(client)
        .timeout(timeout)
        .build()
        .map_err(|_| NoAnswer("URLが正しくありません (the request URL is not valid)".to_owned()))?;
    if out.strict
        && let Some(why) = refusal(request.url())
    {
        return Err(NoAnswer(why.to_owned()));
    }
    match client.execute(request).await {
        Ok(resp) => {
            let status = resp.status();
            let headers = resp.headers().clone();
            let body = read_capped(resp).await.map_err(|e| NoAnswer(format!("応答を読み取れません ({e})")))?;
            Ok(Answer { status, headers, body })
        }
        Err(e) if refused_address(&e) => Err(NoAnswer(
            "接続先がローカル・社内向けのアドレスのため接続しません (the URL resolves to a loopback, private or link-local address)"
                .to_owned(),
        )),
        Err(e) if e.is_timeout() => Err(NoAnswer(format!("応答がありません (no answer within {} s)", timeout.as_secs_f64()))),
        Err(e) if e.is_builder() => Err(NoAnswer("接続先のURLには接続できません (the URL cannot be called)".to_owned())),
        Err(e) => {
            tracing::debug!(error = ?e, "an outbound call failed");
            Err(NoAnswer("接続できません (connection failed)".to_owned()))
        }
    }
}

/// One attempt of [`send`].
async fn attempt(
    out: &Outbound,
    label: &str,
    build: &impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    p: &RetryPolicy,
) -> Result<Answer, Failed> {
    let client = &out.client;
    let request = match build(client).timeout(p.timeout).build() {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(%label, error = %e, "a marketplace request could not be built");
            return Err(Failed::Final(MarketplaceError::Protocol(format!(
                "{label}: 接続先のURLが正しくありません (the request URL is not valid)"
            ))));
        }
    };
    if out.strict
        && let Some(why) = refusal(request.url())
    {
        tracing::warn!(%label, url = %request.url(), "refused a marketplace call: {why}");
        return Err(Failed::Final(MarketplaceError::Refused(format!("{label}: {why}"))));
    }
    match client.execute(request).await {
        Ok(resp) => {
            let status = resp.status();
            crate::metrics::marketplace_response(label, Some(status.as_u16()));
            let headers = resp.headers().clone();
            if status.is_redirection() {
                tracing::warn!(%label, status = status.as_u16(), location = ?headers.get(reqwest::header::LOCATION), "a marketplace answered with a redirect; not followed");
                return Err(Failed::Final(MarketplaceError::Refused(format!(
                    "{label}: 接続先が別のURLへの転送(HTTP {})を返しました。転送先には接続しません。APIのURLを確認してください (the marketplace answered with a redirect, which is not followed)",
                    status.as_u16()
                ))));
            }
            if retryable(status) {
                return Err(Failed::Temporary {
                    reason: format!("HTTP {}", status.as_u16()),
                    hint: retry_after(&headers),
                });
            }
            match read_capped(resp).await {
                Ok(body) => Ok(Answer { status, headers, body }),
                Err(e) if in_once_only() => {
                    tracing::warn!(%label, error = %e, "the answer to a send was cut off; not sent again blindly");
                    Err(Failed::Final(uncertain(label)))
                }
                Err(e) => {
                    tracing::warn!(%label, error = %e, "a marketplace answer was cut off or too large");
                    Err(Failed::Temporary {
                        reason: "応答が途中で切れたか大きすぎます (the answer was cut off or too large)".to_owned(),
                        hint: None,
                    })
                }
            }
        }
        Err(e) if refused_address(&e) => {
            tracing::warn!(%label, error = ?e, "refused a marketplace call to a non-public address");
            Err(Failed::Final(MarketplaceError::Refused(format!(
                "{label}: 接続先がローカル・社内向けのアドレスのため接続しません (the URL resolves to a loopback, private or link-local address)"
            ))))
        }
        Err(e) if e.is_builder() => {
            tracing::warn!(%label, error = ?e, "a marketplace request was refused by the client");
            Err(Failed::Final(MarketplaceError::Refused(format!(
                "{label}: 接続先のURLには接続できません (the URL cannot be called)"
            ))))
        }
        Err(e) if in_once_only() && !e.is_connect() => {
            tracing::warn!(%label, error = ?e, "the answer to a send was lost; not sent again blindly");
            Err(Failed::Final(uncertain(label)))
        }
        Err(e) => {
            crate::metrics::marketplace_response(label, None);
            tracing::debug!(%label, error = ?e, "a marketplace call failed");
            let reason = if e.is_timeout() {
                "応答がありません (timeout)".to_owned()
            } else {
                "接続できません (connection failed)".to_owned()
            };
            Err(Failed::Temporary { reason, hint: None })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_unicast_addresses_are_public() {
        let private = [
            "127.0.0.1",
            "127.255.0.9",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "169.254.0.1",
            "100.64.0.1",
            "100.127.255.254",
            "0.0.0.0",
            "0.1.2.3",
            "224.0.0.1",
            "239.255.255.250",
            "255.255.255.255",
            "240.0.0.1",
            "192.0.2.1",
            "198.18.0.1",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "fd12:3456::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::1",
            "2001:db8::1",
            "fec0::1",
        ];
        for a in private {
            assert!(!is_public(a.parse().unwrap()), "{a} must not count as public");
        }
        let public =
            ["93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"];
        for a in public {
            assert!(is_public(a.parse().unwrap()), "{a} is public");
        }
    }

    #[test]
    fn strict_urls_must_be_https_and_not_name_a_private_host() {
        let refused = |u: &str| refusal(&reqwest::Url::parse(u).unwrap()).is_some();
        assert!(refused("http://api.rms.rakuten.co.jp/"), "plain http");
        assert!(refused("https://127.0.0.1/"));
        assert!(refused("https://[::1]:8443/"));
        assert!(refused("https://[::ffff:a9fe:a9fe]/"), "v4-mapped metadata address");
        assert!(refused("https://169.254.169.254/latest/meta-data/"));
        assert!(refused("https://localhost/"));
        assert!(refused("https://2130706433/"), "127.0.0.1 written as one number");
        assert!(!refused("https://api.rms.rakuten.co.jp/es/2.0"));
    }

    #[test]
    fn waits_are_capped_and_never_shorter_than_retry_after() {
        let p = RetryPolicy { base: Duration::from_millis(500), max: Duration::from_secs(30), ..RetryPolicy::DEFAULT };
        assert_eq!(wait(&p, Duration::from_secs(90), None), Duration::from_secs(30), "the cap");
        assert_eq!(wait(&p, Duration::from_secs(1), Some(Duration::from_secs(5))), Duration::from_secs(5));
        assert_eq!(wait(&p, Duration::from_secs(8), Some(Duration::from_secs(5))), Duration::from_secs(8));
        assert_eq!(wait(&p, Duration::from_secs(1), Some(Duration::from_secs(3600))), Duration::from_secs(30));
    }

    /// A 503 then a 200: the call is made again and answers; a marketplace that keeps
    /// refusing is given up after the policy's attempts.
    #[tokio::test]
    async fn temporary_refusals_are_retried_up_to_the_policy_attempts() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let hits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let h = hits.clone();
        let server = tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            while let Ok((mut sock, _)) = listener.accept().await {
                let n = h.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let mut buf = [0u8; 2048];
                let _ = sock.read(&mut buf).await;
                let answer = if n == 0 || n >= 2 {
                    "HTTP/1.1 503 Service Unavailable\r\nretry-after: 0\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                } else {
                    "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok"
                };
                let _ = sock.write_all(answer.as_bytes()).await;
            }
        });
        let p = RetryPolicy {
            base: Duration::from_millis(1),
            max: Duration::from_millis(5),
            attempts: 3,
            timeout: Duration::from_secs(5),
            pace: false,
        };
        let (out, url) = (Outbound::new(true), format!("http://{addr}/"));
        let a = send_with(&out, "test", &p, |c| c.get(&url)).await.expect("the second attempt answers");
        assert_eq!((a.status, &a.body[..]), (StatusCode::OK, &b"ok"[..]));
        assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 2);
        let err = send_with(&out, "test", &p, |c| c.get(&url)).await.err().expect("gave up");
        assert!(matches!(err, MarketplaceError::Unavailable(_)), "{err:?}");
        assert!(err.to_string().contains("HTTP 503") && err.to_string().contains("3 attempts"), "{err}");
        assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 5, "three more attempts");
        server.abort();
    }

    #[test]
    fn values_in_a_path_are_one_percent_encoded_segment_each() {
        use Part::{Fixed, Value};
        let p = path(&[Fixed("/api/v1/orders"), Value("R/1?x=#y..z 注"), Fixed("/evaluation")]).unwrap();
        assert_eq!(p, "/api/v1/orders/R%2F1%3Fx%3D%23y..z%20%E6%B3%A8/evaluation");
        for bad in ["", ".", ".."] {
            assert!(path(&[Fixed("/api/v1/orders"), Value(bad)]).is_err(), "{bad:?} cannot be a segment");
        }
    }

    /// A redirect is reported, never followed (the next hop could be anywhere).
    #[tokio::test]
    async fn redirects_are_not_followed() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let hits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let h = hits.clone();
        let server = tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            while let Ok((mut sock, _)) = listener.accept().await {
                h.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let mut buf = [0u8; 2048];
                let _ = sock.read(&mut buf).await;
                let _ = sock
                    .write_all(
                        format!("HTTP/1.1 302 Found\r\nlocation: http://{addr}/next\r\ncontent-length: 0\r\n\r\n")
                            .as_bytes(),
                    )
                    .await;
            }
        });
        let out = Outbound::new(true);
        let url = format!("http://{addr}/start");
        let err = send(&out, "test", |c| c.get(&url)).await.err().expect("a redirect is an error");
        assert!(matches!(err, MarketplaceError::Refused(_)), "{err:?}");
        assert!(err.to_string().contains("302"), "{err}");
        assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 1, "the redirect target was not called");
        server.abort();
    }

    #[tokio::test]
    async fn the_strict_client_refuses_loopback_by_name_and_by_number_before_connecting() {
        let out = Outbound::new(false);
        for url in ["https://127.0.0.1:9/", "https://localhost:9/", "http://example.com/"] {
            let err = send(&out, "test", |c| c.get(url)).await.err().expect("refused");
            assert!(matches!(err, MarketplaceError::Refused(_)), "{url}: {err:?}");
        }
    }

    /// Past the URL check (as a name rebound to 127.0.0.1 after it was saved would be), the
    /// client's resolver is what refuses: nothing is connected to.
    #[tokio::test]
    async fn a_name_that_resolves_to_loopback_is_refused_at_connect_time() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let err =
            Outbound::new(false).client.get(format!("https://localhost:{port}/")).send().await.expect_err("refused");
        assert!(refused_address(&err), "the resolver refused it: {err:?}");
        let accepted = tokio::time::timeout(Duration::from_millis(200), listener.accept()).await;
        assert!(accepted.is_err(), "no connection was made");
    }

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
        let err =
            Outbound::new(true).client.get(format!("https://{addr}/")).send().await.expect_err("not a TLS server");
        assert!(!err.is_builder(), "the client cannot do https: {err}");
        assert!(err.is_connect(), "the TLS handshake is what fails: {err:?}");
        server.abort();
    }
}
