//! Shops (店舗) and their marketplace settings. Credentials are sealed at rest and never read
//! back through the API: only whether they are set.

use sea_orm::{ActiveValue::Set, DatabaseConnection, QueryOrder};
use shared::Marketplace;

use crate::auth::{Actor, Permission};
use crate::clock;
use crate::crypto::Sealer;
use crate::error::{AppError, AppResult};
use crate::store::entities::shop;

pub const DEFAULT_IMPORT_DAYS: i32 = 7;
pub const MAX_IMPORT_DAYS: i32 = 730;

#[derive(Clone, Debug, Default)]
pub struct ShopForSave {
    pub marketplace: Option<Marketplace>,
    pub name: String,
    pub mall_shop_name: String,
    pub staff_name: String,
    pub phone: String,
    pub email: String,
    pub settings: Option<SettingsForSave>,
}

#[derive(Clone, Debug, Default)]
pub struct SettingsForSave {
    pub api_base_url: Option<String>,
    pub import_days: Option<i32>,
    pub auto_import: Option<bool>,
    pub auto_export: Option<bool>,
    pub review_message: Option<String>,
    pub registered_email: Option<String>,
    pub credentials: Option<serde_json::Value>,
    /// The custom-CSV column mapping; `Some(empty)` goes back to the default.
    pub csv_mapping: Option<Vec<shared::csv_orders::CsvColumn>>,
}

/// The credential keys each marketplace takes (API.md).
pub fn credential_keys(m: Marketplace) -> &'static [&'static str] {
    match m {
        Marketplace::Rakuten => &["serviceSecret", "licenseKey", "shopId", "pushAuthKey"],
        Marketplace::Yahoo => {
            &["sellerId", "accessToken", "refreshToken", "clientId", "clientSecret", "publicKey", "publicKeyVersion"]
        }
        Marketplace::Rakuma => &["email", "password", "clientId", "clientSecret", "accountType"],
        Marketplace::AuPay => &["shopId", "apiKey"],
        Marketplace::Amazon => &["sellerId", "marketplaceId", "clientId", "clientSecret", "refreshToken"],
        Marketplace::CustomCsv => &[],
    }
}

pub async fn list(db: &DatabaseConnection, actor: &Actor) -> AppResult<Vec<shop::Model>> {
    actor.require(Permission::Read)?;
    Ok(actor.scope.find::<shop::Entity>().order_by_asc(shop::Column::Id).all(db).await?)
}

pub async fn get(db: &DatabaseConnection, actor: &Actor, id: i64) -> AppResult<Option<shop::Model>> {
    actor.require(Permission::Read)?;
    Ok(actor.scope.get::<shop::Entity>(db, id).await?)
}

fn required(field: &str, label: &str, value: &str, max: usize) -> AppResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(AppError::validation(field, format!("{label}を入力してください ({field} is required)")));
    }
    if v.chars().count() > max {
        return Err(AppError::validation(
            field,
            format!("{label}は{max}文字以内で入力してください ({field} is longer than {max} characters)"),
        ));
    }
    Ok(v.to_owned())
}

fn optional(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn check_credentials(m: Marketplace, creds: &serde_json::Value) -> AppResult<()> {
    let Some(obj) = creds.as_object() else {
        return Err(AppError::validation(
            "credentials",
            "認証情報はJSONオブジェクトで指定してください (credentials must be a JSON object)",
        ));
    };
    let allowed = credential_keys(m);
    if let Some(bad) = obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(AppError::validation(
            "credentials",
            format!(
                "{}では使えないキーです: {bad} (unknown credential key; expected {})",
                m.label_ja(),
                allowed.join(", ")
            ),
        ));
    }
    if let Some(bad) = obj.iter().find(|(_, v)| !v.is_string()) {
        return Err(AppError::validation(
            "credentials",
            format!("認証情報の値は文字列で指定してください: {} (credential values must be strings)", bad.0),
        ));
    }
    if m == Marketplace::Rakuma
        && let Some(kind) = obj.get("accountType").and_then(|v| v.as_str())
        && kind != "single"
    {
        return Err(AppError::validation(
            "credentials",
            "ラクマは1点ものアカウントのみ連携できます。縦づみアカウントは連携できません (only single-item Rakuma accounts are supported)",
        ));
    }
    Ok(())
}

