//! Reply templates.

use async_graphql::{Context, ID, InputObject, Object, Result};

use crate::graphql::context::{actor, state};
use crate::graphql::error::parse_id;
use crate::graphql::types::*;
use crate::templates;

#[derive(InputObject)]
pub struct TemplateInput {
    pub category: String,
    pub name: String,
    pub body: String,
}

#[derive(Default)]
pub struct TemplateMutation;

#[Object]
impl TemplateMutation {
    async fn create_template(&self, ctx: &Context<'_>, input: TemplateInput) -> Result<Template> {
        Ok(Template(templates::create(&state(ctx).db, actor(ctx)?, &input.category, &input.name, &input.body).await?))
    }

    async fn update_template(&self, ctx: &Context<'_>, id: ID, input: TemplateInput) -> Result<Template> {
        let id = parse_id(&id, "テンプレート")?;
        Ok(Template(
            templates::update(&state(ctx).db, actor(ctx)?, id, &input.category, &input.name, &input.body).await?,
        ))
    }

    async fn delete_template(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let n = parse_id(&id, "テンプレート")?;
        templates::delete(&state(ctx).db, actor(ctx)?, n).await?;
        Ok(id)
    }
}
