//! 一括変更: the same edit (status, 出荷日, 配送業者, …) on the orders staff selected in the list,
//! all or none: every order is checked first, then all are changed in one transaction, each
//! logged and published like a single edit.

use std::collections::{BTreeSet, HashMap};

use sea_orm::{ColumnTrait, QueryFilter};
use shared::Marketplace;

use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::entities::{order, shop};

use super::*;

/// The most orders one bulk edit takes (a list page is 30; a few pages selected at once).
pub const BULK_LIMIT: usize = 200;

/// Applies `input` to every order of `ids` (the caller's; any other id is `NOT_FOUND` and
/// nothing is changed). A 配送業者 must be one every selected order's marketplace accepts.
pub async fn update_many(
    state: &AppState,
    actor: &Actor,
    ids: &[i64],
    input: OrderForUpdate,
) -> AppResult<Vec<order::Model>> {
    actor.require(Permission::Write)?;
    let wanted: BTreeSet<i64> = ids.iter().copied().collect();
    if wanted.is_empty() || wanted.len() > BULK_LIMIT {
        return Err(AppError::validation(
            "ids",
            format!("受注を1件から{BULK_LIMIT}件まで選んでください (select 1 to {BULK_LIMIT} orders)"),
        ));
    }
    let scope = actor.scope;
    let rows =
        scope.find::<order::Entity>().filter(order::Column::Id.is_in(wanted.iter().copied())).all(&state.db).await?;
    if rows.len() != wanted.len() {
        return Err(AppError::NotFound("受注"));
    }
    if let Some(carrier) = input.carrier.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        let shop_ids: BTreeSet<i64> = rows.iter().map(|o| o.shop_id).collect();
        let shops: HashMap<i64, Marketplace> = scope
            .find::<shop::Entity>()
            .filter(shop::Column::Id.is_in(shop_ids))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|s| (s.id, Marketplace::from(s.marketplace)))
            .collect();
        if let Some(o) =
            rows.iter().find(|o| shops.get(&o.shop_id).is_none_or(|m| !shared::carriers::is_accepted(*m, carrier)))
        {
            return Err(AppError::validation(
                "carrier",
                format!(
                    "受注 {} のモールは配送業者「{carrier}」を受け付けません (carrier not accepted for order {})",
                    o.order_number, o.order_number
                ),
            ));
        }
    }
    let mut changed = Vec::with_capacity(rows.len());
    for row in rows {
        changed.push(apply_update(row.into(), &input)?);
    }
    let txn = crate::store::begin_write(&state.db).await?;
    let mut saved = Vec::with_capacity(changed.len());
    for am in changed {
        saved.push(scope.update(&txn, am).await?);
    }
    let logged: Vec<(&order::Model, bool)> = saved.iter().map(|o| (o, false)).collect();
    commit_changes(state, txn, &logged).await?;
    Ok(saved)
}
