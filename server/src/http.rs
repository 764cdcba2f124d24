//! The HTTP surface: `/graphql` (POST JSON or multipart; GET → GraphiQL or the
//! graphql-transport-ws WebSocket), `/auth/login`, `/auth/logout`, `/healthz`, `/files/{id}`,
//! and the browser app (assets.rs: embedded or `--spa-dir`, compressed, index.html fallback).

use std::sync::Arc;

use async_graphql::http::MultipartOptions;
use axum::body::Body;
use axum::extract::{FromRequestParts, Path, State, WebSocketUpgrade};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::TryStreamExt;
use serde::Deserialize;
use serde_json::json;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};

use crate::assets::Assets;
use crate::auth::{self, Actor};
use crate::error::AppError;
use crate::graphql::{AppSchema, Loaders, socket};
use crate::state::AppState;
use crate::store;

/// Largest accepted POST body (JSON or multipart with attachments).
pub const MAX_BODY_BYTES: usize = 12 * 1024 * 1024;
/// Per attached file; the marketplace limits (5 MB on Rakuten) are checked again per inquiry.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;
/// WebSocket buffers: small, because an idle inbox keeps its socket open all day. The read
/// buffer is filled to its size on every read (tungstenite zero-fills it), so each socket holds
/// that much for its whole life: 2 KiB takes a graphql-transport-ws message (a subscribe with
/// its query) in one read, and a larger one in several. The write buffer only says when queued
/// frames are flushed.
pub const WS_READ_BUFFER_BYTES: usize = 2 * 1024;
pub const WS_WRITE_BUFFER_BYTES: usize = 8 * 1024;
/// Largest WebSocket message: an operation with its variables (no uploads over the socket).
pub const WS_MAX_MESSAGE_BYTES: usize = 256 * 1024;

#[derive(Clone)]
pub struct Http {
    pub state: AppState,
    pub schema: AppSchema,
}

pub fn router(state: AppState, schema: AppSchema, assets: Arc<Assets>) -> Router {
    Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post).layer(api_compression()))
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/setup", get(setup_status).post(setup))
        .route("/files/{id}", get(download))
        .route("/hooks/rakuten", post(rakuten_hook))
        .route(crate::yahoo_link::START_PATH, get(yahoo_link_start))
        .route(crate::yahoo_link::CALLBACK_PATH, get(yahoo_link_callback))
        .with_state(Http { state, schema })
        // Everything else is the browser app: its files, index.html for its routes (assets.rs).
        .fallback(move |method: Method, uri: Uri, headers: HeaderMap| {
            let assets = Arc::clone(&assets);
            async move { assets.respond(&method, uri.path(), &headers).await }
        })
}

/// Smaller answers are not worth compressing.
pub const API_COMPRESS_MIN_BYTES: u16 = 1024;

/// `/graphql` answers of 1 KiB or more, brotli or gzip as the client accepts (brotli at level 4,
/// fast enough per request). Never a WebSocket upgrade (101, no body) or an answer that already
/// has a Content-Encoding (the layer leaves those alone).
fn api_compression() -> CompressionLayer<impl Predicate> {
    let not_upgrade = |status: StatusCode, _: axum::http::Version, _: &HeaderMap, _: &axum::http::Extensions| {
        status != StatusCode::SWITCHING_PROTOCOLS
    };
    CompressionLayer::new()
        .no_deflate()
        .no_zstd()
        .compress_when(SizeAbove::new(API_COMPRESS_MIN_BYTES).and(NotForContentType::IMAGES).and(not_upgrade))
}

fn error_json(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({ "errors": [{ "message": message, "extensions": { "code": code } }] }))).into_response()
}

/// An application error outside GraphQL (sign-in, the socket upgrade, setup): the database
/// being unreachable is 503 `DATABASE_UNAVAILABLE` with `Retry-After`; anything else is logged
/// and answered 500 `INTERNAL`, its detail never shown.
fn failure(e: AppError) -> Response {
    match e {
        AppError::DatabaseUnavailable => {
            let mut r = error_json(StatusCode::SERVICE_UNAVAILABLE, e.code(), &e.message());
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            r
        }
        other => {
            tracing::error!(error = ?other, "request failed");
            error_json(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "internal error")
        }
    }
}

