//! Security headers on every response (SPA pages, `/graphql`, `/graphiql`, downloads, errors):
//!
//! - `Content-Security-Policy`: everything from this server only. The browser app needs
//!   `'wasm-unsafe-eval'` (WebAssembly) and the hash of the inline module script Trunk writes
//!   into `index.html` (it starts the wasm), computed from the built file at start (restart
//!   after rebuilding the app). `frame-ancestors 'none'`: no page may frame this one.
//!   GraphiQL's page sets its own, slightly different policy (`graphiql.rs`).
//! - `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, `X-Frame-Options: DENY`
//!   (for browsers that predate `frame-ancestors`).

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use base64::Engine as _;
use sha2::{Digest, Sha256};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::state::Policy;

/// The Content-Security-Policy of the browser app (and the default of every response).
/// `inline_scripts`: the `'sha256-…'` sources of the app's inline scripts. `connect-src 'self'`
/// covers same-origin WebSockets in CSP3 browsers; with `--public-url` the ws(s) origin is
/// named too, for older ones.
pub fn app_csp(inline_scripts: &[String], policy: &Policy) -> String {
    let mut scripts = String::from("'self' 'wasm-unsafe-eval'");
    for h in inline_scripts {
        scripts.push(' ');
        scripts.push_str(h);
    }
    let mut connect = String::from("'self'");
    if let Some(ws) = policy.public_url.as_deref().and_then(websocket_origin) {
        connect.push(' ');
        connect.push_str(&ws);
    }
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self'; img-src 'self' data:; font-src 'self'; \
connect-src {connect}; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
    )
}

/// `https://host[:port]/…` → `wss://host[:port]`, `http://…` → `ws://…`.
fn websocket_origin(public_url: &str) -> Option<String> {
    let url = public_url.trim();
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next().filter(|h| !h.is_empty())?;
    if host.chars().any(|c| c.is_whitespace() || c == ';' || c == '\'' || c == ',') {
        return None;
    }
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Some(format!("wss://{host}")),
        "http" => Some(format!("ws://{host}")),
        _ => None,
    }
}

/// `'sha256-…'` of each inline `<script>` (one without `src`) of an HTML page, as CSP hashes
/// them: over the exact text between the tags.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    // ASCII lower-casing keeps every byte offset, so positions found in `lower` index `html`.
    let lower = html.to_ascii_lowercase();
    let mut hashes = Vec::new();
    let mut at = 0;
    while let Some(found) = lower[at..].find("<script") {
        let start = at + found;
        let Some(open_len) = lower[start..].find('>') else { break };
        let body_start = start + open_len + 1;
        let Some(body_len) = lower[body_start..].find("</script") else { break };
        let tag = &lower[start..body_start];
        let has_src = tag.split(|c: char| c.is_whitespace()).any(|attr| attr.starts_with("src="));
        if !has_src {
            let digest = Sha256::digest(&html.as_bytes()[body_start..body_start + body_len]);
            hashes.push(format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest)));
        }
        at = body_start + body_len;
    }
    hashes
}

/// Adds the headers to every response of `router`. Handlers that set their own
/// Content-Security-Policy (GraphiQL) keep it.
/// `index_html`: the served app's `index.html` (embedded or `--spa-dir`, see assets.rs).
pub fn apply(router: Router, index_html: &str, policy: &Policy) -> Router {
    let csp = app_csp(&inline_script_hashes(index_html), policy);
    let csp = HeaderValue::from_str(&csp).unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"));
    let set = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
    };
    router
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, csp))
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(set(header::REFERRER_POLICY, "no-referrer"))
        .layer(set(header::X_FRAME_OPTIONS, "DENY"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What Trunk 0.21 writes into `index.html`.
    const TRUNK_INDEX: &str = r#"<!DOCTYPE html><html lang="ja"><head>
<link rel="modulepreload" href="/web-1a2b.js" crossorigin="anonymous" integrity="sha384-x">
<script type="module">
import init, * as bindings from '/web-1a2b.js';
const wasm = await init({ module_or_path: '/web-1a2b_bg.wasm' });
</script>
<SCRIPT src="/other.js"></SCRIPT>
</head><body></body></html>"#;

    #[test]
    fn the_inline_module_script_of_the_app_is_allowed_by_its_hash_and_nothing_else_inline() {
        let hashes = inline_script_hashes(TRUNK_INDEX);
        assert_eq!(hashes.len(), 1, "{hashes:?}");
        let body = "\nimport init, * as bindings from '/web-1a2b.js';\nconst wasm = await init({ module_or_path: '/web-1a2b_bg.wasm' });\n";
        let expected = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(body.as_bytes()));
        assert_eq!(hashes[0], format!("'sha256-{expected}'"));
        let csp = app_csp(&hashes, &Policy::default());
        assert!(csp.contains(&format!("script-src 'self' 'wasm-unsafe-eval' 'sha256-{expected}';")), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"), "{csp}");
    }

    #[test]
    fn the_public_url_names_the_websocket_origin() {
        let policy = |u: &str| Policy { public_url: Some(u.into()), ..Default::default() };
        assert!(
            app_csp(&[], &policy("https://madoguchi.example.jp/"))
                .contains("connect-src 'self' wss://madoguchi.example.jp;")
        );
        assert!(app_csp(&[], &policy("http://localhost:8080")).contains("connect-src 'self' ws://localhost:8080;"));
        assert!(app_csp(&[], &policy("madoguchi.example.jp")).contains("connect-src 'self';"));
        assert!(app_csp(&[], &policy("https://a.jp; script-src *")).contains("connect-src 'self';"));
    }
}
