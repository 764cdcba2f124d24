//! `inquiry_read` table: when a reader (a staff member, or an API token) last opened an
//! inquiry, as the newest customer message there was then.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inquiry_read")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub inquiry_id: i64,
    /// The staff member who opened it (sessions); `None` for a token's row.
    pub staff_id: Option<i64>,
    /// The API token that marked it read; `None` for a staff member's row.
    pub api_token_id: Option<i64>,
    /// The newest customer message of the inquiry when it was opened (0: none yet).
    pub seen_message_id: i64,
    pub read_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
