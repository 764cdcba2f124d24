//! The event bus: every write publishes a small event after it commits; subscribers filter by
//! tenant (and shop), then read what they need through their own scope.
//!
//! In-process it is a `tokio::sync::broadcast` channel owned by the app state (not a global, so
//! parallel tests never see each other's events). On PostgreSQL every event also goes out with
//! `NOTIFY` on [`CHANNEL`], and each process `LISTEN`s and feeds what other processes published
//! into its own channel ([`EventBus::connect_postgres`]): several server processes on one
//! database show every change to every subscriber. A notification lost while a listener
//! reconnects is covered by the clients, which re-query after their own reconnects.

use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc};

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
    /// A staff member was switched off or an API token revoked: their live subscriptions end.
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
}

#[derive(Clone)]
pub struct EventBus {
    tx: broadcast::Sender<Event>,
    /// This process, so that its own notifications are not delivered twice.
    origin: u64,
    /// Events for the other processes (PostgreSQL `NOTIFY`), when connected.
    remote: Option<mpsc::UnboundedSender<Event>>,
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
        let (tx, _) = broadcast::channel(1024);
        EventBus { tx, origin: rand::random(), remote: None }
    }

    pub fn publish(&self, event: Event) {
        if let Some(remote) = &self.remote {
            let _ = remote.send(event.clone());
        }
        // No subscriber is not an error.
        let _ = self.tx.send(event);
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
                let Ok(payload) = serde_json::to_string(&Wire { origin, event }) else { continue };
                let sent = sea_orm::sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(CHANNEL)
                    .bind(payload)
                    .execute(&send_pool)
                    .await;
                if let Err(e) = sent {
                    tracing::warn!(error = %e, "events: NOTIFY failed; other processes miss this change");
                }
            }
        });
        let tx = self.tx.clone();
        tokio::spawn(async move {
            loop {
                match listen(&pool, origin, &tx).await {
                    Ok(()) => return, // the pool was closed: the server is stopping
                    Err(e) => {
                        tracing::warn!(error = %e, "events: LISTEN failed; retrying");
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                }
            }
        });
        self
    }

    /// Ends the live subscriptions of a switched-off staff member or a revoked token, on every
    /// process.
    pub fn access_revoked(&self, tenant_id: i64, staff_id: Option<i64>, api_token_id: Option<i64>) {
        self.publish(Event { tenant_id, shop_id: None, kind: EventKind::AccessRevoked { staff_id, api_token_id } });
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.tx.subscribe()
    }
}

/// Feeds other processes' events into this process's channel until the pool closes.
async fn listen(pool: &PgPool, origin: u64, tx: &broadcast::Sender<Event>) -> Result<(), sea_orm::sqlx::Error> {
    if pool.is_closed() {
        return Ok(());
    }
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    loop {
        // `try_recv` answers `None` when the connection dropped (it reconnects on the next call).
        match listener.try_recv().await {
            Ok(Some(n)) => match serde_json::from_str::<Wire>(n.payload()) {
                Ok(w) if w.origin != origin => {
                    let _ = tx.send(w.event);
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "events: an unreadable notification"),
            },
            Ok(None) => {
                if pool.is_closed() {
                    return Ok(());
                }
            }
            Err(e) if pool.is_closed() => {
                tracing::debug!(error = %e, "events: listener stopped with the pool");
                return Ok(());
            }
            Err(e) => return Err(e),
        }
    }
}
