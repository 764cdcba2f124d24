//! Each shop's rate budget at each marketplace, shared by every server process on one
//! PostgreSQL database: per shop and limited operation, the time (ms since the epoch) from
//! which its next request slot is free (`connectors::pace::reserve_slot`). SQLite (one
//! process) paces in memory and leaves the table empty.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261205_000110_rate_budget"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Alias::new("rate_budget"))
                .if_not_exists()
                .col(big_integer(Alias::new("shop_id")))
                .col(string(Alias::new("name")))
                .col(big_integer(Alias::new("tat_ms")))
                .primary_key(Index::create().col(Alias::new("shop_id")).col(Alias::new("name")))
                .foreign_key(
                    ForeignKey::create()
                        .from(Alias::new("rate_budget"), Alias::new("shop_id"))
                        .to(Alias::new("shop"), Alias::new("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("rate_budget")).to_owned()).await
    }
}
