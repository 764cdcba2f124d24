//! Import and export runs.

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, FixedOffset};
use shared::{SyncItemOutcome, SyncKind, SyncState};

use crate::graphql::context::{actor, state};
use crate::graphql::cost;
use crate::paging::PageRequest;
use crate::store::entities::{sync_run, sync_run_item};

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
    /// How far the run has come: windows (imports) or pages (exports) done, of the total once
    /// known. Null while the run waits to start.
    async fn progress(&self) -> Option<SyncProgress> {
        (self.0.state != sync_run::State::Queued)
            .then_some(SyncProgress { done: self.0.progress_done, total: self.0.progress_total })
    }
    /// What the run did, one line per order or inquiry, in the order it happened.
    #[graphql(complexity = "cost::page(first, None, child_complexity)")]
    async fn items(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<SyncRunItemConnection> {
        let page = PageRequest { first, after, last: None, before: None };
        Ok(crate::sync::list_items(&state(ctx).db, actor(ctx)?, &self.0, &page).await?.into())
    }
}

/// Steps of a run done, of the total when known.
#[derive(SimpleObject)]
pub struct SyncProgress {
    pub done: i32,
    pub total: Option<i32>,
}

/// One line of what a run did.
pub struct SyncRunItem(pub sync_run_item::Model);

#[Object]
impl SyncRunItem {
    async fn outcome(&self) -> SyncItemOutcome {
        self.0.outcome.into()
    }
    /// The order in Madoguchi, when it is stored (a failed import has only its number).
    async fn order_id(&self) -> Option<ID> {
        self.0.order_id.map(id)
    }
    async fn order_number(&self) -> Option<&str> {
        self.0.order_number.as_deref()
    }
    async fn inquiry_id(&self) -> Option<ID> {
        self.0.inquiry_id.map(id)
    }
    /// Why it failed or was left out (Japanese).
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
}

impl From<sync_run_item::Model> for SyncRunItem {
    fn from(m: sync_run_item::Model) -> Self {
        SyncRunItem(m)
    }
}

connection!(SyncRunItemConnection, SyncRunItemEdge, SyncRunItem);

impl From<sync_run::Model> for SyncRun {
    fn from(m: sync_run::Model) -> Self {
        SyncRun(m)
    }
}

connection!(SyncRunConnection, SyncRunEdge, SyncRun);
