use async_graphql::{Context, ID, InputObject, Json, Object, Result, Upload};
use chrono::{DateTime, FixedOffset, Utc};
use shared::{Marketplace, OrderStatus, PresenceState};

use crate::auth::Permission;
use crate::error::AppError;
use crate::events::{Event, EventKind};
use crate::graphql::context::{actor, state};
use crate::graphql::error::{opt_id, parse_id};
use crate::graphql::types::*;
use crate::{auth, clock, inbox, orders, shops, sync, templates};

#[derive(InputObject)]
pub struct ShopInput {
    pub marketplace: Marketplace,
    pub name: String,
    pub profile: ShopProfileInput,
    pub settings: Option<ShopSettingsInput>,
}

#[derive(InputObject)]
pub struct ShopProfileInput {
    pub mall_shop_name: String,
    pub staff_name: String,
    pub phone: String,
    pub email: String,
}

#[derive(InputObject)]
pub struct ShopSettingsInput {
    /// Replaces the marketplace's real origin; the documented paths follow it unchanged.
    pub api_base_url: Option<String>,
    /// 受注を取得する日数.
    pub import_days: Option<i32>,
    pub auto_import: Option<bool>,
    pub auto_export: Option<bool>,
    pub review_message: Option<String>,
    pub registered_email: Option<String>,
    /// Write-only; keys per marketplace (API.md).
    pub credentials: Option<Json<serde_json::Value>>,
    /// The CSV column mapping; an empty list goes back to the default.
    pub csv_mapping: Option<Vec<crate::graphql::csv::CsvColumn>>,
}

#[derive(InputObject)]
pub struct ReplyInput {
    pub inquiry_id: ID,
    pub body: String,
    pub template_id: Option<ID>,
    pub attachments: Option<Vec<Upload>>,
    /// The newest message the writer saw; a newer one makes the reply a `CONFLICT`.
    pub last_seen_message_id: Option<ID>,
}

#[derive(InputObject)]
pub struct TemplateInput {
    pub category: String,
    pub name: String,
    pub body: String,
}

#[derive(InputObject)]
pub struct PartyInput {
    pub name: Option<String>,
    pub postal_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
}

#[derive(InputObject)]
pub struct OrderItemInput {
    pub name: String,
    pub sku: Option<String>,
    pub unit_price: i32,
    pub quantity: i32,
}

#[derive(InputObject)]
pub struct OrderInput {
    pub shop_id: ID,
    pub order_number: String,
    pub ordered_at: DateTime<FixedOffset>,
    pub buyer: Option<PartyInput>,
    pub recipient: PartyInput,
    pub requested_delivery: Option<String>,
    pub items: Vec<OrderItemInput>,
    pub notes: Option<String>,
    /// Defaults to NEW.
    pub status: Option<OrderStatus>,
}

#[derive(InputObject)]
pub struct OrderUpdateInput {
    pub status: Option<OrderStatus>,
    /// YYYY-MM-DD; empty clears.
    pub ship_date: Option<String>,
    pub carrier: Option<String>,
    pub delivery_method: Option<String>,
    pub tracking_number: Option<String>,
    pub notes: Option<String>,
}

#[derive(InputObject)]
pub struct ImportInput {
    pub shop_id: ID,
    pub from: Option<DateTime<FixedOffset>>,
    pub to: Option<DateTime<FixedOffset>>,
}

#[derive(InputObject)]
pub struct ExportInput {
    pub shop_id: ID,
    pub created_from: DateTime<FixedOffset>,
    pub created_to: DateTime<FixedOffset>,
}

fn party(p: PartyInput) -> orders::PartyForSave {
    orders::PartyForSave { name: p.name, postal_code: p.postal_code, address: p.address, phone: p.phone }
}

