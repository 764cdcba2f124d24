//! Inquiries, their messages, attachments and 社内メモ, the inbox counts and presence.

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, FixedOffset};
use shared::{DeliveryState, InquiryStatus, Marketplace, MessageAuthor, PresenceState};

use crate::graphql::context::{load_err, loaders};
use crate::graphql::cost;
use crate::inbox;
use crate::store::entities::{attachment, inquiry, message};

use super::*;

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
        Ok(loaders(ctx)?.order_by_number().load_one((self.0.shop_id, number)).await.map_err(load_err)?.map(Order))
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
    /// The text around `matching` in the newest message that contains it (about 20
    /// characters before and 60 after, on one line, … where cut; full-width and case folded
    /// as the search box is): what a searched inbox shows instead of the latest message.
    /// Null without `matching`, or when only the name, subject or order number matched.
    async fn excerpt(&self, ctx: &Context<'_>, matching: Option<String>) -> Result<Option<String>> {
        let Some(query) = matching.filter(|q| !q.trim().is_empty()) else { return Ok(None) };
        let rows = loaders(ctx)?.messages().load_one(self.0.id).await.map_err(load_err)?.unwrap_or_default();
        Ok(rows.iter().rev().find_map(|m| shared::text_search::excerpt(&m.body, &query, 20, 60)))
    }
    /// Oldest first.
    #[graphql(complexity = "cost::list(cost::MESSAGES, child_complexity)")]
    async fn messages(&self, ctx: &Context<'_>) -> Result<Vec<Message>> {
        let rows = loaders(ctx)?.messages().load_one(self.0.id).await.map_err(load_err)?;
        Ok(rows.unwrap_or_default().into_iter().map(Message).collect())
    }
    /// 担当者: the staff member the inquiry is assigned to.
    async fn assignee(&self, ctx: &Context<'_>) -> Result<Option<StaffMember>> {
        let Some(id) = self.0.assignee_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?.staff().load_one(id).await.map_err(load_err)?.map(StaffMember))
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
        let rows = loaders(ctx)?.notes().load_one(self.0.id).await.map_err(load_err)?;
        Ok(rows.unwrap_or_default().into_iter().map(InquiryNote).collect())
    }
    /// 未読 for the caller: a customer message arrived since they last opened the inquiry
    /// (`markInquiryRead`); never opened and with a customer message is unread too. Kept per
    /// staff member (all their sessions), and per API token for a token; a reply, a note or an
    /// assignment does not make it unread.
    async fn unread(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(loaders(ctx)?.unread().load_one(self.0.id).await.map_err(load_err)?.unwrap_or(false))
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
        Ok(loaders(ctx)?.staff().load_one(id).await.map_err(load_err)?.map(StaffMember))
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
        let rows = loaders(ctx)?.attachments().load_one(self.0.id).await.map_err(load_err)?;
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
pub struct InboxCounts {
    pub needs_reply: i32,
    /// Open inquiries whose latest reply failed to send (they are counted in `needsReply` too).
    pub failed_deliveries: i32,
    #[graphql(complexity = "cost::list(cost::SHOPS, child_complexity)")]
    pub by_shop: Vec<ShopCount>,
    /// Every marketplace the tenant has a shop on, with zero where nothing waits.
    pub by_marketplace: Vec<MarketplaceCount>,
}

#[derive(SimpleObject)]
pub struct MarketplaceCount {
    pub marketplace: Marketplace,
    pub needs_reply: i32,
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
            by_marketplace: c
                .by_marketplace
                .into_iter()
                .map(|(marketplace, n)| MarketplaceCount { marketplace, needs_reply: n as i32 })
                .collect(),
        }
    }
}

#[derive(SimpleObject)]
pub struct Presence {
    pub inquiry_id: ID,
    pub staff_name: String,
    pub state: PresenceState,
    pub at: DateTime<FixedOffset>,
}

impl From<inquiry::Model> for Inquiry {
    fn from(m: inquiry::Model) -> Self {
        Inquiry(m)
    }
}
