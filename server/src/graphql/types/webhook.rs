//! Webhooks (admin): endpoints, their delivery log, the secret shown once.

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, FixedOffset};
use shared::{WebhookDeliveryResult, WebhookEvent};

use crate::error::AppError;
use crate::graphql::context::{actor, state};
use crate::graphql::cost;
use crate::store::entities::{webhook, webhook_delivery};

use super::*;

/// An endpoint that is sent the events of its types (its secret is never shown again).
pub struct Webhook(pub webhook::Model);

#[Object]
impl Webhook {
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    async fn url(&self) -> &str {
        &self.0.url
    }
    async fn events(&self) -> Result<Vec<WebhookEvent>> {
        Ok(crate::webhooks::events_of(&self.0)?)
    }
    async fn created_at(&self) -> DateTime<FixedOffset> {
        jst(self.0.created_at)
    }
    /// Who registered it (a staff member's or an API token's name).
    async fn created_by(&self) -> &str {
        &self.0.created_by
    }
    /// Failed attempts on the event now waiting to be delivered (0 when none is failing).
    async fn failed_attempts(&self) -> i32 {
        self.0.attempts
    }
    /// When the failing event is tried again, if one is.
    async fn next_attempt_at(&self) -> Option<DateTime<FixedOffset>> {
        self.0.next_attempt_at.map(jst)
    }
    /// The delivery log, newest first: one row per attempt (at most 100).
    #[graphql(complexity = "cost::list(first.unwrap_or(20).clamp(0, 100) as usize, child_complexity)")]
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: Option<i32>,
    ) -> Result<Vec<WebhookDelivery>> {
        let first = first.unwrap_or(20);
        if !(0..=crate::webhooks::DELIVERIES_SHOWN as i32).contains(&first) {
            return Err(AppError::validation(
                "first",
                format!(
                    "first は0から{}までで指定してください (first must be 0..={})",
                    crate::webhooks::DELIVERIES_SHOWN,
                    crate::webhooks::DELIVERIES_SHOWN
                ),
            )
            .into());
        }
        let rows = crate::webhooks::deliveries(&state(ctx).db, actor(ctx)?, self.0.id, first as u64).await?;
        Ok(rows.into_iter().map(WebhookDelivery).collect())
    }
}

/// One attempt to deliver an event to an endpoint.
pub struct WebhookDelivery(pub webhook_delivery::Model);

#[Object]
impl WebhookDelivery {
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    /// The event's sequence in the tenant's event log.
    async fn sequence(&self) -> i64 {
        self.0.sequence
    }
    async fn event_type(&self) -> Result<WebhookEvent> {
        Ok(WebhookEvent::parse(&self.0.event_type)
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("webhook delivery {}: unknown event type", self.0.id)))?)
    }
    /// 1 for the first attempt on this event.
    async fn attempt(&self) -> i32 {
        self.0.attempt
    }
    async fn result(&self) -> WebhookDeliveryResult {
        self.0.result.into()
    }
    /// The endpoint's HTTP status, when it answered.
    async fn status_code(&self) -> Option<i32> {
        self.0.status_code
    }
    /// Why it was not delivered (the status and the start of the answer, or no answer).
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
    async fn duration_ms(&self) -> i32 {
        self.0.duration_ms
    }
    async fn at(&self) -> DateTime<FixedOffset> {
        jst(self.0.at)
    }
}

/// A new endpoint and its signing secret, shown this once.
#[derive(SimpleObject)]
pub struct NewWebhook {
    pub webhook: Webhook,
    pub secret: String,
}
