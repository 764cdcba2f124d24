//! Live events over graphql-transport-ws. Each stream reads the bus, drops what is not the
//! caller's tenant (or shop), and re-reads the row through the caller's own scope.

use async_graphql::{Context, ID, Result, Subscription};
use futures_util::{Stream, StreamExt};
use tokio::sync::broadcast::Receiver;
use tokio_stream::wrappers::BroadcastStream;

use crate::auth::Actor;
use crate::events::{Event, EventKind};
use crate::graphql::context::{actor, state};
use crate::graphql::error::{opt_id, parse_id};
use crate::graphql::types::*;
use crate::{inbox, sync};

pub struct SubscriptionRoot;

/// The caller's events, optionally for one shop. The stream ends when the caller's access is
/// revoked (a staff member switched off, an API token revoked).
fn events_for(rx: Receiver<Event>, a: &Actor, shop: Option<i64>) -> impl Stream<Item = Event> + use<> {
    let tenant = a.scope.tenant_id();
    let me = a.clone();
    BroadcastStream::new(rx)
        .filter_map(move |ev| async move {
            // A lagging subscriber skips events; clients re-query when they (re)connect.
            let ev = ev.ok()?;
            (ev.tenant_id == tenant && (shop.is_none() || ev.shop_id == shop)).then_some(ev)
        })
        .take_while(move |ev| {
            let revoked = matches!(&ev.kind, EventKind::AccessRevoked { staff_id, api_token_id }
                if me.is_revoked_by(*staff_id, *api_token_id));
            std::future::ready(!revoked)
        })
}

/// The caller, checked again now (a socket may have been opened before their access ended),
/// with their receiver on the event bus — taken before the check, so that nothing published
/// while the check runs is missed.
async fn live_actor(ctx: &Context<'_>) -> Result<(Actor, Receiver<Event>)> {
    let a = actor(ctx)?;
    let rx = state(ctx).events.subscribe();
    if !crate::auth::still_allowed(&state(ctx).db, a).await? {
        return Err(crate::error::AppError::Unauthenticated.into());
    }
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
    Ok(events_for(rx, &a, shop).filter_map(move |ev| {
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
        Ok(events_for(rx, &a, None).filter_map(move |ev| {
            let (a, st) = (a.clone(), st.clone());
            async move {
                match ev.kind {
                    EventKind::InboxCountsChanged => inbox::counts(&st.db, a.scope).await.ok().map(InboxCounts::from),
                    _ => None,
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
        Ok(events_for(rx, &a, shop).filter_map(move |ev| {
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

    /// Who else is viewing or typing on this inquiry.
    async fn presence_changed(
        &self,
        ctx: &Context<'_>,
        inquiry_id: ID,
    ) -> Result<impl Stream<Item = Presence> + use<>> {
        let (a, rx) = live_actor(ctx).await?;
        let wanted = parse_id(&inquiry_id, "お問い合わせ")?;
        Ok(events_for(rx, &a, None).filter_map(move |ev| async move {
            match ev.kind {
                EventKind::Presence { inquiry_id, staff_name, state, at } if inquiry_id == wanted => {
                    Some(Presence { inquiry_id: ID(inquiry_id.to_string()), staff_name, state, at: jst(at) })
                }
                _ => None,
            }
        }))
    }
}
