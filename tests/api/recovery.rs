//! Nothing lost when a process dies or several start at once: reply claims are released at
//! start on SQLite and taken over after a silent heartbeat on PostgreSQL; migrations and
//! start-up writes are safe when processes start together.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use madoguchi_tests::{Backend, TestApp, backends, each_backend};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use crate::marketplaces::{Mall, THREADS, rakuten_shop, run, wait_for_sent};

/// The delivery states of the shop's replies, straight from the database.
async fn reply_states(app: &TestApp) -> Vec<String> {
    let db = &app.state.db;
    db.query_all_raw(Statement::from_string(
        db.get_database_backend(),
        "SELECT delivery FROM message WHERE author = 'SHOP' ORDER BY id",
    ))
    .await
    .expect("select")
    .into_iter()
    .map(|r| r.try_get::<String>("", "delivery").expect("delivery"))
    .collect()
}

async fn until_sent(app: &TestApp, within: Duration) -> Duration {
    let start = Instant::now();
    while start.elapsed() < within {
        if reply_states(app).await == ["SENT"] {
            return start.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("the reply was not resolved within {within:?}: {:?}", reply_states(app).await);
}

/// A reply the marketplace already has, left `SENDING` with no marketplace id as by a process
/// that sent it and died before recording it; `claimed_secs_ago` is when its heartbeat stopped.
async fn reply_left_in_flight(app: &TestApp, mall: &Mall, claimed_secs_ago: i64) {
    mall.rakuten_account().await;
    let (token, _) = app.tenant("A商店", true).await;
    let shop = rakuten_shop(app, &token, mall, "楽天A店").await;
    mall.inquiry("届いていますか", 1).await;
    run(app, &token, "importInquiries", json!({ "shopId": shop })).await;
    let t = app.gql_ok(&token, THREADS, json!({ "s": shop })).await;
    let id = t["inquiries"]["nodes"][0]["id"].as_str().expect("id").to_owned();
    let m = wait_for_sent(app, &token, &id, "一度だけ届く返信です。").await;
    assert_eq!(m["delivery"], "SENT");
    let at = server::clock::now() - chrono::TimeDelta::seconds(claimed_secs_ago);
    let db = &app.state.db;
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        "UPDATE message SET delivery = 'SENDING', marketplace_message_id = NULL, delivery_claimed_at = $1 WHERE author = 'SHOP'",
        [at.into()],
    ))
    .await
    .expect("update");
}

#[tokio::test]
async fn on_sqlite_a_reply_in_flight_at_a_crash_is_resolved_right_after_the_restart() {
    let app = madoguchi_tests::spawn_app(&Backend::Sqlite).await;
    let mall = Mall::start().await;
    // Its heartbeat is fresh: only a restart can know that its process is gone.
    reply_left_in_flight(&app, &mall, 0).await;
    let restarted = app.another_process().await;
    let took = until_sent(&restarted, Duration::from_secs(30)).await;
    eprintln!("resolved {took:?} after the restart");
    assert_eq!(mall.counters().await["replies"], 1, "found in the marketplace's thread, not sent again");
    restarted.finish().await;
    app.finish().await;
}

#[tokio::test]
async fn a_claim_whose_heartbeat_stopped_is_taken_over_within_a_minute_and_a_live_one_is_left_alone() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        // Beating 5 s ago: its process still works on it.
        reply_left_in_flight(&app, &mall, 5).await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(reply_states(&app).await, ["SENDING"], "a claim with a live heartbeat is not taken");
        // Silent for longer than the lease: its process is gone.
        let db = &app.state.db;
        let at = server::clock::now() - chrono::TimeDelta::seconds(server::delivery::LEASE.as_secs() as i64 + 1);
        db.execute_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "UPDATE message SET delivery_claimed_at = $1 WHERE author = 'SHOP'",
            [at.into()],
        ))
        .await
        .expect("update");
        let took = until_sent(&app, Duration::from_secs(60)).await;
        eprintln!("{}: taken over {took:?} after the heartbeat went silent past the lease", app.backend.name());
        assert_eq!(mall.counters().await["replies"], 1, "found in the marketplace's thread, not sent again");
    });
}

