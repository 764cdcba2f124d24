//! Who is calling.

use async_graphql::{Context, ID, Object, Result};

use crate::graphql::context::{actor, state};
use crate::graphql::types::*;

#[derive(Default)]
pub struct ViewerQuery;

#[Object]
impl ViewerQuery {
    /// The signed-in staff member or API token.
    async fn viewer(&self, ctx: &Context<'_>) -> Result<Viewer> {
        let a = actor(ctx)?;
        let facts = crate::viewer::facts(&state(ctx).db, a).await?;
        Ok(Viewer {
            id: ID(a.staff_id.or(a.api_token_id).unwrap_or_default().to_string()),
            name: a.display_name.clone(),
            email: a.email.clone(),
            role: a.role,
            tenant_name: facts.tenant_name,
            api_option: facts.api_option,
        })
    }
}
