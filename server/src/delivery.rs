//! The reply outbox. `inbox::reply` commits a shop message as `PENDING` (with its attachments)
//! in one transaction; this worker delivers it to the marketplace and marks it `SENT` (with the
//! id the marketplace gave it) or `FAILED` with the marketplace's reason. `retryMessage` puts
//! a failed reply back to `PENDING`.
//!
//! Never twice:
//! - a message is claimed with one conditional UPDATE (`PENDING` → `SENDING`, attempts + 1);
//!   only the process whose UPDATE changed the row sends it. `SENDING` is internal: the API
//!   shows it as `PENDING`.
//! - a message sent before (a retry, or a claim left behind by a crashed process) is first
//!   looked for in the marketplace's thread; if the marketplace already has it, it is only
//!   marked `SENT`.
//! - a duplicate answer from the marketplace (Rakuten's 409) counts as delivered.
//! - an import that meets our own reply before it is marked links it instead of adding a copy
//!   (`inbox::upsert_inquiry`).
//!
//! A claim carries a heartbeat: while its process works on the message it renews the claim
//! time every [`HEARTBEAT`]. A claim whose heartbeat has stopped for [`LEASE`] (its process
//! died) goes back to `PENDING`, and any process's next pass resolves it (looked for in the
//! marketplace's thread first). On SQLite, one process by design, every claim left by a
//! previous run is released at start ([`release_all_claims`]).
//!
//! Completion and reopening are told to the marketplace first ([`set_completed_on_marketplace`],
//! with the same retries); when it cannot be told, the staff get the reason and nothing changes
//! locally. Should the local commit fail after the marketplace agreed, the next import brings
//! the marketplace's state in.
//!
//! Shops without credentials have nothing to deliver through: their replies wait as `PENDING`
//! until credentials are set.

use std::collections::HashMap;
use std::time::Duration;
use tracing::Instrument as _;

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use shared::{DeliveryState, MessageAuthor};

use crate::error::{AppError, AppResult};
use crate::events::{Event, EventKind};
use crate::marketplaces::{self, MarketplaceError, OutgoingFile};
use crate::state::AppState;
use crate::store::Scope;
use crate::store::entities::{attachment, inquiry, message, shop, tenant};

/// Stored while one process sends the message.
pub const SENDING: &str = "SENDING";
/// How often a process renews the claims it works on.
pub const HEARTBEAT: Duration = Duration::from_secs(10);
/// How long a claim's heartbeat may be silent before another process takes it over: a few
/// missed heartbeats, so a slow database does not free a claim that is still worked on. With
/// [`POLL`], a dead process's reply is picked up again within a minute.
pub const LEASE: Duration = Duration::from_secs(40);
/// How often the outbox is looked at without being woken.
pub const POLL: Duration = Duration::from_secs(2);
const BATCH: u64 = 50;

/// Starts the worker: it wakes on every inquiry change (a new reply) and every [`POLL`]. When
/// `stop` turns true it ends, after finishing the pass it is in (server shutdown).
pub fn spawn(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut events = state.events.subscribe();
        let mut tick = tokio::time::interval(POLL);
        loop {
            if *stop.borrow() {
                return;
            }
            tokio::select! {
                // A dropped sender (an `App` taken apart, as the tests do) never stops it.
                Ok(()) = stop.changed() => return,
                ev = events.recv() => {
                    match ev {
                        Ok(Event { kind: EventKind::InquiryUpdated { .. }, .. }) => {}
                        Ok(_) => continue,
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                    }
                }
                _ = tick.tick() => {
                    if let Err(e) = release_stale_after(&state, LEASE).await {
                        tracing::warn!(error = ?e, "outbox: releasing stale claims failed");
                    }
                }
            }
            if let Err(e) = run_once(&state).await {
                tracing::warn!(error = ?e, "outbox pass failed");
            }
        }
    })
}

