//! Attack suite: response headers.
//!
//! Every response — the browser app's pages, `/graphql`, GraphiQL, downloads, errors — carries a
//! Content-Security-Policy that allows only this server (no inline script but the app's own
//! start script, by its hash; WebAssembly; no framing), `X-Content-Type-Options: nosniff` and
//! `Referrer-Policy: no-referrer`. GraphiQL comes from the server's own assets: no CDN, no
//! inline script, so it loads offline and under that policy.

use base64::Engine as _;
use madoguchi_tests::{TestApp, backends, spawn_app_with};
use serde_json::json;
use sha2::{Digest, Sha256};
use shared::Marketplace;

use crate::seed::{self, Thread};

/// The inline start script Trunk writes into the app's `index.html`.
const START_SCRIPT: &str = "\nimport init, * as bindings from '/web-1a2b.js';\nconst wasm = await init({ module_or_path: '/web-1a2b_bg.wasm' });\nwindow.wasmBindings = bindings;\n";

/// A 1×1 grey PNG.
const PNG: &[u8] = b"\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00\x3a\x7e\x9b\x55\x00\x00\x00\x0a\x49\x44\x41\x54\x78\x9c\x63\x60\x00\x00\x00\x02\x00\x01\x48\xaf\xa4\x71\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82";

/// A built browser app: `index.html` with Trunk's inline start script, and a stylesheet.
fn built_app() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("madoguchi_spa_{}_{:x}", std::process::id(), rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    let index = format!(
        "<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"utf-8\">\n<link rel=\"stylesheet\" href=\"/style-9f.css\">\n<link rel=\"modulepreload\" href=\"/web-1a2b.js\" crossorigin=\"anonymous\">\n<script type=\"module\">{START_SCRIPT}</script>\n</head><body></body></html>\n"
    );
    std::fs::write(dir.join("index.html"), index).unwrap();
    std::fs::write(dir.join("style-9f.css"), "body { margin: 0 }\n").unwrap();
    dir
}

fn header(resp: &reqwest::Response, name: &str) -> String {
    resp.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned()
}

/// The directives of a Content-Security-Policy: name → sources.
fn directives(csp: &str) -> Vec<(String, Vec<String>)> {
    csp.split(';')
        .filter_map(|d| {
            let mut words = d.split_whitespace();
            let name = words.next()?.to_ascii_lowercase();
            Some((name, words.map(str::to_owned).collect()))
        })
        .collect()
}

fn sources<'a>(csp: &'a [(String, Vec<String>)], name: &str) -> &'a [String] {
    csp.iter().find(|(n, _)| n == name).map(|(_, s)| s.as_slice()).unwrap_or_else(|| panic!("no {name} in the CSP"))
}

/// The headers every response carries, and a policy that lets nothing from elsewhere in.
fn assert_protected(what: &str, resp: &reqwest::Response) {
    assert_eq!(header(resp, "x-content-type-options"), "nosniff", "{what}");
    let referrer = header(resp, "referrer-policy");
    assert!(["no-referrer", "same-origin"].contains(&referrer.as_str()), "{what}: Referrer-Policy {referrer:?}");
    let csp = header(resp, "content-security-policy");
    assert!(!csp.is_empty(), "{what}: no Content-Security-Policy");
    let d = directives(&csp);
    assert_eq!(sources(&d, "default-src"), ["'self'"], "{what}: {csp}");
    assert_eq!(sources(&d, "frame-ancestors"), ["'none'"], "{what}: {csp}");
    assert_eq!(sources(&d, "object-src"), ["'none'"], "{what}: {csp}");
    assert_eq!(sources(&d, "base-uri"), ["'self'"], "{what}: {csp}");
    for (name, srcs) in &d {
        for s in srcs {
            assert!(
                s.starts_with('\'') || s == "data:" || s.starts_with("ws") && name == "connect-src",
                "{what}: {name} lets in {s}: {csp}"
            );
            assert_ne!(s, "'unsafe-eval'", "{what}: {csp}");
        }
    }
    assert!(!sources(&d, "script-src").contains(&"'unsafe-inline'".to_owned()), "{what}: {csp}");
    assert_eq!(sources(&d, "connect-src")[0], "'self'", "{what}: {csp}");
}

