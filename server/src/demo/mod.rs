//! The demo (`madoguchi serve --demo`): a tenant with the API option, one shop per marketplace
//! with realistic Japanese profiles, and templates, made once; and the marketplaces themselves:
//! the simulator (`mallsim`) in this process, holding the demo's ~100 orders and ~40 inquiries
//! (with their threads, over all three statuses), which reach the database through the real
//! connectors and imports. Replies, completions and reopenings go back to the simulator as they
//! would to the marketplace.
//!
//! Every start makes the simulator's data again: the same plan (`plan.rs`, a fixed seed dated
//! from the demo tenant's creation), then the inquiries as the database has them
//! (`mirror.rs`: replies sent and completions made in earlier runs, inquiries that arrived
//! while an earlier run was going), so a re-import is an upsert that changes nothing and every
//! reply and completion still finds its inquiry. The staff's own edits that no import brings
//! (shipping data, 保留) are made once, after the first import, through `orders::update`.

mod mirror;
pub mod plan;

use std::net::SocketAddr;

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use shared::{Marketplace, OrderStatus, SyncKind};

use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::orders::{self, OrderForUpdate};
use crate::shops::{self, SettingsForSave, ShopForSave};
use crate::state::AppState;
use crate::store::Scope;
use crate::store::entities::{order, shop, staff, sync_run, tenant};
use crate::{marketplaces, provision, sync, templates};

pub use mirror::{MirroredInquiry, MirroredMessage};
pub use plan::shop_profiles;

pub const DEMO_EMAIL: &str = "demo@madoguchi.example";
pub const DEMO_PASSWORD: &str = "madoguchi-demo";

/// The demo's marketplaces: the simulator serving on a loopback port of this process.
#[derive(Clone)]
pub struct Mall {
    pub sim: mallsim::Sim,
    /// `http://127.0.0.1:port`; each marketplace under its prefix (`/rakuten`, …).
    pub base: String,
    pub addr: SocketAddr,
}

impl Mall {
    /// Puts an inquiry into the simulator as the marketplace of `m` would hold it (the demo
    /// shop's account), replacing one with the same id. Used at start to restore what the
    /// database has, and by tests that record an inquiry as an import does.
    pub async fn hold_inquiry(&self, m: Marketplace, inquiry: &MirroredInquiry) {
        let Some(key) = plan::account_of(m).filter(|k| k.marketplace.has_inquiries()) else { return };
        let mut st = self.sim.state().await;
        mirror::hold(&mut st, &key, inquiry);
    }
}

/// The demo tenant (its admin, shops and templates), made on the first start; whether it was
/// made now.
async fn seed_tenant(state: &AppState) -> AppResult<(Actor, bool)> {
    let db = &state.db;
    if let Some(st) = staff::Entity::find().filter(staff::Column::Email.eq(DEMO_EMAIL)).one(db).await? {
        return Ok((Actor::system(Scope::of_tenant(st.tenant_id), "デモ"), false));
    }
    let actor = provision::create_tenant(db, "窓口屋 (デモ)", true).await?;
    provision::create_staff(db, &actor, DEMO_EMAIL, "デモ 担当", shared::Role::Admin, DEMO_PASSWORD).await?;
    for (m, name, mall_name) in shop_profiles() {
        shops::save(
            db,
            &state.sealer,
            &state.policy,
            &actor,
            None,
            ShopForSave {
                marketplace: Some(m),
                name: name.into(),
                mall_shop_name: mall_name.into(),
                staff_name: "山田 花子".into(),
                phone: "03-1234-5678".into(),
                email: "support@madoguchiya.example".into(),
                settings: Some(SettingsForSave {
                    import_days: Some(7),
                    review_message: (m == Marketplace::Rakuma)
                        .then(|| "この度はお取引ありがとうございました。またのご利用をお待ちしております。".into()),
                    registered_email: (m == Marketplace::Rakuma).then(|| "rakuma@madoguchiya.example".into()),
                    ..Default::default()
                }),
            },
        )
        .await?;
    }
    tracing::info!(tenant = actor.scope.tenant_id(), "demo tenant created");
    Ok((actor, true))
}

