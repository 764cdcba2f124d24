//! Import and export runs (取込 / 書出).
//!
//! A run is a `sync_run` row: QUEUED when asked for, RUNNING, then SUCCEEDED or FAILED, with
//! counts (created / updated / unchanged / failed) and error texts; every change publishes
//! `SyncRunUpdated`. Manual runs (`start_manual`) are checked (API option, capabilities, the
//! review message, credentials), queued and performed in the background; the caller gets the
//! queued row at once. Auto runs come from [`spawn_scheduler`] / [`run_due`].
//!
//! Imports upsert through `inbox::upsert_inquiry` and `orders::upsert_order`, so importing
//! the same data twice changes nothing. A run that fails part-way keeps what it stored; the
//! next run continues from the marketplace's state.
//!
//! A run whose process dies (a crash, a kill) is not left QUEUED or RUNNING for ever: the
//! process working on a run renews its heartbeat every [`RUN_HEARTBEAT`]; [`keep_runs`] marks
//! a run whose heartbeat stopped for [`RUN_LEASE`] as FAILED with [`INTERRUPTED`]. On SQLite
//! (one process) every such run left by the previous process is marked so at start.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use shared::export::ShipmentFacts;
use shared::{Marketplace, SyncKind, SyncState};
use tracing::Instrument as _;

use crate::auth::{Actor, Permission};
use crate::clock;
use crate::error::{AppError, AppResult};
use crate::events::{Event, EventKind};
use crate::inbox::{self, UpsertOutcome};
use crate::marketplaces::{self, Connector, MarketplaceError, ShipmentPush};
use crate::orders;
use crate::paging::{self, Cursor, Page, PageRequest};
use crate::state::AppState;
use crate::store::Scope;
use crate::store::entities::{inquiry, order, shop, sync_run, tenant};

/// Inquiry management and auto-export need the tenant's APIオプション (SPEC §3).
pub async fn require_api_option(db: &DatabaseConnection, actor: &Actor) -> AppResult<()> {
    if actor.tenant(db).await?.api_option {
        Ok(())
    } else {
        Err(AppError::ApiOptionRequired(
            "この機能にはAPIオプションの契約が必要です (the API option is required for inquiry management and auto-export)".into(),
        ))
    }
}

pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    shop_id: Option<i64>,
    page: &PageRequest,
) -> AppResult<Page<sync_run::Model>> {
    actor.require(Permission::Read)?;
    let mut q = actor.scope.find::<sync_run::Entity>();
    if let Some(id) = shop_id {
        q = q.filter(sync_run::Column::ShopId.eq(id));
    }
    paging::paginate(
        db,
        q,
        sync_run::Column::CreatedAt,
        sync_run::Column::Id,
        |r| Cursor { at: r.created_at, id: r.id },
        page,
    )
    .await
}

pub async fn get(db: &DatabaseConnection, actor: &Actor, id: i64) -> AppResult<Option<sync_run::Model>> {
    actor.require(Permission::Read)?;
    Ok(actor.scope.get::<sync_run::Entity>(db, id).await?)
}

/// Checks a manual run against the rules that hold before any marketplace is called.
pub async fn start_manual(
    state: &AppState,
    actor: &Actor,
    shop_id: i64,
    kind: SyncKind,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> AppResult<sync_run::Model> {
    actor.require(Permission::Write)?;
    let shop = actor.scope.get::<shop::Entity>(&state.db, shop_id).await?.ok_or(AppError::NotFound("店舗"))?;
    let m = Marketplace::parse(&shop.marketplace).unwrap_or(Marketplace::CustomCsv);
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(AppError::validation("from", "期間の開始が終了より後です (from is after to)"));
    }
    let caps = m.capabilities();
    let supported = match kind {
        SyncKind::ImportOrders => caps.imports_orders,
        SyncKind::ImportInquiries => caps.imports_inquiries,
        SyncKind::ExportShipments => caps.exports_shipments,
        SyncKind::ExportEvaluations => caps.registers_evaluations,
    };
    if !supported {
        return Err(AppError::MarketplaceRefused(format!(
            "{}では「{}」を利用できません (not supported on this marketplace)",
            m.label_ja(),
            kind.label_ja()
        )));
    }
    if kind == SyncKind::ImportInquiries {
        require_api_option(&state.db, actor).await?;
    }
    if matches!(kind, SyncKind::ExportShipments | SyncKind::ExportEvaluations)
        && m == Marketplace::Rakuma
        && shop.review_message.as_deref().map(str::trim).unwrap_or("").is_empty()
    {
        return Err(AppError::validation(
            "reviewMessage",
            "評価メッセージを設定してください (set the review message first)",
        ));
    }
    if !marketplaces::supports(m, kind) {
        return Err(AppError::MarketplaceUnavailable(format!(
            "{}との「{}」はまだ利用できません (the {} connector does not do this yet)",
            m.label_ja(),
            kind.label_ja(),
            m.name_en()
        )));
    }
    if shop.credentials_sealed.is_none() {
        return Err(AppError::validation(
            "credentials",
            format!(
                "店舗「{}」のAPI認証情報を設定してください (set the marketplace credentials of shop {} first)",
                shop.name, shop.name
            ),
        ));
    }
    let (from, to) = window(&shop, from, to);
    let run = queue(state, actor.scope, &shop, kind, TRIGGER_MANUAL).await?;
    let (st, scope, r) = (state.clone(), actor.scope, run.clone());
    tokio::spawn(async move { execute(&st, scope, shop, r, from, to).await });
    Ok(run)
}

