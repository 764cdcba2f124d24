//! Backups (`madoguchi backup` / `madoguchi restore`).
//!
//! - SQLite: an online copy with `VACUUM INTO` (a consistent snapshot taken inside one read
//!   transaction, while the server keeps writing); restore checks the copy's integrity, then
//!   puts it in place of the database file. Stop the server before restoring.
//! - PostgreSQL: `pg_dump --format=custom` (consistent by its own snapshot) and
//!   `pg_restore --clean --if-exists --no-owner`; both must be installed (the PostgreSQL client).
//!
//! Attachment bytes live in the object store, not the database: back up its folder or bucket
//! alongside (they are only ever added, so a copy taken after the database backup is complete).

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

/// Where a SQLite URL keeps its file: `sqlite://path?mode=rwc` → `path`.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// Writes a consistent copy of the database to `to`, which must not exist yet.
pub async fn backup(database_url: &str, to: &Path) -> anyhow::Result<()> {
    if to.exists() {
        bail!("{} exists already: choose a new file for the backup", to.display());
    }
    if is_postgres(database_url) {
        return run_tool("pg_dump", &["--format=custom", "--no-owner", "--file", &path_str(to)?, database_url]).await;
    }
    let db = crate::store::connect(database_url).await.context("connecting to the database")?;
    let target = path_str(to)?;
    db.execute_raw(Statement::from_sql_and_values(DbBackend::Sqlite, "VACUUM INTO ?", [target.into()]))
        .await
        .context("VACUUM INTO")?;
    db.close().await.ok();
    Ok(())
}

/// Replaces the database with the backup in `from`. The server must be stopped.
pub async fn restore(database_url: &str, from: &Path) -> anyhow::Result<()> {
    if !from.exists() {
        bail!("{} does not exist", from.display());
    }
    if is_postgres(database_url) {
        return run_tool(
            "pg_restore",
            &[
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
                database_url,
                &path_str(from)?,
            ],
        )
        .await;
    }
    let Some(path) = sqlite_path(database_url) else {
        bail!("not a SQLite file URL: {database_url}");
    };
    // Check a copy next to the database before anything is replaced.
    let staging = path.with_extension("restoring");
    std::fs::copy(from, &staging).with_context(|| format!("copying to {}", staging.display()))?;
    let copy = crate::store::connect(&format!("sqlite://{}", path_str(&staging)?)).await?;
    let verdict = check_sqlite(&copy).await;
    // Fold the copy's write-ahead log back in, so the single file is the whole database.
    let _ = copy.execute_unprepared("PRAGMA journal_mode = DELETE").await;
    copy.close().await.ok();
    if let Err(e) = verdict {
        let _ = std::fs::remove_file(&staging);
        return Err(e.context(format!("{} is not a sound backup", from.display())));
    }
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", path.display()));
        if side.exists() {
            std::fs::remove_file(&side).with_context(|| format!("removing {}", side.display()))?;
        }
    }
    std::fs::rename(&staging, &path).with_context(|| format!("replacing {}", path.display()))?;
    Ok(())
}

/// `PRAGMA integrity_check` says ok and no foreign key points nowhere.
pub async fn check_sqlite(db: &DatabaseConnection) -> anyhow::Result<()> {
    let rows = db.query_all_raw(Statement::from_string(DbBackend::Sqlite, "PRAGMA integrity_check")).await?;
    let verdict: Vec<String> = rows.iter().filter_map(|r| r.try_get_by_index::<String>(0).ok()).collect();
    if verdict != ["ok"] {
        bail!("integrity check: {}", verdict.join("; "));
    }
    let broken = db.query_all_raw(Statement::from_string(DbBackend::Sqlite, "PRAGMA foreign_key_check")).await?;
    if !broken.is_empty() {
        bail!("{} rows point at rows that do not exist", broken.len());
    }
    Ok(())
}

fn path_str(p: &Path) -> anyhow::Result<String> {
    p.to_str().map(str::to_owned).context("the file name must be UTF-8")
}

async fn run_tool(tool: &str, args: &[&str]) -> anyhow::Result<()> {
    let out = tokio::process::Command::new(tool)
        .args(args)
        .output()
        .await
        .with_context(|| format!("running {tool} (install the PostgreSQL client tools)"))?;
    if !out.status.success() {
        bail!("{tool} failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}
