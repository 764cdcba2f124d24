//! Staff accounts (スタッフ管理, admin): list, add, edit, 利用停止 (disable) and 利用再開 (enable).
//!
//! Nothing is ever deleted: a disabled member keeps their row, so replies keep their author's
//! name. Disabling ends the member's sessions in the same transaction, and `auth.rs` refuses
//! sign-in and session cookies of disabled accounts. Every change keeps at least one enabled
//! ADMIN in the tenant.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, QueryFilter, QueryOrder, QuerySelect,
    SqlErr,
};
use shared::Role;
use shared::template::FieldError;

use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::entities::{session, staff};
use crate::{clock, crypto};

pub const NAME_MAX: usize = 50;
pub const EMAIL_MAX: usize = 254;
pub const PASSWORD_MIN: usize = 10;
pub const PASSWORD_MAX: usize = 128;

const WHAT: &str = "スタッフ";

/// `StaffInput` of the API.
#[derive(Clone, Debug)]
pub struct StaffForSave {
    pub email: String,
    pub name: String,
    pub role: Role,
    /// Required on create; on update `None` keeps the current password.
    pub password: Option<String>,
}

/// The input once checked: e-mail trimmed and lower-cased (as sign-in looks it up), name trimmed.
#[derive(Debug)]
struct Checked {
    email: String,
    name: String,
    role: Role,
    password: Option<String>,
}

/// Whether `email` (already trimmed) looks like an e-mail address: one `@`, a local part, a
/// dotted domain, no spaces.
pub fn looks_like_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else { return false };
    !local.is_empty()
        && local.len() <= 64
        && !domain.contains('@')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'))
        && domain.contains('.')
        && !domain.contains("..")
        && domain.split('.').all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'))
}

fn check(input: StaffForSave, creating: bool) -> AppResult<Checked> {
    let mut errors = Vec::new();
    let mut err = |field: &str, message: &str| {
        errors.push(FieldError { field: field.to_owned(), message: message.to_owned() });
    };
    let email = input.email.trim().to_lowercase();
    if email.is_empty() {
        err("email", "メールアドレスを入力してください (e-mail is required)");
    } else if email.len() > EMAIL_MAX {
        err("email", "メールアドレスは254文字以内で入力してください (e-mail must be at most 254 characters)");
    } else if !looks_like_email(&email) {
        err("email", "メールアドレスの形式が正しくありません (not an e-mail address)");
    }
    let name = input.name.trim().to_owned();
    let name_len = name.chars().count();
    if name_len == 0 || name_len > NAME_MAX {
        err("name", "氏名は1〜50文字で入力してください (name must be 1-50 characters)");
    }
    match input.password.as_deref() {
        None if creating => err("password", "パスワードを入力してください (password is required)"),
        None => {}
        Some(p) => {
            let n = p.chars().count();
            if n < PASSWORD_MIN {
                err("password", "パスワードは10文字以上にしてください (password must be at least 10 characters)");
            } else if n > PASSWORD_MAX {
                err("password", "パスワードは128文字以内にしてください (password must be at most 128 characters)");
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::from_field_errors(errors));
    }
    Ok(Checked { email, name, role: input.role, password: input.password })
}

/// Argon2id takes a while: off the async workers.
async fn hash(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || crypto::hash_password(&password))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)
}

/// E-mail addresses are unique within a tenant only, so the answer speaks of this tenant alone
/// (another tenant's use of an address is never revealed; sign-in picks the account whose
/// password matches, see `auth::login`).
fn taken(e: sea_orm::DbErr) -> AppError {
    match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            AppError::Conflict("このメールアドレスはこのテナントのスタッフが既に使っています (this e-mail address is already used by a member of this tenant)".into())
        }
        _ => e.into(),
    }
}

fn is_enabled_admin(s: &staff::Model) -> bool {
    s.disabled_at.is_none() && s.role == staff::Role::Admin
}

/// Refuses a change that takes `target` away from the enabled admins when it is the last one.
/// The enabled admins are locked first (PostgreSQL; SQLite serialises writers anyway), so two
/// admins demoting each other at once cannot both succeed.
async fn keep_an_admin(
    txn: &DatabaseTransaction,
    actor: &Actor,
    target: &staff::Model,
    message: &str,
) -> AppResult<()> {
    if !is_enabled_admin(target) {
        return Ok(());
    }
    let admins: Vec<i64> = actor
        .scope
        .find::<staff::Entity>()
        .select_only()
        .column(staff::Column::Id)
        .filter(staff::Column::Role.eq(staff::Role::Admin))
        .filter(staff::Column::DisabledAt.is_null())
        .lock_exclusive()
        .into_tuple()
        .all(txn)
        .await?;
    if admins.iter().all(|id| *id == target.id) {
        return Err(AppError::Conflict(message.to_owned()));
    }
    Ok(())
}

