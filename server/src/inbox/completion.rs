//! 完了する / 再開: the marketplace is told first, then the local change commits.

use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter};

use super::*;
use crate::auth::{Actor, Permission};
use crate::clock;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::Scope;
use crate::store::entities::{inquiry, message};

async fn check_complete<C: sea_orm::ConnectionTrait>(c: &C, scope: Scope, row: &inquiry::Model) -> AppResult<()> {
    let shop_has_replied = scope
        .find::<message::Entity>()
        .filter(message::Column::InquiryId.eq(row.id))
        .filter(message::Column::Author.eq(message::Author::Shop))
        .one(c)
        .await?
        .is_some();
    shared::inquiry::check_complete(marketplace_of(row), row.completed, shop_has_replied)
        .map_err(|e| AppError::Conflict(e.to_string()))
}

/// 完了する: the marketplace is told first; if it cannot be, nothing changes (see `delivery`).
pub async fn complete(state: &AppState, actor: &Actor, id: i64) -> AppResult<inquiry::Model> {
    crate::api_option::require(&state.db, actor).await?;
    actor.require(Permission::Write)?;
    let scope = actor.scope;
    let row = must_get(&state.db, scope, id).await?;
    check_complete(&state.db, scope, &row).await?;
    crate::delivery::set_completed_on_marketplace(state, &row, true).await?;
    let txn = crate::store::begin_write(&state.db).await?;
    let row = must_get(&txn, scope, id).await?;
    check_complete(&txn, scope, &row).await?;
    let mut am: inquiry::ActiveModel = row.into();
    am.completed = Set(true);
    am.completed_at = Set(Some(clock::now()));
    am.completed_by = Set(Some(actor.display_name.clone()));
    let row = scope.update(&txn, am).await?;
    let row = summarise(&txn, scope, row).await?;
    commit_change(state, txn, &row, false).await?;
    Ok(row)
}

/// Back to open, where the marketplace allows it; the marketplace is told first.
pub async fn reopen(state: &AppState, actor: &Actor, id: i64) -> AppResult<inquiry::Model> {
    crate::api_option::require(&state.db, actor).await?;
    actor.require(Permission::Write)?;
    let scope = actor.scope;
    let row = must_get(&state.db, scope, id).await?;
    shared::inquiry::check_reopen(marketplace_of(&row), row.completed)
        .map_err(|e| AppError::Conflict(e.to_string()))?;
    crate::delivery::set_completed_on_marketplace(state, &row, false).await?;
    let txn = crate::store::begin_write(&state.db).await?;
    let row = must_get(&txn, scope, id).await?;
    shared::inquiry::check_reopen(marketplace_of(&row), row.completed)
        .map_err(|e| AppError::Conflict(e.to_string()))?;
    let mut am: inquiry::ActiveModel = row.into();
    am.completed = Set(false);
    am.completed_at = Set(None);
    am.completed_by = Set(None);
    let row = scope.update(&txn, am).await?;
    let row = summarise(&txn, scope, row).await?;
    commit_change(state, txn, &row, false).await?;
    Ok(row)
}
