//! Webhooks: endpoints an admin registers per event type (`webhook`, with its secret sealed by
//! the server key, since it must be opened to sign, and its delivery cursor: the last sequence
//! of the tenant's event log it is done with), and the delivery log (`webhook_delivery`, one row
//! per attempt).

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000050_webhooks"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("webhook")
                .col(big_pk_auto("id"))
                .col(big_integer("tenant_id"))
                .col(text("url"))
                // Comma-separated WebhookEvent codes.
                .col(text("events"))
                .col(text("secret_sealed"))
                .col(string("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                // The last sequence of the tenant's event log this endpoint is done with
                // (delivered, not subscribed, or given up on).
                .col(big_integer("cursor").default(0))
                // Failed attempts on the event after the cursor, and when the next may be made.
                .col(integer("attempts").default(0))
                .col(timestamp_with_time_zone_null("next_attempt_at"))
                // The lease of the process delivering to it (renewed while it works).
                .col(string_null("claimed_by"))
                .col(timestamp_with_time_zone_null("claimed_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_webhook_tenant_id")
                        .from(Alias::new("webhook"), Alias::new("tenant_id"))
                        .to(Alias::new("tenant"), Alias::new("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_webhook_tenant")
                .table(Alias::new("webhook"))
                .col(Alias::new("tenant_id"))
                .col(Alias::new("id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("webhook_delivery")
                .col(big_pk_auto("id"))
                .col(big_integer("tenant_id"))
                .col(big_integer("webhook_id"))
                .col(big_integer("sequence"))
                .col(string("event_type"))
                .col(integer("attempt"))
                // DELIVERED | FAILED | GAVE_UP
                .col(string("result"))
                .col(integer_null("status_code"))
                .col(text_null("error"))
                .col(integer("duration_ms"))
                .col(timestamp_with_time_zone("at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_webhook_delivery_tenant_id")
                        .from(Alias::new("webhook_delivery"), Alias::new("tenant_id"))
                        .to(Alias::new("tenant"), Alias::new("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_webhook_delivery_webhook_id")
                        .from(Alias::new("webhook_delivery"), Alias::new("webhook_id"))
                        .to(Alias::new("webhook"), Alias::new("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_webhook_delivery_webhook")
                .table(Alias::new("webhook_delivery"))
                .col(Alias::new("webhook_id"))
                .col(Alias::new("id"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("webhook_delivery")).to_owned()).await?;
        m.drop_table(Table::drop().table(Alias::new("webhook")).to_owned()).await
    }
}
