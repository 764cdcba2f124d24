//! The event log: every inbox and order change, and every finished sync run, is a row of
//! `event_log` with the tenant's next `sequence`, written in the transaction of the change (so
//! a change is logged if and only if it commits). Third parties page it (`events`), resumable
//! subscriptions replay it, webhooks deliver it.
//!
//! **The sequence has no gaps in commit order.** It is taken from the tenant's row of
//! `tenant_event_counter` (`INSERT … ON CONFLICT DO UPDATE SET last_sequence = last_sequence + 1
//! RETURNING`): on PostgreSQL the row lock makes a tenant's next writer wait until the
//! transaction holding it commits or rolls back, so sequence n + 1 is handed out only after n
//! committed (a rollback gives n back); SQLite has one writer at a time anyway. A reader that
//! sees n + 1 therefore sees n: "everything after my cursor" is complete whenever it is read.
//!
//! **The lock's cost.** A tenant's logged writes commit one after another from the moment they
//! append to their commit. [`append`] is therefore the last write of its transaction (nothing
//! else waits while the lock is held, and no lock is taken after it, so it cannot deadlock
//! with the row locks of the change itself); the window is one INSERT and the COMMIT (one WAL
//! flush, ~1 ms on a local SSD), which bounds one tenant to roughly a thousand logged changes a
//! second on PostgreSQL. Other tenants never wait (one counter row each). An import writes one
//! row per changed inquiry or order, in its own short transaction, so a long import does not
//! hold the lock either.
//!
//! **Retention.** Rows older than `--event-retention-days` (default 7) are deleted by
//! [`spawn_retention`], always a prefix of a tenant's sequence; the highest deleted sequence is
//! kept in `purged_through`, and a cursor before it is `VALIDATION` (field `after`) — replay
//! from it could no longer be complete.

use std::collections::VecDeque;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures_util::Stream;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::{Value, json};
use tokio::sync::broadcast::{self, error::RecvError};

use crate::auth::{Actor, Permission};
use crate::clock;
use crate::error::{AppError, AppResult};
use crate::events::Event;
use crate::paging::{Key, Page};
use crate::state::AppState;
use crate::store::Scope;
use crate::store::entities::{event_log, inquiry, order, sync_run};

pub use crate::store::entities::event_log::{EventType, Model};

/// How long events are kept when the operator does not say (`--event-retention-days`).
pub const DEFAULT_RETENTION_DAYS: u32 = 7;
/// How often expired events are deleted.
pub const RETENTION_EVERY: Duration = Duration::from_secs(3600);
/// Rows read from the log at once when replaying.
const REPLAY_PAGE: u64 = 200;

const COUNTER: &str = "tenant_event_counter";

/// Appends an event in the caller's transaction and returns its sequence. Call it as the last
/// write of the transaction (see the module documentation: the tenant's counter row stays
/// locked until the commit).
pub async fn append(
    txn: &impl ConnectionTrait,
    tenant_id: i64,
    event_type: EventType,
    shop_id: Option<i64>,
    subject_id: i64,
    data: Value,
) -> AppResult<i64> {
    let next = Query::insert()
        .into_table(Alias::new(COUNTER))
        .columns([Alias::new("tenant_id"), Alias::new("last_sequence"), Alias::new("purged_through")])
        .values_panic([tenant_id.into(), 1i64.into(), 0i64.into()])
        .on_conflict(
            OnConflict::column(Alias::new("tenant_id"))
                .value(
                    Alias::new("last_sequence"),
                    Expr::col((Alias::new(COUNTER), Alias::new("last_sequence"))).add(1),
                )
                .to_owned(),
        )
        .returning_col(Alias::new("last_sequence"))
        .to_owned();
    let stmt = txn.get_database_backend().build(&next);
    let sequence: i64 = txn
        .query_one_raw(stmt)
        .await?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("event_log: the counter returned no row")))?
        .try_get("", "last_sequence")?;
    Scope::of_tenant(tenant_id)
        .insert(
            txn,
            event_log::ActiveModel {
                sequence: Set(sequence),
                event_type: Set(event_type),
                shop_id: Set(shop_id),
                subject_id: Set(subject_id),
                occurred_at: Set(clock::now()),
                data: Set(data.to_string()),
                ..Default::default()
            },
        )
        .await?;
    Ok(sequence)
}

/// The tenant's events after `after_sequence`, in sequence order, at most `limit`.
pub async fn after(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    after_sequence: i64,
    limit: u64,
) -> AppResult<Vec<event_log::Model>> {
    Ok(Scope::of_tenant(tenant_id)
        .find::<event_log::Entity>()
        .filter(event_log::Column::Sequence.gt(after_sequence))
        .order_by_asc(event_log::Column::Sequence)
        .limit(limit)
        .all(db)
        .await?)
}

