//! `attachment` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attachment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub message_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    /// Empty until the bytes are stored (a customer's file still on the marketplace).
    pub storage_key: String,
    /// Where the marketplace keeps a customer's file, until it is downloaded.
    pub remote_path: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
