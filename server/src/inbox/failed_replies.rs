//! Replies that failed to send: 再送する (retry, optionally corrected) and 取り下げる (withdraw).

use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter};

use super::*;
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::Scope;
use crate::store::entities::{attachment, inquiry, message};

/// A failed reply, edited or not.
pub struct RetryForUpdate {
    pub message_id: i64,
    /// The corrected text (the marketplace's rules are checked again); `None` keeps it.
    pub body: Option<String>,
    /// Sends it without its attachments.
    pub drop_attachments: bool,
}

/// 再送する: puts a failed reply back in the delivery queue, optionally corrected.
pub async fn retry_message(state: &AppState, actor: &Actor, input: RetryForUpdate) -> AppResult<message::Model> {
    actor.require(Permission::Write)?;
    let scope = actor.scope;
    let msg = failed_message(state, scope, input.message_id).await?;
    let row = must_get(&state.db, scope, msg.inquiry_id).await?;
    let body = match input.body {
        Some(b) => {
            let b = b.trim_end().to_owned();
            check_body(marketplace_of(&row), &b)?;
            Some(b)
        }
        None => None,
    };
    let txn = crate::store::begin_write(&state.db).await?;
    if input.drop_attachments {
        scope.delete_many::<attachment::Entity>().filter(attachment::Column::MessageId.eq(msg.id)).exec(&txn).await?;
    }
    let mut am: message::ActiveModel = msg.into();
    am.delivery = Set(message::Delivery::Pending);
    am.delivery_error = Set(None);
    if let Some(b) = body {
        am.body = Set(b);
    }
    let msg = scope.update(&txn, am).await?;
    let row = summarise(&txn, scope, must_get(&txn, scope, msg.inquiry_id).await?).await?;
    commit_change(state, txn, &row, false).await?;
    Ok(msg)
}

async fn failed_message(state: &AppState, scope: Scope, id: i64) -> AppResult<message::Model> {
    let msg = scope.get::<message::Entity>(&state.db, id).await?.ok_or(AppError::NotFound("メッセージ"))?;
    if msg.delivery != message::Delivery::Failed {
        return Err(AppError::Conflict(
            "送信に失敗したメッセージだけを再送・取り下げできます (only a failed message can be retried or withdrawn)"
                .into(),
        ));
    }
    Ok(msg)
}

/// 取り下げる: a failed reply never reached the customer; it leaves the thread (with its
/// attachments), and the inquiry's status follows what remains.
pub async fn withdraw_message(state: &AppState, actor: &Actor, message_id: i64) -> AppResult<inquiry::Model> {
    actor.require(Permission::Write)?;
    let scope = actor.scope;
    let msg = failed_message(state, scope, message_id).await?;
    let txn = crate::store::begin_write(&state.db).await?;
    scope.delete_many::<attachment::Entity>().filter(attachment::Column::MessageId.eq(msg.id)).exec(&txn).await?;
    let gone = scope
        .delete_many::<message::Entity>()
        .filter(message::Column::Id.eq(msg.id))
        .filter(message::Column::Delivery.eq(message::Delivery::Failed))
        .exec(&txn)
        .await?;
    if gone.rows_affected == 0 {
        return Err(AppError::Conflict(
            "このメッセージはすでに再送されています (the message is being sent again)".into(),
        ));
    }
    let row = summarise(&txn, scope, must_get(&txn, scope, msg.inquiry_id).await?).await?;
    commit_change(state, txn, &row, false).await?;
    Ok(row)
}