/// One pass over every tenant's outbox; returns how many messages it finished (sent or failed).
pub async fn run_once(state: &AppState) -> AppResult<usize> {
    let mut done = 0;
    for t in tenant::Entity::find().all(&state.db).await? {
        let scope = Scope::of_tenant(t.id);
        // Only shops that can deliver: replies waiting on a shop without credentials must not
        // hold up the others.
        let connected: Vec<i64> = scope
            .find::<shop::Entity>()
            .all(&state.db)
            .await?
            .into_iter()
            .filter(marketplaces::is_connected)
            .map(|s| s.id)
            .collect();
        if connected.is_empty() {
            continue;
        }
        let of_connected = sea_orm::sea_query::Query::select()
            .column(inquiry::Column::Id)
            .from(inquiry::Entity)
            .and_where(inquiry::Column::TenantId.eq(t.id))
            .and_where(inquiry::Column::ShopId.is_in(connected))
            .to_owned();
        let pending = scope
            .find::<message::Entity>()
            .filter(message::Column::InquiryId.in_subquery(of_connected))
            .filter(message::Column::Delivery.eq(DeliveryState::Pending.as_str()))
            .filter(message::Column::Author.eq(MessageAuthor::Shop.as_str()))
            .order_by_asc(message::Column::Id)
            .limit(BATCH)
            .all(&state.db)
            .await?;
        let mut shops: HashMap<i64, Option<shop::Model>> = HashMap::new();
        for msg in pending {
            let Some(inq) = scope.get::<inquiry::Entity>(&state.db, msg.inquiry_id).await? else { continue };
            let shop = match shops.get(&inq.shop_id) {
                Some(s) => s.clone(),
                None => {
                    let s = scope.get::<shop::Entity>(&state.db, inq.shop_id).await?;
                    shops.insert(inq.shop_id, s.clone());
                    s
                }
            };
            let Some(shop) = shop else { continue };
            let shop = &shop;
            if !marketplaces::is_connected(shop) {
                continue;
            }
            if !claim(state, scope, &msg).await? {
                continue;
            }
            let beat = heartbeat(state.clone(), scope, msg.id);
            let delivered = deliver(state, scope, shop, &inq, msg).await;
            beat.abort();
            delivered?;
            done += 1;
        }
    }
    Ok(done)
}

/// `PENDING` → `SENDING` for exactly one caller.
async fn claim(state: &AppState, scope: Scope, msg: &message::Model) -> AppResult<bool> {
    let r = scope
        .update_many::<message::Entity>()
        .col_expr(message::Column::Delivery, Expr::value(SENDING))
        .col_expr(message::Column::DeliveryAttempts, Expr::col(message::Column::DeliveryAttempts).add(1))
        .col_expr(message::Column::DeliveryClaimedAt, Expr::value(crate::clock::now()))
        .filter(message::Column::Id.eq(msg.id))
        .filter(message::Column::Delivery.eq(DeliveryState::Pending.as_str()))
        .exec(&state.db)
        .await?;
    Ok(r.rows_affected == 1)
}

/// Renews the claim on a message every [`HEARTBEAT`] until aborted.
fn heartbeat(state: AppState, scope: Scope, message_id: i64) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(HEARTBEAT);
        tick.tick().await; // the claim itself was the first beat
        loop {
            tick.tick().await;
            let renewed = scope
                .update_many::<message::Entity>()
                .col_expr(message::Column::DeliveryClaimedAt, Expr::value(crate::clock::now()))
                .filter(message::Column::Id.eq(message_id))
                .filter(message::Column::Delivery.eq(SENDING))
                .exec(&state.db)
                .await;
            if let Err(e) = renewed {
                tracing::warn!(error = %e, message_id, "outbox: renewing a claim failed");
            }
        }
    })
}

/// Releases every claim at once: for a start on SQLite, where no other process can hold one.
pub async fn release_all_claims(state: &AppState) -> AppResult<()> {
    release_stale_after(state, Duration::ZERO).await
}

