//! An inquiry whose latest reply failed to send is 返信が必要 again: the flag the inbox lists
//! and counts by (`inquiry.reply_failed`), filled in for the inquiries that have one already,
//! and their stored status recomputed by the rule of `shared::inquiry::status`.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000006_reply_failed"
    }
}

/// Inquiries whose latest shop message is `FAILED`.
const LATEST_REPLY_FAILED: &str = "EXISTS (SELECT 1 FROM message m WHERE m.inquiry_id = inquiry.id \
     AND m.author = 'SHOP' AND m.delivery = 'FAILED' AND NOT EXISTS (SELECT 1 FROM message n \
     WHERE n.inquiry_id = m.inquiry_id AND n.author = 'SHOP' \
     AND (n.sent_at > m.sent_at OR (n.sent_at = m.sent_at AND n.id > m.id))))";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("inquiry"))
                .add_column(boolean(Alias::new("reply_failed")).default(false))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        db.execute_unprepared(&format!("UPDATE inquiry SET reply_failed = TRUE WHERE {LATEST_REPLY_FAILED}")).await?;
        db.execute_unprepared("UPDATE inquiry SET status = 'NEEDS_REPLY' WHERE reply_failed AND NOT completed").await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared(
            "UPDATE inquiry SET status = 'REPLIED' WHERE reply_failed AND NOT completed AND last_author = 'SHOP'",
        )
        .await?;
        m.alter_table(Table::alter().table(Alias::new("inquiry")).drop_column(Alias::new("reply_failed")).to_owned())
            .await
    }
}
