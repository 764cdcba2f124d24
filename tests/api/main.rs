//! Madoguchi end to end: a real server, real HTTP and WebSocket, SQLite and PostgreSQL.

mod attack;
mod backup;
mod contract;
mod credentials;
mod csv;
mod db_outage;
mod event_log;
mod failed_replies;
mod faults;
mod first_start;
mod harness;
mod inbox;
mod marketplaces;
mod metrics;
mod object_store;
mod orders;
mod recovery;
mod seed;
mod staff;
mod static_assets;
mod subscriptions;
mod teams;
mod templates;
mod tenancy;
mod transport;
mod webhooks;