fn cookie_secret(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| cookie::Cookie::split_parse(v.to_owned()).filter_map(Result::ok).collect::<Vec<_>>())
        .find(|c| c.name() == auth::SESSION_COOKIE)
        .map(|c| c.value().to_owned())
}

/// Bearer token first, then the session cookie.
async fn authenticate(st: &AppState, headers: &HeaderMap, allow_cookie: bool) -> Result<Option<Actor>, Response> {
    let internal = failure;
    if let Some(h) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        return match auth::actor_from_authorization(&st.db, h).await.map_err(internal)? {
            Some(a) => {
                crate::logs::record_tenant(a.scope.tenant_id());
                Ok(Some(a))
            }
            None => Err(error_json(
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED",
                "APIトークンが無効です (invalid API token)",
            )),
        };
    }
    if allow_cookie && let Some(secret) = cookie_secret(headers) {
        let found = auth::actor_from_session(st, &secret).await.map_err(internal)?;
        if let Some(a) = &found {
            crate::logs::record_tenant(a.scope.tenant_id());
        }
        return Ok(found);
    }
    Ok(None)
}

/// A cookie may only authenticate a WebSocket opened by a page of this same site.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    origin.split("://").nth(1).is_some_and(|o| o == host)
}

/// Whether a cookie-authenticated request was sent by a page of this server (CSRF): the browser
/// says so with `Sec-Fetch-Site: same-origin`, or with an `Origin` naming this server (the
/// `--public-url` when set, else the `Host` the request was sent to). A request with neither is
/// refused: every browser that sends cookies sends one of them on a POST.
fn sent_by_this_site(headers: &HeaderMap, policy: &crate::state::Policy) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return site.eq_ignore_ascii_case("same-origin");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    match &policy.public_url {
        Some(public) => origin.trim_end_matches('/').eq_ignore_ascii_case(public.trim_end_matches('/')),
        None => {
            let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
            !host.is_empty() && origin.split_once("://").is_some_and(|(_, o)| o.eq_ignore_ascii_case(host))
        }
    }
}

fn cross_site() -> Response {
    error_json(
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
        "別のサイトからのリクエストは受け付けません (a cookie-authenticated request must come from this site)",
    )
}

/// GraphQL over HTTP's own media type for answers.
pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// How a GraphQL answer is sent (GraphQL over HTTP, "Accept"): `application/json` as always,
/// or `application/graphql-response+json` when the client prefers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// `application/json`: every answer that GraphQL produced is 200, errors or not.
    Json,
    /// `application/graphql-response+json`: a request that cannot be executed (unreadable,
    /// does not parse or validate) is 400 without `data`; one that was executed is 200.
    GraphqlResponse,
}

/// The media type the client asks for: `application/graphql-response+json` when its `Accept`
/// prefers it (at least the quality of `application/json`); otherwise, with no `Accept`, `*/*`
/// or anything else, `application/json` as before.
pub fn answer_kind(headers: &HeaderMap) -> Answer {
    let mut graphql_q: f32 = 0.0;
    let mut json_q: f32 = 0.0;
    for value in headers.get_all(header::ACCEPT).iter().filter_map(|v| v.to_str().ok()) {
        for item in value.split(',') {
            let mut parts = item.split(';');
            let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()))
                .next()
                .unwrap_or(1.0);
            match media.as_str() {
                GRAPHQL_RESPONSE_JSON => graphql_q = graphql_q.max(q),
                "application/json" => json_q = json_q.max(q),
                _ => {}
            }
        }
    }
    if graphql_q > 0.0 && graphql_q >= json_q { Answer::GraphqlResponse } else { Answer::Json }
}

