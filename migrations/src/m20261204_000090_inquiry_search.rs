//! The inbox's full-text search: `inquiry.search_text` holds the inquiry's customer name,
//! subject, order number, marketplace id and every message, normalised by
//! `shared::search_text` (written from then on by the server's `inbox::summarise`), with a
//! trigram index over it — SQLite: the FTS5 table `inquiry_fts` (tokenizer `trigram`, external
//! content `inquiry.search_text`, kept in step by triggers); PostgreSQL: `pg_trgm` and a GIN
//! index. Filled in here for the inquiries there are (in batches, in the migration's
//! transaction, one UPDATE per inquiry; not timed at size).

use std::collections::HashMap;

use sea_orm_migration::sea_orm::{DbBackend, QueryResult};
use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000090_inquiry_search"
    }
}

const BATCH: u64 = 1000;

const SQLITE: [&str; 4] = [
    "CREATE VIRTUAL TABLE inquiry_fts USING fts5(search_text, content='inquiry', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER inquiry_fts_insert AFTER INSERT ON inquiry BEGIN \
     INSERT INTO inquiry_fts (rowid, search_text) VALUES (NEW.id, NEW.search_text); END",
    "CREATE TRIGGER inquiry_fts_delete AFTER DELETE ON inquiry BEGIN \
     INSERT INTO inquiry_fts (inquiry_fts, rowid, search_text) VALUES ('delete', OLD.id, OLD.search_text); END",
    "CREATE TRIGGER inquiry_fts_update AFTER UPDATE OF search_text ON inquiry \
     WHEN OLD.search_text IS NOT NEW.search_text BEGIN \
     INSERT INTO inquiry_fts (inquiry_fts, rowid, search_text) VALUES ('delete', OLD.id, OLD.search_text); \
     INSERT INTO inquiry_fts (rowid, search_text) VALUES (NEW.id, NEW.search_text); END",
];

const POSTGRES: [&str; 2] = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_inquiry_search_text ON inquiry USING gin (search_text gin_trgm_ops)",
];

fn opt_text(r: &QueryResult, col: &str) -> Result<Option<String>, DbErr> {
    r.try_get::<Option<String>>("", col)
}

/// Every inquiry's search text, a batch of inquiries (and their messages) at a time.
async fn fill_in(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = m.get_connection();
    let mut last = 0i64;
    loop {
        let rows = db
            .query_all(
                Query::select()
                    .columns(
                        ["id", "customer_name", "subject", "order_number", "marketplace_inquiry_id"].map(Alias::new),
                    )
                    .from(Alias::new("inquiry"))
                    .and_where(Expr::col(Alias::new("id")).gt(last))
                    .order_by(Alias::new("id"), Order::Asc)
                    .limit(BATCH),
            )
            .await?;
        let Some(end) = rows.last() else { return Ok(()) };
        let end: i64 = end.try_get("", "id")?;
        let messages = db
            .query_all(
                Query::select()
                    .columns(["inquiry_id", "body"].map(Alias::new))
                    .from(Alias::new("message"))
                    .and_where(Expr::col(Alias::new("inquiry_id")).gt(last))
                    .and_where(Expr::col(Alias::new("inquiry_id")).lte(end))
                    .order_by(Alias::new("inquiry_id"), Order::Asc)
                    .order_by(Alias::new("sent_at"), Order::Asc)
                    .order_by(Alias::new("id"), Order::Asc),
            )
            .await?;
        let mut bodies: HashMap<i64, Vec<String>> = HashMap::new();
        for r in &messages {
            bodies.entry(r.try_get("", "inquiry_id")?).or_default().push(r.try_get("", "body")?);
        }
        for r in &rows {
            let id: i64 = r.try_get("", "id")?;
            let (name, subject, number) =
                (opt_text(r, "customer_name")?, opt_text(r, "subject")?, opt_text(r, "order_number")?);
            let mid: String = r.try_get("", "marketplace_inquiry_id")?;
            let doc = shared::search_text::inquiry_document(
                name.as_deref(),
                subject.as_deref(),
                number.as_deref(),
                &mid,
                bodies.get(&id).into_iter().flatten().map(String::as_str),
            );
            db.execute(
                Query::update()
                    .table(Alias::new("inquiry"))
                    .value(Alias::new("search_text"), doc)
                    .and_where(Expr::col(Alias::new("id")).eq(id)),
            )
            .await?;
        }
        last = end;
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// On SQLite too: the column, its contents and the index are made at once.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("inquiry"))
                .add_column(text(Alias::new("search_text")).default(""))
                .to_owned(),
        )
        .await?;
        fill_in(m).await?;
        let db = m.get_connection();
        match m.get_database_backend() {
            DbBackend::Postgres => {
                for sql in POSTGRES {
                    db.execute_unprepared(sql).await?;
                }
            }
            _ => {
                for sql in SQLITE {
                    db.execute_unprepared(sql).await?;
                }
                db.execute_unprepared("INSERT INTO inquiry_fts (inquiry_fts) VALUES ('rebuild')").await?;
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        match m.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared("DROP INDEX ix_inquiry_search_text").await?;
            }
            _ => {
                for t in ["inquiry_fts_insert", "inquiry_fts_delete", "inquiry_fts_update"] {
                    db.execute_unprepared(&format!("DROP TRIGGER {t}")).await?;
                }
                db.execute_unprepared("DROP TABLE inquiry_fts").await?;
            }
        }
        m.alter_table(Table::alter().table(Alias::new("inquiry")).drop_column(Alias::new("search_text")).to_owned())
            .await
    }
}
