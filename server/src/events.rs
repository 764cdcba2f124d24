//! The event bus: every write publishes a small event after it commits; subscribers filter by
//! tenant (and shop), then read what they need through their own scope.
//!
//! In-process the bus is owned by the app state (not a global, so parallel tests never see each
//! other's events), with three paths:
//!
//! - **one `broadcast` ring per tenant** for the subscriptions ([`EventBus::subscribe_tenant`]):
//!   each subscriber reads at its own pace from its tenant's ring, so a busy tenant fills only
//!   its own ring, and a subscriber that falls behind is told it lagged (and skips) without
//!   slowing anyone else;
//! - one process-wide ring for the background workers ([`EventBus::subscribe`]);
//! - **access changes never go through a ring** (a ring drops what a lagging reader has not
//!   read). They wake the sockets of the caller concerned through the [`AccessHub`], which
//!   keeps one wake-up flag per socket: several changes may fold into one wake-up, none is lost,
//!   and the socket then checks its caller's access again in the database.
//!
//! On PostgreSQL every event also goes out with `NOTIFY` on [`CHANNEL`], and each process
//! `LISTEN`s and feeds what other processes published into its own paths
//! ([`EventBus::connect_postgres`]): several server processes on one database show every change
//! to every subscriber and close every socket whose access ended. A notification lost while a
//! listener reconnects is covered by the clients, which re-query after their own reconnects, and
//! for access by every socket checking its caller again once the listener is back.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, broadcast, mpsc};

use sea_orm::sqlx::postgres::{PgListener, PgPool};
use shared::PresenceState;

/// The PostgreSQL notification channel of Madoguchi's events.
pub const CHANNEL: &str = "madoguchi_events";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventKind {
    /// A new inquiry, or a new customer message on one.
    InquiryReceived {
        inquiry_id: i64,
    },
    /// Any change to an inquiry: status, reply stored or delivered, completion.
    InquiryUpdated {
        inquiry_id: i64,
    },
    /// The needs-reply counts may have changed.
    InboxCountsChanged,
    SyncRunUpdated {
        run_id: i64,
    },
    /// An order was registered, imported or edited.
    OrderChanged {
        order_id: i64,
    },
    /// A shop needs staff to act: its licence key runs out at `expires_at`.
    ShopNeedsAttention {
        shop_id: i64,
        expires_at: chrono::DateTime<chrono::Utc>,
    },
    /// A caller's access may have changed: a staff member switched off, signed out, given another
    /// role or a new password, or an API token revoked. Their open sockets check again and close
    /// (4403) when the access they were opened with has ended or changed. Never dropped: it
    /// travels on its own path (the [`AccessHub`]), not through the rings.
    AccessRevoked {
        staff_id: Option<i64>,
        api_token_id: Option<i64>,
    },
    Presence {
        inquiry_id: i64,
        staff_name: String,
        state: PresenceState,
        at: chrono::DateTime<chrono::Utc>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub tenant_id: i64,
    pub shop_id: Option<i64>,
    pub kind: EventKind,
    /// The sequence of the change's row in the event log (`event_log.rs`), when it has one
    /// (presence, sync progress and access changes have none). Subscriptions pass it on.
    #[serde(default)]
    pub sequence: Option<i64>,
}

impl Event {
    /// An event without a log row.
    pub fn new(tenant_id: i64, shop_id: Option<i64>, kind: EventKind) -> Self {
        Event { tenant_id, shop_id, kind, sequence: None }
    }

    /// An event of the change logged with this sequence.
    pub fn logged(tenant_id: i64, shop_id: Option<i64>, kind: EventKind, sequence: i64) -> Self {
        Event { tenant_id, shop_id, kind, sequence: Some(sequence) }
    }
}

/// Capacity of each tenant's ring: a subscriber further behind than this skips (and is told).
pub const TENANT_RING: usize = 512;
/// Capacity of the process-wide ring of the background workers.
const ALL_RING: usize = 1024;

#[derive(Clone)]
pub struct EventBus {
    local: Arc<Local>,
    /// This process, so that its own notifications are not delivered twice.
    origin: u64,
    /// Events for the other processes (PostgreSQL `NOTIFY`), when connected.
    remote: Option<mpsc::UnboundedSender<Event>>,
}

/// Delivery inside this process.
struct Local {
    all: broadcast::Sender<Event>,
    tenants: Mutex<HashMap<i64, broadcast::Sender<Event>>>,
    access: Arc<AccessHub>,
}

impl Local {
    fn deliver(&self, event: Event) {
        if let EventKind::AccessRevoked { staff_id, api_token_id } = &event.kind {
            self.access.changed(event.tenant_id, *staff_id, *api_token_id);
            return;
        }
        {
            let mut tenants = self.tenants.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(tx) = tenants.get(&event.tenant_id)
                && tx.send(event.clone()).is_err()
            {
                // Nobody of this tenant listens any more.
                tenants.remove(&event.tenant_id);
            }
        }
        // No subscriber is not an error.
        let _ = self.all.send(event);
    }
}

/// An event as it travels between processes.
#[derive(Serialize, Deserialize)]
struct Wire {
    origin: u64,
    event: Event,
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new()
    }
}

