//! The event log: every inbox and order change, and every finished sync run, as a row with a
//! per-tenant sequence that has no gaps in commit order (`server/src/event_log.rs`). The
//! sequence comes from the tenant's row in `tenant_event_counter`, taken in the transaction of
//! the change; `purged_through` is the highest sequence retention has deleted, so a cursor
//! older than what is kept is refused rather than silently missing events.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000040_event_log"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("tenant_event_counter")
                .col(big_integer("tenant_id").primary_key())
                .col(big_integer("last_sequence").default(0))
                .col(big_integer("purged_through").default(0))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_tenant_event_counter_tenant_id")
                        .from(Alias::new("tenant_event_counter"), Alias::new("tenant_id"))
                        .to(Alias::new("tenant"), Alias::new("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("event_log")
                .col(big_pk_auto("id"))
                .col(big_integer("tenant_id"))
                .col(big_integer("sequence"))
                .col(string("event_type"))
                .col(big_integer_null("shop_id"))
                .col(big_integer("subject_id"))
                .col(timestamp_with_time_zone("occurred_at"))
                .col(text("data"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_event_log_tenant_id")
                        .from(Alias::new("event_log"), Alias::new("tenant_id"))
                        .to(Alias::new("tenant"), Alias::new("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_event_log_tenant_sequence")
                .table(Alias::new("event_log"))
                .col(Alias::new("tenant_id"))
                .col(Alias::new("sequence"))
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_event_log_occurred_at")
                .table(Alias::new("event_log"))
                .col(Alias::new("occurred_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("event_log")).to_owned()).await?;
        m.drop_table(Table::drop().table(Alias::new("tenant_event_counter")).to_owned()).await
    }
}
