//! Delivering the event log to the endpoints.
//!
//! Per endpoint, the events of its types with a sequence above its cursor, in order, one at a
//! time: a 2xx answer within [`Settings::timeout`] advances the cursor (an event of a type it
//! is not sent advances it too). Any other outcome is logged and retried after an exponential
//! backoff ([`Settings::retry_base`] doubled per attempt, at most [`MAX_WAIT`], plus up to a quarter
//! at random) whose next time is stored with the endpoint, so it survives restarts; later
//! events wait behind it (order per endpoint). An event still undelivered
//! [`Settings::give_up_after`] (24 h) after it occurred is logged as `GAVE_UP` and passed.
//!
//! At least once, never two processes at once: an endpoint is claimed with one conditional
//! UPDATE (free, or its claim's heartbeat silent for [`LEASE`]) and renewed every
//! [`HEARTBEAT`] while its process delivers; every cursor move is conditional on the claim
//! still being this one. A process that dies between a delivery and its cursor update leaves
//! the event to be sent again by the next claimant (receivers dedupe by `id`). On SQLite, one
//! process by design, claims left by a previous run are released at start.

use std::time::Duration;

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use shared::{WebhookDeliveryResult, WebhookEvent};
use tracing::Instrument as _;

use crate::error::{AppError, AppResult};
use crate::events::{Event, EventKind};
use crate::marketplaces::http::{Outbound, send_once};
use crate::state::AppState;
use crate::store::Scope;
use crate::store::entities::{event_log, tenant, webhook, webhook_delivery};

/// How often an endpoint's claim is renewed while its process delivers.
pub const HEARTBEAT: Duration = Duration::from_secs(10);
/// How long a claim may be silent before another process takes the endpoint over.
pub const LEASE: Duration = Duration::from_secs(40);
/// How often the endpoints are looked at without being woken.
pub const POLL: Duration = Duration::from_secs(5);
/// The longest wait between two attempts on one event.
pub const MAX_WAIT: Duration = Duration::from_secs(3600);
/// Events read from the log at a time.
const BATCH: u64 = 100;
/// The most of an endpoint's answer kept in the delivery log's error text.
const ANSWER_SHOWN: usize = 200;

/// The worker's timing: [`Settings::default`] in production; tests shorten the backoff.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// The wait after a first failed attempt; doubled after each further one.
    pub retry_base: Duration,
    /// How long an endpoint has to answer.
    pub timeout: Duration,
    /// How long after an event occurred it is still retried.
    pub give_up_after: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            retry_base: Duration::from_secs(10),
            timeout: Duration::from_secs(10),
            give_up_after: Duration::from_secs(24 * 3600),
        }
    }
}

impl Settings {
    /// The wait after the `attempt`-th failed attempt (1-based).
    fn backoff(&self, attempt: i32) -> Duration {
        let doublings = attempt.saturating_sub(1).clamp(0, 30) as u32;
        self.retry_base.saturating_mul(1u32 << doublings).min(MAX_WAIT)
    }

    /// [`Settings::backoff`] plus up to a quarter more, at random: endpoints that failed
    /// together (one receiver down for all of a company's hooks) are not retried in step.
    fn backoff_jittered(&self, attempt: i32) -> Duration {
        let wait = self.backoff(attempt);
        wait + wait.mul_f64(rand::random::<f64>() / 4.0)
    }
}

/// Starts the worker: it wakes on every change published on the bus, every [`POLL`] and when
/// a scheduled retry is due. When `stop` turns true it ends after the pass it is in.
pub fn spawn(
    state: AppState,
    settings: Settings,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let me = crate::crypto::new_secret("w");
        let mut events = state.events.subscribe();
        let mut due: Option<tokio::time::Instant> = None;
        loop {
            if *stop.borrow() {
                return;
            }
            let wake = due.unwrap_or_else(|| tokio::time::Instant::now() + POLL);
            // A change wakes the pass for its own tenant only; the timer (and a lagged
            // receiver) looks at every tenant.
            let only: Option<i64> = tokio::select! {
                Ok(()) = stop.changed() => return,
                ev = events.recv() => match ev {
                    Ok(Event { kind: EventKind::Presence { .. } | EventKind::AccessRevoked { .. } | EventKind::InboxCountsChanged, .. }) => continue,
                    Ok(ev) => Some(ev.tenant_id),
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => None,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                },
                _ = tokio::time::sleep_until(wake.min(tokio::time::Instant::now() + POLL)) => {
                    if let Err(e) = release_stale_after(&state, LEASE).await {
                        tracing::warn!(error = ?e, "webhooks: releasing stale claims failed");
                    }
                    None
                }
            };
            let earlier = if only.is_some() { due } else { None };
            due = match pass(&state, settings, &me, only).await {
                Ok(next) => {
                    let next = next.map(|d| tokio::time::Instant::now() + d);
                    // A pass over one tenant keeps the others' retry times.
                    match (earlier, next) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    }
                }
                Err(e) => {
                    tracing::warn!(error = ?e, "webhook pass failed");
                    None
                }
            };
        }
    })
}