const LAST_ADMIN_DEMOTE: &str = "有効な管理者が1人もいなくなるため、このスタッフの権限は変更できません。先に別のスタッフを管理者にしてください (the tenant must keep at least one enabled admin)";
const LAST_ADMIN_DISABLE: &str = "有効な管理者が1人もいなくなるため、このスタッフは利用停止にできません。先に別のスタッフを管理者にしてください (the tenant must keep at least one enabled admin)";

/// The tenant's staff, oldest first.
pub async fn list(db: &DatabaseConnection, actor: &Actor) -> AppResult<Vec<staff::Model>> {
    actor.require(Permission::Admin)?;
    Ok(actor
        .scope
        .find::<staff::Entity>()
        .order_by_asc(staff::Column::CreatedAt)
        .order_by_asc(staff::Column::Id)
        .all(db)
        .await?)
}

pub async fn create(db: &DatabaseConnection, actor: &Actor, input: StaffForSave) -> AppResult<staff::Model> {
    actor.require(Permission::Admin)?;
    let c = check(input, true)?;
    let password_hash = hash(c.password.unwrap_or_default()).await?;
    actor
        .scope
        .insert(
            db,
            staff::ActiveModel {
                email: Set(c.email),
                name: Set(c.name),
                role: Set(c.role.into()),
                password_hash: Set(password_hash),
                created_at: Set(clock::now()),
                disabled_at: Set(None),
                ..Default::default()
            },
        )
        .await
        .map_err(taken)
}

/// Changes e-mail, name, role and (when given) the password. A new password ends the member's
/// sessions, except the one it was changed from. The member's open sockets check their access
/// again (and close when it changed).
pub async fn update(state: &AppState, actor: &Actor, id: i64, input: StaffForSave) -> AppResult<staff::Model> {
    let saved = update_in(&state.db, actor, id, input).await?;
    state.events.access_changed(actor.scope.tenant_id(), Some(id), None);
    Ok(saved)
}

async fn update_in(db: &DatabaseConnection, actor: &Actor, id: i64, input: StaffForSave) -> AppResult<staff::Model> {
    actor.require(Permission::Admin)?;
    let c = check(input, false)?;
    let password_hash = match c.password {
        Some(p) => Some(hash(p).await?),
        None => None,
    };
    let txn = crate::store::begin_write(db).await?;
    let row = actor.scope.get::<staff::Entity>(&txn, id).await?.ok_or(AppError::NotFound(WHAT))?;
    if c.role != Role::Admin {
        keep_an_admin(&txn, actor, &row, LAST_ADMIN_DEMOTE).await?;
    }
    let mut am: staff::ActiveModel = row.into();
    am.email = Set(c.email);
    am.name = Set(c.name);
    am.role = Set(c.role.into());
    let new_password = password_hash.is_some();
    if let Some(h) = password_hash {
        am.password_hash = Set(h);
    }
    let saved = actor.scope.update(&txn, am).await.map_err(taken)?;
    if new_password {
        let mut others = actor.scope.delete_many::<session::Entity>().filter(session::Column::StaffId.eq(id));
        if let Some(current) = actor.session_id {
            others = others.filter(session::Column::Id.ne(current));
        }
        others.exec(&txn).await?;
    }
    txn.commit().await?;
    Ok(saved)
}

async fn end_sessions(txn: &DatabaseTransaction, actor: &Actor, staff_id: i64) -> AppResult<()> {
    actor.scope.delete_many::<session::Entity>().filter(session::Column::StaffId.eq(staff_id)).exec(txn).await?;
    Ok(())
}

/// 利用停止: the member can no longer sign in, and their sessions and live subscriptions end
/// now. Their replies keep their name. Disabling a disabled member changes nothing.
pub async fn disable(state: &AppState, actor: &Actor, id: i64) -> AppResult<staff::Model> {
    actor.require(Permission::Admin)?;
    let db = &state.db;
    let txn = crate::store::begin_write(db).await?;
    let row = actor.scope.get::<staff::Entity>(&txn, id).await?.ok_or(AppError::NotFound(WHAT))?;
    if actor.staff_id == Some(id) {
        return Err(AppError::Conflict(
            "自分自身を利用停止にすることはできません (you cannot disable your own account)".into(),
        ));
    }
    keep_an_admin(&txn, actor, &row, LAST_ADMIN_DISABLE).await?;
    if row.disabled_at.is_none() {
        actor
            .scope
            .update_many::<staff::Entity>()
            .col_expr(staff::Column::DisabledAt, Expr::value(clock::now()))
            .filter(staff::Column::Id.eq(id))
            .exec(&txn)
            .await?;
    }
    end_sessions(&txn, actor, id).await?;
    let row = actor.scope.get::<staff::Entity>(&txn, id).await?.ok_or(AppError::NotFound(WHAT))?;
    txn.commit().await?;
    state.events.access_revoked(actor.scope.tenant_id(), Some(id), None);
    Ok(row)
}

