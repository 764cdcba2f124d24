//! Staff accounts and API tokens.

use async_graphql::{Context, Object, Result};

use crate::graphql::context::{actor, state};
use crate::graphql::cost;
use crate::graphql::types::*;

#[derive(Default)]
pub struct StaffQuery;

#[Object]
impl StaffQuery {
    /// The tenant's API tokens (admin).
    #[graphql(complexity = "cost::list(cost::API_TOKENS, child_complexity)")]
    async fn api_tokens(&self, ctx: &Context<'_>) -> Result<Vec<ApiToken>> {
        Ok(crate::auth::list_api_tokens(&state(ctx).db, actor(ctx)?).await?.into_iter().map(ApiToken).collect())
    }

    /// The staff an inquiry can be assigned to (every account not 利用停止), by name; for
    /// every role, unlike `staffMembers`.
    #[graphql(complexity = "cost::list(cost::STAFF, child_complexity)")]
    async fn assignable_staff(&self, ctx: &Context<'_>) -> Result<Vec<StaffMember>> {
        Ok(crate::inbox_teams::assignable(&state(ctx).db, actor(ctx)?).await?.into_iter().map(StaffMember).collect())
    }

    /// The tenant's staff accounts, disabled ones included, oldest first (admin).
    #[graphql(complexity = "cost::list(cost::STAFF, child_complexity)")]
    async fn staff_members(&self, ctx: &Context<'_>) -> Result<Vec<StaffMember>> {
        Ok(crate::staff::list(&state(ctx).db, actor(ctx)?).await?.into_iter().map(StaffMember).collect())
    }
}
