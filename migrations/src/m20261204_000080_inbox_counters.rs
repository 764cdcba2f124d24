//! The inbox's counts kept in step: one `inbox_count` row per (shop, marketplace) with how many
//! of its inquiries are 返信が必要, 返信済み and 対応完了, and how many open ones carry a failed
//! reply (`status = 'NEEDS_REPLY' AND reply_failed`). Triggers on `inquiry` move the counts in
//! the statement that changes the row — inserts, deletes, and updates of `status`,
//! `reply_failed`, `shop_id` or `marketplace` — so every write path, present or future, keeps
//! them right in its own transaction: `n = n + delta` on the counter row, whose row lock
//! (PostgreSQL) or the single writer (SQLite) orders concurrent changes. Filled in from the
//! inquiries there are, in the same transaction as the triggers are made (on PostgreSQL with
//! writes to `inquiry` held off until then), so none is counted twice or missed.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000080_inbox_counters"
    }
}

fn fk(column: &str, table: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_inbox_count_{column}"))
        .from(Alias::new("inbox_count"), Alias::new(column))
        .to(Alias::new(table), Alias::new("id"))
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

/// The counted columns, each with the inquiry's condition (`{r}` is NEW or OLD).
const COUNTED: [(&str, &str); 4] = [
    ("needs_reply", "{r}.status = 'NEEDS_REPLY'"),
    ("replied", "{r}.status = 'REPLIED'"),
    ("completed", "{r}.status = 'COMPLETED'"),
    ("failed", "{r}.status = 'NEEDS_REPLY' AND {r}.reply_failed"),
];

/// `INSERT … ON CONFLICT DO UPDATE` that adds `sign` × the row's counts to its counter row.
fn upsert(row: &str, sign: &str) -> String {
    let values: Vec<String> = COUNTED
        .iter()
        .map(|(_, cond)| format!("{sign} * (CASE WHEN {} THEN 1 ELSE 0 END)", cond.replace("{r}", row)))
        .collect();
    let sets: Vec<String> = COUNTED.iter().map(|(c, _)| format!("{c} = inbox_count.{c} + excluded.{c}")).collect();
    format!(
        "INSERT INTO inbox_count (tenant_id, shop_id, marketplace, needs_reply, replied, completed, failed) \
         VALUES ({row}.tenant_id, {row}.shop_id, {row}.marketplace, {}) \
         ON CONFLICT (shop_id, marketplace) DO UPDATE SET {}",
        values.join(", "),
        sets.join(", ")
    )
}

const MOVED: &str = "OLD.status IS DISTINCT FROM NEW.status OR OLD.reply_failed IS DISTINCT FROM NEW.reply_failed \
     OR OLD.shop_id IS DISTINCT FROM NEW.shop_id OR OLD.marketplace IS DISTINCT FROM NEW.marketplace";

fn sqlite_triggers() -> Vec<String> {
    let moved = MOVED.replace("IS DISTINCT FROM", "IS NOT");
    vec![
        format!("CREATE TRIGGER inbox_count_insert AFTER INSERT ON inquiry BEGIN {}; END", upsert("NEW", "1")),
        format!("CREATE TRIGGER inbox_count_delete AFTER DELETE ON inquiry BEGIN {}; END", upsert("OLD", "-1")),
        format!(
            "CREATE TRIGGER inbox_count_update AFTER UPDATE OF status, reply_failed, shop_id, marketplace ON inquiry \
             WHEN {moved} BEGIN {}; {}; END",
            upsert("OLD", "-1"),
            upsert("NEW", "1")
        ),
    ]
}

fn postgres_triggers() -> Vec<String> {
    vec![
        "LOCK TABLE inquiry IN SHARE ROW EXCLUSIVE MODE".to_owned(),
        format!(
            "CREATE FUNCTION inbox_count_move() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             IF TG_OP <> 'INSERT' THEN {}; END IF; \
             IF TG_OP <> 'DELETE' THEN {}; END IF; \
             RETURN NULL; END $$",
            upsert("OLD", "-1"),
            upsert("NEW", "1")
        ),
        "CREATE TRIGGER inbox_count_insert_delete AFTER INSERT OR DELETE ON inquiry \
         FOR EACH ROW EXECUTE FUNCTION inbox_count_move()"
            .to_owned(),
        format!(
            "CREATE TRIGGER inbox_count_update AFTER UPDATE ON inquiry FOR EACH ROW WHEN ({MOVED}) \
             EXECUTE FUNCTION inbox_count_move()"
        ),
    ]
}

fn backfill() -> String {
    let sums: Vec<String> = COUNTED
        .iter()
        .map(|(_, cond)| format!("SUM(CASE WHEN {} THEN 1 ELSE 0 END)", cond.replace("{r}", "i")))
        .collect();
    format!(
        "INSERT INTO inbox_count (tenant_id, shop_id, marketplace, needs_reply, replied, completed, failed) \
         SELECT i.tenant_id, i.shop_id, i.marketplace, {} FROM inquiry i GROUP BY i.tenant_id, i.shop_id, i.marketplace",
        sums.join(", ")
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// On SQLite too: the triggers and the counts they start from are made at once.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("inbox_count")
                .col(big_pk_auto("id"))
                .col(big_integer("tenant_id"))
                .col(big_integer("shop_id"))
                .col(string("marketplace"))
                .col(big_integer("needs_reply").default(0))
                .col(big_integer("replied").default(0))
                .col(big_integer("completed").default(0))
                .col(big_integer("failed").default(0))
                .foreign_key(&mut fk("tenant_id", "tenant"))
                .foreign_key(&mut fk("shop_id", "shop"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_inbox_count_shop_marketplace")
                .table(Alias::new("inbox_count"))
                .col(Alias::new("shop_id"))
                .col(Alias::new("marketplace"))
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_inbox_count_tenant")
                .table(Alias::new("inbox_count"))
                .col(Alias::new("tenant_id"))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        let triggers = match m.get_database_backend() {
            DbBackend::Postgres => postgres_triggers(),
            _ => sqlite_triggers(),
        };
        for sql in triggers {
            db.execute_unprepared(&sql).await?;
        }
        db.execute_unprepared(&backfill()).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        match m.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared("DROP TRIGGER inbox_count_insert_delete ON inquiry").await?;
                db.execute_unprepared("DROP TRIGGER inbox_count_update ON inquiry").await?;
                db.execute_unprepared("DROP FUNCTION inbox_count_move()").await?;
            }
            _ => {
                for t in ["inbox_count_insert", "inbox_count_delete", "inbox_count_update"] {
                    db.execute_unprepared(&format!("DROP TRIGGER {t}")).await?;
                }
            }
        }
        m.drop_table(Table::drop().table(Alias::new("inbox_count")).to_owned()).await
    }
}
