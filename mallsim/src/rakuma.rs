//! ラクマ (Rakuma) shop API — AN ASSUMED CONTRACT, entirely defined in this module.
//!
//! Rakuma publishes no documentation or client code for its shop API (MARKETPLACES.md §5).
//! What is known: integrators receive an API e-mail + password from Rakuma and a client id +
//! secret, fetch orders over a period of days, send a shipping notice (carrier + tracking
//! number) and a buyer evaluation with a fixed message, and only single-item (1点もの) accounts
//! are supported. Everything below — paths, field names, status values, errors — is our
//! assumption, kept in this one place so it is easy to correct once the real contract is known.
//!
//! ```text
//! POST /oauth/token            form: grant_type=password, username (e-mail), password, client_id, client_secret
//!                              → {"access_token", "token_type":"Bearer", "expires_in":3600}
//!                              errors: 400/401 {"error":"invalid_request"|"invalid_client"|"invalid_grant","error_description"}
//! GET  /api/v1/orders?from=&to=&page=&per_page=     ISO-8601 period ≤ 31 days, per_page ≤ 100
//!                              → {"orders":[Order], "pagination":{"page","per_page","total_count","total_pages"}}
//! GET  /api/v1/orders/{id}     → {"order": Order}
//! POST /api/v1/orders/{id}/shipping_notice   {"carrier":"yamato|sagawa|japanpost|other","tracking_number"}
//!                              → {"order": Order}; once only (409 already_notified)
//! POST /api/v1/orders/{id}/evaluation        {"rating":"good|normal|bad","comment"}
//!                              → 201 {"evaluation": …}; after shipping (409 not_shipped), once only (409 already_evaluated)
//! errors: {"error":{"code","message"}} — 401 unauthorized / token_expired, 400 invalid_parameter,
//!         404 not_found, 409 as above, 429 too_many_requests, 503 service_unavailable
//! ```
//!
//! Order: {id, status: wait_shipping|shipped|completed|cancelled, ordered_at, updated_at (ISO-8601
//! +09:00), item {id, name, sku, price} (exactly one), price, shipping_fee, total, payment_method,
//! buyer {nickname}, shipping_address {name, zip_code, prefecture, city, address, phone},
//! shipping {carrier, tracking_number, notified_at}|null, evaluation {rating, comment, evaluated_at}|null}.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use chrono::{Duration, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::Sim;
use crate::data;
use crate::state::{AccountKey, Credentials, Evaluation, Kind, Marketplace, Order, OrderState, Shipment};
use crate::time;

pub const TOKEN_LIFETIME_SECS: i64 = 3600;
pub const MAX_PERIOD_DAYS: i64 = 31;
const CARRIERS: &[&str] = &["yamato", "sagawa", "japanpost", "other"];
const RATINGS: &[&str] = &["good", "normal", "bad"];

pub fn router() -> Router<Sim> {
    Router::new()
        .route("/oauth/token", post(token))
        .route("/api/v1/orders", get(list_orders))
        .route("/api/v1/orders/{id}", get(get_order))
        .route("/api/v1/orders/{id}/shipping_notice", post(shipping_notice))
        .route("/api/v1/orders/{id}/evaluation", post(evaluation))
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({"error": {"code": code, "message": message}}))).into_response()
}

pub fn overload_error(status: u16) -> Response {
    if status == 429 {
        error(StatusCode::TOO_MANY_REQUESTS, "too_many_requests", "rate limit exceeded")
    } else {
        error(StatusCode::SERVICE_UNAVAILABLE, "service_unavailable", "service temporarily unavailable")
    }
}

#[derive(Deserialize)]
struct TokenRequest {
    grant_type: Option<String>,
    username: Option<String>,
    password: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (status, Json(json!({"error": error, "error_description": description}))).into_response()
}