/// Creates or updates a shop (admin only).
pub async fn save(
    db: &DatabaseConnection,
    sealer: &Sealer,
    actor: &Actor,
    id: Option<i64>,
    input: ShopForSave,
) -> AppResult<shop::Model> {
    actor.require(Permission::Admin)?;
    let existing = match id {
        Some(id) => Some(actor.scope.get::<shop::Entity>(db, id).await?.ok_or(AppError::NotFound("店舗"))?),
        None => None,
    };
    let marketplace = match (&existing, input.marketplace) {
        (Some(e), Some(m)) if e.marketplace != m.as_str() => {
            return Err(AppError::validation(
                "marketplace",
                "店舗のモールは変更できません (a shop's marketplace cannot change)",
            ));
        }
        (Some(e), _) => Marketplace::parse(&e.marketplace).unwrap_or(Marketplace::CustomCsv),
        (None, Some(m)) => m,
        (None, None) => {
            return Err(AppError::validation("marketplace", "モールを選んでください (marketplace is required)"));
        }
    };
    let name = required("name", "店舗名", &input.name, 100)?;
    let mall_shop_name = required("mallShopName", "出店モール店舗名", &input.mall_shop_name, 100)?;
    let staff_name = required("staffName", "担当者名", &input.staff_name, 100)?;
    let phone = required("phone", "店舗電話番号", &input.phone, 30)?;
    let email = required("email", "店舗メールアドレス", &input.email, 254)?;
    if !email.contains('@') {
        return Err(AppError::validation(
            "email",
            "店舗メールアドレスの形式が正しくありません (email is not an e-mail address)",
        ));
    }
    let s = input.settings.unwrap_or_default();
    if let Some(d) = s.import_days
        && !(1..=MAX_IMPORT_DAYS).contains(&d)
    {
        return Err(AppError::validation(
            "importDays",
            format!(
                "受注を取得する日数は1〜{MAX_IMPORT_DAYS}日で指定してください (importDays must be 1-{MAX_IMPORT_DAYS})"
            ),
        ));
    }
    let api_base_url = optional(s.api_base_url.clone());
    if let Some(u) = &api_base_url
        && !(u.starts_with("http://") || u.starts_with("https://"))
    {
        return Err(AppError::validation(
            "apiBaseUrl",
            "APIのURLは http:// か https:// で始めてください (apiBaseUrl must be an http(s) URL)",
        ));
    }
    let sealed = match &s.credentials {
        Some(c) => {
            check_credentials(marketplace, c)?;
            Some(sealer.seal(&c.to_string()).map_err(AppError::internal)?)
        }
        None => None,
    };
    let csv_mapping = match s.csv_mapping.clone() {
        None => None,
        Some(cols) if cols.is_empty() => Some(None),
        Some(cols) => {
            let m = shared::csv_orders::CsvMapping::validated(cols)
                .map_err(|e| AppError::validation("csvMapping", e.to_string()))?;
            Some(Some(serde_json::to_string(&m).map_err(AppError::internal)?))
        }
    };
    let now = clock::now();
    match existing {
        None => Ok(actor
            .scope
            .insert(
                db,
                shop::ActiveModel {
                    marketplace: Set(marketplace.as_str().into()),
                    name: Set(name),
                    mall_shop_name: Set(mall_shop_name),
                    staff_name: Set(staff_name),
                    phone: Set(phone),
                    email: Set(email),
                    api_base_url: Set(api_base_url),
                    import_days: Set(s.import_days.unwrap_or(DEFAULT_IMPORT_DAYS)),
                    auto_import: Set(s.auto_import.unwrap_or(false)),
                    auto_export: Set(s.auto_export.unwrap_or(false)),
                    review_message: Set(optional(s.review_message)),
                    registered_email: Set(optional(s.registered_email)),
                    credentials_sealed: Set(sealed),
                    csv_mapping: Set(csv_mapping.flatten()),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                },
            )
            .await?),
        Some(row) => {
            let mut am: shop::ActiveModel = row.into();
            am.name = Set(name);
            am.mall_shop_name = Set(mall_shop_name);
            am.staff_name = Set(staff_name);
            am.phone = Set(phone);
            am.email = Set(email);
            if s.api_base_url.is_some() {
                am.api_base_url = Set(api_base_url);
            }
            if let Some(d) = s.import_days {
                am.import_days = Set(d);
            }
            if let Some(v) = s.auto_import {
                am.auto_import = Set(v);
            }
            if let Some(v) = s.auto_export {
                am.auto_export = Set(v);
            }
            if s.review_message.is_some() {
                am.review_message = Set(optional(s.review_message));
            }
            if s.registered_email.is_some() {
                am.registered_email = Set(optional(s.registered_email));
            }
            if sealed.is_some() {
                am.credentials_sealed = Set(sealed);
            }
            if let Some(m) = csv_mapping {
                am.csv_mapping = Set(m);
            }
            am.updated_at = Set(now);
            Ok(actor.scope.update(db, am).await?)
        }
    }
}

/// The credentials JSON of a sealed value.
pub fn open_credentials(sealer: &Sealer, sealed: &str) -> Result<serde_json::Value, String> {
    let plain = sealer.open(sealed).map_err(|e| e.to_string())?;
    serde_json::from_str(&plain).map_err(|e| e.to_string())
}

/// Merges keys into a shop's sealed credentials (a renewed access token), keeping the others.
pub async fn merge_credentials(
    state: &crate::state::AppState,
    shop: &shop::Model,
    patch: serde_json::Value,
) -> AppResult<()> {
    let scope = crate::store::Scope::of_tenant(shop.tenant_id);
    let row = scope.get::<shop::Entity>(&state.db, shop.id).await?.ok_or(AppError::NotFound("店舗"))?;
    let mut creds: serde_json::Value = match row.credentials_sealed.as_deref() {
        Some(sealed) => open_credentials(&state.sealer, sealed).map_err(|e| AppError::internal(anyhow::anyhow!(e)))?,
        None => serde_json::json!({}),
    };
    if let (Some(obj), Some(add)) = (creds.as_object_mut(), patch.as_object()) {
        for (k, v) in add {
            obj.insert(k.clone(), v.clone());
        }
    }
    let mut am: shop::ActiveModel = row.into();
    am.credentials_sealed = Set(Some(state.sealer.seal(&creds.to_string()).map_err(AppError::internal)?));
    am.updated_at = Set(clock::now());
    scope.update(&state.db, am).await?;
    Ok(())
}
