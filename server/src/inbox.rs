//! The inbox: inquiries, their messages, replies, completion, and the needs-reply counts.
//!
//! Status is derived (SPEC §5): every write that can change it goes through [`summarise`],
//! which stores the result of `shared::inquiry::status` for the inbox index.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, FromQueryResult, QueryFilter,
    QueryOrder, TransactionTrait,
};
use shared::{DeliveryState, InquirySort, InquiryStatus, Marketplace, MessageAuthor};

use crate::auth::{Actor, Permission};
use crate::clock;
use crate::error::{AppError, AppResult};
use crate::events::{Event, EventKind};
use crate::paging::{self, Cursor, Page, PageRequest};
use crate::state::AppState;
use crate::store::Scope;
use crate::store::entities::{attachment, inquiry, message, shop, template};

pub const PREVIEW_CHARS: usize = 60;

#[derive(Clone, Debug, Default)]
pub struct InquiryFilter {
    pub status: Option<InquiryStatus>,
    pub shop_id: Option<i64>,
    pub marketplace: Option<Marketplace>,
    /// Matched against customer name, subject, order number and every message body.
    pub search: Option<String>,
    /// On the inquiry's creation time, inclusive.
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Assigned to this staff member (「自分の担当」 is the caller's own id).
    pub assignee_id: Option<i64>,
    /// Only inquiries nobody is assigned to.
    pub unassigned: bool,
    /// `None`: newest activity first.
    pub sort: Option<InquirySort>,
}

pub fn status_of(row: &inquiry::Model) -> InquiryStatus {
    shared::inquiry::status(row.completed, row.last_author.as_deref().and_then(MessageAuthor::parse), row.reply_failed)
}

pub fn marketplace_of(row: &inquiry::Model) -> Marketplace {
    Marketplace::parse(&row.marketplace).unwrap_or(Marketplace::CustomCsv)
}

/// `%text%` with LIKE's wildcards escaped.
pub fn contains(text: &str) -> LikeExpr {
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    LikeExpr::new(format!("%{escaped}%")).escape('\\')
}

pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    f: &InquiryFilter,
    page: &PageRequest,
) -> AppResult<Page<inquiry::Model, String>> {
    actor.require(Permission::Read)?;
    let scope = actor.scope;
    let mut q = scope.find::<inquiry::Entity>();
    if let Some(id) = f.assignee_id {
        q = q.filter(inquiry::Column::AssigneeId.eq(id));
    }
    if f.unassigned {
        q = q.filter(inquiry::Column::AssigneeId.is_null());
    }
    if let Some(s) = f.status {
        q = q.filter(inquiry::Column::Status.eq(s.as_str()));
    }
    if let Some(id) = f.shop_id {
        q = q.filter(inquiry::Column::ShopId.eq(id));
    }
    if let Some(m) = f.marketplace {
        q = q.filter(inquiry::Column::Marketplace.eq(m.as_str()));
    }
    if let Some(from) = f.from {
        q = q.filter(inquiry::Column::CreatedAt.gte(from));
    }
    if let Some(to) = f.to {
        q = q.filter(inquiry::Column::CreatedAt.lte(to));
    }
    if let Some(text) = f.search.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let in_messages = Query::select()
            .column(message::Column::InquiryId)
            .from(message::Entity)
            .and_where(message::Column::TenantId.eq(scope.tenant_id()))
            .and_where(Expr::col(message::Column::Body).like(contains(text)))
            .to_owned();
        q = q.filter(
            Condition::any()
                .add(Expr::col(inquiry::Column::CustomerName).like(contains(text)))
                .add(Expr::col(inquiry::Column::Subject).like(contains(text)))
                .add(Expr::col(inquiry::Column::OrderNumber).like(contains(text)))
                .add(Expr::col(inquiry::Column::MarketplaceInquiryId).like(contains(text)))
                .add(inquiry::Column::Id.in_subquery(in_messages)),
        );
    }
    match f.sort.unwrap_or(InquirySort::NewestActivity) {
        InquirySort::NewestActivity => Ok(paging::paginate(
            db,
            q,
            inquiry::Column::LastMessageAt,
            inquiry::Column::Id,
            |r| Cursor { at: r.last_message_at, id: r.id },
            page,
        )
        .await?
        .encoded()),
        // Who waits longest first; inquiries nobody waits on follow, oldest id first.
        InquirySort::OldestWaiting => Ok(paging::paginate_ascending(
            db,
            q,
            inquiry::Column::WaitingSince,
            inquiry::Column::Id,
            |r| paging::AscCursor { at: r.waiting_since, id: r.id },
            page,
        )
        .await?
        .encoded()),
    }
}