/// One pass over every tenant's endpoints as worker `me`; returns how long until the earliest
/// retry it scheduled or saw scheduled (if any).
pub async fn run_once(state: &AppState, settings: Settings, me: &str) -> AppResult<Option<Duration>> {
    pass(state, settings, me, None).await
}

/// A pass over one tenant's endpoints (`only`) or every tenant's.
async fn pass(state: &AppState, settings: Settings, me: &str, only: Option<i64>) -> AppResult<Option<Duration>> {
    let mut due: Option<Duration> = None;
    let mut wait_for = |d: Duration| due = Some(due.map_or(d, |x: Duration| x.min(d)));
    let tenants: Vec<i64> = match only {
        Some(t) => vec![t],
        None => tenant::Entity::find().all(&state.db).await?.into_iter().map(|t| t.id).collect(),
    };
    for tenant_id in tenants {
        let scope = Scope::of_tenant(tenant_id);
        for hook in scope.find::<webhook::Entity>().all(&state.db).await? {
            let now = crate::clock::now();
            if let Some(at) = hook.next_attempt_at
                && at > now
            {
                wait_for((at - now).to_std().unwrap_or_default());
                continue;
            }
            // Nothing new: no claim.
            if crate::event_log::after(&state.db, tenant_id, hook.cursor, 1).await?.is_empty() {
                continue;
            }
            if !claim(state, scope, hook.id, me).await? {
                continue;
            }
            let beat = heartbeat(state.clone(), scope, hook.id, me.to_owned());
            let span = tracing::info_span!("webhook_delivery", tenant = tenant_id, webhook = hook.id);
            let worked = work(state, settings, scope, hook.id, me).instrument(span).await;
            beat.abort();
            release(state, scope, hook.id, me).await?;
            if let Some(d) = worked? {
                wait_for(d);
            }
        }
    }
    Ok(due)
}

/// Delivers what endpoint `id` is owed while this worker holds its claim; returns the wait
/// until its next attempt when one failed.
async fn work(state: &AppState, settings: Settings, scope: Scope, id: i64, me: &str) -> AppResult<Option<Duration>> {
    let Some(hook) = scope.get::<webhook::Entity>(&state.db, id).await? else { return Ok(None) };
    if hook.claimed_by.as_deref() != Some(me) {
        return Ok(None);
    }
    let secret = state.sealer.open(&hook.secret_sealed).map_err(AppError::internal)?;
    let wanted = super::events_of(&hook)?;
    let out = Outbound::new(state.policy.allow_private_urls);
    let mut cursor = hook.cursor;
    let mut attempts = hook.attempts;
    loop {
        let batch = crate::event_log::after(&state.db, scope.tenant_id(), cursor, BATCH).await?;
        if batch.is_empty() {
            return Ok(None);
        }
        for ev in batch {
            let Some(kind) = WebhookEvent::parse(ev.event_type.as_str()).filter(|k| wanted.contains(k)) else {
                // Not sent to this endpoint: passed (stored with the next move).
                cursor = ev.sequence;
                continue;
            };
            let attempt = attempts + 1;
            let tried = post(&out, settings, &hook.url, &secret, &ev).await?;
            let now = crate::clock::now();
            let expired = now - ev.occurred_at
                >= chrono::Duration::from_std(settings.give_up_after).unwrap_or(chrono::Duration::MAX);
            let result = match (&tried.error, expired) {
                (None, _) => WebhookDeliveryResult::Delivered,
                (Some(_), true) => WebhookDeliveryResult::GaveUp,
                (Some(_), false) => WebhookDeliveryResult::Failed,
            };
            crate::metrics::webhook_delivery(result);
            let (new_cursor, new_attempts, next_at) = match result {
                WebhookDeliveryResult::Failed => {
                    let wait = settings.backoff_jittered(attempt);
                    tracing::info!(sequence = ev.sequence, attempt, error = ?tried.error, ?wait, "webhook delivery failed; retried later");
                    (cursor, attempt, Some(now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX)))
                }
                WebhookDeliveryResult::GaveUp => {
                    tracing::warn!(sequence = ev.sequence, attempt, error = ?tried.error, "webhook delivery given up: the event is older than the retry window");
                    (ev.sequence, 0, None)
                }
                WebhookDeliveryResult::Delivered => (ev.sequence, 0, None),
            };
            let log = webhook_delivery::ActiveModel {
                webhook_id: Set(hook.id),
                sequence: Set(ev.sequence),
                event_type: Set(kind.as_str().to_owned()),
                attempt: Set(attempt),
                result: Set(result.into()),
                status_code: Set(tried.status),
                error: Set(tried.error.clone()),
                duration_ms: Set(tried.took.as_millis().min(i32::MAX as u128) as i32),
                at: Set(now),
                ..Default::default()
            };
            if !record(state, scope, hook.id, me, (new_cursor, new_attempts, next_at), log).await? {
                // Deleted, or the claim was lost (taken over after a stall): stop here.
                return Ok(None);
            }
            if let Some(at) = next_at {
                return Ok(Some((at - now).to_std().unwrap_or_default()));
            }
            cursor = new_cursor;
            attempts = new_attempts;
        }
        // Passed events at the end of a batch are stored too.
        if cursor != hook.cursor && !move_cursor(state, scope, hook.id, me, cursor).await? {
            return Ok(None);
        }
    }
}

