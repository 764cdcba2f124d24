//! 返信が必要 counts: in total, per shop, per marketplace, and the open inquiries whose reply
//! failed — read from `inbox_count`, which triggers on `inquiry` keep in step in the
//! transaction of every change (migration m20261204_000080), so a read is one small query per
//! table however many inquiries there are. [`recount`] counts the inquiries themselves (the
//! tests compare the two).

use std::collections::BTreeMap;

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, FromQueryResult, QueryFilter, QueryOrder};
use shared::{InquiryStatus, Marketplace};

use crate::error::AppResult;
use crate::store::Scope;
use crate::store::entities::{inbox_count, inquiry, shop};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboxCounts {
    pub needs_reply: i64,
    /// Open inquiries whose latest reply failed to send.
    pub failed_deliveries: i64,
    /// Every shop of the tenant, with zero where nothing waits.
    pub by_shop: Vec<(shop::Model, i64)>,
    /// Every marketplace the tenant has a shop on, with zero where nothing waits.
    pub by_marketplace: Vec<(Marketplace, i64)>,
}

/// The counter rows of a tenant (one per shop and marketplace that has had an inquiry).
pub(crate) async fn counter_rows(
    db: &impl ConnectionTrait,
    scope: Scope,
    shop_id: Option<i64>,
    marketplace: Option<Marketplace>,
) -> AppResult<Vec<inbox_count::Model>> {
    let mut q = scope.find::<inbox_count::Entity>();
    if let Some(id) = shop_id {
        q = q.filter(inbox_count::Column::ShopId.eq(id));
    }
    if let Some(m) = marketplace {
        q = q.filter(inbox_count::Column::Marketplace.eq(inbox_count::Marketplace::from(m)));
    }
    Ok(q.all(db).await?)
}

/// How many inquiries of a counter row are in `status` (any status: all of them).
pub(crate) fn counted(row: &inbox_count::Model, status: Option<InquiryStatus>) -> i64 {
    match status {
        Some(InquiryStatus::NeedsReply) => row.needs_reply,
        Some(InquiryStatus::Replied) => row.replied,
        Some(InquiryStatus::Completed) => row.completed,
        None => row.needs_reply + row.replied + row.completed,
    }
}

pub async fn counts(db: &DatabaseConnection, scope: Scope) -> AppResult<InboxCounts> {
    let rows = counter_rows(db, scope, None, None).await?;
    let shops = scope.find::<shop::Entity>().order_by_asc(shop::Column::Id).all(db).await?;
    let mut per_marketplace: BTreeMap<Marketplace, i64> =
        shops.iter().map(|s| (Marketplace::from(s.marketplace), 0)).collect();
    for r in &rows {
        *per_marketplace.entry(r.marketplace.into()).or_default() += r.needs_reply;
    }
    let by_shop: Vec<_> = shops
        .into_iter()
        .map(|s| {
            let n = rows.iter().filter(|r| r.shop_id == s.id).map(|r| r.needs_reply).sum();
            (s, n)
        })
        .collect();
    Ok(InboxCounts {
        needs_reply: rows.iter().map(|r| r.needs_reply).sum(),
        failed_deliveries: rows.iter().map(|r| r.failed).sum(),
        by_shop,
        by_marketplace: per_marketplace.into_iter().collect(),
    })
}

/// 返信が必要 of one shop.
pub async fn needs_reply_count(db: &DatabaseConnection, scope: Scope, shop_id: i64) -> AppResult<u64> {
    let rows = counter_rows(db, scope, Some(shop_id), None).await?;
    Ok(u64::try_from(rows.iter().map(|r| r.needs_reply).sum::<i64>()).unwrap_or(0))
}

/// The counts of one (shop, marketplace): 返信が必要, 返信済み, 対応完了, failed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub needs_reply: i64,
    pub replied: i64,
    pub completed: i64,
    pub failed: i64,
}

#[derive(FromQueryResult)]
struct TallyRow {
    shop_id: i64,
    marketplace: String,
    status: String,
    reply_failed: bool,
    n: i64,
}

/// The counts per (shop id, marketplace code) as `inbox_count` should hold them, counted from
/// the inquiries (a full scan: for tests and checks, never a page).
pub async fn recount(db: &DatabaseConnection, scope: Scope) -> AppResult<BTreeMap<(i64, String), Tally>> {
    let q = Query::select()
        .columns([
            inquiry::Column::ShopId,
            inquiry::Column::Marketplace,
            inquiry::Column::Status,
            inquiry::Column::ReplyFailed,
        ])
        .expr_as(Expr::col(inquiry::Column::Id).count(), "n")
        .from(inquiry::Entity)
        .and_where(inquiry::Column::TenantId.eq(scope.tenant_id()))
        .group_by_columns([
            inquiry::Column::ShopId,
            inquiry::Column::Marketplace,
            inquiry::Column::Status,
            inquiry::Column::ReplyFailed,
        ])
        .to_owned();
    let rows = TallyRow::find_by_statement(db.get_database_backend().build(&q)).all(db).await?;
    let mut out: BTreeMap<(i64, String), Tally> = BTreeMap::new();
    for r in rows {
        let t = out.entry((r.shop_id, r.marketplace)).or_default();
        match InquiryStatus::parse(&r.status) {
            Some(InquiryStatus::NeedsReply) => {
                t.needs_reply += r.n;
                if r.reply_failed {
                    t.failed += r.n;
                }
            }
            Some(InquiryStatus::Replied) => t.replied += r.n,
            _ => t.completed += r.n,
        }
    }
    Ok(out)
}

/// What `inbox_count` holds, in the shape of [`recount`] (rows of all zeros left out).
pub async fn counters(db: &DatabaseConnection, scope: Scope) -> AppResult<BTreeMap<(i64, String), Tally>> {
    let rows = counter_rows(db, scope, None, None).await?;
    Ok(rows
        .into_iter()
        .filter(|r| (r.needs_reply, r.replied, r.completed, r.failed) != (0, 0, 0, 0))
        .map(|r| {
            let code = Marketplace::from(r.marketplace).as_str().to_owned();
            let t = Tally { needs_reply: r.needs_reply, replied: r.replied, completed: r.completed, failed: r.failed };
            ((r.shop_id, code), t)
        })
        .collect())
}
