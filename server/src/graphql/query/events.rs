//! The event log (`events`): every inbox and order change and every finished run, oldest first.

use async_graphql::{Context, Object, Result};

use crate::event_log;
use crate::graphql::context::{actor, state};
use crate::graphql::cost;
use crate::graphql::types::*;

#[derive(Default)]
pub struct EventQuery;

#[Object]
impl EventQuery {
    /// The caller's events after the cursor `after` (from the oldest kept), oldest first, with
    /// no gaps: page on with `pageInfo.endCursor`, or pass it as `after` to a subscription.
    /// A cursor older than the log keeps (`--event-retention-days`) is `VALIDATION` on `after`.
    #[graphql(complexity = "cost::page(first, None, child_complexity)")]
    async fn events(&self, ctx: &Context<'_>, after: Option<String>, first: Option<i32>) -> Result<EventConnection> {
        let page = event_log::page(&state(ctx).db, actor(ctx)?, after.as_deref(), first).await?;
        Ok(page.into())
    }
}
