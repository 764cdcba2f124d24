//! 未読: whether a customer wrote since the reader last opened an inquiry.
//!
//! Opening is recorded by an explicit call ([`mark_read`], `markInquiryRead`), never as a side
//! effect of reading. A reader is a staff member (their sessions share one record) or an API
//! token (each token its own); a caller that is neither has nothing unread. What is kept is the
//! newest customer message there was when the reader opened the inquiry: a newer customer
//! message makes it unread again; a reply, a note or an assignment does not.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, OnConflict, SimpleExpr};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, QueryFilter, QuerySelect};

use crate::auth::{Actor, Permission};
use crate::clock;
use crate::error::AppResult;
use crate::store::entities::{inquiry, inquiry_read, message};
use crate::store::{Scope, busy_retry};

/// Who reads: unread is kept per staff member, and per API token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reader {
    Staff(i64),
    Token(i64),
}

impl Reader {
    /// The caller as a reader; `None` for a caller that is neither (a job).
    pub fn of(actor: &Actor) -> Option<Reader> {
        match (actor.staff_id, actor.api_token_id) {
            (Some(s), _) => Some(Reader::Staff(s)),
            (None, Some(t)) => Some(Reader::Token(t)),
            (None, None) => None,
        }
    }
}

/// The newest customer message of each inquiry (by id: ids grow as messages are recorded).
async fn newest_customer_messages(
    db: &impl ConnectionTrait,
    scope: Scope,
    inquiry_ids: &[i64],
) -> AppResult<HashMap<i64, i64>> {
    let rows: Vec<(i64, Option<i64>)> = scope
        .find::<message::Entity>()
        .select_only()
        .column(message::Column::InquiryId)
        .column_as(message::Column::Id.max(), "newest")
        .filter(message::Column::InquiryId.is_in(inquiry_ids.iter().copied()))
        .filter(message::Column::Author.eq(message::Author::Customer))
        .group_by(message::Column::InquiryId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().filter_map(|(inquiry, newest)| Some((inquiry, newest?))).collect())
}

/// Marks the inquiry read by the caller, up to its newest customer message. Any caller who can
/// read the inquiry may (VIEWER and read-only tokens too: it changes nothing a customer or a
/// colleague sees). Another tenant's inquiry is `NOT_FOUND`.
pub async fn mark_read(db: &DatabaseConnection, actor: &Actor, inquiry_id: i64) -> AppResult<inquiry::Model> {
    actor.require(Permission::Read)?;
    let scope = actor.scope;
    let row = super::must_get(db, scope, inquiry_id).await?;
    let Some(reader) = Reader::of(actor) else {
        return Ok(row);
    };
    let seen = newest_customer_messages(db, scope, &[row.id]).await?.get(&row.id).copied().unwrap_or(0);
    let (staff_id, api_token_id, key) = match reader {
        Reader::Staff(s) => (Some(s), None, inquiry_read::Column::StaffId),
        Reader::Token(t) => (None, Some(t), inquiry_read::Column::ApiTokenId),
    };
    busy_retry(|| async {
        let record = inquiry_read::ActiveModel {
            inquiry_id: Set(row.id),
            staff_id: Set(staff_id),
            api_token_id: Set(api_token_id),
            seen_message_id: Set(seen),
            read_at: Set(clock::now()),
            ..Default::default()
        };
        // Never back: of two opens at once, the one that saw more wins.
        let on_conflict = OnConflict::columns([inquiry_read::Column::InquiryId, key])
            .value(
                inquiry_read::Column::SeenMessageId,
                Expr::cust(
                    "CASE WHEN excluded.seen_message_id > inquiry_read.seen_message_id \
                     THEN excluded.seen_message_id ELSE inquiry_read.seen_message_id END",
                ),
            )
            .update_column(inquiry_read::Column::ReadAt)
            .to_owned();
        scope.upsert(db, record, on_conflict).await?;
        Ok(())
    })
    .await?;
    Ok(row)
}

/// Whether each inquiry is unread for the reader: it has a customer message newer than the
/// one seen when the reader last opened it (or has one and was never opened). Two queries
/// for any number of inquiries (for the dataloader).
pub async fn unread_of(
    db: &DatabaseConnection,
    scope: Scope,
    reader: Option<Reader>,
    inquiry_ids: &[i64],
) -> AppResult<HashMap<i64, bool>> {
    let Some(reader) = reader else {
        return Ok(inquiry_ids.iter().map(|id| (*id, false)).collect());
    };
    let newest = newest_customer_messages(db, scope, inquiry_ids).await?;
    let mut q =
        scope.find::<inquiry_read::Entity>().filter(inquiry_read::Column::InquiryId.is_in(newest.keys().copied()));
    q = match reader {
        Reader::Staff(s) => q.filter(inquiry_read::Column::StaffId.eq(s)),
        Reader::Token(t) => q.filter(inquiry_read::Column::ApiTokenId.eq(t)),
    };
    let seen: HashMap<i64, i64> = if newest.is_empty() {
        HashMap::new()
    } else {
        q.all(db).await?.into_iter().map(|r| (r.inquiry_id, r.seen_message_id)).collect()
    };
    Ok(inquiry_ids
        .iter()
        .map(|id| {
            let unread = newest.get(id).is_some_and(|newest| seen.get(id).is_none_or(|seen| seen < newest));
            (*id, unread)
        })
        .collect())
}

/// The list filter `unread: true|false` for the reader, as a condition on `inquiry` (the rule
/// of [`unread_of`], inside the query so pages and counts stay right). Both subqueries are
/// bound to the scope's tenant.
pub(super) fn unread_condition(scope: Scope, reader: Option<Reader>, wanted: bool) -> SimpleExpr {
    let Some(reader) = reader else {
        // Nothing is unread for a caller who is no reader.
        return Expr::cust(if wanted { "1 = 0" } else { "1 = 1" });
    };
    let (column, who) = match reader {
        Reader::Staff(s) => ("staff_id", s),
        Reader::Token(t) => ("api_token_id", t),
    };
    let tenant = scope.tenant_id();
    // Only integers go into the text (placeholders are written differently per database).
    Expr::cust(format!(
        "{} EXISTS (SELECT 1 FROM message m WHERE m.tenant_id = {tenant} AND m.inquiry_id = inquiry.id \
         AND m.author = 'CUSTOMER' AND m.id > COALESCE((SELECT r.seen_message_id FROM inquiry_read r \
         WHERE r.tenant_id = {tenant} AND r.inquiry_id = inquiry.id AND r.{column} = {who}), 0))",
        if wanted { "" } else { "NOT" }
    ))
}
