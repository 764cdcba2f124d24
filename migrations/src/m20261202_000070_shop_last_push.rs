//! Shop set-up facts shown on its settings screen: when the shop last received a marketplace
//! push (Rakuten's 問い合わせユーザアクション通知: the registration works), and when its
//! expiring key (Rakuten's licenseKey, au PAY's apiKey) was last saved (its expiry follows),
//! and when `SHOP_NEEDS_ATTENTION` was logged for it (once per saved key).

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000070_shop_last_push"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("shop"))
                .add_column(timestamp_with_time_zone_null(Alias::new("last_push_at")))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Alias::new("shop"))
                .add_column(timestamp_with_time_zone_null(Alias::new("key_saved_at")))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Alias::new("shop"))
                .add_column(timestamp_with_time_zone_null(Alias::new("key_warned_at")))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Alias::new("shop")).drop_column(Alias::new("key_warned_at")).to_owned())
            .await?;
        m.alter_table(Table::alter().table(Alias::new("shop")).drop_column(Alias::new("key_saved_at")).to_owned())
            .await?;
        m.alter_table(Table::alter().table(Alias::new("shop")).drop_column(Alias::new("last_push_at")).to_owned()).await
    }
}
