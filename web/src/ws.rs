//! A small graphql-transport-ws client over the browser WebSocket, for live updates.
//!
//! Protocol (github.com/enisdenjo/graphql-ws, PROTOCOL.md): `connection_init` → `connection_ack`,
//! then `subscribe {id, payload: {query, operationName, variables}}`; the server sends
//! `next`/`error`/`complete` per id and may `ping` (answered with `pong`). The session cookie
//! authenticates the upgrade, so `connection_init` carries no token.
//!
//! The client reconnects with exponential backoff (1 s doubling to 30 s) and tells its owner
//! each time it is connected again, so the owner re-queries what it shows: events missed while
//! disconnected are never replayed.
//!
//! A socket can look open while nothing gets through (a sleeping laptop, a dead Wi-Fi, a
//! proxy that forgot it): the client sends `ping` every [`PING_EVERY_MS`] and treats a missing
//! `pong` after [`PONG_WITHIN_MS`] as a drop. [`wake`] cuts a reconnect wait short (the
//! browser says the network is back).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::future::{Either, select};
use futures_util::{SinkExt, StreamExt};
use gloo_net::websocket::futures::WebSocket;
use gloo_net::websocket::{Message, WebSocketError};
use gloo_timers::future::TimeoutFuture;
use serde::Deserialize;
use serde_json::{Value, json};
use shared::ops::{
    self, InboxCountsChangedSub, InboxCountsInfo, InquiryEvent, InquiryReceivedSub, InquiryUpdatedSub, Operation,
};

const PROTOCOL: &str = "graphql-transport-ws";

/// Handles the `payload` of each `next` message of one subscription.
type Handler = Rc<dyn Fn(Value)>;

/// Subscriptions a page opens for as long as it is shown (e.g. presence on one inquiry), on top
/// of the three standing inbox subscriptions. The connection sends them on every (re)connect.
#[derive(Default)]
struct Extra {
    /// id → (subscribe payload, handler of each `next` payload).
    subscriptions: BTreeMap<String, (Value, Handler)>,
    /// Messages to send on the open connection (subscribe / complete).
    outbox: Vec<String>,
    next_id: u64,
}

thread_local! {
    static EXTRA: RefCell<Extra> = RefCell::new(Extra::default());
}

/// Ends an extra subscription when dropped.
pub struct ExtraSubscription {
    id: String,
}

impl Drop for ExtraSubscription {
    fn drop(&mut self) {
        EXTRA.with(|extra| {
            let mut extra = extra.borrow_mut();
            if extra.subscriptions.remove(&self.id).is_some() {
                extra.outbox.push(json!({ "id": self.id, "type": "complete" }).to_string());
            }
        });
    }
}

/// Opens a subscription on the live connection until the returned guard is dropped; `on_data`
/// gets each event's `data`.
pub fn subscribe<O: Operation>(vars: O::Variables, on_data: impl Fn(O::Data) + 'static) -> ExtraSubscription {
    let payload = serde_json::to_value(ops::request::<O>(vars)).unwrap_or(Value::Null);
    let handler: Handler = Rc::new(move |value| {
        if let Some(data) = decode::<O>(value) {
            on_data(data);
        }
    });
    EXTRA.with(|extra| {
        let mut extra = extra.borrow_mut();
        extra.next_id += 1;
        let id = format!("extra-{}", extra.next_id);
        extra.outbox.push(json!({ "id": id, "type": "subscribe", "payload": payload }).to_string());
        extra.subscriptions.insert(id.clone(), (payload, handler));
        ExtraSubscription { id }
    })
}

/// All extra subscriptions, as `subscribe` messages (sent right after connecting).
fn extra_subscribe_messages() -> Vec<String> {
    EXTRA.with(|extra| {
        let mut extra = extra.borrow_mut();
        extra.outbox.clear();
        extra
            .subscriptions
            .iter()
            .map(|(id, (payload, _))| json!({ "id": id, "type": "subscribe", "payload": payload }).to_string())
            .collect()
    })
}

fn take_extra_outbox() -> Vec<String> {
    EXTRA.with(|extra| std::mem::take(&mut extra.borrow_mut().outbox))
}

fn extra_handler(id: &str) -> Option<Handler> {
    EXTRA.with(|extra| extra.borrow().subscriptions.get(id).map(|(_, h)| h.clone()))
}
const ACK_TIMEOUT_MS: u32 = 10_000;
/// How often the client pings an open connection.
pub const PING_EVERY_MS: f64 = 15_000.0;
/// How long a ping may go unanswered before the connection counts as dropped.
pub const PONG_WITHIN_MS: f64 = 10_000.0;

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
const MAX_BACKOFF_MS: u32 = 30_000;

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

#[derive(Deserialize)]
struct ServerMessage {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    payload: Option<Value>,
}

fn subscribe_message<O: Operation<Variables = ()>>(id: &str) -> String {
    json!({ "id": id, "type": "subscribe", "payload": ops::request::<O>(()) }).to_string()
}

fn is_unauthorized(e: &WebSocketError) -> bool {
    // 4401 Unauthorized / 4403 Forbidden are the protocol's close codes for a refused session.
    matches!(e, WebSocketError::ConnectionClose(close) if close.code == 4401 || close.code == 4403)
}

