//! Reply templates.

use async_graphql::{ID, Object};
use chrono::{DateTime, FixedOffset};

use crate::store::entities::template;

use super::*;

pub struct Template(pub template::Model);

#[Object]
impl Template {
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    async fn category(&self) -> &str {
        &self.0.category
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn body(&self) -> &str {
        &self.0.body
    }
    async fn updated_at(&self) -> DateTime<FixedOffset> {
        jst(self.0.updated_at)
    }
}
