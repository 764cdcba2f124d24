//! Webhooks: endpoints a tenant admin registers for some event types of the tenant's event log
//! (`event_log.rs`); each gets every such event, in sequence order, as a signed JSON POST.
//!
//! - `registration.rs`: create (URL rules of `shops::check_outbound_url`, the secret made here,
//!   sealed at rest and shown once), list, delete, the delivery log — admin only.
//! - `signing.rs`: the body and the `X-Madoguchi-Signature` header (the Stripe scheme).
//! - `worker.rs`: delivery — at least once, one event at a time per endpoint, retried with a
//!   stored backoff for 24 h after the event occurred, then given up (logged) and passed.

mod registration;
mod signing;
mod worker;

pub use registration::{DELIVERIES_SHOWN, MAX_WEBHOOKS, NewWebhook, create, delete, deliveries, events_of, list};
pub use signing::{SIGNATURE_HEADER, body, signature};
pub use worker::{Settings, release_all_claims, run_once, spawn};
