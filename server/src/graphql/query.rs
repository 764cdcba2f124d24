use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, FixedOffset, Utc};
use shared::{InquirySort, InquiryStatus, Marketplace, OrderStatus};

use crate::error::AppError;
use crate::graphql::context::{actor, state};
use crate::graphql::cost;
use crate::graphql::error::{opt_id, parse_id};
use crate::graphql::types::*;
use crate::paging::PageRequest;
use crate::{inbox, orders, shops, sync, templates};

#[derive(InputObject, Default)]
pub struct InquiryFilter {
    pub status: Option<InquiryStatus>,
    pub shop_id: Option<ID>,
    pub marketplace: Option<Marketplace>,
    /// Customer name, subject, order number and the text of every message (at most 100 characters).
    pub search: Option<String>,
    /// Inquiry created at or after.
    pub from: Option<DateTime<FixedOffset>>,
    /// Inquiry created at or before.
    pub to: Option<DateTime<FixedOffset>>,
    /// Assigned to this staff member (「自分の担当」: the viewer's id). Another tenant's id is `NOT_FOUND`.
    pub assignee_id: Option<ID>,
    /// true: only inquiries nobody is assigned to.
    pub unassigned: Option<bool>,
}

#[derive(InputObject, Default)]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    pub shop_id: Option<ID>,
    /// Order number, buyer or recipient name and phone, tracking number, item names (at most 100 characters).
    pub search: Option<String>,
    /// Ordered at or after.
    pub from: Option<DateTime<FixedOffset>>,
    /// Ordered at or before.
    pub to: Option<DateTime<FixedOffset>>,
}

/// The longest search text (characters): a search scans every message of the tenant, so a
/// longer text only costs more.
pub const SEARCH_MAX: usize = 100;

/// The search text, refused with `VALIDATION` on `search` when longer than [`SEARCH_MAX`].
pub fn search_text(search: Option<String>) -> Result<Option<String>, AppError> {
    match search {
        Some(s) if s.chars().count() > SEARCH_MAX => Err(AppError::validation(
            "search",
            format!("検索語は{SEARCH_MAX}文字以内で入力してください (search must be at most {SEARCH_MAX} characters)"),
        )),
        s => Ok(s),
    }
}

pub fn utc(t: Option<DateTime<FixedOffset>>) -> Option<DateTime<Utc>> {
    t.map(|t| t.with_timezone(&Utc))
}

pub struct QueryRoot;

#[Object]
impl QueryRoot {
    /// The signed-in staff member or API token.
    async fn viewer(&self, ctx: &Context<'_>) -> Result<Viewer> {
        let a = actor(ctx)?;
        let t = a.tenant(&state(ctx).db).await?;
        Ok(Viewer {
            id: ID(a.staff_id.or(a.api_token_id).unwrap_or_default().to_string()),
            name: a.display_name.clone(),
            email: a.email.clone(),
            role: a.role,
            tenant_name: t.name,
            api_option: t.api_option,
        })
    }

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
        let a = actor(ctx)?;
        let assignee_id = opt_id(f.assignee_id.as_ref(), "スタッフ")?;
        if let Some(id) = assignee_id {
            crate::inbox_teams::staff_member(&state(ctx).db, a.scope, id)
                .await?
                .ok_or(AppError::NotFound("スタッフ"))?;
        }
        let filter = inbox::InquiryFilter {
            assignee_id,
            unassigned: f.unassigned.unwrap_or(false),
            sort,
            status: f.status,
            shop_id: opt_id(f.shop_id.as_ref(), "店舗")?,
            marketplace: f.marketplace,
            search: search_text(f.search)?,
            from: utc(f.from),
            to: utc(f.to),
        };
        let page =
            inbox::list(&state(ctx).db, actor(ctx)?, &filter, &PageRequest { first, after, last, before }).await?;
        Ok(page.into())
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

    /// Orders, newest first.
    #[graphql(complexity = "cost::page(first, last, child_complexity)")]
    async fn orders(
        &self,
        ctx: &Context<'_>,
        filter: Option<OrderFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<OrderConnection> {
        let f = filter.unwrap_or_default();
        let filter = orders::OrderFilter {
            status: f.status,
            shop_id: opt_id(f.shop_id.as_ref(), "店舗")?,
            search: search_text(f.search)?,
            from: utc(f.from),
            to: utc(f.to),
        };
        let page =
            orders::list(&state(ctx).db, actor(ctx)?, &filter, &PageRequest { first, after, last, before }).await?;
        Ok(page.into())
    }

    /// `NOT_FOUND` when it does not exist or belongs to another tenant.
    async fn order(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Order>> {
        let id = parse_id(&id, "受注")?;
        let row = orders::get(&state(ctx).db, actor(ctx)?, id).await?.ok_or(AppError::NotFound("受注"))?;
        Ok(Some(Order(row)))
    }

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

    #[graphql(complexity = "cost::list(cost::SHOPS, child_complexity)")]
    async fn shops(&self, ctx: &Context<'_>) -> Result<Vec<Shop>> {
        Ok(shops::list(&state(ctx).db, actor(ctx)?).await?.into_iter().map(Shop).collect())
    }

    /// Import and export runs, newest first.
    #[graphql(complexity = "cost::page(first, None, child_complexity)")]
    async fn sync_runs(
        &self,
        ctx: &Context<'_>,
        shop_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<SyncRunConnection> {
        let shop_id = opt_id(shop_id.as_ref(), "店舗")?;
        let page =
            sync::list(&state(ctx).db, actor(ctx)?, shop_id, &PageRequest { first, after, last: None, before: None })
                .await?;
        Ok(page.into())
    }

    /// The tenant's API tokens (admin).
    #[graphql(complexity = "cost::list(cost::API_TOKENS, child_complexity)")]
    async fn api_tokens(&self, ctx: &Context<'_>) -> Result<Vec<ApiToken>> {
        Ok(crate::auth::list_api_tokens(&state(ctx).db, actor(ctx)?).await?.into_iter().map(ApiToken).collect())
    }

    /// The staff an inquiry can be assigned to (every account not 利用停止), by name; for
    /// every role, unlike `staffMembers`.
    #[graphql(complexity = "cost::list(cost::STAFF, child_complexity)")]
    async fn assignable_staff(&self, ctx: &Context<'_>) -> Result<Vec<StaffMember>> {
        Ok(crate::inbox_teams::assignable(&state(ctx).db, actor(ctx)?).await?.into_iter().map(StaffMember).collect())
    }

    /// The tenant's staff accounts, disabled ones included, oldest first (admin).
    #[graphql(complexity = "cost::list(cost::STAFF, child_complexity)")]
    async fn staff_members(&self, ctx: &Context<'_>) -> Result<Vec<StaffMember>> {
        Ok(crate::staff::list(&state(ctx).db, actor(ctx)?).await?.into_iter().map(StaffMember).collect())
    }
}
