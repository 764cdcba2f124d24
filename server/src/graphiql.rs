//! GraphiQL, served from the server's own assets (`server/assets/graphiql/`, embedded in the
//! binary): it loads without internet and under a Content-Security-Policy that allows no
//! inline script and no other origin.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The page's policy: scripts and styles from this server only. GraphiQL (CodeMirror) adds
/// `<style>` elements at run time, hence `'unsafe-inline'` for styles on this page alone.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; \
form-action 'self'; object-src 'none'";

const INDEX: &str = include_str!("../assets/graphiql/index.html");

/// (name, content type, bytes) of every asset the page loads.
const ASSETS: &[(&str, &str, &[u8])] = &[
    ("graphiql.min.js", "text/javascript; charset=utf-8", include_bytes!("../assets/graphiql/graphiql.min.js")),
    ("graphiql.min.css", "text/css; charset=utf-8", include_bytes!("../assets/graphiql/graphiql.min.css")),
    ("graphiql-page.css", "text/css; charset=utf-8", include_bytes!("../assets/graphiql/graphiql-page.css")),
    ("graphiql-init.js", "text/javascript; charset=utf-8", include_bytes!("../assets/graphiql/graphiql-init.js")),
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/graphiql/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/graphiql/react-dom.production.min.js"),
    ),
];

/// `GET /graphiql` and `GET /graphiql/assets/{file}`.
pub fn router() -> Router {
    Router::new().route("/graphiql", get(|| async { page() })).route("/graphiql/assets/{file}", get(asset))
}

/// The GraphiQL page (also `GET /graphql` without a WebSocket upgrade).
pub fn page() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        INDEX,
    )
        .into_response()
}

async fn asset(Path(file): Path<String>) -> Response {
    let Some((_, content_type, bytes)) = ASSETS.iter().find(|(name, _, _)| *name == file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400")),
        ],
        *bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_loads_only_its_own_assets_and_has_no_inline_script() {
        let srcs: Vec<&str> = INDEX
            .split("src=\"")
            .skip(1)
            .chain(INDEX.split("href=\"").skip(1))
            .map(|rest| rest.split('"').next().unwrap_or(""))
            .collect();
        assert_eq!(srcs.len(), 6, "{srcs:?}");
        for s in srcs {
            let name = s.strip_prefix("/graphiql/assets/").unwrap_or_else(|| panic!("not our asset: {s}"));
            assert!(ASSETS.iter().any(|(n, _, _)| *n == name), "{name} is served");
        }
        assert_eq!(INDEX.matches("<script").count(), INDEX.matches("<script src=").count(), "no inline script");
        assert!(!INDEX.contains("<style"), "no inline style");
    }
}
