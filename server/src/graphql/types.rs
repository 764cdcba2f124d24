//! The GraphQL object types of API.md, thin wrappers around stored rows.

use async_graphql::{ComplexObject, Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, FixedOffset, Utc};
use shared::{
    DeliveryState, InquiryStatus, Marketplace, MessageAuthor, OrderStatus, PresenceState, Role, SyncKind, SyncState,
};

use crate::graphql::context::{actor, load_err, loaders, state};
use crate::graphql::cost;
use crate::store::entities::{api_token, attachment, inquiry, message, order, order_item, shop, sync_run, template};
use crate::{inbox, orders};

/// Shop staff work in Japan: timestamps go out in JST (+09:00), RFC 3339.
pub fn jst(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&FixedOffset::east_opt(9 * 3600).expect("valid offset"))
}

fn id(n: i64) -> ID {
    ID(n.to_string())
}

pub struct Shop(pub shop::Model);

#[derive(SimpleObject)]
pub struct ShopProfile {
    pub mall_shop_name: String,
    pub staff_name: String,
    pub phone: String,
    pub email: String,
}

#[derive(SimpleObject)]
pub struct ShopSettings {
    pub api_base_url: Option<String>,
    pub import_days: i32,
    pub auto_import: bool,
    pub auto_export: bool,
    pub review_message: Option<String>,
    pub registered_email: Option<String>,
    /// Whether marketplace credentials are stored (they are never returned).
    pub credentials_set: bool,
    /// The CSV column mapping (the saved one, or the default: every field under its Japanese label).
    #[graphql(complexity = "cost::list(cost::CSV_COLUMNS, child_complexity)")]
    pub csv_mapping: Vec<crate::graphql::csv::CsvColumn>,
}

