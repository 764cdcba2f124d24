//! Demo mode: well-known accounts with history, and new buyer activity every round.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step is a failed test

mod common;

use common::{esa, jst, start};
use mallsim::demo;
use serde_json::Value;

async fn totals(sim: &mallsim::Sim) -> (usize, usize, usize) {
    let st = sim.state().await;
    let messages = st.inquiries.iter().map(|i| i.messages.len()).sum();
    (st.orders.len(), st.inquiries.len(), messages)
}

#[tokio::test]
async fn demo_accounts_start_with_history_and_each_round_adds_orders_or_buyer_messages() {
    let r = start().await;
    demo::seed_accounts(&r.sim).await;
    demo::seed_accounts(&r.sim).await; // idempotent
    let accounts = r.get_control("/accounts").await;
    assert_eq!(accounts.as_array().unwrap().len(), 5);
    let (orders, inquiries, messages) = totals(&r.sim).await;
    assert_eq!((orders, inquiries), (60, 12));
    for _ in 0..10 {
        demo::tick(&r.sim).await;
    }
    let (o2, i2, m2) = totals(&r.sim).await;
    assert!(o2 > orders, "new orders");
    assert!(i2 + m2 > inquiries + messages, "new questions or buyer messages");
}

#[tokio::test]
async fn the_demo_task_keeps_the_rakuten_inbox_growing_over_http() {
    let r = start().await;
    demo::seed_accounts(&r.sim).await;
    let task = demo::start(r.sim.clone(), std::time::Duration::from_millis(50));
    let auth = esa(demo::RAKUTEN_SERVICE_SECRET, demo::RAKUTEN_LICENSE_KEY);
    let count = || async {
        let now = chrono::Utc::now();
        let url = r.url(&format!(
            "/rakuten/es/1.0/inquirymng-api/inquiries?fromDate={}&toDate={}&limit=100",
            jst(now - chrono::Duration::days(30)),
            jst(now + chrono::Duration::minutes(1))
        ));
        let body: Value = r.http.get(url).header("Authorization", &auth).send().await.unwrap().json().await.unwrap();
        let list = body["list"].as_array().unwrap().clone();
        list.iter().map(|i| 1 + i["replies"].as_array().unwrap().len()).sum::<usize>()
    };
    let before = count().await;
    let mut after = before;
    for _ in 0..100 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        after = count().await;
        if after > before {
            break;
        }
    }
    task.abort();
    assert!(after > before, "the demo adds buyer messages ({before} → {after})");
    let text = demo::describe("127.0.0.1:8090".parse().unwrap());
    assert!(text.contains(demo::RAKUTEN_LICENSE_KEY));
}
