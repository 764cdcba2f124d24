//! Creating tenants and their first staff: what an operator (or the demo, or a test) does
//! before anyone can sign in. Returns an [`Actor`] acting for the new tenant.

use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use shared::Role;

use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::store::Scope;
use crate::store::entities::{session, staff, tenant};
use crate::{clock, crypto};

pub async fn create_tenant(db: &impl ConnectionTrait, name: &str, api_option: bool) -> AppResult<Actor> {
    let t = tenant::Entity::insert(tenant::ActiveModel {
        name: Set(name.to_owned()),
        api_option: Set(api_option),
        created_at: Set(clock::now()),
        ..Default::default()
    })
    .exec_with_returning(db)
    .await?;
    Ok(Actor::system(Scope::of_tenant(t.id), name))
}

pub async fn create_staff(
    db: &impl ConnectionTrait,
    tenant: &Actor,
    email: &str,
    name: &str,
    role: Role,
    password: &str,
) -> AppResult<i64> {
    let email = email.trim().to_lowercase();
    if !email.contains('@') {
        return Err(AppError::validation("email", "メールアドレスの形式が正しくありません (not an e-mail address)"));
    }
    if password.chars().count() < 8 {
        return Err(AppError::validation(
            "password",
            "パスワードは8文字以上にしてください (password must be at least 8 characters)",
        ));
    }
    let hash = crypto::hash_password(password).map_err(AppError::internal)?;
    create_staff_with_hash(db, tenant, &email, name, role, hash).await
}

/// Like [`create_staff`] with the password hashed already (so a transaction holding a lock
/// does not wait for Argon2). The e-mail is checked by the caller.
pub async fn create_staff_with_hash(
    db: &impl ConnectionTrait,
    tenant: &Actor,
    email: &str,
    name: &str,
    role: Role,
    password_hash: String,
) -> AppResult<i64> {
    let row = tenant
        .scope
        .insert(
            db,
            staff::ActiveModel {
                email: Set(email.trim().to_lowercase()),
                name: Set(name.trim().to_owned()),
                role: Set(role.into()),
                password_hash: Set(password_hash),
                created_at: Set(clock::now()),
                ..Default::default()
            },
        )
        .await?;
    Ok(row.id)
}

/// Every tenant, oldest first (`madoguchi tenant list`).
pub async fn list_tenants(db: &impl ConnectionTrait) -> AppResult<Vec<tenant::Model>> {
    Ok(tenant::Entity::find().order_by_asc(tenant::Column::Id).all(db).await?)
}

/// Switches a tenant's API option (`madoguchi tenant set --id ID --api-option true|false`).
pub async fn set_api_option(db: &impl ConnectionTrait, tenant_id: i64, api_option: bool) -> AppResult<tenant::Model> {
    let t = tenant::Entity::find_by_id(tenant_id).one(db).await?.ok_or(AppError::NotFound("tenant"))?;
    let mut am: tenant::ActiveModel = t.into();
    am.api_option = Set(api_option);
    Ok(tenant::Entity::update(am).exec(db).await?)
}

/// Why a password could not be reset.
#[derive(Debug)]
pub enum ResetError {
    /// No staff member has that e-mail (in that tenant).
    NoSuchStaff,
    /// The address has accounts in several tenants: these; name one.
    SeveralTenants(Vec<i64>),
    Failed(AppError),
}

impl From<AppError> for ResetError {
    fn from(e: AppError) -> Self {
        ResetError::Failed(e)
    }
}

impl From<sea_orm::DbErr> for ResetError {
    fn from(e: sea_orm::DbErr) -> Self {
        ResetError::Failed(e.into())
    }
}

/// The account `madoguchi staff reset-password` is for. E-mail addresses are unique per tenant:
/// when `tenant_id` is not given, the address must belong to one tenant only.
pub async fn staff_to_reset(
    db: &sea_orm::DatabaseConnection,
    email: &str,
    tenant_id: Option<i64>,
) -> Result<staff::Model, ResetError> {
    let email = email.trim().to_lowercase();
    let mut q = staff::Entity::find().filter(staff::Column::Email.eq(email.as_str()));
    if let Some(t) = tenant_id {
        q = q.filter(staff::Column::TenantId.eq(t));
    }
    let found = q.order_by_asc(staff::Column::TenantId).all(db).await?;
    match found.as_slice() {
        [] => Err(ResetError::NoSuchStaff),
        [one] => Ok(one.clone()),
        several => Err(ResetError::SeveralTenants(several.iter().map(|s| s.tenant_id).collect())),
    }
}

/// Sets a staff member's password (10–128 characters) and ends their sessions.
pub async fn set_password(db: &sea_orm::DatabaseConnection, member: staff::Model, password: &str) -> AppResult<()> {
    let n = password.chars().count();
    if n < crate::setup::PASSWORD_MIN {
        return Err(AppError::validation(
            "password",
            "パスワードは10文字以上にしてください (password must be at least 10 characters)",
        ));
    } else if n > crate::setup::PASSWORD_MAX {
        return Err(AppError::validation(
            "password",
            "パスワードは128文字以内にしてください (password must be at most 128 characters)",
        ));
    }
    let pw = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || crypto::hash_password(&pw))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    let txn = crate::store::begin_write(db).await?;
    let staff_id = member.id;
    let mut am: staff::ActiveModel = member.into();
    am.password_hash = Set(hash);
    staff::Entity::update(am).exec(&txn).await?;
    session::Entity::delete_many().filter(session::Column::StaffId.eq(staff_id)).exec(&txn).await?;
    txn.commit().await?;
    Ok(())
}