#[Object]
impl Shop {
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    async fn marketplace(&self) -> Marketplace {
        Marketplace::parse(&self.0.marketplace).unwrap_or(Marketplace::CustomCsv)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn profile(&self) -> ShopProfile {
        let s = &self.0;
        ShopProfile {
            mall_shop_name: s.mall_shop_name.clone(),
            staff_name: s.staff_name.clone(),
            phone: s.phone.clone(),
            email: s.email.clone(),
        }
    }
    async fn settings(&self) -> ShopSettings {
        let s = &self.0;
        ShopSettings {
            api_base_url: s.api_base_url.clone(),
            import_days: s.import_days,
            auto_import: s.auto_import,
            auto_export: s.auto_export,
            review_message: s.review_message.clone(),
            registered_email: s.registered_email.clone(),
            credentials_set: s.credentials_sealed.is_some(),
            csv_mapping: crate::csv_shop::mapping_of(s).columns.into_iter().map(Into::into).collect(),
        }
    }
    /// 返信が必要 of this shop.
    async fn needs_reply_count(&self, ctx: &Context<'_>) -> Result<i32> {
        let a = actor(ctx)?;
        Ok(inbox::needs_reply_count(&state(ctx).db, a.scope, self.0.id).await? as i32)
    }
}

async fn load_shop(ctx: &Context<'_>, shop_id: i64) -> Result<Shop> {
    let s = loaders(ctx)?.shops.load_one(shop_id).await.map_err(load_err)?;
    Ok(Shop(s.ok_or(crate::error::AppError::NotFound("店舗"))?))
}

pub struct Inquiry(pub inquiry::Model);

#[Object]
impl Inquiry {
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    async fn shop(&self, ctx: &Context<'_>) -> Result<Shop> {
        load_shop(ctx, self.0.shop_id).await
    }
    async fn marketplace(&self) -> Marketplace {
        inbox::marketplace_of(&self.0)
    }
    async fn marketplace_inquiry_id(&self) -> &str {
        &self.0.marketplace_inquiry_id
    }
    async fn order_number(&self) -> Option<&str> {
        self.0.order_number.as_deref()
    }
    async fn order(&self, ctx: &Context<'_>) -> Result<Option<Order>> {
        let Some(number) = self.0.order_number.clone() else {
            return Ok(None);
        };
        Ok(loaders(ctx)?.order_by_number.load_one((self.0.shop_id, number)).await.map_err(load_err)?.map(Order))
    }
    /// The masked id on Yahoo!, never a real name there.
    async fn customer_name(&self) -> Option<String> {
        let m = inbox::marketplace_of(&self.0);
        let name = self.0.customer_name.as_deref();
        if m.capabilities().hides_customer_name {
            shared::inquiry::customer_display_name(m, name, None)
        } else {
            name.map(str::to_owned)
        }
    }
    async fn subject(&self) -> Option<&str> {
        self.0.subject.as_deref()
    }
    async fn status(&self) -> InquiryStatus {
        inbox::status_of(&self.0)
    }
    /// The shop's latest reply failed to send (送信失敗): the customer has not been answered,
    /// so the inquiry is 返信が必要 until it is resent or answered again.
    async fn reply_failed(&self) -> bool {
        self.0.reply_failed && !self.0.completed
    }
    async fn created_at(&self) -> DateTime<FixedOffset> {
        jst(self.0.created_at)
    }
    async fn last_message_at(&self) -> DateTime<FixedOffset> {
        jst(self.0.last_message_at)
    }
    async fn completed_at(&self) -> Option<DateTime<FixedOffset>> {
        self.0.completed_at.map(jst)
    }
    /// Who completed it (staff name).
    async fn completed_by(&self) -> Option<&str> {
        self.0.completed_by.as_deref()
    }
    /// First line of the latest customer message, cut with "…".
    async fn preview(&self) -> &str {
        &self.0.preview
    }
    /// Oldest first.
    #[graphql(complexity = "cost::list(cost::MESSAGES, child_complexity)")]
    async fn messages(&self, ctx: &Context<'_>) -> Result<Vec<Message>> {
        let rows = loaders(ctx)?.messages.load_one(self.0.id).await.map_err(load_err)?;
        Ok(rows.unwrap_or_default().into_iter().map(Message).collect())
    }
    /// 担当者: the staff member the inquiry is assigned to.
    async fn assignee(&self, ctx: &Context<'_>) -> Result<Option<StaffMember>> {
        let Some(id) = self.0.assignee_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?.staff.load_one(id).await.map_err(load_err)?.map(StaffMember))
    }
    /// Who last assigned or unassigned it (staff name or API token name).
    async fn assigned_by(&self) -> Option<&str> {
        self.0.assigned_by.as_deref()
    }
    async fn assigned_at(&self) -> Option<DateTime<FixedOffset>> {
        self.0.assigned_at.map(jst)
    }
    /// Since when the customer has waited: their first message no reply answered yet (a failed
    /// reply does not count). Null when nothing waits or the inquiry is 対応完了.
    async fn waiting_since(&self) -> Option<DateTime<FixedOffset>> {
        self.0.waiting_since.map(jst)
    }
    /// 社内メモ, oldest first: internal, never sent to the customer or the marketplace.
    #[graphql(complexity = "cost::list(cost::MESSAGES, child_complexity)")]
    async fn notes(&self, ctx: &Context<'_>) -> Result<Vec<InquiryNote>> {
        let mut map = crate::inbox_teams::notes_of(&state(ctx).db, actor(ctx)?.scope, &[self.0.id]).await?;
        Ok(map.remove(&self.0.id).unwrap_or_default().into_iter().map(InquiryNote).collect())
    }
}

/// 社内メモ: an internal note on an inquiry, never sent to the customer.
pub struct InquiryNote(pub crate::store::entities::inquiry_note::Model);

#[Object]
impl InquiryNote {
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    /// Plain text, never HTML.
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// Who wrote it: the staff member's name, or the API token's name, as it was then.
    async fn author(&self) -> &str {
        &self.0.author_name
    }
    /// The staff member who wrote it; null when it came through an API token.
    async fn author_staff(&self, ctx: &Context<'_>) -> Result<Option<StaffMember>> {
        let Some(id) = self.0.author_staff_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?.staff.load_one(id).await.map_err(load_err)?.map(StaffMember))
    }
    async fn created_at(&self) -> DateTime<FixedOffset> {
        jst(self.0.created_at)
    }
}

