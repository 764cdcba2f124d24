//! The control API under `/_control` (JSON). Tests and the demo drive the simulator through it:
//!
//! | method | path | body → answer |
//! | --- | --- | --- |
//! | GET | `/health` | → `{ok, seed}` |
//! | POST | `/accounts` | `{marketplace, …credentials}` → 201 `{marketplace, id}` |
//! | GET | `/accounts` | → `[{marketplace, id, shopName, keyExpired}]` |
//! | POST | `/accounts/{mp}/{id}/expire` | `{expired?: bool (true)}` → 204 |
//! | PUT / DELETE | `/accounts/rakuten/{id}/push` | `{url, secret}` → 204 (user-action push callback) |
//! | POST | `/accounts/{mp}/{id}/orders` | `{count, withinDays?}` or `{orders: [OrderSpec]}` → `{orderNumbers}` |
//! | GET | `/accounts/{mp}/{id}/orders/{number}` | → the order |
//! | POST | `/accounts/{mp}/{id}/inquiries` | `{count, withinDays?}` or `{inquiries: [InquirySpec]}` → `{inquiryIds}` |
//! | GET | `/accounts/{mp}/{id}/inquiries/{inquiry}` | → the inquiry |
//! | POST | `/accounts/{mp}/{id}/inquiries/{inquiry}/messages` | `{message?, at?, attachment?: {label, contentType, base64}}` → `{messageId}` (a buyer's message; Rakuten keeps the file for `GET /attachment`) |
//! | POST | `/accounts/rakuten/{id}/inquiries/{inquiry}/push` | → `{status, resultCode}` (sends the push now) |
//! | GET | `/accounts/{mp}/{id}/counters` | → `{replies, attachments, reads, completions, incompletions, shippingUpdates, evaluations, pushes, received: […]}` |
//! | GET | `/faults` | → `{mp: Faults}` |
//! | PUT / DELETE | `/faults/{mp}` | `Faults` → 204 |
//! | DELETE | `/faults` | → 204 (all cleared) |
//! | GET | `/requests` | → `{mp: requests that reached it}` |

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::Sim;
use crate::data::InquirySpec;
use crate::fault::Faults;
use crate::rakuten::push;
use crate::sim::{NewAccount, OrderSpec, SimError};
use crate::state::{AccountKey, Marketplace, PushTarget};

pub fn router() -> Router<Sim> {
    Router::new()
        .route("/health", get(health))
        .route("/accounts", post(create_account).get(list_accounts))
        .route("/accounts/{mp}/{id}/expire", post(expire))
        .route("/accounts/{mp}/{id}/push", put(set_push).delete(delete_push))
        .route("/accounts/{mp}/{id}/orders", post(add_orders))
        .route("/accounts/{mp}/{id}/orders/{number}", get(get_order))
        .route("/accounts/{mp}/{id}/inquiries", post(add_inquiries))
        .route("/accounts/{mp}/{id}/inquiries/{inquiry}", get(get_inquiry))
        .route("/accounts/{mp}/{id}/inquiries/{inquiry}/messages", post(add_message))
        .route("/accounts/{mp}/{id}/inquiries/{inquiry}/push", post(push_now))
        .route("/accounts/{mp}/{id}/counters", get(counters))
        .route("/faults", get(list_faults).delete(clear_all_faults))
        .route("/faults/{mp}", put(set_faults).delete(clear_faults))
        .route("/requests", get(requests))
}

pub struct ControlError(SimError);

impl From<SimError> for ControlError {
    fn from(e: SimError) -> Self {
        ControlError(e)
    }
}

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        let status = match self.0 {
            SimError::NotFound(_) => StatusCode::NOT_FOUND,
            SimError::Invalid(_) => StatusCode::BAD_REQUEST,
            SimError::Conflict(_) => StatusCode::CONFLICT,
        };
        (status, Json(json!({"error": self.0.to_string()}))).into_response()
    }
}

type Result<T> = std::result::Result<T, ControlError>;

fn key(mp: &str, id: String) -> Result<AccountKey> {
    let m = Marketplace::parse(mp).ok_or_else(|| SimError::NotFound(format!("marketplace {mp}")))?;
    Ok(AccountKey::new(m, id))
}

