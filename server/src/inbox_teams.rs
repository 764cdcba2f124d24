//! Working the inbox as a team: who an inquiry is assigned to (担当者) and internal notes
//! (社内メモ). Both are local to Madoguchi: nothing here is ever sent to a marketplace.
//!
//! Who did what is kept with the row: `inquiry.assigned_by` / `assigned_at`, and each note's
//! author — the staff member (id and name as it was) or, through the API, the token's name.

use std::collections::HashMap;

use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, QueryFilter, QueryOrder};

use crate::auth::{Actor, Permission};
use crate::clock;
use crate::error::{AppError, AppResult};
use crate::events::{Event, EventKind};
use crate::state::AppState;
use crate::store::Scope;
use crate::store::entities::{inquiry, inquiry_note, staff};

/// The longest note (characters).
pub const NOTE_MAX_CHARS: usize = 2000;

fn announce(state: &AppState, row: &inquiry::Model, sequence: i64) {
    state.events.publish(Event::logged(
        row.tenant_id,
        Some(row.shop_id),
        EventKind::InquiryUpdated { inquiry_id: row.id },
        sequence,
    ));
}

/// 担当者を設定する / 外す (`staff_id` = `None`). The staff member must be of the caller's
/// tenant (`NOT_FOUND` otherwise) and not 利用停止 (`VALIDATION` on `staffId`).
pub async fn assign(
    state: &AppState,
    actor: &Actor,
    inquiry_id: i64,
    staff_id: Option<i64>,
) -> AppResult<inquiry::Model> {
    actor.require(Permission::Write)?;
    let scope = actor.scope;
    let row = crate::inbox::must_get(&state.db, scope, inquiry_id).await?;
    if let Some(id) = staff_id {
        let member = scope.get::<staff::Entity>(&state.db, id).await?.ok_or(AppError::NotFound("スタッフ"))?;
        if member.disabled_at.is_some() {
            return Err(AppError::validation(
                "staffId",
                "利用停止中のスタッフは担当者にできません (a disabled staff member cannot be assigned)",
            ));
        }
    }
    let mut am: inquiry::ActiveModel = row.into();
    am.assignee_id = Set(staff_id);
    am.assigned_by = Set(Some(actor.display_name.clone()));
    am.assigned_at = Set(Some(clock::now()));
    let txn = crate::store::begin_write(&state.db).await?;
    let row = scope.update(&txn, am).await?;
    let sequence = crate::event_log::log_inquiry(&txn, &row, false).await?;
    txn.commit().await?;
    announce(state, &row, sequence);
    Ok(row)
}

/// 社内メモを追加する: 1–2000 characters, kept in Madoguchi only.
pub async fn add_note(state: &AppState, actor: &Actor, inquiry_id: i64, body: &str) -> AppResult<inquiry_note::Model> {
    actor.require(Permission::Write)?;
    let scope = actor.scope;
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::validation("body", "メモを入力してください (body is required)"));
    }
    if body.chars().count() > NOTE_MAX_CHARS {
        return Err(AppError::validation(
            "body",
            format!(
                "メモは{NOTE_MAX_CHARS}文字以内で入力してください (body must be at most {NOTE_MAX_CHARS} characters)"
            ),
        ));
    }
    let row = crate::inbox::must_get(&state.db, scope, inquiry_id).await?;
    let txn = crate::store::begin_write(&state.db).await?;
    let note = scope
        .insert(
            &txn,
            inquiry_note::ActiveModel {
                inquiry_id: Set(row.id),
                body: Set(body.to_owned()),
                author_staff_id: Set(actor.staff_id),
                author_name: Set(actor.display_name.clone()),
                created_at: Set(clock::now()),
                ..Default::default()
            },
        )
        .await?;
    let sequence = crate::event_log::log_inquiry(&txn, &row, false).await?;
    txn.commit().await?;
    announce(state, &row, sequence);
    Ok(note)
}

/// Notes of several inquiries at once, oldest first.
pub async fn notes_of(
    db: &impl ConnectionTrait,
    scope: Scope,
    inquiry_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<inquiry_note::Model>>> {
    let rows = scope
        .find::<inquiry_note::Entity>()
        .filter(inquiry_note::Column::InquiryId.is_in(inquiry_ids.iter().copied()))
        .order_by_asc(inquiry_note::Column::CreatedAt)
        .order_by_asc(inquiry_note::Column::Id)
        .all(db)
        .await?;
    let mut map: HashMap<i64, Vec<inquiry_note::Model>> = HashMap::new();
    for r in rows {
        map.entry(r.inquiry_id).or_default().push(r);
    }
    Ok(map)
}

/// A staff member of the tenant, by id (the assignee, a note's author).
pub async fn staff_member(db: &DatabaseConnection, scope: Scope, id: i64) -> AppResult<Option<staff::Model>> {
    Ok(scope.get::<staff::Entity>(db, id).await?)
}

/// Staff members of the tenant by id, for the dataloader (an inquiry's assignee, a note's author).
pub async fn staff_members(
    db: &DatabaseConnection,
    scope: Scope,
    ids: &[i64],
) -> AppResult<HashMap<i64, staff::Model>> {
    let rows = scope.find::<staff::Entity>().filter(staff::Column::Id.is_in(ids.iter().copied())).all(db).await?;
    Ok(rows.into_iter().map(|r| (r.id, r)).collect())
}

/// The staff one can assign to: every account of the tenant that is not 利用停止, by name.
/// Readable by every caller (the assignment menu), unlike the admin's staff list.
pub async fn assignable(db: &DatabaseConnection, actor: &Actor) -> AppResult<Vec<staff::Model>> {
    actor.require(Permission::Read)?;
    Ok(actor
        .scope
        .find::<staff::Entity>()
        .filter(staff::Column::DisabledAt.is_null())
        .order_by_asc(staff::Column::Name)
        .order_by_asc(staff::Column::Id)
        .all(db)
        .await?)
}
