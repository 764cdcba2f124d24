//! `webhook_delivery` table: the delivery log, one row per attempt.
use sea_orm::entity::prelude::*;

use shared::WebhookDeliveryResult as SharedResult;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_delivery")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub webhook_id: i64,
    pub sequence: i64,
    pub event_type: String,
    /// 1 for the first attempt on this event.
    pub attempt: i32,
    pub result: DeliveryResult,
    /// The endpoint's HTTP status, when it answered.
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i32,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// How an attempt ended (`shared::WebhookDeliveryResult`, stored by its code).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum DeliveryResult {
    #[sea_orm(string_value = "DELIVERED")]
    Delivered,
    #[sea_orm(string_value = "FAILED")]
    Failed,
    #[sea_orm(string_value = "GAVE_UP")]
    GaveUp,
}
same_variants!(DeliveryResult, SharedResult, [Delivered, Failed, GaveUp]);