/// A request GraphQL refused before executing it: it did not parse or validate (or was too
/// costly), so there is no `data` — every error is about the document, none has a `path`.
fn is_request_error(response: &async_graphql::Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
}

/// The GraphQL answer in the media type asked for, with GraphQL over HTTP's status codes.
fn graphql_answer(answer: Answer, response: async_graphql::Response) -> Response {
    match answer {
        Answer::Json => Json(response).into_response(),
        Answer::GraphqlResponse => {
            let refused = is_request_error(&response);
            let mut body = serde_json::to_value(&response).unwrap_or_else(|_| json!({}));
            if refused && let Some(fields) = body.as_object_mut() {
                fields.remove("data");
            }
            let status = if refused { StatusCode::BAD_REQUEST } else { StatusCode::OK };
            graphql_response_json(status, body)
        }
    }
}

fn graphql_response_json(status: StatusCode, body: serde_json::Value) -> Response {
    let ct = HeaderValue::from_static("application/graphql-response+json; charset=utf-8");
    (status, [(header::CONTENT_TYPE, ct)], body.to_string()).into_response()
}

/// An error answer of `/graphql` before GraphQL ran, in the media type asked for.
fn graphql_refusal(answer: Answer, status: StatusCode, code: &str, message: &str) -> Response {
    match answer {
        Answer::Json => error_json(status, code, message),
        Answer::GraphqlResponse => {
            graphql_response_json(status, json!({ "errors": [{ "message": message, "extensions": { "code": code } }] }))
        }
    }
}

async fn graphql_post(State(h): State<Http>, headers: HeaderMap, body: Body) -> Response {
    let answer = answer_kind(&headers);
    // Only JSON or multipart: a cross-site form post (text/plain, urlencoded) cannot carry the cookie here.
    // Compare case-insensitively, but pass the original on: a multipart boundary is case-sensitive.
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let kind = ct.to_ascii_lowercase();
    if !(kind.starts_with("application/json") || kind.starts_with("multipart/form-data")) {
        return graphql_refusal(
            answer,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "VALIDATION",
            "Content-Type は application/json か multipart/form-data にしてください (POST /graphql accepts application/json or multipart/form-data)",
        );
    }
    // Credentials first: an anonymous document is never read, parsed or validated.
    let actor = match authenticate(&h.state, &headers, true).await {
        Ok(Some(a)) => a,
        Ok(None) => {
            return graphql_refusal(
                answer,
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED",
                "ログインするか APIトークンを送ってください (sign in or send an API token)",
            );
        }
        Err(resp) => return resp,
    };
    if headers.get(header::AUTHORIZATION).is_none() && !sent_by_this_site(&headers, &h.state.policy) {
        return cross_site();
    }
    let limited = Body::new(http_body_util::Limited::new(body, MAX_BODY_BYTES));
    let reader = limited.into_data_stream().map_err(std::io::Error::other).into_async_read();
    let opts = MultipartOptions::default().max_file_size(MAX_UPLOAD_BYTES).max_num_files(5);
    let request = match async_graphql::http::receive_body(Some(ct), reader, opts).await {
        Ok(r) => r,
        Err(e) => {
            return graphql_refusal(
                answer,
                StatusCode::BAD_REQUEST,
                "VALIDATION",
                &format!("リクエストを読めません (bad request: {e})"),
            );
        }
    };
    let operation = crate::metrics::operation_label(operation_name(&request).as_deref());
    let started = std::time::Instant::now();
    let request = request.data(Loaders::new(&h.state, &actor)).data(actor);
    let response = h.schema.execute(request).await;
    crate::metrics::graphql_request(&operation, response.is_ok(), started.elapsed());
    graphql_answer(answer, response)
}

/// The operation's name: `operationName`, else the name of a document's first operation.
fn operation_name(request: &async_graphql::Request) -> Option<String> {
    if let Some(n) = &request.operation_name {
        return Some(n.clone());
    }
    let q = request.query.trim_start();
    let rest = ["query", "mutation", "subscription"]
        .iter()
        .find_map(|k| q.strip_prefix(k))
        .filter(|r| r.starts_with(char::is_whitespace))?;
    let name: String = rest.trim_start().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    (!name.is_empty()).then_some(name)
}