/// Starts the demo's marketplaces and brings their data in: the demo tenant (made once), the
/// simulator holding the plan and what the database already has, the shops pointed at it, and
/// the first import of every shop, done before this returns (so the inbox is full when the
/// server says it is ready).
pub async fn start(state: &AppState) -> anyhow::Result<Mall> {
    let fail = |what: &str, e: AppError| anyhow::anyhow!("demo: {what}: {e:?}");
    let (actor, first) = seed_tenant(state).await.map_err(|e| fail("creating the demo tenant", e))?;
    let scope = actor.scope;
    let anchor = tenant::Entity::find_by_id(scope.tenant_id())
        .one(&state.db)
        .await
        .map_err(|e| fail("reading the demo tenant", e.into()))?
        .map(|t| t.created_at)
        .unwrap_or_else(crate::clock::now);
    // The simulator on loopback enforces no rate: the demo's imports need not keep one.
    let policy = marketplaces::http::retry_policy();
    marketplaces::set_retry_policy(marketplaces::RetryPolicy { pace: false, ..policy });

    let plan = plan::plan(anchor);
    let mall = start_simulator(anchor, &plan).await?;
    mirror::restore(state, scope, &mall).await.map_err(|e| fail("restoring the simulator", e))?;
    connect_simulator(state, &actor, &mall.base).await.map_err(|e| fail("connecting the shops", e))?;
    // The first start reads the whole month the plan spans; later ones their usual window.
    let since = first.then(|| anchor - TimeDelta::days(31));
    import_all(state, scope, since).await.map_err(|e| fail("importing", e))?;
    if first {
        local_edits(state, &actor, &plan).await.map_err(|e| fail("the staff's edits", e))?;
        for (category, name, body) in TEMPLATES {
            templates::create(&state.db, &actor, category, name, body).await.map_err(|e| fail("templates", e))?;
        }
        tracing::info!(tenant = scope.tenant_id(), "demo data imported");
    }
    Ok(mall)
}

const TEMPLATES: [(&str, &str, &str); 5] = [
    ("ご挨拶", "ご注文のお礼", "[出店モール店舗名]の[担当者名]です。この度はご注文いただきありがとうございます!"),
    (
        "ご挨拶",
        "お問い合わせのお礼",
        "[出店モール店舗名]の[担当者名]です。お問い合わせいただきありがとうございます。\n確認のうえ、改めてご連絡いたします。",
    ),
    (
        "発送",
        "発送のご連絡",
        "[出店モール店舗名]です。ご注文の商品を本日発送いたしました。\nお届けまで今しばらくお待ちください。\n\nご不明な点は [店舗電話番号] までお問い合わせください。",
    ),
    ("発送", "お届け日のご案内", "[担当者名]です。ご注文の商品は [お届け予定日] のお届け予定です。"),
    (
        "返品・キャンセル",
        "キャンセル承りました",
        "[出店モール店舗名]でございます。ご注文のキャンセルを承りました。\nまたのご利用をお待ちしております。\n[店舗メールアドレス]",
    ),
];

