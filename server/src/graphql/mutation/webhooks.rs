//! Webhooks (admin): register and delete endpoints.

use async_graphql::{Context, ID, InputObject, Object, Result};
use shared::WebhookEvent;

use crate::graphql::context::{actor, state};
use crate::graphql::error::parse_id;
use crate::graphql::types::*;

#[derive(InputObject)]
pub struct WebhookInput {
    /// https and a public address (unless the server allows private URLs).
    pub url: String,
    pub events: Vec<WebhookEvent>,
}

#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Registers an endpoint (admin); the signing secret is in the answer, once.
    async fn create_webhook(&self, ctx: &Context<'_>, input: WebhookInput) -> Result<NewWebhook> {
        let new = crate::webhooks::create(state(ctx), actor(ctx)?, &input.url, &input.events).await?;
        Ok(NewWebhook { webhook: Webhook(new.webhook), secret: new.secret })
    }

    /// Deletes an endpoint and its delivery log (admin); nothing more is sent to it.
    async fn delete_webhook(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        crate::webhooks::delete(&state(ctx).db, actor(ctx)?, parse_id(&id, "Webhook")?).await?;
        Ok(id)
    }
}
