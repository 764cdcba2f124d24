//! Who is calling: a staff member (session cookie) or a third party (API token). The result is
//! an [`Actor`], which carries the tenant [`Scope`] — the only way to reach tenant data.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::Clock as _;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use shared::Role;
use tokio::sync::Semaphore;

use crate::clock;
use crate::crypto;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::Scope;
use crate::store::entities::{api_token, session, staff, tenant};

pub const SESSION_COOKIE: &str = "madoguchi_session";
/// A session ends this long after sign-in, however busy (the cookie's `Max-Age` too).
pub const SESSION_DAYS: i64 = 14;
/// A session unused this long ends (`--session-idle-minutes`).
pub const SESSION_IDLE: Duration = Duration::from_secs(12 * 60 * 60);
/// A session's `last_seen_at` is written at most this often (every request is a read; on
/// SQLite a write per request would contend with the real writers).
const SEEN_EVERY: Duration = Duration::from_secs(60);

/// Sign-in attempts allowed: `burst` at once, then one more every `period`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoginRate {
    pub burst: u32,
    pub period: Duration,
}

/// How sign-in and sessions are guarded; `Default` is what production runs with.
#[derive(Clone, Debug)]
pub struct SessionSettings {
    /// A session unused this long ends ([`SESSION_IDLE`]).
    pub idle_timeout: Duration,
    /// Sign-in attempts per e-mail address (right or wrong): guessing one account's password.
    pub login_per_email: LoginRate,
    /// Sign-in attempts per client address: trying many accounts from one place. An office
    /// behind one address signs in many staff, so this is the looser of the two.
    pub login_per_address: LoginRate,
    /// Password checks (argon2id, ~19 MiB each) running at once; further sign-ins wait.
    pub max_password_checks: usize,
    /// How long a sign-in waits for a password check before it is answered 503.
    pub password_check_wait: Duration,
    /// `--trust-forwarded-for`: the client address is the last `X-Forwarded-For` entry (the one
    /// the reverse proxy in front added). Off by default: anyone can send that header.
    pub trust_forwarded_for: bool,
}

impl Default for SessionSettings {
    fn default() -> Self {
        SessionSettings {
            idle_timeout: SESSION_IDLE,
            login_per_email: LoginRate { burst: 10, period: Duration::from_secs(60) },
            login_per_address: LoginRate { burst: 30, period: Duration::from_secs(10) },
            max_password_checks: 4,
            password_check_wait: Duration::from_secs(10),
            trust_forwarded_for: false,
        }
    }
}

/// Longest e-mail kept as a throttling key (longer ones cannot be an account anyway).
const EMAIL_KEY_MAX: usize = 320;
/// Keys kept by the sign-in limiters before the ones back at full allowance are dropped.
const LIMITER_KEYS_MAX: usize = 10_000;

/// The sign-in guard of a server process: attempt limiters per e-mail and per client address,
/// and the bound on password checks running at once. Several processes each keep their own.
pub struct Sessions {
    pub settings: SessionSettings,
    per_email: DefaultKeyedRateLimiter<String>,
    per_address: DefaultKeyedRateLimiter<IpAddr>,
    password_checks: Semaphore,
}

fn quota(rate: LoginRate) -> Quota {
    // A period of at least 1 ms and a burst of at least one: both always valid.
    let per =
        Quota::with_period(rate.period.max(Duration::from_millis(1))).unwrap_or(Quota::per_second(NonZeroU32::MIN));
    per.allow_burst(NonZeroU32::new(rate.burst).unwrap_or(NonZeroU32::MIN))
}

impl Sessions {
    pub fn new(settings: SessionSettings) -> Self {
        Sessions {
            per_email: RateLimiter::keyed(quota(settings.login_per_email)),
            per_address: RateLimiter::keyed(quota(settings.login_per_address)),
            password_checks: Semaphore::new(settings.max_password_checks.max(1)),
            settings,
        }
    }

