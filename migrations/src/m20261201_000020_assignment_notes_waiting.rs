//! Teams: who an inquiry is assigned to (and who assigned it), internal notes that are never
//! sent to a customer, and since when the customer has been waiting (`waiting_since`, written
//! by `inbox::summarise` like the status) with the index the 「待ち時間の長い順」 sort reads.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000020_assignment_notes_waiting"
    }
}

/// The first customer message of an open inquiry that no shop reply (other than a failed one)
/// answered — the rule of `inbox::summarise`.
const WAITING_SINCE: &str = "UPDATE inquiry SET waiting_since = (SELECT MIN(m.sent_at) FROM message m \
     WHERE m.inquiry_id = inquiry.id AND m.author = 'CUSTOMER' AND NOT EXISTS (SELECT 1 FROM message s \
     WHERE s.inquiry_id = m.inquiry_id AND s.author = 'SHOP' AND s.delivery <> 'FAILED' \
     AND s.sent_at >= m.sent_at)) WHERE NOT completed";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("inquiry"))
                .add_column(big_integer_null(Alias::new("assignee_id")))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter().table(Alias::new("inquiry")).add_column(string_null(Alias::new("assigned_by"))).to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Alias::new("inquiry"))
                .add_column(timestamp_with_time_zone_null(Alias::new("assigned_at")))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Alias::new("inquiry"))
                .add_column(timestamp_with_time_zone_null(Alias::new("waiting_since")))
                .to_owned(),
        )
        .await?;
        m.get_connection().execute_unprepared(WAITING_SINCE).await?;
        m.create_index(
            Index::create()
                .name("ix_inquiry_waiting")
                .table(Alias::new("inquiry"))
                .col(Alias::new("tenant_id"))
                .col(Alias::new("waiting_since"))
                .col(Alias::new("id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_inquiry_assignee")
                .table(Alias::new("inquiry"))
                .col(Alias::new("tenant_id"))
                .col(Alias::new("assignee_id"))
                .col(Alias::new("last_message_at"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("inquiry_note")
                .col(big_pk_auto("id"))
                .col(big_integer("tenant_id"))
                .col(big_integer("inquiry_id"))
                .col(text("body"))
                .col(big_integer_null("author_staff_id"))
                .col(string("author_name"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_inquiry_note_tenant_id")
                        .from(Alias::new("inquiry_note"), Alias::new("tenant_id"))
                        .to(Alias::new("tenant"), Alias::new("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_inquiry_note_inquiry_id")
                        .from(Alias::new("inquiry_note"), Alias::new("inquiry_id"))
                        .to(Alias::new("inquiry"), Alias::new("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_inquiry_note_inquiry")
                .table(Alias::new("inquiry_note"))
                .col(Alias::new("inquiry_id"))
                .col(Alias::new("created_at"))
                .col(Alias::new("id"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("inquiry_note")).to_owned()).await?;
        m.drop_index(Index::drop().name("ix_inquiry_assignee").table(Alias::new("inquiry")).to_owned()).await?;
        m.drop_index(Index::drop().name("ix_inquiry_waiting").table(Alias::new("inquiry")).to_owned()).await?;
        for c in ["waiting_since", "assigned_at", "assigned_by", "assignee_id"] {
            m.alter_table(Table::alter().table(Alias::new("inquiry")).drop_column(Alias::new(c)).to_owned()).await?;
        }
        Ok(())
    }
}
