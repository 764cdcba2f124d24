//! The inbox's `totalCount`, asked only when a query selects it: from the counters
//! (`inbox_count`) when the filter is at most a status, a shop and a marketplace — the inbox's
//! own tabs — so it costs the same at any size; otherwise counted, but no further than
//! [`COUNT_LIMIT`] (then said to be capped).

use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, QuerySelect, QueryTrait};

use super::counts::{counted, counter_rows};
use super::listing::{InquiryFilter, filtered};
use crate::auth::Actor;
use crate::error::AppResult;
use crate::store::entities::inquiry;

/// How far a count that the counters cannot answer goes.
pub const COUNT_LIMIT: u64 = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Total {
    /// Exact, or [`COUNT_LIMIT`] when `capped`.
    pub count: u64,
    /// There are more than [`COUNT_LIMIT`].
    pub capped: bool,
}

/// Whether the counters answer this filter: nothing but status, shop and marketplace.
fn counters_answer(f: &InquiryFilter) -> bool {
    let InquiryFilter {
        status: _,
        shop_id: _,
        marketplace: _,
        search,
        from,
        to,
        assignee_id,
        unassigned,
        unread,
        sort: _,
    } = f;
    search.as_deref().is_none_or(|s| s.trim().is_empty())
        && from.is_none()
        && to.is_none()
        && assignee_id.is_none()
        && !unassigned
        && unread.is_none()
}

/// How many inquiries pass the filter.
pub async fn total_count(db: &DatabaseConnection, actor: &Actor, f: &InquiryFilter) -> AppResult<Total> {
    let select = filtered(db, actor, f).await?;
    if counters_answer(f) {
        let rows = counter_rows(db, actor.scope, f.shop_id, f.marketplace).await?;
        let n: i64 = rows.iter().map(|r| counted(r, f.status)).sum();
        return Ok(Total { count: u64::try_from(n).unwrap_or(0), capped: false });
    }
    let first = select.select_only().column(inquiry::Column::Id).limit(COUNT_LIMIT + 1).into_query();
    let q = Query::select()
        .expr_as(Expr::col(Asterisk).count(), "n")
        .from_subquery(first, Alias::new("counted"))
        .to_owned();
    let n: i64 = match db.query_one(&q).await? {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    let n = u64::try_from(n).unwrap_or(0);
    Ok(if n > COUNT_LIMIT { Total { count: COUNT_LIMIT, capped: true } } else { Total { count: n, capped: false } })
}