impl EventBus {
    pub fn new() -> Self {
        let (all, _) = broadcast::channel(ALL_RING);
        EventBus {
            local: Arc::new(Local { all, tenants: Mutex::new(HashMap::new()), access: Arc::new(AccessHub::default()) }),
            origin: rand::random(),
            remote: None,
        }
    }

    pub fn publish(&self, event: Event) {
        if let Some(remote) = &self.remote {
            let _ = remote.send(event.clone());
        }
        self.local.deliver(event);
    }

    /// Shares events with every other process on this PostgreSQL database: what this process
    /// publishes is sent with `NOTIFY`, and what the others send arrives here. Returns the bus
    /// to keep in the app state.
    pub fn connect_postgres(mut self, pool: PgPool) -> Self {
        let (remote, mut outgoing) = mpsc::unbounded_channel::<Event>();
        self.remote = Some(remote);
        let origin = self.origin;
        let send_pool = pool.clone();
        tokio::spawn(async move {
            while let Some(event) = outgoing.recv().await {
                let Ok(payload) = serde_json::to_string(&Wire { origin, event: event.clone() }) else { continue };
                // An access change is tried again a few times: another process's sockets must close.
                let again = if matches!(event.kind, EventKind::AccessRevoked { .. }) { 4 } else { 0 };
                let policy = backon::ExponentialBuilder::default()
                    .with_min_delay(std::time::Duration::from_millis(200))
                    .with_max_delay(std::time::Duration::from_secs(2))
                    .with_max_times(again);
                let notify = || {
                    sea_orm::sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(&payload).execute(&send_pool)
                };
                if let Err(e) = backon::Retryable::retry(notify, policy).await {
                    tracing::warn!(error = %e, "events: NOTIFY failed; other processes miss this change")
                }
            }
        });
        let local = self.local.clone();
        tokio::spawn(async move {
            let mut failed = false;
            loop {
                match listen(&pool, origin, &local, &mut failed).await {
                    Ok(()) => return, // the pool was closed: the server is stopping
                    Err(e) => {
                        failed = true;
                        tracing::warn!(error = %e, "events: LISTEN failed; retrying");
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                }
            }
        });
        self
    }

    /// Tells every open socket of this caller, on every process, to check its access again:
    /// a staff member switched off, signed out, given another role or a new password, or an
    /// API token revoked. Sockets whose access ended or changed close (4403).
    pub fn access_changed(&self, tenant_id: i64, staff_id: Option<i64>, api_token_id: Option<i64>) {
        self.publish(Event::new(tenant_id, None, EventKind::AccessRevoked { staff_id, api_token_id }));
    }

    /// The same as [`access_changed`](Self::access_changed).
    pub fn access_revoked(&self, tenant_id: i64, staff_id: Option<i64>, api_token_id: Option<i64>) {
        self.access_changed(tenant_id, staff_id, api_token_id);
    }

    /// Every event of this process (and, on PostgreSQL, of the others), for background workers.
    /// Access changes are not in it.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.local.all.subscribe()
    }

