//! Live events over graphql-transport-ws. Each stream reads its tenant's ring of the event bus,
//! drops what is not the caller's shop, and re-reads the row through the caller's own scope —
//! one read per event for all the subscribers it wakes (graphql/live_reads.rs).
//!
//! The caller is resolved anew for every operation by the socket (graphql/socket.rs), and the
//! socket closes when their access ends or changes, which ends these streams with it.
//!
//! **Resumable.** Every field but `presenceChanged` takes `after` (an event cursor, from the
//! `events` query or from an earlier payload): the stream first replays from the event log what
//! the client missed since that cursor, filtered as the live stream is (by shop, by type), then
//! goes live with no gap and no duplicate (`event_log::resume`). Each payload's sequence and
//! cursor travel in the `next` message's `extensions` (`{"sequence": n, "cursor": "…"}`): the
//! resolver leaves them in the operation's [`Position`], which the socket moves onto the
//! response it belongs to, so the payload types stay as they were.

use std::future::Future;
use std::sync::{Arc, Mutex};

use async_graphql::{Context, ID, Result, Subscription};
use futures_util::stream::BoxStream;
use futures_util::{Stream, StreamExt};
use tokio::sync::broadcast::Receiver;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

use crate::auth::Actor;
use crate::auth::Permission;
use crate::event_log::{self, EventType, Interest, Resumed};
use crate::events::{Event, EventKind};
use crate::graphql::context::{actor, state};
use crate::graphql::error::opt_id;
use crate::graphql::types::*;
use crate::state::AppState;
use crate::{orders, sync};

pub struct SubscriptionRoot;

/// The sequence of the payload an operation is resolving now, for the socket to put in that
/// response's `extensions` (one per operation; payloads are resolved one after another).
#[derive(Clone, Default)]
pub struct Position(Arc<Mutex<Option<i64>>>);

impl Position {
    fn set(&self, sequence: Option<i64>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = sequence;
    }

    /// The sequence of the payload just resolved (cleared).
    pub fn take(&self) -> Option<i64> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// Payloads with their sequence: each sets the operation's [`Position`] as it goes out.
fn positioned<T: Send + 'static>(
    ctx: &Context<'_>,
    items: impl Stream<Item = (T, Option<i64>)> + Send + 'static,
) -> BoxStream<'static, T> {
    let position = ctx.data_opt::<Position>().cloned();
    items
        .map(move |(item, sequence)| {
            if let Some(p) = &position {
                p.set(sequence);
            }
            item
        })
        .boxed()
}

/// What a subscriber reads: an event of theirs, or word that they fell behind and skipped some.
enum Seen {
    Event(Event),
    Lagged,
}

/// The caller's events, optionally for one shop. A subscriber that falls behind its tenant's
/// ring skips what it missed (and is told, so that counts can be read afresh); nobody else waits.
fn events_for(rx: Receiver<Event>, shop: Option<i64>) -> impl Stream<Item = Seen> + use<> {
    BroadcastStream::new(rx).filter_map(move |ev| async move {
        match ev {
            Ok(ev) => (shop.is_none() || ev.shop_id == shop).then_some(Seen::Event(ev)),
            Err(BroadcastStreamRecvError::Lagged(_)) => Some(Seen::Lagged),
        }
    })
}

/// The caller's events only.
fn events_of(rx: Receiver<Event>, shop: Option<i64>) -> impl Stream<Item = Event> + use<> {
    events_for(rx, shop).filter_map(|seen| async move {
        match seen {
            Seen::Event(ev) => Some(ev),
            Seen::Lagged => None,
        }
    })
}

/// The caller (as resolved for this operation) with their receiver on their tenant's ring.
async fn live_actor(ctx: &Context<'_>) -> Result<(Actor, Receiver<Event>)> {
    let a = actor(ctx)?;
    let rx = state(ctx).events.subscribe_tenant(a.scope.tenant_id());
    Ok((a.clone(), rx))
}