pub async fn get(db: &DatabaseConnection, actor: &Actor, id: i64) -> AppResult<Option<inquiry::Model>> {
    actor.require(Permission::Read)?;
    Ok(actor.scope.get::<inquiry::Entity>(db, id).await?)
}

pub(crate) async fn must_get(db: &impl ConnectionTrait, scope: Scope, id: i64) -> AppResult<inquiry::Model> {
    scope.get::<inquiry::Entity>(db, id).await?.ok_or(AppError::NotFound("お問い合わせ"))
}

/// Messages of several inquiries at once, oldest first (for the dataloader).
pub async fn messages_of(
    db: &DatabaseConnection,
    scope: Scope,
    inquiry_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<message::Model>>> {
    let rows = scope
        .find::<message::Entity>()
        .filter(message::Column::InquiryId.is_in(inquiry_ids.iter().copied()))
        .order_by_asc(message::Column::SentAt)
        .order_by_asc(message::Column::Id)
        .all(db)
        .await?;
    let mut map: HashMap<i64, Vec<message::Model>> = HashMap::new();
    for r in rows {
        map.entry(r.inquiry_id).or_default().push(r);
    }
    Ok(map)
}

pub async fn attachments_of(
    db: &DatabaseConnection,
    scope: Scope,
    message_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<attachment::Model>>> {
    let rows = scope
        .find::<attachment::Entity>()
        .filter(attachment::Column::MessageId.is_in(message_ids.iter().copied()))
        .order_by_asc(attachment::Column::Id)
        .all(db)
        .await?;
    let mut map: HashMap<i64, Vec<attachment::Model>> = HashMap::new();
    for r in rows {
        map.entry(r.message_id).or_default().push(r);
    }
    Ok(map)
}

/// Inquiries about one order, newest first (the order page's history).
pub async fn of_order(
    db: &DatabaseConnection,
    scope: Scope,
    shop_id: i64,
    order_number: &str,
) -> AppResult<Vec<inquiry::Model>> {
    Ok(scope
        .find::<inquiry::Entity>()
        .filter(inquiry::Column::ShopId.eq(shop_id))
        .filter(inquiry::Column::OrderNumber.eq(order_number))
        .order_by_desc(inquiry::Column::LastMessageAt)
        .order_by_desc(inquiry::Column::Id)
        .all(db)
        .await?)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboxCounts {
    pub needs_reply: i64,
    /// Open inquiries whose latest reply failed to send.
    pub failed_deliveries: i64,
    /// Every shop of the tenant, with zero where nothing waits.
    pub by_shop: Vec<(shop::Model, i64)>,
}

#[derive(FromQueryResult)]
struct ShopCountRow {
    shop_id: i64,
    n: i64,
}

pub async fn counts(db: &DatabaseConnection, scope: Scope) -> AppResult<InboxCounts> {
    let rows = ShopCountRow::find_by_statement(
        db.get_database_backend().build(
            Query::select()
                .column(inquiry::Column::ShopId)
                .expr_as(Expr::col(inquiry::Column::Id).count(), "n")
                .from(inquiry::Entity)
                .and_where(inquiry::Column::TenantId.eq(scope.tenant_id()))
                .and_where(inquiry::Column::Status.eq(InquiryStatus::NeedsReply.as_str()))
                .group_by_col(inquiry::Column::ShopId),
        ),
    )
    .all(db)
    .await?;
    let per: HashMap<i64, i64> = rows.into_iter().map(|r| (r.shop_id, r.n)).collect();
    let shops = scope.find::<shop::Entity>().order_by_asc(shop::Column::Id).all(db).await?;
    let by_shop: Vec<_> = shops
        .into_iter()
        .map(|s| {
            let n = per.get(&s.id).copied().unwrap_or(0);
            (s, n)
        })
        .collect();
    use sea_orm::PaginatorTrait;
    let failed_deliveries = scope
        .find::<inquiry::Entity>()
        .filter(inquiry::Column::ReplyFailed.eq(true))
        .filter(inquiry::Column::Status.eq(InquiryStatus::NeedsReply.as_str()))
        .count(db)
        .await? as i64;
    Ok(InboxCounts { needs_reply: by_shop.iter().map(|(_, n)| n).sum(), failed_deliveries, by_shop })
}

/// 返信が必要 of one shop.
pub async fn needs_reply_count(db: &DatabaseConnection, scope: Scope, shop_id: i64) -> AppResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(scope
        .find::<inquiry::Entity>()
        .filter(inquiry::Column::ShopId.eq(shop_id))
        .filter(inquiry::Column::Status.eq(InquiryStatus::NeedsReply.as_str()))
        .count(db)
        .await?)
}

/// Recomputes the stored summary of an inquiry from its messages: last author, last message
/// time, preview and the derived status. Called inside every write transaction that touches
/// messages or the completed flag.
async fn summarise(db: &impl ConnectionTrait, scope: Scope, row: inquiry::Model) -> AppResult<inquiry::Model> {
    let last = scope
        .find::<message::Entity>()
        .filter(message::Column::InquiryId.eq(row.id))
        .order_by_desc(message::Column::SentAt)
        .order_by_desc(message::Column::Id)
        .one(db)
        .await?;
    let last_customer = scope
        .find::<message::Entity>()
        .filter(message::Column::InquiryId.eq(row.id))
        .filter(message::Column::Author.eq(MessageAuthor::Customer.as_str()))
        .order_by_desc(message::Column::SentAt)
        .order_by_desc(message::Column::Id)
        .one(db)
        .await?;
    let last_shop = scope
        .find::<message::Entity>()
        .filter(message::Column::InquiryId.eq(row.id))
        .filter(message::Column::Author.eq(MessageAuthor::Shop.as_str()))
        .order_by_desc(message::Column::SentAt)
        .order_by_desc(message::Column::Id)
        .one(db)
        .await?;
    // Waiting since the first customer message after the latest shop reply that did not fail.
    let answered = scope
        .find::<message::Entity>()
        .filter(message::Column::InquiryId.eq(row.id))
        .filter(message::Column::Author.eq(MessageAuthor::Shop.as_str()))
        .filter(message::Column::Delivery.ne(DeliveryState::Failed.as_str()))
        .order_by_desc(message::Column::SentAt)
        .one(db)
        .await?
        .map(|m| m.sent_at);
    let waiting_since = if row.completed {
        None
    } else {
        let mut q = scope
            .find::<message::Entity>()
            .filter(message::Column::InquiryId.eq(row.id))
            .filter(message::Column::Author.eq(MessageAuthor::Customer.as_str()));
        if let Some(t) = answered {
            q = q.filter(message::Column::SentAt.gt(t));
        }
        q.order_by_asc(message::Column::SentAt).one(db).await?.map(|m| m.sent_at)
    };
    let reply_failed = shared::inquiry::reply_failed(last_shop.and_then(|m| DeliveryState::parse(&m.delivery)));
    let last_author = last.as_ref().map(|m| m.author.clone());
    let status =
        shared::inquiry::status(row.completed, last_author.as_deref().and_then(MessageAuthor::parse), reply_failed);
    let mut am: inquiry::ActiveModel = row.clone().into();
    am.reply_failed = Set(reply_failed);
    am.last_author = Set(last_author);
    am.last_message_at = Set(Ord::max(last.as_ref().map(|m| m.sent_at).unwrap_or(row.created_at), row.created_at));
    am.preview =
        Set(last_customer.map(|m| shared::inquiry::first_line_preview(&m.body, PREVIEW_CHARS)).unwrap_or_default());
    am.status = Set(status.as_str().to_owned());
    am.waiting_since = Set(waiting_since);
    am.updated_at = Set(clock::now());
    Ok(scope.update(db, am).await?)
}

fn publish_change(state: &AppState, row: &inquiry::Model, received: bool) {
    let base = |kind| Event { tenant_id: row.tenant_id, shop_id: Some(row.shop_id), kind };
    if received {
        state.events.publish(base(EventKind::InquiryReceived { inquiry_id: row.id }));
    }
    state.events.publish(base(EventKind::InquiryUpdated { inquiry_id: row.id }));
    state.events.publish(base(EventKind::InboxCountsChanged));
}

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
    // Many staff replying at once on SQLite: a transaction whose snapshot went stale under
    // another writer is refused at once (the busy timeout cannot help) — done again.
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

    let txn = db.begin().await?;
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
                author: Set(MessageAuthor::Shop.as_str().into()),
                staff_id: Set(actor.staff_id),
                staff_name: Set(Some(actor.display_name.clone())),
                body: Set(body),
                sent_at: Set(Ord::max(now, latest.as_ref().map(|m| m.sent_at).unwrap_or(now))),
                delivery: Set(DeliveryState::Pending.as_str().into()),
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
    txn.commit().await?;
    publish_change(state, &row, false);
    Ok(msg)
}

/// Puts an attachment's bytes in the object store under a new, generated key of the tenant
/// (`t{tenant}/{random}`); returns the key. The file's name is never part of the key — it is
/// kept as the attachment's metadata — so a name of any length or script is stored alike.
pub(crate) async fn store_file(state: &AppState, scope: Scope, bytes: bytes::Bytes) -> AppResult<String> {
    let key = format!("t{}/{}", scope.tenant_id(), crate::crypto::new_secret(""));
    state.files.put(&object_store::path::Path::from(key.as_str()), bytes.into()).await.map_err(AppError::internal)?;
    Ok(key)
}

/// The largest file a customer's message may bring in (downloaded from the marketplace by an
/// import); a larger one is not stored and the run names it.
pub const CUSTOMER_FILE_MAX_BYTES: usize = 10_000_000;

/// The type the first bytes of a file show (its "magic number"), for the types replies may
/// carry: PNG, JPEG, GIF and PDF.
pub fn sniffed_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

/// An outgoing file's bytes must be what its name (and declared type) say: a `.png` that is
/// really an HTML page or an executable is refused.
fn check_file_contents(files: &[NewAttachment]) -> AppResult<()> {
    for f in files {
        let expected = shared::marketplace::file_extension(&f.file_name)
            .and_then(|ext| shared::marketplace::content_type_for_extension(&ext));
        let actual = sniffed_type(&f.bytes);
        if expected.is_none() || actual != expected {
            return Err(AppError::validation(
                "attachments",
                format!(
                    "ファイル「{}」の中身がファイルの種類と一致しません (the bytes of {} are not a {} file)",
                    f.file_name,
                    f.file_name,
                    expected.unwrap_or("known")
                ),
            ));
        }
    }
    Ok(())
}

/// A failed reply goes back to `PENDING` for the delivery worker.
/// What the marketplace would refuse in a reply's text, as `VALIDATION` on `body`.
fn check_body(marketplace: Marketplace, body: &str) -> AppResult<()> {
    match shared::reply_rules::check_body(marketplace, body).into_iter().next() {
        Some(problem) => Err(AppError::validation("body", problem.to_string())),
        None => Ok(()),
    }
}

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
    let txn = state.db.begin().await?;
    if input.drop_attachments {
        scope.delete_many::<attachment::Entity>().filter(attachment::Column::MessageId.eq(msg.id)).exec(&txn).await?;
    }
    let mut am: message::ActiveModel = msg.into();
    am.delivery = Set(DeliveryState::Pending.as_str().into());
    am.delivery_error = Set(None);
    if let Some(b) = body {
        am.body = Set(b);
    }
    let msg = scope.update(&txn, am).await?;
    let row = summarise(&txn, scope, must_get(&txn, scope, msg.inquiry_id).await?).await?;
    txn.commit().await?;
    publish_change(state, &row, false);
    Ok(msg)
}

