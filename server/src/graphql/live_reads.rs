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
//! again). Entries live 30 s, at most 10,000 of them: what an event's subscribers need, no more.

use std::future::Future;
use std::hash::Hash;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use moka::future::Cache;
use sea_orm::DatabaseConnection;

use crate::error::AppResult;
use crate::inbox::{self, InboxCounts};
use crate::store::Scope;
use crate::store::entities::inquiry;

const KEPT_FOR: Duration = Duration::from_secs(30);
const CAPACITY: u64 = 10_000;

/// The shared reads of one server's subscriptions (schema data; see the module docs).
#[derive(Clone)]
pub struct LiveReads {
    /// (tenant, sequence) → the needs-reply counts read after that change.
    counts: Cache<(i64, i64), Arc<InboxCounts>>,
    /// (tenant, inquiry, sequence) → the inquiry read after that change (none: it is gone).
    inquiries: Cache<(i64, i64, i64), Option<Arc<inquiry::Model>>>,
}

impl Default for LiveReads {
    fn default() -> Self {
        LiveReads { counts: cache(), inquiries: cache() }
    }
}

fn cache<K, V>() -> Cache<K, V>
where
    K: Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    Cache::builder().max_capacity(CAPACITY).time_to_live(KEPT_FOR).build()
}

impl LiveReads {
    /// The tenant's needs-reply counts after the change `sequence`.
    pub fn counts<'a>(
        &'a self,
        db: &'a DatabaseConnection,
        scope: Scope,
        sequence: Option<i64>,
    ) -> BoxFuture<'a, Option<Arc<InboxCounts>>> {
        let key = sequence.map(|s| (scope.tenant_id(), s));
        shared(&self.counts, key, async move { inbox::counts(db, scope).await.map(Arc::new) })
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
        let read = async move { Ok(inbox::of_scope(db, scope, id).await?.map(Arc::new)) };
        shared(&self.inquiries, key, read)
    }

    /// Reads held now (for the tests; the cache's own count lags its writes slightly).
    pub async fn held(&self) -> u64 {
        self.counts.run_pending_tasks().await;
        self.inquiries.run_pending_tasks().await;
        self.counts.entry_count() + self.inquiries.entry_count()
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