/// The caller's logged events after the cursor `after`, then live (see the module docs).
/// `VALIDATION` on `after` for a cursor that is not one, or older than the log keeps.
async fn resumed(
    ctx: &Context<'_>,
    after: &str,
    interest: Interest,
    wakes: fn(&Event) -> bool,
) -> Result<(Actor, impl Stream<Item = Resumed> + Send + use<>)> {
    let (a, st) = (actor(ctx)?.clone(), state(ctx));
    let tenant = a.scope.tenant_id();
    let from = event_log::resume_point(&st.db, tenant, Some(after)).await?;
    let items = event_log::resume(st, tenant, interest, from, wakes).filter_map(|r| async move {
        match r {
            Ok(item) => Some(item),
            Err(e) => {
                // The stream ends; the client resumes from the last cursor it received.
                tracing::warn!(error = ?e, "subscription: reading the event log failed");
                None
            }
        }
    });
    Ok((a, items))
}

/// The rows named by the caller's events (inquiries, runs, orders), each re-read through the
/// caller's scope by `load`: `types` are replayed from the log after `after`, `wakes` says
/// which live events may have logged one, `pick` is the row a live event names.
async fn subjects_on<T, L, F>(
    ctx: &Context<'_>,
    shop_id: Option<ID>,
    after: Option<String>,
    (types, wakes): (&[EventType], fn(&Event) -> bool),
    pick: fn(&EventKind) -> Option<i64>,
    load: L,
) -> Result<BoxStream<'static, T>>
where
    T: Send + 'static,
    L: Fn(AppState, Actor, i64, Option<i64>) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Option<T>> + Send,
{
    let st = state(ctx).clone();
    let shop = opt_id(shop_id.as_ref(), "店舗")?;
    if let Some(after) = after {
        let interest = Interest { types: types.to_vec(), shop_id: shop, newest_only: false };
        let (a, items) = resumed(ctx, &after, interest, wakes).await?;
        let payloads = items.filter_map(move |item| {
            let (a, st, load) = (a.clone(), st.clone(), load.clone());
            async move {
                let (id, sequence) = match &item {
                    Resumed::Logged(row) => (row.subject_id, Some(row.sequence)),
                    Resumed::Live(ev) => (pick(&ev.kind)?, ev.sequence),
                };
                load(st, a, id, sequence).await.map(|row| (row, sequence))
            }
        });
        return Ok(positioned(ctx, payloads));
    }
    let (a, rx) = live_actor(ctx).await?;
    let payloads = events_of(rx, shop).filter_map(move |ev| {
        let (a, st, load) = (a.clone(), st.clone(), load.clone());
        async move {
            let id = pick(&ev.kind)?;
            load(st, a, id, ev.sequence).await.map(|row| (row, ev.sequence))
        }
    });
    Ok(positioned(ctx, payloads))
}

/// The inquiry as of the change `sequence`: one read shared by every subscriber of the tenant
/// that the change wakes (graphql/live_reads.rs), after this caller's own permission check.
async fn load_inquiry(st: AppState, a: Actor, id: i64, sequence: Option<i64>) -> Option<Inquiry> {
    a.require(Permission::Read).ok()?;
    let row = st.live.inquiry(&st.db, a.scope, id, sequence).await??;
    Some(Inquiry(Arc::unwrap_or_clone(row)))
}

async fn load_run(st: AppState, a: Actor, id: i64, _: Option<i64>) -> Option<SyncRun> {
    sync::get(&st.db, &a, id).await.ok().flatten().map(SyncRun)
}

async fn load_order(st: AppState, a: Actor, id: i64, _: Option<i64>) -> Option<Order> {
    orders::get(&st.db, &a, id).await.ok().flatten().map(Order)
}

/// The shop re-read through the caller's scope, with why it needs attention.
async fn load_attention(
    st: AppState,
    a: Actor,
    shop_id: i64,
    expires_at: chrono::DateTime<chrono::Utc>,
) -> Option<ShopAttention> {
    let shop = crate::shops::get(&st.db, &a, shop_id).await.ok().flatten()?;
    Some(ShopAttention { shop, reason: shared::ShopAttentionReason::LicenceKeyExpiring, expires_at })
}