async fn run_once(url: &str, on_event: &impl Fn(LiveEvent), stop: &AtomicBool, again: bool) -> Outcome {
    let Ok(socket) = WebSocket::open_with_protocol(url, PROTOCOL) else {
        return Outcome::NeverConnected;
    };
    let (mut tx, mut rx) = socket.split();
    let init = json!({ "type": "connection_init", "payload": {} }).to_string();
    if tx.send(Message::Text(init)).await.is_err() {
        return Outcome::NeverConnected;
    }

    // Wait for the acknowledgement.
    let mut waited = 0;
    loop {
        match select(rx.next(), TimeoutFuture::new(1000)).await {
            Either::Left((Some(Ok(Message::Text(text))), _)) => {
                let Ok(msg) = serde_json::from_str::<ServerMessage>(&text) else { continue };
                match msg.kind.as_str() {
                    "connection_ack" => break,
                    "ping" => {
                        let _ = tx.send(Message::Text(json!({"type": "pong"}).to_string())).await;
                    }
                    _ => {}
                }
            }
            Either::Left((Some(Ok(Message::Bytes(_))), _)) => {}
            Either::Left((Some(Err(e)), _)) if is_unauthorized(&e) => return Outcome::Unauthorized,
            Either::Left((Some(Err(_)) | None, _)) => return Outcome::NeverConnected,
            Either::Right(_) => {
                waited += 1000;
                if waited >= ACK_TIMEOUT_MS || stop.load(Ordering::Relaxed) {
                    return Outcome::NeverConnected;
                }
            }
        }
    }

    let standing = [
        subscribe_message::<InquiryReceivedSub>("received"),
        subscribe_message::<InquiryUpdatedSub>("updated"),
        subscribe_message::<InboxCountsChangedSub>("counts"),
    ];
    for message in standing.into_iter().chain(extra_subscribe_messages()) {
        if tx.send(Message::Text(message)).await.is_err() {
            return Outcome::WasConnected;
        }
    }
    on_event(LiveEvent::Connected { again });

    // When the last ping went out, and whether its pong is still awaited.
    let mut last_ping = js_sys::Date::now();
    let mut awaiting_pong = false;
    loop {
        let now = js_sys::Date::now();
        if !awaiting_pong && now - last_ping >= PING_EVERY_MS {
            if tx.send(Message::Text(json!({"type": "ping"}).to_string())).await.is_err() {
                break;
            }
            last_ping = now;
            awaiting_pong = true;
        }
        for message in take_extra_outbox() {
            if tx.send(Message::Text(message)).await.is_err() {
                break;
            }
        }
        match select(rx.next(), TimeoutFuture::new(500)).await {
            Either::Left((Some(Ok(Message::Text(text))), _)) => {
                let Ok(msg) = serde_json::from_str::<ServerMessage>(&text) else { continue };
                match msg.kind.as_str() {
                    "next" => {
                        let handler = msg.id.as_deref().and_then(extra_handler);
                        match (handler, msg.payload) {
                            (Some(handler), Some(payload)) => handler(payload),
                            (None, payload) => {
                                if let Some(event) = decode_next(msg.id.as_deref(), payload) {
                                    on_event(event);
                                }
                            }
                            _ => {}
                        }
                    }
                    "ping" => {
                        let _ = tx.send(Message::Text(json!({"type": "pong"}).to_string())).await;
                    }
                    "pong" => awaiting_pong = false,
                    // One subscription failed or ended (e.g. refused for this tenant); the
                    // others go on, and the next reconnect tries it again.
                    "error" | "complete" => {}
                    _ => {}
                }
            }
            Either::Left((Some(Ok(Message::Bytes(_))), _)) => {}
            Either::Left((Some(Err(e)), _)) if is_unauthorized(&e) => return Outcome::Unauthorized,
            Either::Left((Some(Err(_)) | None, _)) => break,
            Either::Right(_) => {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                // Checked only when nothing is waiting to be read (a pong queued while the
                // tab was frozen is read first): nothing came back, so the connection is gone
                // even if the socket does not say so.
                if awaiting_pong && js_sys::Date::now() - last_ping > PONG_WITHIN_MS {
                    break;
                }
            }
        }
    }
    if let Ok(socket) = tx.reunite(rx) {
        let _ = socket.close(Some(1000), None);
    }
    Outcome::WasConnected
}

fn decode<O: Operation>(payload: Value) -> Option<O::Data> {
    serde_json::from_value::<ops::Response<O::Data>>(payload).ok()?.data
}

fn decode_next(id: Option<&str>, payload: Option<Value>) -> Option<LiveEvent> {
    let payload = payload?;
    match id? {
        "received" => decode::<InquiryReceivedSub>(payload).map(|d| LiveEvent::InquiryReceived(d.inquiry_received)),
        "updated" => decode::<InquiryUpdatedSub>(payload).map(|d| LiveEvent::InquiryUpdated(d.inquiry_updated)),
        "counts" => {
            decode::<InboxCountsChangedSub>(payload).map(|d| LiveEvent::InboxCountsChanged(d.inbox_counts_changed))
        }
        _ => None,
    }
}
