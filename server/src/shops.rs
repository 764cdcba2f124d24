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
    /// When the stored expiring key runs out, as the marketplace shows it.
    pub credentials_expire_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Seconds between the shop's automatic runs (60–86,400); `None` leaves it as it is.
    pub auto_interval_seconds: Option<i32>,
}

/// The credential keys each marketplace takes (`shared::credentials`, API.md).
pub fn credential_keys(m: Marketplace) -> impl Iterator<Item = &'static str> {
    shared::credentials::keys(m).iter().map(|k| k.key)
}

pub async fn list(db: &DatabaseConnection, actor: &Actor) -> AppResult<Vec<shop::Model>> {
    actor.require(Permission::Read)?;
    Ok(actor.scope.find::<shop::Entity>().order_by_asc(shop::Column::Id).all(db).await?)
}

/// Shops of the tenant by id, for the dataloader (an inquiry's, an order's or a run's shop).
pub async fn by_ids(
    db: &DatabaseConnection,
    scope: crate::store::Scope,
    ids: &[i64],
) -> AppResult<std::collections::HashMap<i64, shop::Model>> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let rows = scope.find::<shop::Entity>().filter(shop::Column::Id.is_in(ids.iter().copied())).all(db).await?;
    Ok(rows.into_iter().map(|r| (r.id, r)).collect())
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
    if let Some(bad) = obj.keys().find(|k| !shared::credentials::is_key(m, k)) {
        return Err(AppError::validation(
            "credentials",
            format!(
                "{}では使えないキーです: {bad} (unknown credential key; expected {})",
                m.label_ja(),
                credential_keys(m).collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    if let Some(bad) = obj.iter().find(|(_, v)| !v.is_string()) {
        return Err(AppError::validation(
            "credentials",
            format!("認証情報の値は文字列で指定してください: {} (credential values must be strings)", bad.0),
        ));
    }
    if m.capabilities().single_item_accounts_only
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

const API_BASE_URL_FIELD: &str = "settings.apiBaseUrl";

/// A shop's API base URL receives the shop's credentials: the rules of [`check_outbound_url`].
async fn check_api_base_url(raw: &str, allow_private_urls: bool) -> AppResult<()> {
    check_outbound_url(raw, allow_private_urls, API_BASE_URL_FIELD, "APIのURL").await
}

/// A URL this server will call on a tenant admin's word (a shop's API base URL, a webhook
/// endpoint). Unless the operator allows private URLs (`--allow-private-urls`), it must be
/// `https://` and its host must resolve only to public addresses (no loopback, private,
/// link-local / metadata, CGNAT, unique-local, …). The same rules are enforced again on the
/// resolved address at every connection (`marketplaces::http`), so a name that later resolves
/// elsewhere is refused there too. `what` names the URL in the message (`APIのURL`).
pub async fn check_outbound_url(raw: &str, allow_private_urls: bool, field: &str, what: &str) -> AppResult<()> {
    use crate::marketplaces::http;
    let bad = |why: String| AppError::validation(field, why);
    let url =
        url::Url::parse(raw).map_err(|_| bad(format!("{what}の形式が正しくありません ({field} is not a URL)")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(bad(format!("{what}は http:// か https:// で始めてください ({field} must be an http(s) URL)")));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad(format!(
            "{what}に利用者名やパスワードを含めないでください ({field} must not carry credentials)"
        )));
    }
    if allow_private_urls {
        return Ok(());
    }
    if let Some(why) = http::refusal(&url) {
        return Err(bad(format!("{what}: {why}")));
    }
    if let Some(url::Host::Domain(host)) = url.host() {
        let port = url.port_or_known_default().unwrap_or(443);
        let resolved =
            tokio::time::timeout(std::time::Duration::from_secs(5), tokio::net::lookup_host((host, port))).await;
        let addrs: Vec<std::net::SocketAddr> = match resolved {
            Ok(Ok(a)) => a.collect(),
            _ => Vec::new(),
        };
        if addrs.is_empty() {
            return Err(bad(format!("{what}のホスト名を解決できません (the host of {field} does not resolve)")));
        }
        if addrs.iter().any(|a| !http::is_public(a.ip())) {
            tracing::warn!(%host, addresses = ?addrs, %field, "refused a URL that resolves to a non-public address");
            return Err(bad(format!(
                "{what}のホストがローカル・社内向けのアドレスを指しています (the host of {field} resolves to a loopback, private or link-local address)"
            )));
        }
    }
    Ok(())
}

/// Creates or updates a shop (admin only).
pub async fn save(
    db: &DatabaseConnection,
    sealer: &Sealer,
    policy: &crate::state::Policy,
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
        (Some(e), Some(m)) if Marketplace::from(e.marketplace) != m => {
            return Err(AppError::validation(
                "marketplace",
                "店舗のモールは変更できません (a shop's marketplace cannot change)",
            ));
        }
        (Some(e), _) => e.marketplace.into(),
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
    if let Some(secs) = s.auto_interval_seconds
        && !shared::sync_interval::is_valid_auto_interval(secs)
    {
        use shared::sync_interval::{MAX_AUTO_INTERVAL_SECONDS as MAX, MIN_AUTO_INTERVAL_SECONDS as MIN};
        return Err(AppError::validation(
            "autoIntervalSeconds",
            format!(
                "自動実行の間隔は{MIN}〜{MAX}秒（1分〜1日）で指定してください (autoIntervalSeconds must be {MIN}-{MAX})"
            ),
        ));
    }
    let api_base_url = optional(s.api_base_url.clone());
    if let Some(u) = &api_base_url {
        check_api_base_url(u, policy.allow_private_urls).await?;
    }
    let credentials = match &s.credentials {
        Some(c) => {
            check_credentials(marketplace, c)?;
            let stored = existing.as_ref().and_then(|e| e.credentials_sealed.as_deref());
            Some(credentials_after_save(sealer, stored, c))
        }
        None => None,
    };
    let sealed = match &credentials {
        Some(c) => Some(sealer.seal(&c.to_string()).map_err(AppError::internal)?),
        None => None,
    };
    let new_push_index = credentials.as_ref().map(push_index);
    // A new expiring key typed: its lifetime starts now.
    let key_saved = s.credentials.as_ref().is_some_and(|c| {
        shared::credentials::expiring_key(marketplace)
            .is_some_and(|(k, _)| c.get(k).and_then(|v| v.as_str()).is_some_and(|v| !v.trim().is_empty()))
    });
    let now = clock::now();
    // The key's lifetime starts when it is saved here, or where the expiry staff entered says.
    let key_start = match s.credentials_expire_at {
        None => key_saved.then_some(now),
        Some(at) => Some(key_lifetime_start(marketplace, at, now)?),
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
    match existing {
        None => Ok(actor
            .scope
            .insert(
                db,
                shop::ActiveModel {
                    marketplace: Set(marketplace.into()),
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
                    auto_interval_seconds: Set(s.auto_interval_seconds),
                    push_index: Set(Some(new_push_index.unwrap_or_default())),
                    key_saved_at: Set(key_start),
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
                am.push_index = Set(new_push_index);
            }
            if key_start.is_some() {
                am.key_saved_at = Set(key_start);
                // A new lifetime: a warning is due again when it nears its end.
                am.key_warned_at = Set(None);
            }
            if let Some(m) = csv_mapping {
                am.csv_mapping = Set(m);
            }
            if let Some(secs) = s.auto_interval_seconds {
                am.auto_interval_seconds = Set(Some(secs));
            }
            am.updated_at = Set(now);
            Ok(actor.scope.update(db, am).await?)
        }
    }
}

/// When the lifetime of a key that runs out at `expires_at` began (what `key_saved_at` holds:
/// `shop_setup::credentials_expire_at` adds the lifetime back). `VALIDATION` on
/// `credentialsExpireAt` for a marketplace whose keys do not expire, or a date further ahead
/// than a new key lasts.
fn key_lifetime_start(
    marketplace: Marketplace,
    expires_at: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<chrono::DateTime<chrono::Utc>> {
    let Some((_, days)) = shared::credentials::expiring_key(marketplace) else {
        return Err(AppError::validation(
            "credentialsExpireAt",
            "このモールのキーには有効期限がありません (this marketplace's keys do not expire)",
        ));
    };
    let lifetime = chrono::Duration::days(days);
    if expires_at > now + lifetime + chrono::Duration::days(1) {
        return Err(AppError::validation(
            "credentialsExpireAt",
            format!("有効期限はキーの発行から{days}日以内の日付を入力してください (a key lasts at most {days} days)"),
        ));
    }
    Ok(expires_at - lifetime)
}

/// The credentials a save stores: the keys sent over the stored ones (`shared::credentials::merged`),
/// so a form that sends only what staff typed keeps the keys it does not show (e.g. a push key
/// set through the API). Stored credentials that cannot be opened are replaced by the keys sent.
fn credentials_after_save(sealer: &Sealer, stored: Option<&str>, sent: &serde_json::Value) -> serde_json::Value {
    let stored = stored.and_then(|sealed| open_credentials(sealer, sealed).ok());
    match (stored, sent) {
        (Some(serde_json::Value::Object(stored)), serde_json::Value::Object(sent)) => {
            serde_json::Value::Object(shared::credentials::merged(&stored, sent))
        }
        _ => sent.clone(),
    }
}

/// The index of a Rakuten push key (the `shopId` and `pushAuthKey` credentials): the SHA-256
/// (hex) of both, so the push endpoint finds its shop with one indexed query instead of opening
/// every shop's credentials. `""` when the shop has no push key.
pub fn push_index(creds: &serde_json::Value) -> String {
    let get = |k: &str| creds.get(k).and_then(|v| v.as_str()).filter(|v| !v.is_empty());
    match (get("shopId"), get("pushAuthKey")) {
        (Some(id), Some(key)) => push_index_of(id, key),
        _ => String::new(),
    }
}

/// [`push_index`] of one shop id and key.
pub fn push_index_of(shop_id: &str, push_key: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"rakuten-push\0");
    h.update(shop_id.as_bytes());
    h.update(b"\0");
    h.update(push_key.as_bytes());
    hex::encode(h.finalize())
}

/// Computes the push index of Rakuten shops saved before it existed (`push_index` NULL): their
/// credentials are opened once, here, and never again by the push endpoint.
pub async fn backfill_push_index(state: &crate::state::AppState) -> AppResult<()> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let legacy = shop::Entity::find().filter(shop::Column::PushIndex.is_null()).all(&state.db).await?;
    for row in legacy {
        let index = match row.credentials_sealed.as_deref() {
            Some(sealed) if row.marketplace == shop::Marketplace::Rakuten => {
                open_credentials(&state.sealer, sealed).map(|c| push_index(&c)).unwrap_or_default()
            }
            _ => String::new(),
        };
        let scope = crate::store::Scope::of_tenant(row.tenant_id);
        let mut am: shop::ActiveModel = row.into();
        am.push_index = Set(Some(index));
        scope.update(&state.db, am).await?;
    }
    Ok(())
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
    am.push_index = Set(Some(push_index(&creds)));
    am.updated_at = Set(clock::now());
    scope.update(&state.db, am).await?;
    Ok(())
}