fn marketplace(mp: &str) -> Result<Marketplace> {
    Ok(Marketplace::parse(mp).ok_or_else(|| SimError::NotFound(format!("marketplace {mp}")))?)
}

/// A JSON body, with a JSON error when it does not parse.
fn body<T: for<'de> Deserialize<'de>>(raw: &[u8]) -> Result<T> {
    let raw = if raw.iter().all(u8::is_ascii_whitespace) { b"{}".as_slice() } else { raw };
    serde_json::from_slice(raw).map_err(|e| ControlError(SimError::Invalid(e.to_string())))
}

async fn health(State(sim): State<Sim>) -> Json<Value> {
    Json(json!({"ok": true, "seed": sim.seed()}))
}

async fn create_account(State(sim): State<Sim>, raw: axum::body::Bytes) -> Result<Response> {
    let new: NewAccount = body(&raw)?;
    let key = sim.create_account(new).await?;
    Ok((StatusCode::CREATED, Json(json!({"marketplace": key.marketplace, "id": key.id}))).into_response())
}

async fn list_accounts(State(sim): State<Sim>) -> Json<Value> {
    let st = sim.state().await;
    let list: Vec<Value> = st
        .accounts
        .values()
        .map(|a| {
            json!({
                "marketplace": a.key.marketplace,
                "id": a.key.id,
                "shopName": a.shop_name,
                "keyExpired": a.key_expired,
                "keyIssuedAt": a.key_issued_at,
            })
        })
        .collect();
    Json(Value::Array(list))
}

#[derive(Deserialize)]
struct ExpireBody {
    #[serde(default = "yes")]
    expired: bool,
}

fn yes() -> bool {
    true
}