/// What the event log has kept of a tenant: the last sequence handed out and the highest one
/// retention deleted (both 0 before the first event).
pub async fn bounds(db: &impl ConnectionTrait, tenant_id: i64) -> AppResult<(i64, i64)> {
    let q = Query::select()
        .columns([Alias::new("last_sequence"), Alias::new("purged_through")])
        .from(Alias::new(COUNTER))
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
        .to_owned();
    let stmt = db.get_database_backend().build(&q);
    match db.query_one_raw(stmt).await? {
        Some(row) => Ok((row.try_get("", "last_sequence")?, row.try_get("", "purged_through")?)),
        None => Ok((0, 0)),
    }
}

// ---------------------------------------------------------------------------------------------
// Cursors

/// An event's cursor as the API shows it (opaque; it holds the sequence).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventCursor(pub i64);

impl Key for EventCursor {
    fn encode(&self) -> String {
        cursor(self.0)
    }
}

/// The cursor of the event with this sequence.
pub fn cursor(sequence: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("event:{sequence}"))
}

fn bad_cursor() -> AppError {
    AppError::validation("after", "カーソルが不正です (invalid event cursor)")
}

/// The sequence of an event cursor; `VALIDATION` on `after` for anything else.
pub fn parse_cursor(s: &str) -> AppResult<i64> {
    let raw = URL_SAFE_NO_PAD.decode(s.trim()).map_err(|_| bad_cursor())?;
    let raw = String::from_utf8(raw).map_err(|_| bad_cursor())?;
    let n: i64 = raw.strip_prefix("event:").ok_or_else(bad_cursor)?.parse().map_err(|_| bad_cursor())?;
    if n < 0 {
        return Err(bad_cursor());
    }
    Ok(n)
}

/// The sequence a reader resumes after: the cursor's, once checked against what the log still
/// holds (`VALIDATION` on `after` when events after it were already deleted, or when it is
/// beyond the tenant's last event). No cursor: from the oldest event kept.
pub async fn resume_point(db: &impl ConnectionTrait, tenant_id: i64, after: Option<&str>) -> AppResult<i64> {
    let (last, purged) = bounds(db, tenant_id).await?;
    let Some(s) = after else { return Ok(purged) };
    let n = parse_cursor(s)?;
    if n < purged {
        return Err(AppError::validation(
            "after",
            "このカーソルより後のイベントは保存期間を過ぎて削除されました (events after this cursor are older than the retention period and were deleted)",
        ));
    }
    if n > last {
        return Err(bad_cursor());
    }
    Ok(n)
}

// ---------------------------------------------------------------------------------------------
// The `events` query

/// A page of the caller's events, oldest first (`events(after, first)`). Readable by whoever
/// can read the inbox.
pub async fn page(
    db: &DatabaseConnection,
    actor: &Actor,
    after: Option<&str>,
    first: Option<i32>,
) -> AppResult<Page<event_log::Model, EventCursor>> {
    actor.require(Permission::Read)?;
    let tenant = actor.scope.tenant_id();
    let first = crate::paging::size(first, "first")?.unwrap_or(crate::paging::DEFAULT_PAGE);
    let from = resume_point(db, tenant, after).await?;
    let mut rows = self::after(db, tenant, from, first + 1).await?;
    let has_next_page = rows.len() as u64 > first;
    rows.truncate(first as usize);
    // The sequence has no gaps and retention deletes a prefix of it: what is kept is exactly
    // the events after `purged_through` up to `last_sequence`, so no COUNT is needed.
    let (last, purged) = bounds(db, tenant).await?;
    let total_count = u64::try_from(last - purged).unwrap_or(0);
    Ok(Page {
        items: rows.into_iter().map(|r| (EventCursor(r.sequence), r)).collect(),
        has_next_page,
        has_previous_page: after.is_some() && from > 0,
        total_count,
    })
}

// ---------------------------------------------------------------------------------------------
// What is logged: small, stable snapshots (ids as the API shows them, times in JST as the API)

fn api_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&shared::jst()).to_rfc3339()
}

/// An inquiry as third parties see it in an event.
pub fn inquiry_data(row: &inquiry::Model) -> Value {
    json!({
        "id": row.id.to_string(),
        "shopId": row.shop_id.to_string(),
        "marketplace": crate::inbox::marketplace_of(row).as_str(),
        "marketplaceInquiryId": row.marketplace_inquiry_id,
        "status": crate::inbox::status_of(row).as_str(),
        "subject": row.subject,
        "orderNumber": row.order_number,
        "completed": row.completed,
        "assigneeId": row.assignee_id.map(|i| i.to_string()),
        "lastMessageAt": api_time(row.last_message_at),
    })
}

