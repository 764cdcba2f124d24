//! A shop reply: checked against the marketplace's rules, stored `PENDING` for the outbox.

use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter, QueryOrder};
use shared::Marketplace;

use super::*;
use crate::auth::{Actor, Permission};
use crate::clock;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::entities::{attachment, message, template};

#[derive(Clone)]
pub struct NewAttachment {
    pub file_name: String,
    pub content_type: String,
    pub bytes: bytes::Bytes,
}

#[derive(Clone)]
pub struct ReplyForCreate {
    pub inquiry_id: i64,
    pub body: String,
    pub template_id: Option<i64>,
    /// The last message the writer saw; a newer one means they answered a stale thread.
    pub last_seen_message_id: Option<i64>,
    pub attachments: Vec<NewAttachment>,
}

/// Stores a shop reply as `PENDING`; the delivery worker sends it to the marketplace.
pub async fn reply(state: &AppState, actor: &Actor, input: ReplyForCreate) -> AppResult<message::Model> {
    actor.require(Permission::Write)?;
    crate::api_option::require(&state.db, actor).await?;
    // Many staff replying at once on SQLite: a reply that waited for the write lock past the
    // busy timeout is done again (store::busy_retry).
    crate::store::busy_retry(|| reply_once(state, actor, input.clone())).await
}

async fn reply_once(state: &AppState, actor: &Actor, input: ReplyForCreate) -> AppResult<message::Model> {
    actor.require(Permission::Write)?;
    let scope = actor.scope;
    let db = &state.db;
    let body = input.body.trim_end().to_owned();
    if body.trim().is_empty() {
        return Err(AppError::validation("body", "返信内容を入力してください (body is required)"));
    }
    let row = must_get(db, scope, input.inquiry_id).await?;
    let marketplace = marketplace_of(&row);
    check_body(marketplace, &body)?;
    if !marketplace.capabilities().replies {
        return Err(AppError::MarketplaceRefused(format!(
            "{}のお問い合わせには返信できません (replies are not supported on this marketplace)",
            marketplace.label_ja()
        )));
    }
    if let Some(tid) = input.template_id {
        scope.get::<template::Entity>(db, tid).await?.ok_or(AppError::NotFound("テンプレート"))?;
    }
    let infos: Vec<_> = input
        .attachments
        .iter()
        .map(|a| shared::marketplace::AttachmentInfo {
            file_name: &a.file_name,
            content_type: &a.content_type,
            size: a.bytes.len() as u64,
        })
        .collect();
    shared::marketplace::check_attachments(marketplace, &infos)
        .map_err(|e| AppError::validation("attachments", e.to_string()))?;
    check_file_contents(&input.attachments)?;

    // Bytes first (a stray object is harmless; a row pointing at nothing is not).
    let mut stored = Vec::new();
    for a in &input.attachments {
        stored.push((store_file(state, scope, a.bytes.clone()).await?, a));
    }

    let txn = crate::store::begin_write(db).await?;
    let latest = scope
        .find::<message::Entity>()
        .filter(message::Column::InquiryId.eq(row.id))
        .order_by_desc(message::Column::SentAt)
        .order_by_desc(message::Column::Id)
        .one(&txn)
        .await?;
    if let (Some(seen), Some(latest)) = (input.last_seen_message_id, latest.as_ref())
        && seen != latest.id
    {
        return Err(AppError::Conflict(
            "新しいメッセージが届いています。内容を確認してから送信してください (the thread changed since you opened it)".into(),
        ));
    }
    let now = clock::now();
    let msg = scope
        .insert(
            &txn,
            message::ActiveModel {
                inquiry_id: Set(row.id),
                author: Set(message::Author::Shop),
                staff_id: Set(actor.staff_id),
                staff_name: Set(Some(actor.display_name.clone())),
                body: Set(body),
                sent_at: Set(Ord::max(now, latest.as_ref().map(|m| m.sent_at).unwrap_or(now))),
                delivery: Set(message::Delivery::Pending),
                delivery_attempts: Set(0),
                created_at: Set(now),
                ..Default::default()
            },
        )
        .await?;
    for (key, a) in stored {
        scope
            .insert(
                &txn,
                attachment::ActiveModel {
                    message_id: Set(msg.id),
                    file_name: Set(a.file_name.clone()),
                    content_type: Set(a.content_type.clone()),
                    size: Set(a.bytes.len() as i64),
                    storage_key: Set(key),
                    created_at: Set(now),
                    ..Default::default()
                },
            )
            .await?;
    }
    let row = summarise(&txn, scope, row).await?;
    commit_change(state, txn, &row, false).await?;
    Ok(msg)
}

/// What the marketplace would refuse in a reply's text, as `VALIDATION` on `body`.
pub(crate) fn check_body(marketplace: Marketplace, body: &str) -> AppResult<()> {
    match shared::reply_rules::check_body(marketplace, body).into_iter().next() {
        Some(problem) => Err(AppError::validation("body", problem.to_string())),
        None => Ok(()),
    }
}
