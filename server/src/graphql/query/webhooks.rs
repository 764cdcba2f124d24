//! Webhooks (admin).

use async_graphql::{Context, Object, Result};

use crate::graphql::context::{actor, state};
use crate::graphql::cost;
use crate::graphql::types::*;

#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// The tenant's webhook endpoints, oldest first (admin).
    #[graphql(complexity = "cost::list(cost::WEBHOOKS, child_complexity)")]
    async fn webhooks(&self, ctx: &Context<'_>) -> Result<Vec<Webhook>> {
        Ok(crate::webhooks::list(&state(ctx).db, actor(ctx)?).await?.into_iter().map(Webhook).collect())
    }
}
