//! `sync_run` table.
use sea_orm::entity::prelude::*;
use shared::{SyncKind, SyncState};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sync_run")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub shop_id: i64,
    pub kind: Kind,
    pub state: State,
    pub trigger: Trigger,
    pub started_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
    pub created: i32,
    pub updated: i32,
    pub unchanged: i32,
    pub failed: i32,
    /// JSON array of strings.
    pub errors: String,
    pub created_at: DateTimeUtc,
    /// Renewed by the process working on a QUEUED or RUNNING run (see `sync::keep_runs`).
    pub heartbeat_at: Option<DateTimeUtc>,
    /// Windows (imports) or pages (exports) done so far, of `progress_total` when known.
    pub progress_done: i32,
    pub progress_total: Option<i32>,
    /// How many times a worker claimed the run (`sync::queue`); a run whose process stopped goes
    /// back to the queue until it has had `sync::MAX_ATTEMPTS`.
    pub attempts: i32,
    /// The process working on the run (`sync::SyncQueue::me`), from its claim.
    pub claimed_by: Option<String>,
    /// A QUEUED run is not claimed before this.
    pub not_before: Option<DateTimeUtc>,
    /// The period a manual run asked for; null: the shop's days up to when the run starts.
    pub window_from: Option<DateTimeUtc>,
    pub window_to: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// What a run does (`shared::SyncKind`, stored by its code).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Kind {
    #[sea_orm(string_value = "IMPORT_ORDERS")]
    ImportOrders,
    #[sea_orm(string_value = "IMPORT_INQUIRIES")]
    ImportInquiries,
    #[sea_orm(string_value = "EXPORT_SHIPMENTS")]
    ExportShipments,
    #[sea_orm(string_value = "EXPORT_EVALUATIONS")]
    ExportEvaluations,
}
same_variants!(Kind, SyncKind, [ImportOrders, ImportInquiries, ExportShipments, ExportEvaluations]);

/// Where a run is (`shared::SyncState`, stored by its code).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum State {
    #[sea_orm(string_value = "QUEUED")]
    Queued,
    #[sea_orm(string_value = "RUNNING")]
    Running,
    #[sea_orm(string_value = "SUCCEEDED")]
    Succeeded,
    #[sea_orm(string_value = "FAILED")]
    Failed,
}
same_variants!(State, SyncState, [Queued, Running, Succeeded, Failed]);

/// What started a run: the scheduler or a person (the API shows `"auto"` / `"manual"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Trigger {
    #[sea_orm(string_value = "auto")]
    Auto,
    #[sea_orm(string_value = "manual")]
    Manual,
}

impl Trigger {
    /// The stored text, as the API shows it.
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Auto => "auto",
            Trigger::Manual => "manual",
        }
    }
}
