//! API tokens and staff accounts (admin).

use async_graphql::{Context, ID, Object, Result};

use crate::auth;
use crate::graphql::context::{actor, state};
use crate::graphql::error::parse_id;
use crate::graphql::types::*;

#[derive(Default)]
pub struct StaffMutation;

#[Object]
impl StaffMutation {
    /// The secret is in the answer, once.
    async fn create_api_token(&self, ctx: &Context<'_>, name: String, scopes: Vec<String>) -> Result<NewApiToken> {
        let (token, row) = auth::create_api_token(&state(ctx).db, actor(ctx)?, &name, &scopes).await?;
        Ok(NewApiToken { token, api_token: ApiToken(row) })
    }

    async fn revoke_api_token(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        auth::revoke_api_token(state(ctx), actor(ctx)?, parse_id(&id, "APIトークン")?).await?;
        Ok(id)
    }

    /// Adds a staff account (admin). `password` is required here.
    async fn create_staff(&self, ctx: &Context<'_>, input: StaffInput) -> Result<StaffMember> {
        Ok(StaffMember(crate::staff::create(&state(ctx).db, actor(ctx)?, input.into()).await?))
    }

    /// Edits a staff account (admin); a null `password` keeps the current one. The tenant keeps
    /// at least one enabled ADMIN (`CONFLICT` otherwise).
    async fn update_staff(&self, ctx: &Context<'_>, id: ID, input: StaffInput) -> Result<StaffMember> {
        let id = parse_id(&id, "スタッフ")?;
        Ok(StaffMember(crate::staff::update(state(ctx), actor(ctx)?, id, input.into()).await?))
    }

    /// 利用停止 (admin): the account can no longer sign in and its sessions end at once. Not
    /// oneself, nor the last enabled ADMIN (`CONFLICT`).
    async fn disable_staff(&self, ctx: &Context<'_>, id: ID) -> Result<StaffMember> {
        let id = parse_id(&id, "スタッフ")?;
        Ok(StaffMember(crate::staff::disable(state(ctx), actor(ctx)?, id).await?))
    }

    /// 利用再開 (admin).
    async fn enable_staff(&self, ctx: &Context<'_>, id: ID) -> Result<StaffMember> {
        let id = parse_id(&id, "スタッフ")?;
        Ok(StaffMember(crate::staff::enable(&state(ctx).db, actor(ctx)?, id).await?))
    }
}
