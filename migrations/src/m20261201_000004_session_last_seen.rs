//! When each session was last used, so a session left unused ends after the idle timeout.
//! Sessions from before this column count from their sign-in.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000004_session_last_seen"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("session"))
                .add_column(timestamp_with_time_zone_null(Alias::new("last_seen_at")))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Alias::new("session")).drop_column(Alias::new("last_seen_at")).to_owned())
            .await
    }
}
