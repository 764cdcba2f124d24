//! Madoguchi end to end: a real server, real HTTP and WebSocket, SQLite and PostgreSQL.

mod attack;
mod backup;
mod contract;
mod csv;
mod failed_replies;
mod inbox;
mod marketplaces;
mod metrics;
mod object_store;
mod orders;
mod recovery;
mod seed;
mod staff;
mod subscriptions;
mod templates;
mod tenancy;
mod transport;