pub const TRIGGER_MANUAL: &str = "manual";
pub const TRIGGER_AUTO: &str = "auto";
/// Auto runs of one kind start at most once per this interval per shop.
pub const AUTO_INTERVAL: Duration = Duration::from_secs(5 * 60);
/// How often the scheduler looks for shops that are due.
pub const SCHEDULER_TICK: Duration = Duration::from_secs(30);
/// Open inquiries older than the import window that are re-read on each inquiry import, at
/// most (newest activity first): Rakuten lists inquiries by their first date only.
const REREAD_OPEN_MAX: u64 = 200;
/// Progress is saved and published every this many items.
const PROGRESS_EVERY: usize = 20;

/// The period of a run: the range asked for, or the shop's configured days up to now.
fn window(
    shop: &shop::Model,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let now = clock::now();
    let to = to.unwrap_or(now);
    let from = from.unwrap_or_else(|| to - chrono::Duration::days(shop.import_days.max(1) as i64));
    (from, to)
}

/// How often a process renews the heartbeat of the runs it works on.
pub const RUN_HEARTBEAT: Duration = Duration::from_secs(10);
/// A QUEUED or RUNNING run whose heartbeat is older than this was cut off by its process dying.
pub const RUN_LEASE: Duration = Duration::from_secs(60);
/// The error a cut-off run shows.
pub const INTERRUPTED: &str =
    "サーバーが停止したため中断されました。もう一度実行してください (the run was interrupted: the server stopped)";

/// The runs this process has queued and not finished yet.
static LIVE_RUNS: std::sync::LazyLock<std::sync::Mutex<std::collections::HashSet<i64>>> =
    std::sync::LazyLock::new(Default::default);

fn live_runs() -> Vec<i64> {
    LIVE_RUNS.lock().map(|l| l.iter().copied().collect()).unwrap_or_default()
}

fn set_live(id: i64, live: bool) {
    if let Ok(mut l) = LIVE_RUNS.lock() {
        if live {
            l.insert(id);
        } else {
            l.remove(&id);
        }
    }
}

/// Renews the heartbeat of this process's runs and marks runs whose process died as FAILED
/// ([`INTERRUPTED`]), every [`RUN_HEARTBEAT`].
pub fn spawn_run_keeper(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(RUN_HEARTBEAT);
        loop {
            tick.tick().await;
            if let Err(e) = keep_runs(&state, RUN_LEASE).await {
                tracing::warn!(error = ?e, "keeping sync runs failed");
            }
        }
    })
}

