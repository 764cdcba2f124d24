//! The custom-CSV shop's saved column mapping, and staff accounts that can be switched off
//! (利用停止) without losing who wrote which reply, and the time a reply was claimed for
//! delivery (so a claim left by a process that died is released from the database's view), and
//! where a customer's file waits on the marketplace until it is downloaded.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000002_csv_and_staff"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One ALTER per column: SQLite takes a single change per statement.
        m.alter_table(
            Table::alter().table(Alias::new("shop")).add_column(text_null(Alias::new("csv_mapping"))).to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Alias::new("staff"))
                .add_column(timestamp_with_time_zone_null(Alias::new("disabled_at")))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Alias::new("message"))
                .add_column(timestamp_with_time_zone_null(Alias::new("delivery_claimed_at")))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter().table(Alias::new("attachment")).add_column(text_null(Alias::new("remote_path"))).to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Alias::new("attachment")).drop_column(Alias::new("remote_path")).to_owned())
            .await?;
        m.alter_table(
            Table::alter().table(Alias::new("message")).drop_column(Alias::new("delivery_claimed_at")).to_owned(),
        )
        .await?;
        m.alter_table(Table::alter().table(Alias::new("staff")).drop_column(Alias::new("disabled_at")).to_owned())
            .await?;
        m.alter_table(Table::alter().table(Alias::new("shop")).drop_column(Alias::new("csv_mapping")).to_owned()).await
    }
}
