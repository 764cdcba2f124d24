//! Reply templates and their rendering for an inquiry.

use async_graphql::{Context, ID, Object, Result};

use crate::graphql::context::{actor, state};
use crate::graphql::cost;
use crate::graphql::error::parse_id;
use crate::graphql::types::*;
use crate::templates;

#[derive(Default)]
pub struct TemplateQuery;

#[Object]
impl TemplateQuery {
    #[graphql(complexity = "cost::list(cost::TEMPLATES, child_complexity)")]
    async fn templates(&self, ctx: &Context<'_>, category: Option<String>) -> Result<Vec<Template>> {
        Ok(templates::list(&state(ctx).db, actor(ctx)?, category.as_deref()).await?.into_iter().map(Template).collect())
    }

    async fn template_categories(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(templates::categories(&state(ctx).db, actor(ctx)?).await?)
    }

    /// The template with the merge fields of the inquiry's shop filled in: exactly the text
    /// the customer would receive.
    async fn render_template(&self, ctx: &Context<'_>, template_id: ID, inquiry_id: ID) -> Result<String> {
        let t = parse_id(&template_id, "テンプレート")?;
        let i = parse_id(&inquiry_id, "お問い合わせ")?;
        Ok(templates::render_for_inquiry(&state(ctx).db, actor(ctx)?, t, i).await?)
    }
}
