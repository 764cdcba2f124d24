//! The run queue: the scheduler only enqueues, each process's bounded pool of workers performs,
//! a run is performed once however many processes schedule and work, and each shop's automatic
//! runs follow its own interval (`autoIntervalSeconds`) or its marketplace's default.

use std::time::Duration;

use madoguchi_tests::{Backend, TestApp, backends, each_backend, error_code, spawn_app_with};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use server::store::entities::sync_run;

use crate::marketplaces::{Mall, rakuten_shop};

const UPDATE: &str = "mutation($id: ID!, $i: ShopInput!) { updateShop(id: $id, input: $i) { settings { autoImport autoIntervalSeconds } } }";

/// Saves a shop's settings (name and profile as `rakuten_shop` made them); the whole answer.
async fn save_settings(app: &TestApp, token: &str, shop: &str, marketplace: &str, settings: Value) -> Value {
    app.gql(
        Some(token),
        UPDATE,
        json!({ "id": shop, "i": {
            "marketplace": marketplace, "name": format!("店{shop}"),
            "profile": { "mallShopName": format!("店{shop}"), "staffName": "山田 花子", "phone": "03-1111-2222", "email": "shop@example.jp" },
            "settings": settings
        }}),
    )
    .await
}

/// A Rakuten shop on the simulator that imports automatically (every `interval` seconds, or
/// the marketplace's default).
async fn auto_shop(app: &TestApp, token: &str, mall: &Mall, name: &str, interval: Option<i32>) -> String {
    let shop = rakuten_shop(app, token, mall, name).await;
    let saved =
        save_settings(app, token, &shop, "RAKUTEN", json!({ "autoImport": true, "autoIntervalSeconds": interval }))
            .await;
    assert!(saved.get("errors").is_none(), "{saved}");
    shop
}

/// Requests that reached the simulator, all marketplaces.
async fn requests(mall: &Mall) -> u64 {
    let v = mall.control(reqwest::Method::GET, "/requests", Value::Null).await;
    v.as_object().map(|m| m.values().filter_map(Value::as_u64).sum()).unwrap_or(0)
}

fn ids(shops: &[String]) -> Vec<i64> {
    shops.iter().map(|s| s.parse().expect("id")).collect()
}

async fn auto_runs_of(app: &TestApp, shops: &[i64]) -> Vec<sync_run::Model> {
    sync_run::Entity::find()
        .filter(sync_run::Column::ShopId.is_in(shops.iter().copied()))
        .filter(sync_run::Column::Trigger.eq(sync_run::Trigger::Auto))
        .all(&app.state.db)
        .await
        .expect("runs")
}

