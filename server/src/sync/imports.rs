//! Imports: inquiries (with the customer files they bring) and orders, each an upsert.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::events::{Event, EventKind};
use crate::inbox;
use crate::marketplaces::{Connector, MarketplaceError};
use crate::orders;
use crate::store::entities::{inquiry, shop};

use super::*;

/// Open inquiries older than the import window that are re-read on each inquiry import, at
/// most (newest activity first): Rakuten lists inquiries by their first date only.
pub(crate) const REREAD_OPEN_MAX: u64 = 200;

pub(crate) async fn import_inquiries(
    p: &mut Progress<'_>,
    shop: &shop::Model,
    c: &dyn Connector,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(), MarketplaceError> {
    let listed = c.fetch_inquiries(from, to).await?;
    let mut seen = std::collections::HashSet::new();
    for inq in listed {
        let id = inq.marketplace_inquiry_id.clone();
        seen.insert(id.clone());
        match crate::store::busy_retry(|| inbox::upsert_inquiry(p.state, p.scope, shop, inq.clone())).await {
            Ok((_, o)) => p.count(o),
            Err(e) => p.fail(format!("お問い合わせ {id}: {}", app_error_text(&e))),
        }
        p.tick().await;
    }
    // Open inquiries that began before the window: new messages on them are not listed.
    let older = p
        .scope
        .find::<inquiry::Entity>()
        .filter(inquiry::Column::ShopId.eq(shop.id))
        .filter(inquiry::Column::Completed.eq(false))
        .filter(inquiry::Column::CreatedAt.lt(from))
        .order_by_desc(inquiry::Column::LastMessageAt)
        .limit(REREAD_OPEN_MAX)
        .all(&p.state.db)
        .await
        .map_err(db_fault)?;
    for row in older.into_iter().filter(|r| !seen.contains(&r.marketplace_inquiry_id)) {
        match c.fetch_inquiry(&row.marketplace_inquiry_id).await {
            Ok(Some(inq)) => {
                match crate::store::busy_retry(|| inbox::upsert_inquiry(p.state, p.scope, shop, inq.clone())).await {
                    Ok((_, o)) => p.count(o),
                    Err(e) => p.fail(format!("お問い合わせ {}: {}", row.marketplace_inquiry_id, app_error_text(&e))),
                }
            }
            Ok(None) => {}
            Err(e @ (MarketplaceError::Auth { .. } | MarketplaceError::Unavailable(_))) => return Err(e),
            Err(e) => p.fail(format!("お問い合わせ {}: {e}", row.marketplace_inquiry_id)),
        }
        p.tick().await;
    }
    Ok(())
}

/// Customer files the import recorded but has not stored yet, at most this many per run.
pub(crate) const FILES_PER_RUN: u64 = 100;

/// Downloads the customer files imports recorded (oldest first) and stores them with their
/// messages. One that fails is counted and stays pending for the next run.
pub(crate) async fn fetch_customer_files(
    p: &mut Progress<'_>,
    shop: &shop::Model,
    c: &dyn Connector,
) -> Result<(), MarketplaceError> {
    use crate::store::entities::{attachment, message};
    let db_err = db_fault;
    let tenant = p.scope.tenant_id();
    let inquiries_of_shop = sea_orm::sea_query::Query::select()
        .column(inquiry::Column::Id)
        .from(inquiry::Entity)
        .and_where(inquiry::Column::TenantId.eq(tenant))
        .and_where(inquiry::Column::ShopId.eq(shop.id))
        .to_owned();
    let messages_of_shop = sea_orm::sea_query::Query::select()
        .column(message::Column::Id)
        .from(message::Entity)
        .and_where(message::Column::TenantId.eq(tenant))
        .and_where(message::Column::InquiryId.in_subquery(inquiries_of_shop))
        .to_owned();
    let pending = p
        .scope
        .find::<attachment::Entity>()
        .filter(attachment::Column::RemotePath.is_not_null())
        .filter(attachment::Column::StorageKey.eq(""))
        .filter(attachment::Column::MessageId.in_subquery(messages_of_shop))
        .order_by_asc(attachment::Column::Id)
        .limit(FILES_PER_RUN)
        .all(&p.state.db)
        .await
        .map_err(db_err)?;
    let mut stored_on = Vec::new();
    for a in pending {
        let file = inbox::RemoteFile { name: a.file_name.clone(), path: a.remote_path.clone().unwrap_or_default() };
        let (content_type, bytes) = match c.fetch_file(&file).await {
            Ok(got) => got,
            Err(MarketplaceError::Unsupported(_)) => return Ok(()),
            Err(e @ (MarketplaceError::Auth { .. } | MarketplaceError::Unavailable(_))) => return Err(e),
            Err(e) => {
                p.fail(format!("添付ファイル「{}」: {e}", a.file_name));
                continue;
            }
        };
        let size = bytes.len() as i64;
        if bytes.len() > inbox::CUSTOMER_FILE_MAX_BYTES {
            // Not stored, and not downloaded again: the run names it once.
            p.fail(format!(
                "添付ファイル「{}」は大きすぎるため取り込みませんでした(上限 {} MB) (the file is larger than {} bytes)",
                a.file_name,
                inbox::CUSTOMER_FILE_MAX_BYTES / 1_000_000,
                inbox::CUSTOMER_FILE_MAX_BYTES
            ));
            let mut am: attachment::ActiveModel = a.into();
            am.remote_path = Set(None);
            am.size = Set(size);
            p.scope.update(&p.state.db, am).await.map_err(db_err)?;
            continue;
        }
        let key = match inbox::store_file(p.state, p.scope, bytes).await {
            Ok(key) => key,
            Err(e) => {
                p.fail(format!("添付ファイル「{}」を保存できません ({})", a.file_name, app_error_text(&e)));
                continue;
            }
        };
        stored_on.push(a.message_id);
        let mut am: attachment::ActiveModel = a.into();
        am.storage_key = Set(key);
        am.size = Set(size);
        am.content_type = Set(content_type);
        p.scope.update(&p.state.db, am).await.map_err(db_err)?;
    }
    if stored_on.is_empty() {
        return Ok(());
    }
    // Each inquiry that gained files changed once.
    let inquiries: std::collections::BTreeSet<i64> = p
        .scope
        .find::<message::Entity>()
        .filter(message::Column::Id.is_in(stored_on))
        .all(&p.state.db)
        .await
        .map_err(db_err)?
        .into_iter()
        .map(|m| m.inquiry_id)
        .collect();
    for inquiry_id in inquiries {
        // The files of messages already logged: no new event in the log (nothing a third
        // party sees changed), only a nudge to open screens.
        p.state.events.publish(Event::new(tenant, Some(shop.id), EventKind::InquiryUpdated { inquiry_id }));
    }
    Ok(())
}

pub(crate) async fn import_orders(
    p: &mut Progress<'_>,
    shop: &shop::Model,
    c: &dyn Connector,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(), MarketplaceError> {
    for o in c.fetch_orders(from, to).await? {
        let number = o.order_number.clone();
        match crate::store::busy_retry(|| orders::upsert_order(p.state, p.scope, shop, o.clone())).await {
            Ok((_, outcome)) => p.count(outcome),
            Err(e) => p.fail(format!("受注 {number}: {}", app_error_text(&e))),
        }
        p.tick().await;
    }
    Ok(())
}