fn shop_for_save(input: ShopInput) -> shops::ShopForSave {
    shops::ShopForSave {
        marketplace: Some(input.marketplace),
        name: input.name,
        mall_shop_name: input.profile.mall_shop_name,
        staff_name: input.profile.staff_name,
        phone: input.profile.phone,
        email: input.profile.email,
        settings: input.settings.map(|s| shops::SettingsForSave {
            api_base_url: s.api_base_url,
            import_days: s.import_days,
            auto_import: s.auto_import,
            auto_export: s.auto_export,
            review_message: s.review_message,
            registered_email: s.registered_email,
            credentials: s.credentials.map(|j| j.0),
            csv_mapping: s.csv_mapping.map(|cols| cols.into_iter().map(Into::into).collect()),
        }),
    }
}

fn utc(t: DateTime<FixedOffset>) -> DateTime<Utc> {
    t.with_timezone(&Utc)
}

pub struct MutationRoot;

#[Object]
impl MutationRoot {
    async fn create_shop(&self, ctx: &Context<'_>, input: ShopInput) -> Result<Shop> {
        let st = state(ctx);
        Ok(Shop(shops::save(&st.db, &st.sealer, &st.policy, actor(ctx)?, None, shop_for_save(input)).await?))
    }

    async fn update_shop(&self, ctx: &Context<'_>, id: ID, input: ShopInput) -> Result<Shop> {
        let st = state(ctx);
        let id = parse_id(&id, "店舗")?;
        Ok(Shop(shops::save(&st.db, &st.sealer, &st.policy, actor(ctx)?, Some(id), shop_for_save(input)).await?))
    }

