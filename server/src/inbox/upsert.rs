//! Imports are upserts: an inquiry by (shop, marketplace id), each message once.

use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter};
use shared::{Marketplace, MessageAuthor};

use super::*;
use crate::clock;
use crate::error::AppResult;
use crate::state::AppState;
use crate::store::Scope;
use crate::store::entities::{attachment, inquiry, message, shop};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpsertOutcome {
    Created,
    Updated,
    Unchanged,
}

impl From<UpsertOutcome> for shared::SyncItemOutcome {
    fn from(o: UpsertOutcome) -> Self {
        match o {
            UpsertOutcome::Created => shared::SyncItemOutcome::Created,
            UpsertOutcome::Updated => shared::SyncItemOutcome::Updated,
            UpsertOutcome::Unchanged => shared::SyncItemOutcome::Unchanged,
        }
    }
}

/// Upserts an inquiry by (shop, marketplace id) and records each message once (by its
/// marketplace id), whichever way it arrives: poll, push, or both. Local-only state is kept.
pub async fn upsert_inquiry(
    state: &AppState,
    scope: Scope,
    shop: &shop::Model,
    incoming: IncomingInquiry,
) -> AppResult<(i64, UpsertOutcome)> {
    upsert_inquiry_in_run(state, scope, shop, incoming, None).await
}

/// [`upsert_inquiry`] for a run: what it did to the inquiry is written to the run's lines
/// (`log`) in the same transaction.
pub async fn upsert_inquiry_in_run(
    state: &AppState,
    scope: Scope,
    shop: &shop::Model,
    incoming: IncomingInquiry,
    log: Option<crate::sync::RunItemLog>,
) -> AppResult<(i64, UpsertOutcome)> {
    let marketplace = Marketplace::from(shop.marketplace);
    let txn = crate::store::begin_write(&state.db).await?;
    let find = || {
        scope
            .find::<inquiry::Entity>()
            .filter(inquiry::Column::ShopId.eq(shop.id))
            .filter(inquiry::Column::MarketplaceInquiryId.eq(incoming.marketplace_inquiry_id.as_str()))
    };
    let existing = find().one(&txn).await?;
    let now = clock::now();
    let created_at = clock::normalise(incoming.created_at);
    let (row, created) = match existing {
        Some(row) => (row, false),
        None => {
            // The same inquiry may be arriving by another way at this moment (a poll and a
            // push): one insert wins, the other goes on with the row it finds.
            let inserted = scope
                .insert_unless_present(
                    &txn,
                    inquiry::ActiveModel {
                        shop_id: Set(shop.id),
                        marketplace: Set(marketplace.into()),
                        marketplace_inquiry_id: Set(incoming.marketplace_inquiry_id.clone()),
                        order_number: Set(incoming.order_number.clone()),
                        customer_name: Set(incoming.customer_name.clone()),
                        subject: Set(incoming.subject.clone()),
                        created_at: Set(created_at),
                        last_message_at: Set(created_at),
                        last_author: Set(None),
                        preview: Set(String::new()),
                        completed: Set(incoming.completed),
                        completed_at: Set(incoming.completed.then_some(now)),
                        completed_by: Set(None),
                        status: Set(inquiry::Status::NeedsReply),
                        reply_failed: Set(false),
                        updated_at: Set(now),
                        ..Default::default()
                    },
                    [inquiry::Column::ShopId, inquiry::Column::MarketplaceInquiryId],
                )
                .await?;
            match inserted {
                Some(row) => (row, true),
                None => (find().one(&txn).await?.ok_or(crate::error::AppError::NotFound("お問い合わせ"))?, false),
            }
        }
    };
    let local = scope.find::<message::Entity>().filter(message::Column::InquiryId.eq(row.id)).all(&txn).await?;
    let known: std::collections::HashSet<String> =
        local.iter().filter_map(|m| m.marketplace_message_id.clone()).collect();
    // Our own replies not yet linked to their marketplace id (still being delivered, or a crash
    // between sending and recording): the marketplace's copy is that reply, not a new message.
    let mut unlinked: Vec<message::Model> =
        local.into_iter().filter(|m| m.marketplace_message_id.is_none() && m.author == message::Author::Shop).collect();
    let mut new_customer = 0;
    let mut new_any = 0;
    for m in incoming.messages.iter().filter(|m| !known.contains(&m.marketplace_message_id)) {
        if m.author == MessageAuthor::Shop
            && let Some(pos) = unlinked.iter().position(|l| l.body.trim() == m.body.trim())
        {
            let mut am: message::ActiveModel = unlinked.remove(pos).into();
            am.marketplace_message_id = Set(Some(m.marketplace_message_id.clone()));
            am.delivery = Set(message::Delivery::Sent);
            am.delivery_error = Set(None);
            scope.update(&txn, am).await?;
            new_any += 1;
            continue;
        }
        let inserted = scope
            .insert_unless_present(
                &txn,
                message::ActiveModel {
                    inquiry_id: Set(row.id),
                    marketplace_message_id: Set(Some(m.marketplace_message_id.clone())),
                    author: Set(m.author.into()),
                    staff_name: Set(m.staff_name.clone()),
                    body: Set(m.body.clone()),
                    sent_at: Set(clock::normalise(m.sent_at)),
                    delivery: Set(message::Delivery::Sent),
                    delivery_attempts: Set(0),
                    created_at: Set(now),
                    ..Default::default()
                },
                [message::Column::InquiryId, message::Column::MarketplaceMessageId],
            )
            .await?;
        // Recorded meanwhile by a concurrent import of the same thread: nothing new here.
        let Some(inserted) = inserted else { continue };
        new_any += 1;
        if m.author == MessageAuthor::Customer {
            new_customer += 1;
        }
        for f in &m.files {
            scope
                .insert(
                    &txn,
                    attachment::ActiveModel {
                        message_id: Set(inserted.id),
                        file_name: Set(f.name.clone()),
                        content_type: Set("application/octet-stream".into()),
                        size: Set(0),
                        storage_key: Set(String::new()),
                        remote_path: Set(Some(f.path.clone())),
                        created_at: Set(now),
                        ..Default::default()
                    },
                )
                .await?;
        }
    }
    let mut am: inquiry::ActiveModel = row.clone().into();
    let mut changed = new_any > 0;
    if !created {
        // The marketplace's own fields follow the marketplace; local state stays.
        if row.order_number.is_none() && incoming.order_number.is_some() {
            am.order_number = Set(incoming.order_number.clone());
            changed = true;
        }
        if incoming.customer_name.is_some() && row.customer_name != incoming.customer_name {
            am.customer_name = Set(incoming.customer_name.clone());
            changed = true;
        }
        let completed = if new_customer > 0 {
            shared::inquiry::completed_after_customer_message(marketplace, row.completed)
        } else {
            row.completed || incoming.completed
        };
        if completed != row.completed {
            am.completed = Set(completed);
            am.completed_at = Set(completed.then_some(now));
            changed = true;
        }
    }
    let row = scope.update(&txn, am).await?;
    let outcome = if created {
        UpsertOutcome::Created
    } else if changed {
        UpsertOutcome::Updated
    } else {
        UpsertOutcome::Unchanged
    };
    let received = created || new_customer > 0;
    let id = row.id;
    if let Some(log) = log {
        log.record(&txn, scope, outcome.into(), crate::sync::RunItem::inquiry(id)).await?;
    }
    if outcome == UpsertOutcome::Unchanged {
        txn.commit().await?;
    } else {
        let row = summarise(&txn, scope, row).await?;
        commit_change(state, txn, &row, received).await?;
    }
    Ok((id, outcome))
}
