//! `message` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "message")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub inquiry_id: i64,
    pub marketplace_message_id: Option<String>,
    pub author: String,
    pub staff_id: Option<i64>,
    pub staff_name: Option<String>,
    pub body: String,
    pub sent_at: DateTimeUtc,
    pub delivery: String,
    pub delivery_error: Option<String>,
    pub delivery_attempts: i32,
    /// When a sender claimed it (`SENDING`); a claim older than the lease is released.
    pub delivery_claimed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