/// The simulator with the demo accounts and the plan's orders and inquiries, serving.
async fn start_simulator(anchor: DateTime<Utc>, plan: &plan::Plan) -> anyhow::Result<Mall> {
    // Its own random seed each start: what it makes while the demo runs (new orders and
    // questions) must not repeat the ids an earlier run made.
    let sim = mallsim::Sim::new(rand::random());
    let names: Vec<(Marketplace, &str)> = shop_profiles().into_iter().map(|(m, _, mall)| (m, mall)).collect();
    for mut new in mallsim::demo::accounts() {
        let key = new.credentials.key();
        if let Some((_, name)) = names.iter().find(|(m, _)| plan::account_of(*m).as_ref() == Some(&key)) {
            new.shop_name = Some((*name).to_owned());
        }
        // No per-URL interval on loopback (Yahoo!'s one request per second).
        new.min_interval_ms = Some(0);
        sim.create_account(new).await.map_err(|e| anyhow::anyhow!("demo: simulator account: {e}"))?;
    }
    {
        let mut st = sim.state().await;
        for (i, o) in plan.orders.iter().enumerate() {
            if let Some(key) = plan::account_of(o.marketplace) {
                st.orders.push(o.to_sim(&key, 100_000 + i as i64));
            }
        }
        st.inquiries.extend(plan.inquiries.iter().cloned());
        // The simulator numbers new inquiries (Rakuten) and orders (Yahoo!) from this counter:
        // ahead of the plan's numbers, and of any an earlier run made (fewer than ten a second).
        let since_anchor = (crate::clock::now() - anchor).num_seconds().max(0) as u64;
        st.serial = 1_000_000 + since_anchor.saturating_mul(10);
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(mallsim::serve(listener, sim.clone()));
    Ok(Mall { sim, base: format!("http://{addr}"), addr })
}

/// The first import of every connected demo shop (orders, then inquiries where the marketplace
/// has them), all shops at once; returns when all are done. The runs are auto runs, so the
/// scheduler's next ones come an interval later.
async fn import_all(state: &AppState, scope: Scope, since: Option<DateTime<Utc>>) -> AppResult<()> {
    let shops = scope.find::<shop::Entity>().all(&state.db).await?;
    let runs = shops.into_iter().filter(marketplaces::is_connected).map(|shop| async move {
        let m = Marketplace::from(shop.marketplace);
        for kind in [SyncKind::ImportOrders, SyncKind::ImportInquiries] {
            if !marketplaces::supports(m, kind) {
                continue;
            }
            // An import is an upsert: one that did not bring everything (a busy machine, a
            // timeout) is run again, up to three times, so the demo starts complete.
            for attempt in 1..=3 {
                let run = sync::begin_inline(state, scope, &shop, kind, sync::TRIGGER_AUTO).await?;
                let (from, to) = sync::window(&shop, since, None);
                let done = sync::execute(state, scope, shop.clone(), run, from, to).await;
                if done.state == sync_run::State::Succeeded && done.failed == 0 {
                    break;
                }
                tracing::warn!(shop = %shop.name, ?kind, attempt, errors = %done.errors, "demo: the first import did not bring everything");
            }
        }
        Ok::<(), AppError>(())
    });
    for r in futures_util::future::join_all(runs).await {
        r?;
    }
    Ok(())
}

/// What staff did that no import brings: shipping data entered for shipped orders, orders put
/// on hold (保留), and the custom-CSV shop's orders (no marketplace holds them: 受注登録).
async fn local_edits(state: &AppState, actor: &Actor, plan: &plan::Plan) -> AppResult<()> {
    let shops = actor.scope.find::<shop::Entity>().all(&state.db).await?;
    let shop_of = |m: Marketplace| shops.iter().find(|s| Marketplace::from(s.marketplace) == m);
    for o in &plan.orders {
        let Some(shop) = shop_of(o.marketplace) else { continue };
        let id = if o.marketplace == Marketplace::CustomCsv {
            orders::create(state, actor, o.to_create(shop.id)).await?.id
        } else {
            let found = actor
                .scope
                .find::<order::Entity>()
                .filter(order::Column::ShopId.eq(shop.id))
                .filter(order::Column::OrderNumber.eq(o.number.as_str()))
                .one(&state.db)
                .await?;
            let Some(row) = found else {
                tracing::warn!(order = %o.number, "demo: an order of the plan was not imported");
                continue;
            };
            row.id
        };
        let mut edit = OrderForUpdate {
            status: (o.status == OrderStatus::OnHold && o.marketplace != Marketplace::CustomCsv)
                .then_some(OrderStatus::OnHold),
            ..Default::default()
        };
        if let Some(s) = &o.shipping {
            edit.ship_date = Some(s.ship_date.clone());
            edit.carrier = Some(s.carrier.into());
            edit.delivery_method = Some(s.method.into());
            edit.tracking_number = s.tracking.clone();
        }
        if edit.status.is_some() || edit.ship_date.is_some() {
            orders::update(state, actor, id, edit).await?;
        }
    }
    Ok(())
}

/// Points the demo shops at the marketplace simulator (`base`), with the simulator's demo
/// credentials and auto-import on, so the whole pipeline (import, inbox, live updates, replies
/// going back) runs for real.
async fn connect_simulator(state: &AppState, actor: &Actor, base: &str) -> AppResult<()> {
    use mallsim::demo as sim;
    for s in actor.scope.find::<shop::Entity>().all(&state.db).await? {
        let m = Marketplace::from(s.marketplace);
        let (prefix, credentials) = match m {
            Marketplace::Rakuten => (
                "rakuten",
                serde_json::json!({ "serviceSecret": sim::RAKUTEN_SERVICE_SECRET, "licenseKey": sim::RAKUTEN_LICENSE_KEY, "shopId": sim::RAKUTEN_SHOP_ID }),
            ),
            Marketplace::Yahoo => (
                "yahoo",
                serde_json::json!({ "sellerId": sim::YAHOO_SELLER_ID, "accessToken": sim::YAHOO_ACCESS_TOKEN, "clientId": sim::YAHOO_CLIENT_ID, "clientSecret": sim::YAHOO_CLIENT_SECRET }),
            ),
            Marketplace::AuPay => {
                ("aupay", serde_json::json!({ "shopId": sim::AUPAY_SHOP_ID, "apiKey": sim::AUPAY_API_KEY }))
            }
            Marketplace::Amazon => (
                "amazon",
                serde_json::json!({ "sellerId": sim::AMAZON_SELLER_ID, "marketplaceId": "A1VC38T7YXB528", "clientId": sim::AMAZON_CLIENT_ID, "clientSecret": sim::AMAZON_CLIENT_SECRET, "refreshToken": sim::AMAZON_REFRESH_TOKEN }),
            ),
            Marketplace::Rakuma => (
                "rakuma",
                serde_json::json!({ "email": sim::RAKUMA_EMAIL, "password": sim::RAKUMA_PASSWORD, "clientId": sim::RAKUMA_CLIENT_ID, "clientSecret": sim::RAKUMA_CLIENT_SECRET }),
            ),
            Marketplace::CustomCsv => continue,
        };
        shops::save(
            &state.db,
            &state.sealer,
            &state.policy,
            actor,
            Some(s.id),
            ShopForSave {
                marketplace: Some(m),
                name: s.name.clone(),
                mall_shop_name: s.mall_shop_name.clone(),
                staff_name: s.staff_name.clone(),
                phone: s.phone.clone(),
                email: s.email.clone(),
                settings: Some(SettingsForSave {
                    api_base_url: Some(format!("{base}/{prefix}")),
                    auto_import: Some(true),
                    credentials: Some(credentials),
                    ..Default::default()
                }),
            },
        )
        .await?;
    }
    Ok(())
}
