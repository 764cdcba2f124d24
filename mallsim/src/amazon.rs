//! Amazon SP-API (JP) — MARKETPLACES.md §7: the LWA token endpoint (`/auth/o2/token`, refresh
//! token grant) and Orders v0 (`/orders/v0/orders` with NextToken paging, one order, its items).
//! Calls carry the access token in `x-amz-access-token`.
//!
//! ASSUMED here: the exact `details` texts, that an expired account key (revoked refresh token)
//! answers `invalid_grant`, and the neutral-state mapping (new/confirmed → Unshipped).

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::Engine;
use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::Sim;
use crate::data;
use crate::state::{AccountKey, Credentials, Marketplace, Order, OrderState};
use crate::time;

pub const JP_MARKETPLACE_ID: &str = "A1VC38T7YXB528";
pub const TOKEN_LIFETIME_SECS: i64 = 3600;
const MAX_PER_PAGE: usize = 100;

pub fn router() -> Router<Sim> {
    Router::new()
        .route("/auth/o2/token", post(token))
        .route("/orders/v0/orders", get(get_orders))
        .route("/orders/v0/orders/{order_id}", get(get_order))
        .route("/orders/v0/orders/{order_id}/orderItems", get(get_order_items))
}

fn errors(status: StatusCode, code: &str, message: &str, details: &str) -> Response {
    (status, Json(json!({"errors": [{"code": code, "message": message, "details": details}]}))).into_response()
}

pub fn overload_error(status: u16) -> Response {
    if status == 429 {
        errors(
            StatusCode::TOO_MANY_REQUESTS,
            "QuotaExceeded",
            "You exceeded your quota for the requested resource.",
            "",
        )
    } else {
        errors(StatusCode::SERVICE_UNAVAILABLE, "ServiceUnavailable", "Service temporarily unavailable.", "")
    }
}

fn lwa_error(status: StatusCode, error: &str, description: &str) -> Response {
    (status, Json(json!({"error": error, "error_description": description}))).into_response()
}

// ---------------------------------------------------------------- LWA

#[derive(Deserialize)]
struct TokenRequest {
    grant_type: Option<String>,
    refresh_token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

async fn token(State(sim): State<Sim>, Form(req): Form<TokenRequest>) -> Response {
    if req.grant_type.as_deref() != Some("refresh_token") {
        return lwa_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server",
        );
    }
    let (id, secret) = (req.client_id.unwrap_or_default(), req.client_secret.unwrap_or_default());
    let refresh = req.refresh_token.unwrap_or_default();
    let mut st = sim.state().await;
    let by_client = st.find_account(Marketplace::Amazon, |c| {
        matches!(c, Credentials::Amazon { client_id, client_secret, .. } if *client_id == id && *client_secret == secret)
    });
    if by_client.is_none() {
        return lwa_error(StatusCode::UNAUTHORIZED, "invalid_client", "Client authentication failed");
    }
    let key = st.find_account(Marketplace::Amazon, |c| {
        matches!(c, Credentials::Amazon { client_id, refresh_token, .. } if *client_id == id && *refresh_token == refresh)
    });
    let Some(key) = key else {
        return lwa_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "The request has an invalid grant parameter : refresh_token",
        );
    };
    if st.account(&key).is_some_and(|a| a.key_expired) {
        return lwa_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "The request has an invalid grant parameter : refresh_token (expired or revoked)",
        );
    }
    let access = data::token(&mut st.rng, "Atza|");
    let Some(acc) = st.account_mut(&key) else {
        return lwa_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "The request has an invalid grant parameter : refresh_token",
        );
    };
    acc.tokens.insert(access.clone(), Utc::now() + Duration::seconds(TOKEN_LIFETIME_SECS));
    Json(json!({
        "access_token": access,
        "refresh_token": refresh,
        "token_type": "bearer",
        "expires_in": TOKEN_LIFETIME_SECS,
    }))
    .into_response()
}

/// The seller whose access token the request carries.
pub struct SellingPartner(pub AccountKey);

impl FromRequestParts<Sim> for SellingPartner {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, sim: &Sim) -> Result<Self, Response> {
        let token =
            parts.headers.get("x-amz-access-token").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        let st = sim.state().await;
        let found = st
            .accounts
            .values()
            .filter(|a| a.key.marketplace == Marketplace::Amazon)
            .find_map(|a| a.tokens.get(&token).map(|exp| (a.key.clone(), *exp)));
        let denied = "Access to requested resource is denied.";
        match found {
            None => Err(errors(StatusCode::FORBIDDEN, "Unauthorized", denied, "")),
            Some((k, exp)) if exp <= Utc::now() || st.key_expired(&k) => {
                Err(errors(StatusCode::FORBIDDEN, "Unauthorized", denied, "The access token you provided has expired."))
            }
            Some((k, _)) => Ok(SellingPartner(k)),
        }
    }
}

