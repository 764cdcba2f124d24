//! The inbox list: filters, the two sorts, one inquiry, and the threads read in batches.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::LikeExpr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, QueryFilter, QueryOrder};
use shared::{InquirySort, InquiryStatus, Marketplace};

use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::paging::{self, Cursor, PageRequest, Rows};
use crate::store::Scope;
use crate::store::entities::{attachment, inquiry, message};

#[derive(Clone, Debug, Default)]
pub struct InquiryFilter {
    pub status: Option<InquiryStatus>,
    pub shop_id: Option<i64>,
    pub marketplace: Option<Marketplace>,
    /// Matched against customer name, subject, order number, marketplace id and every message
    /// body, normalised alike (`search.rs`; 1–2 characters: the most recent inquiries only).
    pub search: Option<String>,
    /// On the inquiry's creation time, inclusive.
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Assigned to this staff member (「自分の担当」 is the caller's own id).
    pub assignee_id: Option<i64>,
    /// Only inquiries nobody is assigned to.
    pub unassigned: bool,
    /// Only those unread (true) or read (false) for the caller (`reads.rs`).
    pub unread: Option<bool>,
    /// `None`: newest activity first.
    pub sort: Option<InquirySort>,
}

/// `%text%` with LIKE's wildcards escaped.
pub fn contains(text: &str) -> LikeExpr {
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    LikeExpr::new(format!("%{escaped}%")).escape('\\')
}

/// The tenant's inquiries that pass the filter (not yet ordered or paged): what the inbox
/// lists and `total::total_count` counts.
pub(crate) async fn filtered(
    db: &DatabaseConnection,
    actor: &Actor,
    f: &InquiryFilter,
) -> AppResult<sea_orm::Select<inquiry::Entity>> {
    actor.require(Permission::Read)?;
    let scope = actor.scope;
    if let Some(id) = f.assignee_id {
        // Another tenant's staff member is NOT_FOUND, like every other id.
        crate::inbox_teams::staff_member(db, scope, id).await?.ok_or(AppError::NotFound("スタッフ"))?;
    }
    let mut q = scope.find::<inquiry::Entity>();
    if let Some(id) = f.assignee_id {
        q = q.filter(inquiry::Column::AssigneeId.eq(id));
    }
    if f.unassigned {
        q = q.filter(inquiry::Column::AssigneeId.is_null());
    }
    if let Some(s) = f.status {
        q = q.filter(inquiry::Column::Status.eq(inquiry::Status::from(s)));
    }
    if let Some(id) = f.shop_id {
        q = q.filter(inquiry::Column::ShopId.eq(id));
    }
    if let Some(m) = f.marketplace {
        q = q.filter(inquiry::Column::Marketplace.eq(inquiry::Marketplace::from(m)));
    }
    if let Some(from) = f.from {
        q = q.filter(inquiry::Column::CreatedAt.gte(from));
    }
    if let Some(to) = f.to {
        q = q.filter(inquiry::Column::CreatedAt.lte(to));
    }
    if let Some(wanted) = f.unread {
        q = q.filter(super::reads::unread_condition(scope, super::Reader::of(actor), wanted));
    }
    if let Some(text) = f.search.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        q = q.filter(super::search::condition(db, scope, text).await?);
    }
    Ok(q)
}

/// One page of the inbox (its total is asked separately: `total_count`).
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    f: &InquiryFilter,
    page: &PageRequest,
) -> AppResult<Rows<inquiry::Model, String>> {
    let q = filtered(db, actor, f).await?;
    match f.sort.unwrap_or(InquirySort::NewestActivity) {
        InquirySort::NewestActivity => Ok(paging::keyset(
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
        InquirySort::OldestWaiting => Ok(paging::keyset(
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
    of_scope(db, actor.scope, id).await
}

/// One inquiry of the scope's tenant, for a caller that checked its reader's permission itself
/// (a read shared by several subscribers, `graphql/live_reads.rs`).
pub async fn of_scope(db: &DatabaseConnection, scope: Scope, id: i64) -> AppResult<Option<inquiry::Model>> {
    Ok(scope.get::<inquiry::Entity>(db, id).await?)
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

/// The inquiries about each of several orders, by `(shop, order number)`, newest first (the
/// order page's history, for the dataloader).
pub async fn of_orders(
    db: &DatabaseConnection,
    scope: Scope,
    orders: &[(i64, String)],
) -> AppResult<HashMap<(i64, String), Vec<inquiry::Model>>> {
    let any = orders.iter().fold(Condition::any(), |c, (shop, number)| {
        c.add(
            Condition::all()
                .add(inquiry::Column::ShopId.eq(*shop))
                .add(inquiry::Column::OrderNumber.eq(number.as_str())),
        )
    });
    let rows = scope
        .find::<inquiry::Entity>()
        .filter(any)
        .order_by_desc(inquiry::Column::LastMessageAt)
        .order_by_desc(inquiry::Column::Id)
        .all(db)
        .await?;
    let mut map: HashMap<(i64, String), Vec<inquiry::Model>> = HashMap::new();
    for r in rows {
        if let Some(number) = r.order_number.clone() {
            map.entry((r.shop_id, number)).or_default().push(r);
        }
    }
    Ok(map)
}