async fn graphql_get(State(h): State<Http>, req: axum::extract::Request) -> Response {
    let wants_ws = req
        .headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if !wants_ws {
        return crate::graphiql::page();
    }
    let (mut parts, _) = req.into_parts();
    let Some(protocol) = socket::protocol(&parts.headers) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &()).await {
        Ok(u) => u,
        Err(e) => return e.into_response(),
    };
    // Only who the socket is for is taken here; access is resolved at `connection_init` and
    // again for every operation (graphql/socket.rs). A bad token is refused before upgrading.
    let credential = match parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        Some(hdr) => match auth::actor_from_authorization(&h.state.db, hdr).await {
            Ok(Some(_)) => Some(socket::Credential::Bearer(hdr.to_owned())),
            Ok(None) => {
                return error_json(
                    StatusCode::UNAUTHORIZED,
                    "UNAUTHENTICATED",
                    "APIトークンが無効です (invalid API token)",
                );
            }
            Err(e) => return failure(e),
        },
        None if same_origin(&parts.headers) => cookie_secret(&parts.headers).map(socket::Credential::Session),
        None => None,
    };
    upgrade
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .read_buffer_size(WS_READ_BUFFER_BYTES)
        .write_buffer_size(WS_WRITE_BUFFER_BYTES)
        .max_write_buffer_size(4 * 1024 * 1024)
        .max_message_size(WS_MAX_MESSAGE_BYTES)
        .on_upgrade(move |ws| socket::serve(ws, h.state, h.schema, protocol, credential))
}

#[derive(Deserialize)]
struct LoginBody {
    email: String,
    password: String,
}

/// The address a sign-in is counted against: the peer of the connection, or — only with
/// `--trust-forwarded-for`, behind a reverse proxy — the last `X-Forwarded-For` entry (the one
/// that proxy added; entries before it are whatever the client sent).
fn client_address(h: &Http, headers: &HeaderMap, peer: Option<std::net::SocketAddr>) -> std::net::IpAddr {
    if h.state.sessions.settings.trust_forwarded_for
        && let Some(ip) = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .next_back()
            .and_then(|a| a.trim().parse::<std::net::IpAddr>().ok())
    {
        return ip;
    }
    peer.map(|a| a.ip()).unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
}

/// `429` with `Retry-After` (whole seconds, rounded up) and code `RATE_LIMITED`.
fn rate_limited(status: StatusCode, wait: std::time::Duration, message: &str) -> Response {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let mut resp = (status, Json(json!({ "error": message, "code": "RATE_LIMITED" }))).into_response();
    resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
    resp
}

/// The session cookie is `Secure` when browsers reach the server over https: `--public-url
/// https://…`, or a proxy in front saying so.
fn cookie_secure(h: &Http, headers: &HeaderMap) -> bool {
    let configured =
        h.state.policy.public_url.as_deref().is_some_and(|u| u.trim().to_ascii_lowercase().starts_with("https://"));
    configured || headers.get("x-forwarded-proto").is_some_and(|v| v == "https")
}