/// One pass of the keeper: heartbeats for this process's runs, then every other QUEUED or
/// RUNNING run silent for `lease` is marked FAILED. Returns how many were marked.
pub async fn keep_runs(state: &AppState, lease: Duration) -> AppResult<usize> {
    let now = clock::now();
    let live = live_runs();
    if !live.is_empty() {
        sync_run::Entity::update_many()
            .col_expr(sync_run::Column::HeartbeatAt, sea_orm::sea_query::Expr::value(now))
            .filter(sync_run::Column::Id.is_in(live.iter().copied()))
            .exec(&state.db)
            .await?;
    }
    let silent_since = now - chrono::Duration::from_std(lease).unwrap_or_default();
    let stale = sync_run::Entity::find()
        .filter(sync_run::Column::State.is_in([SyncState::Queued.as_str(), SyncState::Running.as_str()]))
        .filter(sync_run::Column::Id.is_not_in(live.iter().copied()))
        .filter(
            Condition::any().add(sync_run::Column::HeartbeatAt.lte(silent_since)).add(
                Condition::all()
                    .add(sync_run::Column::HeartbeatAt.is_null())
                    .add(sync_run::Column::CreatedAt.lte(silent_since)),
            ),
        )
        .all(&state.db)
        .await?;
    let mut marked = 0;
    for run in stale {
        let scope = Scope::of_tenant(run.tenant_id);
        let mut errors: Vec<String> = serde_json::from_str(&run.errors).unwrap_or_default();
        errors.push(INTERRUPTED.to_owned());
        let done = scope
            .update_many::<sync_run::Entity>()
            .col_expr(sync_run::Column::State, sea_orm::sea_query::Expr::value(SyncState::Failed.as_str()))
            .col_expr(sync_run::Column::FinishedAt, sea_orm::sea_query::Expr::value(now))
            .col_expr(
                sync_run::Column::Errors,
                sea_orm::sea_query::Expr::value(serde_json::to_string(&errors).unwrap_or_else(|_| "[]".into())),
            )
            .filter(sync_run::Column::Id.eq(run.id))
            .filter(sync_run::Column::State.eq(run.state.as_str()))
            .exec(&state.db)
            .await?;
        if done.rows_affected == 1 {
            marked += 1;
            if let Some(row) = scope.get::<sync_run::Entity>(&state.db, run.id).await? {
                tracing::warn!(run = run.id, "a sync run was cut off by its process stopping; marked as failed");
                publish(state, &row);
            }
        }
    }
    Ok(marked)
}

fn publish(state: &AppState, run: &sync_run::Model) {
    state.events.publish(Event {
        tenant_id: run.tenant_id,
        shop_id: Some(run.shop_id),
        kind: EventKind::SyncRunUpdated { run_id: run.id },
    });
}

pub(crate) async fn queue(
    state: &AppState,
    scope: Scope,
    shop: &shop::Model,
    kind: SyncKind,
    trigger: &str,
) -> AppResult<sync_run::Model> {
    let run = scope
        .insert(
            &state.db,
            sync_run::ActiveModel {
                shop_id: Set(shop.id),
                kind: Set(kind.as_str().into()),
                state: Set(SyncState::Queued.as_str().into()),
                trigger: Set(trigger.into()),
                created: Set(0),
                updated: Set(0),
                unchanged: Set(0),
                failed: Set(0),
                errors: Set("[]".into()),
                created_at: Set(clock::now()),
                heartbeat_at: Set(Some(clock::now())),
                ..Default::default()
            },
        )
        .await?;
    set_live(run.id, true);
    publish(state, &run);
    Ok(run)
}

/// A running run's counts and errors, saved as it goes.
pub(crate) struct Progress<'a> {
    pub(crate) state: &'a AppState,
    pub(crate) scope: Scope,
    pub(crate) run: sync_run::Model,
    pub(crate) errors: Vec<String>,
    unsaved: usize,
}

