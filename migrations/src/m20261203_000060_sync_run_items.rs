//! What a run did, line by line (`sync_run_item`: each order or inquiry an import stored, each
//! order an export sent or left out with the rule that kept it out, each buyer an evaluation
//! run rated), and how far a run has come (`sync_run.progress_done` of `progress_total`: the
//! import's windows or the export's pages).

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000060_sync_run_items"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("sync_run"))
                .add_column(integer(Alias::new("progress_done")).default(0))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Alias::new("sync_run"))
                .add_column(integer_null(Alias::new("progress_total")))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("sync_run_item")
                .col(big_pk_auto("id"))
                .col(big_integer("tenant_id"))
                .col(big_integer("run_id"))
                // CREATED | UPDATED | UNCHANGED | SKIPPED | FAILED
                .col(string("outcome"))
                // The order, when it is stored in Madoguchi (a failed import has only its number).
                .col(big_integer_null("order_id"))
                .col(string_null("order_number"))
                .col(big_integer_null("inquiry_id"))
                .col(text_null("reason"))
                .col(timestamp_with_time_zone("at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_sync_run_item_tenant_id")
                        .from(Alias::new("sync_run_item"), Alias::new("tenant_id"))
                        .to(Alias::new("tenant"), Alias::new("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_sync_run_item_run_id")
                        .from(Alias::new("sync_run_item"), Alias::new("run_id"))
                        .to(Alias::new("sync_run"), Alias::new("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_sync_run_item_run")
                .table(Alias::new("sync_run_item"))
                .col(Alias::new("tenant_id"))
                .col(Alias::new("run_id"))
                .col(Alias::new("at"))
                .col(Alias::new("id"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("sync_run_item")).to_owned()).await?;
        m.alter_table(
            Table::alter().table(Alias::new("sync_run")).drop_column(Alias::new("progress_total")).to_owned(),
        )
        .await?;
        m.alter_table(Table::alter().table(Alias::new("sync_run")).drop_column(Alias::new("progress_done")).to_owned())
            .await
    }
}