// ---------------------------------------------------------------- orders

fn status(o: &Order) -> &'static str {
    match o.state {
        OrderState::New | OrderState::Confirmed => "Unshipped",
        OrderState::Shipped | OrderState::Completed => "Shipped",
        OrderState::Cancelled => "Canceled",
    }
}

fn order_json(o: &Order) -> Value {
    let shipped = matches!(o.state, OrderState::Shipped | OrderState::Completed);
    let units = o.units();
    json!({
        "AmazonOrderId": o.number,
        "PurchaseDate": time::amazon(o.ordered_at),
        "LastUpdateDate": time::amazon(o.updated_at),
        "OrderStatus": status(o),
        "FulfillmentChannel": "MFN",
        "SalesChannel": "Amazon.co.jp",
        "ShipServiceLevel": "Std JP Kanto8",
        "OrderTotal": {"CurrencyCode": "JPY", "Amount": o.total_price().to_string()},
        "NumberOfItemsShipped": if shipped { units } else { 0 },
        "NumberOfItemsUnshipped": if shipped { 0 } else { units },
        "PaymentMethod": "Other",
        "PaymentMethodDetails": ["Standard"],
        "MarketplaceId": JP_MARKETPLACE_ID,
        "ShipmentServiceLevelCategory": "Standard",
        "OrderType": "StandardOrder",
        "EarliestShipDate": time::amazon(o.ordered_at + Duration::days(1)),
        "LatestShipDate": time::amazon(o.ordered_at + Duration::days(3)),
        "IsBusinessOrder": false,
        "IsPrime": false,
        "IsPremiumOrder": false,
        "IsGlobalExpressEnabled": false,
        "IsReplacementOrder": false,
        "IsSoldByAB": false,
        "IsISPU": false,
        "IsAccessPointOrder": false,
        "ShippingAddress": {
            "StateOrRegion": o.recipient.prefecture,
            "PostalCode": format!("{}-{}", &o.recipient.zip_code[..3], &o.recipient.zip_code[3..]),
            "City": o.recipient.city,
            "CountryCode": "JP",
        },
        "BuyerInfo": {"BuyerEmail": format!("{}@marketplace.amazon.co.jp", o.number.replace('-', ""))},
    })
}

/// The query of a first page, carried inside NextToken for the following ones.
#[derive(Serialize, Deserialize, Clone, Default)]
struct Search {
    created_after: Option<String>,
    created_before: Option<String>,
    updated_after: Option<String>,
    updated_before: Option<String>,
    statuses: Vec<String>,
    per_page: usize,
    offset: usize,
}

fn encode(s: &Search) -> String {
    base64::engine::general_purpose::STANDARD.encode(serde_json::to_vec(s).unwrap_or_default())
}

fn decode(t: &str) -> Option<Search> {
    let raw = base64::engine::general_purpose::STANDARD.decode(t).ok()?;
    serde_json::from_slice(&raw).ok()
}

fn invalid(message: &str) -> Response {
    errors(StatusCode::BAD_REQUEST, "InvalidInput", message, "")
}

fn search_from_query(q: &HashMap<String, String>) -> Result<Search, Response> {
    let s = Search {
        created_after: q.get("CreatedAfter").cloned(),
        created_before: q.get("CreatedBefore").cloned(),
        updated_after: q.get("LastUpdatedAfter").cloned(),
        updated_before: q.get("LastUpdatedBefore").cloned(),
        statuses: q.get("OrderStatuses").map(|s| s.split(',').map(str::to_string).collect()).unwrap_or_default(),
        per_page: match q.get("MaxResultsPerPage").map(|s| s.parse::<usize>()) {
            None => MAX_PER_PAGE,
            Some(Ok(n)) if (1..=MAX_PER_PAGE).contains(&n) => n,
            _ => return Err(invalid("MaxResultsPerPage must be between 1 and 100")),
        },
        offset: 0,
    };
    match (&s.created_after, &s.updated_after) {
        (None, None) => return Err(invalid("Either CreatedAfter or LastUpdatedAfter must be specified")),
        (Some(_), Some(_)) => return Err(invalid("CreatedAfter and LastUpdatedAfter cannot both be specified")),
        _ => {}
    }
    if s.created_after.is_some() && (s.updated_before.is_some()) {
        return Err(invalid("LastUpdatedBefore requires LastUpdatedAfter"));
    }
    for v in [&s.created_after, &s.created_before, &s.updated_after, &s.updated_before].into_iter().flatten() {
        if time::parse_iso(v).is_none() {
            return Err(invalid(&format!("Invalid ISO 8601 date: {v}")));
        }
    }
    Ok(s)
}