    /// Counts one sign-in attempt from `address` for `email`; `Err(wait)` when either limit is
    /// reached (the caller answers 429 with `Retry-After`). Checked before the password is.
    pub fn admit(&self, address: IpAddr, email: &str) -> Result<(), Duration> {
        for limiter_len in [self.per_email.len(), self.per_address.len()] {
            if limiter_len > LIMITER_KEYS_MAX {
                self.per_email.retain_recent();
                self.per_address.retain_recent();
                self.per_email.shrink_to_fit();
                self.per_address.shrink_to_fit();
                break;
            }
        }
        let now = self.per_address.clock().now();
        self.per_address.check_key(&address).map_err(|not_until| not_until.wait_time_from(now))?;
        let key: String = email.trim().to_lowercase().chars().take(EMAIL_KEY_MAX).collect();
        let now = self.per_email.clock().now();
        self.per_email.check_key(&key).map_err(|not_until| not_until.wait_time_from(now))
    }

    /// Runs a password check off the async workers, at most `max_password_checks` at once.
    /// `None` when no check could start within `password_check_wait`.
    async fn verify_password(&self, password: &str, hash: String) -> AppResult<Option<bool>> {
        let Ok(Ok(_permit)) =
            tokio::time::timeout(self.settings.password_check_wait, self.password_checks.acquire()).await
        else {
            return Ok(None);
        };
        let password = password.to_owned();
        let ok = tokio::task::spawn_blocking(move || crypto::verify_password(&password, &hash))
            .await
            .map_err(AppError::internal)?;
        Ok(Some(ok))
    }
}

impl Default for Sessions {
    fn default() -> Self {
        Sessions::new(SessionSettings::default())
    }
}

/// Why a sign-in did not start a session.
#[derive(Debug)]
pub enum LoginError {
    /// Wrong e-mail or password, or a disabled account: all answered alike.
    Refused,
    /// Too many password checks already running; try again shortly.
    Busy,
    Failed(AppError),
}

impl From<AppError> for LoginError {
    fn from(e: AppError) -> Self {
        LoginError::Failed(e)
    }
}

