//! The graphql-transport-ws socket: who may use it, for how long, and how much.
//!
//! - **Nothing runs before an accepted `connection_init`.** An operation sent earlier closes the
//!   socket (4401); an init without valid credentials closes it (4403); a socket that sends no
//!   init is closed after [`INIT_TIMEOUT`] (4408).
//! - **Access is resolved for every operation**, from the credential the socket was opened with
//!   (bearer token or session cookie), never from what it was at `connection_init`: a revoked
//!   token, a signed-out session or a disabled member gets `UNAUTHENTICATED` and no data, and the
//!   permission rules are those of HTTP (the resolvers see the caller as they are now).
//! - **An access change closes the caller's sockets (4403)**, on every process: revocation,
//!   sign-out, disabling, a role or password change publish it
//!   ([`EventBus::access_changed`](crate::events::EventBus::access_changed)); the socket checks
//!   its credential again and closes when the access it was opened with ended or changed. It also
//!   checks every [`RECHECK_EVERY`], in case a change between processes was lost.
//! - **Bounded:** at most [`MAX_OPERATIONS`] running operations (subscriptions included) per
//!   socket (more get `TOO_MANY_SUBSCRIPTIONS`), at most [`MAX_SOCKETS_PER_TENANT`] sockets per
//!   tenant on one process (more are closed with 1013, "try again later"), and a client that
//!   does not read what it is sent for [`SEND_TIMEOUT`] is dropped.
//! - **Missed events close the socket (1012).** When this process's LISTEN connection to
//!   PostgreSQL was lost (the database restarted), other processes' changes may not have
//!   reached its subscriptions: every socket open then is closed with 1012 ("service restart"),
//!   and clients reconnect and re-read, as after any drop.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use async_graphql::http::{WebSocketProtocols, WsMessage};
use async_graphql::{Data, ErrorExtensions, Executor, Request, Response, ServerError};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::stream::{self, BoxStream};
use futures_util::{SinkExt, StreamExt};
use shared::Role;

use crate::auth::{self, Actor};
use crate::error::{AppError, AppResult};
use crate::events::{AccessWatch, Caller};
use crate::graphql::subscription::Position;
use crate::graphql::{AppSchema, Loaders};
use crate::state::AppState;

/// A socket must send `connection_init` within this time (the issue asks for at most 10 s).
pub const INIT_TIMEOUT: Duration = Duration::from_secs(8);
/// Operations (subscriptions, queries, mutations) running at once on one socket.
pub const MAX_OPERATIONS: usize = 100;
/// Open sockets of one tenant on one server process. A shop office with a few dozen browser
/// tabs and integrations stays far below.
pub const MAX_SOCKETS_PER_TENANT: usize = 200;
/// Every open socket checks its caller's access at least this often.
pub const RECHECK_EVERY: Duration = Duration::from_secs(60);
/// A client that does not take a frame within this time is dropped.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(30);
/// `extensions.code` of an operation refused because the socket has [`MAX_OPERATIONS`] running.
pub const TOO_MANY_SUBSCRIPTIONS: &str = "TOO_MANY_SUBSCRIPTIONS";

/// graphql-transport-ws close codes.
const UNAUTHORIZED: u16 = 4401;
const FORBIDDEN: u16 = 4403;
const INIT_TIMED_OUT: u16 = 4408;
/// RFC 6455 "Try Again Later".
const TRY_AGAIN_LATER: u16 = 1013;
/// RFC 6455 "Service Restart": events may have been missed; reconnect and read again.
pub const SERVICE_RESTART: u16 = 1012;

/// What a socket authenticates with. Kept (not the [`Actor`]) so that access is resolved anew.
#[derive(Clone)]
pub enum Credential {
    /// An `Authorization` header value (`Bearer …`).
    Bearer(String),
    /// The secret of the session cookie.
    Session(String),
}

impl Credential {
    async fn actor(&self, state: &AppState) -> AppResult<Option<Actor>> {
        match self {
            Credential::Bearer(h) => auth::actor_from_authorization(&state.db, h).await,
            Credential::Session(s) => auth::actor_from_session(state, s).await,
        }
    }
}

/// The access a socket was opened with; any difference later closes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Grant {
    caller: Caller,
    role: Role,
}

impl Grant {
    fn of(a: &Actor) -> Self {
        Grant {
            caller: Caller { tenant_id: a.scope.tenant_id(), staff_id: a.staff_id, api_token_id: a.api_token_id },
            role: a.role,
        }
    }
}

/// One socket's state, shared by its loop and its executor.
#[derive(Default)]
struct Session {
    credential: OnceLock<Credential>,
    grant: OnceLock<Grant>,
    watch: Mutex<Option<AccessWatch>>,
    /// Why `connection_init` was refused, to close with the right code.
    refusal: Mutex<Option<(u16, &'static str)>>,
    running: AtomicUsize,
}

impl Session {
    fn accepted(&self) -> bool {
        self.grant.get().is_some()
    }

