//! Live events over graphql-transport-ws. Each stream reads its tenant's ring of the event bus,
//! drops what is not the caller's shop, and re-reads the row through the caller's own scope.
//!
//! The caller is resolved anew for every operation by the socket (graphql/socket.rs), and the
//! socket closes when their access ends or changes, which ends these streams with it.

use async_graphql::{Context, ID, Result, Subscription};
use futures_util::{Stream, StreamExt};
use tokio::sync::broadcast::Receiver;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

use crate::auth::Actor;
use crate::events::{Event, EventKind};
use crate::graphql::context::{actor, state};
use crate::graphql::error::opt_id;
use crate::graphql::types::*;
use crate::{inbox, sync};

pub struct SubscriptionRoot;

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

/// The inquiries named by the caller's events of one kind, re-read through the caller's scope.
async fn inquiries_on(
    ctx: &Context<'_>,
    shop_id: Option<ID>,
    pick: fn(&EventKind) -> Option<i64>,
) -> Result<impl Stream<Item = Inquiry> + use<>> {
    let ((a, rx), st) = (live_actor(ctx).await?, state(ctx).clone());
    let shop = opt_id(shop_id.as_ref(), "店舗")?;
    Ok(events_of(rx, shop).filter_map(move |ev| {
        let (a, st) = (a.clone(), st.clone());
        async move {
            let id = pick(&ev.kind)?;
            inbox::get(&st.db, &a, id).await.ok().flatten().map(Inquiry)
        }
    }))
}

#[Subscription]
impl SubscriptionRoot {
    /// A new inquiry, or a new customer message on one.
    async fn inquiry_received(
        &self,
        ctx: &Context<'_>,
        shop_id: Option<ID>,
    ) -> Result<impl Stream<Item = Inquiry> + use<>> {
        inquiries_on(ctx, shop_id, |k| match k {
            EventKind::InquiryReceived { inquiry_id } => Some(*inquiry_id),
            _ => None,
        })
        .await
    }

    /// Any change: status, a reply stored or delivered, completion.
    async fn inquiry_updated(
        &self,
        ctx: &Context<'_>,
        shop_id: Option<ID>,
    ) -> Result<impl Stream<Item = Inquiry> + use<>> {
        inquiries_on(ctx, shop_id, |k| match k {
            EventKind::InquiryUpdated { inquiry_id } => Some(*inquiry_id),
            _ => None,
        })
        .await
    }

    /// The needs-reply counts, whenever they may have changed.
    async fn inbox_counts_changed(&self, ctx: &Context<'_>) -> Result<impl Stream<Item = InboxCounts> + use<>> {
        let ((a, rx), st) = (live_actor(ctx).await?, state(ctx).clone());
        Ok(events_for(rx, None).filter_map(move |seen| {
            let (a, st) = (a.clone(), st.clone());
            async move {
                match seen {
                    // Behind: the counts may have changed meanwhile, so they are read again.
                    Seen::Event(Event { kind: EventKind::InboxCountsChanged, .. }) | Seen::Lagged => {
                        inbox::counts(&st.db, a.scope).await.ok().map(InboxCounts::from)
                    }
                    Seen::Event(_) => None,
                }
            }
        }))
    }

    /// Progress of import and export runs.
    async fn sync_run_updated(
        &self,
        ctx: &Context<'_>,
        shop_id: Option<ID>,
    ) -> Result<impl Stream<Item = SyncRun> + use<>> {
        let ((a, rx), st) = (live_actor(ctx).await?, state(ctx).clone());
        let shop = opt_id(shop_id.as_ref(), "店舗")?;
        Ok(events_of(rx, shop).filter_map(move |ev| {
            let (a, st) = (a.clone(), st.clone());
            async move {
                match ev.kind {
                    EventKind::SyncRunUpdated { run_id } => {
                        sync::get(&st.db, &a, run_id).await.ok().flatten().map(SyncRun)
                    }
                    _ => None,
                }
            }
        }))
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