impl From<sea_orm::DbErr> for LoginError {
    fn from(e: sea_orm::DbErr) -> Self {
        LoginError::Failed(e.into())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Permission {
    Read,
    Write,
    Admin,
}

#[derive(Clone, Debug)]
pub struct Actor {
    pub scope: Scope,
    /// The staff member, for sessions.
    pub staff_id: Option<i64>,
    /// Shown as the author of replies and in presence.
    pub display_name: String,
    pub email: Option<String>,
    pub role: Role,
    pub api_token_id: Option<i64>,
    /// The session this request came with (a staff member signed in with the cookie).
    pub session_id: Option<i64>,
    granted: Permission,
}

impl Actor {
    pub fn require(&self, needed: Permission) -> AppResult<()> {
        if self.granted >= needed {
            Ok(())
        } else {
            Err(AppError::Forbidden(match needed {
                Permission::Admin => "この操作には管理者権限が必要です (admin permission required)".into(),
                _ => "この操作には書き込み権限が必要です (write permission required)".into(),
            }))
        }
    }

    pub async fn tenant(&self, db: &DatabaseConnection) -> AppResult<tenant::Model> {
        tenant::Entity::find_by_id(self.scope.tenant_id()).one(db).await?.ok_or(AppError::Unauthenticated)
    }

    /// For jobs acting on a tenant's behalf (demo seeding, imports).
    pub fn system(scope: Scope, name: &str) -> Self {
        Actor {
            scope,
            staff_id: None,
            display_name: name.to_owned(),
            email: None,
            role: Role::Admin,
            api_token_id: None,
            session_id: None,
            granted: Permission::Admin,
        }
    }
}

fn role_permission(role: Role) -> Permission {
    match role {
        Role::Admin => Permission::Admin,
        Role::Staff => Permission::Write,
        Role::Viewer => Permission::Read,
    }
}

fn scopes_permission(scopes: &str) -> Permission {
    let has = |s: &str| scopes.split(',').any(|x| x.trim() == s);
    if has("admin") {
        Permission::Admin
    } else if has("write") {
        Permission::Write
    } else {
        Permission::Read
    }
}

fn staff_actor(s: &staff::Model) -> Actor {
    let role = Role::from(s.role);
    Actor {
        scope: Scope::of_tenant(s.tenant_id),
        staff_id: Some(s.id),
        display_name: s.name.clone(),
        email: Some(s.email.clone()),
        role,
        api_token_id: None,
        session_id: None,
        granted: role_permission(role),
    }
}

/// Checks e-mail and password; on success stores a new session and returns its secret. The
/// caller has counted the attempt first ([`Sessions::admit`]).
///
/// E-mail addresses are unique per tenant, so one address may have accounts in several
/// tenants: the account is the one whose password matches (the oldest, if several do).
pub async fn login(state: &AppState, email: &str, password: &str) -> Result<(String, Actor), LoginError> {
    let db = &state.db;
    // A disabled account (利用停止) fails exactly like a wrong password.
    let Some(staff) = staff_with_password(state, email, password).await? else {
        return Err(LoginError::Refused);
    };
    let secret = crypto::new_secret("mds_");
    let now = clock::now();
    let row = session::Entity::insert(session::ActiveModel {
        tenant_id: Set(staff.tenant_id),
        staff_id: Set(staff.id),
        token_hash: Set(crypto::secret_hash(&secret)),
        created_at: Set(now),
        expires_at: Set(now + chrono::TimeDelta::days(SESSION_DAYS)),
        last_seen_at: Set(Some(now)),
        ..Default::default()
    })
    .exec(db)
    .await?;
    let mut actor = staff_actor(&staff);
    actor.session_id = Some(row.last_insert_id);
    Ok((secret, actor))
}

/// Password checks one sign-in always makes, at least: an address with one account in another
/// tenant takes as long to refuse as an address with none, so timing does not tell a tenant
/// admin who added that address to their own tenant whether another tenant uses it.
const CHECKS_PER_SIGN_IN: usize = 2;

/// The enabled account of `email` whose password is `password`, among that address's accounts
/// in every tenant (oldest first). Dummy hashes are verified up to [`CHECKS_PER_SIGN_IN`], so
/// the number of accounts does not show in the time taken.
async fn staff_with_password(
    state: &AppState,
    email: &str,
    password: &str,
) -> Result<Option<staff::Model>, LoginError> {
    use sea_orm::QueryOrder;
    let candidates = staff::Entity::find()
        .filter(staff::Column::Email.eq(email.trim().to_lowercase()))
        .filter(staff::Column::DisabledAt.is_null())
        .order_by_asc(staff::Column::Id)
        .all(&state.db)
        .await
        .map_err(AppError::from)?;
    let mut matched = None;
    let checks = candidates.len().max(CHECKS_PER_SIGN_IN);
    for i in 0..checks {
        let hash = match candidates.get(i) {
            Some(s) => s.password_hash.clone(),
            // Made once, on first use: off the async workers too.
            None => tokio::task::spawn_blocking(|| DUMMY_HASH.clone()).await.map_err(AppError::internal)?,
        };
        let ok = state.sessions.verify_password(password, hash).await?.ok_or(LoginError::Busy)?;
        if ok && matched.is_none() && i < candidates.len() {
            matched = Some(i);
        }
    }
    Ok(matched.and_then(|i| candidates.into_iter().nth(i)))
}

static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| crypto::hash_password("no account has this password").unwrap_or_default());

/// Ends one session; the sockets opened with it close.
pub async fn logout(state: &crate::state::AppState, session_secret: &str) -> AppResult<()> {
    let hash = crypto::secret_hash(session_secret);
    let found = session::Entity::find().filter(session::Column::TokenHash.eq(hash.as_str())).one(&state.db).await?;
    session::Entity::delete_many().filter(session::Column::TokenHash.eq(hash)).exec(&state.db).await?;
    if let Some(s) = found {
        state.events.access_changed(s.tenant_id, Some(s.staff_id), None);
    }
    Ok(())
}

/// Whether the caller may still act: a staff member not switched off, a token not revoked.
/// Checked when a subscription starts on a socket opened earlier.
pub async fn still_allowed(db: &DatabaseConnection, actor: &Actor) -> AppResult<bool> {
    if let Some(id) = actor.staff_id {
        let s = staff::Entity::find_by_id(id).one(db).await?;
        return Ok(s.is_some_and(|s| s.tenant_id == actor.scope.tenant_id() && s.disabled_at.is_none()));
    }
    if let Some(id) = actor.api_token_id {
        let t = api_token::Entity::find_by_id(id).one(db).await?;
        return Ok(t.is_some_and(|t| t.tenant_id == actor.scope.tenant_id() && t.revoked_at.is_none()));
    }
    Ok(true)
}

impl Actor {
    /// Whether a revocation event is about this caller.
    pub fn is_revoked_by(&self, staff_id: Option<i64>, api_token_id: Option<i64>) -> bool {
        (staff_id.is_some() && staff_id == self.staff_id)
            || (api_token_id.is_some() && api_token_id == self.api_token_id)
    }
}

/// The staff member a session cookie belongs to, if the session is still on: not past its 14
/// days, used within the idle timeout, the member not disabled. Using it keeps it alive.
pub async fn actor_from_session(state: &AppState, secret: &str) -> AppResult<Option<Actor>> {
    let db = &state.db;
    let Some(sess) =
        session::Entity::find().filter(session::Column::TokenHash.eq(crypto::secret_hash(secret))).one(db).await?
    else {
        return Ok(None);
    };
    let now = clock::now();
    let idle = chrono::TimeDelta::from_std(state.sessions.settings.idle_timeout).unwrap_or(chrono::TimeDelta::MAX);
    let seen = sess.last_seen_at.unwrap_or(sess.created_at);
    if sess.expires_at < now || now - seen > idle {
        session::Entity::delete_by_id(sess.id).exec(db).await?;
        return Ok(None);
    }
    // Written at most once a minute (more often only when the idle timeout is that short).
    let touch = chrono::TimeDelta::from_std(SEEN_EVERY).unwrap_or_default().min(idle / 4);
    if now - seen > touch {
        session::Entity::update_many()
            .col_expr(session::Column::LastSeenAt, sea_orm::sea_query::Expr::value(now))
            .filter(session::Column::Id.eq(sess.id))
            .exec(db)
            .await?;
    }
    let staff = staff::Entity::find_by_id(sess.staff_id).one(db).await?;
    // Disabling deletes the sessions too; this also refuses one that raced with it.
    Ok(staff.filter(|s| s.tenant_id == sess.tenant_id && s.disabled_at.is_none()).map(|s| {
        let mut actor = staff_actor(&s);
        actor.session_id = Some(sess.id);
        actor
    }))
}

pub async fn actor_from_token(db: &DatabaseConnection, secret: &str) -> AppResult<Option<Actor>> {
    let Some(tok) = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(crypto::secret_hash(secret)))
        .filter(api_token::Column::RevokedAt.is_null())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    // At most one write a minute per token: every API call is a read, and on SQLite a write
    // per request would contend with the real writers.
    let now = clock::now();
    if tok.last_used_at.is_none_or(|t| now - t > chrono::TimeDelta::minutes(1)) {
        api_token::Entity::update_many()
            .col_expr(api_token::Column::LastUsedAt, sea_orm::sea_query::Expr::value(now))
            .filter(api_token::Column::Id.eq(tok.id))
            .exec(db)
            .await?;
    }
    let granted = scopes_permission(&tok.scopes);
    Ok(Some(Actor {
        scope: Scope::of_tenant(tok.tenant_id),
        staff_id: None,
        display_name: tok.name.clone(),
        email: None,
        role: if granted == Permission::Admin { Role::Admin } else { Role::Staff },
        api_token_id: Some(tok.id),
        session_id: None,
        granted,
    }))
}

