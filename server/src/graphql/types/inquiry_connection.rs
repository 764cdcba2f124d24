//! The inbox's connection: the page as every connection has it, and `totalCount` counted only
//! when the query selects it (`inbox::total_count`: the counters, or a bounded count), once
//! per connection however many of its count fields are selected.

use async_graphql::{Context, Object, Result, SimpleObject};
use tokio::sync::OnceCell;

use crate::graphql::context::{actor, state};
use crate::inbox;
use crate::paging::Rows;
use crate::store::entities::inquiry;

use super::{Inquiry, PageInfo};

#[derive(SimpleObject)]
pub struct InquiryEdge {
    pub cursor: String,
    pub node: Inquiry,
}

pub struct InquiryConnection {
    edges: Vec<InquiryEdge>,
    nodes: Vec<Inquiry>,
    page_info: PageInfo,
    filter: inbox::InquiryFilter,
    total: OnceCell<inbox::Total>,
}

impl InquiryConnection {
    /// A page of `filter`'s inquiries; its total is counted if asked for.
    pub fn new(rows: Rows<inquiry::Model, String>, filter: inbox::InquiryFilter) -> Self {
        InquiryConnection {
            page_info: PageInfo {
                has_next_page: rows.has_next_page,
                has_previous_page: rows.has_previous_page,
                start_cursor: rows.items.first().map(|(c, _)| c.clone()),
                end_cursor: rows.items.last().map(|(c, _)| c.clone()),
            },
            edges: rows
                .items
                .iter()
                .map(|(c, m)| InquiryEdge { cursor: c.clone(), node: Inquiry(m.clone()) })
                .collect(),
            nodes: rows.items.into_iter().map(|(_, m)| Inquiry(m)).collect(),
            filter,
            total: OnceCell::new(),
        }
    }

    async fn total(&self, ctx: &Context<'_>) -> Result<inbox::Total> {
        let total = self
            .total
            .get_or_try_init(|| async { inbox::total_count(&state(ctx).db, actor(ctx)?, &self.filter).await })
            .await?;
        Ok(*total)
    }
}

#[Object]
impl InquiryConnection {
    async fn edges(&self) -> &Vec<InquiryEdge> {
        &self.edges
    }
    async fn nodes(&self) -> &Vec<Inquiry> {
        &self.nodes
    }
    async fn page_info(&self) -> &PageInfo {
        &self.page_info
    }
    /// How many inquiries pass the filter. Exact and immediate when the filter is at most a
    /// status, a shop and a marketplace (kept counts); otherwise counted up to 10,000 — when
    /// there are more it is 10,000 and `totalCountCapped` is true. Counted only when selected.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i32> {
        Ok(self.total(ctx).await?.count.min(i32::MAX as u64) as i32)
    }
    /// `totalCount` stopped at 10,000: there are more.
    async fn total_count_capped(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(self.total(ctx).await?.capped)
    }
}
