//! Staff e-mail addresses are unique per tenant, not across tenants: adding a member must not
//! tell a tenant's admin that an address is in use in some other tenant. Sign-in by e-mail then
//! picks, among the accounts with that address, the one whose password matches
//! (`server/src/auth.rs`).
//!
//! PostgreSQL drops the column's unique constraint. SQLite cannot drop a column constraint, so
//! the table is rebuilt (the documented way: new table, copy, drop, rename) in one transaction;
//! the sessions, which the drop deletes through their foreign key, are put back.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000003_staff_email_per_tenant"
    }
}

const COLUMNS: &str = "id, tenant_id, email, name, role, password_hash, created_at, disabled_at";

async fn exec(m: &SchemaManager<'_>, sql: &str) -> Result<(), DbErr> {
    m.get_connection().execute_unprepared(sql).await.map(|_| ())
}

/// SQLite: the staff table rebuilt with `email` globally unique or not.
async fn rebuild_staff_sqlite(m: &SchemaManager<'_>, email_globally_unique: bool) -> Result<(), DbErr> {
    let mut email = string("email");
    if email_globally_unique {
        email.unique_key();
    }
    m.create_table(
        Table::create()
            .table("staff_rebuilt")
            .col(big_pk_auto("id"))
            .col(big_integer("tenant_id"))
            .col(email)
            .col(string("name"))
            .col(string("role"))
            .col(string("password_hash"))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone_null("disabled_at"))
            .foreign_key(
                ForeignKey::create()
                    .name("fk_staff_tenant_id")
                    .from(Alias::new("staff_rebuilt"), Alias::new("tenant_id"))
                    .to(Alias::new("tenant"), Alias::new("id"))
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .to_owned(),
    )
    .await?;
    exec(m, &format!("INSERT INTO staff_rebuilt ({COLUMNS}) SELECT {COLUMNS} FROM staff")).await?;
    exec(m, "CREATE TABLE session_kept AS SELECT * FROM session").await?;
    exec(m, "DROP TABLE staff").await?;
    exec(m, "ALTER TABLE staff_rebuilt RENAME TO staff").await?;
    exec(m, "INSERT INTO session SELECT * FROM session_kept WHERE id NOT IN (SELECT id FROM session)").await?;
    exec(m, "DROP TABLE session_kept").await?;
    exec(m, "CREATE INDEX ix_staff_tenant ON staff (tenant_id)").await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// On SQLite too: the rebuild is all or nothing.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        match m.get_database_backend() {
            sea_orm_migration::sea_orm::DbBackend::Sqlite => rebuild_staff_sqlite(m, false).await?,
            _ => exec(m, "ALTER TABLE staff DROP CONSTRAINT IF EXISTS staff_email_key").await?,
        }
        exec(m, "CREATE UNIQUE INDEX ix_staff_tenant_email ON staff (tenant_id, email)").await
    }

    /// Fails while one address is used in two tenants.
    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        exec(m, "DROP INDEX ix_staff_tenant_email").await?;
        match m.get_database_backend() {
            sea_orm_migration::sea_orm::DbBackend::Sqlite => rebuild_staff_sqlite(m, true).await,
            _ => exec(m, "ALTER TABLE staff ADD CONSTRAINT staff_email_key UNIQUE (email)").await,
        }
    }
}