/// One attempt's outcome.
struct Tried {
    status: Option<i32>,
    /// `None` when delivered.
    error: Option<String>,
    took: Duration,
}

/// POSTs the event, signed, once.
async fn post(out: &Outbound, settings: Settings, url: &str, secret: &str, ev: &event_log::Model) -> AppResult<Tried> {
    let body = super::body(ev)?;
    let t = crate::clock::now().timestamp();
    let sig = super::signature(secret, t, &body)?;
    let started = std::time::Instant::now();
    let answer = send_once(out, settings.timeout, |c| {
        c.post(url)
            .header("content-type", "application/json")
            .header(super::SIGNATURE_HEADER, sig.as_str())
            .body(body.clone())
    })
    .await;
    let took = started.elapsed();
    Ok(match answer {
        Ok(a) if a.status.is_success() => Tried { status: Some(a.status.as_u16().into()), error: None, took },
        Ok(a) => {
            let text: String = String::from_utf8_lossy(&a.body).chars().take(ANSWER_SHOWN).collect();
            let what = if a.status.is_redirection() {
                "転送先には送りません (redirects are not followed)".to_owned()
            } else {
                text.trim().to_owned()
            };
            Tried {
                status: Some(a.status.as_u16().into()),
                error: Some(format!(
                    "HTTP {}{}",
                    a.status.as_u16(),
                    if what.is_empty() { String::new() } else { format!(": {what}") }
                )),
                took,
            }
        }
        Err(no) => Tried { status: None, error: Some(no.0), took },
    })
}

/// Logs an attempt and moves the endpoint's cursor/schedule in one transaction, only while the
/// claim is still `me`'s; whether it was.
async fn record(
    state: &AppState,
    scope: Scope,
    id: i64,
    me: &str,
    (cursor, attempts, next_at): (i64, i32, Option<chrono::DateTime<chrono::Utc>>),
    log: webhook_delivery::ActiveModel,
) -> AppResult<bool> {
    let txn = crate::store::begin_write(&state.db).await?;
    let moved = scope
        .update_many::<webhook::Entity>()
        .col_expr(webhook::Column::Cursor, Expr::value(cursor))
        .col_expr(webhook::Column::Attempts, Expr::value(attempts))
        .col_expr(webhook::Column::NextAttemptAt, Expr::value(next_at))
        .filter(webhook::Column::Id.eq(id))
        .filter(webhook::Column::ClaimedBy.eq(me))
        .exec(&txn)
        .await?;
    if moved.rows_affected != 1 {
        txn.rollback().await?;
        return Ok(false);
    }
    scope.insert::<webhook_delivery::Entity, _>(&txn, log).await?;
    txn.commit().await?;
    Ok(true)
}

