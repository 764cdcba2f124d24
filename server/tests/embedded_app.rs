//! The built `madoguchi` binary, started from a folder that has no `web/dist` and without
//! `--spa-dir`, serves the browser app it carries: `index.html` and the hashed wasm are the
//! files of the build's `web/dist`, compressed as the browser accepts. A build without the app
//! answers with a page that says so, and the API still works.
//!
//! (The binary the tests build is a debug build, which reads the checkout's `web/dist` when it
//! starts; a release build answers from the bytes compiled into it — the unit test
//! `assets::tests::the_embedded_files_are_web_dist_file_for_file` checks those reads.)

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step is a failed test

mod common;

use std::io::Read as _;
use std::process::{Child, Command, Stdio};

struct Served {
    child: Child,
    base: String,
    dir: std::path::PathBuf,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `madoguchi serve` with its working folder, data and database in a new empty folder.
fn serve_from_elsewhere() -> Served {
    let dir =
        std::env::temp_dir().join(format!("madoguchi_embedded_{}_{:x}", std::process::id(), rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    let database_url = format!("sqlite://{}?mode=rwc", dir.join("madoguchi.sqlite").display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .current_dir(&dir)
        .arg("serve")
        .args(["--listen", "127.0.0.1:0", "--database-url", &database_url])
        .arg("--data-dir")
        .arg(&dir)
        .env_remove("MADOGUCHI_LISTEN")
        .env_remove("MADOGUCHI_DEMO")
        .env_remove("MADOGUCHI_SPA_DIR")
        .env("MADOGUCHI_SECRET_KEY", "embedded-app-test-key")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the madoguchi binary starts");
    let addr = common::listening_address(&mut child);
    Served { child, base: format!("http://{addr}"), dir }
}

async fn get(base: &str, path: &str, accept_encoding: &str) -> reqwest::Response {
    reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .build()
        .unwrap()
        .get(format!("{base}{path}"))
        .header("accept-encoding", accept_encoding)
        .send()
        .await
        .unwrap()
}

fn decoded(encoding: &str, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match encoding {
        "br" => {
            brotli::Decompressor::new(bytes, 4096).read_to_end(&mut out).unwrap();
        }
        "gzip" => {
            flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).unwrap();
        }
        _ => out = bytes.to_vec(),
    }
    out
}

#[tokio::test]
async fn the_binary_serves_the_app_it_carries_from_any_folder() {
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/dist");
    let served = serve_from_elsewhere();
    assert!(!served.dir.join("web/dist").exists());
    let index = get(&served.base, "/", "gzip, br").await;
    match std::fs::read(dist.join("index.html")) {
        Ok(on_disk) => {
            assert_eq!(index.status(), 200);
            assert_eq!(index.headers()["cache-control"], "no-cache");
            let encoding = index.headers().get("content-encoding").map(|v| v.to_str().unwrap().to_owned());
            let body = decoded(encoding.as_deref().unwrap_or(""), &index.bytes().await.unwrap());
            assert_eq!(body, on_disk, "index.html of the build's web/dist");
            // An app route is the app too (the SPA fallback).
            let route = get(&served.base, "/inquiries", "identity").await;
            assert_eq!(route.status(), 200);
            assert_eq!(route.bytes().await.unwrap(), on_disk);
            let html = String::from_utf8_lossy(&on_disk).into_owned();
            for suffix in ["_bg.wasm", ".js"] {
                let name = html
                    .split(['\'', '"'])
                    .find(|s| s.starts_with('/') && s.ends_with(suffix) && !s.contains("snippets"))
                    .unwrap_or_else(|| panic!("index.html names a {suffix}"));
                let file = std::fs::read(dist.join(name.trim_start_matches('/'))).unwrap();
                for encoding in ["br", "gzip"] {
                    let resp = get(&served.base, name, encoding).await;
                    assert_eq!(resp.status(), 200, "{name}");
                    assert_eq!(resp.headers()["content-encoding"], encoding, "{name}");
                    assert_eq!(resp.headers()["cache-control"], "public, max-age=31536000, immutable");
                    let sent = resp.bytes().await.unwrap();
                    assert!(sent.len() < file.len(), "{name} is sent compressed ({} of {})", sent.len(), file.len());
                    assert_eq!(decoded(encoding, &sent), file, "{name} as {encoding}");
                }
            }
        }
        Err(_) => {
            // A build without the app: every page says so.
            assert_eq!(index.status(), 404);
            assert!(index.text().await.unwrap().contains("not included in this build"));
        }
    }
    // The API answers either way.
    let health = get(&served.base, "/healthz", "identity").await;
    assert_eq!(health.status(), 200);
}
