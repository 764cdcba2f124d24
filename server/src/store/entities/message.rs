//! `message` table.
use sea_orm::entity::prelude::*;
use shared::{DeliveryState, MessageAuthor};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "message")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub inquiry_id: i64,
    pub marketplace_message_id: Option<String>,
    pub author: Author,
    pub staff_id: Option<i64>,
    pub staff_name: Option<String>,
    pub body: String,
    pub sent_at: DateTimeUtc,
    pub delivery: Delivery,
    pub delivery_error: Option<String>,
    pub delivery_attempts: i32,
    /// When a sender claimed it (`SENDING`); a claim older than the lease is released.
    pub delivery_claimed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Who wrote a message (`shared::MessageAuthor`, stored by its code).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Author {
    #[sea_orm(string_value = "CUSTOMER")]
    Customer,
    #[sea_orm(string_value = "SHOP")]
    Shop,
}
same_variants!(Author, MessageAuthor, [Customer, Shop]);

/// Delivery of a shop message towards the marketplace (`shared::DeliveryState`, stored by its
/// code), with the outbox's own `SENDING`: claimed by a sender, shown as `PENDING`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Delivery {
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "SENDING")]
    Sending,
    #[sea_orm(string_value = "SENT")]
    Sent,
    #[sea_orm(string_value = "FAILED")]
    Failed,
}

impl From<Delivery> for DeliveryState {
    fn from(d: Delivery) -> Self {
        match d {
            Delivery::Pending | Delivery::Sending => DeliveryState::Pending,
            Delivery::Sent => DeliveryState::Sent,
            Delivery::Failed => DeliveryState::Failed,
        }
    }
}

impl From<DeliveryState> for Delivery {
    fn from(d: DeliveryState) -> Self {
        match d {
            DeliveryState::Pending => Delivery::Pending,
            DeliveryState::Sent => Delivery::Sent,
            DeliveryState::Failed => Delivery::Failed,
        }
    }
}