    /// One tenant's events, in that tenant's own ring. Access changes are not in it.
    pub fn subscribe_tenant(&self, tenant_id: i64) -> broadcast::Receiver<Event> {
        let mut tenants = self.local.tenants.lock().unwrap_or_else(|p| p.into_inner());
        // Rings nobody listens to any more go (so the map holds only tenants with subscribers).
        tenants.retain(|_, tx| tx.receiver_count() > 0);
        tenants.entry(tenant_id).or_insert_with(|| broadcast::channel(TENANT_RING).0).subscribe()
    }

    /// The sockets waiting for access changes.
    pub fn access(&self) -> &Arc<AccessHub> {
        &self.local.access
    }
}

/// Feeds other processes' events into this process until the pool closes. After a failure
/// (`failed`), once listening again, every socket checks its caller's access: a change may have
/// been published while nobody listened.
async fn listen(pool: &PgPool, origin: u64, local: &Local, failed: &mut bool) -> Result<(), sea_orm::sqlx::Error> {
    if pool.is_closed() {
        return Ok(());
    }
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    if std::mem::take(failed) {
        local.access.events_missed();
    }
    loop {
        // `try_recv` answers `None` when the connection dropped (it reconnects on the next call).
        match listener.try_recv().await {
            Ok(Some(n)) => match serde_json::from_str::<Wire>(n.payload()) {
                Ok(w) if w.origin != origin => local.deliver(w.event),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "events: an unreadable notification"),
            },
            Ok(None) => {
                if pool.is_closed() {
                    return Ok(());
                }
                // Reconnected: whatever was published meanwhile is lost.
                local.access.events_missed();
            }
            Err(e) if pool.is_closed() => {
                tracing::debug!(error = %e, "events: listener stopped with the pool");
                return Ok(());
            }
            Err(e) => return Err(e),
        }
    }
}

/// Who a socket is for, as far as access changes go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caller {
    pub tenant_id: i64,
    pub staff_id: Option<i64>,
    pub api_token_id: Option<i64>,
}

struct Entry {
    caller: Caller,
    wake: Arc<Notify>,
}

/// The open sockets of this process by tenant, each with its wake-up flag ([`Notify`] keeps one
/// permit, so a change that arrives while the socket is busy is seen when it next waits).
#[derive(Default)]
pub struct AccessHub {
    sockets: Mutex<HashMap<i64, HashMap<u64, Entry>>>,
    next: AtomicU64,
    /// How many times this process may have missed other processes' events (its LISTEN
    /// connection was lost); a socket opened before the last time must re-read.
    missed: AtomicU64,
}

/// Full: the tenant already has as many sockets open on this process as allowed.
#[derive(Debug)]
pub struct TooManySockets;

