//! The browser app's files (Trunk's `web/dist`), served from memory.
//!
//! - **Where they come from.** Release builds carry `web/dist` inside the binary (`rust-embed`,
//!   read at compile time from `$CARGO_MANIFEST_DIR/../web/dist`), so `madoguchi serve` serves the
//!   app from any folder. Debug builds read the same folder from disk when the server starts
//!   (rust-embed without `debug-embed`: no multi-megabyte recompiles while developing).
//!   `--spa-dir` reads another build folder instead. A build without `web/dist` compiles
//!   (`build.rs` makes an empty folder) and answers every page with [`not_included`].
//! - **Compression.** Text-like files (wasm, js, css, html, svg, json) of 1 KiB or more are
//!   offered brotli and gzip compressed, chosen by `Accept-Encoding` (`Vary: Accept-Encoding`).
//!   A `name.br` / `name.gz` next to a file is used as it is; otherwise each file is compressed
//!   once, in memory, by `serve` right after start ([`Assets::warm`]) or at its first request,
//!   and kept. The levels are the ones measured in BENCHMARKS.md.
//! - **Caching.** Files with a content hash in their name (`web-3f9c…_bg.wasm`, as Trunk names
//!   them) are `Cache-Control: public, max-age=31536000, immutable`; everything else —
//!   `index.html`, the SPA fallback (any path that is not a file answers `index.html`, so the
//!   app's routes load) — is `no-cache` with a strong `ETag` per encoding, so a reload costs a 304.
//!
//! The security headers (headers.rs) are added to these responses like to every other one.

use std::collections::HashMap;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use sha2::{Digest, Sha256};

/// `web/dist` as of compile time (release) or read from there at start (debug builds).
#[derive(rust_embed::Embed)]
#[folder = "../web/dist/"]
#[allow_missing = true]
#[exclude = ".stage/*"]
struct Embedded;

/// Smaller files are sent as they are: compression would save a few bytes at best.
pub const MIN_COMPRESS_BYTES: usize = 1024;
/// Brotli quality and window for the app's files. Measured on the 5.3 MB wasm (BENCHMARKS.md):
/// quality 9 takes about 1.5 s and gives 866 KB; 11 gives 765 KB but takes about 20 s, too long
/// for every start. For the last 12 %, put `.br` files made at quality 11 next to the files.
pub const BROTLI_QUALITY: u32 = 9;
const BROTLI_LGWIN: u32 = 22;
/// Years, in effect: a hashed name never changes its content.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
pub const REVALIDATE: &str = "no-cache";

/// Where the served files came from (for the start-up log and the "not included" page).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// Inside the binary (release) or from the source checkout's `web/dist` (debug).
    Embedded,
    /// `--spa-dir`.
    Folder(PathBuf),
}

struct File {
    content_type: &'static str,
    immutable: bool,
    body: Bytes,
    /// `name.br` / `name.gz` found next to the file.
    given_br: Option<Bytes>,
    given_gzip: Option<Bytes>,
    prepared: OnceLock<Prepared>,
}

/// What is computed once per file: its ETag and its compressed forms (only those that are
/// smaller).
struct Prepared {
    etag: String,
    br: Option<Bytes>,
    gzip: Option<Bytes>,
}

impl File {
    fn compressible(&self) -> bool {
        compressible(self.content_type) && self.body.len() >= MIN_COMPRESS_BYTES
    }

    fn prepared(&self) -> &Prepared {
        self.prepared.get_or_init(|| {
            let digest = Sha256::digest(&self.body);
            let etag = hex::encode(&digest[..16]);
            let (mut br, mut gzip) = (self.given_br.clone(), self.given_gzip.clone());
            if self.compressible() {
                if br.is_none() {
                    br = Some(Bytes::from(brotli_bytes(&self.body)));
                }
                if gzip.is_none() {
                    gzip = Some(Bytes::from(gzip_bytes(&self.body)));
                }
            }
            let smaller = |c: Option<Bytes>| c.filter(|c| c.len() < self.body.len());
            Prepared { etag, br: smaller(br), gzip: smaller(gzip) }
        })
    }
}

pub fn brotli_bytes(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 3);
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 64 * 1024, BROTLI_QUALITY, BROTLI_LGWIN);
        // Writing into a Vec cannot fail.
        let _ = w.write_all(data);
        let _ = w.flush();
    }
    out
}

