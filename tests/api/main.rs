//! Madoguchi end to end: a real server, real HTTP and WebSocket, SQLite and PostgreSQL.

mod contract;
mod inbox;
mod marketplaces;
mod orders;
mod seed;
mod subscriptions;
mod templates;
mod tenancy;
mod transport;
