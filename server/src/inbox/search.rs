//! The inbox's text search over `inquiry.search_text` (customer name, subject, order number,
//! marketplace id and every message, normalised by `shared::search_text`; written by
//! `summarise`). A search of three characters or more (after normalising) asks the trigram
//! index: SQLite's FTS5 table `inquiry_fts` (a phrase, which the trigram tokenizer matches as a
//! substring), PostgreSQL's pg_trgm GIN index (`LIKE '%…%'`). Shorter ones cannot use a trigram
//! index: they look through the [`SHORT_SEARCH_SCAN`] most recently active inquiries only.
//!
//! On SQLite the plan is chosen here: the index is asked first how many inquiries match (no
//! more than [`FEW`]); few are read by id (then sorted), many by walking the inbox's own order
//! and keeping those that match (`+id`: SQLite may not use the id for that), which finds a
//! page of them long before the end. The statistics SQLite plans with are taken at start
//! (`store::connect`).

use sea_orm::sea_query::{Expr, ExprTrait, Func, Query, SimpleExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, Order, Statement};

use crate::error::AppResult;

use crate::store::Scope;
use crate::store::entities::{inquiry, message};

/// How many of the most recently active inquiries a 1–2 character search looks through.
pub const SHORT_SEARCH_SCAN: u64 = 10_000;

/// The stored search text of `row` with its thread (oldest first).
pub(crate) fn document(row: &inquiry::Model, thread: &[message::Model]) -> String {
    shared::search_text::inquiry_document(
        row.customer_name.as_deref(),
        row.subject.as_deref(),
        row.order_number.as_deref(),
        &row.marketplace_inquiry_id,
        thread.iter().map(|m| m.body.as_str()),
    )
}

/// Up to this many matches (SQLite) are read by id; more, in the inbox's order.
pub const FEW: u64 = 2_000;

/// How many rows (up to `FEW + 1`) of every tenant's match the FTS phrase.
async fn sqlite_matches(db: &impl ConnectionTrait, phrase: &str) -> AppResult<u64> {
    let sql = "SELECT COUNT(*) AS n FROM (SELECT rowid FROM inquiry_fts WHERE inquiry_fts MATCH ? LIMIT ?)";
    let stmt = Statement::from_sql_and_values(DbBackend::Sqlite, sql, [phrase.into(), ((FEW + 1) as i64).into()]);
    let n: i64 = match db.query_one_raw(stmt).await? {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The inquiries whose search text holds what was typed (none when nothing searchable was).
pub(crate) async fn condition(db: &impl ConnectionTrait, scope: Scope, typed: &str) -> AppResult<SimpleExpr> {
    let backend = db.get_database_backend();
    let Some(q) = shared::search_text::query(typed) else {
        return Ok(Expr::cust("1 = 0"));
    };
    let like = super::contains(&q.text);
    if !q.indexed {
        let recent = Query::select()
            .column(inquiry::Column::Id)
            .from(inquiry::Entity)
            .and_where(inquiry::Column::TenantId.eq(scope.tenant_id()))
            .order_by(inquiry::Column::LastMessageAt, Order::Desc)
            .order_by(inquiry::Column::Id, Order::Desc)
            .limit(SHORT_SEARCH_SCAN)
            .to_owned();
        let matching = Query::select()
            .column(inquiry::Column::Id)
            .from(inquiry::Entity)
            .and_where(inquiry::Column::Id.in_subquery(recent))
            // COALESCE: not the trigram index, which has nothing to narrow 1–2 characters by
            // and would read all of it (pg_trgm); the 10,000 rows are read instead.
            .and_where(
                Expr::expr(Func::coalesce([
                    SimpleExpr::from(Expr::col(inquiry::Column::SearchText)),
                    SimpleExpr::from(Expr::val("")),
                ]))
                .like(like.clone()),
            )
            .to_owned();
        return Ok(inquiry::Column::Id.in_subquery(matching));
    }
    match backend {
        DbBackend::Sqlite => {
            let phrase = format!("\"{}\"", q.text.replace('"', "\"\""));
            let id =
                if sqlite_matches(db, &phrase).await? > FEW { "+\"inquiry\".\"id\"" } else { "\"inquiry\".\"id\"" };
            let sql = format!("{id} IN (SELECT rowid FROM inquiry_fts WHERE inquiry_fts MATCH ?)");
            Ok(Expr::cust_with_values(sql, [phrase]))
        }
        _ => Ok(Expr::col((inquiry::Entity, inquiry::Column::SearchText)).like(like)),
    }
}
