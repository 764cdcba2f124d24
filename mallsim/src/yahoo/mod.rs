//! Yahoo!ショッピング: the 問い合わせ管理API (talk, JSON) and the 注文API (XML), both under
//! `/ShoppingWebService/V1/`. Authentication is `Authorization: Bearer <access token>`; the
//! documented limit is one request per second to the same URL.

pub mod order;
pub mod talk;

use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::Sim;
use crate::state::{AccountKey, Credentials, Marketplace};
use crate::xml::Writer;

pub fn router() -> Router<Sim> {
    Router::new()
        .nest("/ShoppingWebService/V1", talk::router().merge(order::router()))
        .route("/yconnect/v2/token", axum::routing::post(token))
        .route("/yconnect/v2/authorization", axum::routing::get(authorization))
}

#[derive(serde::Deserialize)]
struct TokenForm {
    grant_type: String,
    #[serde(default)]
    refresh_token: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    redirect_uri: String,
}

#[derive(serde::Deserialize)]
struct AuthorizationQuery {
    #[serde(default)]
    response_type: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    redirect_uri: String,
    #[serde(default)]
    state: String,
}

/// YConnect v2 authorization endpoint (`auth.login.yahoo.co.jp/yconnect/v2/authorization`).
/// Yahoo! JAPAN shows the store's Business ID a consent screen; the simulator consents at once
/// for the account whose YConnect client this is, and sends the browser back to
/// `redirect_uri` with a one-time `code` and the `state` as sent. An unknown client is shown
/// an error page, as Yahoo! does (it never redirects to an unverified URI).
async fn authorization(
    axum::extract::State(sim): axum::extract::State<Sim>,
    axum::extract::Query(q): axum::extract::Query<AuthorizationQuery>,
) -> Response {
    if q.response_type != "code" || q.redirect_uri.is_empty() {
        return (StatusCode::BAD_REQUEST, "invalid_request: response_type=code and redirect_uri are required")
            .into_response();
    }
    let mut st = sim.state().await;
    let key = st.find_account(
        Marketplace::Yahoo,
        |c| matches!(c, Credentials::Yahoo { client_id: Some(id), .. } if !q.client_id.is_empty() && *id == q.client_id),
    );
    let Some(key) = key else {
        return (StatusCode::BAD_REQUEST, "invalid_client: unknown client_id").into_response();
    };
    let code = format!("yahoo-code-{}", st.next_serial());
    st.yconnect_codes.insert(code.clone(), (key, q.redirect_uri.clone()));
    let Ok(mut back) = url::Url::parse(&q.redirect_uri) else {
        return (StatusCode::BAD_REQUEST, "invalid_request: redirect_uri").into_response();
    };
    back.query_pairs_mut().append_pair("code", &code).append_pair("state", &q.state);
    axum::response::Redirect::to(back.as_str()).into_response()
}

/// YConnect v2 token endpoint (`auth.login.yahoo.co.jp/yconnect/v2/token`): the client
/// authenticates with Basic `client_id:client_secret`; `grant_type=refresh_token` gives a new
/// access token for the account holding that refresh token (and lifts its expiry).
async fn token(
    axum::extract::State(sim): axum::extract::State<Sim>,
    headers: axum::http::HeaderMap,
    axum::Form(form): axum::Form<TokenForm>,
) -> Response {
    use base64::Engine;
    let oauth_error = |status: StatusCode, error: &str, description: &str| {
        (status, axum::Json(serde_json::json!({ "error": error, "error_description": description }))).into_response()
    };
    let basic = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| h.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.split_once(':').map(|(a, b)| (a.to_owned(), b.to_owned())));
    let Some((client_id, client_secret)) = basic else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "client authentication failed");
    };
    if form.grant_type == "authorization_code" {
        return exchange_code(&sim, &client_id, &client_secret, &form).await;
    }
    if form.grant_type != "refresh_token" {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "unsupported grant_type");
    }
    let mut st = sim.state().await;
    let key = st.find_account(Marketplace::Yahoo, |c| {
        matches!(c, Credentials::Yahoo { client_id: Some(id), client_secret: Some(secret), refresh_token: Some(r), .. }
            if *id == client_id && *secret == client_secret && !form.refresh_token.is_empty() && *r == form.refresh_token)
    });
    let Some(key) = key else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "invalid refresh_token");
    };
    let Some(acc) = st.account_mut(&key) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "invalid refresh_token");
    };
    acc.counters.token_refreshes += 1;
    let fresh = format!("yahoo-access-{}-{}", key.id, acc.counters.token_refreshes);
    if let Credentials::Yahoo { access_token, .. } = &mut acc.credentials {
        *access_token = fresh.clone();
    }
    acc.key_expired = false;
    axum::Json(serde_json::json!({ "access_token": fresh, "token_type": "Bearer", "expires_in": 3600 })).into_response()
}

