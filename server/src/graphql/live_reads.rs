//! One read per live event, shared by every subscriber that event wakes.
//!
//! A change to an inquiry wakes each subscriber of its tenant, and each used to read the counts
//! (or the inquiry) again for itself: with 50 staff screens open on one tenant, one reply cost
//! 150 reads. What a subscriber reads for an event depends only on the tenant and on the event,
//! and every read starts after the event's commit, so any read of the same event after it
//! answers each of them rightly. Here the first subscriber of an event reads; the others
//! that arrive while it reads wait for its answer (moka's `try_get_with` coalesces concurrent
//! loads of a key), and the ones that arrive later take it from the cache.
//!
//! Keys carry the event's sequence in the event log, so a later change is always read afresh. A
//! read without a sequence (a subscriber that fell behind its ring, or an event with no log row)
//! is never shared. Permissions stay with the caller: each resolver checks its own actor before
//! it takes a shared row. A failed read is logged and not cached (the next subscriber tries
//! again).
//!
//! **What is kept stays small.** An event's subscribers read within milliseconds of it, so a
//! read is kept [`KEPT_FOR`] (5 s), at most [`CAPACITY`] reads of each kind, and an inquiry is
//! kept without its search text (never shown to a subscriber; it grows with every message of
//! the thread). moka removes expired entries only in its upkeep, which it runs from cache calls
//! as its own logs fill; [`LiveReads::new`] runs it every second in a task that ends with the
//! reads, so what a quiet server holds is what the last seconds' events needed. (Kept 30 s and
//! 10,000 deep with the search text, a 20-minute soak grew by a megabyte every ten seconds.)

use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Weak};
use std::time::Duration;

use futures_util::future::BoxFuture;
use moka::future::Cache;
use sea_orm::DatabaseConnection;

use crate::error::AppResult;
use crate::inbox::{self, InboxCounts};
use crate::store::Scope;
use crate::store::entities::inquiry;

/// How long a read is kept for the subscribers of its event.
pub const KEPT_FOR: Duration = Duration::from_secs(5);
/// At most this many reads of each kind (counts, inquiries) are kept.
pub const CAPACITY: u64 = 2_000;
/// How often expired reads are removed.
const UPKEEP_EVERY: Duration = Duration::from_secs(1);

/// The shared reads of one server's subscriptions (schema data; see the module docs).
#[derive(Clone)]
pub struct LiveReads(Arc<Caches>);

struct Caches {
    /// (tenant, sequence) → the needs-reply counts read after that change.
    counts: Cache<(i64, i64), Arc<InboxCounts>>,
    /// (tenant, inquiry, sequence) → the inquiry read after that change (none: it is gone).
    inquiries: Cache<(i64, i64, i64), Option<Arc<inquiry::Model>>>,
}

impl Caches {
    async fn upkeep(&self) {
        self.counts.run_pending_tasks().await;
        self.inquiries.run_pending_tasks().await;
    }
}

fn cache<K, V>(kept_for: Duration) -> Cache<K, V>
where
    K: Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    Cache::builder().max_capacity(CAPACITY).time_to_live(kept_for).build()
}

impl LiveReads {
    /// Reads kept [`KEPT_FOR`], with their upkeep running on this runtime until they are dropped.
    pub fn new() -> Self {
        Self::kept_for(KEPT_FOR)
    }

    /// Reads kept `kept_for` (the tests' shorter time).
    pub fn kept_for(kept_for: Duration) -> Self {
        let caches = Arc::new(Caches { counts: cache(kept_for), inquiries: cache(kept_for) });
        let weak = Arc::downgrade(&caches);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(upkeep(weak));
        }
        LiveReads(caches)
    }

    /// The tenant's needs-reply counts after the change `sequence`.
    pub fn counts<'a>(
        &'a self,
        db: &'a DatabaseConnection,
        scope: Scope,
        sequence: Option<i64>,
    ) -> BoxFuture<'a, Option<Arc<InboxCounts>>> {
        let key = sequence.map(|s| (scope.tenant_id(), s));
        shared(&self.0.counts, key, async move { inbox::counts(db, scope).await.map(Arc::new) })
    }

    /// One inquiry of the tenant after the change `sequence` (`Some(None)`: not the tenant's, or
    /// gone). The caller has checked its actor may read inquiries.
    pub fn inquiry<'a>(
        &'a self,
        db: &'a DatabaseConnection,
        scope: Scope,
        id: i64,
        sequence: Option<i64>,
    ) -> BoxFuture<'a, Option<Option<Arc<inquiry::Model>>>> {
        let key = sequence.map(|s| (scope.tenant_id(), id, s));
        let read = async move {
            let row = inbox::of_scope(db, scope, id).await?;
            // The search text is never shown to a subscriber and grows with the thread.
            Ok(row.map(|m| Arc::new(inquiry::Model { search_text: String::new(), ..m })))
        };
        shared(&self.0.inquiries, key, read)
    }

    /// Reads held now (after an upkeep; the cache's own count lags its writes slightly).
    pub async fn held(&self) -> u64 {
        self.0.upkeep().await;
        self.0.counts.entry_count() + self.0.inquiries.entry_count()
    }
}

impl Default for LiveReads {
    fn default() -> Self {
        Self::new()
    }
}

/// Removes expired reads every [`UPKEEP_EVERY`] until the reads are dropped.
async fn upkeep(caches: Weak<Caches>) {
    let mut tick = tokio::time::interval(UPKEEP_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(caches) = caches.upgrade() else { return };
        caches.upkeep().await;
    }
}

/// `read` once per key (concurrent callers of one key wait for the same read); without a key,
/// `read` for this caller alone. A failure is logged, given as `None` and not kept.
///
/// Boxed: a subscription's stream keeps room for the future it awaits for as long as it runs,
/// and the cache's future with the read inside is several KiB — a pointer instead, for each
/// of thousands of idle subscriptions.
fn shared<'a, K, V>(
    cache: &'a Cache<K, V>,
    key: Option<K>,
    read: impl Future<Output = AppResult<V>> + Send + 'a,
) -> BoxFuture<'a, Option<V>>
where
    K: Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    let logged = async {
        read.await.map_err(|e| {
            tracing::warn!(error = ?e, "subscription: reading for a live event failed");
        })
    };
    Box::pin(async move {
        match key {
            Some(key) => cache.try_get_with(key, logged).await.ok(),
            None => logged.await.ok(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_read_is_gone_once_its_time_has_passed_even_with_no_further_events() {
        let reads = LiveReads::kept_for(Duration::from_millis(100));
        let first = shared(&reads.0.inquiries, Some((1, 2, 3)), async { Ok(None) }).await;
        assert_eq!(first, Some(None));
        assert_eq!(reads.held().await, 1, "kept for the other subscribers of the event");
        // No cache call from here on: only the upkeep task may remove it.
        tokio::time::sleep(UPKEEP_EVERY * 2 + Duration::from_millis(200)).await;
        assert_eq!(reads.0.inquiries.entry_count(), 0, "the upkeep removed the expired read");
    }

    #[tokio::test]
    async fn the_upkeep_ends_with_the_reads() {
        let reads = LiveReads::kept_for(Duration::from_millis(100));
        let weak = Arc::downgrade(&reads.0);
        drop(reads);
        assert!(weak.upgrade().is_none(), "the upkeep task holds no strong reference");
        // And the task itself returns at its next tick.
        tokio::time::timeout(UPKEEP_EVERY * 3, upkeep(weak)).await.expect("the upkeep returns");
    }
}
