//! Runs become jobs of a queue shared by every process (`server/src/sync/queue.rs`): a run
//! records which process claimed it (`claimed_by`), how many times it was claimed
//! (`attempts`: a run whose process stopped goes back to the queue up to three times), not
//! before when it may be claimed (`not_before`) and the period a manual run asked for
//! (`window_from` / `window_to`; null: the shop's days up to when it runs). An index serves the
//! claim (the oldest QUEUED run) and one the scheduler (the last auto run of a shop and kind).
//! A shop may have its own auto interval (`shop.auto_interval_seconds`; null: its
//! marketplace's default, `shared::sync_interval`).

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261205_000100_sync_jobs"
    }
}

const RUN_COLUMNS: [&str; 5] = ["attempts", "claimed_by", "not_before", "window_from", "window_to"];

fn add(table: &str, col: ColumnDef) -> TableAlterStatement {
    Table::alter().table(Alias::new(table)).add_column(col).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        m.alter_table(add("sync_run", integer(Alias::new("attempts")).default(0).to_owned())).await?;
        m.alter_table(add("sync_run", string_null(Alias::new("claimed_by")))).await?;
        for c in ["not_before", "window_from", "window_to"] {
            m.alter_table(add("sync_run", timestamp_with_time_zone_null(Alias::new(c)))).await?;
        }
        m.alter_table(add("shop", integer_null(Alias::new("auto_interval_seconds")))).await?;
        m.create_index(
            Index::create()
                .name("ix_sync_run_queue")
                .table(Alias::new("sync_run"))
                .col(Alias::new("state"))
                .col(Alias::new("id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_sync_run_shop_kind_created")
                .table(Alias::new("sync_run"))
                .col(Alias::new("shop_id"))
                .col(Alias::new("kind"))
                .col(Alias::new("created_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_sync_run_shop_kind_created").table(Alias::new("sync_run")).to_owned())
            .await?;
        m.drop_index(Index::drop().name("ix_sync_run_queue").table(Alias::new("sync_run")).to_owned()).await?;
        m.alter_table(
            Table::alter().table(Alias::new("shop")).drop_column(Alias::new("auto_interval_seconds")).to_owned(),
        )
        .await?;
        for c in RUN_COLUMNS.iter().rev() {
            m.alter_table(Table::alter().table(Alias::new("sync_run")).drop_column(Alias::new(*c)).to_owned()).await?;
        }
        Ok(())
    }
}
