//! Who is calling: a staff member (session cookie) or a third party (API token). The result is
//! an [`Actor`], which carries the tenant [`Scope`] — the only way to reach tenant data.

use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use shared::Role;

use crate::clock;
use crate::crypto;
use crate::error::{AppError, AppResult};
use crate::store::Scope;
use crate::store::entities::{api_token, session, staff, tenant};

pub const SESSION_COOKIE: &str = "madoguchi_session";
const SESSION_DAYS: i64 = 14;

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
    let role = Role::parse(&s.role).unwrap_or(Role::Viewer);
    Actor {
        scope: Scope::of_tenant(s.tenant_id),
        staff_id: Some(s.id),
        display_name: s.name.clone(),
        email: Some(s.email.clone()),
        role,
        api_token_id: None,
        granted: role_permission(role),
    }
}

/// Checks e-mail and password; on success stores a new session and returns its secret.
///
/// E-mail addresses are unique per tenant, so one address may have accounts in several
/// tenants: the account is the one whose password matches (the oldest, if several do).
pub async fn login(db: &DatabaseConnection, email: &str, password: &str) -> AppResult<(String, Actor)> {
    let found = staff_with_password(db, email, password).await?;
    // A disabled account (利用停止) fails exactly like a wrong password.
    let Some(staff) = found.filter(|s| s.disabled_at.is_none()) else {
        return Err(AppError::Unauthenticated);
    };
    let secret = crypto::new_secret("mds_");
    let now = clock::now();
    session::Entity::insert(session::ActiveModel {
        tenant_id: Set(staff.tenant_id),
        staff_id: Set(staff.id),
        token_hash: Set(crypto::secret_hash(&secret)),
        created_at: Set(now),
        expires_at: Set(now + chrono::TimeDelta::days(SESSION_DAYS)),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok((secret, staff_actor(&staff)))
}

/// The enabled account of `email` whose password is `password`, among that address's accounts
/// in every tenant (oldest first). Without any account, a dummy hash is verified, so timing does not tell.
async fn staff_with_password(db: &DatabaseConnection, email: &str, password: &str) -> AppResult<Option<staff::Model>> {
    use sea_orm::QueryOrder;
    let candidates = staff::Entity::find()
        .filter(staff::Column::Email.eq(email.trim().to_lowercase()))
        .filter(staff::Column::DisabledAt.is_null())
        .order_by_asc(staff::Column::Id)
        .all(db)
        .await?;
    let hashes: Vec<String> = if candidates.is_empty() {
        vec![DUMMY_HASH.clone()]
    } else {
        candidates.iter().map(|s| s.password_hash.clone()).collect()
    };
    let matched = tokio::task::spawn_blocking({
        let password = password.to_owned();
        move || hashes.iter().position(|h| crypto::verify_password(&password, h))
    })
    .await
    .map_err(AppError::internal)?;
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

pub async fn actor_from_session(db: &DatabaseConnection, secret: &str) -> AppResult<Option<Actor>> {
    let Some(sess) =
        session::Entity::find().filter(session::Column::TokenHash.eq(crypto::secret_hash(secret))).one(db).await?
    else {
        return Ok(None);
    };
    if sess.expires_at < clock::now() {
        return Ok(None);
    }
    let staff = staff::Entity::find_by_id(sess.staff_id).one(db).await?;
    // Disabling deletes the sessions too; this also refuses one that raced with it.
    Ok(staff.filter(|s| s.tenant_id == sess.tenant_id && s.disabled_at.is_none()).map(|s| staff_actor(&s)))
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
