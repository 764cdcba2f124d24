use anyhow::Context as _;
use clap::Parser;
use secrecy::{ExposeSecret as _, SecretString};
use server::config::{Cli, Command, DbArgs, StaffCommand, TenantCommand};
use server::provision::{self, ResetError};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    server::logs::init(cli.log_format);
    match cli.command {
        Command::Serve(args) => server::serve(args).await,
        Command::Migrate(db) => server::migrate_only(db).await,
        Command::Backup(a) => {
            server::backup::backup(&a.db.database_url(), &a.to).await?;
            println!("backup written to {}", a.to.display());
            Ok(())
        }
        Command::Restore(a) => {
            server::backup::restore(&a.db.database_url(), &a.from).await?;
            println!("restored from {}", a.from.display());
            Ok(())
        }
        Command::Schema => {
            print!("{}", server::graphql::sdl());
            Ok(())
        }
        Command::Tenant(c) => tenant(c).await,
        Command::Staff(c) => staff(c).await,
    }
}

/// Connects and applies the migrations, as `serve` does.
async fn database(db: &DbArgs) -> anyhow::Result<sea_orm::DatabaseConnection> {
    std::fs::create_dir_all(&db.data_dir).with_context(|| format!("creating {}", db.data_dir.display()))?;
    let conn = server::store::connect(&db.database_url()).await.context("connecting to the database")?;
    server::store::migrate(&conn).await.context("applying migrations")?;
    Ok(conn)
}

/// The new password: `MADOGUCHI_ADMIN_PASSWORD`, or asked twice on the terminal without echo.
fn new_password() -> anyhow::Result<SecretString> {
    if let Ok(p) = std::env::var("MADOGUCHI_ADMIN_PASSWORD")
        && !p.is_empty()
    {
        return Ok(p.into());
    }
    let first = rpassword::prompt_password("Password (10-128 characters): ")
        .context("reading the password from the terminal (or set MADOGUCHI_ADMIN_PASSWORD)")?;
    let again = rpassword::prompt_password("Password again: ").context("reading the password from the terminal")?;
    anyhow::ensure!(first == again, "the two passwords differ");
    Ok(first.into())
}

fn failed(e: server::error::AppError) -> anyhow::Error {
    match e {
        server::error::AppError::Validation { field, message, .. } => anyhow::anyhow!("{field}: {message}"),
        other => anyhow::anyhow!("{other:?}"),
    }
}

async fn tenant(c: TenantCommand) -> anyhow::Result<()> {
    match c {
        TenantCommand::Create(a) => {
            let password = new_password()?;
            server::setup::check_admin(&a.name, &a.admin_name, &a.admin_email, password.expose_secret())
                .map_err(failed)?;
            let db = database(&a.db).await?;
            let txn = server::store::begin_write(&db).await?;
            let t = provision::create_tenant(&txn, a.name.trim(), a.api_option).await.map_err(failed)?;
            let staff_id = provision::create_staff(
                &txn,
                &t,
                &a.admin_email,
                &a.admin_name,
                shared::Role::Admin,
                password.expose_secret(),
            )
            .await
            .map_err(failed)?;
            txn.commit().await?;
            println!(
                "tenant {} created: {} (API option {}); admin {} (staff {staff_id})",
                t.scope.tenant_id(),
                a.name.trim(),
                if a.api_option { "on" } else { "off" },
                a.admin_email.trim().to_lowercase()
            );
            Ok(())
        }
        TenantCommand::List(db) => {
            let db = database(&db).await?;
            println!("{:>6}  {:<3}  name", "id", "api");
            for t in provision::list_tenants(&db).await.map_err(failed)? {
                println!("{:>6}  {:<3}  {}", t.id, if t.api_option { "on" } else { "off" }, t.name);
            }
            Ok(())
        }
        TenantCommand::Set(a) => {
            let db = database(&a.db).await?;
            let Some(api) = a.api_option else {
                anyhow::bail!("nothing to change: give --api-option true|false");
            };
            let t = provision::set_api_option(&db, a.id, api).await.map_err(|e| match e {
                server::error::AppError::NotFound(_) => anyhow::anyhow!("no tenant with id {}", a.id),
                other => failed(other),
            })?;
            println!("tenant {}: API option {}", t.id, if t.api_option { "on" } else { "off" });
            Ok(())
        }
    }
}

async fn staff(c: StaffCommand) -> anyhow::Result<()> {
    match c {
        StaffCommand::ResetPassword(a) => {
            let db = database(&a.db).await?;
            // Which account it is for is settled before the password is asked for.
            let member = match provision::staff_to_reset(&db, &a.email, a.tenant).await {
                Ok(m) => m,
                Err(ResetError::NoSuchStaff) => anyhow::bail!("no staff member with e-mail {}", a.email.trim()),
                Err(ResetError::SeveralTenants(ids)) => anyhow::bail!(
                    "{} has accounts in several tenants ({}): name one with --tenant ID",
                    a.email.trim(),
                    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
                ),
                Err(ResetError::Failed(e)) => return Err(failed(e)),
            };
            let (tenant, staff) = (member.tenant_id, member.id);
            let password = new_password()?;
            provision::set_password(&db, member, password.expose_secret()).await.map_err(failed)?;
            println!(
                "password changed for {} (tenant {tenant}, staff {staff}); their sessions ended",
                a.email.trim().to_lowercase()
            );
            Ok(())
        }
    }
}