    /// Stores the reply (`PENDING`) for delivery to the marketplace.
    async fn reply_to_inquiry(&self, ctx: &Context<'_>, input: ReplyInput) -> Result<Message> {
        let a = actor(ctx)?;
        a.require(Permission::Write)?;
        crate::sync::require_api_option(&state(ctx).db, a).await?;
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

    /// 完了する.
    async fn complete_inquiry(&self, ctx: &Context<'_>, id: ID) -> Result<Inquiry> {
        let a = actor(ctx)?;
        crate::sync::require_api_option(&state(ctx).db, a).await?;
        Ok(Inquiry(inbox::complete(state(ctx), a, parse_id(&id, "お問い合わせ")?).await?))
    }

    /// Back to 返信が必要 / 返信済み, where the marketplace allows it (never on Yahoo!).
    async fn reopen_inquiry(&self, ctx: &Context<'_>, id: ID) -> Result<Inquiry> {
        let a = actor(ctx)?;
        crate::sync::require_api_option(&state(ctx).db, a).await?;
        Ok(Inquiry(inbox::reopen(state(ctx), a, parse_id(&id, "お問い合わせ")?).await?))
    }

    async fn create_template(&self, ctx: &Context<'_>, input: TemplateInput) -> Result<Template> {
        Ok(Template(templates::create(&state(ctx).db, actor(ctx)?, &input.category, &input.name, &input.body).await?))
    }

    async fn update_template(&self, ctx: &Context<'_>, id: ID, input: TemplateInput) -> Result<Template> {
        let id = parse_id(&id, "テンプレート")?;
        Ok(Template(
            templates::update(&state(ctx).db, actor(ctx)?, id, &input.category, &input.name, &input.body).await?,
        ))
    }

    async fn delete_template(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let n = parse_id(&id, "テンプレート")?;
        templates::delete(&state(ctx).db, actor(ctx)?, n).await?;
        Ok(id)
    }

    /// 受注登録.
    async fn create_order(&self, ctx: &Context<'_>, input: OrderInput) -> Result<Order> {
        let row = orders::create(
            state(ctx),
            actor(ctx)?,
            orders::OrderForCreate {
                shop_id: parse_id(&input.shop_id, "店舗")?,
                order_number: input.order_number,
                ordered_at: utc(input.ordered_at),
                buyer: input.buyer.map(party),
                recipient: party(input.recipient),
                requested_delivery: input.requested_delivery,
                items: input
                    .items
                    .into_iter()
                    .map(|i| orders::ItemForSave {
                        name: i.name,
                        sku: i.sku,
                        unit_price: i.unit_price as i64,
                        quantity: i.quantity,
                    })
                    .collect(),
                notes: input.notes,
                status: input.status.unwrap_or(OrderStatus::New),
                marketplace_status: None,
            },
        )
        .await?;
        Ok(Order(row))
    }

    async fn update_order(&self, ctx: &Context<'_>, id: ID, input: OrderUpdateInput) -> Result<Order> {
        let row = orders::update(
            state(ctx),
            actor(ctx)?,
            parse_id(&id, "受注")?,
            orders::OrderForUpdate {
                status: input.status,
                ship_date: input.ship_date,
                carrier: input.carrier,
                delivery_method: input.delivery_method,
                tracking_number: input.tracking_number,
                notes: input.notes,
            },
        )
        .await?;
        Ok(Order(row))
    }

    /// Tells the other staff who is viewing or writing on an inquiry. Needs write permission;
    /// a caller sending too many too fast gets `RATE_LIMITED` (`extensions.retryAfter`: seconds).
    async fn set_presence(&self, ctx: &Context<'_>, inquiry_id: ID, state: PresenceState) -> Result<bool> {
        let a = actor(ctx)?;
        a.require(Permission::Write)?;
        let caller = match (a.staff_id, a.api_token_id) {
            (Some(s), _) => crate::graphql::cost::Caller::Staff(s),
            (None, Some(t)) => crate::graphql::cost::Caller::Token(t),
            (None, None) => crate::graphql::cost::Caller::Staff(0),
        };
        ctx.data::<crate::graphql::cost::PresenceLimits>()?.check(caller)?;
        let st = self::state(ctx);
        let id = parse_id(&inquiry_id, "お問い合わせ")?;
        let row = inbox::get(&st.db, a, id).await?.ok_or(AppError::NotFound("お問い合わせ"))?;
        st.events.publish(Event {
            tenant_id: a.scope.tenant_id(),
            shop_id: Some(row.shop_id),
            kind: EventKind::Presence { inquiry_id: id, staff_name: a.display_name.clone(), state, at: clock::now() },
        });
        Ok(true)
    }

    /// The secret is in the answer, once.
    async fn create_api_token(&self, ctx: &Context<'_>, name: String, scopes: Vec<String>) -> Result<NewApiToken> {
        let (token, row) = auth::create_api_token(&state(ctx).db, actor(ctx)?, &name, &scopes).await?;
        Ok(NewApiToken { token, api_token: ApiToken(row) })
    }

    async fn revoke_api_token(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        auth::revoke_api_token(state(ctx), actor(ctx)?, parse_id(&id, "APIトークン")?).await?;
        Ok(id)
    }

    /// Adds a staff account (admin). `password` is required here.
    async fn create_staff(&self, ctx: &Context<'_>, input: StaffInput) -> Result<StaffMember> {
        Ok(StaffMember(crate::staff::create(&state(ctx).db, actor(ctx)?, input.into()).await?))
    }

    /// Edits a staff account (admin); a null `password` keeps the current one. The tenant keeps
    /// at least one enabled ADMIN (`CONFLICT` otherwise).
    async fn update_staff(&self, ctx: &Context<'_>, id: ID, input: StaffInput) -> Result<StaffMember> {
        let id = parse_id(&id, "スタッフ")?;
        Ok(StaffMember(crate::staff::update(state(ctx), actor(ctx)?, id, input.into()).await?))
    }

    /// 利用停止 (admin): the account can no longer sign in and its sessions end at once. Not
    /// oneself, nor the last enabled ADMIN (`CONFLICT`).
    async fn disable_staff(&self, ctx: &Context<'_>, id: ID) -> Result<StaffMember> {
        let id = parse_id(&id, "スタッフ")?;
        Ok(StaffMember(crate::staff::disable(state(ctx), actor(ctx)?, id).await?))
    }

    /// 利用再開 (admin).
    async fn enable_staff(&self, ctx: &Context<'_>, id: ID) -> Result<StaffMember> {
        let id = parse_id(&id, "スタッフ")?;
        Ok(StaffMember(crate::staff::enable(&state(ctx).db, actor(ctx)?, id).await?))
    }

    /// CSV取込 (custom-CSV shop): upserts the file's orders with the shop's column mapping.
    /// Bad lines are reported with their line numbers while the good orders import.
    async fn import_orders_csv(
        &self,
        ctx: &Context<'_>,
        input: crate::graphql::csv::CsvImportInput,
    ) -> Result<crate::graphql::csv::CsvImport> {
        let a = actor(ctx)?;
        a.require(Permission::Write)?;
        let shop_id = parse_id(&input.shop_id, "店舗")?;
        let v =
            input.file.value(ctx).map_err(|e| AppError::validation("file", format!("ファイルを読めません ({e})")))?;
        let mut bytes = Vec::new();
        use std::io::Read;
        v.into_read().read_to_end(&mut bytes).map_err(AppError::internal)?;
        let done = crate::csv_shop::import(state(ctx), a, shop_id, &bytes, input.encoding).await?;
        Ok(crate::graphql::csv::CsvImport {
            run: SyncRun(done.run),
            row_errors: done.row_errors.into_iter().map(Into::into).collect(),
        })
    }

    /// CSV書出: the shop's orders (with shipping data) as a CSV file in its column mapping.
    async fn export_orders_csv(
        &self,
        ctx: &Context<'_>,
        input: crate::graphql::csv::CsvExportInput,
    ) -> Result<crate::graphql::csv::CsvFile> {
        let req = crate::csv_shop::CsvExportRequest {
            shop_id: parse_id(&input.shop_id, "店舗")?,
            from: input.from.map(utc),
            to: input.to.map(utc),
            status: input.status,
            encoding: input.encoding.unwrap_or(shared::CsvEncoding::Utf8),
        };
        Ok(crate::csv_shop::export(&state(ctx).db, actor(ctx)?, req).await?.into())
    }

    /// 取込: orders, by the shop's configured days or a range.
    async fn import_orders(&self, ctx: &Context<'_>, input: ImportInput) -> Result<SyncRun> {
        self.start(ctx, input.shop_id, shared::SyncKind::ImportOrders, input.from, input.to).await
    }

    async fn import_inquiries(&self, ctx: &Context<'_>, input: ImportInput) -> Result<SyncRun> {
        self.start(ctx, input.shop_id, shared::SyncKind::ImportInquiries, input.from, input.to).await
    }

    /// 発送情報を更新, for orders created in the period.
    async fn export_shipments(&self, ctx: &Context<'_>, input: ExportInput) -> Result<SyncRun> {
        self.start(
            ctx,
            input.shop_id,
            shared::SyncKind::ExportShipments,
            Some(input.created_from),
            Some(input.created_to),
        )
        .await
    }

    /// ユーザ評価を登録 (Rakuma).
    async fn register_evaluations(&self, ctx: &Context<'_>, input: ExportInput) -> Result<SyncRun> {
        self.start(
            ctx,
            input.shop_id,
            shared::SyncKind::ExportEvaluations,
            Some(input.created_from),
            Some(input.created_to),
        )
        .await
    }
}

impl MutationRoot {
    async fn start(
        &self,
        ctx: &Context<'_>,
        shop_id: ID,
        kind: shared::SyncKind,
        from: Option<DateTime<FixedOffset>>,
        to: Option<DateTime<FixedOffset>>,
    ) -> Result<SyncRun> {
        let run =
            sync::start_manual(state(ctx), actor(ctx)?, parse_id(&shop_id, "店舗")?, kind, from.map(utc), to.map(utc))
                .await?;
        Ok(SyncRun(run))
    }
}
