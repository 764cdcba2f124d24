//! `inbox_count` table: per (shop, marketplace), how many inquiries are in each status and how
//! many open ones carry a failed reply. Written only by the triggers on `inquiry` (migration
//! m20261204_000080), in the transaction of the change; read by `inbox::counts`.
use sea_orm::entity::prelude::*;

pub use super::marketplace::Marketplace;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inbox_count")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub shop_id: i64,
    pub marketplace: Marketplace,
    /// 返信が必要.
    pub needs_reply: i64,
    /// 返信済み.
    pub replied: i64,
    /// 対応完了.
    pub completed: i64,
    /// 返信が必要 with a reply that failed to send.
    pub failed: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