async fn expire(
    State(sim): State<Sim>,
    Path((mp, id)): Path<(String, String)>,
    raw: axum::body::Bytes,
) -> Result<StatusCode> {
    let b: ExpireBody = body(&raw)?;
    sim.set_key_expired(&key(&mp, id)?, b.expired).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn set_push(
    State(sim): State<Sim>,
    Path((mp, id)): Path<(String, String)>,
    raw: axum::body::Bytes,
) -> Result<StatusCode> {
    let target: PushTarget = body(&raw)?;
    sim.set_push(&key(&mp, id)?, Some(target)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn delete_push(State(sim): State<Sim>, Path((mp, id)): Path<(String, String)>) -> Result<StatusCode> {
    sim.set_push(&key(&mp, id)?, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct AddOrders {
    count: Option<usize>,
    within_days: Option<i64>,
    orders: Option<Vec<OrderSpec>>,
}

async fn add_orders(
    State(sim): State<Sim>,
    Path((mp, id)): Path<(String, String)>,
    raw: axum::body::Bytes,
) -> Result<Json<Value>> {
    let b: AddOrders = body(&raw)?;
    let k = key(&mp, id)?;
    let mut numbers = Vec::new();
    for spec in b.orders.unwrap_or_default() {
        numbers.push(sim.add_order(&k, spec).await?);
    }
    if let Some(n) = b.count {
        numbers.extend(sim.generate_orders(&k, n, b.within_days.unwrap_or(14)).await?);
    }
    Ok(Json(json!({"orderNumbers": numbers})))
}

async fn get_order(
    State(sim): State<Sim>,
    Path((mp, id, number)): Path<(String, String, String)>,
) -> Result<Json<Value>> {
    let k = key(&mp, id)?;
    let st = sim.state().await;
    let o = st.order(&k, &number).ok_or_else(|| SimError::NotFound(format!("order {number}")))?;
    Ok(Json(serde_json::to_value(o).unwrap_or_default()))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct AddInquiries {
    count: Option<usize>,
    within_days: Option<i64>,
    inquiries: Option<Vec<InquirySpec>>,
}

async fn add_inquiries(
    State(sim): State<Sim>,
    Path((mp, id)): Path<(String, String)>,
    raw: axum::body::Bytes,
) -> Result<Json<Value>> {
    let b: AddInquiries = body(&raw)?;
    let k = key(&mp, id)?;
    let mut ids = Vec::new();
    for spec in b.inquiries.unwrap_or_default() {
        ids.push(sim.add_inquiry(&k, spec).await?);
    }
    if let Some(n) = b.count {
        ids.extend(sim.generate_inquiries(&k, n, b.within_days.unwrap_or(14)).await?);
    }
    Ok(Json(json!({"inquiryIds": ids})))
}

async fn get_inquiry(
    State(sim): State<Sim>,
    Path((mp, id, inquiry)): Path<(String, String, String)>,
) -> Result<Json<Value>> {
    let k = key(&mp, id)?;
    let st = sim.state().await;
    let i = st.inquiry(&k, &inquiry).ok_or_else(|| SimError::NotFound(format!("inquiry {inquiry}")))?;
    Ok(Json(serde_json::to_value(i).unwrap_or_default()))
}

#[derive(Deserialize, Default)]
struct AddMessage {
    message: Option<String>,
    at: Option<DateTime<Utc>>,
    /// A file the buyer attaches (Rakuten): `{label, contentType, base64}`.
    attachment: Option<NewFile>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewFile {
    label: String,
    content_type: String,
    base64: String,
}

async fn add_message(
    State(sim): State<Sim>,
    Path((mp, id, inquiry)): Path<(String, String, String)>,
    raw: axum::body::Bytes,
) -> Result<Json<Value>> {
    let b: AddMessage = body(&raw)?;
    let k = key(&mp, id)?;
    let file = match b.attachment {
        Some(f) => {
            use base64::Engine;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(f.base64.trim())
                .map_err(|e| SimError::Invalid(format!("attachment.base64: {e}")))?;
            Some(crate::state::StoredFile {
                account: k.clone(),
                name: f.label,
                content_type: f.content_type,
                bytes: bytes.into(),
            })
        }
        None => None,
    };
    let message_id = sim.add_customer_message(&k, &inquiry, b.message, b.at, file).await?;
    Ok(Json(json!({"messageId": message_id})))
}

async fn push_now(State(sim): State<Sim>, Path((mp, id, inquiry)): Path<(String, String, String)>) -> Result<Response> {
    let k = key(&mp, id)?;
    if k.marketplace != Marketplace::Rakuten {
        return Err(SimError::Invalid("only Rakuten pushes user actions".into()).into());
    }
    match push::send(&sim, &k, &inquiry, push::Action::UserMessage).await {
        Ok(outcome) => Ok(Json(outcome).into_response()),
        Err(e) => Ok((StatusCode::BAD_GATEWAY, Json(json!({"error": e}))).into_response()),
    }
}

async fn counters(State(sim): State<Sim>, Path((mp, id)): Path<(String, String)>) -> Result<Json<Value>> {
    let (c, received) = sim.counters(&key(&mp, id)?).await?;
    let mut v = serde_json::to_value(c).unwrap_or_default();
    v["received"] = serde_json::to_value(received).unwrap_or_default();
    Ok(Json(v))
}

async fn list_faults(State(sim): State<Sim>) -> Json<Value> {
    let st = sim.state().await;
    Json(serde_json::to_value(&st.faults).unwrap_or_default())
}

async fn set_faults(State(sim): State<Sim>, Path(mp): Path<String>, raw: axum::body::Bytes) -> Result<StatusCode> {
    let f: Faults = body(&raw)?;
    sim.set_faults(marketplace(&mp)?, f).await;
    Ok(StatusCode::NO_CONTENT)
}

async fn clear_faults(State(sim): State<Sim>, Path(mp): Path<String>) -> Result<StatusCode> {
    sim.clear_faults(Some(marketplace(&mp)?)).await;
    Ok(StatusCode::NO_CONTENT)
}

async fn clear_all_faults(State(sim): State<Sim>) -> StatusCode {
    sim.clear_faults(None).await;
    StatusCode::NO_CONTENT
}

async fn requests(State(sim): State<Sim>) -> Json<Value> {
    let st = sim.state().await;
    Json(serde_json::to_value(&st.requests).unwrap_or_default())
}
