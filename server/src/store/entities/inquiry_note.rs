//! `inquiry_note` table: internal notes on an inquiry (社内メモ), never sent to a customer.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inquiry_note")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub inquiry_id: i64,
    pub body: String,
    /// The staff member who wrote it; `None` when it came through an API token.
    pub author_staff_id: Option<i64>,
    /// The staff member's name, or the API token's name, as it was when written.
    pub author_name: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
