//! The attack suite: each protection of SECURITY.md, tried the way an attacker would, on
//! SQLite and PostgreSQL. A test here fails when the hole it names opens again.

mod cost;
mod data;
mod files;
mod headers;
mod outbound;
mod requests;
mod sessions;
mod sockets;
mod yahoo_link;