pub fn gzip_bytes(data: &[u8]) -> Vec<u8> {
    let mut w = flate2::write::GzEncoder::new(Vec::with_capacity(data.len() / 3), flate2::Compression::best());
    let _ = w.write_all(data);
    w.finish().unwrap_or_default()
}

/// The browser app's files, by path without the leading `/` (`index.html`, `web-3f9c….js`).
pub struct Assets {
    files: HashMap<String, Arc<File>>,
    source: Source,
}

impl Assets {
    /// The files of `spa_dir` when given, else the embedded ones. A folder that cannot be read
    /// or has no `index.html` gives an empty set (every page is then [`not_included`]).
    pub fn load(spa_dir: Option<&Path>) -> Assets {
        let (source, raw) = match spa_dir {
            Some(dir) => (Source::Folder(dir.to_owned()), read_folder(dir)),
            // Debug builds: rust-embed would read the same folder, hashing every file on the
            // way (slow unoptimised, and every test server starts here).
            None if cfg!(debug_assertions) => (Source::Embedded, read_folder(&embedded_folder())),
            None => (Source::Embedded, read_embedded()),
        };
        let mut files = HashMap::new();
        for (path, body) in &raw {
            if path.ends_with(".br") || path.ends_with(".gz") {
                continue;
            }
            let file = File {
                content_type: content_type(path),
                immutable: is_hashed(path),
                body: body.clone(),
                given_br: raw.get(&format!("{path}.br")).cloned(),
                given_gzip: raw.get(&format!("{path}.gz")).cloned(),
                prepared: OnceLock::new(),
            };
            files.insert(path.clone(), Arc::new(file));
        }
        if !files.contains_key("index.html") {
            match &source {
                Source::Folder(dir) => tracing::warn!(
                    folder = %dir.display(),
                    "--spa-dir has no index.html: the browser app is not served (the API is at /graphql)"
                ),
                Source::Embedded => {
                    tracing::info!("this build does not include the browser app (the API is at /graphql)")
                }
            }
            files.clear();
        }
        Assets { files, source }
    }

    pub fn source(&self) -> &Source {
        &self.source
    }

    /// Whether there is an app to serve.
    pub fn has_app(&self) -> bool {
        self.files.contains_key("index.html")
    }

    /// The app's `index.html` (its inline start script is allowed by hash in the CSP), or "".
    pub fn index_html(&self) -> String {
        self.files.get("index.html").map(|f| String::from_utf8_lossy(&f.body).into_owned()).unwrap_or_default()
    }

    /// Compresses every file now, off the async workers, and logs what the browser downloads.
    /// `serve` calls it right after start; a request that comes first waits for its own file only.
    pub fn warm(self: &Arc<Self>) {
        let assets = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            if !assets.has_app() {
                return;
            }
            let started = Instant::now();
            let (mut plain, mut br, mut gzip) = (0usize, 0usize, 0usize);
            for file in assets.files.values() {
                let p = file.prepared();
                plain += file.body.len();
                br += p.br.as_ref().map_or(file.body.len(), Bytes::len);
                gzip += p.gzip.as_ref().map_or(file.body.len(), Bytes::len);
            }
            tracing::info!(
                files = assets.files.len(),
                bytes = plain,
                brotli_bytes = br,
                gzip_bytes = gzip,
                millis = started.elapsed().as_millis() as u64,
                "browser app ready ({:?})",
                assets.source
            );
        });
    }

    /// The answer to a request that no API route took: a file, else `index.html` (the app's
    /// routes), else the "not included" page.
    pub async fn respond(self: Arc<Self>, method: &Method, path: &str, headers: &HeaderMap) -> Response {
        if method != Method::GET && method != Method::HEAD {
            let mut r = StatusCode::METHOD_NOT_ALLOWED.into_response();
            r.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
            return r;
        }
        if !self.has_app() {
            return not_included(&self.source);
        }
        let key = lookup_key(path);
        let file = match key.as_deref().and_then(|k| self.files.get(k)) {
            Some(f) => Arc::clone(f),
            None => Arc::clone(&self.files["index.html"]),
        };
        if file.prepared.get().is_none() {
            // The first request of a file may compress it: not on an async worker.
            let preparing = Arc::clone(&file);
            let _ = tokio::task::spawn_blocking(move || {
                preparing.prepared();
            })
            .await;
        }
        file_response(&file, headers)
    }
}

