//! A server for a load benchmark: in this process, on a fresh SQLite file in a folder of its own
//! (or on `MADOGUCHI_BENCH_DATABASE_URL`, a PostgreSQL database that may be emptied), listening
//! on a free loopback port.

#[allow(dead_code, reason = "each bench reads the fields it needs")]
pub struct Served {
    pub app: server::App,
    /// `127.0.0.1:port`
    pub base: String,
    /// Which database: "SQLite" or "PostgreSQL".
    pub database: &'static str,
    /// The server's data folder (remove it when done).
    pub dir: std::path::PathBuf,
    /// The database it runs on.
    pub url: String,
}

/// Starts the server `name` (the folder's and the SQLite file's name) and serves it.
pub async fn serve(name: &str) -> anyhow::Result<Served> {
    let dir = std::env::temp_dir().join(format!("madoguchi-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = std::env::var("MADOGUCHI_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}?mode=rwc", dir.join(format!("{name}.sqlite")).display()));
    let app = server::start(server::ServerConfig {
        database_url: url.clone(),
        data_dir: dir.clone(),
        secret_key: Some(name.into()),
        policy: server::state::Policy { allow_private_urls: true, public_url: None },
        ..Default::default()
    })
    .await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = listener.local_addr()?.to_string();
    let router = app.router.clone();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).await;
    });
    let database = if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    Ok(Served { app, base, database, dir, url })
}

/// The `madoguchi` binary as a server process of its own, killed when dropped.
pub struct Process(pub std::process::Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `program serve` on `url` with `dir` as its data folder (no browser app), listening on
/// a free loopback port; returns the process and its `127.0.0.1:port`.
pub fn binary(program: &str, dir: &std::path::Path, url: &str, secret: &str) -> anyhow::Result<(Process, String)> {
    let mut child = std::process::Command::new(program)
        .arg("serve")
        .args(["--listen", "127.0.0.1:0"])
        .arg("--data-dir")
        .arg(dir)
        .arg("--spa-dir")
        .arg(dir.join("no-app"))
        .env("MADOGUCHI_DATABASE_URL", url)
        .env("MADOGUCHI_SECRET_KEY", secret)
        .env_remove("MADOGUCHI_LISTEN")
        .env_remove("MADOGUCHI_DEMO")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()?;
    let base = super::binary::listening_address(&mut child);
    Ok((Process(child), base))
}
