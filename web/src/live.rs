//! The live inbox state: 返信が必要 counts and "something changed" signals, fed by the
//! WebSocket subscriptions ([`crate::ws`]). Screens read these signals and re-query.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::ops::{InboxCounts, InboxCountsInfo, InquiryEvent};

use crate::api;
use crate::session::Session;
use crate::ws::{self, LiveEvent};

#[derive(Clone, Copy)]
pub struct Live {
    /// The 返信が必要 counts, in total and per shop.
    pub counts: RwSignal<Option<InboxCountsInfo>>,
    /// Bumped on every inquiry event and after a reconnect: lists re-query when it moves.
    pub inbox_version: RwSignal<u64>,
    /// The latest inquiry event (an open inquiry re-queries when it is about it).
    pub last_inquiry_event: RwSignal<Option<InquiryEvent>>,
    /// The latest `inquiryReceived` (a new inquiry or customer message): desktop notifications.
    pub last_received: RwSignal<Option<InquiryEvent>>,
    /// Bumped after each reconnect: everything on screen re-queries.
    pub reconnects: RwSignal<u64>,
    /// Whether the live connection is up.
    pub connected: RwSignal<bool>,
    /// The connection dropped (or could not be opened) and is being re-established: the shell
    /// shows 「接続が切れています。再接続しています…」 until it is back.
    pub dropped: RwSignal<bool>,
    /// A list re-query is scheduled (events arriving together cause one re-query).
    bump_pending: RwSignal<bool>,
}

/// How long events are gathered before lists re-query.
const COALESCE_MS: u32 = 250;

impl Live {
    /// Starts the live connection for the signed-in session and provides the context. The
    /// connection stops when the calling component is cleaned up (logout).
    pub fn provide(session: Session) -> Self {
        let live = Live {
            counts: RwSignal::new(None),
            inbox_version: RwSignal::new(0),
            last_inquiry_event: RwSignal::new(None),
            last_received: RwSignal::new(None),
            reconnects: RwSignal::new(0),
            connected: RwSignal::new(false),
            dropped: RwSignal::new(false),
            bump_pending: RwSignal::new(false),
        };
        provide_context(live);
        live.refresh_counts();

        let connection = ws::connect(ws::endpoint(), move |event| live.apply(event, session));
        let stopper = connection.stopper();
        on_cleanup(move || stopper.store(true, std::sync::atomic::Ordering::Relaxed));
        // The network is back: reconnect now rather than after the backoff, and re-query what
        // is on screen (a page that failed to load recovers by itself).
        let online = window_event_listener(leptos::ev::online, move |_| {
            ws::wake();
            live.retry();
        });
        on_cleanup(move || online.remove());
        live
    }

    fn apply(self, event: LiveEvent, session: Session) {
        match event {
            LiveEvent::Connected { again } => {
                self.connected.try_set(true);
                self.dropped.try_set(false);
                if again {
                    self.refresh_counts();
                    self.reconnects.try_update(|n| *n += 1);
                    self.inbox_version.try_update(|n| *n += 1);
                }
            }
            LiveEvent::Disconnected => {
                self.connected.try_set(false);
                self.dropped.try_set(true);
            }
            LiveEvent::Unauthorized => session.reload(),
            LiveEvent::InquiryReceived(e) => {
                self.last_received.try_set(Some(e.clone()));
                self.last_inquiry_event.try_set(Some(e));
                self.schedule_bump();
            }
            LiveEvent::InquiryUpdated(e) => {
                self.last_inquiry_event.try_set(Some(e));
                self.schedule_bump();
            }
            LiveEvent::InboxCountsChanged(counts) => {
                self.counts.try_set(Some(counts));
            }
        }
    }

    fn schedule_bump(self) {
        if self.bump_pending.get_untracked() {
            return;
        }
        self.bump_pending.set(true);
        spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(COALESCE_MS).await;
            self.bump_pending.try_set(false);
            self.inbox_version.try_update(|n| *n += 1);
        });
    }

    /// Re-queries the counts (after a reply or completion, without waiting for the push).
    pub fn refresh_counts(self) {
        spawn_local(async move {
            if let Ok(data) = api::gql::<InboxCounts>(()).await {
                self.counts.try_set(Some(data.inbox_counts));
            }
        });
    }

    /// Everything on screen re-queries (a page's 再試行, the network coming back).
    pub fn retry(self) {
        self.refresh_counts();
        self.reconnects.try_update(|n| *n += 1);
        self.inbox_version.try_update(|n| *n += 1);
    }

    /// Marks the inbox as changed by this tab (after its own reply or completion).
    pub fn touch(self) {
        self.inbox_version.try_update(|n| *n += 1);
        self.refresh_counts();
    }
}

pub fn use_live() -> Live {
    expect_context::<Live>()
}