#[Subscription]
impl SubscriptionRoot {
    /// A new inquiry, or a new customer message on one. With `after` (an event cursor), first
    /// the ones missed since then.
    async fn inquiry_received(
        &self,
        ctx: &Context<'_>,
        shop_id: Option<ID>,
        after: Option<String>,
    ) -> Result<impl Stream<Item = Inquiry> + use<>> {
        let pick = |k: &EventKind| match k {
            EventKind::InquiryReceived { inquiry_id } => Some(*inquiry_id),
            _ => None,
        };
        let wakes: fn(&Event) -> bool = |ev| matches!(ev.kind, EventKind::InquiryReceived { .. });
        subjects_on(ctx, shop_id, after, (&[EventType::InquiryReceived], wakes), pick, load_inquiry).await
    }

    /// Any change: status, a reply stored or delivered, completion. With `after` (an event
    /// cursor), first the ones missed since then.
    async fn inquiry_updated(
        &self,
        ctx: &Context<'_>,
        shop_id: Option<ID>,
        after: Option<String>,
    ) -> Result<impl Stream<Item = Inquiry> + use<>> {
        let pick = |k: &EventKind| match k {
            EventKind::InquiryUpdated { inquiry_id } => Some(*inquiry_id),
            _ => None,
        };
        let types = [EventType::InquiryReceived, EventType::InquiryUpdated];
        let wakes: fn(&Event) -> bool = |ev| matches!(ev.kind, EventKind::InquiryUpdated { .. });
        subjects_on(ctx, shop_id, after, (&types, wakes), pick, load_inquiry).await
    }

    /// The needs-reply counts, whenever they may have changed. With `after` (an event cursor):
    /// the counts at once when an inquiry changed since then (the counts are a state, so one
    /// answer stands for all the changes missed), then live.
    async fn inbox_counts_changed(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
    ) -> Result<impl Stream<Item = InboxCounts> + use<>> {
        let st = state(ctx).clone();
        if let Some(after) = after {
            let interest = Interest {
                types: vec![EventType::InquiryReceived, EventType::InquiryUpdated],
                shop_id: None,
                newest_only: true,
            };
            let wakes: fn(&Event) -> bool = |ev| matches!(ev.kind, EventKind::InboxCountsChanged);
            let (a, items) = resumed(ctx, &after, interest, wakes).await?;
            let payloads = items.filter_map(move |item| {
                let (a, st) = (a.clone(), st.clone());
                async move {
                    let sequence = item.sequence();
                    let counts = st.live.counts(&st.db, a.scope, sequence).await?;
                    Some((InboxCounts::from(Arc::unwrap_or_clone(counts)), sequence))
                }
            });
            return Ok(positioned(ctx, payloads));
        }
        let (a, rx) = live_actor(ctx).await?;
        let payloads = events_for(rx, None).filter_map(move |seen| {
            let (a, st) = (a.clone(), st.clone());
            async move {
                let sequence = match seen {
                    Seen::Event(Event { kind: EventKind::InboxCountsChanged, sequence, .. }) => sequence,
                    // Behind: the counts may have changed meanwhile, so they are read again.
                    Seen::Lagged => None,
                    Seen::Event(_) => return None,
                };
                let counts = st.live.counts(&st.db, a.scope, sequence).await?;
                Some((InboxCounts::from(Arc::unwrap_or_clone(counts)), sequence))
            }
        });
        Ok(positioned(ctx, payloads))
    }