fn file_response(file: &File, headers: &HeaderMap) -> Response {
    let p = file.prepared();
    let (br_ok, gzip_ok) = accepted(headers);
    let (body, encoding, etag) = match (&p.br, &p.gzip) {
        (Some(b), _) if br_ok => (b.clone(), Some("br"), format!("\"{}-br\"", p.etag)),
        (_, Some(g)) if gzip_ok => (g.clone(), Some("gzip"), format!("\"{}-gz\"", p.etag)),
        _ => (file.body.clone(), None, format!("\"{}\"", p.etag)),
    };
    let mut h = HeaderMap::new();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(if file.immutable { IMMUTABLE } else { REVALIDATE }));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if p.br.is_some() || p.gzip.is_some() {
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    if none_match(headers, &etag) {
        return (StatusCode::NOT_MODIFIED, h).into_response();
    }
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(file.content_type));
    if let Some(e) = encoding {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(e));
    }
    (StatusCode::OK, h, Body::from(body)).into_response()
}

/// `If-None-Match` lists this ETag (or `*`).
fn none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers.get_all(header::IF_NONE_MATCH).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(|t| {
        let t = t.trim();
        t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag
    })
}

/// Whether the client takes brotli and gzip: `Accept-Encoding` names them (or `*`) with a
/// quality above zero.
pub fn accepted(headers: &HeaderMap) -> (bool, bool) {
    let (mut br, mut gzip, mut any) = (None, None, None);
    for item in
        headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(','))
    {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q=").or_else(|| p.trim().strip_prefix("Q=")))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        match coding.as_str() {
            "br" => br = Some(q),
            "gzip" | "x-gzip" => gzip = Some(q),
            "*" => any = Some(q),
            _ => {}
        }
    }
    let ok = |q: Option<f32>| q.or(any).is_some_and(|q| q > 0.0);
    (ok(br), ok(gzip))
}

/// The request path as a key of the file map: `/` → `index.html`, percent-decoded, without the
/// leading slash. `None` for what cannot be a file name here.
fn lookup_key(path: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8().ok()?;
    let key = decoded.trim_start_matches('/');
    if key.is_empty() {
        return Some("index.html".into());
    }
    if key.split('/').any(|s| s.is_empty() || s == "." || s == "..") {
        return None;
    }
    Some(key.to_owned())
}

/// Trunk's names carry a content hash: `web-3f9c0a1b2c3d4e5f.js`, `web-3f9c0a1b2c3d4e5f_bg.wasm`,
/// `style-0a1b2c3d4e5f6a7b.css` (hex, up to 16 digits). At least 8 hex digits count as a hash.
pub fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.split('.').next().unwrap_or(name);
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    match stem.rsplit_once('-') {
        Some((base, hash)) => {
            !base.is_empty() && hash.len() >= 8 && hash.len() <= 64 && hash.bytes().all(|b| b.is_ascii_hexdigit())
        }
        None => false,
    }
}

fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "txt" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        _ => "application/octet-stream",
    }
}

fn compressible(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || content_type.starts_with("application/wasm")
        || content_type.starts_with("application/json")
        || content_type.starts_with("application/manifest+json")
        || content_type.starts_with("image/svg+xml")
        || content_type.starts_with("image/x-icon")
}

/// The folder rust-embed embeds (release) or reads (debug builds).
fn embedded_folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/dist")
}

fn read_embedded() -> HashMap<String, Bytes> {
    Embedded::iter()
        .filter_map(|name| {
            let file = Embedded::get(&name)?;
            let body = match file.data {
                std::borrow::Cow::Borrowed(b) => Bytes::from_static(b),
                std::borrow::Cow::Owned(v) => Bytes::from(v),
            };
            Some((name.into_owned(), body))
        })
        .collect()
}

fn read_folder(dir: &Path) -> HashMap<String, Bytes> {
    fn walk(dir: &Path, prefix: &str, out: &mut HashMap<String, Bytes>, depth: usize) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue; // Trunk's .stage, editor files
            }
            let path = entry.path();
            let key = format!("{prefix}{name}");
            let Ok(meta) = std::fs::metadata(&path) else { continue };
            if meta.is_dir() && depth < 8 {
                walk(&path, &format!("{key}/"), out, depth + 1);
            } else if meta.is_file() {
                let mut body = Vec::new();
                if std::fs::File::open(&path).and_then(|mut f| f.read_to_end(&mut body)).is_ok() {
                    out.insert(key, Bytes::from(body));
                }
            }
        }
    }
    let mut out = HashMap::new();
    walk(dir, "", &mut out, 0);
    out
}

