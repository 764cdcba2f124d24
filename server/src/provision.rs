//! Creating tenants and their first staff: what an operator (or the demo, or a test) does
//! before anyone can sign in. Returns an [`Actor`] acting for the new tenant.

use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};
use shared::Role;

use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::store::Scope;
use crate::store::entities::{staff, tenant};
use crate::{clock, crypto};

pub async fn create_tenant(db: &DatabaseConnection, name: &str, api_option: bool) -> AppResult<Actor> {
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
    db: &DatabaseConnection,
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
    let row = tenant
        .scope
        .insert(
            db,
            staff::ActiveModel {
                email: Set(email),
                name: Set(name.trim().to_owned()),
                role: Set(role.as_str().into()),
                password_hash: Set(hash),
                created_at: Set(clock::now()),
                ..Default::default()
            },
        )
        .await?;
    Ok(row.id)
}
