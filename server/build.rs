//! The browser app inside the binary (src/assets.rs): `web/dist` is embedded by rust-embed in
//! release builds. A checkout without a built app still compiles: the folder is made empty here
//! (the server then answers with a "not included" page). Release builds are redone when the app
//! is rebuilt; debug builds read the folder at run time, so they need no rebuild.

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let dist = manifest.join("../web/dist");
    if !dist.exists() {
        let _ = std::fs::create_dir_all(&dist);
    }
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("PROFILE").is_ok_and(|p| p == "release") {
        println!("cargo:rerun-if-changed={}", dist.display());
    }
}