async fn login(
    State(h): State<Http>,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: HeaderMap,
    Json(body): Json<LoginBody>,
) -> Response {
    let address = client_address(&h, &headers, peer.map(|p| p.0.0));
    if let Err(wait) = h.state.sessions.admit(address, &body.email) {
        tracing::warn!(%address, "sign-in throttled");
        return rate_limited(
            StatusCode::TOO_MANY_REQUESTS,
            wait,
            "ログインの試行が多すぎます。しばらく待ってからもう一度お試しください (too many sign-in attempts; try again later)",
        );
    }
    match auth::login(&h.state, &body.email, &body.password).await {
        Ok((secret, actor)) => {
            let c = cookie::Cookie::build((auth::SESSION_COOKIE, secret))
                .http_only(true)
                .same_site(cookie::SameSite::Lax)
                .secure(cookie_secure(&h, &headers))
                .path("/")
                .max_age(cookie::time::Duration::days(auth::SESSION_DAYS))
                .build();
            let mut resp = Json(json!({ "name": actor.display_name, "email": actor.email, "role": actor.role })).into_response();
            if let Ok(v) = HeaderValue::from_str(&c.to_string()) {
                resp.headers_mut().insert(header::SET_COOKIE, v);
            }
            resp
        }
        Err(auth::LoginError::Refused) => (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "メールアドレスまたはパスワードが正しくありません (wrong e-mail or password)", "code": "UNAUTHENTICATED" })),
        )
            .into_response(),
        Err(auth::LoginError::Busy) => rate_limited(
            StatusCode::SERVICE_UNAVAILABLE,
            std::time::Duration::from_secs(5),
            "ただいまログインが混み合っています。しばらく待ってからもう一度お試しください (sign-in is busy; try again shortly)",
        ),
        Err(auth::LoginError::Failed(e)) => failure(e),
    }
}

async fn logout(State(h): State<Http>, headers: HeaderMap) -> Response {
    if !sent_by_this_site(&headers, &h.state.policy) {
        return cross_site();
    }
    if let Some(secret) = cookie_secret(&headers) {
        let _ = auth::logout(&h.state, &secret).await;
    }
    let c = cookie::Cookie::build((auth::SESSION_COOKIE, ""))
        .path("/")
        .max_age(cookie::time::Duration::ZERO)
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(cookie_secure(&h, &headers))
        .build();
    let mut resp = StatusCode::NO_CONTENT.into_response();
    if let Ok(v) = HeaderValue::from_str(&c.to_string()) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}

async fn healthz(State(h): State<Http>) -> Response {
    match store::ping(&h.state.db).await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    }
}

/// An attachment's bytes, for a caller of the same tenant.
/// The server's own address for a browser flow's way back: `--public-url`, else the address the
/// browser used.
fn own_base(headers: &HeaderMap, policy: &crate::state::Policy) -> String {
    match &policy.public_url {
        Some(public) => public.trim().trim_end_matches('/').to_owned(),
        None => format!("http://{}", headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("localhost")),
    }
}

/// Back to 店舗設定 with how a 連携する ended (`yahoo=connected|failed`, the shop, the reason
/// as plain text for the screen).
fn back_to_shops(shop: Option<i64>, outcome: Result<(), AppError>) -> Response {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    match &outcome {
        Ok(()) => q.append_pair("yahoo", "connected"),
        Err(e) => q.append_pair("yahoo", "failed").append_pair("message", &e.message()),
    };
    if let Some(id) = shop {
        q.append_pair("shop", &id.to_string());
    }
    axum::response::Redirect::to(&format!("/shops?{}", q.finish())).into_response()
}

#[derive(Deserialize)]
struct LinkStart {
    shop: String,
}

/// 連携する: the signed-in admin's browser is sent to Yahoo! JAPAN to consent (yahoo_link.rs).
async fn yahoo_link_start(
    State(h): State<Http>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<LinkStart>,
) -> Response {
    let actor = match authenticate(&h.state, &headers, true).await {
        Ok(Some(a)) => a,
        Ok(None) => return axum::response::Redirect::to("/").into_response(),
        Err(resp) => return resp,
    };
    let shop = q.shop.parse::<i64>().ok();
    let base = own_base(&headers, &h.state.policy);
    match crate::yahoo_link::start(&h.state, &actor, shop.unwrap_or_default(), &base).await {
        Ok(url) => axum::response::Redirect::to(&url).into_response(),
        Err(e) => back_to_shops(shop, Err(e)),
    }
}

