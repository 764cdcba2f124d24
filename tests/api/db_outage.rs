//! PostgreSQL goes away and comes back under use. The test runs a PostgreSQL of its own (a
//! throwaway cluster it stops and starts), with two server processes on it, a subscriber and a
//! reply on its way to a slow marketplace when the database stops.

use std::time::{Duration, Instant};

use madoguchi_tests::own_postgres::OwnPostgres;
use madoguchi_tests::{Backend, TestApp, error_code, spawn_app};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::marketplaces::{Mall, REPLY, THREADS, rakuten_shop, run};

async fn reply_state(app: &TestApp) -> Option<String> {
    let db = &app.state.db;
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT delivery FROM message WHERE author = 'SHOP' ORDER BY id LIMIT 1",
        ))
        .await
        .ok()??;
    row.try_get::<String>("", "delivery").ok()
}

async fn readyz(app: &TestApp) -> u16 {
    match app.http.get(format!("{}/readyz", app.base)).send().await {
        Ok(r) => r.status().as_u16(),
        Err(_) => 0,
    }
}

async fn until(what: &str, within: Duration, mut done: impl AsyncFnMut() -> bool) -> Duration {
    let start = Instant::now();
    while start.elapsed() < within {
        if done().await {
            return start.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("{what}: not within {within:?}");
}

const COUNTS: &str = "{ inboxCounts { needsReply } }";

#[tokio::test]
async fn when_postgresql_goes_away_requests_fail_fast_and_everything_resumes_by_itself_when_it_is_back() {
    let Some(pg) = OwnPostgres::start_new() else {
        assert!(
            std::env::var("MADOGUCHI_TEST_POSTGRES_REQUIRED").is_err_and(|_| true)
                || std::env::var("MADOGUCHI_TEST_POSTGRES_REQUIRED").is_ok_and(|v| v != "1"),
            "PostgreSQL is required, but no cluster of the test's own could be started"
        );
        eprintln!("NOTE: skipped: this machine cannot start a PostgreSQL of the test's own");
        return;
    };
    let backend = Backend::Postgres(pg.admin_url());
    let a = spawn_app(&backend).await;
    let b = a.another_process().await;
    let mall = Mall::start().await;
    mall.rakuten_account().await;
    let (token, _) = a.tenant("A商店", true).await;
    let shop = rakuten_shop(&a, &token, &mall, "楽天A店").await;
    mall.inquiry("届いていますか", 1).await;
    run(&a, &token, "importInquiries", json!({ "shopId": shop })).await;
    let t = a.gql_ok(&token, THREADS, json!({ "s": shop })).await;
    let inquiry = t["inquiries"]["nodes"][0]["id"].as_str().expect("inquiry").to_owned();

    // A staff member's screen on the second process, listening.
    let mut listening = b.subscribe(&token, "subscription { inquiryUpdated { id status } }", json!({})).await;
    tokio::time::sleep(Duration::from_millis(500)).await;

    // A reply on its way to a slow marketplace when the database stops.
    mall.faults(json!({ "latencyMs": 3000 })).await;
    a.gql_ok(&token, REPLY, json!({ "id": inquiry, "b": "データベースが止まっても一度だけ届く返信です。" })).await;
    until("the reply is being sent", Duration::from_secs(20), async || {
        reply_state(&a).await.as_deref() == Some("SENDING")
    })
    .await;
    pg.stop();

    // Requests fail within seconds, with a code a client can act on, on both processes.
    for app in [&a, &b] {
        let answer = tokio::time::timeout(Duration::from_secs(20), app.gql(Some(&token), COUNTS, json!({})))
            .await
            .expect("a request with the database gone is answered, not held");
        assert_eq!(error_code(&answer).as_deref(), Some("DATABASE_UNAVAILABLE"), "{answer:#}");
        assert_eq!(readyz(app).await, 503, "not ready without its database");
    }
    mall.faults(json!({})).await;

    pg.start();
    // Both processes are ready again by themselves (their pools reconnect).
    for app in [&a, &b] {
        let took = until("ready again", Duration::from_secs(30), async || readyz(app).await == 200).await;
        eprintln!("ready {took:?} after PostgreSQL came back");
        let counts: Value = app.gql_ok(&token, COUNTS, json!({})).await;
        assert!(counts["inboxCounts"]["needsReply"].is_number());
    }
    // The subscriber may have missed changes made through the other process: it is told to
    // reconnect and read again (close 1012), as the staff app does after any drop.
    assert!(listening.ended_within(Duration::from_secs(30)).await, "the subscriber is told to reconnect");
    // Once reconnected, it hears changes made through the other process again (LISTEN is back).
    let mut again = b.subscribe(&token, "subscription { inquiryUpdated { id status } }", json!({})).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    a.gql_ok(
        &token,
        "mutation($i: ID!) { addInquiryNote(inquiryId: $i, body: \"DB復旧後のメモ\") { id } }",
        json!({ "i": inquiry }),
    )
    .await;
    let heard = again.next_within(Duration::from_secs(15)).await.expect("a change made on the other process");
    assert_eq!(heard["data"]["inquiryUpdated"]["id"], inquiry.as_str());

    // The reply that was in flight is settled — found in the marketplace's thread or sent —
    // and reached the customer exactly once.
    let took = until("the reply is settled", Duration::from_secs(90), async || {
        reply_state(&a).await.as_deref() == Some("SENT")
    })
    .await;
    eprintln!("the reply in flight was settled {took:?} after the database was reachable again");
    assert_eq!(mall.counters().await["replies"], 1, "delivered once, never twice");

    b.finish().await;
    a.finish().await;
    drop(pg);
}
