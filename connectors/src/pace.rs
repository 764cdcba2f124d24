//! Per-shop request pacing, at the rates each marketplace documents (MARKETPLACES.md), shared by
//! every run and every reply delivery of a shop in this process. Token buckets from `governor`.
//!
//! The rates, in one place; ASSUMED where the marketplace publishes no number:
//! - Yahoo!: 1 request per second per URL (documented: 同一URLに1クエリ/秒).
//! - Rakuten RMS: no public number; ~1 request per second (ASSUMED, as MARKETPLACES.md advises).
//! - Amazon SP-API: getOrders 0.0167 rps with a burst of 20; getOrderItems 0.5 rps, burst 30;
//!   the LWA token endpoint is not throttled per seller.
//! - au PAY Market and Rakuma: no public number; 1 request per second (ASSUMED).
//!
//! Several processes against one database each keep their own buckets (the marketplaces' own
//! 429s with Retry-After remain the backstop, see `http.rs`).

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

use super::http::retry_policy;

/// A documented (or assumed) rate: one request per `period`, up to `burst` at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub period: Duration,
    pub burst: u32,
}

impl Rate {
    pub const fn per_second() -> Rate {
        Rate { period: Duration::from_secs(1), burst: 1 }
    }
}

pub const YAHOO_PER_URL: Rate = Rate::per_second();
pub const RAKUTEN: Rate = Rate::per_second();
pub const AU_PAY: Rate = Rate::per_second();
pub const RAKUMA: Rate = Rate::per_second();
/// getOrders: 0.0167 rps = one per minute, burst 20.
pub const AMAZON_GET_ORDERS: Rate = Rate { period: Duration::from_secs(60), burst: 20 };
/// getOrderItems: 0.5 rps, burst 30.
pub const AMAZON_ORDER_ITEMS: Rate = Rate { period: Duration::from_secs(2), burst: 30 };

type Buckets = Mutex<HashMap<(i64, String), Arc<DefaultDirectRateLimiter>>>;

fn buckets() -> &'static Buckets {
    static B: OnceLock<Buckets> = OnceLock::new();
    B.get_or_init(Default::default)
}

fn bucket(shop_id: i64, name: &str, rate: Rate) -> Arc<DefaultDirectRateLimiter> {
    let mut map = buckets().lock().unwrap_or_else(|e| e.into_inner());
    map.entry((shop_id, name.to_owned()))
        .or_insert_with(|| {
            // A period of at least 1 ms and a burst of at least one: both always valid.
            let quota = Quota::with_period(rate.period.max(Duration::from_millis(1)))
                .unwrap_or(Quota::per_second(NonZeroU32::MIN))
                .allow_burst(NonZeroU32::new(rate.burst).unwrap_or(NonZeroU32::MIN));
            Arc::new(RateLimiter::direct(quota))
        })
        .clone()
}

/// Waits until the shop may make one more request of this kind (`name`: the URL or operation
/// the marketplace limits). Returns at once when the retry policy turns pacing off (tests).
pub async fn wait(shop_id: i64, name: &str, rate: Rate) {
    if !retry_policy().pace {
        return;
    }
    bucket(shop_id, name, rate).until_ready().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shop_has_its_burst_then_must_wait_and_other_shops_and_urls_have_their_own() {
        let rate = Rate { period: Duration::from_secs(3600), burst: 2 };
        let b = bucket(-1, "orderList", rate);
        assert!(b.check().is_ok() && b.check().is_ok(), "the burst");
        assert!(b.check().is_err(), "the third must wait");
        assert!(bucket(-1, "orderList", rate).check().is_err(), "the same bucket for every caller of the shop");
        assert!(bucket(-2, "orderList", rate).check().is_ok(), "another shop");
        assert!(bucket(-1, "orderInfo", rate).check().is_ok(), "another URL");
    }
}
