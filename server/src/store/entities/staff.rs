//! `staff` table.
use sea_orm::entity::prelude::*;

use shared::Role as SharedRole;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "staff")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    pub created_at: DateTimeUtc,
    /// Set when an admin switches the account off: it can no longer sign in.
    pub disabled_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// A staff member's role (`shared::Role`, stored by its code).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Role {
    #[sea_orm(string_value = "ADMIN")]
    Admin,
    #[sea_orm(string_value = "STAFF")]
    Staff,
    #[sea_orm(string_value = "VIEWER")]
    Viewer,
}
same_variants!(Role, SharedRole, [Admin, Staff, Viewer]);
