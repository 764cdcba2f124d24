//! Rakuten RMS: InquiryManagementAPI (`/es/1.0/inquirymng-api`), RakutenPayOrderAPI
//! (`/es/2.0/order`) and the user-action push. Authentication is the ESA header shared by both
//! APIs: `Authorization: ESA base64(serviceSecret:licenseKey)`.

pub mod inquiry;
pub mod order;
pub mod push;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::json;

use crate::Sim;
use crate::state::{AccountKey, Credentials, Marketplace};

pub fn router() -> Router<Sim> {
    Router::new().nest("/es/1.0/inquirymng-api", inquiry::router()).nest("/es/2.0/order", order::router())
}

/// The shop whose ESA credentials the request carries.
pub struct Shop(pub AccountKey);

impl Shop {
    /// shopId as the APIs return it (a number).
    pub fn shop_id(&self) -> i64 {
        self.0.id.parse().unwrap_or_default()
    }
}

impl FromRequestParts<Sim> for Shop {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, sim: &Sim) -> Result<Self, Response> {
        let header =
            parts.headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let Some(encoded) = header.strip_prefix("ESA ") else {
            return Err(auth_error(false));
        };
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_default();
        let Some((secret, license)) = decoded.split_once(':') else {
            return Err(auth_error(false));
        };
        let st = sim.state().await;
        let key = st.find_account(Marketplace::Rakuten, |c| {
            matches!(c, Credentials::Rakuten { service_secret, license_key, .. }
                if service_secret == secret && license_key == license)
        });
        match key {
            None => Err(auth_error(false)),
            Some(k) if st.key_expired(&k) => Err(auth_error(true)),
            Some(k) => Ok(Shop(k)),
        }
    }
}

/// ESA gateway authentication failure.
///
/// ASSUMED: public material shows `{"Results":{"errorCode":"ES04-01",…}}` and "UnAuthorised"
/// for bad or expired keys, without telling the two apart; the simulator answers 401 with
/// that envelope and says "licenseKey expired" in the message for an expired licence key, so
/// a connector can tell the operator plainly.
pub fn auth_error(expired: bool) -> Response {
    let message = if expired { "Un-Authorised: licenseKey expired" } else { "Un-Authorised" };
    (StatusCode::UNAUTHORIZED, json_body(json!({"Results": {"errorCode": "ES04-01", "message": message}})))
        .into_response()
}

/// 429 / 503 from the gateway. ASSUMED envelope (the gateway's `Results` shape); the 503 text
/// is the documented "Temporary Unavailable".
pub fn overload_error(status: u16) -> Response {
    let (code, errcode, message) = if status == 429 {
        (StatusCode::TOO_MANY_REQUESTS, "ES04-02", "Too Many Requests")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "ES05-01", "Temporary Unavailable")
    };
    (code, json_body(json!({"Results": {"errorCode": errcode, "message": message}}))).into_response()
}

/// RMS answers `application/json;charset=UTF-8`.
pub fn json_body(v: serde_json::Value) -> Response {
    ([(axum::http::header::CONTENT_TYPE, "application/json;charset=UTF-8")], v.to_string()).into_response()
}

pub fn json_status(status: StatusCode, v: serde_json::Value) -> Response {
    (status, json_body(v)).into_response()
}
