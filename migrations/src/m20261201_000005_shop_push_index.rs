//! The Rakuten push finds its shop by an index instead of opening every shop's credentials:
//! `shop.push_index` is the SHA-256 (hex) of the RMS shop id and the push key
//! (`shops::push_index`), written whenever a shop's credentials are saved; `""` for a shop
//! without a push key. Shops saved before this migration get theirs on the first push.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000005_shop_push_index"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter().table(Alias::new("shop")).add_column(string_null(Alias::new("push_index"))).to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_shop_push_index")
                .table(Alias::new("shop"))
                .col(Alias::new("push_index"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("idx_shop_push_index").table(Alias::new("shop")).to_owned()).await?;
        m.alter_table(Table::alter().table(Alias::new("shop")).drop_column(Alias::new("push_index")).to_owned()).await
    }
}
