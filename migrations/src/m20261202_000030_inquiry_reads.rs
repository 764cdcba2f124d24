//! 未読: when each reader last opened an inquiry. One row per (inquiry, staff member) — or, for
//! an API token, per (inquiry, token) — holding the newest customer message there was then
//! (`seen_message_id`, 0 when there was none). An inquiry is unread for a reader when it has a
//! customer message newer than that (or any customer message and no row).

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000030_inquiry_reads"
    }
}

fn fk(column: &str, table: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_inquiry_read_{column}"))
        .from(Alias::new("inquiry_read"), Alias::new(column))
        .to(Alias::new(table), Alias::new("id"))
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("inquiry_read")
                .col(big_pk_auto("id"))
                .col(big_integer("tenant_id"))
                .col(big_integer("inquiry_id"))
                .col(big_integer_null("staff_id"))
                .col(big_integer_null("api_token_id"))
                .col(big_integer("seen_message_id"))
                .col(timestamp_with_time_zone("read_at"))
                .foreign_key(&mut fk("tenant_id", "tenant"))
                .foreign_key(&mut fk("inquiry_id", "inquiry"))
                .foreign_key(&mut fk("staff_id", "staff"))
                .foreign_key(&mut fk("api_token_id", "api_token"))
                .to_owned(),
        )
        .await?;
        // NULLs are distinct in both databases: a staff row never collides with a token row.
        for (name, column) in [("ix_inquiry_read_staff", "staff_id"), ("ix_inquiry_read_token", "api_token_id")] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(Alias::new("inquiry_read"))
                    .col(Alias::new("inquiry_id"))
                    .col(Alias::new(column))
                    .unique()
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("inquiry_read")).to_owned()).await
    }
}