#[tokio::test]
async fn three_processes_started_at_once_on_an_empty_postgresql_database_all_become_ready() {
    let Some(Backend::Postgres(_)) = backends().await.into_iter().find(|b| matches!(b, Backend::Postgres(_))) else {
        eprintln!("NOTE: PostgreSQL not available: several processes on one database is a PostgreSQL set-up");
        return;
    };
    let pg = backends().await.into_iter().find(|b| matches!(b, Backend::Postgres(_))).expect("postgres");
    // A database with one tenant, so the bootstrap token has somewhere to go; then the three
    // start together on it, each with the same bootstrap token.
    let first = madoguchi_tests::spawn_app(&pg).await;
    let url = first.database_url().to_owned();
    let db = &first.state.db;
    db.execute_unprepared("DROP SCHEMA public CASCADE; CREATE SCHEMA public;").await.expect("empty the database");
    let start = |n: usize| {
        let url = url.clone();
        async move {
            let dir = std::env::temp_dir().join(format!("madoguchi_start_{}_{n}", std::process::id()));
            server::start(server::ServerConfig {
                database_url: url,
                data_dir: dir,
                spa_dir: None,
                demo: false,
                secret_key: Some("test-secret-key".into()),
                bootstrap_token: Some("mdg_bootstrap_shared_by_all".into()),
                policy: server::state::Policy { allow_private_urls: true, public_url: None },
                ..Default::default()
            })
            .await
        }
    };
    let (a, b, c) = tokio::join!(start(1), start(2), start(3));
    let apps: Vec<_> = [a, b, c].into_iter().map(|r| r.expect("every process starts")).collect();
    // One schema: every migration recorded once.
    let count = |sql: &'static str| async move {
        let r = db
            .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .expect("count")
            .expect("row");
        r.try_get::<i64>("", "n").expect("n")
    };
    let migrations = count("SELECT COUNT(*) AS n FROM seaql_migrations").await;
    let distinct = count("SELECT COUNT(DISTINCT version) AS n FROM seaql_migrations").await;
    assert_eq!(migrations, distinct, "each migration applied once");
    assert!(migrations >= 2);
    // No tenant yet, so no bootstrap token; provision one and start the three again together.
    server::provision::create_tenant(db, "先に作られた会社", true).await.expect("tenant");
    let (a, b, c) = tokio::join!(start(4), start(5), start(6));
    for r in [a, b, c] {
        r.expect("every process starts with the bootstrap token");
    }
    assert_eq!(count("SELECT COUNT(*) AS n FROM api_token").await, 1, "one bootstrap token");
    for app in apps {
        let _ = app.state.db.clone().close().await;
    }
    first.finish().await;
}

