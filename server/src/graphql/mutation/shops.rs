//! Shops: create and edit (settings, sealed credentials).

use async_graphql::{Context, ID, InputObject, Object, Result};

use crate::graphql::context::{actor, state};
use crate::graphql::error::parse_id;
use crate::graphql::types::*;
use crate::shops;
use async_graphql::Json;
use shared::Marketplace;

#[derive(InputObject)]
pub struct ShopInput {
    pub marketplace: Marketplace,
    pub name: String,
    pub profile: ShopProfileInput,
    pub settings: Option<ShopSettingsInput>,
}

#[derive(InputObject)]
pub struct ShopProfileInput {
    pub mall_shop_name: String,
    pub staff_name: String,
    pub phone: String,
    pub email: String,
}

#[derive(InputObject)]
pub struct ShopSettingsInput {
    /// Replaces the marketplace's real origin; the documented paths follow it unchanged.
    pub api_base_url: Option<String>,
    /// 受注を取得する日数.
    pub import_days: Option<i32>,
    pub auto_import: Option<bool>,
    pub auto_export: Option<bool>,
    pub review_message: Option<String>,
    pub registered_email: Option<String>,
    /// Write-only; keys per marketplace (API.md).
    pub credentials: Option<Json<serde_json::Value>>,
    /// The CSV column mapping; an empty list goes back to the default.
    pub csv_mapping: Option<Vec<crate::graphql::csv::CsvColumn>>,
    /// When the stored expiring key (Rakuten's licenseKey, au PAY's apiKey) runs out, as the
    /// marketplace shows it (RMS: ライセンスキーの有効期限): for a key saved before Madoguchi
    /// recorded when keys were saved, or to correct the date. At most the key's lifetime (90
    /// days) ahead; `VALIDATION` for a marketplace whose keys do not expire this way.
    pub credentials_expire_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// Seconds between the shop's automatic runs of one kind, 60 (1 minute) to 86,400 (1 day);
    /// null leaves it as it is.
    pub auto_interval_seconds: Option<i32>,
}

fn shop_for_save(input: ShopInput) -> shops::ShopForSave {
    shops::ShopForSave {
        marketplace: Some(input.marketplace),
        name: input.name,
        mall_shop_name: input.profile.mall_shop_name,
        staff_name: input.profile.staff_name,
        phone: input.profile.phone,
        email: input.profile.email,
        settings: input.settings.map(|s| shops::SettingsForSave {
            api_base_url: s.api_base_url,
            import_days: s.import_days,
            auto_import: s.auto_import,
            auto_export: s.auto_export,
            review_message: s.review_message,
            registered_email: s.registered_email,
            credentials: s.credentials.map(|j| j.0),
            csv_mapping: s.csv_mapping.map(|cols| cols.into_iter().map(Into::into).collect()),
            credentials_expire_at: s.credentials_expire_at.map(|t| t.to_utc()),
            auto_interval_seconds: s.auto_interval_seconds,
        }),
    }
}

/// What 接続テスト found.
#[derive(async_graphql::SimpleObject)]
pub struct ConnectionTest {
    /// The marketplace answered the shop's credentials.
    pub ok: bool,
    /// In Japanese: that it worked, or what to do (with the marketplace's own reason).
    pub message: String,
}

#[derive(Default)]
pub struct ShopMutation;

#[Object]
impl ShopMutation {
    async fn create_shop(&self, ctx: &Context<'_>, input: ShopInput) -> Result<Shop> {
        let st = state(ctx);
        Ok(Shop(shops::save(&st.db, &st.sealer, &st.policy, actor(ctx)?, None, shop_for_save(input)).await?))
    }

    async fn update_shop(&self, ctx: &Context<'_>, id: ID, input: ShopInput) -> Result<Shop> {
        let st = state(ctx);
        let id = parse_id(&id, "店舗")?;
        Ok(Shop(shops::save(&st.db, &st.sealer, &st.policy, actor(ctx)?, Some(id), shop_for_save(input)).await?))
    }

    /// 接続テスト (admins): one call to the shop's marketplace with its stored credentials;
    /// nothing is imported or changed. A refusal is an answer (`ok: false` with the reason),
    /// not an error; another tenant's shop is `NOT_FOUND`.
    async fn test_shop_connection(&self, ctx: &Context<'_>, id: ID) -> Result<ConnectionTest> {
        let id = parse_id(&id, "店舗")?;
        let check = crate::shop_setup::test_connection(state(ctx), actor(ctx)?, id).await?;
        Ok(ConnectionTest { ok: check.ok, message: check.message })
    }
}