/// Records the outcome, only if the message is still ours (an import may have linked it), and
/// in the same transaction the inquiry's status that follows from it (a failed reply is
/// 返信が必要 again); then the inbox hears of it.
async fn finish(
    state: &AppState,
    scope: Scope,
    msg: &message::Model,
    outcome: Result<Option<String>, String>,
) -> AppResult<()> {
    let txn = crate::store::begin_write(&state.db).await?;
    let mut q = scope.update_many::<message::Entity>();
    match &outcome {
        Ok(mid) => {
            // The id may already be on another row (an import that raced us): keep it there.
            let taken = match mid {
                Some(id) => scope
                    .find::<message::Entity>()
                    .filter(message::Column::InquiryId.eq(msg.inquiry_id))
                    .filter(message::Column::MarketplaceMessageId.eq(id.as_str()))
                    .one(&txn)
                    .await?
                    .is_some(),
                None => false,
            };
            q = q
                .col_expr(message::Column::Delivery, Expr::value(DeliveryState::Sent.as_str()))
                .col_expr(message::Column::DeliveryError, Expr::value(Option::<String>::None));
            if !taken && let Some(id) = mid {
                q = q.col_expr(message::Column::MarketplaceMessageId, Expr::value(id.clone()));
            }
        }
        Err(reason) => {
            q = q
                .col_expr(message::Column::Delivery, Expr::value(DeliveryState::Failed.as_str()))
                .col_expr(message::Column::DeliveryError, Expr::value(reason.clone()));
        }
    }
    let done =
        q.filter(message::Column::Id.eq(msg.id)).filter(message::Column::Delivery.eq(SENDING)).exec(&txn).await?;
    if done.rows_affected == 0 {
        // No longer ours (an import linked it meanwhile): nothing changed here.
        txn.commit().await?;
        return Ok(());
    }
    let (row, sequence) = crate::inbox::resummarise(&txn, scope, msg.inquiry_id).await?;
    txn.commit().await?;
    crate::inbox::announce_change(state, &row, sequence);
    Ok(())
}

async fn files_of(state: &AppState, scope: Scope, msg: &message::Model) -> AppResult<Vec<OutgoingFile>> {
    let rows = scope
        .find::<attachment::Entity>()
        .filter(attachment::Column::MessageId.eq(msg.id))
        .order_by_asc(attachment::Column::Id)
        .all(&state.db)
        .await?;
    let mut out = Vec::new();
    for a in rows {
        let bytes = state
            .files
            .get(&object_store::path::Path::from(a.storage_key.as_str()))
            .await
            .map_err(AppError::internal)?
            .bytes()
            .await
            .map_err(AppError::internal)?;
        out.push(OutgoingFile { file_name: a.file_name, content_type: a.content_type, bytes });
    }
    Ok(out)
}

async fn deliver(
    state: &AppState,
    scope: Scope,
    shop: &shop::Model,
    inq: &inquiry::Model,
    msg: message::Model,
) -> AppResult<()> {
    let span = tracing::info_span!("deliver_reply", tenant = scope.tenant_id(), shop = %shop.name, shop_id = shop.id, marketplace = %shop.marketplace, message = msg.id);
    async move {
        let outcome = match send(state, scope, shop, inq, &msg).await {
            Ok(sent) => Ok(sent),
            // The reply may have arrived: back in the queue, where the next pass looks in the
            // marketplace's thread before sending it again — a few times, then it shows as failed.
            Err(Undelivered::Uncertain(reason)) if msg.delivery_attempts + 1 < UNCERTAIN_ATTEMPTS => {
                tracing::warn!(%reason, "reply may have arrived; checked again on the next pass");
                return release(state, scope, &msg).await;
            }
            Err(Undelivered::Uncertain(reason) | Undelivered::Reason(reason)) => {
                tracing::warn!(%reason, "reply not delivered");
                Err(reason)
            }
        };
        crate::metrics::delivery(&shop.marketplace.as_str().to_ascii_lowercase(), outcome.is_ok());
        finish(state, scope, &msg, outcome).await
    }
    .instrument(span)
    .await
}

/// How many times a reply whose answer was lost is checked and sent again before it shows as
/// failed.
const UNCERTAIN_ATTEMPTS: i32 = 5;

/// Why a reply did not go out this time.
enum Undelivered {
    /// The marketplace's (or a plain) reason: the reply is FAILED.
    Reason(String),
    /// It may have arrived (the answer was lost).
    Uncertain(String),
}

impl From<String> for Undelivered {
    fn from(reason: String) -> Self {
        Undelivered::Reason(reason)
    }
}

/// Puts a claimed reply back to `PENDING` (its attempts stay counted).
async fn release(state: &AppState, scope: Scope, msg: &message::Model) -> AppResult<()> {
    scope
        .update_many::<message::Entity>()
        .col_expr(message::Column::Delivery, Expr::value(DeliveryState::Pending.as_str()))
        .filter(message::Column::Id.eq(msg.id))
        .filter(message::Column::Delivery.eq(SENDING))
        .exec(&state.db)
        .await?;
    Ok(())
}

