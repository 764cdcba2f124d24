//! Setting a shop up: 接続テスト (one call to its marketplace with the stored credentials —
//! nothing is imported or changed — answered in the staff's terms), and the address a Rakuten
//! shop registers for 問い合わせユーザアクション通知, and when an expiring key runs out.

use shared::Marketplace;

use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::marketplaces::{self, MarketplaceError};
use crate::state::{AppState, Policy};
use crate::store::entities::shop;

/// What 接続テスト found.
#[derive(Clone, Debug)]
pub struct ConnectionCheck {
    pub ok: bool,
    /// In Japanese: that it worked, or what to do.
    pub message: String,
}

/// Calls the shop's marketplace once (admins: the same people who set the credentials).
pub async fn test_connection(state: &AppState, actor: &Actor, shop_id: i64) -> AppResult<ConnectionCheck> {
    actor.require(Permission::Admin)?;
    let shop = actor.scope.get::<shop::Entity>(&state.db, shop_id).await?.ok_or(AppError::NotFound("店舗"))?;
    let m = Marketplace::from(shop.marketplace);
    let failed = |message: String| Ok(ConnectionCheck { ok: false, message });
    if !marketplaces::has_connector(m) {
        return failed(format!("{}の店舗はAPIで接続しません（受注はCSVで取り込みます）。", m.label_ja()));
    }
    if shop.credentials_sealed.is_none() {
        return failed("API認証情報が設定されていません。店舗設定で入力して保存してください。".into());
    }
    let connector = match marketplaces::connector_for(state, &shop) {
        Ok(c) => c,
        Err(e) => return failed(explain(m, &e)),
    };
    match connector.check_connection().await {
        Ok(()) => {
            Ok(ConnectionCheck { ok: true, message: format!("{}のAPIに接続できました。", m.label_ja()) })
        }
        Err(e) => failed(explain(m, &e)),
    }
}

/// A marketplace's refusal as staff act on it.
fn explain(m: Marketplace, e: &MarketplaceError) -> String {
    let what_to_do = match e {
        MarketplaceError::Auth { expired: true, .. } => {
            format!("認証情報の有効期限が切れています。{}で再発行し、店舗設定で保存してください。", m.label_ja())
        }
        MarketplaceError::Auth { expired: false, .. } => {
            "認証情報が受け付けられませんでした。店舗設定のキーを確認してください。".to_owned()
        }
        MarketplaceError::Unavailable(_) | MarketplaceError::Uncertain(_) => {
            "モールのAPIが応答しませんでした。時間をおいて再度お試しください。".to_owned()
        }
        MarketplaceError::NotConfigured(_) => "API認証情報が不足しています。店舗設定を確認してください。".to_owned(),
        MarketplaceError::Refused(_) | MarketplaceError::Protocol(_) | MarketplaceError::Unsupported(_) => {
            "モールのAPIが要求を受け付けませんでした。".to_owned()
        }
    };
    format!("{what_to_do}（{e}）")
}

/// Where a Rakuten shop registers 問い合わせユーザアクション通知 (the server's `/hooks/rakuten`
/// under `--public-url`); `None` for other marketplaces, or when the server's public address
/// is not configured (it cannot know how Rakuten reaches it).
pub fn push_endpoint_url(policy: &Policy, shop: &shop::Model) -> Option<String> {
    if Marketplace::from(shop.marketplace) != Marketplace::Rakuten {
        return None;
    }
    let base = policy.public_url.as_deref()?.trim().trim_end_matches('/');
    (!base.is_empty()).then(|| format!("{base}/hooks/rakuten"))
}

/// When the shop's expiring key (Rakuten's licenseKey, au PAY's apiKey) runs out: its lifetime
/// after it was last saved here. `None` for other marketplaces, or a key saved before this was
/// recorded (saving it again starts the count).
pub fn credentials_expire_at(shop: &shop::Model) -> Option<chrono::DateTime<chrono::Utc>> {
    let (_, days) = shared::credentials::expiring_key(Marketplace::from(shop.marketplace))?;
    shop.key_saved_at.map(|saved| saved + chrono::Duration::days(days))
}

/// Logs `SHOP_NEEDS_ATTENTION` for every shop (of every tenant) whose licence key runs out within
/// `shared::credentials::EXPIRY_WARNING_DAYS`, once per saved key (a key saved again starts
/// over). Run by the scheduler on each pass; returns how many were logged.
pub async fn note_expiring_keys(state: &AppState) -> AppResult<usize> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter};
    let now = crate::clock::now();
    // Only keys old enough to be within the warning days of the shortest lifetime, and not
    // warned of since they were saved: each pass reads the few shops that need it.
    let Some(shortest) =
        Marketplace::ALL.iter().filter_map(|m| shared::credentials::expiring_key(*m)).map(|(_, d)| d).min()
    else {
        return Ok(0);
    };
    let saved_before = now - chrono::Duration::days(shortest - shared::credentials::EXPIRY_WARNING_DAYS);
    // A job over all tenants: each event is logged in the shop's own tenant.
    let candidates = shop::Entity::find()
        .filter(shop::Column::KeySavedAt.lte(saved_before))
        .filter(
            Condition::any()
                .add(shop::Column::KeyWarnedAt.is_null())
                .add(Expr::col(shop::Column::KeyWarnedAt).lt(Expr::col(shop::Column::KeySavedAt))),
        )
        .all(&state.db)
        .await?;
    let mut logged = 0;
    for s in candidates {
        let warned = matches!((s.key_warned_at, s.key_saved_at), (Some(w), Some(k)) if w >= k);
        let Some(expires_at) = credentials_expire_at(&s) else { continue };
        if warned || shared::credentials::expiry_warning(expires_at, now).is_none() {
            continue;
        }
        let scope = crate::store::Scope::of_tenant(s.tenant_id);
        let txn = crate::store::begin_write(&state.db).await?;
        let mut am: shop::ActiveModel = s.clone().into();
        am.key_warned_at = Set(Some(now));
        scope.update(&txn, am).await?;
        let sequence = crate::event_log::log_shop_needs_attention(&txn, &s, expires_at).await?;
        txn.commit().await?;
        let kind = crate::events::EventKind::ShopNeedsAttention { shop_id: s.id, expires_at };
        state.events.publish(crate::events::Event::logged(s.tenant_id, Some(s.id), kind, sequence));
        logged += 1;
    }
    Ok(logged)
}