/// Resolves an `Authorization` header value (`Bearer …`).
pub async fn actor_from_authorization(db: &DatabaseConnection, header: &str) -> AppResult<Option<Actor>> {
    let Some(secret) = header.strip_prefix("Bearer ").or_else(|| header.strip_prefix("bearer ")) else {
        return Ok(None);
    };
    actor_from_token(db, secret.trim()).await
}

/// Scopes an API token may carry.
pub const TOKEN_SCOPES: &[&str] = &["read", "write", "admin"];

/// Creates an API token for the actor's tenant; the secret is returned once.
pub async fn create_api_token(
    db: &DatabaseConnection,
    actor: &Actor,
    name: &str,
    scopes: &[String],
) -> AppResult<(String, api_token::Model)> {
    actor.require(Permission::Admin)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::validation(
            "name",
            "トークン名は1〜100文字で入力してください (name must be 1-100 characters)",
        ));
    }
    if scopes.is_empty() || scopes.iter().any(|s| !TOKEN_SCOPES.contains(&s.as_str())) {
        return Err(AppError::validation(
            "scopes",
            "スコープは read, write, admin から選んでください (scopes must be read, write or admin)",
        ));
    }
    let secret = crypto::new_secret("mdg_");
    let row = actor
        .scope
        .insert(
            db,
            api_token::ActiveModel {
                name: Set(name.to_owned()),
                token_hash: Set(crypto::secret_hash(&secret)),
                scopes: Set(scopes.join(",")),
                created_at: Set(clock::now()),
                ..Default::default()
            },
        )
        .await?;
    Ok((secret, row))
}

