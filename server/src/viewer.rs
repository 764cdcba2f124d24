//! Who is calling (the `viewer` query): the caller, their tenant and, for an API token, its
//! scopes.

use sea_orm::DatabaseConnection;

use crate::auth::Actor;
use crate::error::AppResult;
use crate::store::entities::api_token;

/// What the caller may know about themselves and their tenant.
pub struct ViewerFacts {
    pub tenant_name: String,
    /// APIオプション: inquiry management and auto-export.
    pub api_option: bool,
}

pub async fn facts(db: &DatabaseConnection, actor: &Actor) -> AppResult<ViewerFacts> {
    let t = actor.tenant(db).await?;
    Ok(ViewerFacts { tenant_name: t.name, api_option: t.api_option })
}

/// The scopes of the API token in use; empty for a staff session.
pub async fn token_scopes(db: &DatabaseConnection, actor: &Actor) -> AppResult<Vec<String>> {
    let Some(tid) = actor.api_token_id else {
        return Ok(vec![]);
    };
    Ok(actor
        .scope
        .get::<api_token::Entity>(db, tid)
        .await?
        .map(|t| t.scopes.split(',').map(str::to_owned).collect())
        .unwrap_or_default())
}