async fn get_orders(State(sim): State<Sim>, sp: SellingPartner, Query(q): Query<HashMap<String, String>>) -> Response {
    let Some(ids) = q.get("MarketplaceIds") else {
        return invalid("Missing required 'MarketplaceIds' parameter");
    };
    if !ids.split(',').any(|m| m == JP_MARKETPLACE_ID) {
        return invalid("Invalid MarketplaceIds: only the JP marketplace is served");
    }
    let search = match q.get("NextToken") {
        Some(t) => match decode(t) {
            Some(s) => s,
            None => return invalid("Invalid NextToken"),
        },
        None => match search_from_query(&q) {
            Ok(s) => s,
            Err(r) => return r,
        },
    };
    let t = |v: &Option<String>| v.as_deref().and_then(time::parse_iso);
    let st = sim.state().await;
    let mut found: Vec<&Order> = st
        .orders_of(&sp.0)
        .filter(|o| t(&search.created_after).is_none_or(|a| o.ordered_at >= a))
        .filter(|o| t(&search.created_before).is_none_or(|b| o.ordered_at < b))
        .filter(|o| t(&search.updated_after).is_none_or(|a| o.updated_at >= a))
        .filter(|o| t(&search.updated_before).is_none_or(|b| o.updated_at < b))
        .filter(|o| search.statuses.is_empty() || search.statuses.iter().any(|s| s == status(o)))
        .collect();
    if search.updated_after.is_some() {
        found.sort_by_key(|o| o.updated_at);
    } else {
        found.sort_by_key(|o| o.ordered_at);
    }
    let orders: Vec<Value> = found.iter().skip(search.offset).take(search.per_page).map(|o| order_json(o)).collect();
    let mut payload = json!({"Orders": orders});
    if search.offset + search.per_page < found.len() {
        let next = Search { offset: search.offset + search.per_page, ..search.clone() };
        payload["NextToken"] = json!(encode(&next));
    }
    let now = time::amazon(Utc::now());
    if search.updated_after.is_some() {
        payload["LastUpdatedBefore"] = json!(search.updated_before.clone().unwrap_or(now));
    } else {
        payload["CreatedBefore"] = json!(search.created_before.clone().unwrap_or(now));
    }
    Json(json!({"payload": payload})).into_response()
}

async fn get_order(State(sim): State<Sim>, sp: SellingPartner, Path(id): Path<String>) -> Response {
    let st = sim.state().await;
    match st.order(&sp.0, &id) {
        Some(o) => Json(json!({"payload": order_json(o)})).into_response(),
        None => errors(StatusCode::NOT_FOUND, "NotFound", "Order not found", &id),
    }
}

async fn get_order_items(State(sim): State<Sim>, sp: SellingPartner, Path(id): Path<String>) -> Response {
    let st = sim.state().await;
    let Some(o) = st.order(&sp.0, &id) else {
        return errors(StatusCode::NOT_FOUND, "NotFound", "Order not found", &id);
    };
    let shipped = matches!(o.state, OrderState::Shipped | OrderState::Completed);
    let items: Vec<Value> = o
        .lines
        .iter()
        .map(|l| {
            json!({
                "ASIN": format!("B0{:08}", l.item_id % 100_000_000),
                "SellerSKU": l.sku,
                "OrderItemId": l.detail_id.to_string(),
                "Title": l.name,
                "QuantityOrdered": l.units,
                "QuantityShipped": if shipped { l.units } else { 0 },
                "ItemPrice": {"CurrencyCode": "JPY", "Amount": (l.price * l.units).to_string()},
                "ItemTax": {"CurrencyCode": "JPY", "Amount": "0"},
                "ShippingPrice": {"CurrencyCode": "JPY", "Amount": "0"},
            })
        })
        .collect();
    Json(json!({"payload": {"AmazonOrderId": o.number, "OrderItems": items}})).into_response()
}