async fn move_cursor(state: &AppState, scope: Scope, id: i64, me: &str, cursor: i64) -> AppResult<bool> {
    let moved = scope
        .update_many::<webhook::Entity>()
        .col_expr(webhook::Column::Cursor, Expr::value(cursor))
        .filter(webhook::Column::Id.eq(id))
        .filter(webhook::Column::ClaimedBy.eq(me))
        .filter(webhook::Column::Cursor.lt(cursor))
        .exec(&state.db)
        .await?;
    Ok(moved.rows_affected == 1)
}

/// Free (or silent for [`LEASE`]) → claimed by `me`, for exactly one caller.
async fn claim(state: &AppState, scope: Scope, id: i64, me: &str) -> AppResult<bool> {
    let now = crate::clock::now();
    let stale = now - chrono::Duration::from_std(LEASE).unwrap_or(chrono::Duration::MAX);
    let r = scope
        .update_many::<webhook::Entity>()
        .col_expr(webhook::Column::ClaimedBy, Expr::value(me))
        .col_expr(webhook::Column::ClaimedAt, Expr::value(now))
        .filter(webhook::Column::Id.eq(id))
        .filter(
            sea_orm::Condition::any()
                .add(webhook::Column::ClaimedBy.is_null())
                .add(webhook::Column::ClaimedAt.is_null())
                .add(webhook::Column::ClaimedAt.lte(stale)),
        )
        .exec(&state.db)
        .await?;
    Ok(r.rows_affected == 1)
}

async fn release(state: &AppState, scope: Scope, id: i64, me: &str) -> AppResult<()> {
    scope
        .update_many::<webhook::Entity>()
        .col_expr(webhook::Column::ClaimedBy, Expr::value(Option::<String>::None))
        .col_expr(webhook::Column::ClaimedAt, Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None))
        .filter(webhook::Column::Id.eq(id))
        .filter(webhook::Column::ClaimedBy.eq(me))
        .exec(&state.db)
        .await?;
    Ok(())
}

/// Renews `me`'s claim on an endpoint every [`HEARTBEAT`] until aborted.
fn heartbeat(state: AppState, scope: Scope, id: i64, me: String) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(HEARTBEAT);
        tick.tick().await; // the claim itself was the first beat
        loop {
            tick.tick().await;
            let renewed = scope
                .update_many::<webhook::Entity>()
                .col_expr(webhook::Column::ClaimedAt, Expr::value(crate::clock::now()))
                .filter(webhook::Column::Id.eq(id))
                .filter(webhook::Column::ClaimedBy.eq(me.as_str()))
                .exec(&state.db)
                .await;
            if let Err(e) = renewed {
                tracing::warn!(error = %e, webhook = id, "webhooks: renewing a claim failed");
            }
        }
    })
}

/// Claims whose heartbeat has been silent for `lease` are freed.
async fn release_stale_after(state: &AppState, lease: Duration) -> AppResult<()> {
    let cutoff = crate::clock::now() - chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::MAX);
    for t in tenant::Entity::find().all(&state.db).await? {
        Scope::of_tenant(t.id)
            .update_many::<webhook::Entity>()
            .col_expr(webhook::Column::ClaimedBy, Expr::value(Option::<String>::None))
            .col_expr(webhook::Column::ClaimedAt, Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None))
            .filter(webhook::Column::ClaimedBy.is_not_null())
            .filter(
                sea_orm::Condition::any()
                    .add(webhook::Column::ClaimedAt.is_null())
                    .add(webhook::Column::ClaimedAt.lte(cutoff)),
            )
            .exec(&state.db)
            .await?;
    }
    Ok(())
}

/// Frees every claim: for a start on SQLite, where no other process can hold one.
pub async fn release_all_claims(state: &AppState) -> AppResult<()> {
    release_stale_after(state, Duration::ZERO).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_from_the_base_up_to_an_hour() {
        let s = Settings { retry_base: Duration::from_secs(10), ..Settings::default() };
        assert_eq!(s.backoff(1), Duration::from_secs(10));
        assert_eq!(s.backoff(2), Duration::from_secs(20));
        assert_eq!(s.backoff(3), Duration::from_secs(40));
        assert_eq!(s.backoff(12), MAX_WAIT);
        assert_eq!(s.backoff(1000), MAX_WAIT);
        for attempt in [1, 3, 1000] {
            let (plain, jittered) = (s.backoff(attempt), s.backoff_jittered(attempt));
            assert!(jittered >= plain && jittered <= plain + plain / 4, "{attempt}: {jittered:?}");
        }
    }
}
