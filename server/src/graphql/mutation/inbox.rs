//! The inbox: replies, failed replies, 担当者, 社内メモ, completion.

use async_graphql::{Context, ID, InputObject, Object, Result};

use crate::auth::Permission;
use crate::error::AppError;
use crate::graphql::context::{actor, state};
use crate::graphql::error::{opt_id, parse_id};
use crate::graphql::types::*;
use crate::inbox;
use async_graphql::Upload;

#[derive(InputObject)]
pub struct ReplyInput {
    pub inquiry_id: ID,
    pub body: String,
    pub template_id: Option<ID>,
    pub attachments: Option<Vec<Upload>>,
    /// The newest message the writer saw; a newer one makes the reply a `CONFLICT`.
    pub last_seen_message_id: Option<ID>,
}

#[derive(Default)]
pub struct InboxMutation;

#[Object]
impl InboxMutation {
    /// Stores the reply (`PENDING`) for delivery to the marketplace.
    async fn reply_to_inquiry(&self, ctx: &Context<'_>, input: ReplyInput) -> Result<Message> {
        let a = actor(ctx)?;
        a.require(Permission::Write)?;
        let mut attachments = Vec::new();
        for up in input.attachments.unwrap_or_default() {
            let v = up
                .value(ctx)
                .map_err(|e| AppError::validation("attachments", format!("添付ファイルを読めません ({e})")))?;
            let content_type = v.content_type.clone().unwrap_or_else(|| "application/octet-stream".into());
            let file_name = v.filename.clone();
            let mut bytes = Vec::new();
            use std::io::Read;
            v.into_read().read_to_end(&mut bytes).map_err(AppError::internal)?;
            attachments.push(inbox::NewAttachment { file_name, content_type, bytes: bytes.into() });
        }
        let reply = inbox::ReplyForCreate {
            inquiry_id: parse_id(&input.inquiry_id, "お問い合わせ")?,
            body: input.body,
            template_id: opt_id(input.template_id.as_ref(), "テンプレート")?,
            last_seen_message_id: opt_id(input.last_seen_message_id.as_ref(), "メッセージ")?,
            attachments,
        };
        let msg = inbox::reply(state(ctx), a, reply).await?;
        Ok(Message(msg))
    }

    /// 再送する: puts a failed reply back in the delivery queue. With `body`, the text is
    /// corrected first (checked against the marketplace's rules); `dropAttachments` sends it
    /// without its files.
    async fn retry_message(
        &self,
        ctx: &Context<'_>,
        id: ID,
        body: Option<String>,
        #[graphql(default = false)] drop_attachments: bool,
    ) -> Result<Message> {
        let input = inbox::RetryForUpdate { message_id: parse_id(&id, "メッセージ")?, body, drop_attachments };
        Ok(Message(inbox::retry_message(state(ctx), actor(ctx)?, input).await?))
    }

    /// 取り下げる: removes a reply that failed to send (it never reached the customer).
    async fn withdraw_message(&self, ctx: &Context<'_>, id: ID) -> Result<Inquiry> {
        Ok(Inquiry(inbox::withdraw_message(state(ctx), actor(ctx)?, parse_id(&id, "メッセージ")?).await?))
    }

    /// 担当者を設定する: `staffId` null unassigns. VIEWER and read tokens: `FORBIDDEN`; another
    /// tenant's inquiry or staff member: `NOT_FOUND`; a disabled account: `VALIDATION` on `staffId`.
    async fn assign_inquiry(&self, ctx: &Context<'_>, id: ID, staff_id: Option<ID>) -> Result<Inquiry> {
        let a = actor(ctx)?;
        let inquiry_id = parse_id(&id, "お問い合わせ")?;
        let staff_id = opt_id(staff_id.as_ref(), "スタッフ")?;
        Ok(Inquiry(crate::inbox_teams::assign(state(ctx), a, inquiry_id, staff_id).await?))
    }

    /// 社内メモを追加する (1–2000 characters): internal, never sent to the customer. Its author is
    /// the staff member, or the API token's name.
    async fn add_inquiry_note(&self, ctx: &Context<'_>, inquiry_id: ID, body: String) -> Result<InquiryNote> {
        let a = actor(ctx)?;
        let inquiry_id = parse_id(&inquiry_id, "お問い合わせ")?;
        Ok(InquiryNote(crate::inbox_teams::add_note(state(ctx), a, inquiry_id, &body).await?))
    }

    /// 既読にする: records that the caller has opened the inquiry, up to its newest customer
    /// message (`Inquiry.unread` turns false until a customer writes again). The staff app calls
    /// it when it shows the thread, and again when a customer message arrives while it is open.
    /// Kept per staff member, or per API token; any role may (VIEWER and read-only tokens too:
    /// nothing a customer or a colleague sees changes, so nothing is published). Another
    /// tenant's inquiry: `NOT_FOUND`.
    async fn mark_inquiry_read(&self, ctx: &Context<'_>, id: ID) -> Result<Inquiry> {
        Ok(Inquiry(inbox::mark_read(&state(ctx).db, actor(ctx)?, parse_id(&id, "お問い合わせ")?).await?))
    }

    /// 完了する.
    async fn complete_inquiry(&self, ctx: &Context<'_>, id: ID) -> Result<Inquiry> {
        Ok(Inquiry(inbox::complete(state(ctx), actor(ctx)?, parse_id(&id, "お問い合わせ")?).await?))
    }

    /// Back to 返信が必要 / 返信済み, where the marketplace allows it (never on Yahoo!).
    async fn reopen_inquiry(&self, ctx: &Context<'_>, id: ID) -> Result<Inquiry> {
        Ok(Inquiry(inbox::reopen(state(ctx), actor(ctx)?, parse_id(&id, "お問い合わせ")?).await?))
    }
}
