//! Madoguchi's schema, one migration per change, the same on SQLite and PostgreSQL.
//!
//! Every table except `tenant` carries `tenant_id`: the store adds the tenant filter to every
//! query it builds (see `server/src/store/scope.rs`), and the indexes lead with it. The one
//! exception is `rate_budget` (the marketplaces' pacing per shop id, server/src/rate_budget.rs):
//! it holds no tenant data and nothing but the pacer reads it.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_initial;
mod m20261123_000002_csv_and_staff;
mod m20261201_000003_staff_email_per_tenant;
mod m20261201_000004_session_last_seen;
mod m20261201_000005_shop_push_index;
mod m20261201_000006_reply_failed;
mod m20261201_000007_sync_run_heartbeat;
mod m20261201_000020_assignment_notes_waiting;
mod m20261202_000030_inquiry_reads;
mod m20261202_000040_event_log;
mod m20261202_000050_webhooks;
mod m20261202_000070_shop_last_push;
mod m20261203_000060_sync_run_items;
mod m20261204_000080_inbox_counters;
mod m20261204_000090_inquiry_search;
mod m20261205_000100_sync_jobs;
mod m20261205_000110_rate_budget;
mod m20261206_000120_scan_indexes;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_initial::Migration),
            Box::new(m20261123_000002_csv_and_staff::Migration),
            Box::new(m20261201_000003_staff_email_per_tenant::Migration),
            Box::new(m20261201_000004_session_last_seen::Migration),
            Box::new(m20261201_000005_shop_push_index::Migration),
            Box::new(m20261201_000006_reply_failed::Migration),
            Box::new(m20261201_000007_sync_run_heartbeat::Migration),
            Box::new(m20261201_000020_assignment_notes_waiting::Migration),
            Box::new(m20261202_000030_inquiry_reads::Migration),
            Box::new(m20261202_000040_event_log::Migration),
            Box::new(m20261202_000050_webhooks::Migration),
            Box::new(m20261202_000070_shop_last_push::Migration),
            Box::new(m20261203_000060_sync_run_items::Migration),
            Box::new(m20261204_000080_inbox_counters::Migration),
            Box::new(m20261204_000090_inquiry_search::Migration),
            Box::new(m20261205_000100_sync_jobs::Migration),
            Box::new(m20261205_000110_rate_budget::Migration),
            Box::new(m20261206_000120_scan_indexes::Migration),
        ]
    }
}