/// The way back from Yahoo! JAPAN: the code exchanged and stored, then back to 店舗設定.
async fn yahoo_link_callback(
    State(h): State<Http>,
    headers: HeaderMap,
    axum::extract::Query(back): axum::extract::Query<crate::yahoo_link::Callback>,
) -> Response {
    let actor = match authenticate(&h.state, &headers, true).await {
        Ok(Some(a)) => a,
        Ok(None) => return axum::response::Redirect::to("/").into_response(),
        Err(resp) => return resp,
    };
    match crate::yahoo_link::finish(&h.state, &actor, &back).await {
        Ok(shop) => back_to_shops(Some(shop), Ok(())),
        Err(e) => back_to_shops(None, Err(e)),
    }
}

async fn download(State(h): State<Http>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let actor = match authenticate(&h.state, &headers, true).await {
        Ok(Some(a)) => a,
        Ok(None) => {
            return error_json(
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED",
                "ログインが必要です (authentication required)",
            );
        }
        Err(resp) => return resp,
    };
    let Ok(id) = id.parse::<i64>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let file = match crate::inbox::attachment_file(&h.state, &actor, id).await {
        Ok(Some(f)) => f,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let disposition = format!("attachment; filename*=UTF-8''{}", percent(&file.file_name));
    (
        [
            // Never rendered inline by the browser: customer files are data, not pages.
            (header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream")),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment")),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        ],
        file.bytes,
    )
        .into_response()
}

/// RFC 5987 `filename*` value: everything but the unreserved characters percent-encoded.
fn percent(s: &str) -> String {
    const UNRESERVED: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    percent_encoding::utf8_percent_encode(s, UNRESERVED).to_string()
}

/// 問い合わせユーザアクション通知: Rakuten pushes each customer action; the inquiry is fetched
/// and recorded once (see `sync::rakuten_push`). Answers in the push's own XML envelope.
/// Rakuten's push: rate-limited per client address (the peer address when the server is served
/// with connect info, else one bucket for all) before anything is parsed or looked up.
async fn rakuten_hook(State(h): State<Http>, req: axum::extract::Request) -> Response {
    use crate::marketplaces::rakuten::push;
    let xml = |status: StatusCode, answer: String| {
        (status, [(header::CONTENT_TYPE, HeaderValue::from_static("text/xml; charset=utf-8"))], answer).into_response()
    };
    let client = req.extensions().get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
    if let Err(wait) = push::admit(crate::sync::server_id(&h.state), client) {
        let mut r = xml(StatusCode::TOO_MANY_REQUESTS, push::answer(push::UNEXPECTED));
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        if let Ok(v) = HeaderValue::from_str(&secs.max(1).to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return r;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1024 * 1024).await else {
        return xml(StatusCode::OK, push::answer(push::BAD_VALUES));
    };
    let body = String::from_utf8_lossy(&bytes);
    let key = parts.headers.get("x-auth-key").and_then(|v| v.to_str().ok());
    let answer = crate::sync::rakuten_push(&h.state, key, &body).await;
    xml(StatusCode::OK, answer)
}

/// `/readyz`: 200 when the database answers and every migration this build knows is applied;
/// else 503 with the reason (a load balancer sends no traffic here yet). `/healthz` only says
/// the process is alive.
async fn readyz(State(h): State<Http>) -> Response {
    use migrations::MigratorTrait as _;
    let unready = |reason: String| (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "ready": false, "reason": reason })));
    if let Err(e) = store::ping(&h.state.db).await {
        tracing::warn!(error = %e, "readyz: the database does not answer");
        return unready("database unavailable".into()).into_response();
    }
    match migrations::Migrator::get_pending_migrations(&h.state.db).await {
        Ok(pending) if pending.is_empty() => (StatusCode::OK, Json(json!({ "ready": true }))).into_response(),
        Ok(pending) => unready(format!(
            "migrations not applied: {}",
            pending.iter().map(|m| m.name().to_owned()).collect::<Vec<_>>().join(", ")
        ))
        .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readyz: cannot read the migration table");
            unready("migration status unavailable".into()).into_response()
        }
    }
}

/// `GET /setup`: `{"needed": true}` while the database has no tenant (the browser app then shows
/// the first-start form).
async fn setup_status(State(h): State<Http>) -> Response {
    match crate::setup::needed(&h.state.db).await {
        Ok(needed) => Json(json!({ "needed": needed })).into_response(),
        Err(e) => failure(e),
    }
}

