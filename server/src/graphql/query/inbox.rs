//! The inbox: the list with its filters and sorts, one inquiry, the counts.

use async_graphql::{Context, ID, InputObject, Object, Result};

use crate::error::AppError;
use crate::graphql::context::{actor, state};
use crate::graphql::cost;
use crate::graphql::error::{opt_id, parse_id};
use crate::graphql::types::*;
use crate::paging::PageRequest;
use chrono::{DateTime, FixedOffset};
use shared::{InquirySort, InquiryStatus, Marketplace};

use super::{search_text, utc};
use crate::inbox;

#[derive(InputObject, Default)]
pub struct InquiryFilter {
    pub status: Option<InquiryStatus>,
    pub shop_id: Option<ID>,
    pub marketplace: Option<Marketplace>,
    /// Customer name, subject, order number, marketplace id and the text of every message (at
    /// most 100 characters). Half- and full-width, upper and lower case and hyphens (090-1234
    /// = 0901234) make no difference. A search of 1–2 characters looks through the 10,000 most
    /// recently active inquiries only.
    pub search: Option<String>,
    /// Inquiry created at or after.
    pub from: Option<DateTime<FixedOffset>>,
    /// Inquiry created at or before.
    pub to: Option<DateTime<FixedOffset>>,
    /// Assigned to this staff member (「自分の担当」: the viewer's id). Another tenant's id is `NOT_FOUND`.
    pub assignee_id: Option<ID>,
    /// true: only inquiries nobody is assigned to.
    pub unassigned: Option<bool>,
    /// true: only those unread for the caller (`Inquiry.unread`); false: only those read.
    pub unread: Option<bool>,
}

#[derive(Default)]
pub struct InboxQuery;

#[Object]
impl InboxQuery {
    /// The inbox: newest activity first, or with `sort: OLDEST_WAITING` the longest-waiting
    /// customer first (by `waitingSince`; inquiries nobody waits on follow). A cursor belongs
    /// to its sort.
    #[graphql(complexity = "cost::page(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn inquiries(
        &self,
        ctx: &Context<'_>,
        filter: Option<InquiryFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        sort: Option<InquirySort>,
    ) -> Result<InquiryConnection> {
        let f = filter.unwrap_or_default();
        let filter = inbox::InquiryFilter {
            assignee_id: opt_id(f.assignee_id.as_ref(), "スタッフ")?,
            unassigned: f.unassigned.unwrap_or(false),
            unread: f.unread,
            sort,
            status: f.status,
            shop_id: opt_id(f.shop_id.as_ref(), "店舗")?,
            marketplace: f.marketplace,
            search: search_text(f.search)?,
            from: utc(f.from),
            to: utc(f.to),
        };
        let rows =
            inbox::list(&state(ctx).db, actor(ctx)?, &filter, &PageRequest { first, after, last, before }).await?;
        Ok(InquiryConnection::new(rows, filter))
    }

    /// `NOT_FOUND` when it does not exist or belongs to another tenant.
    async fn inquiry(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Inquiry>> {
        let id = parse_id(&id, "お問い合わせ")?;
        let row = inbox::get(&state(ctx).db, actor(ctx)?, id).await?.ok_or(AppError::NotFound("お問い合わせ"))?;
        Ok(Some(Inquiry(row)))
    }

    /// 返信が必要, in total and per shop.
    async fn inbox_counts(&self, ctx: &Context<'_>) -> Result<InboxCounts> {
        let a = actor(ctx)?;
        a.require(crate::auth::Permission::Read)?;
        Ok(inbox::counts(&state(ctx).db, a.scope).await?.into())
    }
}
