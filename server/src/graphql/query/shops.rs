//! Shops.

use async_graphql::{Context, Object, Result};

use crate::graphql::context::{actor, state};
use crate::graphql::cost;
use crate::graphql::types::*;
use crate::shops;

#[derive(Default)]
pub struct ShopQuery;

#[Object]
impl ShopQuery {
    #[graphql(complexity = "cost::list(cost::SHOPS, child_complexity)")]
    async fn shops(&self, ctx: &Context<'_>) -> Result<Vec<Shop>> {
        Ok(shops::list(&state(ctx).db, actor(ctx)?).await?.into_iter().map(Shop).collect())
    }
}
