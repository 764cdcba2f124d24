//! Import and export runs.

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, FixedOffset};
use shared::{SyncKind, SyncState};

use crate::store::entities::sync_run;

use super::*;

pub struct SyncRun(pub sync_run::Model);

#[Object]
impl SyncRun {
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    async fn shop(&self, ctx: &Context<'_>) -> Result<Shop> {
        load_shop(ctx, self.0.shop_id).await
    }
    async fn kind(&self) -> SyncKind {
        self.0.kind.into()
    }
    async fn state(&self) -> SyncState {
        self.0.state.into()
    }
    /// "auto" | "manual"
    async fn trigger(&self) -> &str {
        self.0.trigger.as_str()
    }
    async fn started_at(&self) -> Option<DateTime<FixedOffset>> {
        self.0.started_at.map(jst)
    }
    async fn finished_at(&self) -> Option<DateTime<FixedOffset>> {
        self.0.finished_at.map(jst)
    }
    async fn created(&self) -> i32 {
        self.0.created
    }
    async fn updated(&self) -> i32 {
        self.0.updated
    }
    async fn unchanged(&self) -> i32 {
        self.0.unchanged
    }
    async fn failed(&self) -> i32 {
        self.0.failed
    }
    async fn errors(&self) -> Vec<String> {
        serde_json::from_str(&self.0.errors).unwrap_or_default()
    }
}

impl From<sync_run::Model> for SyncRun {
    fn from(m: sync_run::Model) -> Self {
        SyncRun(m)
    }
}

connection!(SyncRunConnection, SyncRunEdge, SyncRun);
