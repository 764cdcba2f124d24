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
//! Where several processes share one database, a shop's budget is kept there
//! ([`SharedBudget`], the server's `rate_budget` table) so it holds across all of them; a
//! single process keeps it in memory (`governor` buckets). The marketplaces' own 429s with
//! Retry-After remain the backstop (`http.rs`).

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

/// A rate budget kept outside this process, so that every process serving a shop draws on
/// the same one (the server keeps it in its database).
pub trait SharedBudget: Send + Sync {
    /// Reserves the shop's next request of this kind and says how long to wait before making
    /// it (zero: at once). `None` when the budget cannot be reached: the caller then paces in
    /// this process only.
    fn reserve(&self, shop_id: i64, name: &str, rate: Rate) -> futures_util::future::BoxFuture<'_, Option<Duration>>;
}

/// Where a shop's requests are paced: its id, and the shared budget when there is one.
#[derive(Clone)]
pub struct Pacer {
    shop_id: i64,
    shared: Option<Arc<dyn SharedBudget>>,
}

impl std::fmt::Debug for Pacer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pacer").field("shop_id", &self.shop_id).field("shared", &self.shared.is_some()).finish()
    }
}

impl Pacer {
    /// Paced in this process only (one process, or no database at hand).
    pub fn local(shop_id: i64) -> Pacer {
        Pacer { shop_id, shared: None }
    }

    /// Paced by a budget every process shares.
    pub fn shared(shop_id: i64, budget: Arc<dyn SharedBudget>) -> Pacer {
        Pacer { shop_id, shared: Some(budget) }
    }

    /// Madoguchi's id of the shop.
    pub fn shop_id(&self) -> i64 {
        self.shop_id
    }

    /// Waits until the shop may make one more request of this kind (`name`: the URL or
    /// operation the marketplace limits). Returns at once when the retry policy turns pacing
    /// off (tests).
    pub async fn wait(&self, name: &str, rate: Rate) {
        if !retry_policy().pace {
            return;
        }
        if let Some(shared) = &self.shared {
            if let Some(wait) = shared.reserve(self.shop_id, name, rate).await {
                tokio::time::sleep(wait).await;
                return;
            }
            tracing::warn!(shop = self.shop_id, "the shared rate budget could not be reached; pacing in this process");
        }
        bucket(self.shop_id, name, rate).until_ready().await;
    }
}

/// The generic cell rate algorithm with queueing, for a budget kept as one number per shop
/// and kind: the time (`tat`, ms) from which the next request's slot is free. A request at
/// `now` takes the slot `max(tat, now)`, moves `tat` one period on, and may go `burst − 1`
/// periods before its slot: an idle shop has its burst at once, then one request per period.
/// Returns the new `tat` and how long the request waits. (The server runs the same arithmetic
/// in one SQL statement; this is its specification.)
pub fn reserve_slot(tat_ms: Option<i64>, now_ms: i64, rate: Rate) -> (i64, Duration) {
    let period = rate.period.as_millis() as i64;
    let slot = tat_ms.unwrap_or(now_ms).max(now_ms);
    let go_at = slot - period * (i64::from(rate.burst.max(1)) - 1);
    (slot + period, Duration::from_millis((go_at - now_ms).max(0) as u64))
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

    #[test]
    fn a_shared_budget_gives_an_idle_shop_its_burst_then_one_slot_per_period() {
        let rate = Rate { period: Duration::from_secs(2), burst: 3 };
        let mut tat = None;
        let mut waits = Vec::new();
        for _ in 0..5 {
            let (next, wait) = reserve_slot(tat, 10_000, rate);
            tat = Some(next);
            waits.push(wait.as_millis());
        }
        assert_eq!(waits, [0, 0, 0, 2_000, 4_000], "three at once, then one every two seconds");
        // Idle for a while: the burst is back, not the waits of the past.
        let (_, wait) = reserve_slot(tat, 10_000 + 60_000, rate);
        assert_eq!(wait, Duration::ZERO);
        // One per second, no burst: each request its own second.
        let per_second = Rate::per_second();
        let (tat, first) = reserve_slot(None, 0, per_second);
        let (_, second) = reserve_slot(Some(tat), 0, per_second);
        assert_eq!((first.as_millis(), second.as_millis()), (0, 1_000));
    }
}
