//! 取込・書出: runs, their lines, and starting them.

use super::{Id, PageInfo, ShopRef, Timestamp, operation, schema};
use crate::{SyncItemOutcome, SyncKind, SyncState};

/// `SyncProgress`: steps of a run (import windows, export pages) done, of the total when known.
#[derive(cynic::QueryFragment, Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncProgress {
    pub done: i32,
    pub total: Option<i32>,
}

/// `SyncRun`: one import or export run, with its counts and errors.
#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
pub struct SyncRun {
    pub id: Id,
    pub shop: ShopRef,
    pub kind: SyncKind,
    pub state: SyncState,
    /// "auto" | "manual".
    pub trigger: String,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    /// 新規.
    pub created: i32,
    /// 更新.
    pub updated: i32,
    /// 変更なし.
    pub unchanged: i32,
    /// 失敗.
    pub failed: i32,
    pub errors: Vec<String>,
    /// Windows or pages done, of the total when known (none while queued).
    pub progress: Option<SyncProgress>,
}

/// `SyncRunFilter`: 実行履歴's 手動 / 自動, kind and 失敗あり.
#[derive(cynic::InputObject, Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncRunFilter {
    /// "auto" | "manual".
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub trigger: Option<String>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub kind: Option<SyncKind>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub with_failures: Option<bool>,
}

#[derive(cynic::QueryVariables, Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncRunsVariables {
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub shop_id: Option<Id>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub first: Option<i32>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub filter: Option<SyncRunFilter>,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "QueryRoot", variables = "SyncRunsVariables")]
pub struct SyncRunsData {
    #[arguments(shopId: $shop_id, first: $first, after: $after, filter: $filter)]
    pub sync_runs: SyncRunConnection,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
pub struct SyncRunConnection {
    pub nodes: Vec<SyncRun>,
    pub page_info: PageInfo,
    pub total_count: i32,
}

operation!(
    /// Runs, newest first, of one shop or all.
    SyncRuns: query SyncRunsData(SyncRunsVariables)
);

/// `SyncRunItem`: one line of what a run did.
#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
pub struct SyncRunItem {
    pub outcome: SyncItemOutcome,
    /// The order in Madoguchi, when it is stored.
    pub order_id: Option<Id>,
    pub order_number: Option<String>,
    pub inquiry_id: Option<Id>,
    /// Why it failed or was left out (Japanese).
    pub reason: Option<String>,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
pub struct SyncRunItemConnection {
    pub nodes: Vec<SyncRunItem>,
    pub page_info: PageInfo,
    pub total_count: i32,
}

#[derive(cynic::QueryVariables, Debug, Clone, PartialEq, Eq)]
pub struct SyncRunItemsVariables {
    pub id: Id,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub first: Option<i32>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

/// A run with a page of its lines.
#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "SyncRun", variables = "SyncRunItemsVariables")]
pub struct SyncRunWithItems {
    #[cynic(spread)]
    pub run: SyncRun,
    #[arguments(first: $first, after: $after)]
    pub items: SyncRunItemConnection,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "QueryRoot", variables = "SyncRunItemsVariables")]
pub struct SyncRunItemsData {
    #[arguments(id: $id)]
    pub sync_run: Option<SyncRunWithItems>,
}

operation!(
    /// One run with a page of what it did (the run's details), in the order it happened.
    SyncRunItems: query SyncRunItemsData(SyncRunItemsVariables)
);

/// `ImportInput`: no range means the shop's configured days (モール詳細の取得日数で取得).
#[derive(cynic::InputObject, Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportInput {
    pub shop_id: Id,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub from: Option<Timestamp>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub to: Option<Timestamp>,
}

/// `ExportInput`: orders created in the period.
#[derive(cynic::InputObject, Debug, Clone, PartialEq, Eq)]
pub struct ExportInput {
    pub shop_id: Id,
    pub created_from: Timestamp,
    pub created_to: Timestamp,
}

#[derive(cynic::QueryVariables, Debug, Clone, PartialEq, Eq)]
pub struct ImportVariables {
    pub input: ImportInput,
}

#[derive(cynic::QueryVariables, Debug, Clone, PartialEq, Eq)]
pub struct ExportVariables {
    pub input: ExportInput,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "MutationRoot", variables = "ImportVariables")]
pub struct ImportOrdersData {
    #[arguments(input: $input)]
    pub import_orders: SyncRun,
}

operation!(
    /// 受注取込.
    ImportOrders: mutation ImportOrdersData(ImportVariables)
);

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "MutationRoot", variables = "ImportVariables")]
pub struct ImportInquiriesData {
    #[arguments(input: $input)]
    pub import_inquiries: SyncRun,
}

operation!(
    /// お問い合わせ取込.
    ImportInquiries: mutation ImportInquiriesData(ImportVariables)
);

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "MutationRoot", variables = "ExportVariables")]
pub struct ExportShipmentsData {
    #[arguments(input: $input)]
    pub export_shipments: SyncRun,
}

operation!(
    /// 発送情報を更新.
    ExportShipments: mutation ExportShipmentsData(ExportVariables)
);

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "MutationRoot", variables = "ExportVariables")]
pub struct RegisterEvaluationsData {
    #[arguments(input: $input)]
    pub register_evaluations: SyncRun,
}

operation!(
    /// ユーザ評価を登録 (Rakuma).
    RegisterEvaluations: mutation RegisterEvaluationsData(ExportVariables)
);
