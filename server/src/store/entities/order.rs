//! `order` table.
use sea_orm::entity::prelude::*;
use shared::OrderStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub shop_id: i64,
    pub order_number: String,
    pub ordered_at: DateTimeUtc,
    pub status: Status,
    pub marketplace_status: Option<String>,
    pub buyer_name: Option<String>,
    pub buyer_postal_code: Option<String>,
    pub buyer_address: Option<String>,
    pub buyer_phone: Option<String>,
    pub recipient_name: Option<String>,
    pub recipient_postal_code: Option<String>,
    pub recipient_address: Option<String>,
    pub recipient_phone: Option<String>,
    pub requested_delivery: Option<String>,
    pub total_amount: i64,
    pub payment_method: Option<String>,
    pub special_notes: Option<String>,
    pub notes: Option<String>,
    /// YYYY-MM-DD
    pub ship_date: Option<String>,
    pub carrier: Option<String>,
    pub delivery_method: Option<String>,
    pub tracking_number: Option<String>,
    pub last_exported_at: Option<DateTimeUtc>,
    pub last_export_fingerprint: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// 受注ステータス (`shared::OrderStatus`, stored by its code).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Status {
    #[sea_orm(string_value = "NEW")]
    New,
    #[sea_orm(string_value = "PROCESSING")]
    Processing,
    #[sea_orm(string_value = "ON_HOLD")]
    OnHold,
    #[sea_orm(string_value = "AWAITING_SHIPMENT")]
    AwaitingShipment,
    #[sea_orm(string_value = "SHIPPED")]
    Shipped,
    #[sea_orm(string_value = "COMPLETED")]
    Completed,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}
same_variants!(Status, OrderStatus, [New, Processing, OnHold, AwaitingShipment, Shipped, Completed, Cancelled]);
