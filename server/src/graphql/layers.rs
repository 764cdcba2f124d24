//! The GraphQL layer only translates (ARCHITECTURE.md, "Dependencies point inward"): it never
//! builds a query, writes a row or publishes an event; the application modules do, so every
//! way in (HTTP, WebSocket, jobs) follows the same rules. This test keeps it so.

use std::path::{Path, PathBuf};

/// What only the application modules and the store may write in their code.
const FORBIDDEN: &[(&str, &str)] = &[
    ("::Entity", "a table is read or written (call an application function)"),
    ("::Column", "a query is built (call an application function)"),
    ("ActiveModel", "a row is written (call an application function)"),
    ("QueryFilter", "a query is built (call an application function)"),
    ("TransactionTrait", "a transaction is opened (call an application function)"),
    (".publish(", "an event is published (the application function publishes after its commit)"),
    ("object_store", "stored files are read (call an application function)"),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_graphql_layer_reads_no_table_and_publishes_no_event() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/graphql");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(files.len() > 10, "the GraphQL files were not found under {}", root.display());
    let mut found = Vec::new();
    for file in files.iter().filter(|f| !f.ends_with("layers.rs")) {
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for (pattern, why) in FORBIDDEN {
                if code.contains(pattern) {
                    found.push(format!("{}:{}: `{pattern}`: {why}", file.display(), n + 1));
                }
            }
            if code.contains("sea_orm") && !code.contains("sea_orm::DatabaseConnection") {
                found.push(format!("{}:{}: sea_orm beyond the connection handle", file.display(), n + 1));
            }
        }
    }
    assert!(found.is_empty(), "the GraphQL layer must only translate:\n{}", found.join("\n"));
}