/// As if these runs had been queued `minutes` ago.
async fn queued_minutes_ago(app: &TestApp, runs: &[sync_run::Model], minutes: i64) {
    let at = chrono::Utc::now() - chrono::TimeDelta::minutes(minutes);
    sync_run::Entity::update_many()
        .col_expr(sync_run::Column::CreatedAt, Expr::value(at))
        .filter(sync_run::Column::Id.is_in(runs.iter().map(|r| r.id)))
        .exec(&app.state.db)
        .await
        .expect("set back");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_due_shops_are_queued_once_and_performed_by_bounded_workers_of_every_process_each_run_once() {
    for backend in backends().await {
        // Two workers in this process; on PostgreSQL a second process (with the default
        // `--sync-workers`) shares the database and both schedule and work; SQLite has one
        // process by design.
        let app = spawn_app_with(&backend, |c| c.sync_workers = Some(2)).await;
        let other = match backend {
            Backend::Postgres(_) => Some(app.another_process().await),
            Backend::Sqlite => None,
        };
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        mall.post(
            &format!("/accounts/rakuten/{}/orders", crate::marketplaces::RAKUTEN_SHOP),
            json!({ "count": 3, "withinDays": 3 }),
        )
        .await;
        // Without the API option the automatic runs are order imports only.
        let (token, _) = app.tenant("A商店", false).await;

        // One shop first: what one automatic import asks of the marketplace.
        let first = auto_shop(&app, &token, &mall, "楽天0号店", None).await;
        let before = requests(&mall).await;
        let one = server::sync::run_due_and_wait(&app.state, None, Duration::from_secs(60)).await.expect("pass");
        assert_eq!(one.len(), 1, "{one:?}");
        assert_eq!(one[0].state, sync_run::State::Succeeded, "{:?}", one[0]);
        let per_run = requests(&mall).await - before;
        assert!(per_run > 0);

        // Twelve more shops due at once; the marketplace answers slowly.
        const SHOPS: usize = 12;
        let mut shops = Vec::new();
        for i in 1..=SHOPS {
            shops.push(auto_shop(&app, &token, &mall, &format!("楽天{i}号店"), None).await);
        }
        mall.faults(json!({ "latencyMs": 100 })).await;
        let before = requests(&mall).await;
        let queued = match &other {
            Some(other) => {
                let (a, b) = tokio::join!(
                    server::sync::enqueue_due(&app.state, None),
                    server::sync::enqueue_due(&other.state, None)
                );
                let (a, b) = (a.expect("pass"), b.expect("pass"));
                assert!(a.iter().chain(&b).all(|r| r.state == sync_run::State::Queued), "the scheduler only queues");
                a.len() + b.len()
            }
            None => {
                let q = server::sync::enqueue_due(&app.state, None).await.expect("pass");
                assert!(q.iter().all(|r| r.state == sync_run::State::Queued), "the scheduler only queues");
                q.len()
            }
        };
        assert_eq!(queued, SHOPS, "one run per due shop across processes; the shop just imported is not due");
        // While the queue drains, no more runs are RUNNING than there are workers.
        let workers = 2 + if other.is_some() { usize::from(server::sync::DEFAULT_WORKERS) } else { 0 };
        let shop_ids = ids(&shops);
        let deadline = std::time::Instant::now() + Duration::from_secs(120);
        loop {
            let runs = auto_runs_of(&app, &shop_ids).await;
            let running = runs.iter().filter(|r| r.state == sync_run::State::Running).count();
            assert!(running <= workers, "{running} running with {workers} workers");
            if runs.iter().all(|r| r.state == sync_run::State::Succeeded) {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "the queue drained: {runs:?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let runs = auto_runs_of(&app, &shop_ids).await;
        assert_eq!(runs.len(), SHOPS, "each shop's run once");
        assert!(runs.iter().all(|r| r.attempts == 1 && r.created + r.unchanged + r.updated == 3), "{runs:?}");
        assert!(app.state.sync.most_busy() <= 2, "at most two runs at once in a process");
        if let Some(other) = &other {
            assert!(other.state.sync.most_busy() <= usize::from(server::sync::DEFAULT_WORKERS));
            let names: std::collections::HashSet<_> = runs.iter().filter_map(|r| r.claimed_by.clone()).collect();
            assert!(
                names.iter().all(|n| n == app.state.sync.me() || n == other.state.sync.me()),
                "claimed by the two processes: {names:?}"
            );
        }
        assert_eq!(requests(&mall).await - before, per_run * SHOPS as u64, "each marketplace call once per run");
        // Nothing is due any more, from either process.
        assert!(server::sync::enqueue_due(&app.state, None).await.expect("pass").is_empty());
        if let Some(other) = other {
            assert!(server::sync::enqueue_due(&other.state, None).await.expect("pass").is_empty());
            let _ = other.state.db.clone().close().await;
        }
        assert!(auto_runs_of(&app, &ids(&[first])).await.len() == 1);
        mall.task.abort();
        app.finish().await;
    }
}

#[tokio::test]
async fn a_manual_run_is_queued_and_returned_at_once_then_performed_by_a_worker() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        let (token, _) = app.tenant("A商店", true).await;
        let shop = rakuten_shop(&app, &token, &mall, "楽天A店").await;
        let from = chrono::Utc::now() - chrono::TimeDelta::days(3);
        let d = app
            .gql_ok(
                &token,
                "mutation($i: ImportInput!) { importOrders(input: $i) { id state trigger } }",
                json!({ "i": { "shopId": shop, "from": from.to_rfc3339() } }),
            )
            .await;
        assert_eq!(d["importOrders"]["state"], "QUEUED", "{d}");
        let id: i64 = d["importOrders"]["id"].as_str().expect("id").parse().expect("id");
        let done = server::sync::wait_finished(&app.state, &[id], Duration::from_secs(60)).await.expect("done");
        assert_eq!(done[0].state, sync_run::State::Succeeded, "{:?}", done[0]);
        assert_eq!(done[0].claimed_by.as_deref(), Some(app.state.sync.me()));
        // The period asked for is kept on the run for the worker.
        let kept = done[0].window_from.expect("window_from");
        assert!((kept - from).num_milliseconds().abs() <= 1, "{kept} vs {from}");
        assert!(done[0].window_to.is_none());
        mall.task.abort();
    });
}

