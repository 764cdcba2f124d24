//! Import and export runs.

use async_graphql::{Context, ID, Object, Result};

use crate::error::AppError;
use crate::graphql::context::{actor, state};
use crate::graphql::cost;
use crate::graphql::error::{opt_id, parse_id};
use crate::graphql::types::*;
use crate::paging::PageRequest;
use crate::sync;

#[derive(Default)]
pub struct SyncQuery;

#[Object]
impl SyncQuery {
    /// Import and export runs, newest first; `filter` narrows them (実行履歴's 手動 / 自動,
    /// kind and 失敗あり).
    #[graphql(complexity = "cost::page(first, None, child_complexity)")]
    async fn sync_runs(
        &self,
        ctx: &Context<'_>,
        shop_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<SyncRunFilter>,
    ) -> Result<SyncRunConnection> {
        let f = filter.unwrap_or_default();
        let filter = sync::RunFilter {
            shop_id: opt_id(shop_id.as_ref(), "店舗")?,
            trigger: f.trigger,
            kind: f.kind,
            with_failures: f.with_failures.unwrap_or(false),
        };
        let page =
            sync::list(&state(ctx).db, actor(ctx)?, &filter, &PageRequest { first, after, last: None, before: None })
                .await?;
        Ok(page.into())
    }

    /// One run (with what it did: `items`).
    async fn sync_run(&self, ctx: &Context<'_>, id: ID) -> Result<Option<SyncRun>> {
        let id = parse_id(&id, "実行履歴")?;
        let row = sync::get(&state(ctx).db, actor(ctx)?, id).await?.ok_or(AppError::NotFound("実行履歴"))?;
        Ok(Some(SyncRun::from(row)))
    }
}

/// 実行履歴's filters.
#[derive(async_graphql::InputObject, Default)]
pub struct SyncRunFilter {
    /// "auto" | "manual" (`VALIDATION` on `trigger` otherwise).
    pub trigger: Option<String>,
    pub kind: Option<shared::SyncKind>,
    /// true: only runs that failed or had an order or inquiry fail.
    pub with_failures: Option<bool>,
}
