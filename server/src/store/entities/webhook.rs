//! `webhook` table: an endpoint an admin registered, with its sealed secret and its delivery
//! cursor (see `webhooks::worker`).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub url: String,
    /// Comma-separated `WebhookEvent` codes.
    pub events: String,
    /// The signing secret, sealed with the server key (`crypto::Sealer`).
    pub secret_sealed: String,
    /// The staff member's (or API token's) name, as it was when created.
    pub created_by: String,
    pub created_at: DateTimeUtc,
    /// The last sequence of the tenant's event log this endpoint is done with.
    pub cursor: i64,
    /// Failed attempts on the event after the cursor.
    pub attempts: i32,
    /// When the next attempt on that event may be made (`None`: now).
    pub next_attempt_at: Option<DateTimeUtc>,
    /// The process delivering to it, and its last heartbeat.
    pub claimed_by: Option<String>,
    pub claimed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
