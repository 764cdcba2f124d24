//! Two reads that walked a whole table get an index each:
//! - the scheduler's pass reads, for every shop at once, the auto runs created within the
//!   longest interval (`server/src/sync/scheduler.rs`, `AutoRuns`): (trigger, created_at) keeps
//!   that to the last few minutes' runs however long the history is;
//! - the inbox's period filter (`InquiryFilter.from` / `to`, on when an inquiry began) and its counted
//!   `totalCount`: (tenant_id, created_at) reads only the period's inquiries.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000120_scan_indexes"
    }
}

/// (name, table, columns)
const INDEXES: [(&str, &str, &[&str]); 2] = [
    ("ix_sync_run_trigger_created", "sync_run", &["trigger", "created_at"]),
    ("ix_inquiry_tenant_created", "inquiry", &["tenant_id", "created_at", "id"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, columns) in INDEXES {
            let mut index = Index::create();
            index.name(name).table(Alias::new(table));
            for c in columns {
                index.col(Alias::new(*c));
            }
            m.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in INDEXES {
            m.drop_index(Index::drop().name(name).table(Alias::new(table)).to_owned()).await?;
        }
        Ok(())
    }
}