/// 利用再開: the member can sign in again (with their old password).
pub async fn enable(db: &DatabaseConnection, actor: &Actor, id: i64) -> AppResult<staff::Model> {
    actor.require(Permission::Admin)?;
    let row = actor.scope.get::<staff::Entity>(db, id).await?.ok_or(AppError::NotFound(WHAT))?;
    if row.disabled_at.is_none() {
        return Ok(row);
    }
    let mut am: staff::ActiveModel = row.into();
    am.disabled_at = Set(None);
    Ok(actor.scope.update(db, am).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The migration to per-tenant e-mails, on a SQLite database made by the schema before it:
    /// staff and their sessions stay; one address may then be in two tenants, not twice in one.
    #[tokio::test]
    async fn e_mails_become_unique_per_tenant_on_an_existing_sqlite_database_keeping_staff_and_sessions() {
        use migrations::{Migrator, MigratorTrait};
        use sea_orm::ConnectionTrait;
        let dir = std::env::temp_dir().join(format!("madoguchi_migration_{:x}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = crate::store::connect(&format!("sqlite://{}?mode=rwc", dir.join("t.sqlite").display())).await.unwrap();
        Migrator::up(&db, Some(2)).await.unwrap();
        let t = "'2026-11-01T00:00:00+00:00'";
        for sql in [
            format!("INSERT INTO tenant (id, name, api_option, created_at) VALUES (1, 'A', 0, {t}), (2, 'B', 0, {t})"),
            format!(
                "INSERT INTO staff (id, tenant_id, email, name, role, password_hash, created_at) VALUES \
                 (1, 1, 'a@example.jp', 'A', 'ADMIN', 'h', {t}), (2, 2, 'b@example.jp', 'B', 'ADMIN', 'h', {t})"
            ),
            format!(
                "INSERT INTO session (tenant_id, staff_id, token_hash, created_at, expires_at) VALUES \
                 (1, 1, 'x', {t}, {t}), (2, 2, 'y', {t}, {t})"
            ),
        ] {
            db.execute_unprepared(&sql).await.unwrap();
        }
        assert!(
            db.execute_unprepared(&format!(
                "INSERT INTO staff (tenant_id, email, name, role, password_hash, created_at) VALUES (2, 'a@example.jp', 'X', 'STAFF', 'h', {t})"
            ))
            .await
            .is_err(),
            "before: unique across tenants"
        );
        Migrator::up(&db, None).await.unwrap();
        let count = |table: &'static str| {
            let db = db.clone();
            async move {
                db.query_one_raw(sea_orm::Statement::from_string(
                    db.get_database_backend(),
                    format!("SELECT COUNT(*) AS n FROM {table}"),
                ))
                .await
                .unwrap()
                .unwrap()
                .try_get::<i64>("", "n")
                .unwrap()
            }
        };
        assert_eq!((count("staff").await, count("session").await), (2, 2));
        db.execute_unprepared(&format!(
            "INSERT INTO staff (tenant_id, email, name, role, password_hash, created_at) VALUES (2, 'a@example.jp', 'X', 'STAFF', 'h', {t})"
        ))
        .await
        .expect("the same address in another tenant");
        assert!(
            db.execute_unprepared(&format!(
                "INSERT INTO staff (tenant_id, email, name, role, password_hash, created_at) VALUES (2, 'a@example.jp', 'Y', 'STAFF', 'h', {t})"
            ))
            .await
            .is_err(),
            "unique within a tenant"
        );
        // Deleting a member still deletes their sessions (the foreign key points at the new table).
        db.execute_unprepared("DELETE FROM staff WHERE id = 1").await.unwrap();
        assert_eq!(count("session").await, 1);
        db.close().await.unwrap();
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn e_mail_addresses_are_checked_for_their_shape() {
        for ok in ["a@example.jp", "hanako.yamada+shop@mail.example.co.jp", "x@a.b"] {
            assert!(looks_like_email(ok), "{ok}");
        }
        for bad in [
            "",
            "a",
            "a@",
            "@example.jp",
            "a@example",
            "a@@example.jp",
            "a b@example.jp",
            "a@ex..jp",
            "a@.jp",
            "a@-x.jp",
        ] {
            assert!(!looks_like_email(bad), "{bad}");
        }
    }

    #[test]
    fn every_invalid_field_is_reported_at_once() {
        let input = StaffForSave { email: "nope".into(), name: " ".into(), role: Role::Staff, password: None };
        match check(input, true) {
            Err(AppError::Validation { errors, .. }) => {
                let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(fields, ["email", "name", "password"]);
            }
            other => panic!("{other:?}"),
        }
        let keep = StaffForSave {
            email: "  Hanako@Example.JP ".into(),
            name: " 山田 花子 ".into(),
            role: Role::Viewer,
            password: None,
        };
        let c = check(keep, false).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((c.email.as_str(), c.name.as_str()), ("hanako@example.jp", "山田 花子"));
    }
}