impl<'a> Progress<'a> {
    /// Starts a queued run: it is RUNNING from here on.
    pub(crate) async fn start(state: &'a AppState, scope: Scope, run: sync_run::Model) -> Progress<'a> {
        let mut p = Progress { state, scope, run, errors: Vec::new(), unsaved: 0 };
        p.save(Some(SyncState::Running)).await;
        p
    }

    pub(crate) fn count(&mut self, o: UpsertOutcome) {
        match o {
            UpsertOutcome::Created => self.run.created += 1,
            UpsertOutcome::Updated => self.run.updated += 1,
            UpsertOutcome::Unchanged => self.run.unchanged += 1,
        }
        self.unsaved += 1;
    }

    pub(crate) fn fail(&mut self, what: String) {
        self.run.failed += 1;
        self.errors.push(what);
        self.unsaved += 1;
    }

    pub(crate) async fn tick(&mut self) {
        if self.unsaved >= PROGRESS_EVERY {
            self.save(None).await;
        }
    }

    pub(crate) async fn save(&mut self, state: Option<SyncState>) {
        let mut am: sync_run::ActiveModel = self.run.clone().into();
        am.created = Set(self.run.created);
        am.updated = Set(self.run.updated);
        am.unchanged = Set(self.run.unchanged);
        am.failed = Set(self.run.failed);
        am.errors = Set(serde_json::to_string(&self.errors).unwrap_or_else(|_| "[]".into()));
        if let Some(s) = state {
            am.state = Set(s.as_str().into());
            match s {
                SyncState::Running => am.started_at = Set(Some(clock::now())),
                SyncState::Succeeded | SyncState::Failed => am.finished_at = Set(Some(clock::now())),
                SyncState::Queued => {}
            }
        }
        match self.scope.update(&self.state.db, am).await {
            Ok(run) => {
                self.run = run;
                self.unsaved = 0;
                publish(self.state, &self.run);
            }
            Err(e) => tracing::warn!(run = self.run.id, error = %e, "saving sync run progress failed"),
        }
    }
}

/// Performs a queued run to its end (SUCCEEDED or FAILED); what was stored before a failure
/// stays stored, and the next run continues from the marketplace's state.
async fn execute(
    state: &AppState,
    scope: Scope,
    shop: shop::Model,
    run: sync_run::Model,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sync_run::Model {
    let kind = SyncKind::parse(&run.kind).unwrap_or(SyncKind::ImportOrders);
    let span = tracing::info_span!("sync_run", tenant = run.tenant_id, shop = %shop.name, shop_id = shop.id, run = run.id, marketplace = %shop.marketplace, kind = %kind);
    // Instrumented, not entered: the span must not stay current on the thread across awaits.
    async move {
        let started = std::time::Instant::now();
        let mut p = Progress::start(state, scope, run).await;
        let result = match marketplaces::connector_for(state, &shop) {
            Err(e) => Err(e),
            Ok(c) => match kind {
                SyncKind::ImportInquiries => match import_inquiries(&mut p, &shop, c.as_ref(), from, to).await {
                    Ok(()) => fetch_customer_files(&mut p, &shop, c.as_ref()).await,
                    Err(e) => Err(e),
                },
                SyncKind::ImportOrders => import_orders(&mut p, &shop, c.as_ref(), from, to).await,
                SyncKind::ExportShipments => export_shipments(&mut p, &shop, c.as_ref(), from, to).await,
                SyncKind::ExportEvaluations => export_evaluations(&mut p, &shop, c.as_ref(), from, to).await,
            },
        };
        let end = match result {
            Ok(()) => SyncState::Succeeded,
            Err(e) => {
                tracing::warn!(error = %e, "sync run failed");
                p.errors.push(e.to_string());
                SyncState::Failed
            }
        };
        p.save(Some(end)).await;
        set_live(p.run.id, false);
        tracing::info!(
            state = end.as_str(),
            created = p.run.created,
            updated = p.run.updated,
            failed = p.run.failed,
            "sync run finished"
        );
        crate::metrics::sync_run(
            &shop.marketplace.to_ascii_lowercase(),
            &kind.as_str().to_ascii_lowercase(),
            &end.as_str().to_ascii_lowercase(),
            started.elapsed(),
        );
        p.run
    }
    .instrument(span)
    .await
}

/// What staff and API clients see of an application error in a run's error list: its plain
/// message. An internal error (a database failure, …) is logged here with its detail and shown
/// only as a plain sentence.
pub(crate) fn app_error_text(e: &AppError) -> String {
    match e {
        AppError::Internal(inner) => {
            tracing::warn!(error = ?inner, "an internal error during a sync run");
            INTERNAL_TEXT.to_owned()
        }
        other => other.message(),
    }
}

/// The plain text for a failure inside Madoguchi (never the database's or library's own text).
pub(crate) const INTERNAL_TEXT: &str = "Madoguchi内部で問題が発生しました。時間をおいてもう一度お試しください (an internal error occurred; try again later)";

/// A database failure during a run: logged with its detail, reported in plain words.
fn db_fault(e: sea_orm::DbErr) -> MarketplaceError {
    tracing::warn!(error = %e, "a database error during a sync run");
    MarketplaceError::Protocol(INTERNAL_TEXT.to_owned())
}

async fn import_inquiries(
    p: &mut Progress<'_>,
    shop: &shop::Model,
    c: &dyn Connector,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(), MarketplaceError> {
    let listed = c.fetch_inquiries(from, to).await?;
    let mut seen = std::collections::HashSet::new();
    for inq in listed {
        let id = inq.marketplace_inquiry_id.clone();
        seen.insert(id.clone());
        match crate::store::busy_retry(|| inbox::upsert_inquiry(p.state, p.scope, shop, inq.clone())).await {
            Ok((_, o)) => p.count(o),
            Err(e) => p.fail(format!("お問い合わせ {id}: {}", app_error_text(&e))),
        }
        p.tick().await;
    }
    // Open inquiries that began before the window: new messages on them are not listed.
    let older = p
        .scope
        .find::<inquiry::Entity>()
        .filter(inquiry::Column::ShopId.eq(shop.id))
        .filter(inquiry::Column::Completed.eq(false))
        .filter(inquiry::Column::CreatedAt.lt(from))
        .order_by_desc(inquiry::Column::LastMessageAt)
        .limit(REREAD_OPEN_MAX)
        .all(&p.state.db)
        .await
        .map_err(db_fault)?;
    for row in older.into_iter().filter(|r| !seen.contains(&r.marketplace_inquiry_id)) {
        match c.fetch_inquiry(&row.marketplace_inquiry_id).await {
            Ok(Some(inq)) => {
                match crate::store::busy_retry(|| inbox::upsert_inquiry(p.state, p.scope, shop, inq.clone())).await {
                    Ok((_, o)) => p.count(o),
                    Err(e) => p.fail(format!("お問い合わせ {}: {}", row.marketplace_inquiry_id, app_error_text(&e))),
                }
            }
            Ok(None) => {}
            Err(e @ (MarketplaceError::Auth { .. } | MarketplaceError::Unavailable(_))) => return Err(e),
            Err(e) => p.fail(format!("お問い合わせ {}: {e}", row.marketplace_inquiry_id)),
        }
        p.tick().await;
    }
    Ok(())
}

/// Customer files the import recorded but has not stored yet, at most this many per run.
const FILES_PER_RUN: u64 = 100;

/// Downloads the customer files imports recorded (oldest first) and stores them with their
/// messages. One that fails is counted and stays pending for the next run.
async fn fetch_customer_files(
    p: &mut Progress<'_>,
    shop: &shop::Model,
    c: &dyn Connector,
) -> Result<(), MarketplaceError> {
    use crate::store::entities::{attachment, message};
    let db_err = db_fault;
    let tenant = p.scope.tenant_id();
    let inquiries_of_shop = sea_orm::sea_query::Query::select()
        .column(inquiry::Column::Id)
        .from(inquiry::Entity)
        .and_where(inquiry::Column::TenantId.eq(tenant))
        .and_where(inquiry::Column::ShopId.eq(shop.id))
        .to_owned();
    let messages_of_shop = sea_orm::sea_query::Query::select()
        .column(message::Column::Id)
        .from(message::Entity)
        .and_where(message::Column::TenantId.eq(tenant))
        .and_where(message::Column::InquiryId.in_subquery(inquiries_of_shop))
        .to_owned();
    let pending = p
        .scope
        .find::<attachment::Entity>()
        .filter(attachment::Column::RemotePath.is_not_null())
        .filter(attachment::Column::StorageKey.eq(""))
        .filter(attachment::Column::MessageId.in_subquery(messages_of_shop))
        .order_by_asc(attachment::Column::Id)
        .limit(FILES_PER_RUN)
        .all(&p.state.db)
        .await
        .map_err(db_err)?;
    let mut stored_on = Vec::new();
    for a in pending {
        let file = inbox::RemoteFile { name: a.file_name.clone(), path: a.remote_path.clone().unwrap_or_default() };
        let (content_type, bytes) = match c.fetch_file(&file).await {
            Ok(got) => got,
            Err(MarketplaceError::Unsupported(_)) => return Ok(()),
            Err(e @ (MarketplaceError::Auth { .. } | MarketplaceError::Unavailable(_))) => return Err(e),
            Err(e) => {
                p.fail(format!("添付ファイル「{}」: {e}", a.file_name));
                continue;
            }
        };
        let size = bytes.len() as i64;
        if bytes.len() > inbox::CUSTOMER_FILE_MAX_BYTES {
            // Not stored, and not downloaded again: the run names it once.
            p.fail(format!(
                "添付ファイル「{}」は大きすぎるため取り込みませんでした(上限 {} MB) (the file is larger than {} bytes)",
                a.file_name,
                inbox::CUSTOMER_FILE_MAX_BYTES / 1_000_000,
                inbox::CUSTOMER_FILE_MAX_BYTES
            ));
            let mut am: attachment::ActiveModel = a.into();
            am.remote_path = Set(None);
            am.size = Set(size);
            p.scope.update(&p.state.db, am).await.map_err(db_err)?;
            continue;
        }
        let key = match inbox::store_file(p.state, p.scope, bytes).await {
            Ok(key) => key,
            Err(e) => {
                p.fail(format!("添付ファイル「{}」を保存できません ({})", a.file_name, app_error_text(&e)));
                continue;
            }
        };
        stored_on.push(a.message_id);
        let mut am: attachment::ActiveModel = a.into();
        am.storage_key = Set(key);
        am.size = Set(size);
        am.content_type = Set(content_type);
        p.scope.update(&p.state.db, am).await.map_err(db_err)?;
    }
    if stored_on.is_empty() {
        return Ok(());
    }
    // Each inquiry that gained files changed once.
    let inquiries: std::collections::BTreeSet<i64> = p
        .scope
        .find::<message::Entity>()
        .filter(message::Column::Id.is_in(stored_on))
        .all(&p.state.db)
        .await
        .map_err(db_err)?
        .into_iter()
        .map(|m| m.inquiry_id)
        .collect();
    for inquiry_id in inquiries {
        p.state.events.publish(Event {
            tenant_id: tenant,
            shop_id: Some(shop.id),
            kind: EventKind::InquiryUpdated { inquiry_id },
        });
    }
    Ok(())
}

async fn import_orders(
    p: &mut Progress<'_>,
    shop: &shop::Model,
    c: &dyn Connector,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(), MarketplaceError> {
    for o in c.fetch_orders(from, to).await? {
        let number = o.order_number.clone();
        match crate::store::busy_retry(|| orders::upsert_order(p.state, p.scope, shop, o.clone())).await {
            Ok((_, outcome)) => p.count(outcome),
            Err(e) => p.fail(format!("受注 {number}: {}", app_error_text(&e))),
        }
        p.tick().await;
    }
    Ok(())
}

/// SPEC §8: orders created in the period, eligible by `shared::export::shipment_eligibility`,
/// and not already exported with the same data (fingerprint). Counts: `updated` = sent,
/// `unchanged` = not sent (not eligible, or already sent with this data), `failed` = refused.
async fn export_shipments(
    p: &mut Progress<'_>,
    shop: &shop::Model,
    c: &dyn Connector,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(), MarketplaceError> {
    let rows = p
        .scope
        .find::<order::Entity>()
        .filter(order::Column::ShopId.eq(shop.id))
        .filter(order::Column::OrderedAt.gte(from))
        .filter(order::Column::OrderedAt.lte(to))
        .order_by_asc(order::Column::OrderedAt)
        .order_by_asc(order::Column::Id)
        .all(&p.state.db)
        .await
        .map_err(db_fault)?;
    let jst = chrono::FixedOffset::east_opt(9 * 3600).expect("valid offset");
    let today = clock::now().with_timezone(&jst).date_naive();
    for row in rows {
        let ship_date = row.ship_date.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        let facts = ShipmentFacts {
            status: orders::status_of(&row),
            created_at: row.ordered_at,
            ship_date,
            carrier: row.carrier.as_deref(),
            delivery_method: row.delivery_method.as_deref(),
            tracking_number: row.tracking_number.as_deref(),
        };
        let fingerprint = shared::export::shipment_fingerprint(
            ship_date,
            row.carrier.as_deref(),
            row.delivery_method.as_deref(),
            row.tracking_number.as_deref(),
        );
        let (Ok(()), Some(date)) = (shared::export::shipment_eligibility(&facts, from, to, today), ship_date) else {
            p.count(UpsertOutcome::Unchanged);
            continue;
        };
        if row.last_export_fingerprint.as_deref() == Some(fingerprint.as_str()) {
            p.count(UpsertOutcome::Unchanged);
            continue;
        }
        let push = ShipmentPush {
            order_number: row.order_number.clone(),
            ship_date: date,
            carrier: row.carrier.clone(),
            delivery_method: row.delivery_method.clone(),
            tracking_number: row.tracking_number.clone(),
        };
        match c.push_shipment(&push).await {
            Ok(()) => {
                let mut am: order::ActiveModel = row.clone().into();
                am.last_exported_at = Set(Some(clock::now()));
                am.last_export_fingerprint = Set(Some(fingerprint));
                match p.scope.update(&p.state.db, am).await {
                    Ok(saved) => {
                        p.count(UpsertOutcome::Updated);
                        p.state.events.publish(Event {
                            tenant_id: saved.tenant_id,
                            shop_id: Some(saved.shop_id),
                            kind: EventKind::OrderChanged { order_id: saved.id },
                        });
                    }
                    Err(e) => {
                        tracing::warn!(order = %row.order_number, error = %e, "recording an export failed");
                        p.fail(format!("受注 {}: {INTERNAL_TEXT}", row.order_number))
                    }
                }
            }
            Err(e @ (MarketplaceError::Auth { .. } | MarketplaceError::Unavailable(_))) => return Err(e),
            Err(e) => p.fail(format!("受注 {}: {e}", row.order_number)),
        }
        p.tick().await;
    }
    Ok(())
}

/// ユーザ評価を登録: for orders created in the period that have shipped (the buyer rates on
/// receipt), the shop's rating with the configured review message. Counts: `updated` = sent,
/// `unchanged` = not due or already rated on the marketplace, `failed` = refused.
async fn export_evaluations(
    p: &mut Progress<'_>,
    shop: &shop::Model,
    c: &dyn Connector,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(), MarketplaceError> {
    let comment = shop.review_message.clone().unwrap_or_default();
    let rows = p
        .scope
        .find::<order::Entity>()
        .filter(order::Column::ShopId.eq(shop.id))
        .filter(order::Column::OrderedAt.gte(from))
        .filter(order::Column::OrderedAt.lte(to))
        .order_by_asc(order::Column::OrderedAt)
        .order_by_asc(order::Column::Id)
        .all(&p.state.db)
        .await
        .map_err(db_fault)?;
    for row in rows {
        // ASSUMED Rakuma states (shared::order_status::RAKUMA_STATUSES): shipped and awaiting
        // the shop's rating.
        let due = matches!(row.marketplace_status.as_deref(), Some("shipped" | "wait_seller_review"));
        if !due {
            p.count(UpsertOutcome::Unchanged);
            continue;
        }
        match c.register_evaluation(&row.order_number, &comment).await {
            Ok(true) => p.count(UpsertOutcome::Updated),
            Ok(false) => p.count(UpsertOutcome::Unchanged),
            Err(e @ (MarketplaceError::Auth { .. } | MarketplaceError::Unavailable(_))) => return Err(e),
            Err(e) => p.fail(format!("受注 {}: {e}", row.order_number)),
        }
        p.tick().await;
    }
    Ok(())
}

/// Starts the scheduler: every `every`, [`run_due`] with `interval` (production:
/// [`SCHEDULER_TICK`] and [`AUTO_INTERVAL`]; the demo may use shorter ones).
pub fn spawn_scheduler(state: AppState, every: Duration, interval: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            if let Err(e) = run_due(&state, interval).await {
                tracing::warn!(error = ?e, "auto import/export pass failed");
            }
        }
    })
}

/// The auto runs that are due: for each connected shop with auto-import (orders, and
/// inquiries with the API option) or auto-export (with the API option), one run per kind
/// when none started within `interval`. Runs are performed before this returns.
///
/// Across processes: each process inserts its QUEUED run, then the one with the lowest id
/// proceeds and the others withdraw theirs.
pub async fn run_due(state: &AppState, interval: Duration) -> AppResult<Vec<sync_run::Model>> {
    let mut done = Vec::new();
    for t in tenant::Entity::find().all(&state.db).await? {
        let scope = Scope::of_tenant(t.id);
        let shops = scope
            .find::<shop::Entity>()
            .filter(Condition::any().add(shop::Column::AutoImport.eq(true)).add(shop::Column::AutoExport.eq(true)))
            .order_by_asc(shop::Column::Id)
            .all(&state.db)
            .await?;
        for shop in shops.into_iter().filter(marketplaces::is_connected) {
            let m = Marketplace::parse(&shop.marketplace).unwrap_or(Marketplace::CustomCsv);
            let caps = m.capabilities();
            let mut kinds = Vec::new();
            if shop.auto_import && caps.imports_orders {
                kinds.push(SyncKind::ImportOrders);
            }
            if shop.auto_import && caps.imports_inquiries && t.api_option {
                kinds.push(SyncKind::ImportInquiries);
            }
            if shop.auto_export && caps.exports_shipments && t.api_option {
                kinds.push(SyncKind::ExportShipments);
            }
            for kind in kinds.into_iter().filter(|k| marketplaces::supports(m, *k)) {
                let since = clock::now() - chrono::Duration::from_std(interval).unwrap_or_default();
                let recent = |q: sea_orm::Select<sync_run::Entity>| {
                    q.filter(sync_run::Column::ShopId.eq(shop.id))
                        .filter(sync_run::Column::Kind.eq(kind.as_str()))
                        .filter(sync_run::Column::Trigger.eq(TRIGGER_AUTO))
                        .filter(sync_run::Column::CreatedAt.gt(since))
                };
                if !interval.is_zero() && recent(scope.find::<sync_run::Entity>()).one(&state.db).await?.is_some() {
                    continue;
                }
                let run = queue(state, scope, &shop, kind, TRIGGER_AUTO).await?;
                let earlier = recent(scope.find::<sync_run::Entity>())
                    .filter(sync_run::Column::Id.lt(run.id))
                    .one(&state.db)
                    .await?;
                if !interval.is_zero() && earlier.is_some() {
                    set_live(run.id, false);
                    scope
                        .delete_many::<sync_run::Entity>()
                        .filter(sync_run::Column::Id.eq(run.id))
                        .exec(&state.db)
                        .await?;
                    continue;
                }
                let (from, to) = window(&shop, None, None);
                done.push(execute(state, scope, shop.clone(), run, from, to).await);
            }
        }
    }
    Ok(done)
}

/// Handles Rakuten's 問い合わせユーザアクション通知 (format: `marketplaces::rakuten::push`):
/// finds the shop by its RMS shop id and push key (the `shopId` and `pushAuthKey`
/// credentials), fetches each inquiry named and records it through the same upsert as the
/// poll, so a message that arrives by both ways is recorded once. Returns the XML answer
/// (always HTTP 200; the result code says what happened, and a failure makes Rakuten push
/// again).
pub async fn rakuten_push(state: &AppState, header_key: Option<&str>, body: &str) -> String {
    use crate::marketplaces::rakuten::push;
    let Some(p) = push::parse(body, header_key) else { return push::answer(push::BAD_VALUES) };
    if header_key.is_some_and(|h| !push::same_key(h, &p.auth_key)) {
        return push::answer(push::AUTH_MISMATCH);
    }
    let shop = match push_shop(state, &p).await {
        Ok(Some(s)) => s,
        Ok(None) => return push::answer(push::AUTH_MISMATCH),
        Err(e) => {
            tracing::warn!(error = ?e, "rakuten push: finding the shop failed");
            return push::answer(push::UNEXPECTED);
        }
    };
    let (scope, shop, api_option) = shop;
    if !api_option {
        // Inquiry management is not contracted: nothing to record, nothing to resend.
        return push::answer(push::OK);
    }
    let connector = match marketplaces::connector_for(state, &shop) {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(shop = %shop.name, error = %e, "rakuten push: no connector");
            return push::answer(push::UNEXPECTED);
        }
    };
    for number in &p.inquiry_numbers {
        let result = match connector.fetch_inquiry(number).await {
            Ok(Some(inq)) => {
                crate::store::busy_retry(|| inbox::upsert_inquiry(state, scope, &shop, inq.clone())).await.map(|_| ())
            }
            Ok(None) => Ok(()),
            Err(e) => {
                tracing::warn!(shop = %shop.name, inquiry = %number, error = %e, "rakuten push: fetching the inquiry failed");
                return push::answer(push::UNEXPECTED);
            }
        };
        if let Err(e) = result {
            tracing::warn!(shop = %shop.name, inquiry = %number, error = ?e, "rakuten push: recording failed");
            return push::answer(push::UNEXPECTED);
        }
    }
    push::answer(push::OK)
}

/// The Rakuten shop whose RMS shop id and push key the push carries: found by the index of
/// both (`shops::push_index`, one indexed query whatever the number of tenants), then the key
/// compared in constant time with the shop's own.
async fn push_shop(
    state: &AppState,
    p: &crate::marketplaces::rakuten::push::Push,
) -> AppResult<Option<(Scope, shop::Model, bool)>> {
    use crate::marketplaces::rakuten::push;
    crate::shops::backfill_push_index(state).await?;
    let index = crate::shops::push_index_of(&p.contract_id, &p.auth_key);
    // The push authenticates by its key, not as a tenant: the index is what scopes the lookup.
    let candidates = shop::Entity::find()
        .filter(shop::Column::PushIndex.eq(index))
        .filter(shop::Column::Marketplace.eq(Marketplace::Rakuten.as_str()))
        .order_by_asc(shop::Column::Id)
        .all(&state.db)
        .await?;
    for s in candidates {
        let id = marketplaces::credential(state, &s, "shopId");
        let key = marketplaces::credential(state, &s, "pushAuthKey");
        let key_matches = key.as_deref().is_some_and(|k| push::same_key(k, &p.auth_key));
        if key_matches && id.as_deref() == Some(p.contract_id.as_str()) {
            let Some(t) = tenant::Entity::find_by_id(s.tenant_id).one(&state.db).await? else { continue };
            return Ok(Some((Scope::of_tenant(t.id), s, t.api_option)));
        }
    }
    Ok(None)
}

/// An id of this server's state (the same for every clone of it), for per-server limits.
pub fn server_id(state: &AppState) -> usize {
    std::sync::Arc::as_ptr(&state.policy) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a run's error list shows of a failure inside Madoguchi: a plain sentence, never the
    /// database's or a library's own text (that goes to the log).
    #[test]
    fn internal_errors_reach_a_run_as_a_plain_sentence() {
        let db = AppError::internal(anyhow::anyhow!(
            "Query Error: error returned from database: relation \"order\" does not exist (code: 42P01)"
        ));
        let text = app_error_text(&db);
        assert_eq!(text, INTERNAL_TEXT);
        assert!(!text.contains("relation") && !text.contains("42P01"));
        let fault = db_fault(sea_orm::DbErr::Custom("disk I/O error at /var/lib/madoguchi/db.sqlite".into()));
        assert!(!fault.to_string().contains("disk I/O") && !fault.to_string().contains("/var/lib"), "{fault}");
        // Application errors keep their own (plain) message.
        let v = AppError::validation("from", "期間の開始が終了より後です (from is after to)");
        assert_eq!(app_error_text(&v), v.message());
    }
}