/// Makes sure an admin token with exactly this secret exists for the first tenant
/// (`MADOGUCHI_BOOTSTRAP_TOKEN`). Safe when several processes start at once: the insert does
/// nothing when another process made the token first.
pub async fn ensure_bootstrap_token(db: &DatabaseConnection, secret: &str) -> AppResult<()> {
    use sea_orm::QueryOrder;
    let Some(first) = tenant::Entity::find().order_by_asc(tenant::Column::Id).one(db).await? else {
        return Ok(());
    };
    let row = api_token::ActiveModel {
        tenant_id: Set(first.id),
        name: Set("bootstrap".into()),
        token_hash: Set(crypto::secret_hash(secret)),
        scopes: Set("read,write,admin".into()),
        created_at: Set(clock::now()),
        ..Default::default()
    };
    api_token::Entity::insert(row).on_conflict_do_nothing_on([api_token::Column::TokenHash]).exec(db).await?;
    Ok(())
}

pub async fn list_api_tokens(db: &DatabaseConnection, actor: &Actor) -> AppResult<Vec<api_token::Model>> {
    use sea_orm::QueryOrder;
    actor.require(Permission::Admin)?;
    Ok(actor
        .scope
        .find::<api_token::Entity>()
        .filter(api_token::Column::RevokedAt.is_null())
        .order_by_asc(api_token::Column::Id)
        .all(db)
        .await?)
}

/// Revokes a token; its live subscriptions end at once.
pub async fn revoke_api_token(state: &crate::state::AppState, actor: &Actor, id: i64) -> AppResult<()> {
    actor.require(Permission::Admin)?;
    let db = &state.db;
    let res = actor
        .scope
        .update_many::<api_token::Entity>()
        .col_expr(api_token::Column::RevokedAt, sea_orm::sea_query::Expr::value(clock::now()))
        .filter(api_token::Column::Id.eq(id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(AppError::NotFound("APIトークン"));
    }
    state.events.access_revoked(actor.scope.tenant_id(), None, Some(id));
    Ok(())
}