#[tokio::test]
async fn a_run_whose_process_stopped_goes_back_to_the_queue_once_its_heartbeat_is_a_minute_old_until_its_third_attempt()
{
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        mall.inquiry("中断後に取り込まれる質問", 1).await;
        let (token, _) = app.tenant("A商店", true).await;
        let shop = rakuten_shop(&app, &token, &mall, "楽天A店").await;
        let finished = run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
        // Runs left RUNNING by a process that is gone (its heartbeat set back in the database):
        // an import on its first attempt, one whose process may still work on it (fresh
        // heartbeat), an import that had its three attempts, and an export.
        let db = &app.state.db;
        let backend = db.get_database_backend();
        for (id, kind, silent, attempts) in [
            (1000, "IMPORT_INQUIRIES", 120, 1),
            (1001, "IMPORT_INQUIRIES", 5, 1),
            (1002, "IMPORT_INQUIRIES", 120, 3),
            (1003, "EXPORT_SHIPMENTS", 120, 1),
        ] {
            let at = (chrono::Utc::now() - chrono::TimeDelta::seconds(silent)).to_rfc3339();
            db.execute_raw(Statement::from_string(
                backend,
                format!(
                    "INSERT INTO sync_run (id, tenant_id, shop_id, kind, state, trigger, created, updated, unchanged, failed, errors, created_at, heartbeat_at, started_at, attempts, claimed_by) \
                     SELECT {id}, tenant_id, shop_id, '{kind}', 'RUNNING', trigger, 0, 0, 0, 0, '[]', created_at, '{at}', created_at, {attempts}, 'a-process-that-is-gone' FROM sync_run WHERE id = {}",
                    finished["id"].as_str().unwrap()
                ),
            ))
            .await
            .expect("insert");
        }
        let kept = server::sync::keep_runs(&app.state, server::sync::RUN_LEASE).await.expect("keeper");
        assert_eq!(kept, server::sync::KeptRuns { requeued: 1, failed: 2 });
        // The import goes back to the queue; a worker of this process takes it and completes it.
        let done = server::sync::wait_finished(&app.state, &[1000], Duration::from_secs(60)).await.expect("performed");
        assert_eq!(done[0].state, server::store::entities::sync_run::State::Succeeded, "{:?}", done[0]);
        assert_eq!(done[0].attempts, 2, "the attempts are kept and counted on");
        assert_eq!(done[0].claimed_by.as_deref(), Some(app.state.sync.me()));
        let runs = app
            .gql_ok(
                &token,
                "query($s: ID) { syncRuns(shopId: $s, first: 10) { nodes { id state errors created unchanged } } }",
                json!({ "s": shop }),
            )
            .await;
        let state_of =
            |id: &str| runs["syncRuns"]["nodes"].as_array().unwrap().iter().find(|r| r["id"] == id).unwrap().clone();
        let again = state_of("1000");
        assert_eq!(again["state"], "SUCCEEDED");
        assert!(again["errors"][0].as_str().unwrap().contains("中断"), "it says it was taken up again: {again}");
        assert_eq!(again["unchanged"], 1, "the inquiry the first run stored is not stored twice: {again}");
        for id in ["1002", "1003"] {
            let failed = state_of(id);
            assert_eq!(failed["state"], "FAILED", "{failed}");
            assert!(failed["errors"][0].as_str().unwrap().contains("中断"), "{failed}");
        }
        assert_eq!(state_of("1001")["state"], "RUNNING", "a run with a fresh heartbeat is left alone");
        mall.task.abort();
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_inquiry_and_order_arriving_by_several_ways_at_once_are_stored_once() {
    use server::inbox::{IncomingInquiry, IncomingMessage, upsert_inquiry};
    use server::orders::{IncomingOrder, ItemForSave, PartyForSave, upsert_order};
    use server::store::entities::shop;
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let shop_id = crate::seed::shop(&app, &token, shared::Marketplace::Rakuten, "楽天店").await;
        let shop = actor
            .scope
            .get::<shop::Entity>(&app.state.db, shop_id.parse().expect("id"))
            .await
            .expect("db")
            .expect("shop");
        let at = crate::seed::base_time();
        let inquiry = IncomingInquiry {
            marketplace_inquiry_id: "same-1".into(),
            order_number: None,
            customer_name: Some("楽天 太郎".into()),
            subject: Some("配送".into()),
            created_at: at,
            completed: false,
            messages: (0..3)
                .map(|i| IncomingMessage {
                    marketplace_message_id: format!("m{i}"),
                    author: shared::MessageAuthor::Customer,
                    staff_name: None,
                    body: format!("質問 {i}"),
                    sent_at: at + chrono::TimeDelta::minutes(i),
                    files: Vec::new(),
                })
                .collect(),
        };
        let order = IncomingOrder {
            order_number: "123456-20261201-0000000001".into(),
            ordered_at: at,
            marketplace_status: "300".into(),
            buyer: PartyForSave { name: Some("楽天 太郎".into()), ..Default::default() },
            recipient: PartyForSave { name: Some("楽天 太郎".into()), ..Default::default() },
            requested_delivery: None,
            items: vec![ItemForSave { name: "りんご".into(), sku: None, unit_price: 1200, quantity: 1 }],
            total_amount: 1200,
            payment_method: None,
            special_notes: None,
            ship_date: None,
            carrier: None,
            tracking_number: None,
            delivery_method: None,
        };
        // A poll, a push and a second process's poll, all at the same moment.
        let mut tasks = Vec::new();
        let start = std::sync::Arc::new(tokio::sync::Barrier::new(6));
        for _ in 0..6 {
            let (state, scope, shop, inquiry, order) =
                (app.state.clone(), actor.scope, shop.clone(), inquiry.clone(), order.clone());
            let start = start.clone();
            tasks.push(tokio::spawn(async move {
                start.wait().await;
                let i = server::store::busy_retry(|| upsert_inquiry(&state, scope, &shop, inquiry.clone())).await;
                let o = server::store::busy_retry(|| upsert_order(&state, scope, &shop, order.clone())).await;
                (i.map(|(id, _)| id).map_err(|e| format!("{e:?}")), o.map(|(id, _)| id).map_err(|e| format!("{e:?}")))
            }));
        }
        let mut inquiry_ids = HashSet::new();
        let mut order_ids = HashSet::new();
        for t in tasks {
            let (i, o) = t.await.expect("task");
            inquiry_ids.insert(i.expect("every arrival of the inquiry is taken"));
            order_ids.insert(o.expect("every arrival of the order is taken"));
        }
        assert_eq!(inquiry_ids.len(), 1, "one inquiry");
        assert_eq!(order_ids.len(), 1, "one order");
        let db = &app.state.db;
        let count = |sql: &'static str| async move {
            db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
                .await
                .expect("query")
                .expect("row")
                .try_get::<i64>("", "n")
                .expect("n")
        };
        assert_eq!(count("SELECT COUNT(*) AS n FROM message").await, 3, "each message once");
        assert_eq!(count("SELECT COUNT(*) AS n FROM order_item").await, 1, "the order's line once");
    });
}
