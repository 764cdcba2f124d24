//! The initial schema: tenants, staff, sessions, API tokens, shops, orders, inquiries,
//! messages, attachments, templates and sync runs.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000001_initial"
    }
}

/// A foreign key from `table.column` to `target.id`, deleting the child with its parent.
fn owned_by(table: &str, column: &str, target: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(Alias::new(table), Alias::new(column))
        .to(Alias::new(target), Alias::new("id"))
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn tenant_fk(table: &str) -> ForeignKeyCreateStatement {
    owned_by(table, "tenant_id", "tenant")
}

async fn index(m: &SchemaManager<'_>, table: &str, name: &str, cols: &[&str], unique: bool) -> Result<(), DbErr> {
    let mut idx = Index::create();
    idx.name(format!("ix_{table}_{name}")).table(Alias::new(table));
    for c in cols {
        idx.col(Alias::new(*c));
    }
    if unique {
        idx.unique();
    }
    m.create_index(idx.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("tenant")
                .col(big_pk_auto("id"))
                .col(string("name"))
                .col(boolean("api_option").default(false))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("staff")
                .col(big_pk_auto("id"))
                .col(big_integer("tenant_id"))
                .col(string_uniq("email"))
                .col(string("name"))
                .col(string("role"))
                .col(string("password_hash"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut tenant_fk("staff"))
                .to_owned(),
        )
        .await?;
        index(m, "staff", "tenant", &["tenant_id"], false).await?;

        m.create_table(
            Table::create()
                .table("session")
                .col(big_pk_auto("id"))
                .col(big_integer("tenant_id"))
                .col(big_integer("staff_id"))
                .col(string_uniq("token_hash"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .foreign_key(&mut tenant_fk("session"))
                .foreign_key(&mut owned_by("session", "staff_id", "staff"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("api_token")
                .col(big_pk_auto("id"))
                .col(big_integer("tenant_id"))
                .col(string("name"))
                .col(string_uniq("token_hash"))
                .col(string("scopes"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("last_used_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .foreign_key(&mut tenant_fk("api_token"))
                .to_owned(),
        )
        .await?;
        index(m, "api_token", "tenant", &["tenant_id"], false).await?;

        m.create_table(
            Table::create()
                .table("shop")
                .col(big_pk_auto("id"))
                .col(big_integer("tenant_id"))
                .col(string("marketplace"))
                .col(string("name"))
                .col(string("mall_shop_name"))
                .col(string("staff_name"))
                .col(string("phone"))
                .col(string("email"))
                .col(string_null("api_base_url"))
                .col(integer("import_days"))
                .col(boolean("auto_import"))
                .col(boolean("auto_export"))
                .col(text_null("review_message"))
                .col(string_null("registered_email"))
                .col(text_null("credentials_sealed"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut tenant_fk("shop"))
                .to_owned(),
        )
        .await?;
        index(m, "shop", "tenant", &["tenant_id"], false).await?;

        m.create_table(
            Table::create()
                .table("order")
                .col(big_pk_auto("id"))
                .col(big_integer("tenant_id"))
                .col(big_integer("shop_id"))
                .col(string("order_number"))
                .col(timestamp_with_time_zone("ordered_at"))
                .col(string("status"))
                .col(string_null("marketplace_status"))
                .col(string_null("buyer_name"))
                .col(string_null("buyer_postal_code"))
                .col(string_null("buyer_address"))
                .col(string_null("buyer_phone"))
                .col(string_null("recipient_name"))
                .col(string_null("recipient_postal_code"))
                .col(string_null("recipient_address"))
                .col(string_null("recipient_phone"))
                .col(string_null("requested_delivery"))
                .col(big_integer("total_amount"))
                .col(string_null("payment_method"))
                .col(text_null("special_notes"))
                .col(text_null("notes"))
                .col(string_null("ship_date"))
                .col(string_null("carrier"))
                .col(string_null("delivery_method"))
                .col(string_null("tracking_number"))
                .col(timestamp_with_time_zone_null("last_exported_at"))
                .col(string_null("last_export_fingerprint"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut tenant_fk("order"))
                .foreign_key(&mut owned_by("order", "shop_id", "shop"))
                .to_owned(),
        )
        .await?;
        index(m, "order", "shop_number", &["shop_id", "order_number"], true).await?;
        index(m, "order", "tenant_ordered", &["tenant_id", "ordered_at", "id"], false).await?;
        index(m, "order", "tenant_status", &["tenant_id", "status"], false).await?;

        m.create_table(
            Table::create()
                .table("order_item")
                .col(big_pk_auto("id"))
                .col(big_integer("tenant_id"))
                .col(big_integer("order_id"))
                .col(integer("position"))
                .col(string("name"))
                .col(string_null("sku"))
                .col(big_integer("unit_price"))
                .col(integer("quantity"))
                .foreign_key(&mut tenant_fk("order_item"))
                .foreign_key(&mut owned_by("order_item", "order_id", "order"))
                .to_owned(),
        )
        .await?;
        index(m, "order_item", "order", &["order_id", "position"], false).await?;

        m.create_table(
            Table::create()
                .table("inquiry")
                .col(big_pk_auto("id"))
                .col(big_integer("tenant_id"))
                .col(big_integer("shop_id"))
                .col(string("marketplace"))
                .col(string("marketplace_inquiry_id"))
                .col(string_null("order_number"))
                .col(string_null("customer_name"))
                .col(string_null("subject"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("last_message_at"))
                .col(string_null("last_author"))
                .col(text("preview"))
                .col(boolean("completed"))
                .col(timestamp_with_time_zone_null("completed_at"))
                .col(string_null("completed_by"))
                // Denormalised for the inbox index; written only through shared::inquiry::status.
                .col(string("status"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut tenant_fk("inquiry"))
                .foreign_key(&mut owned_by("inquiry", "shop_id", "shop"))
                .to_owned(),
        )
        .await?;
        index(m, "inquiry", "shop_mid", &["shop_id", "marketplace_inquiry_id"], true).await?;
        index(m, "inquiry", "inbox", &["tenant_id", "status", "last_message_at", "id"], false).await?;
        index(m, "inquiry", "tenant_last", &["tenant_id", "last_message_at", "id"], false).await?;
        index(m, "inquiry", "shop_order", &["shop_id", "order_number"], false).await?;

        m.create_table(
            Table::create()
                .table("message")
                .col(big_pk_auto("id"))
                .col(big_integer("tenant_id"))
                .col(big_integer("inquiry_id"))
                .col(string_null("marketplace_message_id"))
                .col(string("author"))
                .col(big_integer_null("staff_id"))
                .col(string_null("staff_name"))
                .col(text("body"))
                .col(timestamp_with_time_zone("sent_at"))
                .col(string("delivery"))
                .col(text_null("delivery_error"))
                .col(integer("delivery_attempts").default(0))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut tenant_fk("message"))
                .foreign_key(&mut owned_by("message", "inquiry_id", "inquiry"))
                .to_owned(),
        )
        .await?;
        index(m, "message", "inquiry", &["inquiry_id", "sent_at", "id"], false).await?;
        index(m, "message", "inquiry_mid", &["inquiry_id", "marketplace_message_id"], true).await?;
        index(m, "message", "tenant_delivery", &["tenant_id", "delivery"], false).await?;

        m.create_table(
            Table::create()
                .table("attachment")
                .col(big_pk_auto("id"))
                .col(big_integer("tenant_id"))
                .col(big_integer("message_id"))
                .col(string("file_name"))
                .col(string("content_type"))
                .col(big_integer("size"))
                .col(string("storage_key"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut tenant_fk("attachment"))
                .foreign_key(&mut owned_by("attachment", "message_id", "message"))
                .to_owned(),
        )
        .await?;
        index(m, "attachment", "message", &["message_id"], false).await?;

        m.create_table(
            Table::create()
                .table("template")
                .col(big_pk_auto("id"))
                .col(big_integer("tenant_id"))
                .col(string("category"))
                .col(string("name"))
                .col(text("body"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut tenant_fk("template"))
                .to_owned(),
        )
        .await?;
        index(m, "template", "tenant_category", &["tenant_id", "category", "name"], false).await?;

        m.create_table(
            Table::create()
                .table("sync_run")
                .col(big_pk_auto("id"))
                .col(big_integer("tenant_id"))
                .col(big_integer("shop_id"))
                .col(string("kind"))
                .col(string("state"))
                .col(string("trigger"))
                .col(timestamp_with_time_zone_null("started_at"))
                .col(timestamp_with_time_zone_null("finished_at"))
                .col(integer("created").default(0))
                .col(integer("updated").default(0))
                .col(integer("unchanged").default(0))
                .col(integer("failed").default(0))
                .col(text("errors"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut tenant_fk("sync_run"))
                .foreign_key(&mut owned_by("sync_run", "shop_id", "shop"))
                .to_owned(),
        )
        .await?;
        index(m, "sync_run", "tenant_created", &["tenant_id", "created_at", "id"], false).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "sync_run",
            "template",
            "attachment",
            "message",
            "inquiry",
            "order_item",
            "order",
            "shop",
            "api_token",
            "session",
            "staff",
            "tenant",
        ] {
            m.drop_table(Table::drop().table(Alias::new(t)).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}
