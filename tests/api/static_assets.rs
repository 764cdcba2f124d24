//! The browser app's files: inside the server binary (or from `--spa-dir`), sent brotli or gzip
//! compressed as the browser accepts, hashed names cached for a year, `index.html` and the app's
//! routes revalidated every time, the security headers on all of them; `/graphql` answers
//! compressed when they are large.
//!
//! Static files do not touch storage: those tests run on SQLite only. The API compression test
//! runs on every backend.

use std::io::Read as _;

use futures_util::SinkExt as _;
use madoguchi_tests::{Backend, TestApp, each_backend, spawn_app, spawn_app_with};
use serde_json::json;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

const WASM: &str = "web-0123456789abcdef_bg.wasm";
const JS: &str = "web-0123456789abcdef.js";
const CSS: &str = "style-fedcba9876543210.css";
const START_SCRIPT: &str = "\nimport init from '/web-0123456789abcdef.js';\nawait init({ module_or_path: '/web-0123456789abcdef_bg.wasm' });\n";

/// A small built app, the way Trunk lays it out: `index.html` with its inline start script, and
/// hashed wasm, js and css large enough to be worth compressing.
struct Dist {
    dir: std::path::PathBuf,
    index: Vec<u8>,
    wasm: Vec<u8>,
    js: Vec<u8>,
    css: Vec<u8>,
}

