//! Each shop's rate budget at a marketplace holds across every server process on one
//! PostgreSQL database; SQLite (one process) paces in memory.

use std::time::Duration;

use madoguchi_tests::{Backend, backends, spawn_app};
use server::marketplaces::pace::Rate;
use server::rate_budget::{DatabaseBudget, pacer};
use shared::Marketplace;

use crate::seed;

#[tokio::test]
async fn two_processes_draw_on_one_budget_per_shop_and_never_take_the_same_slot() {
    for backend in backends().await {
        let a = spawn_app(&backend).await;
        let (token, _) = a.tenant("A商店", true).await;
        let shop: i64 = seed::shop(&a, &token, Marketplace::Rakuten, "楽天A店").await.parse().unwrap();
        let other: i64 = seed::shop(&a, &token, Marketplace::Rakuten, "楽天B店").await.parse().unwrap();
        if matches!(backend, Backend::Sqlite) {
            // One process: its buckets in memory are the whole budget.
            assert!(format!("{:?}", pacer(&a.state.db, shop)).contains("shared: false"));
            a.finish().await;
            continue;
        }
        assert!(format!("{:?}", pacer(&a.state.db, shop)).contains("shared: true"));
        let b = a.another_process().await;
        let (on_a, on_b) = (DatabaseBudget::new(a.state.db.clone()), DatabaseBudget::new(b.state.db.clone()));
        // One request per second with a burst of two; ten requests at once, half from each process.
        let rate = Rate { period: Duration::from_secs(1), burst: 2 };
        let takes = (0..10).map(|i| {
            let budget = if i % 2 == 0 { &on_a } else { &on_b };
            budget.take(shop, "rms", rate)
        });
        let mut slots: Vec<_> = futures_util::future::try_join_all(takes).await.expect("reserved");
        slots.sort_by_key(|r| r.go_at_ms);
        for pair in slots.windows(2) {
            assert!(
                pair[1].go_at_ms - pair[0].go_at_ms >= 1_000,
                "no two requests of the shop share a period, whichever process makes them: {slots:?}"
            );
        }
        assert!(slots.last().unwrap().wait >= Duration::from_secs(7), "the last of ten waits its turn: {slots:?}");
        // Another shop, and another limited operation of the same shop, have budgets of their own.
        assert_eq!(on_b.take(other, "rms", rate).await.unwrap().wait, Duration::ZERO);
        assert_eq!(on_b.take(shop, "orderItems", rate).await.unwrap().wait, Duration::ZERO);
        b.finish().await;
        a.finish().await;
    }
}