    /// Progress of import and export runs. With `after` (an event cursor), first the runs that
    /// finished since then (progress is not logged; a finish is).
    async fn sync_run_updated(
        &self,
        ctx: &Context<'_>,
        shop_id: Option<ID>,
        after: Option<String>,
    ) -> Result<impl Stream<Item = SyncRun> + use<>> {
        let pick = |k: &EventKind| match k {
            EventKind::SyncRunUpdated { run_id } => Some(*run_id),
            _ => None,
        };
        let wakes: fn(&Event) -> bool = |ev| matches!(ev.kind, EventKind::SyncRunUpdated { .. });
        subjects_on(ctx, shop_id, after, (&[EventType::SyncRunFinished], wakes), pick, load_run).await
    }

    /// An order created or changed — entered by hand, imported, edited by a colleague. With
    /// `after` (an event cursor), first the ones missed since then.
    async fn order_changed(
        &self,
        ctx: &Context<'_>,
        shop_id: Option<ID>,
        after: Option<String>,
    ) -> Result<impl Stream<Item = Order> + use<>> {
        let pick = |k: &EventKind| match k {
            EventKind::OrderChanged { order_id } => Some(*order_id),
            _ => None,
        };
        let types = [EventType::OrderCreated, EventType::OrderUpdated];
        let wakes: fn(&Event) -> bool = |ev| matches!(ev.kind, EventKind::OrderChanged { .. });
        subjects_on(ctx, shop_id, after, (&types, wakes), pick, load_order).await
    }

    /// A shop needs staff to act: today, its licence key runs out within 14 days (logged once
    /// per saved key). With `after` (an event cursor), first the ones missed since then.
    async fn shop_needs_attention(
        &self,
        ctx: &Context<'_>,
        shop_id: Option<ID>,
        after: Option<String>,
    ) -> Result<BoxStream<'static, ShopAttention>> {
        let st = state(ctx).clone();
        let shop = opt_id(shop_id.as_ref(), "店舗")?;
        let wakes: fn(&Event) -> bool = |ev| matches!(ev.kind, EventKind::ShopNeedsAttention { .. });
        if let Some(after) = after {
            let interest = Interest { types: vec![EventType::ShopNeedsAttention], shop_id: shop, newest_only: false };
            let (a, items) = resumed(ctx, &after, interest, wakes).await?;
            let payloads = items.filter_map(move |item| {
                let (a, st) = (a.clone(), st.clone());
                async move {
                    let Resumed::Logged(row) = item else { return None };
                    let expires_at = serde_json::from_str::<serde_json::Value>(&row.data)
                        .ok()
                        .and_then(|d| d["expiresAt"].as_str().map(str::to_owned))
                        .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())?
                        .to_utc();
                    load_attention(st, a, row.subject_id, expires_at).await.map(|p| (p, Some(row.sequence)))
                }
            });
            return Ok(positioned(ctx, payloads));
        }
        let (a, rx) = live_actor(ctx).await?;
        let payloads = events_of(rx, shop).filter_map(move |ev| {
            let (a, st) = (a.clone(), st.clone());
            async move {
                let EventKind::ShopNeedsAttention { shop_id, expires_at } = ev.kind else { return None };
                load_attention(st, a, shop_id, expires_at).await.map(|p| (p, ev.sequence))
            }
        });
        Ok(positioned(ctx, payloads))
    }

    /// Who else is viewing or typing on this inquiry; without `inquiryId`, on every inquiry of
    /// the caller's tenant (the inbox rows).
    async fn presence_changed(
        &self,
        ctx: &Context<'_>,
        inquiry_id: Option<ID>,
    ) -> Result<impl Stream<Item = Presence> + use<>> {
        let (_, rx) = live_actor(ctx).await?;
        let wanted = opt_id(inquiry_id.as_ref(), "お問い合わせ")?;
        Ok(events_of(rx, None).filter_map(move |ev| async move {
            match ev.kind {
                EventKind::Presence { inquiry_id, staff_name, state, at } if wanted.is_none_or(|w| w == inquiry_id) => {
                    Some(Presence { inquiry_id: ID(inquiry_id.to_string()), staff_name, state, at: jst(at) })
                }
                _ => None,
            }
        }))
    }
}