#[tokio::test]
async fn auto_interval_seconds_defaults_per_marketplace_is_validated_and_kept_when_not_sent() {
    each_backend!(|app| {
        let (token, _) = app.tenant("A商店", true).await;
        let rakuten = crate::seed::shop(&app, &token, shared::Marketplace::Rakuten, "楽天店").await;
        let amazon = crate::seed::shop(&app, &token, shared::Marketplace::Amazon, "Amazon店").await;
        let shown = |id: String| {
            let (app, token) = (&app, token.clone());
            async move {
                let d = app.gql_ok(&token, "{ shops { id settings { autoIntervalSeconds } } }", json!({})).await;
                let shop = d["shops"].as_array().expect("shops").iter().find(|s| s["id"] == id.as_str()).cloned();
                shop.expect("the shop")["settings"]["autoIntervalSeconds"].as_i64().expect("interval")
            }
        };
        assert_eq!(shown(rakuten.clone()).await, 300, "Rakuten's default");
        assert_eq!(shown(amazon.clone()).await, 600, "Amazon's default: getOrders refills once a minute");

        let saved = save_settings(&app, &token, &amazon, "AMAZON", json!({ "autoIntervalSeconds": 3600 })).await;
        assert_eq!(saved["data"]["updateShop"]["settings"]["autoIntervalSeconds"], 3600, "{saved}");
        for bad in [59, 86_401, 0, -5] {
            let r = save_settings(&app, &token, &amazon, "AMAZON", json!({ "autoIntervalSeconds": bad })).await;
            assert_eq!(error_code(&r).as_deref(), Some("VALIDATION"), "{bad}: {r}");
            assert_eq!(r["errors"][0]["extensions"]["field"], "autoIntervalSeconds", "{r}");
        }
        // Not sent (or null): left as it is.
        save_settings(&app, &token, &amazon, "AMAZON", json!({ "autoImport": true, "autoIntervalSeconds": null }))
            .await;
        assert_eq!(shown(amazon.clone()).await, 3600);
        save_settings(&app, &token, &amazon, "AMAZON", json!({ "importDays": 3 })).await;
        assert_eq!(shown(amazon).await, 3600);
        // The bounds themselves are allowed.
        for ok in [60, 86_400] {
            let r = save_settings(&app, &token, &rakuten, "RAKUTEN", json!({ "autoIntervalSeconds": ok })).await;
            assert_eq!(r["data"]["updateShop"]["settings"]["autoIntervalSeconds"], ok, "{r}");
        }
    });
}

#[tokio::test]
async fn the_scheduler_follows_each_shop_s_interval() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        let (token, _) = app.tenant("A商店", false).await;
        let hourly = auto_shop(&app, &token, &mall, "毎時の店", Some(3600)).await;
        let minutely = auto_shop(&app, &token, &mall, "毎分の店", Some(60)).await;
        let first = server::sync::run_due_and_wait(&app.state, None, Duration::from_secs(60)).await.expect("pass");
        assert_eq!(first.len(), 2, "both are due the first time: {first:?}");
        assert!(server::sync::enqueue_due(&app.state, None).await.expect("pass").is_empty(), "neither again at once");

        // Their last runs were queued five minutes ago.
        queued_minutes_ago(&app, &first, 5).await;
        let again = server::sync::run_due_and_wait(&app.state, None, Duration::from_secs(60)).await.expect("pass");
        let shops: Vec<i64> = again.iter().map(|r| r.shop_id).collect();
        assert_eq!(shops, ids(&[minutely]), "only the one-minute shop is due after five minutes");
        assert!(auto_runs_of(&app, &ids(&[hourly])).await.len() == 1);
        mall.task.abort();
    });
}

/// One pass reads every tenant's shops and runs at once, then enqueues each shop's run in its
/// own tenant; a shop whose auto run still waits or runs is not due, however old that run is.
#[tokio::test]
async fn one_pass_serves_every_tenant_and_a_shop_with_a_run_still_open_is_not_due() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        let (a_token, a_actor) = app.tenant("A商店", false).await;
        let (b_token, b_actor) = app.tenant("B商店", false).await;
        let a_shop = auto_shop(&app, &a_token, &mall, "Aの店", Some(60)).await;
        let b_shop = auto_shop(&app, &b_token, &mall, "Bの店", Some(60)).await;
        let first = server::sync::run_due_and_wait(&app.state, None, Duration::from_secs(60)).await.expect("pass");
        let mut tenants: Vec<(i64, i64)> = first.iter().map(|r| (r.shop_id, r.tenant_id)).collect();
        tenants.sort();
        let (a_id, b_id): (i64, i64) = (a_shop.parse().expect("id"), b_shop.parse().expect("id"));
        let mut expected = vec![(a_id, a_actor.scope.tenant_id()), (b_id, b_actor.scope.tenant_id())];
        expected.sort();
        assert_eq!(tenants, expected, "each shop's run in its own tenant: {first:?}");

        // Both last ran five minutes ago, but A's run is still marked running (a worker on it).
        queued_minutes_ago(&app, &first, 5).await;
        let a_run = first.iter().find(|r| r.shop_id == a_id).expect("A's run").id;
        sync_run::Entity::update_many()
            .col_expr(sync_run::Column::State, Expr::value("RUNNING"))
            .filter(sync_run::Column::Id.eq(a_run))
            .exec(&app.state.db)
            .await
            .expect("mark running");
        let queued = server::sync::enqueue_due(&app.state, None).await.expect("pass");
        let shops: Vec<i64> = queued.iter().map(|r| r.shop_id).collect();
        assert_eq!(shops, vec![b_id], "only B is due: A's run is still open");
        mall.task.abort();
    });
}
