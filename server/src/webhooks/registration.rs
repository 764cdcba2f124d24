//! Registering endpoints (admin): create, list, delete, and the delivery log.

use sea_orm::{ColumnTrait, DatabaseConnection, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use shared::WebhookEvent;

use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::entities::{webhook, webhook_delivery};

/// The most endpoints a tenant may register.
pub const MAX_WEBHOOKS: usize = 20;
/// The longest endpoint URL.
const MAX_URL: usize = 2048;
/// How many rows of an endpoint's delivery log are shown at most (newest first).
pub const DELIVERIES_SHOWN: u64 = 100;

/// A new endpoint and its signing secret: the only time the secret is shown.
pub struct NewWebhook {
    pub webhook: webhook::Model,
    pub secret: String,
}

/// The event types an endpoint is sent, in the contract's order.
pub fn events_of(row: &webhook::Model) -> AppResult<Vec<WebhookEvent>> {
    row.events
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| {
            WebhookEvent::parse(s)
                .ok_or_else(|| AppError::internal(anyhow::anyhow!("webhook {}: unknown event type {s:?}", row.id)))
        })
        .collect()
}

/// Registers an endpoint for `events` (admin). The URL follows the rules of a shop's API base
/// URL (`shops::check_outbound_url`: https and public addresses unless the operator allows
/// private URLs). It is sent the events that happen from now on.
pub async fn create(state: &AppState, actor: &Actor, url: &str, events: &[WebhookEvent]) -> AppResult<NewWebhook> {
    actor.require(Permission::Admin)?;
    let url = url.trim();
    if url.is_empty() {
        return Err(AppError::validation("url", "URLを入力してください (url is required)"));
    }
    if url.chars().count() > MAX_URL {
        return Err(AppError::validation(
            "url",
            format!("URLは{MAX_URL}文字以内で入力してください (url must be at most {MAX_URL} characters)"),
        ));
    }
    let events: Vec<WebhookEvent> = WebhookEvent::ALL.iter().copied().filter(|e| events.contains(e)).collect();
    if events.is_empty() {
        return Err(AppError::validation(
            "events",
            "送信するイベントを1つ以上選んでください (choose at least one event)",
        ));
    }
    crate::shops::check_outbound_url(url, state.policy.allow_private_urls, "url", "WebhookのURL").await?;
    let scope = actor.scope;
    let registered = scope.find::<webhook::Entity>().count(&state.db).await?;
    if registered >= MAX_WEBHOOKS as u64 {
        return Err(AppError::validation(
            "url",
            format!("Webhookは{MAX_WEBHOOKS}件まで登録できます (at most {MAX_WEBHOOKS} webhooks)"),
        ));
    }
    let secret = crate::crypto::new_secret("whsec_");
    let sealed = state.sealer.seal(&secret).map_err(AppError::internal)?;
    // From now on: the events already in the log are not sent.
    let (cursor, _) = crate::event_log::bounds(&state.db, scope.tenant_id()).await?;
    let row = scope
        .insert::<webhook::Entity, _>(
            &state.db,
            webhook::ActiveModel {
                url: Set(url.to_owned()),
                events: Set(events.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(",")),
                secret_sealed: Set(sealed),
                created_by: Set(actor.display_name.clone()),
                created_at: Set(crate::clock::now()),
                cursor: Set(cursor),
                attempts: Set(0),
                next_attempt_at: Set(None),
                claimed_by: Set(None),
                claimed_at: Set(None),
                ..Default::default()
            },
        )
        .await?;
    Ok(NewWebhook { webhook: row, secret })
}

/// The tenant's endpoints, oldest first (admin).
pub async fn list(db: &DatabaseConnection, actor: &Actor) -> AppResult<Vec<webhook::Model>> {
    actor.require(Permission::Admin)?;
    Ok(actor.scope.find::<webhook::Entity>().order_by_asc(webhook::Column::Id).all(db).await?)
}

/// Deletes an endpoint and its delivery log (admin); nothing more is sent to it, even an
/// attempt already scheduled. Another tenant's id is `NOT_FOUND`.
pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: i64) -> AppResult<()> {
    actor.require(Permission::Admin)?;
    let scope = actor.scope;
    if scope.get::<webhook::Entity>(db, id).await?.is_none() {
        return Err(AppError::NotFound("Webhook"));
    }
    scope.delete_many::<webhook_delivery::Entity>().filter(webhook_delivery::Column::WebhookId.eq(id)).exec(db).await?;
    let gone = scope.delete_many::<webhook::Entity>().filter(webhook::Column::Id.eq(id)).exec(db).await?;
    if gone.rows_affected == 0 {
        return Err(AppError::NotFound("Webhook"));
    }
    Ok(())
}

/// An endpoint's delivery log, newest first, at most `first` rows (admin).
pub async fn deliveries(
    db: &DatabaseConnection,
    actor: &Actor,
    webhook_id: i64,
    first: u64,
) -> AppResult<Vec<webhook_delivery::Model>> {
    actor.require(Permission::Admin)?;
    Ok(actor
        .scope
        .find::<webhook_delivery::Entity>()
        .filter(webhook_delivery::Column::WebhookId.eq(webhook_id))
        .order_by_desc(webhook_delivery::Column::Id)
        .limit(first.min(DELIVERIES_SHOWN))
        .all(db)
        .await?)
}
