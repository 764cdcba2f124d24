//! The stored summary of an inquiry (status, last author, preview, waiting since), and word
//! of a change to subscribers.

use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, QueryFilter, QueryOrder};
use shared::{DeliveryState, MessageAuthor};

use super::*;
use crate::clock;
use crate::error::AppResult;
use crate::events::{Event, EventKind};
use crate::state::AppState;
use crate::store::Scope;
use crate::store::entities::{inquiry, message};

/// Recomputes the stored summary of an inquiry from its messages: last author, last message
/// time, preview, the derived status and the search text. Called inside every write transaction that touches
/// messages or the completed flag.
pub(crate) async fn summarise(
    db: &impl ConnectionTrait,
    scope: Scope,
    row: inquiry::Model,
) -> AppResult<inquiry::Model> {
    // The whole thread, oldest first: its summary and its search text come from it.
    let thread = scope
        .find::<message::Entity>()
        .filter(message::Column::InquiryId.eq(row.id))
        .order_by_asc(message::Column::SentAt)
        .order_by_asc(message::Column::Id)
        .all(db)
        .await?;
    let last = thread.last();
    let latest_of = |author| thread.iter().rev().find(|m| m.author == author);
    let last_customer = latest_of(message::Author::Customer);
    let last_shop = latest_of(message::Author::Shop);
    // Waiting since the first customer message after the latest shop reply that did not fail.
    let answered = thread
        .iter()
        .filter(|m| m.author == message::Author::Shop && m.delivery != message::Delivery::Failed)
        .map(|m| m.sent_at)
        .max();
    let waiting_since = if row.completed {
        None
    } else {
        thread
            .iter()
            .filter(|m| m.author == message::Author::Customer && answered.is_none_or(|t| m.sent_at > t))
            .map(|m| m.sent_at)
            .min()
    };
    let reply_failed = shared::inquiry::reply_failed(last_shop.map(|m| DeliveryState::from(m.delivery)));
    let last_author = last.as_ref().map(|m| m.author);
    let status = shared::inquiry::status(row.completed, last_author.map(MessageAuthor::from), reply_failed);
    let mut am: inquiry::ActiveModel = row.clone().into();
    am.reply_failed = Set(reply_failed);
    am.last_author = Set(last_author);
    am.last_message_at = Set(Ord::max(last.as_ref().map(|m| m.sent_at).unwrap_or(row.created_at), row.created_at));
    am.preview =
        Set(last_customer.map(|m| shared::inquiry::first_line_preview(&m.body, PREVIEW_CHARS)).unwrap_or_default());
    am.search_text = Set(super::search::document(&row, &thread));
    am.status = Set(status.into());
    am.waiting_since = Set(waiting_since);
    am.updated_at = Set(clock::now());
    Ok(scope.update(db, am).await?)
}

/// The end of every write that changes an inquiry: logs the change (`event_log`) as the last
/// write of the transaction, commits, then publishes it with its sequence — so no path can
/// commit a change without its log row or publish one that is not committed.
pub(crate) async fn commit_change(
    state: &AppState,
    txn: DatabaseTransaction,
    row: &inquiry::Model,
    received: bool,
) -> AppResult<()> {
    let sequence = crate::event_log::log_inquiry(&txn, row, received).await?;
    txn.commit().await?;
    publish_change(state, row, received, sequence);
    Ok(())
}

fn publish_change(state: &AppState, row: &inquiry::Model, received: bool, sequence: i64) {
    let base = |kind| Event::logged(row.tenant_id, Some(row.shop_id), kind, sequence);
    if received {
        state.events.publish(base(EventKind::InquiryReceived { inquiry_id: row.id }));
    }
    state.events.publish(base(EventKind::InquiryUpdated { inquiry_id: row.id }));
    state.events.publish(base(EventKind::InboxCountsChanged));
}

/// Recomputes an inquiry's stored summary inside the caller's transaction (after a reply's
/// delivery state changed) and logs the change (`INQUIRY_UPDATED`); publish with
/// [`announce_change`] and the returned sequence after the commit.
pub async fn resummarise(db: &impl ConnectionTrait, scope: Scope, inquiry_id: i64) -> AppResult<(inquiry::Model, i64)> {
    let row = summarise(db, scope, must_get(db, scope, inquiry_id).await?).await?;
    let sequence = crate::event_log::log_inquiry(db, &row, false).await?;
    Ok((row, sequence))
}

/// Tells subscribers an inquiry (and so the counts) changed.
pub fn announce_change(state: &AppState, row: &inquiry::Model, sequence: i64) {
    publish_change(state, row, false, sequence);
}
