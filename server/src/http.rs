//! The HTTP surface: `/graphql` (POST JSON or multipart; GET → GraphiQL or the
//! graphql-transport-ws WebSocket), `/auth/login`, `/auth/logout`, `/healthz`, `/files/{id}`,
//! and the SPA from its build folder with an index.html fallback.

use std::path::PathBuf;

use async_graphql::http::{GraphiQLSource, MultipartOptions};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::body::Body;
use axum::extract::{FromRequestParts, Path, State, WebSocketUpgrade};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::TryStreamExt;
use serde::Deserialize;
use serde_json::json;
use tower_http::services::{ServeDir, ServeFile};

use crate::auth::{self, Actor};
use crate::graphql::{AppSchema, Loaders};
use crate::state::AppState;
use crate::store;

/// Largest accepted POST body (JSON or multipart with attachments).
pub const MAX_BODY_BYTES: usize = 12 * 1024 * 1024;
/// Per attached file; the marketplace limits (5 MB on Rakuten) are checked again per inquiry.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;
/// WebSocket buffers: small, because an idle inbox keeps its socket open all day.
pub const WS_BUFFER_BYTES: usize = 8 * 1024;

#[derive(Clone)]
pub struct Http {
    pub state: AppState,
    pub schema: AppSchema,
}

pub fn router(state: AppState, schema: AppSchema, spa_dir: Option<PathBuf>) -> Router {
    let app = Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/healthz", get(healthz))
        .route("/files/{id}", get(download))
        .route("/hooks/rakuten", post(rakuten_hook))
        .with_state(Http { state, schema });
    match spa_dir {
        Some(dir) if dir.join("index.html").exists() => {
            let index = dir.join("index.html");
            app.fallback_service(ServeDir::new(dir).fallback(ServeFile::new(index)))
        }
        _ => app.fallback(|| async {
            (
                StatusCode::NOT_FOUND,
                Html("<p>Madoguchi: the browser app is not built. Run <code>scripts/demo</code>, or open <a href=\"/graphql\">/graphql</a>.</p>"),
            )
        }),
    }
}

fn error_json(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({ "errors": [{ "message": message, "extensions": { "code": code } }] }))).into_response()
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
    let internal = |_| error_json(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "internal error");
    if let Some(h) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        return match auth::actor_from_authorization(&st.db, h).await.map_err(internal)? {
            Some(a) => Ok(Some(a)),
            None => Err(error_json(
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED",
                "APIトークンが無効です (invalid API token)",
            )),
        };
    }
    if allow_cookie && let Some(secret) = cookie_secret(headers) {
        return auth::actor_from_session(&st.db, &secret).await.map_err(internal);
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

async fn graphql_post(State(h): State<Http>, headers: HeaderMap, body: Body) -> Response {
    // Only JSON or multipart: a cross-site form post (text/plain, urlencoded) cannot carry the cookie here.
    // Compare case-insensitively, but pass the original on: a multipart boundary is case-sensitive.
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let kind = ct.to_ascii_lowercase();
    if !(kind.starts_with("application/json") || kind.starts_with("multipart/form-data")) {
        return error_json(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "VALIDATION",
            "Content-Type は application/json か multipart/form-data にしてください (POST /graphql accepts application/json or multipart/form-data)",
        );
    }
    let actor = match authenticate(&h.state, &headers, true).await {
        Ok(a) => a,
        Err(resp) => return resp,
    };
    let limited = Body::new(http_body_util::Limited::new(body, MAX_BODY_BYTES));
    let reader = limited.into_data_stream().map_err(std::io::Error::other).into_async_read();
    let opts = MultipartOptions::default().max_file_size(MAX_UPLOAD_BYTES).max_num_files(5);
    let request = match async_graphql::http::receive_body(Some(ct), reader, opts).await {
        Ok(r) => r,
        Err(e) => {
            return error_json(
                StatusCode::BAD_REQUEST,
                "VALIDATION",
                &format!("リクエストを読めません (bad request: {e})"),
            );
        }
    };
    let request = match actor {
        Some(a) => request.data(Loaders::new(&h.state, &a)).data(a),
        None => request,
    };
    let response = h.schema.execute(request).await;
    Json(response).into_response()
}

async fn graphql_get(State(h): State<Http>, req: axum::extract::Request) -> Response {
    let wants_ws = req
        .headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if !wants_ws {
        return Html(GraphiQLSource::build().endpoint("/graphql").subscription_endpoint("/graphql").finish())
            .into_response();
    }
    let (mut parts, _) = req.into_parts();
    let protocol = match GraphQLProtocol::from_request_parts(&mut parts, &()).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &()).await {
        Ok(u) => u,
        Err(e) => return e.into_response(),
    };
    let pre_auth = match authenticate(&h.state, &parts.headers, same_origin(&parts.headers)).await {
        Ok(a) => a,
        Err(resp) => return resp,
    };
    upgrade
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .read_buffer_size(WS_BUFFER_BYTES)
        .write_buffer_size(WS_BUFFER_BYTES)
        .max_write_buffer_size(4 * 1024 * 1024)
        .max_message_size(1024 * 1024)
        .on_upgrade(move |socket| {
            let state = h.state.clone();
            GraphQLWebSocket::new(socket, h.schema.clone(), protocol)
                .on_connection_init(move |payload| async move {
                    // The token in connection_init wins over the cookie of the upgrade request.
                    let from_payload = match payload.get("authorization").and_then(|v| v.as_str()) {
                        Some(hdr) => auth::actor_from_authorization(&state.db, hdr)
                            .await
                            .map_err(|e| async_graphql::Error::new(e.message()))?,
                        None => None,
                    };
                    let actor =
                        from_payload.or(pre_auth).ok_or_else(|| async_graphql::Error::new("UNAUTHENTICATED"))?;
                    let mut data = async_graphql::Data::default();
                    data.insert(Loaders::new(&state, &actor));
                    data.insert(actor);
                    Ok(data)
                })
                .serve()
        })
}

