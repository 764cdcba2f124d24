//! Storage: connection, migrations, entities and the tenant wall.

pub mod entities;
pub mod scope;

use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

pub use scope::{Scope, TenantOwned};

/// Connects to SQLite (`sqlite://path?mode=rwc`) or PostgreSQL (`postgres://…`).
/// SQLite gets WAL, a busy timeout and foreign keys; both get the migrations applied.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.sqlx_logging(false);
    if url.starts_with("sqlite:") {
        // One writer at a time is SQLite's rule; a small pool keeps readers concurrent under WAL.
        opts.max_connections(8).min_connections(1).acquire_timeout(Duration::from_secs(10));
    } else {
        // A PostgreSQL that went away fails requests within seconds (DATABASE_UNAVAILABLE)
        // instead of holding them; the pool checks each connection before lending it, so
        // connections broken by a restart are replaced by themselves.
        opts.max_connections(20)
            .acquire_timeout(PG_ACQUIRE_TIMEOUT)
            .connect_timeout(PG_ACQUIRE_TIMEOUT)
            .test_before_acquire(true);
    }
    let db = Database::connect(opts).await?;
    if db.get_database_backend() == DbBackend::Sqlite {
        for pragma in [
            "PRAGMA journal_mode = WAL",
            "PRAGMA synchronous = NORMAL",
            "PRAGMA foreign_keys = ON",
            "PRAGMA busy_timeout = 5000",
            // Statistics for the planner (the inbox search chooses between reading matches by id
            // and walking the inbox's order; without them SQLite takes `tenant_id = ?` for a few
            // rows): tables that lack them or changed much are analysed, a bounded sample each.
            // Connections opened later read them.
            "PRAGMA analysis_limit = 1000",
            "PRAGMA optimize = 0x10002",
        ] {
            db.execute_unprepared(pragma).await?;
        }
    }
    Ok(db)
}

/// How long a request waits for a PostgreSQL connection before it is told the database is
/// unavailable.
pub const PG_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// The PostgreSQL advisory lock key under which migrations run (any constant of ours).
const MIGRATION_LOCK: i64 = 0x6d61_646f_6775_6368; // "madoguch"

/// Applies the migrations. On PostgreSQL several processes may start at once on one database:
/// they take turns under an advisory lock, and those that come after find nothing to do.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Migrator::up(db, None).await;
    }
    // Session-level lock on one connection held apart from the pool the migrations use.
    let mut lock_conn = db.get_postgres_connection_pool().acquire().await.map_err(sqlx_err)?;
    sea_orm::sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *lock_conn)
        .await
        .map_err(sqlx_err)?;
    let result = Migrator::up(db, None).await;
    let unlocked = sea_orm::sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *lock_conn)
        .await
        .map_err(sqlx_err);
    if unlocked.is_err() {
        // The lock ends with the connection: make sure it is not returned to the pool holding it.
        lock_conn.detach();
    }
    result.and(unlocked.map(|_| ()))
}

fn sqlx_err(e: sea_orm::sqlx::Error) -> DbErr {
    DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e.into()))
}

/// `SELECT 1`, for `/healthz`.
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    match tokio::time::timeout(Duration::from_secs(3), db.execute_unprepared("SELECT 1")).await {
        Ok(answer) => answer.map(|_| ()),
        Err(_) => Err(DbErr::Custom("the database did not answer within 3 s".into())),
    }
}

/// Starts a transaction that writes. On SQLite it takes the write lock at `BEGIN` (`BEGIN
/// IMMEDIATE`): a transaction that reads first and writes after would otherwise be refused at
/// its first write when another writer committed meanwhile (its snapshot went stale, and the
/// busy timeout cannot help), so concurrent replies failed or were retried from the start.
/// Writers now wait their turn at `BEGIN`, under the busy timeout, and none is refused. On
/// PostgreSQL it is a plain `BEGIN`. Every transaction of the server starts here (clippy's
/// `disallowed-methods` refuses `TransactionTrait::begin` elsewhere).
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Does a write again when SQLite answered busy ("database is locked", SQLITE_BUSY /
/// BUSY_SNAPSHOT). Since [`begin_write`], a transaction waits for the write lock at `BEGIN`, so
/// this is left for what waiting cannot cover: a writer that waited past the busy timeout under
/// a burst, and a write made outside a transaction (an autocommit read that is upgraded). On
/// PostgreSQL nothing answers busy and this is a plain call.
pub async fn busy_retry<T, F, Fut>(f: F) -> crate::error::AppResult<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = crate::error::AppResult<T>>,
{
    use backon::Retryable as _;
    // Up to 8 more tries, 10 ms doubling to 80 ms with jitter: writers rarely collide twice.
    let policy = backon::ExponentialBuilder::default()
        .with_min_delay(Duration::from_millis(10))
        .with_max_delay(Duration::from_millis(80))
        .with_max_times(8)
        .with_jitter();
    f.retry(policy).when(|e| matches!(e, crate::error::AppError::Internal(e) if is_busy(e))).await
}

fn is_busy(e: &anyhow::Error) -> bool {
    let s = e.to_string();
    s.contains("database is locked") || s.contains("(code: 5)") || s.contains("(code: 517)")
}