impl AccessHub {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, HashMap<u64, Entry>>> {
        self.sockets.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a socket of `caller`, unless its tenant already has `cap` open here. The socket
    /// is registered as long as the returned [`AccessWatch`] lives.
    pub fn register(self: &Arc<Self>, caller: Caller, cap: usize) -> Result<AccessWatch, TooManySockets> {
        let mut all = self.lock();
        let tenant = all.entry(caller.tenant_id).or_default();
        if tenant.len() >= cap {
            return Err(TooManySockets);
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let wake = Arc::new(Notify::new());
        tenant.insert(id, Entry { caller, wake: wake.clone() });
        let missed = self.missed.load(Ordering::Acquire);
        Ok(AccessWatch { hub: self.clone(), tenant_id: caller.tenant_id, id, wake, missed })
    }

    /// How many sockets of this tenant are open on this process.
    pub fn open(&self, tenant_id: i64) -> usize {
        self.lock().get(&tenant_id).map_or(0, HashMap::len)
    }

    /// Wakes the sockets of this caller (all of the tenant's when neither id is given).
    fn changed(&self, tenant_id: i64, staff_id: Option<i64>, api_token_id: Option<i64>) {
        let all = self.lock();
        let Some(tenant) = all.get(&tenant_id) else { return };
        let everyone = staff_id.is_none() && api_token_id.is_none();
        for e in tenant.values() {
            let concerned = everyone
                || (staff_id.is_some() && e.caller.staff_id == staff_id)
                || (api_token_id.is_some() && e.caller.api_token_id == api_token_id);
            if concerned {
                e.wake.notify_one();
            }
        }
    }

    /// Other processes' events may have been lost (the LISTEN connection dropped): every socket
    /// open now is told to reconnect and read again ([`AccessWatch::missed_events`]); access is
    /// checked too, since an access change may be among what was lost.
    pub fn events_missed(&self) {
        self.missed.fetch_add(1, Ordering::AcqRel);
        self.check_all();
    }

    /// Wakes every socket of this process.
    pub fn check_all(&self) {
        for tenant in self.lock().values() {
            for e in tenant.values() {
                e.wake.notify_one();
            }
        }
    }
}

/// A socket's place in the [`AccessHub`]; dropping it takes the socket out.
pub struct AccessWatch {
    hub: Arc<AccessHub>,
    tenant_id: i64,
    id: u64,
    wake: Arc<Notify>,
    /// The hub's count of missed-event episodes when this socket registered.
    missed: u64,
}

impl AccessWatch {
    /// Woken when this socket's caller may have lost or changed access.
    pub fn wake(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// Whether events may have been lost since this socket opened: its subscriptions can no
    /// longer be trusted to have seen every change.
    pub fn missed_events(&self) -> bool {
        self.hub.missed.load(Ordering::Acquire) != self.missed
    }
}

impl Drop for AccessWatch {
    fn drop(&mut self) {
        let mut all = self.hub.lock();
        if let Some(tenant) = all.get_mut(&self.tenant_id) {
            tenant.remove(&self.id);
            if tenant.is_empty() {
                all.remove(&self.tenant_id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(tenant_id: i64, n: i64) -> Event {
        Event::new(tenant_id, None, EventKind::InquiryUpdated { inquiry_id: n })
    }

    #[tokio::test]
    async fn a_burst_of_one_tenant_does_not_push_another_tenants_event_out() {
        let bus = EventBus::new();
        let mut a = bus.subscribe_tenant(1);
        let mut b = bus.subscribe_tenant(2);
        bus.publish(ev(2, 42));
        for n in 0..(TENANT_RING as i64 * 4) {
            bus.publish(ev(1, n));
        }
        assert_eq!(b.recv().await.ok(), Some(ev(2, 42)));
        assert!(matches!(a.recv().await, Err(broadcast::error::RecvError::Lagged(_))), "A's reader is told it lagged");
    }

    #[tokio::test]
    async fn an_access_change_wakes_only_that_callers_sockets_and_is_kept_until_seen() {
        let bus = EventBus::new();
        let hub = bus.access().clone();
        let staff = hub.register(Caller { tenant_id: 1, staff_id: Some(7), api_token_id: None }, 10).unwrap();
        let token = hub.register(Caller { tenant_id: 1, staff_id: None, api_token_id: Some(3) }, 10).unwrap();
        let mut tenant = bus.subscribe_tenant(1);
        bus.access_changed(1, Some(7), None);
        // A flood afterwards changes nothing: the change is not in the ring.
        for n in 0..(TENANT_RING as i64 * 4) {
            bus.publish(ev(1, n));
        }
        let woke = tokio::time::timeout(std::time::Duration::from_millis(100), staff.wake().notified()).await;
        assert!(woke.is_ok(), "the staff member's socket is woken");
        let other = tokio::time::timeout(std::time::Duration::from_millis(50), token.wake().notified()).await;
        assert!(other.is_err(), "the token's socket is not");
        assert!(matches!(tenant.recv().await, Err(broadcast::error::RecvError::Lagged(_))));
    }

    #[test]
    fn a_tenant_may_open_only_so_many_sockets_and_a_closed_one_frees_its_place() {
        let hub = Arc::new(AccessHub::default());
        let caller = Caller { tenant_id: 1, staff_id: None, api_token_id: Some(1) };
        let first = hub.register(caller, 2).unwrap();
        let _second = hub.register(caller, 2).unwrap();
        assert!(hub.register(caller, 2).is_err());
        assert!(hub.register(Caller { tenant_id: 2, ..caller }, 2).is_ok(), "another tenant is not counted");
        drop(first);
        assert_eq!(hub.open(1), 1);
        assert!(hub.register(caller, 2).is_ok());
    }
}