async fn failed_message(state: &AppState, scope: Scope, id: i64) -> AppResult<message::Model> {
    let msg = scope.get::<message::Entity>(&state.db, id).await?.ok_or(AppError::NotFound("メッセージ"))?;
    if msg.delivery != DeliveryState::Failed.as_str() {
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
    let txn = state.db.begin().await?;
    scope.delete_many::<attachment::Entity>().filter(attachment::Column::MessageId.eq(msg.id)).exec(&txn).await?;
    let gone = scope
        .delete_many::<message::Entity>()
        .filter(message::Column::Id.eq(msg.id))
        .filter(message::Column::Delivery.eq(DeliveryState::Failed.as_str()))
        .exec(&txn)
        .await?;
    if gone.rows_affected == 0 {
        return Err(AppError::Conflict(
            "このメッセージはすでに再送されています (the message is being sent again)".into(),
        ));
    }
    let row = summarise(&txn, scope, must_get(&txn, scope, msg.inquiry_id).await?).await?;
    txn.commit().await?;
    publish_change(state, &row, false);
    Ok(row)
}

/// Recomputes an inquiry's stored summary inside the caller's transaction (after a reply's
/// delivery state changed); publish with [`announce_change`] after the commit.
pub async fn resummarise(db: &impl ConnectionTrait, scope: Scope, inquiry_id: i64) -> AppResult<inquiry::Model> {
    summarise(db, scope, must_get(db, scope, inquiry_id).await?).await
}

/// Tells subscribers an inquiry (and so the counts) changed.
pub fn announce_change(state: &AppState, row: &inquiry::Model) {
    publish_change(state, row, false);
}

async fn check_complete<C: sea_orm::ConnectionTrait>(c: &C, scope: Scope, row: &inquiry::Model) -> AppResult<()> {
    let shop_has_replied = scope
        .find::<message::Entity>()
        .filter(message::Column::InquiryId.eq(row.id))
        .filter(message::Column::Author.eq(MessageAuthor::Shop.as_str()))
        .one(c)
        .await?
        .is_some();
    shared::inquiry::check_complete(marketplace_of(row), row.completed, shop_has_replied)
        .map_err(|e| AppError::Conflict(e.to_string()))
}

/// 完了する: the marketplace is told first; if it cannot be, nothing changes (see `delivery`).
pub async fn complete(state: &AppState, actor: &Actor, id: i64) -> AppResult<inquiry::Model> {
    actor.require(Permission::Write)?;
    let scope = actor.scope;
    let row = must_get(&state.db, scope, id).await?;
    check_complete(&state.db, scope, &row).await?;
    crate::delivery::set_completed_on_marketplace(state, &row, true).await?;
    let txn = state.db.begin().await?;
    let row = must_get(&txn, scope, id).await?;
    check_complete(&txn, scope, &row).await?;
    let mut am: inquiry::ActiveModel = row.into();
    am.completed = Set(true);
    am.completed_at = Set(Some(clock::now()));
    am.completed_by = Set(Some(actor.display_name.clone()));
    let row = scope.update(&txn, am).await?;
    let row = summarise(&txn, scope, row).await?;
    txn.commit().await?;
    publish_change(state, &row, false);
    Ok(row)
}

/// Back to open, where the marketplace allows it; the marketplace is told first.
pub async fn reopen(state: &AppState, actor: &Actor, id: i64) -> AppResult<inquiry::Model> {
    actor.require(Permission::Write)?;
    let scope = actor.scope;
    let row = must_get(&state.db, scope, id).await?;
    shared::inquiry::check_reopen(marketplace_of(&row), row.completed)
        .map_err(|e| AppError::Conflict(e.to_string()))?;
    crate::delivery::set_completed_on_marketplace(state, &row, false).await?;
    let txn = state.db.begin().await?;
    let row = must_get(&txn, scope, id).await?;
    shared::inquiry::check_reopen(marketplace_of(&row), row.completed)
        .map_err(|e| AppError::Conflict(e.to_string()))?;
    let mut am: inquiry::ActiveModel = row.into();
    am.completed = Set(false);
    am.completed_at = Set(None);
    am.completed_by = Set(None);
    let row = scope.update(&txn, am).await?;
    let row = summarise(&txn, scope, row).await?;
    txn.commit().await?;
    publish_change(state, &row, false);
    Ok(row)
}

pub use connectors::{IncomingInquiry, IncomingMessage, RemoteFile};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpsertOutcome {
    Created,
    Updated,
    Unchanged,
}

/// Upserts an inquiry by (shop, marketplace id) and records each message once (by its
/// marketplace id), whichever way it arrives: poll, push, or both. Local-only state is kept.
pub async fn upsert_inquiry(
    state: &AppState,
    scope: Scope,
    shop: &shop::Model,
    incoming: IncomingInquiry,
) -> AppResult<(i64, UpsertOutcome)> {
    let marketplace = Marketplace::parse(&shop.marketplace).unwrap_or(Marketplace::CustomCsv);
    let txn = state.db.begin().await?;
    let existing = scope
        .find::<inquiry::Entity>()
        .filter(inquiry::Column::ShopId.eq(shop.id))
        .filter(inquiry::Column::MarketplaceInquiryId.eq(incoming.marketplace_inquiry_id.as_str()))
        .one(&txn)
        .await?;
    let now = clock::now();
    let created_at = clock::normalise(incoming.created_at);
    let (row, created) = match existing {
        Some(row) => (row, false),
        None => {
            let row = scope
                .insert(
                    &txn,
                    inquiry::ActiveModel {
                        shop_id: Set(shop.id),
                        marketplace: Set(marketplace.as_str().into()),
                        marketplace_inquiry_id: Set(incoming.marketplace_inquiry_id.clone()),
                        order_number: Set(incoming.order_number.clone()),
                        customer_name: Set(incoming.customer_name.clone()),
                        subject: Set(incoming.subject.clone()),
                        created_at: Set(created_at),
                        last_message_at: Set(created_at),
                        last_author: Set(None),
                        preview: Set(String::new()),
                        completed: Set(incoming.completed),
                        completed_at: Set(incoming.completed.then_some(now)),
                        completed_by: Set(None),
                        status: Set(InquiryStatus::NeedsReply.as_str().into()),
                        reply_failed: Set(false),
                        updated_at: Set(now),
                        ..Default::default()
                    },
                )
                .await?;
            (row, true)
        }
    };
    let local = scope.find::<message::Entity>().filter(message::Column::InquiryId.eq(row.id)).all(&txn).await?;
    let known: std::collections::HashSet<String> =
        local.iter().filter_map(|m| m.marketplace_message_id.clone()).collect();
    // Our own replies not yet linked to their marketplace id (still being delivered, or a crash
    // between sending and recording): the marketplace's copy is that reply, not a new message.
    let mut unlinked: Vec<message::Model> = local
        .into_iter()
        .filter(|m| m.marketplace_message_id.is_none() && m.author == MessageAuthor::Shop.as_str())
        .collect();
    let mut new_customer = 0;
    let mut new_any = 0;
    for m in incoming.messages.iter().filter(|m| !known.contains(&m.marketplace_message_id)) {
        if m.author == MessageAuthor::Shop
            && let Some(pos) = unlinked.iter().position(|l| l.body.trim() == m.body.trim())
        {
            let mut am: message::ActiveModel = unlinked.remove(pos).into();
            am.marketplace_message_id = Set(Some(m.marketplace_message_id.clone()));
            am.delivery = Set(DeliveryState::Sent.as_str().into());
            am.delivery_error = Set(None);
            scope.update(&txn, am).await?;
            new_any += 1;
            continue;
        }
        new_any += 1;
        if m.author == MessageAuthor::Customer {
            new_customer += 1;
        }
        let inserted = scope
            .insert(
                &txn,
                message::ActiveModel {
                    inquiry_id: Set(row.id),
                    marketplace_message_id: Set(Some(m.marketplace_message_id.clone())),
                    author: Set(m.author.as_str().into()),
                    staff_name: Set(m.staff_name.clone()),
                    body: Set(m.body.clone()),
                    sent_at: Set(clock::normalise(m.sent_at)),
                    delivery: Set(DeliveryState::Sent.as_str().into()),
                    delivery_attempts: Set(0),
                    created_at: Set(now),
                    ..Default::default()
                },
            )
            .await?;
        for f in &m.files {
            scope
                .insert(
                    &txn,
                    attachment::ActiveModel {
                        message_id: Set(inserted.id),
                        file_name: Set(f.name.clone()),
                        content_type: Set("application/octet-stream".into()),
                        size: Set(0),
                        storage_key: Set(String::new()),
                        remote_path: Set(Some(f.path.clone())),
                        created_at: Set(now),
                        ..Default::default()
                    },
                )
                .await?;
        }
    }
    let mut am: inquiry::ActiveModel = row.clone().into();
    let mut changed = new_any > 0;
    if !created {
        // The marketplace's own fields follow the marketplace; local state stays.
        if row.order_number.is_none() && incoming.order_number.is_some() {
            am.order_number = Set(incoming.order_number.clone());
            changed = true;
        }
        if incoming.customer_name.is_some() && row.customer_name != incoming.customer_name {
            am.customer_name = Set(incoming.customer_name.clone());
            changed = true;
        }
        let completed = if new_customer > 0 {
            shared::inquiry::completed_after_customer_message(marketplace, row.completed)
        } else {
            row.completed || incoming.completed
        };
        if completed != row.completed {
            am.completed = Set(completed);
            am.completed_at = Set(completed.then_some(now));
            changed = true;
        }
    }
    let row = scope.update(&txn, am).await?;
    let outcome = if created {
        UpsertOutcome::Created
    } else if changed {
        UpsertOutcome::Updated
    } else {
        UpsertOutcome::Unchanged
    };
    let row = if outcome != UpsertOutcome::Unchanged { summarise(&txn, scope, row).await? } else { row };
    txn.commit().await?;
    if outcome != UpsertOutcome::Unchanged {
        publish_change(state, &row, created || new_customer > 0);
    }
    Ok((row.id, outcome))
}

/// Makes sure `DeliveryState` parsing of stored rows never panics.
pub fn delivery_of(m: &message::Model) -> DeliveryState {
    DeliveryState::parse(&m.delivery).unwrap_or(DeliveryState::Pending)
}

pub fn author_of(m: &message::Model) -> MessageAuthor {
    MessageAuthor::parse(&m.author).unwrap_or(MessageAuthor::Customer)
}

#[cfg(test)]
mod file_tests {
    use super::*;

    #[test]
    fn a_file_is_recognised_by_its_first_bytes() {
        assert_eq!(sniffed_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniffed_type(b"\xff\xd8\xff\xe0..JFIF"), Some("image/jpeg"));
        assert_eq!(sniffed_type(b"GIF89a...."), Some("image/gif"));
        assert_eq!(sniffed_type(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(sniffed_type(b"<html>"), None);
        assert_eq!(sniffed_type(b"MZ\x90\0"), None);
        assert_eq!(sniffed_type(b""), None);
    }
}