/// An order as third parties see it in an event.
pub fn order_data(row: &order::Model) -> Value {
    json!({
        "id": row.id.to_string(),
        "shopId": row.shop_id.to_string(),
        "orderNumber": row.order_number,
        "status": crate::orders::status_of(row).as_str(),
        "orderedAt": api_time(row.ordered_at),
        "totalAmount": row.total_amount,
        "shipDate": row.ship_date,
        "carrier": row.carrier,
        "trackingNumber": row.tracking_number,
    })
}

/// A finished sync run as third parties see it in an event.
pub fn sync_run_data(row: &sync_run::Model) -> Value {
    json!({
        "id": row.id.to_string(),
        "shopId": row.shop_id.to_string(),
        "kind": shared::SyncKind::from(row.kind).as_str(),
        "state": shared::SyncState::from(row.state).as_str(),
        "created": row.created,
        "updated": row.updated,
        "unchanged": row.unchanged,
        "failed": row.failed,
        "finishedAt": row.finished_at.map(api_time),
    })
}

/// Logs that a shop needs staff to act (`SHOP_NEEDS_ATTENTION`): its licence key runs out at
/// `expires_at`.
pub async fn log_shop_needs_attention(
    txn: &impl ConnectionTrait,
    shop: &crate::store::entities::shop::Model,
    expires_at: chrono::DateTime<chrono::Utc>,
) -> AppResult<i64> {
    let data = json!({
        "shopId": shop.id.to_string(),
        "shopName": shop.name,
        "marketplace": shared::Marketplace::from(shop.marketplace).as_str(),
        "reason": "LICENCE_KEY_EXPIRING",
        "expiresAt": api_time(expires_at),
    });
    append(txn, shop.tenant_id, EventType::ShopNeedsAttention, Some(shop.id), shop.id, data).await
}

/// Logs a change of an inquiry (`INQUIRY_RECEIVED` when it is new or a customer wrote,
/// `INQUIRY_UPDATED` otherwise), as the last write of the caller's transaction.
pub async fn log_inquiry(txn: &impl ConnectionTrait, row: &inquiry::Model, received: bool) -> AppResult<i64> {
    let t = if received { EventType::InquiryReceived } else { EventType::InquiryUpdated };
    append(txn, row.tenant_id, t, Some(row.shop_id), row.id, inquiry_data(row)).await
}

/// Logs an order stored (`ORDER_CREATED`) or changed (`ORDER_UPDATED`).
pub async fn log_order(txn: &impl ConnectionTrait, row: &order::Model, created: bool) -> AppResult<i64> {
    let t = if created { EventType::OrderCreated } else { EventType::OrderUpdated };
    append(txn, row.tenant_id, t, Some(row.shop_id), row.id, order_data(row)).await
}

/// Logs a sync run that ended.
pub async fn log_run_finished(txn: &impl ConnectionTrait, row: &sync_run::Model) -> AppResult<i64> {
    append(txn, row.tenant_id, EventType::SyncRunFinished, Some(row.shop_id), row.id, sync_run_data(row)).await
}

// ---------------------------------------------------------------------------------------------
// Retention

/// Deletes every tenant's events older than `retention` (a prefix of each tenant's sequence)
/// and remembers, per tenant, the highest sequence deleted. Returns how many rows went.
pub async fn purge_expired(db: &DatabaseConnection, retention: Duration) -> AppResult<u64> {
    let Some(cutoff) = chrono::Duration::from_std(retention).ok().and_then(|d| clock::now().checked_sub_signed(d))
    else {
        return Ok(0);
    };
    let expired: Vec<(i64, Option<i64>)> = event_log::Entity::find()
        .select_only()
        .column(event_log::Column::TenantId)
        .column_as(event_log::Column::Sequence.max(), "through")
        .filter(event_log::Column::OccurredAt.lt(cutoff))
        .group_by(event_log::Column::TenantId)
        .into_tuple()
        .all(db)
        .await?;
    let mut gone = 0;
    for (tenant_id, through) in expired {
        let Some(through) = through else { continue };
        let txn = crate::store::begin_write(db).await?;
        let mark = Query::update()
            .table(Alias::new(COUNTER))
            .value(Alias::new("purged_through"), Expr::val(through))
            .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
            .and_where(Expr::col(Alias::new("purged_through")).lt(through))
            .to_owned();
        txn.execute_raw(txn.get_database_backend().build(&mark)).await?;
        gone += Scope::of_tenant(tenant_id)
            .delete_many::<event_log::Entity>()
            .filter(event_log::Column::Sequence.lte(through))
            .exec(&txn)
            .await?
            .rows_affected;
        txn.commit().await?;
    }
    Ok(gone)
}