impl Dist {
    fn new() -> Dist {
        let dir =
            std::env::temp_dir().join(format!("madoguchi_dist_{}_{:x}", std::process::id(), rand::random::<u64>()));
        std::fs::create_dir_all(&dir).unwrap();
        let index = format!(
            "<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"utf-8\"><link rel=\"stylesheet\" href=\"/{CSS}\">\n<script type=\"module\">{START_SCRIPT}</script></head>\n<body><div class=\"boot\" role=\"status\"><p>読み込み中…</p></div></body></html>\n"
        )
        .into_bytes();
        // wasm-like bytes: a header, then repetitive but not trivial content.
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        for i in 0u32..20_000 {
            wasm.extend_from_slice(&(i % 251).to_le_bytes());
            wasm.extend_from_slice(b"\x20\x00\x41\x01\x6a");
        }
        let js = "export function handle(x) { return x + 1; }\n".repeat(200).into_bytes();
        let css = ".inbox .row { padding: .4rem .6rem; border-bottom: 1px solid #d9e2ec; }\n".repeat(100).into_bytes();
        for (name, bytes) in [("index.html", &index), (WASM, &wasm), (JS, &js), (CSS, &css)] {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
        Dist { dir, index, wasm, js, css }
    }

    async fn serve(&self) -> TestApp {
        let dir = self.dir.clone();
        spawn_app_with(&Backend::Sqlite, move |c| c.spa_dir = Some(dir)).await
    }
}

impl Drop for Dist {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A plain client: no cookies, no automatic decompression, nothing accepted unless asked.
fn client() -> reqwest::Client {
    reqwest::Client::builder().build().unwrap()
}

async fn get(app: &TestApp, path: &str, accept_encoding: Option<&str>) -> reqwest::Response {
    let mut req = client().get(format!("{}{path}", app.base));
    if let Some(a) = accept_encoding {
        req = req.header("accept-encoding", a);
    }
    req.send().await.unwrap()
}

fn header(resp: &reqwest::Response, name: &str) -> String {
    resp.headers().get_all(name).iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>().join(", ")
}

fn decode(encoding: &str, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match encoding {
        "br" => brotli::Decompressor::new(bytes, 4096).read_to_end(&mut out).unwrap(),
        "gzip" => flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).unwrap(),
        "" => return bytes.to_vec(),
        other => panic!("unexpected Content-Encoding {other}"),
    };
    out
}

#[tokio::test]
async fn the_apps_files_are_sent_brotli_or_gzip_as_the_browser_accepts_and_decode_to_the_original() {
    let dist = Dist::new();
    let app = dist.serve().await;
    let files =
        [(WASM, &dist.wasm, "application/wasm"), (JS, &dist.js, "text/javascript"), (CSS, &dist.css, "text/css")];
    for (name, original, content_type) in files {
        for (accept, expected) in [
            (Some("gzip, deflate, br, zstd"), "br"),
            (Some("br"), "br"),
            (Some("gzip"), "gzip"),
            (Some("br;q=0, gzip;q=0.8"), "gzip"),
            (Some("identity"), ""),
            (None, ""),
        ] {
            let resp = get(&app, &format!("/{name}"), accept).await;
            assert_eq!(resp.status(), 200, "{name} with {accept:?}");
            let encoding = header(&resp, "content-encoding");
            assert_eq!(encoding, expected, "{name} with Accept-Encoding {accept:?}");
            assert!(
                header(&resp, "content-type").starts_with(content_type),
                "{name}: {}",
                header(&resp, "content-type")
            );
            assert!(header(&resp, "vary").to_ascii_lowercase().contains("accept-encoding"), "{name}: Vary");
            let body = resp.bytes().await.unwrap();
            if !expected.is_empty() {
                assert!(body.len() < original.len(), "{name} {expected}: {} of {} bytes", body.len(), original.len());
            }
            assert_eq!(&decode(&encoding, &body), original, "{name} {expected} decodes to the original");
        }
    }
    app.finish().await;
}

#[tokio::test]
async fn hashed_files_are_cached_for_a_year_and_index_html_and_the_apps_routes_are_revalidated() {
    let dist = Dist::new();
    let app = dist.serve().await;
    for name in [WASM, JS, CSS] {
        let resp = get(&app, &format!("/{name}"), Some("br")).await;
        assert_eq!(header(&resp, "cache-control"), "public, max-age=31536000, immutable", "{name}");
    }
    // `/`, `/index.html` and any path of the app (its client-side routes) are index.html,
    // checked again on every load.
    for path in
        ["/", "/index.html", "/inquiries/42", "/orders?status=NEW", "/%E5%95%8F%E3%81%84%E5%90%88%E3%82%8F%E3%81%9B"]
    {
        let resp = get(&app, path, None).await;
        assert_eq!(resp.status(), 200, "{path}");
        assert_eq!(header(&resp, "cache-control"), "no-cache", "{path}");
        assert!(header(&resp, "content-type").starts_with("text/html"), "{path}");
        assert_eq!(resp.bytes().await.unwrap().as_ref(), dist.index.as_slice(), "{path} is index.html");
    }
    // A reload with the ETag costs a 304 and no body.
    let first = get(&app, "/", Some("gzip, br")).await;
    let etag = header(&first, "etag");
    assert!(etag.starts_with('"'), "a strong ETag: {etag:?}");
    let again = client()
        .get(format!("{}/inquiries/7", app.base))
        .header("accept-encoding", "gzip, br")
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(header(&again, "cache-control"), "no-cache");
    assert!(again.bytes().await.unwrap().is_empty());
    // Another encoding is another representation: not the same ETag.
    let plain = get(&app, "/", None).await;
    let br = get(&app, &format!("/{WASM}"), Some("br")).await;
    let gz = get(&app, &format!("/{WASM}"), Some("gzip")).await;
    assert_ne!(header(&br, "etag"), header(&gz, "etag"));
    assert!(!header(&plain, "etag").is_empty());
    app.finish().await;
}

#[tokio::test]
async fn every_static_answer_keeps_the_security_headers_and_only_get_reads_files() {
    let dist = Dist::new();
    let app = dist.serve().await;
    for path in ["/", &format!("/{WASM}"), &format!("/{CSS}"), "/inquiries/42"] {
        for accept in [None, Some("br"), Some("gzip")] {
            let resp = get(&app, path, accept).await;
            assert_eq!(header(&resp, "x-content-type-options"), "nosniff", "{path}");
            assert_eq!(header(&resp, "x-frame-options"), "DENY", "{path}");
            assert_eq!(header(&resp, "referrer-policy"), "no-referrer", "{path}");
            let csp = header(&resp, "content-security-policy");
            assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
            // The start script of the index.html being served is allowed by its hash.
            assert!(csp.contains("'sha256-"), "{path}: {csp}");
            assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        }
    }
    let post = client().post(format!("{}/{WASM}", app.base)).body("x").send().await.unwrap();
    assert_eq!(post.status(), 405);
    app.finish().await;
}

#[tokio::test]
async fn without_spa_dir_the_server_serves_the_app_built_into_it() {
    let app = spawn_app(&Backend::Sqlite).await;
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/dist");
    let resp = get(&app, "/", Some("gzip, br")).await;
    assert!(!header(&resp, "content-security-policy").is_empty());
    match std::fs::read(dist.join("index.html")) {
        Ok(index) => {
            // The app was built (web/dist): it is the one served, with its files.
            assert_eq!(resp.status(), 200);
            let encoding = header(&resp, "content-encoding");
            let body = decode(&encoding, &resp.bytes().await.unwrap());
            assert_eq!(body, index, "index.html of web/dist");
            let html = String::from_utf8_lossy(&index);
            let wasm = html
                .split(['\'', '"'])
                .find(|s| s.starts_with('/') && s.ends_with("_bg.wasm"))
                .expect("index.html names the wasm");
            let resp = get(&app, wasm, Some("br")).await;
            assert_eq!(resp.status(), 200, "{wasm}");
            assert_eq!(header(&resp, "content-type"), "application/wasm");
            assert_eq!(header(&resp, "content-encoding"), "br");
            assert_eq!(header(&resp, "cache-control"), "public, max-age=31536000, immutable");
            let on_disk = std::fs::read(dist.join(wasm.trim_start_matches('/'))).unwrap();
            assert_eq!(decode("br", &resp.bytes().await.unwrap()), on_disk);
        }
        Err(_) => {
            // A build without the app: a page that says so, and the API still answers.
            assert_eq!(resp.status(), 404);
            let page = resp.text().await.unwrap();
            assert!(page.contains("not included in this build"), "{page}");
        }
    }
    app.finish().await;
}

#[tokio::test]
async fn a_spa_dir_without_an_app_shows_that_the_app_is_missing() {
    let empty =
        std::env::temp_dir().join(format!("madoguchi_empty_{}_{:x}", std::process::id(), rand::random::<u64>()));
    std::fs::create_dir_all(&empty).unwrap();
    let dir = empty.clone();
    let app = spawn_app_with(&Backend::Sqlite, move |c| c.spa_dir = Some(dir)).await;
    for path in ["/", "/inquiries/1", "/web-0123456789abcdef.js"] {
        let resp = get(&app, path, None).await;
        assert_eq!(resp.status(), 404, "{path}");
        assert_eq!(header(&resp, "x-content-type-options"), "nosniff");
        let page = resp.text().await.unwrap();
        assert!(page.contains("--spa-dir") && page.contains("/graphql"), "{page}");
    }
    app.finish().await;
    let _ = std::fs::remove_dir_all(empty);
}

/// Everything the schema says about itself: tens of kilobytes.
const LARGE: &str = "{ __schema { types { name description fields { name description args { name } } } } }";

#[tokio::test]
async fn large_graphql_answers_are_compressed_and_small_ones_and_socket_upgrades_are_not() {
    each_backend!(|app| {
        let (token, _) = app.tenant("A商店", true).await;
        let post = |query: &'static str, accept: &'static str| {
            client()
                .post(format!("{}/graphql", app.base))
                .bearer_auth(&token)
                .header("accept-encoding", accept)
                .json(&json!({ "query": query }))
                .send()
        };
        for accept in ["br", "gzip"] {
            let resp = post(LARGE, accept).await.unwrap();
            assert_eq!(resp.status(), 200);
            assert_eq!(header(&resp, "content-encoding"), accept, "a large answer");
            let body = resp.bytes().await.unwrap();
            let decoded: serde_json::Value = serde_json::from_slice(&decode(accept, &body)).unwrap();
            let text = decoded.to_string();
            assert!(text.len() > 8 * 1024 && body.len() < text.len(), "{} → {} bytes", text.len(), body.len());
            assert!(decoded["data"]["__schema"]["types"].as_array().is_some_and(|t| !t.is_empty()));
        }
        let small = post("{ __typename }", "gzip, br").await.unwrap();
        assert_eq!(header(&small, "content-encoding"), "", "a small answer is sent as it is");
        let body: serde_json::Value = small.json().await.unwrap();
        assert!(body["data"]["__typename"].is_string(), "{body}");

        // The WebSocket upgrade is answered as it is, and the socket works.
        let mut req = format!("ws://{}/graphql", app.addr).into_client_request().unwrap();
        req.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().unwrap());
        req.headers_mut().insert("Accept-Encoding", "gzip, br".parse().unwrap());
        let (mut ws, resp) = tokio_tungstenite::connect_async(req).await.expect("upgrade");
        assert_eq!(resp.status(), 101);
        assert!(resp.headers().get("content-encoding").is_none());
        let init = json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } });
        ws.send(tokio_tungstenite::tungstenite::Message::Text(init.to_string().into())).await.unwrap();
        let ack = tokio::time::timeout(std::time::Duration::from_secs(10), futures_util::StreamExt::next(&mut ws))
            .await
            .expect("an answer")
            .expect("open")
            .expect("a frame");
        assert!(ack.to_string().contains("connection_ack"), "{ack}");
    });
}
