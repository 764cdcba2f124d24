//! Madoguchi's server. Layers (see ARCHITECTURE.md): `http` and `graphql` are transport;
//! `inbox`, `orders`, `templates`, `shops`, `sync`, `auth` are the application; `store`,
//! `events`, `crypto` are the edges; `shared` holds the pure domain.

pub mod api_option;
pub mod assets;
pub mod auth;
pub mod backup;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod csv_shop;
pub mod delivery;
#[cfg(feature = "demo")]
pub mod demo;
pub mod error;
pub mod event_log;
pub mod events;
pub mod graphiql;
pub mod graphql;
pub mod headers;
pub mod http;
pub mod inbox;
pub mod inbox_teams;
pub mod logs;
pub mod marketplaces;
pub mod metrics;
pub mod orders;
pub mod paging;
pub mod provision;
pub mod rate_budget;
pub mod setup;
pub mod shop_setup;
pub mod shops;
pub mod staff;
pub mod state;
pub mod store;
pub mod sync;
pub mod templates;
pub mod viewer;
pub mod webhooks;
pub mod yahoo_link;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use secrecy::{ExposeSecret as _, SecretString};

use crate::config::{DbArgs, ServeArgs};
use crate::crypto::Sealer;
use crate::events::EventBus;
use crate::state::AppState;

/// Everything a server needs, resolved from the command line and environment.
#[derive(Clone, Debug, Default)]
pub struct ServerConfig {
    pub database_url: String,
    pub data_dir: PathBuf,
    /// A build folder of the browser app (`--spa-dir`); `None`: the one inside the binary.
    pub spa_dir: Option<PathBuf>,
    pub demo: bool,
    /// `MADOGUCHI_SECRET_KEY`; without it a key file is made in the data folder.
    pub secret_key: Option<SecretString>,
    /// `MADOGUCHI_BOOTSTRAP_TOKEN`.
    pub bootstrap_token: Option<SecretString>,
    /// What the operator allows and how the server is reached (`--allow-private-urls`, `--public-url`).
    pub policy: state::Policy,
    /// Sign-in throttling and the session idle timeout (`--session-idle-minutes`,
    /// `--trust-forwarded-for`).
    pub sessions: auth::SessionSettings,
    /// `--attachments-url`: where attachment bytes go (`file://…`, `s3://bucket/prefix?…`);
    /// `None` = `files/` in the data folder.
    pub attachments_url: Option<String>,
    /// `--metrics-listen`: the address of `GET /metrics` (Prometheus); `None` = not served.
    pub metrics_listen: Option<std::net::SocketAddr>,
    /// `--event-retention-days`: how long the event log keeps events; `None` = 7 days.
    pub event_retention_days: Option<u32>,
    /// The webhook worker's timing (tests shorten the backoff).
    pub webhooks: webhooks::Settings,
    /// `--sync-workers`: how many runs this process performs at once; `None` =
    /// [`sync::DEFAULT_WORKERS`].
    pub sync_workers: Option<u16>,
}

pub struct App {
    pub state: AppState,
    pub router: axum::Router,
    /// The browser app's files ([`assets::Assets::warm`] compresses them after start).
    pub assets: Arc<assets::Assets>,
    /// Tells this process's background work to stop after what it is doing ([`App::stop`]).
    stop: tokio::sync::watch::Sender<bool>,
    delivery: tokio::task::JoinHandle<()>,
    webhooks: tokio::task::JoinHandle<()>,
    /// Where `GET /metrics` is served (the bound address of `--metrics-listen`).
    pub metrics_addr: Option<std::net::SocketAddr>,
    /// The demo's marketplaces (`--demo`): the simulator in this process.
    #[cfg(feature = "demo")]
    pub demo: Option<demo::Mall>,
}

impl App {
    /// Stops the reply outbox and the webhook worker after the delivery each is making (if
    /// any), waiting at most `grace`. Whether they finished in time; a reply cut off stays
    /// claimed and is taken up again (and looked for in the marketplace's thread first) by the
    /// next process, an event cut off is sent again.
    pub async fn stop(self, grace: std::time::Duration) -> bool {
        let _ = self.stop.send(true);
        tokio::time::timeout(grace, async {
            let (a, b) = tokio::join!(self.delivery, self.webhooks);
            a.is_ok() && b.is_ok()
        })
        .await
        .is_ok()
    }
}