    fn refuse(&self, code: u16, reason: &'static str) -> async_graphql::Error {
        *self.refusal.lock().unwrap_or_else(|p| p.into_inner()) = Some((code, reason));
        async_graphql::Error::new(reason)
    }

    /// `connection_init`: the token in its payload, else the cookie (or header) of the upgrade.
    async fn accept(
        &self,
        state: &AppState,
        payload: serde_json::Value,
        from_upgrade: Option<Credential>,
    ) -> async_graphql::Result<()> {
        let credential = match payload.get("authorization") {
            // Not a string: no credential (refused below).
            Some(v) => v.as_str().map(|h| Credential::Bearer(h.to_owned())),
            None => from_upgrade,
        };
        let Some(credential) = credential else { return Err(self.refuse(FORBIDDEN, "Forbidden")) };
        let actor = match credential.actor(state).await {
            Ok(Some(a)) => a,
            Ok(None) => return Err(self.refuse(FORBIDDEN, "Forbidden")),
            Err(e) => {
                tracing::warn!(error = ?e, "socket: resolving the caller failed");
                return Err(self.refuse(1011, "Internal error"));
            }
        };
        let grant = Grant::of(&actor);
        let watch = state
            .events
            .access()
            .register(grant.caller, MAX_SOCKETS_PER_TENANT)
            .map_err(|_| self.refuse(TRY_AGAIN_LATER, "Too many connections for this tenant"))?;
        // A change published between the lookup above and the registration is not missed:
        // the socket checks once more as soon as it runs.
        watch.wake().notify_one();
        let _ = self.credential.set(credential);
        let _ = self.grant.set(grant);
        *self.watch.lock().unwrap_or_else(|p| p.into_inner()) = Some(watch);
        Ok(())
    }

    /// Whether this process may have missed other processes' events since the socket opened.
    fn missed_events(&self) -> bool {
        self.watch.lock().unwrap_or_else(|p| p.into_inner()).as_ref().is_some_and(AccessWatch::missed_events)
    }

    fn wake_handle(&self) -> Option<Arc<tokio::sync::Notify>> {
        self.watch.lock().unwrap_or_else(|p| p.into_inner()).as_ref().map(AccessWatch::wake)
    }

    /// The caller as they are now, when their access is still the one the socket was opened
    /// with; `None` when it ended or changed.
    async fn current(&self, state: &AppState) -> AppResult<Option<Actor>> {
        let (Some(credential), Some(grant)) = (self.credential.get(), self.grant.get()) else {
            return Ok(None);
        };
        Ok(credential.actor(state).await?.filter(|a| Grant::of(a) == *grant))
    }

    /// Whether the socket may stay open. A database error keeps it (each operation still
    /// resolves its caller and fails closed).
    async fn still_allowed(&self, state: &AppState) -> bool {
        match self.current(state).await {
            Ok(a) => a.is_some(),
            Err(e) => {
                tracing::warn!(error = ?e, "socket: checking access failed; checked again later");
                true
            }
        }
    }
}

/// A place among the socket's running operations, given back when the operation's stream ends.
struct Running(Arc<Session>);

impl Running {
    fn take(session: &Arc<Session>) -> Option<Self> {
        let before = session.running.fetch_add(1, Ordering::AcqRel);
        let slot = Running(session.clone());
        (before < MAX_OPERATIONS).then_some(slot)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.0.running.fetch_sub(1, Ordering::AcqRel);
    }
}

fn refused(e: async_graphql::Error) -> Response {
    let mut err = ServerError::new(e.message, None);
    err.extensions = e.extensions;
    Response::from_errors(vec![err])
}

/// Runs each operation of one socket as the caller is now.
#[derive(Clone)]
struct SocketExecutor {
    schema: AppSchema,
    state: AppState,
    session: Arc<Session>,
}

impl Executor for SocketExecutor {
    async fn execute(&self, request: Request) -> Response {
        self.execute_stream(request, None).next().await.unwrap_or_default()
    }

    fn execute_stream(&self, request: Request, session_data: Option<Arc<Data>>) -> BoxStream<'static, Response> {
        let Some(slot) = Running::take(&self.session) else {
            let e = async_graphql::Error::new(format!(
                "1つの接続で同時に実行できるのは{MAX_OPERATIONS}件までです (at most {MAX_OPERATIONS} operations per connection)"
            ))
            .extend_with(|_, ext| ext.set("code", TOO_MANY_SUBSCRIPTIONS));
            return stream::once(async move { refused(e) }).boxed();
        };
        let this = self.clone();
        let held = crate::metrics::Held::new(crate::metrics::SOCKET_OPERATIONS);
        // Where a subscription leaves the sequence of the payload it is resolving.
        let position = Position::default();
        let resolved = position.clone();
        // Boxed: the stream keeps room for this future (reading the caller) for as long as the
        // operation runs; a pointer instead, for each of thousands of idle subscriptions.
        stream::once(Box::pin(async move {
            match this.session.current(&this.state).await {
                Ok(Some(actor)) => {
                    let request = request.data(Loaders::new(&this.state, &actor)).data(actor).data(position);
                    Executor::execute_stream(&this.schema, request, session_data)
                }
                Ok(None) => {
                    // The access this socket was opened with has ended: close it too.
                    if let Some(wake) = this.session.wake_handle() {
                        wake.notify_one();
                    }
                    stream::once(async { refused(AppError::Unauthenticated.into()) }).boxed()
                }
                Err(e) => stream::once(async move { refused(e.into()) }).boxed(),
            }
        }))
        .flatten()
        .map(move |mut r| {
            let _held = (&slot, &held);
            if let Some(sequence) = resolved.take() {
                r.extensions.insert("sequence".into(), async_graphql::Value::from(sequence));
                r.extensions.insert("cursor".into(), async_graphql::Value::from(crate::event_log::cursor(sequence)));
            }
            r
        })
        .boxed()
    }
}