/// Deletes expired events now and then every [`RETENTION_EVERY`].
pub fn spawn_retention(state: AppState, retention: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(RETENTION_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match purge_expired(&state.db, retention).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(deleted = n, "event log: expired events deleted"),
                Err(e) => tracing::warn!(error = ?e, "event log: deleting expired events failed; tried again later"),
            }
        }
    });
}

// ---------------------------------------------------------------------------------------------
// Resumable streams (the subscriptions' `after`)

/// Which logged events a resumable stream wants: these types, of this shop (or any).
#[derive(Clone, Debug)]
pub struct Interest {
    pub types: Vec<EventType>,
    pub shop_id: Option<i64>,
    /// Only the newest matching event of each read (the inbox counts: a state, not a history).
    pub newest_only: bool,
}

/// What a resumable stream delivers.
#[derive(Clone, Debug)]
pub enum Resumed {
    /// A logged event, in sequence order.
    Logged(event_log::Model),
    /// A live event that has no log row (sync progress), as it came.
    Live(Event),
}

impl Resumed {
    pub fn sequence(&self) -> Option<i64> {
        match self {
            Resumed::Logged(r) => Some(r.sequence),
            Resumed::Live(e) => e.sequence,
        }
    }
}

struct Resume {
    db: DatabaseConnection,
    tenant_id: i64,
    interest: Interest,
    rx: broadcast::Receiver<Event>,
    /// Every matching event up to here was delivered.
    position: i64,
    wakes: fn(&Event) -> bool,
    read: bool,
    ready: VecDeque<Resumed>,
}

impl Resume {
    /// Matching rows after the position, all of them (page by page), in sequence order.
    async fn read_log(&mut self) -> AppResult<()> {
        let mut newest = None;
        loop {
            let mut q = Scope::of_tenant(self.tenant_id)
                .find::<event_log::Entity>()
                .filter(event_log::Column::Sequence.gt(self.position))
                .filter(event_log::Column::EventType.is_in(self.interest.types.iter().copied()));
            if let Some(shop) = self.interest.shop_id {
                q = q.filter(event_log::Column::ShopId.eq(shop));
            }
            let rows = q.order_by_asc(event_log::Column::Sequence).limit(REPLAY_PAGE).all(&self.db).await?;
            let full = rows.len() as u64 == REPLAY_PAGE;
            for r in rows {
                self.position = Ord::max(self.position, r.sequence);
                if self.interest.newest_only {
                    newest = Some(r);
                } else {
                    self.ready.push_back(Resumed::Logged(r));
                }
            }
            if !full {
                break;
            }
        }
        if let Some(r) = newest {
            self.ready.push_back(Resumed::Logged(r));
        }
        Ok(())
    }
}

/// The caller's events from the log after `from` (a checked [`resume_point`]), then live, in
/// sequence order, with no gap and no duplicate.
///
/// The stream listens on the tenant's ring *before* it first reads the log. From then on a
/// live event that may concern it (`wakes`) is only a wake-up: the log is read again after the
/// last sequence delivered. Because a sequence is handed out only after the previous one
/// committed, a read that sees sequence n sees everything before it, so nothing is skipped
/// even when live events arrive out of order (two processes, two writers); and nothing is
/// delivered twice, because each read starts after the last delivered. A reader that fell
/// behind its ring (lagged) reads the log too. Live events without a log row (sync progress)
/// are passed on as they come.
pub fn resume(
    state: &AppState,
    tenant_id: i64,
    interest: Interest,
    from: i64,
    wakes: fn(&Event) -> bool,
) -> impl Stream<Item = AppResult<Resumed>> + Send + use<> {
    let rx = state.events.subscribe_tenant(tenant_id);
    let st = Resume {
        db: state.db.clone(),
        tenant_id,
        interest,
        rx,
        position: from,
        wakes,
        read: true,
        ready: VecDeque::new(),
    };
    futures_util::stream::unfold(Some(st), |st| async move {
        let mut st = st?;
        loop {
            if let Some(next) = st.ready.pop_front() {
                return Some((Ok(next), Some(st)));
            }
            if std::mem::take(&mut st.read) {
                if let Err(e) = st.read_log().await {
                    // The stream ends with the error (the client resumes from its last cursor).
                    return Some((Err(e), None));
                }
                continue;
            }
            match st.rx.recv().await {
                Ok(ev) if st.interest.shop_id.is_some() && ev.shop_id != st.interest.shop_id => {}
                Ok(ev) => match ev.sequence {
                    Some(seq) if seq > st.position && (st.wakes)(&ev) => st.read = true,
                    Some(_) => {}
                    None if (st.wakes)(&ev) => st.ready.push_back(Resumed::Live(ev)),
                    None => {}
                },
                Err(RecvError::Lagged(_)) => st.read = true,
                Err(RecvError::Closed) => return None,
            }
        }
    })
}
