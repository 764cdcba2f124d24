//! `shop` table.
use sea_orm::entity::prelude::*;

pub use super::marketplace::Marketplace;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "shop")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub marketplace: Marketplace,
    pub name: String,
    pub mall_shop_name: String,
    pub staff_name: String,
    pub phone: String,
    pub email: String,
    pub api_base_url: Option<String>,
    pub import_days: i32,
    pub auto_import: bool,
    pub auto_export: bool,
    pub review_message: Option<String>,
    pub registered_email: Option<String>,
    /// Marketplace credentials sealed with the server key (`crypto.rs`); never returned.
    pub credentials_sealed: Option<String>,
    /// The custom-CSV column mapping (JSON of `shared::csv_orders::CsvMapping`); `None`: the default.
    pub csv_mapping: Option<String>,
    /// SHA-256 (hex) of the Rakuten shop id and push key, to find the shop of a push without
    /// opening credentials (`shops::push_index`); `""` without a push key; `None` not computed yet.
    pub push_index: Option<String>,
    /// When the marketplace last pushed to this shop (Rakuten).
    pub last_push_at: Option<DateTimeUtc>,
    /// When the marketplace's expiring key (`shared::credentials::expiring_key`) was last saved.
    pub key_saved_at: Option<DateTimeUtc>,
    /// When `SHOP_NEEDS_ATTENTION` was logged for the key saved at `key_saved_at`.
    pub key_warned_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Seconds between the shop's automatic runs of one kind; null: its marketplace's default
    /// (`shared::sync_interval`).
    pub auto_interval_seconds: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
