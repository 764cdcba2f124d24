//! Live updates over graphql-transport-ws, through the `graphql-ws-client` crate.
//!
//! The crate speaks the protocol (github.com/enisdenjo/graphql-ws, PROTOCOL.md): `connection_init`
//! and its acknowledgement, `subscribe`/`next`/`complete` per subscription, answering the server's
//! `ping`, and its own keep-alive `ping` when the socket has been silent (a socket can look open
//! while nothing gets through: a sleeping laptop, a dead Wi-Fi, a proxy that forgot it; then the
//! crate closes it). The session cookie authenticates the upgrade, so `connection_init` carries no
//! token. Each document sent is the one `shared::ops` generates, as for HTTP.
//!
//! What stays here is the app's policy: the three standing inbox subscriptions, the subscriptions
//! a page opens for as long as it is shown ([`subscribe`]), reconnecting with exponential backoff
//! (1 s doubling to 30 s, cut short by [`wake`]), telling the owner each time it is connected
//! again so it re-queries what it shows, and a refused session (close codes 4401/4403).

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::future::{AbortHandle, Abortable, Either, select};
use futures_util::stream::{LocalBoxStream, SelectAll};
use futures_util::{FutureExt, StreamExt};
use gloo_timers::future::TimeoutFuture;
use graphql_ws_client::graphql::GraphqlOperation;
use pharos::{Observable, ObserveConfig};
use serde::Serialize;
use serde_json::Value;
use shared::ops::{
    self, InboxCountsChangedSub, InboxCountsInfo, InquiryEvent, InquiryReceivedSub, InquiryUpdatedSub, Operation,
};
use ws_stream_wasm::{WsEvent, WsMeta};

const PROTOCOL: &str = "graphql-transport-ws";
const ACK_TIMEOUT_MS: u32 = 10_000;
/// After this much silence on an open connection the client pings; after twice as much more
/// without an answer it counts the connection as dropped.
pub const KEEP_ALIVE_MS: u64 = 10_000;
const MAX_BACKOFF_MS: u32 = 30_000;

/// One subscription as `graphql-ws-client` sends it: the generated document with its variables;
/// the answer stays JSON until its owner decodes it into the operation's own type.
#[derive(Serialize, Clone)]
struct Subscribe(ops::Request<Value>);

impl GraphqlOperation for Subscribe {
    type Response = Value;
    type Error = serde_json::Error;

    fn decode(&self, data: Value) -> Result<Value, serde_json::Error> {
        Ok(data)
    }
}

/// Handles the payload (`{data, errors}`) of each event of one subscription.
type Handler = Rc<dyn Fn(Value)>;

/// Subscriptions pages open for as long as they are shown (e.g. presence on one inquiry), on
/// top of the three standing inbox subscriptions. The connection opens them on every (re)connect.
#[derive(Default)]
struct Extra {
    /// id → (the subscription, the handler of its events).
    subscriptions: BTreeMap<u64, (Subscribe, Handler)>,
    next_id: u64,
}

thread_local! {
    static EXTRA: RefCell<Extra> = RefCell::new(Extra::default());
}

/// Ends an extra subscription when dropped.
pub struct ExtraSubscription {
    id: u64,
}

impl Drop for ExtraSubscription {
    fn drop(&mut self) {
        EXTRA.with(|extra| extra.borrow_mut().subscriptions.remove(&self.id));
    }
}

/// Opens a subscription on the live connection until the returned guard is dropped; `on_data`
/// gets each event's `data`.
pub fn subscribe<O: Operation>(vars: O::Variables, on_data: impl Fn(O::Data) + 'static) -> ExtraSubscription {
    let handler: Handler = Rc::new(move |value| {
        if let Some(data) = decode::<O>(value) {
            on_data(data);
        }
    });
    EXTRA.with(|extra| {
        let mut extra = extra.borrow_mut();
        extra.next_id += 1;
        let id = extra.next_id;
        extra.subscriptions.insert(id, (Subscribe(ops::request::<O>(vars)), handler));
        ExtraSubscription { id }
    })
}