#[derive(Deserialize)]
struct LoginBody {
    email: String,
    password: String,
}

async fn login(State(h): State<Http>, headers: HeaderMap, Json(body): Json<LoginBody>) -> Response {
    match auth::login(&h.state.db, &body.email, &body.password).await {
        Ok((secret, actor)) => {
            let secure = headers.get("x-forwarded-proto").is_some_and(|v| v == "https");
            let c = cookie::Cookie::build((auth::SESSION_COOKIE, secret))
                .http_only(true)
                .same_site(cookie::SameSite::Lax)
                .secure(secure)
                .path("/")
                .max_age(cookie::time::Duration::days(14))
                .build();
            let mut resp = Json(json!({ "name": actor.display_name, "email": actor.email, "role": actor.role })).into_response();
            if let Ok(v) = HeaderValue::from_str(&c.to_string()) {
                resp.headers_mut().insert(header::SET_COOKIE, v);
            }
            resp
        }
        Err(crate::error::AppError::Unauthenticated) => (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "メールアドレスまたはパスワードが正しくありません (wrong e-mail or password)", "code": "UNAUTHENTICATED" })),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = ?e, "login failed");
            error_json(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "internal error")
        }
    }
}

async fn logout(State(h): State<Http>, headers: HeaderMap) -> Response {
    if let Some(secret) = cookie_secret(&headers) {
        let _ = auth::logout(&h.state.db, &secret).await;
    }
    let c = cookie::Cookie::build((auth::SESSION_COOKIE, ""))
        .path("/")
        .max_age(cookie::time::Duration::ZERO)
        .http_only(true)
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
    let row = match actor.scope.get::<crate::store::entities::attachment::Entity>(&h.state.db, id).await {
        Ok(Some(r)) => r,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let bytes = match h.state.files.get(&object_store::path::Path::from(row.storage_key.as_str())).await {
        Ok(r) => match r.bytes().await {
            Ok(b) => b,
            Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        },
        Err(_) => return StatusCode::NOT_FOUND.into_response(),
    };
    let disposition = format!("attachment; filename*=UTF-8''{}", percent(&row.file_name));
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
        bytes,
    )
        .into_response()
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
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