fn setup_refused(status: StatusCode, code: &str, message: &str, field: Option<&str>) -> Response {
    let mut body = json!({ "error": message, "code": code });
    if let Some(f) = field {
        body["field"] = json!(f);
    }
    (status, Json(body)).into_response()
}

/// `POST /setup`: creates the first tenant and its admin with the setup code printed at start,
/// once, and signs the admin in: 201 with the session cookie; 403 `SETUP_CODE_INVALID`; 409
/// `ALREADY_SET_UP`; 400 `VALIDATION` with `field`. Sent by a page of this site only (as
/// logout), and counted like sign-ins.
async fn setup(
    State(h): State<Http>,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: HeaderMap,
    body: Result<Json<crate::setup::SetupForm>, axum::extract::rejection::JsonRejection>,
) -> Response {
    use crate::setup::SetupError;
    if !sent_by_this_site(&headers, &h.state.policy) {
        return cross_site();
    }
    let address = client_address(&h, &headers, peer.map(|p| p.0.0));
    if let Err(wait) = h.state.sessions.admit(address, "\u{0}setup") {
        tracing::warn!(%address, "setup throttled");
        return rate_limited(
            StatusCode::TOO_MANY_REQUESTS,
            wait,
            "試行が多すぎます。しばらく待ってからもう一度お試しください (too many attempts; try again later)",
        );
    }
    let Ok(Json(form)) = body else {
        return setup_refused(
            StatusCode::BAD_REQUEST,
            "VALIDATION",
            "会社名・管理者の名前・メールアドレス・パスワード・セットアップコードを送ってください (send companyName, adminName, email, password and setupCode as JSON)",
            None,
        );
    };
    match crate::setup::run(&h.state.db, &h.state.setup, &form).await {
        Ok(tenant_id) => {
            tracing::info!(tenant_id, "first start: the first tenant and its admin were set up");
            match auth::login(&h.state, &form.email, &form.password).await {
                Ok((secret, actor)) => {
                    let c = cookie::Cookie::build((auth::SESSION_COOKIE, secret))
                        .http_only(true)
                        .same_site(cookie::SameSite::Lax)
                        .secure(cookie_secure(&h, &headers))
                        .path("/")
                        .max_age(cookie::time::Duration::days(auth::SESSION_DAYS))
                        .build();
                    let mut resp = (
                        StatusCode::CREATED,
                        Json(json!({ "tenantId": tenant_id, "name": actor.display_name, "email": actor.email, "role": actor.role })),
                    )
                        .into_response();
                    if let Ok(v) = HeaderValue::from_str(&c.to_string()) {
                        resp.headers_mut().insert(header::SET_COOKIE, v);
                    }
                    resp
                }
                Err(e) => {
                    // Set up, but not signed in: the admin signs in on the login screen.
                    tracing::warn!(error = ?e, "first start: signing the new admin in failed");
                    (StatusCode::CREATED, Json(json!({ "tenantId": tenant_id }))).into_response()
                }
            }
        }
        Err(SetupError::CodeInvalid) => setup_refused(
            StatusCode::FORBIDDEN,
            "SETUP_CODE_INVALID",
            "セットアップコードが正しくありません。サーバーの起動時に表示されたコードを入力してください (the setup code is wrong; use the one the server printed at start)",
            Some("setupCode"),
        ),
        Err(SetupError::AlreadySetUp) => setup_refused(
            StatusCode::CONFLICT,
            "ALREADY_SET_UP",
            "セットアップは完了しています。ログインしてください (already set up; sign in)",
            None,
        ),
        Err(SetupError::Failed(crate::error::AppError::Validation { field, message, .. })) => {
            setup_refused(StatusCode::BAD_REQUEST, "VALIDATION", &message, Some(&field))
        }
        Err(SetupError::Failed(e)) => failure(e),
    }
}