/// The page every path answers when there is no browser app to serve.
pub fn not_included(source: &Source) -> Response {
    let how = match source {
        Source::Embedded => {
            "このビルドにはブラウザアプリが含まれていません。<code>scripts/demo</code> で作るか、\
<code>source scripts/tools.sh &amp;&amp; build_web</code> のあとでサーバーをビルドし直してください。<br>\
The browser app is not included in this build: build it with <code>scripts/demo</code>, or run \
<code>source scripts/tools.sh &amp;&amp; build_web</code> and build the server again (or pass <code>--spa-dir</code>)."
        }
        Source::Folder(_) => {
            "<code>--spa-dir</code> のフォルダにブラウザアプリがありません (<code>index.html</code> がありません)。<br>\
The folder given with <code>--spa-dir</code> holds no browser app (no <code>index.html</code>)."
        }
    };
    let page = format!(
        "<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"utf-8\"><title>窓口 Madoguchi</title></head><body>\
<h1>窓口 Madoguchi</h1><p>{how}</p><p>API: <a href=\"/graphql\">/graphql</a></p></body></html>"
    );
    (
        StatusCode::NOT_FOUND,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE)),
        ],
        page,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
        h
    }

    /// What a release build serves (rust-embed's files, read through `read_embedded`) is
    /// `web/dist` file for file, byte for byte — the same set debug builds read from disk.
    /// (In this debug build rust-embed reads the folder at run time; in a release build the
    /// same calls return the bytes compiled in.)
    #[test]
    fn the_embedded_files_are_web_dist_file_for_file() {
        let embedded = read_embedded();
        let on_disk = read_folder(&embedded_folder());
        let mut names: Vec<&String> = embedded.keys().filter(|n| !n.split('/').any(|p| p.starts_with('.'))).collect();
        names.sort();
        let mut expected: Vec<&String> = on_disk.keys().collect();
        expected.sort();
        assert_eq!(names, expected);
        for name in names {
            assert!(embedded[name] == on_disk[name], "{name} differs");
        }
    }

    #[test]
    fn trunks_hashed_names_are_recognised_and_plain_names_are_not() {
        assert!(is_hashed("web-3f9c0a1b2c3d4e5f.js"));
        assert!(is_hashed("web-3f9c0a1b2c3d4e5f_bg.wasm"));
        assert!(is_hashed("style-0a1b2c3d.css"));
        assert!(is_hashed("snippets/x/web-0a1b2c3d4e.js"));
        assert!(!is_hashed("index.html"));
        assert!(!is_hashed("favicon.ico"));
        assert!(!is_hashed("style-9f.css"));
        assert!(!is_hashed("my-style.css"));
        assert!(!is_hashed("-0a1b2c3d4e.js"));
    }

    #[test]
    fn accept_encoding_is_read_with_its_qualities() {
        assert_eq!(accepted(&accept("gzip, deflate, br, zstd")), (true, true));
        assert_eq!(accepted(&accept("gzip")), (false, true));
        assert_eq!(accepted(&accept("br;q=0, gzip;q=0.5")), (false, true));
        assert_eq!(accepted(&accept("*")), (true, true));
        assert_eq!(accepted(&accept("*;q=0, br")), (true, false));
        assert_eq!(accepted(&accept("identity")), (false, false));
        assert_eq!(accepted(&HeaderMap::new()), (false, false));
    }

    #[test]
    fn paths_map_to_file_names_and_never_outside() {
        assert_eq!(lookup_key("/").as_deref(), Some("index.html"));
        assert_eq!(lookup_key("/web-1.js").as_deref(), Some("web-1.js"));
        assert_eq!(lookup_key("/a/../index.html"), None);
        assert_eq!(lookup_key("/%E5%95%8F%E3%81%84").as_deref(), Some("問い"));
        assert_eq!(lookup_key("/%ff"), None);
    }

    #[test]
    fn compressed_forms_decode_to_the_original() {
        let data = "窓口 Madoguchi ".repeat(500).into_bytes();
        let mut back = Vec::new();
        brotli::Decompressor::new(brotli_bytes(&data).as_slice(), 4096).read_to_end(&mut back).unwrap();
        assert_eq!(back, data);
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(gzip_bytes(&data).as_slice()).read_to_end(&mut back).unwrap();
        assert_eq!(back, data);
    }
}