async fn token(State(sim): State<Sim>, Form(req): Form<TokenRequest>) -> Response {
    if req.grant_type.as_deref() != Some("password") {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "grant_type must be password");
    }
    let (id, secret) = (req.client_id.unwrap_or_default(), req.client_secret.unwrap_or_default());
    let (user, pass) = (req.username.unwrap_or_default(), req.password.unwrap_or_default());
    let mut st = sim.state().await;
    let client_ok = st
        .find_account(Marketplace::Rakuma, |c| {
            matches!(c, Credentials::Rakuma { client_id, client_secret, .. } if *client_id == id && *client_secret == secret)
        })
        .is_some();
    if !client_ok {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "client authentication failed");
    }
    let key = st.find_account(Marketplace::Rakuma, |c| {
        matches!(c, Credentials::Rakuma { email, password, client_id, .. } if *email == user && *password == pass && *client_id == id)
    });
    let Some(key) = key else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "e-mail address or password is incorrect");
    };
    if st.account(&key).is_some_and(|a| a.key_expired) {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "API access has expired; re-issue it in Rakuma");
    }
    let access = data::token(&mut st.rng, "rk_");
    let Some(acc) = st.account_mut(&key) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "e-mail address or password is incorrect");
    };
    acc.tokens.insert(access.clone(), Utc::now() + Duration::seconds(TOKEN_LIFETIME_SECS));
    Json(json!({"access_token": access, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME_SECS})).into_response()
}

/// The shop whose bearer token the request carries.
pub struct RakumaShop(pub AccountKey);

impl FromRequestParts<Sim> for RakumaShop {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, sim: &Sim) -> Result<Self, Response> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer "))
            .unwrap_or_default()
            .to_string();
        let st = sim.state().await;
        let found = st
            .accounts
            .values()
            .filter(|a| a.key.marketplace == Marketplace::Rakuma)
            .find_map(|a| a.tokens.get(&token).map(|exp| (a.key.clone(), *exp)));
        match found {
            None => Err(error(StatusCode::UNAUTHORIZED, "unauthorized", "invalid access token")),
            Some((k, exp)) if exp <= Utc::now() || st.key_expired(&k) => {
                Err(error(StatusCode::UNAUTHORIZED, "token_expired", "access token expired"))
            }
            Some((k, _)) => Ok(RakumaShop(k)),
        }
    }
}

fn status(o: &Order) -> &'static str {
    match o.state {
        OrderState::New | OrderState::Confirmed => "wait_shipping",
        OrderState::Shipped => "shipped",
        OrderState::Completed => "completed",
        OrderState::Cancelled => "cancelled",
    }
}

fn iso(t: chrono::DateTime<Utc>) -> String {
    time::rakuten_inquiry(t)
}

fn order_json(o: &Order) -> Value {
    let item = &o.lines[0];
    let r = &o.recipient;
    json!({
        "id": o.number,
        "status": status(o),
        "ordered_at": iso(o.ordered_at),
        "updated_at": iso(o.updated_at),
        "item": {"id": item.item_id.to_string(), "name": item.name, "sku": item.sku, "price": item.price},
        "price": item.price,
        "shipping_fee": o.postage,
        "total": o.total_price(),
        "payment_method": o.payment_method,
        "buyer": {"nickname": format!("{}{}", o.buyer.first_name_kana, &o.number[o.number.len() - 3..])},
        "shipping_address": {
            "name": r.full_name(),
            "zip_code": format!("{}-{}", &r.zip_code[..3], &r.zip_code[3..]),
            "prefecture": r.prefecture,
            "city": r.city,
            "address": r.sub_address,
            "phone": r.phone,
        },
        "shipping": o.shipments.first().map(|s| json!({
            "carrier": s.carrier,
            "tracking_number": s.tracking_number,
            "notified_at": o.shipped_at.map(iso),
        })),
        "evaluation": o.evaluation.as_ref().map(|e| json!({
            "rating": e.rating, "comment": e.comment, "evaluated_at": iso(e.at),
        })),
    })
}

async fn list_orders(State(sim): State<Sim>, shop: RakumaShop, Query(q): Query<HashMap<String, String>>) -> Response {
    let from = q.get("from").and_then(|s| time::parse_iso(s));
    let to = q.get("to").and_then(|s| time::parse_iso(s));
    let (Some(from), Some(to)) = (from, to) else {
        return error(StatusCode::BAD_REQUEST, "invalid_parameter", "from and to are required (ISO-8601)");
    };
    if from > to || to - from > Duration::days(MAX_PERIOD_DAYS) {
        return error(StatusCode::BAD_REQUEST, "invalid_parameter", "the period must be within 31 days");
    }
    let page: usize = q.get("page").and_then(|s| s.parse().ok()).unwrap_or(1).max(1);
    let per_page: usize = q.get("per_page").and_then(|s| s.parse().ok()).unwrap_or(50);
    if !(1..=100).contains(&per_page) {
        return error(StatusCode::BAD_REQUEST, "invalid_parameter", "per_page must be between 1 and 100");
    }
    let st = sim.state().await;
    let mut found: Vec<&Order> = st.orders_of(&shop.0).filter(|o| o.ordered_at >= from && o.ordered_at <= to).collect();
    found.sort_by_key(|o| o.ordered_at);
    let total = found.len();
    let orders: Vec<Value> = found.into_iter().skip((page - 1) * per_page).take(per_page).map(order_json).collect();
    Json(json!({
        "orders": orders,
        "pagination": {"page": page, "per_page": per_page, "total_count": total, "total_pages": total.div_ceil(per_page)},
    }))
    .into_response()
}

fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "not_found", "order not found")
}

async fn get_order(State(sim): State<Sim>, shop: RakumaShop, Path(id): Path<String>) -> Response {
    let st = sim.state().await;
    match st.order(&shop.0, &id) {
        Some(o) => Json(json!({"order": order_json(o)})).into_response(),
        None => not_found(),
    }
}

#[derive(Deserialize)]
struct NoticeRequest {
    carrier: Option<String>,
    tracking_number: Option<String>,
}

async fn shipping_notice(
    State(sim): State<Sim>,
    shop: RakumaShop,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let Ok(req) = serde_json::from_slice::<NoticeRequest>(&body) else {
        return error(StatusCode::BAD_REQUEST, "invalid_parameter", "body must be JSON");
    };
    let carrier = req.carrier.unwrap_or_default();
    if !CARRIERS.contains(&carrier.as_str()) {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
            "carrier must be yamato, sagawa, japanpost or other",
        );
    }
    let number = req.tracking_number.unwrap_or_default();
    if carrier != "other" && (number.is_empty() || !number.bytes().all(|c| c.is_ascii_digit() || c == b'-')) {
        return error(StatusCode::BAD_REQUEST, "invalid_parameter", "tracking_number must be digits");
    }
    let now = Utc::now();
    let mut st = sim.state().await;
    let next = st.next_serial() as i64;
    let Some(o) = st.order_mut(&shop.0, &id) else {
        return not_found();
    };
    if o.state == OrderState::Cancelled {
        return error(StatusCode::CONFLICT, "cancelled", "the order is cancelled");
    }
    if !o.shipments.is_empty() {
        return error(StatusCode::CONFLICT, "already_notified", "the shipping notice was already sent");
    }
    o.shipments.push(Shipment {
        id: next,
        carrier: carrier.clone(),
        tracking_number: number.clone(),
        date: Some(time::jst_date(now)),
    });
    o.state = OrderState::Shipped;
    o.shipped_at = Some(now);
    o.updated_at = now;
    let out = order_json(o);
    st.record(&shop.0, Kind::ShippingUpdate, &id, json!({"carrier": carrier, "tracking_number": number}));
    Json(json!({"order": out})).into_response()
}

#[derive(Deserialize)]
struct EvaluationRequest {
    rating: Option<String>,
    comment: Option<String>,
}

async fn evaluation(
    State(sim): State<Sim>,
    shop: RakumaShop,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let Ok(req) = serde_json::from_slice::<EvaluationRequest>(&body) else {
        return error(StatusCode::BAD_REQUEST, "invalid_parameter", "body must be JSON");
    };
    let rating = req.rating.unwrap_or_default();
    if !RATINGS.contains(&rating.as_str()) {
        return error(StatusCode::BAD_REQUEST, "invalid_parameter", "rating must be good, normal or bad");
    }
    let comment = req.comment.unwrap_or_default();
    if comment.chars().count() > 1000 {
        return error(StatusCode::BAD_REQUEST, "invalid_parameter", "comment must be 1000 characters or less");
    }
    let now = Utc::now();
    let mut st = sim.state().await;
    let Some(o) = st.order_mut(&shop.0, &id) else {
        return not_found();
    };
    if o.evaluation.is_some() {
        return error(StatusCode::CONFLICT, "already_evaluated", "the buyer was already evaluated");
    }
    if !matches!(o.state, OrderState::Shipped | OrderState::Completed) {
        return error(StatusCode::CONFLICT, "not_shipped", "the buyer can be evaluated after shipping");
    }
    o.evaluation = Some(Evaluation { rating: rating.clone(), comment: comment.clone(), at: now });
    o.state = OrderState::Completed;
    o.updated_at = now;
    st.record(&shop.0, Kind::Evaluation, &id, json!({"rating": rating, "comment": comment}));
    (
        StatusCode::CREATED,
        Json(json!({"evaluation": {"order_id": id, "rating": rating, "comment": comment, "evaluated_at": iso(now)}})),
    )
        .into_response()
}