pub struct Message(pub message::Model);

#[Object]
impl Message {
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    async fn author(&self) -> MessageAuthor {
        inbox::author_of(&self.0)
    }
    async fn staff_name(&self) -> Option<&str> {
        self.0.staff_name.as_deref()
    }
    /// Plain text, never HTML.
    async fn body(&self) -> &str {
        &self.0.body
    }
    async fn sent_at(&self) -> DateTime<FixedOffset> {
        jst(self.0.sent_at)
    }
    async fn delivery(&self) -> DeliveryState {
        inbox::delivery_of(&self.0)
    }
    async fn delivery_error(&self) -> Option<&str> {
        self.0.delivery_error.as_deref()
    }
    #[graphql(complexity = "cost::list(cost::ATTACHMENTS, child_complexity)")]
    async fn attachments(&self, ctx: &Context<'_>) -> Result<Vec<Attachment>> {
        let rows = loaders(ctx)?.attachments.load_one(self.0.id).await.map_err(load_err)?;
        Ok(rows.unwrap_or_default().into_iter().map(Attachment).collect())
    }
}

pub struct Attachment(pub attachment::Model);

#[Object]
impl Attachment {
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    async fn file_name(&self) -> &str {
        &self.0.file_name
    }
    async fn content_type(&self) -> &str {
        &self.0.content_type
    }
    async fn size(&self) -> i32 {
        self.0.size.min(i32::MAX as i64) as i32
    }
    /// Download address (same authentication as the API).
    async fn url(&self) -> String {
        format!("/files/{}", self.0.id)
    }
    /// Whether the bytes are here: a customer's file is downloaded from the marketplace by the
    /// inquiry import after its message arrives (until then `url` answers 404 and `size` is 0).
    async fn downloaded(&self) -> bool {
        !self.0.storage_key.is_empty()
    }
}

#[derive(SimpleObject)]
pub struct Party {
    pub name: Option<String>,
    pub postal_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
}

#[derive(SimpleObject)]
pub struct OrderItem {
    pub name: String,
    pub sku: Option<String>,
    pub unit_price: i32,
    pub quantity: i32,
}

impl From<order_item::Model> for OrderItem {
    fn from(i: order_item::Model) -> Self {
        OrderItem { name: i.name, sku: i.sku, unit_price: i.unit_price as i32, quantity: i.quantity }
    }
}

pub struct Order(pub order::Model);