async fn with_built_app(test: impl AsyncFn(&TestApp)) {
    for backend in backends().await {
        let dir = built_app();
        let spa = dir.clone();
        let app = spawn_app_with(&backend, move |c| c.spa_dir = Some(spa)).await;
        test(&app).await;
        app.finish().await;
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[tokio::test]
async fn every_response_carries_the_content_security_policy_nosniff_and_referrer_policy() {
    with_built_app(async |app: &TestApp| {
        let (token, actor) = app.tenant("A商店", true).await;
        let shop = seed::shop(app, &token, Marketplace::Rakuten, "楽天店").await;
        let inquiry = seed::inquiry(
            app,
            &actor,
            &shop,
            Thread {
                mid: "r1",
                order_number: None,
                customer: "楽天 太郎",
                created_minutes: 0,
                messages: seed::asks(),
                completed: false,
            },
        )
        .await;
        let reply = app
            .gql_upload(
                &token,
                "mutation($i: ReplyInput!) { replyToInquiry(input: $i) { attachments { url } } }",
                json!({ "i": { "inquiryId": inquiry, "body": "写真をお送りします。", "attachments": [null] } }),
                "variables.i.attachments.0",
                ("写真.png", "image/png", PNG),
            )
            .await;
        let file_url = reply["data"]["replyToInquiry"]["attachments"][0]["url"]
            .as_str()
            .unwrap_or_else(|| panic!("a reply with a file: {reply}"))
            .to_owned();

        let get = |path: &str| app.http.get(format!("{}{path}", app.base));
        let cases: Vec<(&str, reqwest::RequestBuilder, u16)> = vec![
            ("the app", get("/"), 200),
            ("a page of the app (index.html fallback)", get("/inbox/123"), 200),
            ("the app's stylesheet", get("/style-9f.css"), 200),
            ("GraphiQL", get("/graphiql"), 200),
            ("GraphiQL at /graphql", get("/graphql"), 200),
            ("a GraphiQL asset", get("/graphiql/assets/graphiql.min.js"), 200),
            (
                "POST /graphql",
                app.http
                    .post(format!("{}/graphql", app.base))
                    .bearer_auth(&token)
                    .json(&json!({ "query": "{ viewer { name } }" })),
                200,
            ),
            ("a download", get(&file_url).bearer_auth(&token), 200),
            ("a download, anonymous", get(&file_url), 401),
            ("a download of nothing", get("/files/999999").bearer_auth(&token), 404),
            ("/healthz", get("/healthz"), 200),
            (
                "a failed sign-in",
                app.http
                    .post(format!("{}/auth/login", app.base))
                    .json(&json!({ "email": "nobody@example.jp", "password": "wrong-password" })),
                401,
            ),
        ];
        for (what, req, status) in cases {
            let resp = req.send().await.unwrap();
            assert_eq!(resp.status().as_u16(), status, "{what}");
            assert_protected(what, &resp);
        }
        let download = get(&file_url).bearer_auth(&token).send().await.unwrap();
        assert_eq!(header(&download, "content-type"), "application/octet-stream");
        assert_eq!(download.bytes().await.unwrap().as_ref(), PNG);
    })
    .await;
}

#[tokio::test]
async fn the_app_may_run_its_own_start_script_and_webassembly_and_nothing_inline_else() {
    with_built_app(async |app: &TestApp| {
        let resp = app.http.get(format!("{}/", app.base)).send().await.unwrap();
        let csp = header(&resp, "content-security-policy");
        let d = directives(&csp);
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(START_SCRIPT.as_bytes()));
        let scripts = sources(&d, "script-src");
        assert_eq!(scripts, ["'self'", "'wasm-unsafe-eval'", &format!("'sha256-{hash}'")], "{csp}");
        assert_eq!(sources(&d, "style-src"), ["'self'"], "{csp}");
        assert!(resp.text().await.unwrap().contains(START_SCRIPT), "the page served is the one hashed");
    })
    .await;
}

#[tokio::test]
async fn graphiql_loads_only_scripts_and_styles_of_this_server_which_answer_with_their_types() {
    with_built_app(async |app: &TestApp| {
        for page in ["/graphiql", "/graphql"] {
            let resp = app.http.get(format!("{}{page}", app.base)).send().await.unwrap();
            assert_eq!(resp.status(), 200);
            assert!(header(&resp, "content-type").starts_with("text/html"), "{page}");
            let csp = header(&resp, "content-security-policy");
            assert_eq!(sources(&directives(&csp), "script-src"), ["'self'"], "{page}: {csp}");
            let html = resp.text().await.unwrap();
            assert!(!html.contains("unpkg") && !html.contains("cdn"), "{page}: no CDN");
            // No inline script: every <script> has a src.
            assert_eq!(html.matches("<script").count(), html.matches("<script src=\"").count(), "{page}: {html}");
            let linked = |attr: &str| -> Vec<String> {
                html.split(attr).skip(1).map(|rest| rest.split('"').next().unwrap_or("").to_owned()).collect()
            };
            let scripts = linked("<script src=\"");
            let styles = linked("<link rel=\"stylesheet\" href=\"");
            assert!(scripts.len() >= 4 && !styles.is_empty(), "{page}: react, react-dom, graphiql, start: {html}");
            for (url, kind) in scripts.iter().map(|u| (u, "javascript")).chain(styles.iter().map(|u| (u, "css"))) {
                assert!(url.starts_with('/') && !url.starts_with("//"), "{page}: {url} is not of this server");
                let asset = app.http.get(format!("{}{url}", app.base)).send().await.unwrap();
                assert_eq!(asset.status(), 200, "{url}");
                let ct = header(&asset, "content-type");
                assert!(ct.starts_with(&format!("text/{kind}")), "{url}: {ct}");
                assert!(!asset.bytes().await.unwrap().is_empty(), "{url}");
            }
        }
        let missing = app.http.get(format!("{}/graphiql/assets/nothing.js", app.base)).send().await.unwrap();
        assert_eq!(missing.status(), 404);
    })
    .await;
}
