//! A run's heartbeat: the process working on a QUEUED or RUNNING run renews it, so a run whose
//! process died (a crash, a kill) is recognised and marked as cut off instead of showing as
//! running for ever.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000007_sync_run_heartbeat"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("sync_run"))
                .add_column(timestamp_with_time_zone_null(Alias::new("heartbeat_at")))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Alias::new("sync_run")).drop_column(Alias::new("heartbeat_at")).to_owned())
            .await
    }
}
