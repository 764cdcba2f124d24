//! What an endpoint receives: the event as JSON and its signature.
//!
//! `X-Madoguchi-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` — the
//! scheme Stripe uses, so receivers can check it with the code they have: recompute the HMAC
//! over the timestamp, a dot and the raw body, compare in constant time, and refuse a `t` too
//! far from their clock (replays).

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::{AppError, AppResult};
use crate::store::entities::event_log;

pub const SIGNATURE_HEADER: &str = "X-Madoguchi-Signature";

/// The header value for `body` sent at `t` (unix seconds).
pub fn signature(secret: &str, t: i64, body: &[u8]) -> AppResult<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(AppError::internal)?;
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes())))
}

/// `{"id", "sequence", "type", "tenantId", "occurredAt", "data"}`: ids as strings (as in the
/// GraphQL API), the time in RFC 3339 JST with milliseconds, `data` the event's JSON snapshot.
pub fn body(ev: &event_log::Model) -> AppResult<Vec<u8>> {
    let data: serde_json::Value = serde_json::from_str(&ev.data).map_err(AppError::internal)?;
    let occurred_at =
        ev.occurred_at.with_timezone(&shared::jst()).to_rfc3339_opts(chrono::SecondsFormat::Millis, false);
    serde_json::to_vec(&serde_json::json!({
        "id": ev.id.to_string(),
        "sequence": ev.sequence,
        "type": ev.event_type.as_str(),
        "tenantId": ev.tenant_id.to_string(),
        "occurredAt": occurred_at,
        "data": data,
    }))
    .map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_hmac_of_the_time_a_dot_and_the_body() {
        // HMAC-SHA256("whsec_test", "1700000000.{}"), computed independently: `printf %s "1700000000.{}" | openssl dgst -sha256 -hmac whsec_test`.
        let sig = signature("whsec_test", 1_700_000_000, b"{}").unwrap();
        assert_eq!(sig, "t=1700000000,v1=35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91");
    }
}