#[Object]
impl Order {
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    async fn shop(&self, ctx: &Context<'_>) -> Result<Shop> {
        load_shop(ctx, self.0.shop_id).await
    }
    async fn order_number(&self) -> &str {
        &self.0.order_number
    }
    async fn ordered_at(&self) -> DateTime<FixedOffset> {
        jst(self.0.ordered_at)
    }
    async fn status(&self) -> OrderStatus {
        orders::status_of(&self.0)
    }
    async fn marketplace_status(&self) -> Option<&str> {
        self.0.marketplace_status.as_deref()
    }
    async fn buyer(&self) -> Option<Party> {
        let o = &self.0;
        let p = Party {
            name: o.buyer_name.clone(),
            postal_code: o.buyer_postal_code.clone(),
            address: o.buyer_address.clone(),
            phone: o.buyer_phone.clone(),
        };
        (p.name.is_some() || p.address.is_some()).then_some(p)
    }
    async fn recipient(&self) -> Option<Party> {
        let o = &self.0;
        let p = Party {
            name: o.recipient_name.clone(),
            postal_code: o.recipient_postal_code.clone(),
            address: o.recipient_address.clone(),
            phone: o.recipient_phone.clone(),
        };
        (p.name.is_some() || p.address.is_some()).then_some(p)
    }
    /// お届け指定日時 as the marketplace states it.
    async fn requested_delivery(&self) -> Option<&str> {
        self.0.requested_delivery.as_deref()
    }
    #[graphql(complexity = "cost::list(cost::ORDER_ITEMS, child_complexity)")]
    async fn items(&self, ctx: &Context<'_>) -> Result<Vec<OrderItem>> {
        let rows = loaders(ctx)?.items.load_one(self.0.id).await.map_err(load_err)?;
        Ok(rows.unwrap_or_default().into_iter().map(OrderItem::from).collect())
    }
    /// Yen.
    async fn total_amount(&self) -> i32 {
        self.0.total_amount.clamp(i32::MIN as i64, i32::MAX as i64) as i32
    }
    async fn payment_method(&self) -> Option<&str> {
        self.0.payment_method.as_deref()
    }
    /// 特記事項 from the marketplace.
    async fn special_notes(&self) -> Option<&str> {
        self.0.special_notes.as_deref()
    }
    /// YYYY-MM-DD
    async fn ship_date(&self) -> Option<&str> {
        self.0.ship_date.as_deref()
    }
    async fn carrier(&self) -> Option<&str> {
        self.0.carrier.as_deref()
    }
    async fn delivery_method(&self) -> Option<&str> {
        self.0.delivery_method.as_deref()
    }
    async fn tracking_number(&self) -> Option<&str> {
        self.0.tracking_number.as_deref()
    }
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// Last successful export of shipping data to the marketplace.
    async fn last_exported_at(&self) -> Option<DateTime<FixedOffset>> {
        self.0.last_exported_at.map(jst)
    }
    /// The order page's inquiry history, newest first.
    #[graphql(complexity = "cost::list(cost::ORDER_INQUIRIES, child_complexity)")]
    async fn inquiries(&self, ctx: &Context<'_>) -> Result<Vec<Inquiry>> {
        let rows = loaders(ctx)?
            .inquiries_of_order
            .load_one((self.0.shop_id, self.0.order_number.clone()))
            .await
            .map_err(load_err)?;
        Ok(rows.unwrap_or_default().into_iter().map(Inquiry).collect())
    }
}

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
        SyncKind::parse(&self.0.kind).unwrap_or(SyncKind::ImportOrders)
    }
    async fn state(&self) -> SyncState {
        SyncState::parse(&self.0.state).unwrap_or(SyncState::Failed)
    }
    /// "auto" | "manual"
    async fn trigger(&self) -> &str {
        &self.0.trigger
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

#[derive(SimpleObject)]
pub struct InboxCounts {
    pub needs_reply: i32,
    /// Open inquiries whose latest reply failed to send (they are counted in `needsReply` too).
    pub failed_deliveries: i32,
    #[graphql(complexity = "cost::list(cost::SHOPS, child_complexity)")]
    pub by_shop: Vec<ShopCount>,
}

#[derive(SimpleObject)]
pub struct ShopCount {
    pub shop: Shop,
    pub needs_reply: i32,
}

impl From<inbox::InboxCounts> for InboxCounts {
    fn from(c: inbox::InboxCounts) -> Self {
        InboxCounts {
            needs_reply: c.needs_reply as i32,
            failed_deliveries: c.failed_deliveries as i32,
            by_shop: c.by_shop.into_iter().map(|(s, n)| ShopCount { shop: Shop(s), needs_reply: n as i32 }).collect(),
        }
    }
}

/// Who is calling (an extension of API.md, for clients to show the signed-in user).
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Viewer {
    pub id: ID,
    pub name: String,
    pub email: Option<String>,
    pub role: Role,
    pub tenant_name: String,
    /// APIオプション: inquiry management and auto-export.
    pub api_option: bool,
}

#[ComplexObject]
impl Viewer {
    /// Scopes of the API token in use; empty for a staff session.
    async fn token_scopes(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        let a = actor(ctx)?;
        let Some(tid) = a.api_token_id else {
            return Ok(vec![]);
        };
        Ok(a.scope
            .get::<api_token::Entity>(&state(ctx).db, tid)
            .await?
            .map(|t| t.scopes.split(',').map(str::to_owned).collect())
            .unwrap_or_default())
    }
}

#[derive(SimpleObject)]
pub struct Presence {
    pub inquiry_id: ID,
    pub staff_name: String,
    pub state: PresenceState,
    pub at: DateTime<FixedOffset>,
}

pub struct ApiToken(pub api_token::Model);

#[Object]
impl ApiToken {
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn scopes(&self) -> Vec<String> {
        self.0.scopes.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect()
    }
    async fn created_at(&self) -> DateTime<FixedOffset> {
        jst(self.0.created_at)
    }
    async fn last_used_at(&self) -> Option<DateTime<FixedOffset>> {
        self.0.last_used_at.map(jst)
    }
}

/// The secret is shown once.
#[derive(SimpleObject)]
pub struct NewApiToken {
    pub token: String,
    pub api_token: ApiToken,
}

#[derive(SimpleObject)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

macro_rules! connection {
    ($conn:ident, $edge:ident, $node:ident) => {
        #[derive(SimpleObject)]
        pub struct $edge {
            pub cursor: String,
            pub node: $node,
        }

        #[derive(SimpleObject)]
        pub struct $conn {
            pub edges: Vec<$edge>,
            pub nodes: Vec<$node>,
            pub page_info: PageInfo,
            pub total_count: i32,
        }

        impl<M, K: crate::paging::Key> From<crate::paging::Page<M, K>> for $conn
        where
            $node: From<M>,
            M: Clone,
        {
            fn from(p: crate::paging::Page<M, K>) -> Self {
                let cursors: Vec<String> = p.items.iter().map(|(c, _)| c.encode()).collect();
                $conn {
                    page_info: PageInfo {
                        has_next_page: p.has_next_page,
                        has_previous_page: p.has_previous_page,
                        start_cursor: cursors.first().cloned(),
                        end_cursor: cursors.last().cloned(),
                    },
                    total_count: p.total_count.min(i32::MAX as u64) as i32,
                    edges: p
                        .items
                        .iter()
                        .map(|(c, m)| $edge { cursor: c.encode(), node: $node::from(m.clone()) })
                        .collect(),
                    nodes: p.items.into_iter().map(|(_, m)| $node::from(m)).collect(),
                }
            }
        }
    };
}

impl From<inquiry::Model> for Inquiry {
    fn from(m: inquiry::Model) -> Self {
        Inquiry(m)
    }
}
impl From<order::Model> for Order {
    fn from(m: order::Model) -> Self {
        Order(m)
    }
}
impl From<sync_run::Model> for SyncRun {
    fn from(m: sync_run::Model) -> Self {
        SyncRun(m)
    }
}

connection!(InquiryConnection, InquiryEdge, Inquiry);
connection!(OrderConnection, OrderEdge, Order);
connection!(SyncRunConnection, SyncRunEdge, SyncRun);

/// A staff account of the tenant (スタッフ管理, admin). Its password is never returned.
pub struct StaffMember(pub crate::store::entities::staff::Model);

#[Object]
impl StaffMember {
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn role(&self) -> Role {
        Role::parse(&self.0.role).unwrap_or(Role::Viewer)
    }
    /// 利用停止: the account cannot sign in; its replies keep its name.
    async fn disabled(&self) -> bool {
        self.0.disabled_at.is_some()
    }
    async fn created_at(&self) -> DateTime<FixedOffset> {
        jst(self.0.created_at)
    }
}

#[derive(async_graphql::InputObject)]
pub struct StaffInput {
    /// Unique within the tenant; sign-in is by e-mail (and password, which picks the tenant when
    /// the address has accounts in several).
    pub email: String,
    /// 1–50 characters.
    pub name: String,
    pub role: Role,
    /// 10–128 characters. Required on create; on update, null keeps the current password.
    pub password: Option<String>,
}

impl From<StaffInput> for crate::staff::StaffForSave {
    fn from(i: StaffInput) -> Self {
        crate::staff::StaffForSave { email: i.email, name: i.name, role: i.role, password: i.password }
    }
}