/// The protocol the client asked for (`Sec-WebSocket-Protocol`): graphql-transport-ws or the
/// older graphql-ws.
pub fn protocol(headers: &axum::http::HeaderMap) -> Option<WebSocketProtocols> {
    headers
        .get(axum::http::header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .and_then(|all| all.split(',').find_map(|p| p.trim().parse::<WebSocketProtocols>().ok()))
}

async fn send(sink: &mut futures_util::stream::SplitSink<WebSocket, Message>, m: Message) -> bool {
    matches!(tokio::time::timeout(SEND_TIMEOUT, sink.send(m)).await, Ok(Ok(())))
}

/// Serves one upgraded socket until either side ends it. `from_upgrade` is the credential of
/// the upgrade request (its `Authorization` header, or the cookie of a same-origin page).
pub async fn serve(
    socket: WebSocket,
    state: AppState,
    schema: AppSchema,
    protocol: WebSocketProtocols,
    from_upgrade: Option<Credential>,
) {
    let _open = crate::metrics::Held::new(crate::metrics::SOCKETS_OPEN);
    let session = Arc::new(Session::default());
    let (mut sink, incoming) = socket.split();
    let input = incoming.take_while(|r| std::future::ready(r.is_ok())).filter_map(|r| {
        std::future::ready(match r {
            Ok(m @ (Message::Text(_) | Message::Binary(_))) => Some(m.into_data()),
            _ => None,
        })
    });
    let init = {
        let (state, session) = (state.clone(), session.clone());
        move |payload: serde_json::Value| async move {
            session.accept(&state, payload, from_upgrade).await.map(|()| Data::default())
        }
    };
    let executor = SocketExecutor { schema, state: state.clone(), session: session.clone() };
    let mut ops = Box::pin(async_graphql::http::WebSocket::new(executor, input, protocol).on_connection_init(init));
    let init_deadline = tokio::time::sleep(INIT_TIMEOUT);
    let mut init_deadline = std::pin::pin!(init_deadline);
    let mut recheck = tokio::time::interval_at(tokio::time::Instant::now() + RECHECK_EVERY, RECHECK_EVERY);
    recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);

    let close: Option<(u16, String)> = loop {
        let wake = session.wake_handle();
        tokio::select! {
            msg = ops.next() => match msg {
                None => break None,
                Some(WsMessage::Text(t)) => {
                    if !send(&mut sink, Message::Text(t.into())).await {
                        break None;
                    }
                }
                Some(WsMessage::Close(code, reason)) => {
                    let refusal = session.refusal.lock().unwrap_or_else(|p| p.into_inner()).take();
                    break Some(match (refusal, code) {
                        (Some((code, reason)), _) => (code, reason.to_owned()),
                        // An operation before the handshake.
                        (None, 1011) => (UNAUTHORIZED, "Unauthorized".to_owned()),
                        (None, _) => (code, reason),
                    });
                }
            },
            () = &mut init_deadline, if !session.accepted() => {
                break Some((INIT_TIMED_OUT, "Connection initialisation timeout".to_owned()));
            }
            () = async { if let Some(w) = &wake { w.notified().await } }, if wake.is_some() => {
                if session.missed_events() {
                    // Changes made through other processes may not have reached this socket's
                    // subscriptions: the client reconnects and reads afresh, as after any drop.
                    break Some((SERVICE_RESTART, "Events were missed; reconnect and read again".to_owned()));
                }
                if !session.still_allowed(&state).await {
                    break Some((FORBIDDEN, "Forbidden".to_owned()));
                }
            }
            _ = recheck.tick(), if session.accepted() => {
                if !session.still_allowed(&state).await {
                    break Some((FORBIDDEN, "Forbidden".to_owned()));
                }
            }
        }
    };
    // The operations stop here, and the socket leaves the tenant's count.
    drop(ops);
    session.watch.lock().unwrap_or_else(|p| p.into_inner()).take();
    if let Some((code, reason)) = close {
        let frame = Message::Close(Some(CloseFrame { code, reason: reason.into() }));
        let _ = tokio::time::timeout(Duration::from_secs(1), sink.send(frame)).await;
    }
    let _ = tokio::time::timeout(Duration::from_secs(1), sink.close()).await;
}