fn secret_key(data_dir: &Path, configured: Option<&SecretString>) -> anyhow::Result<String> {
    if let Some(k) = configured.map(|k| k.expose_secret()).filter(|k| !k.is_empty()) {
        return Ok(k.to_owned());
    }
    let path = data_dir.join("secret.key");
    if let Ok(k) = std::fs::read_to_string(&path) {
        return Ok(k.trim().to_owned());
    }
    let k = crypto::new_secret("");
    std::fs::write(&path, &k).with_context(|| format!("writing {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
    }
    tracing::warn!(path = %path.display(), "MADOGUCHI_SECRET_KEY is not set: marketplace credentials are sealed with a key generated in the data folder");
    Ok(k)
}

/// Connects, migrates, seeds the demo when asked, and builds the router.
pub async fn start(cfg: ServerConfig) -> anyhow::Result<App> {
    std::fs::create_dir_all(&cfg.data_dir).with_context(|| format!("creating {}", cfg.data_dir.display()))?;
    let db = store::connect(&cfg.database_url).await.with_context(|| "connecting to the database")?;
    store::migrate(&db).await.with_context(|| "applying migrations")?;
    let files = state::open_files(cfg.attachments_url.as_deref(), &cfg.data_dir)?;
    // The process-wide recorder, with its upkeep on this runtime.
    metrics::spawn_upkeep();
    let mut events = EventBus::new();
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        // Several processes on one database: every subscriber hears every change.
        events = events.connect_postgres(db.get_postgres_connection_pool().clone());
    }
    let state = AppState::new(state::Shared {
        db,
        events,
        files,
        sealer: Sealer::from_secret(&secret_key(&cfg.data_dir, cfg.secret_key.as_ref())?),
        policy: Arc::new(cfg.policy.clone()),
        sessions: Arc::new(auth::Sessions::new(cfg.sessions.clone())),
        setup: Arc::new(setup::SetupCode::none()),
        sync: Arc::new(sync::SyncQueue::new()),
        live: Default::default(),
    });
    #[cfg(feature = "demo")]
    let demo = if cfg.demo { Some(demo::start(&state).await?) } else { None };
    #[cfg(not(feature = "demo"))]
    if cfg.demo {
        anyhow::bail!("this build has no demo (it was built without the `demo` feature)");
    }
    let mut state = state;
    if setup::needed(&state.db).await.map_err(|e| anyhow::anyhow!("looking for tenants: {e:?}"))? {
        // First start: the setup form in the browser app works once, with this code.
        let code = setup::SetupCode::generate();
        tracing::warn!(
            setup_code = code.code().unwrap_or(""),
            "first start: no tenant yet; set up the first company in the browser app with this setup_code (or run `madoguchi tenant create`)"
        );
        state = state.with_setup(Arc::new(code));
    }
    if let Some(t) = cfg.bootstrap_token.as_ref().map(|t| t.expose_secret()).filter(|t| !t.is_empty()) {
        auth::ensure_bootstrap_token(&state.db, t).await.map_err(|e| anyhow::anyhow!("bootstrap token: {e:?}"))?;
    }
    if state.db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
        // One process by design: a claim still marked is left from a run that ended mid-send.
        delivery::release_all_claims(&state).await.map_err(|e| anyhow::anyhow!("releasing reply claims: {e:?}"))?;
        // Likewise a run still RUNNING was cut off when the previous process stopped: an
        // import goes back to the queue (up to its third attempt), anything else is FAILED.
        sync::keep_runs(&state, std::time::Duration::ZERO)
            .await
            .map_err(|e| anyhow::anyhow!("taking up interrupted sync runs: {e:?}"))?;
        webhooks::release_all_claims(&state).await.map_err(|e| anyhow::anyhow!("releasing webhook claims: {e:?}"))?;
    }
    // Background work of this process: the reply outbox, webhook deliveries and the auto
    // import/export schedule.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let delivery = delivery::spawn(state.clone(), stopped.clone());
    let webhooks = webhooks::spawn(state.clone(), cfg.webhooks, stopped.clone());
    sync::spawn_workers(state.clone(), cfg.sync_workers.unwrap_or(sync::DEFAULT_WORKERS), stopped);
    sync::spawn_scheduler(state.clone(), sync::SCHEDULER_TICK, None);
    sync::spawn_run_keeper(state.clone());
    let retention_days = cfg.event_retention_days.unwrap_or(event_log::DEFAULT_RETENTION_DAYS);
    event_log::spawn_retention(state.clone(), std::time::Duration::from_secs(u64::from(retention_days) * 86_400));
    let schema = graphql::build_schema(state.clone());
    // The browser app: `--spa-dir`, else the one inside the binary (assets.rs).
    let spa_dir = cfg.spa_dir.clone();
    let assets = Arc::new(tokio::task::spawn_blocking(move || assets::Assets::load(spa_dir.as_deref())).await?);
    let router = http::router(state.clone(), schema, Arc::clone(&assets)).merge(graphiql::router());
    // Metrics only on their own address: never the SPA's page either.
    let router = router.route("/metrics", axum::routing::any(|| async { axum::http::StatusCode::NOT_FOUND }));
    let router = headers::apply(router, &assets.index_html(), &cfg.policy).layer(logs::request_trace_layer());
    let metrics_addr = match cfg.metrics_listen {
        Some(addr) => Some(metrics::listen(addr, state.db.clone()).await?),
        None => None,
    };
    Ok(App {
        state,
        router,
        assets,
        stop,
        delivery,
        webhooks,
        metrics_addr,
        #[cfg(feature = "demo")]
        demo,
    })
}