/// `grant_type=authorization_code`: a code from [`authorization`], once, for the client it was
/// issued to and the same redirect URI, gives the store new access and refresh tokens (the
/// ones stored before stop working).
async fn exchange_code(sim: &Sim, client_id: &str, client_secret: &str, form: &TokenForm) -> Response {
    let oauth_error = |error: &str, description: &str| {
        (StatusCode::BAD_REQUEST, axum::Json(serde_json::json!({ "error": error, "error_description": description })))
            .into_response()
    };
    let mut st = sim.state().await;
    let Some((key, redirect_uri)) = st.yconnect_codes.remove(&form.code) else {
        return oauth_error("invalid_grant", "invalid or used authorization code");
    };
    if redirect_uri != form.redirect_uri {
        return oauth_error("invalid_grant", "redirect_uri does not match");
    }
    let Some(acc) = st.account_mut(&key) else {
        return oauth_error("invalid_grant", "invalid authorization code");
    };
    let Credentials::Yahoo { client_id: Some(id), client_secret: Some(secret), access_token, refresh_token, .. } =
        &mut acc.credentials
    else {
        return oauth_error("invalid_client", "client authentication failed");
    };
    if id != client_id || secret != client_secret {
        return oauth_error("invalid_client", "client authentication failed");
    }
    acc.counters.authorizations += 1;
    let n = acc.counters.authorizations;
    *access_token = format!("yahoo-access-{}-linked-{n}", key.id);
    *refresh_token = Some(format!("yahoo-refresh-{}-linked-{n}", key.id));
    let answer = serde_json::json!({
        "access_token": access_token.clone(),
        "refresh_token": refresh_token.clone(),
        "token_type": "Bearer",
        "expires_in": 3600,
    });
    acc.key_expired = false;
    axum::Json(answer).into_response()
}

/// The seller whose access token the request carries (after the rate limit check).
pub struct Seller(pub AccountKey);

impl Seller {
    /// The `sellerId` / `SellerId` sent with the request must be the token's seller.
    pub fn check(&self, seller_id: Option<&str>) -> Result<(), Response> {
        match seller_id {
            Some(s) if s == self.0.id => Ok(()),
            Some(_) => Err(error(StatusCode::FORBIDDEN, "px-04103", "sellerId is not the seller of the access token.")),
            None => Err(error(StatusCode::BAD_REQUEST, "px-04001", "sellerId is required.")),
        }
    }
}

impl FromRequestParts<Sim> for Seller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, sim: &Sim) -> Result<Self, Response> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer "))
            .unwrap_or_default()
            .trim()
            .to_string();
        let mut st = sim.state().await;
        let key = st.find_account(
            Marketplace::Yahoo,
            |c| matches!(c, Credentials::Yahoo { access_token, .. } if !token.is_empty() && *access_token == token),
        );
        let Some(key) = key else {
            return Err(auth_error(false));
        };
        if st.key_expired(&key) {
            return Err(auth_error(true));
        }
        let path = parts.uri.path().to_string();
        let Some(acc) = st.account_mut(&key) else {
            return Err(auth_error(false));
        };
        let now = Instant::now();
        if let Some(last) = acc.last_call.get(&path)
            && now.duration_since(*last) < Duration::from_millis(acc.min_interval_ms)
        {
            return Err(rate_limited());
        }
        acc.last_call.insert(path, now);
        Ok(Seller(key))
    }
}

/// "Yahoo! JAPAN Web API共通のエラー": `<Error><Message/><Code/></Error>`, also for the JSON APIs.
pub fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let mut w = Writer::new();
    w.open("Error").leaf("Message", message).leaf("Code", code).close("Error");
    (status, xml_headers(), w.finish()).into_response()
}

pub fn xml_headers() -> [(axum::http::HeaderName, &'static str); 1] {
    [(axum::http::header::CONTENT_TYPE, "text/xml;charset=UTF-8")]
}

/// Missing / unknown token, or the documented expired-token error (px-04102 and
/// `WWW-Authenticate … error_description="expired token"`). The code and text for an unknown
/// token are ASSUMED.
pub fn auth_error(expired: bool) -> Response {
    let (code, message, description) = if expired {
        ("px-04102", "AccessToken has been expired. This API session is shorter than another API.", "expired token")
    } else {
        ("px-04101", "Invalid AccessToken.", "invalid token")
    };
    let mut resp = error(StatusCode::UNAUTHORIZED, code, message);
    let header = format!("Bearer error=\"invalid_token\", error_description=\"{description}\"");
    if let Ok(value) = HeaderValue::from_str(&header) {
        resp.headers_mut().insert("www-authenticate", value);
    }
    resp
}

/// ASSUMED answer to more than one request per second to the same URL: 429 with the common
/// XML error.
pub fn rate_limited() -> Response {
    let mut resp =
        error(StatusCode::TOO_MANY_REQUESTS, "px-04290", "Too many requests. Access is limited to 1 query per second.");
    resp.headers_mut().insert("retry-after", HeaderValue::from_static("1"));
    resp
}

pub fn overload_error(status: u16) -> Response {
    if status == 429 {
        error(StatusCode::TOO_MANY_REQUESTS, "px-04290", "Too many requests.")
    } else {
        error(StatusCode::SERVICE_UNAVAILABLE, "px-05030", "Service Temporarily Unavailable.")
    }
}
