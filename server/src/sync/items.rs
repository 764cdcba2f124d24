//! What a run did, line by line (`sync_run_item`): each order or inquiry an import stored,
//! each order an export sent or left out (with the rule of `shared::export` that kept it out),
//! each buyer an evaluation run rated, each order a CSV upload stored, in the order it
//! happened. A line that describes a change is written in that change's transaction.
//!
//! A run keeps at most [`ITEMS_PER_RUN`] lines (its counts go on beyond that); lines go with
//! their run (the table's foreign key cascades when a run row is deleted).

use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, QueryFilter};
use shared::SyncItemOutcome;

use crate::auth::{Actor, Permission};
use crate::clock;
use crate::error::{AppError, AppResult};
use crate::paging::{self, AscCursor, Page, PageRequest};
use crate::store::Scope;
use crate::store::entities::{sync_run, sync_run_item};

/// The lines one run keeps at most: a 10,000-order import is listed whole.
pub const ITEMS_PER_RUN: usize = 20_000;

/// One line of a run's details.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunItem {
    pub order_id: Option<i64>,
    pub order_number: Option<String>,
    pub inquiry_id: Option<i64>,
    pub reason: Option<String>,
}

impl RunItem {
    pub fn order(number: &str) -> RunItem {
        RunItem { order_number: Some(number.to_owned()), ..RunItem::default() }
    }

    /// An order stored in Madoguchi.
    pub fn stored_order(id: i64, number: &str) -> RunItem {
        RunItem { order_id: Some(id), ..RunItem::order(number) }
    }

    pub fn inquiry(id: i64) -> RunItem {
        RunItem { inquiry_id: Some(id), ..RunItem::default() }
    }

    pub fn because(mut self, reason: impl Into<String>) -> RunItem {
        self.reason = Some(reason.into());
        self
    }
}

/// Where a change being stored writes its line: the run it belongs to. Passed into an upsert
/// so the line is written in the upsert's own transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunItemLog {
    pub(crate) run_id: i64,
}

impl RunItemLog {
    /// Writes the line in `db` (the change's transaction).
    pub(crate) async fn record(
        self,
        db: &impl ConnectionTrait,
        scope: Scope,
        outcome: SyncItemOutcome,
        item: RunItem,
    ) -> Result<(), sea_orm::DbErr> {
        scope
            .insert(
                db,
                sync_run_item::ActiveModel {
                    run_id: Set(self.run_id),
                    outcome: Set(outcome.into()),
                    order_id: Set(item.order_id),
                    order_number: Set(item.order_number),
                    inquiry_id: Set(item.inquiry_id),
                    reason: Set(item.reason),
                    at: Set(clock::now()),
                    ..Default::default()
                },
            )
            .await
            .map(drop)
    }
}

/// A run's lines in the order they happened, paged forwards by their key.
pub async fn list_items(
    db: &impl ConnectionTrait,
    actor: &Actor,
    run: &sync_run::Model,
    page: &PageRequest,
) -> AppResult<Page<sync_run_item::Model, AscCursor>> {
    actor.require(Permission::Read)?;
    if run.tenant_id != actor.scope.tenant_id() {
        return Err(AppError::NotFound("実行履歴"));
    }
    let q = actor.scope.find::<sync_run_item::Entity>().filter(sync_run_item::Column::RunId.eq(run.id));
    paging::paginate(
        db,
        q,
        sync_run_item::Column::At,
        sync_run_item::Column::Id,
        |r| AscCursor { at: Some(r.at), id: r.id },
        page,
    )
    .await
}
