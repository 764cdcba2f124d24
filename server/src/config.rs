//! The command line (SPEC §12): every option has an environment variable of the same name with
//! the `MADOGUCHI_` prefix. Parsed once into typed values.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(name = "madoguchi", version, about = "Madoguchi (窓口): one window onto every marketplace a shop sells on")]
pub struct Cli {
    /// Log lines as plain text or as JSON objects (one per line, with the request's or run's
    /// tenant, shop and id).
    #[arg(long, global = true, env = "MADOGUCHI_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the server (GraphQL API, live subscriptions, the browser app).
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate(DbArgs),
    /// Print the GraphQL schema (SDL), as committed in `schema.graphql`.
    Schema,
    /// Copy the database while the server runs: SQLite with `VACUUM INTO`, PostgreSQL with
    /// `pg_dump --format=custom`.
    Backup(BackupArgs),
    /// Replace the database with a backup (stop the server first): SQLite file copy after an
    /// integrity check, PostgreSQL with `pg_restore --clean`.
    Restore(RestoreArgs),
    /// Tenants (companies): create one with its first admin, list them, switch the API option.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Staff accounts: reset a password.
    #[command(subcommand)]
    Staff(StaffCommand),
}

#[derive(Subcommand, Debug)]
pub enum TenantCommand {
    /// Create a tenant and its first ADMIN. The password is read from `MADOGUCHI_ADMIN_PASSWORD`,
    /// or asked on the terminal (not echoed); it is printed nowhere.
    Create(TenantCreateArgs),
    /// List the tenants: id, API option, name.
    List(DbArgs),
    /// Change a tenant's settings.
    Set(TenantSetArgs),
}

#[derive(Args, Debug, Clone)]
pub struct TenantCreateArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The company name.
    #[arg(long)]
    pub name: String,
    /// The first admin's e-mail address (their sign-in).
    #[arg(long)]
    pub admin_email: String,
    /// The first admin's name, as shown to colleagues.
    #[arg(long)]
    pub admin_name: String,
    /// Give the tenant the API option (API tokens, webhooks).
    #[arg(long)]
    pub api_option: bool,
}

#[derive(Args, Debug, Clone)]
pub struct TenantSetArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The tenant's id (see `madoguchi tenant list`).
    #[arg(long)]
    pub id: i64,
    /// Switch the API option on or off.
    #[arg(long, action = clap::ArgAction::Set)]
    pub api_option: Option<bool>,
}

#[derive(Subcommand, Debug)]
pub enum StaffCommand {
    /// Set a new password for a staff member and end their sessions. The password is read from
    /// `MADOGUCHI_ADMIN_PASSWORD`, or asked on the terminal (not echoed).
    ResetPassword(ResetPasswordArgs),
}

#[derive(Args, Debug, Clone)]
pub struct ResetPasswordArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The member's e-mail address.
    #[arg(long)]
    pub email: String,
    /// The tenant's id: required when the address has accounts in several tenants.
    #[arg(long)]
    pub tenant: Option<i64>,
}

#[derive(Args, Debug, Clone)]
pub struct DbArgs {
    /// Database URL: `sqlite://…` or `postgres://…`. Default: a SQLite file in the data folder.
    #[arg(long, env = "MADOGUCHI_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Folder for the SQLite file, attachments and the generated secret key.
    #[arg(long, env = "MADOGUCHI_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
}

impl DbArgs {
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", self.data_dir.join("madoguchi.sqlite").display()))
    }
}

#[derive(Args, Debug, Clone)]
pub struct BackupArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The backup file to write (must not exist).
    #[arg(long)]
    pub to: PathBuf,
}

#[derive(Args, Debug, Clone)]
pub struct RestoreArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The backup file to restore from.
    #[arg(long)]
    pub from: PathBuf,
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    #[arg(long, env = "MADOGUCHI_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub db: DbArgs,
    /// Create the demo tenant (once) and keep the inbox lively. Never for production data.
    #[arg(long, env = "MADOGUCHI_DEMO")]
    pub demo: bool,
    /// Let marketplace base URLs be plain http on loopback or private addresses (the simulator,
    /// a test set-up). Never in production: it lets a tenant admin point the server anywhere.
    #[arg(long, env = "MADOGUCHI_ALLOW_PRIVATE_URLS")]
    pub allow_private_urls: bool,
    /// How browsers reach this server, e.g. `https://madoguchi.example.jp`. With https the
    /// session cookie is `Secure`.
    #[arg(long, env = "MADOGUCHI_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Minutes a staff session may stay unused before it ends (sign in again).
    #[arg(long, env = "MADOGUCHI_SESSION_IDLE_MINUTES", default_value_t = 720, value_parser = clap::value_parser!(u64).range(1..))]
    pub session_idle_minutes: u64,
    /// Behind a reverse proxy that appends the client's address to `X-Forwarded-For`: count
    /// sign-in attempts per that address (the last entry) instead of the proxy's. Without a
    /// proxy that overwrites the header, clients could pick their own address.
    #[arg(long, env = "MADOGUCHI_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,
    /// Seconds running requests and reply deliveries may take to finish after SIGTERM or
    /// Ctrl-C before the server exits anyway.
    #[arg(long, env = "MADOGUCHI_SHUTDOWN_GRACE_SECONDS", default_value_t = 30)]
    pub shutdown_grace_seconds: u64,
    /// Serve the browser app from this build folder (Trunk's output, e.g. `web/dist`) instead
    /// of the one inside the binary: for developing the app.
    #[arg(long, env = "MADOGUCHI_SPA_DIR")]
    pub spa_dir: Option<PathBuf>,
    /// Where attachment bytes are kept: `file:///folder` or
    /// `s3://bucket/prefix?endpoint=https://…&region=…` (credentials from the AWS_* variables).
    /// Default: `files/` in the data folder.
    #[arg(long, env = "MADOGUCHI_ATTACHMENTS_URL")]
    pub attachments_url: Option<String>,
    /// Serve Prometheus metrics at `GET /metrics` on this address (e.g. `127.0.0.1:9090`),
    /// never on the public one. Off when unset.
    #[arg(long, env = "MADOGUCHI_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// Days the event log keeps events (the `events` query, subscriptions resumed with
    /// `after`, webhooks); older ones are deleted, and a cursor before them is refused.
    #[arg(long, env = "MADOGUCHI_EVENT_RETENTION_DAYS", default_value_t = crate::event_log::DEFAULT_RETENTION_DAYS, value_parser = clap::value_parser!(u32).range(1..))]
    pub event_retention_days: u32,
    /// How many import/export runs this process performs at once (workers taking runs from
    /// the queue every process shares).
    #[arg(long, env = "MADOGUCHI_SYNC_WORKERS", default_value_t = crate::sync::DEFAULT_WORKERS, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub sync_workers: u16,
}
