//! The scheduler's pass reads, for every shop at once, the auto runs created within the longest
//! interval (`server/src/sync/scheduler.rs`, `AutoRuns`): an index on (trigger, created_at)
//! keeps that read to the last few minutes' runs however long the history is.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000120_sync_run_auto_recent"
    }
}

const INDEX: &str = "ix_sync_run_trigger_created";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name(INDEX)
                .table(Alias::new("sync_run"))
                .col(Alias::new("trigger"))
                .col(Alias::new("created_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name(INDEX).table(Alias::new("sync_run")).to_owned()).await
    }
}
