//! The inbox's text search over `inquiry.search_text` (customer name, subject, order number,
//! marketplace id and every message, normalised by `shared::search_text`; written by
//! `summarise`). A search of three characters or more (after normalising) asks the trigram
//! index: SQLite's FTS5 table `inquiry_fts` (a phrase, which the trigram tokenizer matches as a
//! substring), PostgreSQL's pg_trgm GIN index (`LIKE '%…%'`). Shorter ones cannot use a trigram
//! index: they look through the [`SHORT_SEARCH_SCAN`] most recently active inquiries only.

use sea_orm::sea_query::{Expr, ExprTrait, Query, SimpleExpr};
use sea_orm::{ColumnTrait, DbBackend, Order};

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

/// The inquiries whose search text holds what was typed (none when nothing searchable was).
pub(crate) fn condition(backend: DbBackend, scope: Scope, typed: &str) -> SimpleExpr {
    let Some(q) = shared::search_text::query(typed) else {
        return Expr::cust("1 = 0");
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
            .and_where(Expr::col(inquiry::Column::SearchText).like(like))
            .to_owned();
        return inquiry::Column::Id.in_subquery(matching);
    }
    match backend {
        DbBackend::Sqlite => {
            let phrase = format!("\"{}\"", q.text.replace('"', "\"\""));
            Expr::cust_with_values(
                "\"inquiry\".\"id\" IN (SELECT rowid FROM inquiry_fts WHERE inquiry_fts MATCH ?)",
                [phrase],
            )
        }
        _ => Expr::col((inquiry::Entity, inquiry::Column::SearchText)).like(like),
    }
}
