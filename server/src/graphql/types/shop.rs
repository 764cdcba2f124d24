//! Shops: profile, settings (credentials never returned), their 返信が必要 count.

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use shared::Marketplace;

use crate::graphql::context::{actor, load_err, loaders, state};
use crate::graphql::cost;
use crate::inbox;
use crate::store::entities::shop;

use super::*;

pub struct Shop(pub shop::Model);

#[derive(SimpleObject)]
pub struct ShopProfile {
    pub mall_shop_name: String,
    pub staff_name: String,
    pub phone: String,
    pub email: String,
}

#[derive(SimpleObject)]
pub struct ShopSettings {
    pub api_base_url: Option<String>,
    pub import_days: i32,
    pub auto_import: bool,
    pub auto_export: bool,
    pub review_message: Option<String>,
    pub registered_email: Option<String>,
    /// Whether marketplace credentials are stored (they are never returned).
    pub credentials_set: bool,
    /// The CSV column mapping (the saved one, or the default: every field under its Japanese label).
    #[graphql(complexity = "cost::list(cost::CSV_COLUMNS, child_complexity)")]
    pub csv_mapping: Vec<crate::graphql::csv::CsvColumn>,
    /// Seconds between the shop's automatic runs of one kind: its own, or its marketplace's
    /// default (Amazon 600, the others 300).
    pub auto_interval_seconds: i32,
}

#[Object]
impl Shop {
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    async fn marketplace(&self) -> Marketplace {
        self.0.marketplace.into()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn profile(&self) -> ShopProfile {
        let s = &self.0;
        ShopProfile {
            mall_shop_name: s.mall_shop_name.clone(),
            staff_name: s.staff_name.clone(),
            phone: s.phone.clone(),
            email: s.email.clone(),
        }
    }
    async fn settings(&self) -> ShopSettings {
        let s = &self.0;
        ShopSettings {
            api_base_url: s.api_base_url.clone(),
            import_days: s.import_days,
            auto_import: s.auto_import,
            auto_export: s.auto_export,
            review_message: s.review_message.clone(),
            registered_email: s.registered_email.clone(),
            credentials_set: s.credentials_sealed.is_some(),
            csv_mapping: crate::csv_shop::mapping_of(s).columns.into_iter().map(Into::into).collect(),
            auto_interval_seconds: shared::sync_interval::auto_interval_seconds(
                s.marketplace.into(),
                s.auto_interval_seconds,
            ),
        }
    }
    /// Rakuten: the address to register for 問い合わせユーザアクション通知 in RMS (null for
    /// other marketplaces, or when the server runs without `--public-url`).
    async fn push_endpoint_url(&self, ctx: &Context<'_>) -> Option<String> {
        crate::shop_setup::push_endpoint_url(&state(ctx).policy, &self.0)
    }
    /// When the shop's licence key runs out (Rakuten's licenseKey, au PAY's apiKey: 90 days
    /// after it was last saved here); null for other marketplaces, or a key saved before this
    /// was recorded. The app warns 14 days ahead.
    async fn credentials_expire_at(&self) -> Option<chrono::DateTime<chrono::FixedOffset>> {
        crate::shop_setup::credentials_expire_at(&self.0).map(jst)
    }
    /// When the marketplace last pushed to this shop (Rakuten), if ever.
    async fn last_push_at(&self) -> Option<chrono::DateTime<chrono::FixedOffset>> {
        self.0.last_push_at.map(jst)
    }
    /// 返信が必要 of this shop.
    async fn needs_reply_count(&self, ctx: &Context<'_>) -> Result<i32> {
        let a = actor(ctx)?;
        Ok(inbox::needs_reply_count(&state(ctx).db, a.scope, self.0.id).await? as i32)
    }
}

pub(crate) async fn load_shop(ctx: &Context<'_>, shop_id: i64) -> Result<Shop> {
    let s = loaders(ctx)?.shops().load_one(shop_id).await.map_err(load_err)?;
    Ok(Shop(s.ok_or(crate::error::AppError::NotFound("店舗"))?))
}

/// A shop that needs staff to act (`shopNeedsAttention`): why, in words, and until when.
pub struct ShopAttention {
    pub shop: shop::Model,
    pub reason: shared::ShopAttentionReason,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

#[Object]
impl ShopAttention {
    async fn shop(&self) -> Shop {
        Shop(self.shop.clone())
    }

    async fn reason(&self) -> shared::ShopAttentionReason {
        self.reason
    }

    /// What staff should do, in Japanese (the shop's name, the date, where to renew).
    async fn message(&self) -> String {
        let day = jst(self.expires_at).format("%Y年%-m月%-d日");
        match self.reason {
            shared::ShopAttentionReason::LicenceKeyExpiring => format!(
                "「{}」のライセンスキーの有効期限は{day}です。期限が切れる前にRMSの詳細>確認から新しいライセンスキーを発行し、店舗設定に保存してください。",
                self.shop.name
            ),
        }
    }

    /// When the licence key runs out (as it was when the event was logged).
    async fn expires_at(&self) -> chrono::DateTime<chrono::FixedOffset> {
        jst(self.expires_at)
    }
}
