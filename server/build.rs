//! The browser app inside the binary (src/assets.rs): `web/dist` is embedded by rust-embed in
//! release builds. A checkout without a built app still compiles: the folder is made empty here
//! (the server then answers with a "not included" page). Release builds are redone when the app
//! is rebuilt; debug builds read the folder at run time, so they need no rebuild.

use std::path::PathBuf;

fn main() {
    // Cargo sets CARGO_MANIFEST_DIR for build scripts; a relative path is the fallback.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").map(PathBuf::from).unwrap_or_else(|_| PathBuf::from("."));
    let dist = manifest.join("../web/dist");
    if !dist.exists() {
        let _ = std::fs::create_dir_all(&dist);
    }
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("PROFILE").is_ok_and(|p| p == "release") {
        println!("cargo:rerun-if-changed={}", dist.display());
    }
}
