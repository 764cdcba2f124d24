//! 店舗: the shops with their counts, and 店舗設定 (admin): settings, creating, saving, 接続テスト.

use super::{Id, IdVariables, IdVariablesFields, NoVariables, ShopProfileFields, Timestamp, operation, schema};
use crate::Marketplace;

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "QueryRoot")]
pub struct ShopsData {
    pub shops: Vec<ShopInfo>,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "Shop")]
pub struct ShopInfo {
    pub id: Id,
    pub name: String,
    pub marketplace: Marketplace,
    pub profile: ShopProfileFields,
    pub needs_reply_count: i32,
}

operation!(
    /// The tenant's shops with their profiles and 返信が必要 counts.
    Shops: query ShopsData(NoVariables)
);

/// `ShopSettings`: the marketplace settings of a shop. Credentials are never returned, only
/// whether they are set.
#[derive(cynic::QueryFragment, Debug, Clone, Default, PartialEq, Eq)]
pub struct ShopSettings {
    pub api_base_url: Option<String>,
    /// 受注を取得する日数.
    pub import_days: i32,
    /// 自動取得.
    pub auto_import: bool,
    /// 自動書き出し.
    pub auto_export: bool,
    /// 評価メッセージ (Rakuma).
    pub review_message: Option<String>,
    /// 登録メールアドレス (Rakuma).
    pub registered_email: Option<String>,
    pub credentials_set: bool,
    /// Seconds between automatic runs: the shop's own, or its marketplace's default.
    pub auto_interval_seconds: i32,
}

/// A shop with its profile and marketplace settings (the 店舗設定 screen).
#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "Shop")]
pub struct ShopWithSettings {
    pub id: Id,
    pub name: String,
    pub marketplace: Marketplace,
    pub profile: ShopProfileFields,
    pub settings: ShopSettings,
    /// Rakuten: where to register 問い合わせユーザアクション通知 (none without `--public-url`).
    pub push_endpoint_url: Option<String>,
    /// When the marketplace last pushed to the shop.
    pub last_push_at: Option<Timestamp>,
    /// When the licence key runs out (Rakuten, au PAY), if known.
    pub credentials_expire_at: Option<Timestamp>,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "QueryRoot")]
pub struct ShopSettingsListData {
    pub shops: Vec<ShopWithSettings>,
}

operation!(
    /// The tenant's shops with their settings.
    ShopSettingsList: query ShopSettingsListData(NoVariables)
);

/// `ConnectionTest`.
#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
pub struct ConnectionTest {
    pub ok: bool,
    pub message: String,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "MutationRoot", variables = "IdVariables")]
pub struct TestShopConnectionData {
    #[arguments(id: $id)]
    pub test_shop_connection: ConnectionTest,
}

operation!(
    /// 接続テスト: one call to the shop's marketplace.
    TestShopConnection: mutation TestShopConnectionData(IdVariables)
);

/// `ShopProfileInput`.
#[derive(cynic::InputObject, Debug, Clone, Default, PartialEq, Eq)]
pub struct ShopProfileInput {
    pub mall_shop_name: String,
    pub staff_name: String,
    pub phone: String,
    pub email: String,
}

impl From<ShopProfileFields> for ShopProfileInput {
    fn from(p: ShopProfileFields) -> Self {
        ShopProfileInput { mall_shop_name: p.mall_shop_name, staff_name: p.staff_name, phone: p.phone, email: p.email }
    }
}

impl From<crate::template::ShopProfile> for ShopProfileInput {
    fn from(p: crate::template::ShopProfile) -> Self {
        ShopProfileInput { mall_shop_name: p.mall_shop_name, staff_name: p.staff_name, phone: p.phone, email: p.email }
    }
}

/// `ShopSettingsInput`. Every field is sent (an empty text clears it) except `credentials`,
/// which is sent only when staff typed new values: leaving it out keeps the stored ones.
#[derive(cynic::InputObject, Debug, Clone, Default, PartialEq, Eq)]
pub struct ShopSettingsInput {
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub api_base_url: Option<String>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub import_days: Option<i32>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub auto_import: Option<bool>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub auto_export: Option<bool>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub review_message: Option<String>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub registered_email: Option<String>,
    /// Write-only; keys per marketplace (API.md).
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub credentials: Option<serde_json::Map<String, serde_json::Value>>,
    /// Only the CSV screen sends it; `None` keeps the stored mapping.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub csv_mapping: Option<Vec<super::CsvColumnInput>>,
    /// Sent only when staff changed the key's expiry date; `None` keeps the stored lifetime.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub credentials_expire_at: Option<super::Timestamp>,
    /// Sent only when staff changed the interval; `None` keeps it (or the marketplace's default).
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub auto_interval_seconds: Option<i32>,
}

/// `ShopInput`.
#[derive(cynic::InputObject, Debug, Clone, PartialEq, Eq)]
pub struct ShopInput {
    pub marketplace: Marketplace,
    pub name: String,
    pub profile: ShopProfileInput,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub settings: Option<ShopSettingsInput>,
}

#[derive(cynic::QueryVariables, Debug, Clone, PartialEq, Eq)]
pub struct CreateShopVariables {
    pub input: ShopInput,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "MutationRoot", variables = "CreateShopVariables")]
pub struct CreateShopData {
    #[arguments(input: $input)]
    pub create_shop: ShopWithSettings,
}

operation!(CreateShop: mutation CreateShopData(CreateShopVariables));

#[derive(cynic::QueryVariables, Debug, Clone, PartialEq, Eq)]
pub struct UpdateShopVariables {
    pub id: Id,
    pub input: ShopInput,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "MutationRoot", variables = "UpdateShopVariables")]
pub struct UpdateShopData {
    #[arguments(id: $id, input: $input)]
    pub update_shop: ShopWithSettings,
}

operation!(UpdateShop: mutation UpdateShopData(UpdateShopVariables));
