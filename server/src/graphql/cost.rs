//! What a query may cost, counted before it runs (OWASP GraphQL: query cost analysis).
//!
//! async-graphql adds up a complexity for every field of the document after fragment
//! expansion: 1 per field, and for a list the size it can answer times the cost of one item.
//! Connections count their page size (`first`/`last`, 20 without one); lists without paging
//! count the size they usually have (a thread's messages, an order's items, …), so a query that
//! asks for lists inside lists grows as its answer would. A document over
//! [`MAX_COMPLEXITY`](super::MAX_COMPLEXITY) is refused with `QUERY_TOO_COMPLEX` before
//! anything runs ([`CostErrors`] gives async-graphql's refusal its stable code).
//!
//! Also here: the per-caller rate limit of `setPresence` ([`PresenceLimits`]).

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextValidation};
use async_graphql::{ErrorExtensions, ServerError, ValidationResult};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// `extensions.code` of a document refused for its cost (or its depth) before it runs.
pub const QUERY_TOO_COMPLEX: &str = "QUERY_TOO_COMPLEX";
/// `extensions.code` of a call refused because the caller sends too many too fast.
pub const RATE_LIMITED: &str = "RATE_LIMITED";

/// A connection's page when `first`/`last` are not given (`paging::DEFAULT_PAGE`).
const DEFAULT_PAGE: usize = crate::paging::DEFAULT_PAGE as usize;
/// The largest page a connection answers (`paging::MAX_PAGE`; more is refused with VALIDATION).
const MAX_PAGE: usize = crate::paging::MAX_PAGE as usize;

/// Usual sizes of the lists that have no paging, as counted for the cost.
pub const MESSAGES: usize = 10;
pub const ATTACHMENTS: usize = 3;
pub const ORDER_ITEMS: usize = 5;
pub const ORDER_INQUIRIES: usize = 5;
pub const SHOPS: usize = 10;
pub const TEMPLATES: usize = 50;
pub const STAFF: usize = 20;
pub const API_TOKENS: usize = 20;
/// Endpoints of a tenant, as usually registered (at most `webhooks::MAX_WEBHOOKS`).
pub const WEBHOOKS: usize = 5;
pub const CSV_COLUMNS: usize = 30;

/// The cost of a connection field: its page size times one edge/node, plus itself.
pub fn page(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    let size = first.or(last).map(|n| (n.max(0) as usize).min(MAX_PAGE)).unwrap_or(DEFAULT_PAGE);
    // An empty page still costs its pageInfo and totalCount.
    size.max(1).saturating_mul(child_complexity).saturating_add(1)
}

/// The cost of a list field of about `n` items.
pub fn list(n: usize, child_complexity: usize) -> usize {
    n.saturating_mul(child_complexity).saturating_add(1)
}

/// Gives async-graphql's own refusals of a costly document ("Query is too complex.", "Query is
/// nested too deep.") the stable code `QUERY_TOO_COMPLEX`.
pub struct CostErrors;

impl ExtensionFactory for CostErrors {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(CostErrorsExtension)
    }
}

struct CostErrorsExtension;

const REFUSALS: [&str; 2] = ["Query is too complex.", "Query is nested too deep."];

#[async_graphql::async_trait::async_trait]
impl Extension for CostErrorsExtension {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errors| errors.into_iter().map(with_code).collect())
    }
}

fn with_code(mut e: ServerError) -> ServerError {
    let has_code = e.extensions.as_ref().is_some_and(|x| x.get("code").is_some());
    if !has_code && REFUSALS.contains(&e.message.as_str()) {
        e.message = format!(
            "問い合わせの規模が大きすぎます。取得する件数や項目を減らしてください (query too complex: {})",
            e.message.trim_end_matches('.')
        );
        e.extensions.get_or_insert_with(Default::default).set("code", QUERY_TOO_COMPLEX);
    }
    e
}

/// Who is rate-limited: a staff member or an API token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Caller {
    Staff(i64),
    Token(i64),
}

/// `setPresence` per caller: a burst of [`PRESENCE_BURST`], then [`PRESENCE_PER_SECOND`] a
/// second. The SPA sends one on opening an inquiry, one on starting to type, one every 25 s and
/// one on leaving, so only a client gone wrong (or an attacker flooding other staff's screens)
/// meets the limit. One per server (schema data); processes count apart.
pub struct PresenceLimits {
    limiter: DefaultKeyedRateLimiter<Caller>,
}

pub const PRESENCE_BURST: u32 = 10;
pub const PRESENCE_PER_SECOND: u32 = 5;

impl Default for PresenceLimits {
    fn default() -> Self {
        let quota = Quota::per_second(NonZeroU32::new(PRESENCE_PER_SECOND).unwrap_or(NonZeroU32::MIN))
            .allow_burst(NonZeroU32::new(PRESENCE_BURST).unwrap_or(NonZeroU32::MIN));
        PresenceLimits { limiter: RateLimiter::keyed(quota) }
    }
}

impl PresenceLimits {
    /// Takes one call of `caller`'s allowance, or answers `RATE_LIMITED` with the seconds to wait
    /// in `extensions.retryAfter`.
    pub fn check(&self, caller: Caller) -> async_graphql::Result<()> {
        // Keys of callers gone quiet are dropped now and then, so the map stays small.
        if self.limiter.len() > 10_000 {
            self.limiter.retain_recent();
        }
        match self.limiter.check_key(&caller) {
            Ok(()) => Ok(()),
            Err(not_until) => {
                let wait: Duration = not_until.wait_time_from(DefaultClock::default().now());
                let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
                Err(async_graphql::Error::new(
                    "操作が多すぎます。しばらくしてからもう一度お試しください (too many requests, try again later)",
                )
                .extend_with(|_, ext| {
                    ext.set("code", RATE_LIMITED);
                    ext.set("retryAfter", secs);
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_counts_its_size_and_a_missing_size_counts_the_default() {
        assert_eq!(page(Some(100), None, 3), 301);
        assert_eq!(page(None, Some(5), 3), 16);
        assert_eq!(page(None, None, 3), DEFAULT_PAGE * 3 + 1);
        assert_eq!(page(Some(1_000_000), None, 3), MAX_PAGE * 3 + 1, "over the maximum is refused anyway");
        assert_eq!(page(Some(-5), None, 3), 4);
        assert_eq!(list(usize::MAX, 2), usize::MAX, "saturates");
    }

    #[test]
    fn a_caller_over_the_presence_limit_is_rate_limited_and_others_are_not() {
        let limits = PresenceLimits::default();
        let mut refused = None;
        for i in 0..(PRESENCE_BURST * 10) {
            if let Err(e) = limits.check(Caller::Staff(1)) {
                refused = Some((i, e));
                break;
            }
        }
        let (i, e) = refused.expect("limited within ten bursts");
        assert!(i >= PRESENCE_BURST, "the burst passes");
        let ext = e.extensions.expect("extensions");
        assert_eq!(ext.get("code"), Some(&async_graphql::Value::from(RATE_LIMITED)));
        assert!(limits.check(Caller::Staff(2)).is_ok());
        assert!(limits.check(Caller::Token(1)).is_ok());
    }
}