thread_local! {
    static WAKE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Ends a running reconnect wait now (e.g. on the browser's `online` event).
pub fn wake() {
    WAKE.with(|w| w.set(true));
}

fn take_wake() -> bool {
    WAKE.with(|w| w.replace(false))
}

/// What the live connection reports.
#[derive(Clone, Debug, PartialEq)]
pub enum LiveEvent {
    /// Subscribed; `again` is true after a reconnect (re-query now).
    Connected {
        again: bool,
    },
    /// The connection dropped; a reconnect is scheduled.
    Disconnected,
    /// The server refused the connection as unauthenticated.
    Unauthorized,
    InquiryReceived(InquiryEvent),
    InquiryUpdated(InquiryEvent),
    InboxCountsChanged(InboxCountsInfo),
}

/// Stops the client when [`LiveConnection::stop`] is called (dropping it does not).
pub struct LiveConnection {
    stop: Arc<AtomicBool>,
}

impl LiveConnection {
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// A handle that can stop the client from anywhere (it is `Send`).
    pub fn stopper(&self) -> Arc<AtomicBool> {
        self.stop.clone()
    }
}

/// `ws://host/graphql` (or `wss://` on HTTPS) for the page's own origin.
pub fn endpoint() -> String {
    let location = web_sys::window().map(|w| w.location());
    let protocol = location.as_ref().and_then(|l| l.protocol().ok()).unwrap_or_default();
    let host = location.as_ref().and_then(|l| l.host().ok()).unwrap_or_default();
    let scheme = if protocol == "https:" { "wss" } else { "ws" };
    format!("{scheme}://{host}/graphql")
}

/// Connects to `url` and keeps the three inbox subscriptions open until stopped.
pub fn connect(url: String, on_event: impl Fn(LiveEvent) + 'static) -> LiveConnection {
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = stop.clone();
    leptos::task::spawn_local(async move {
        let mut failures: u32 = 0;
        let mut connected_before = false;
        while !stopped.load(Ordering::Relaxed) {
            let started = js_sys::Date::now();
            let outcome = run_once(&url, &on_event, &stopped, connected_before).await;
            // A connection that drops at once counts as a failure, so it backs off too.
            let lasted_ms = js_sys::Date::now() - started;
            if stopped.load(Ordering::Relaxed) {
                break;
            }
            match outcome {
                Outcome::WasConnected => {
                    connected_before = true;
                    if lasted_ms > 10_000.0 {
                        failures = 0;
                    }
                }
                Outcome::Unauthorized => on_event(LiveEvent::Unauthorized),
                Outcome::NeverConnected => {}
            }
            on_event(LiveEvent::Disconnected);
            let delay = backoff_ms(failures);
            failures = failures.saturating_add(1);
            if !sleep_unless_stopped(delay, &stopped).await {
                break;
            }
        }
    });
    LiveConnection { stop }
}

/// 1 s, 2 s, 4 s … capped at 30 s, plus up to 20 % jitter so tabs do not reconnect in step.
fn backoff_ms(failures: u32) -> u32 {
    let base = 1000u32.saturating_mul(1u32 << failures.min(5)).min(MAX_BACKOFF_MS);
    let jitter = (js_sys::Math::random() * f64::from(base) * 0.2) as u32;
    base + jitter
}

/// Sleeps in short steps (ended early by [`wake`]); false if stopped meanwhile.
async fn sleep_unless_stopped(ms: u32, stop: &AtomicBool) -> bool {
    let mut left = ms;
    take_wake();
    while left > 0 {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        if take_wake() {
            break;
        }
        let step = left.min(250);
        TimeoutFuture::new(step).await;
        left -= step;
    }
    !stop.load(Ordering::Relaxed)
}

enum Outcome {
    NeverConnected,
    WasConnected,
    Unauthorized,
}

/// Which subscription an event belongs to.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Received,
    Updated,
    Counts,
    Extra(u64),
}

/// Whether the socket was closed with the protocol's codes for a refused session (4401
/// Unauthorized, 4403 Forbidden), from the events seen so far.
fn refused(events: &mut pharos::Events<WsEvent>) -> bool {
    let mut refused = false;
    while let Some(Some(event)) = events.next().now_or_never() {
        if let WsEvent::Closed(close) = event {
            refused |= close.code == 4401 || close.code == 4403;
        }
    }
    refused
}

async fn run_once(url: &str, on_event: &impl Fn(LiveEvent), stop: &AtomicBool, again: bool) -> Outcome {
    let Ok((mut meta, stream)) = WsMeta::connect(url, Some(vec![PROTOCOL])).await else {
        return Outcome::NeverConnected;
    };
    let Ok(mut events) = meta.observe(ObserveConfig::default()).await else {
        return Outcome::NeverConnected;
    };
    let connection = graphql_ws_client::ws_stream_wasm::Connection::new((meta, stream)).await;
    let building = graphql_ws_client::Client::build(connection)
        .keep_alive_interval(Duration::from_millis(KEEP_ALIVE_MS))
        .keep_alive_retries(0)
        .build();
    let (client, actor) = match select(Box::pin(building), TimeoutFuture::new(ACK_TIMEOUT_MS)).await {
        Either::Left((Ok(built), _)) => built,
        Either::Left((Err(_), _)) | Either::Right(_) => {
            TimeoutFuture::new(0).await;
            return if refused(&mut events) { Outcome::Unauthorized } else { Outcome::NeverConnected };
        }
    };
    leptos::task::spawn_local(actor.into_future());

    let mut streams: SelectAll<LocalBoxStream<'static, (Key, Value)>> = SelectAll::new();
    let standing = [
        (Key::Received, ops::request::<InquiryReceivedSub>(())),
        (Key::Updated, ops::request::<InquiryUpdatedSub>(())),
        (Key::Counts, ops::request::<InboxCountsChangedSub>(())),
    ];
    for (key, request) in standing {
        match client.subscribe(Subscribe(request)).await {
            Ok(sub) => streams.push(sub.filter_map(move |r| async move { r.ok().map(|v| (key, v)) }).boxed_local()),
            Err(_) => return if refused(&mut events) { Outcome::Unauthorized } else { Outcome::WasConnected },
        }
    }
    // Extra subscriptions open on this connection, each ended by its abort handle.
    let mut open: HashMap<u64, AbortHandle> = HashMap::new();
    on_event(LiveEvent::Connected { again });

    loop {
        // Open what pages asked for since, and end what they no longer show.
        let wanted: Vec<(u64, Subscribe)> =
            EXTRA.with(|extra| extra.borrow().subscriptions.iter().map(|(id, (s, _))| (*id, s.clone())).collect());
        open.retain(|id, handle| {
            let keep = wanted.iter().any(|(w, _)| w == id);
            if !keep {
                handle.abort();
            }
            keep
        });
        for (id, subscription) in wanted {
            if open.contains_key(&id) {
                continue;
            }
            let Ok(sub) = client.subscribe(subscription).await else { break };
            let (handle, registration) = AbortHandle::new_pair();
            let events = sub.filter_map(move |r| async move { r.ok().map(|v| (Key::Extra(id), v)) });
            streams.push(Abortable::new(events, registration).boxed_local());
            open.insert(id, handle);
        }

        match select(streams.next(), TimeoutFuture::new(500)).await {
            Either::Left((Some((key, payload)), _)) => match key {
                Key::Extra(id) => {
                    let handler = EXTRA.with(|extra| extra.borrow().subscriptions.get(&id).map(|(_, h)| h.clone()));
                    if let Some(handler) = handler {
                        handler(payload);
                    }
                }
                standing => {
                    if let Some(event) = decode_standing(standing, payload) {
                        on_event(event);
                    }
                }
            },
            // Every standing subscription ended: the connection is gone (closed by the server,
            // a network error, or no answer to the keep-alive pings).
            Either::Left((None, _)) => break,
            Either::Right(_) => {
                if stop.load(Ordering::Relaxed) {
                    client.close(1000, "").await;
                    return Outcome::WasConnected;
                }
            }
        }
    }
    if refused(&mut events) { Outcome::Unauthorized } else { Outcome::WasConnected }
}

fn decode<O: Operation>(payload: Value) -> Option<O::Data> {
    serde_json::from_value::<ops::Response<O::Data>>(payload).ok()?.data
}

fn decode_standing(key: Key, payload: Value) -> Option<LiveEvent> {
    match key {
        Key::Received => decode::<InquiryReceivedSub>(payload).map(|d| LiveEvent::InquiryReceived(d.inquiry_received)),
        Key::Updated => decode::<InquiryUpdatedSub>(payload).map(|d| LiveEvent::InquiryUpdated(d.inquiry_updated)),
        Key::Counts => {
            decode::<InboxCountsChangedSub>(payload).map(|d| LiveEvent::InboxCountsChanged(d.inbox_counts_changed))
        }
        Key::Extra(_) => None,
    }
}
