//! `sync_run_item` table: what a run did, one row per order or inquiry, in the order it
//! happened.
use sea_orm::entity::prelude::*;
use shared::SyncItemOutcome;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sync_run_item")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub run_id: i64,
    pub outcome: Outcome,
    /// The order, when it is stored (a failed import has only its number).
    pub order_id: Option<i64>,
    pub order_number: Option<String>,
    /// The inquiry an inquiry import stored (its id in Madoguchi).
    pub inquiry_id: Option<i64>,
    /// Why it failed or was left out (Japanese).
    pub reason: Option<String>,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// What the run did with it (`shared::SyncItemOutcome`, stored by its code).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Outcome {
    #[sea_orm(string_value = "CREATED")]
    Created,
    #[sea_orm(string_value = "UPDATED")]
    Updated,
    #[sea_orm(string_value = "UNCHANGED")]
    Unchanged,
    #[sea_orm(string_value = "SKIPPED")]
    Skipped,
    #[sea_orm(string_value = "FAILED")]
    Failed,
}
same_variants!(Outcome, SyncItemOutcome, [Created, Updated, Unchanged, Skipped, Failed]);
