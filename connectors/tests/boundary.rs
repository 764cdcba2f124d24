//! The connectors know nothing of storage, GraphQL or the server: the crate boundary keeps
//! their imports out, and this test keeps the dependencies that would let them back in out of
//! `Cargo.toml`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step is a failed test

const FORBIDDEN: &[&str] = &[
    "sea-orm",
    "sea-orm-migration",
    "sqlx",
    "axum",
    "async-graphql",
    "async-graphql-axum",
    "server",
    "madoguchi-server",
    "migrations",
    "madoguchi-migrations",
];

#[test]
fn the_connectors_depend_on_no_storage_graphql_or_server_crate() {
    let manifest = include_str!("../Cargo.toml");
    let mut section = "";
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line;
            continue;
        }
        if !section.contains("dependencies") {
            continue;
        }
        let name = line.split(['=', ' ', '.']).next().unwrap_or("").trim();
        assert!(!FORBIDDEN.contains(&name), "{section} lists {name}: the connectors must not depend on it");
    }
}