/// What `serve --demo` runs besides the data [`start`] brought in: the simulator keeps
/// producing orders and customer messages (every 8 s), and the shops import every 20 s, so the
/// live inbox can be watched working. The demo's address is returned (for the start message).
#[cfg(feature = "demo")]
pub fn start_demo_activity(app: &App) -> Option<std::net::SocketAddr> {
    let mall = app.demo.as_ref()?;
    mallsim::demo::start(mall.sim.clone(), std::time::Duration::from_secs(8));
    // Import every few seconds so new customer messages show up within a minute.
    sync::spawn_scheduler(
        app.state.clone(),
        std::time::Duration::from_secs(10),
        Some(std::time::Duration::from_secs(20)),
    );
    Some(mall.addr)
}

pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let cfg = ServerConfig {
        database_url: args.db.database_url(),
        data_dir: args.db.data_dir.clone(),
        spa_dir: args.spa_dir.clone(),
        demo: args.demo,
        secret_key: std::env::var("MADOGUCHI_SECRET_KEY").ok().map(SecretString::from),
        bootstrap_token: std::env::var("MADOGUCHI_BOOTSTRAP_TOKEN").ok().map(SecretString::from),
        policy: state::Policy {
            // The demo's marketplaces are the simulator on loopback.
            allow_private_urls: args.allow_private_urls || args.demo,
            public_url: args.public_url.clone(),
        },
        sessions: auth::SessionSettings {
            idle_timeout: std::time::Duration::from_secs(args.session_idle_minutes.saturating_mul(60)),
            trust_forwarded_for: args.trust_forwarded_for,
            ..Default::default()
        },
        attachments_url: args.attachments_url.clone(),
        metrics_listen: args.metrics_listen,
        event_retention_days: Some(args.event_retention_days),
        webhooks: webhooks::Settings::default(),
        sync_workers: Some(args.sync_workers),
    };
    // Before anything slow: from here on SIGTERM means "finish and exit", not "die now".
    let mut terminate = shutdown_signal()?;
    let app = start(cfg).await?;
    app.assets.warm();
    #[cfg(feature = "demo")]
    if let Some(sim_addr) = start_demo_activity(&app) {
        println!(
            "Demo marketplaces (simulator): http://{sim_addr}/ — new orders and customer messages arrive every few seconds"
        );
    }
    let listener =
        tokio::net::TcpListener::bind(args.listen).await.with_context(|| format!("binding {}", args.listen))?;
    let addr = listener.local_addr()?;
    println!("Madoguchi is listening on http://{addr}/  (GraphiQL: http://{addr}/graphql)");
    if let Some(code) = app.state.setup.code() {
        println!("First start: open http://{addr}/ and set up the first company with setup code {code}");
    }
    if let Some(m) = app.metrics_addr {
        println!("Metrics (Prometheus): http://{m}/metrics");
    }
    #[cfg(feature = "demo")]
    if args.demo {
        println!("Demo login: {} / {}", demo::DEMO_EMAIL, demo::DEMO_PASSWORD);
    }
    let grace = std::time::Duration::from_secs(args.shutdown_grace_seconds);
    let (signalled, mut heard) = tokio::sync::watch::channel(false);
    let server =
        axum::serve(listener, app.router.clone().into_make_service_with_connect_info::<std::net::SocketAddr>())
            .with_graceful_shutdown(async move {
                terminate.recv().await;
                tracing::info!(
                    grace_seconds = grace.as_secs(),
                    "stopping: no new connections; finishing running requests"
                );
                let _ = signalled.send(true);
            });
    // Requests still running `grace` after the signal (or a WebSocket that never ends) do not
    // keep the process alive.
    let overdue = async move {
        let _ = heard.wait_for(|s| *s).await;
        tokio::time::sleep(grace).await;
    };
    let started = tokio::time::Instant::now();
    tokio::select! {
        served = server => served?,
        () = overdue => tracing::warn!("requests still running after the grace period; exiting anyway"),
    }
    let left = grace.saturating_sub(started.elapsed()).max(std::time::Duration::from_secs(1));
    if !app.stop(left).await {
        tracing::warn!(
            "a reply delivery was still running after the grace period; it is taken up again at the next start"
        );
    }
    tracing::info!("stopped");
    Ok(())
}

/// The signals that stop the server gracefully: Ctrl-C (SIGINT) and SIGTERM, which service
/// managers and container orchestrators send.
pub struct ShutdownSignal {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
}

impl ShutdownSignal {
    pub async fn recv(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = self.term.recv() => {}
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Installs the handlers now, so a signal arriving during start-up is not lost.
pub fn shutdown_signal() -> anyhow::Result<ShutdownSignal> {
    Ok(ShutdownSignal {
        #[cfg(unix)]
        term: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .context("installing the SIGTERM handler")?,
    })
}

pub async fn migrate_only(db: DbArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(&db.data_dir)?;
    let conn = store::connect(&db.database_url()).await?;
    store::migrate(&conn).await?;
    println!("migrations applied");
    Ok(())
}