async fn send(
    state: &AppState,
    scope: Scope,
    shop: &shop::Model,
    inq: &inquiry::Model,
    msg: &message::Model,
) -> Result<Option<String>, Undelivered> {
    let connector = marketplaces::connector_for(state, shop).map_err(|e| e.to_string())?;
    // What the staff see of a failure inside Madoguchi: plain words; the detail goes to the log.
    let internal = |e: &dyn std::fmt::Display| {
        tracing::warn!(error = %e, "an internal error while sending a reply");
        crate::sync::INTERNAL_TEXT.to_owned()
    };
    // `delivery_attempts` is the value before this claim: anything above 0 may have reached
    // the marketplace already.
    if msg.delivery_attempts > 0 {
        let known: Vec<String> = scope
            .find::<message::Entity>()
            .filter(message::Column::InquiryId.eq(inq.id))
            .all(&state.db)
            .await
            .map_err(|e| match crate::error::database_unreachable(&e) {
                true => Undelivered::Uncertain(AppError::DatabaseUnavailable.message()),
                false => internal(&e).into(),
            })?
            .into_iter()
            .filter_map(|m| m.marketplace_message_id)
            .collect();
        match connector.fetch_inquiry(&inq.marketplace_inquiry_id).await {
            Ok(Some(remote)) => {
                if let Some(m) = remote.messages.iter().rev().find(|m| {
                    m.author == MessageAuthor::Shop
                        && m.body.trim() == msg.body.trim()
                        && !known.contains(&m.marketplace_message_id)
                }) {
                    return Ok(Some(m.marketplace_message_id.clone()));
                }
            }
            Ok(None) => {}
            Err(e) => return Err(e.to_string().into()),
        }
    }
    let files = files_of(state, scope, msg).await.map_err(|e| match e {
        // Nothing went out: the reply waits for the database like one whose answer was lost.
        AppError::DatabaseUnavailable => Undelivered::Uncertain(e.message()),
        AppError::Internal(inner) => internal(&inner).into(),
        other => other.message().into(),
    })?;
    match marketplaces::http::once_only(connector.send_reply(&inq.marketplace_inquiry_id, &msg.body, files)).await {
        Ok(sent) => Ok(sent.marketplace_message_id),
        Err(MarketplaceError::Uncertain(reason)) => Err(Undelivered::Uncertain(reason)),
        Err(e) => Err(e.to_string().into()),
    }
}

/// Claims whose heartbeat has been silent for `lease` (their process died) go back to
/// `PENDING`; the next pass looks for the reply in the marketplace's thread before sending it.
pub async fn release_stale_after(state: &AppState, lease: Duration) -> AppResult<()> {
    let cutoff = crate::clock::now() - chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::MAX);
    for t in tenant::Entity::find().all(&state.db).await? {
        Scope::of_tenant(t.id)
            .update_many::<message::Entity>()
            .col_expr(message::Column::Delivery, Expr::value(DeliveryState::Pending.as_str()))
            .filter(message::Column::Delivery.eq(SENDING))
            .filter(
                sea_orm::Condition::any()
                    .add(message::Column::DeliveryClaimedAt.is_null())
                    .add(message::Column::DeliveryClaimedAt.lte(cutoff)),
            )
            .exec(&state.db)
            .await?;
    }
    Ok(())
}

/// Tells the marketplace an inquiry is completed (or open again) before the change is stored
/// locally: when the marketplace cannot be told, the caller gets its reason and nothing changes.
/// Marketplaces without completion (or shops without a connection) change only locally.
pub async fn set_completed_on_marketplace(state: &AppState, inq: &inquiry::Model, completed: bool) -> AppResult<()> {
    let scope = Scope::of_tenant(inq.tenant_id);
    let Some(shop) = scope.get::<shop::Entity>(&state.db, inq.shop_id).await? else { return Ok(()) };
    if !marketplaces::is_connected(&shop) {
        return Ok(());
    }
    let result = match marketplaces::connector_for(state, &shop) {
        Ok(c) => c.set_completed(&inq.marketplace_inquiry_id, completed).await,
        Err(e) => Err(e),
    };
    let what = if completed { "対応完了" } else { "未完了に戻す操作" };
    match result {
        Ok(()) | Err(MarketplaceError::Unsupported(_)) => Ok(()),
        Err(MarketplaceError::Unavailable(reason)) => Err(AppError::MarketplaceUnavailable(format!(
            "店舗「{}」のモールに{what}を伝えられませんでした。時間をおいてもう一度お試しください ({reason})",
            shop.name
        ))),
        Err(e) => Err(AppError::MarketplaceRefused(format!(
            "店舗「{}」のモールが{what}を受け付けませんでした ({e})",
            shop.name
        ))),
    }
}
