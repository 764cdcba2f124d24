//! Imports: inquiries (with the customer files they bring) and orders, each an upsert.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::events::{Event, EventKind};
use crate::inbox;
use crate::marketplaces::{Connector, MarketplaceError};
use crate::orders;
use crate::store::entities::{inquiry, shop};
use shared::SyncItemOutcome;

use super::*;

/// Open inquiries older than the import window that are re-read on each inquiry import, at
/// most (newest activity first): Rakuten lists inquiries by their first date only.
pub(crate) const REREAD_OPEN_MAX: u64 = 200;

/// An import asks the marketplace for its period in at most this many windows, so the run
/// shows how far it has come (windows done of the total).
pub(crate) const IMPORT_WINDOWS_MAX: i64 = 10;

/// `[from, to]` cut into consecutive windows of a day or more, at most [`IMPORT_WINDOWS_MAX`]
/// of them; neighbours share their boundary instant (what it brings twice is stored once).
pub(crate) fn import_windows(from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    if to <= from {
        return vec![(from, to)];
    }
    let span = to - from;
    let days = (span.num_seconds() + 86_399) / 86_400;
    let n = days.clamp(1, IMPORT_WINDOWS_MAX);
    let width = span / n as i32;
    (0..n)
        .map(|i| {
            let start = from + width * i as i32;
            let end = if i + 1 == n { to } else { from + width * (i + 1) as i32 };
            (start, end)
        })
        .collect()
}

pub(crate) async fn import_inquiries(
    p: &mut Progress<'_>,
    shop: &shop::Model,
    c: &dyn Connector,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(), MarketplaceError> {
    let windows = import_windows(from, to);
    p.steps(windows.len()).await;
    let mut seen = std::collections::HashSet::new();
    for (f, t) in windows {
        for inq in c.fetch_inquiries(f, t).await? {
            let id = inq.marketplace_inquiry_id.clone();
            if !seen.insert(id.clone()) {
                continue;
            }
            store_inquiry(p, shop, inq, &id).await;
            p.tick().await;
        }
        p.step_done().await;
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
            Ok(Some(inq)) => store_inquiry(p, shop, inq, &row.marketplace_inquiry_id).await,
            Ok(None) => {}
            Err(e @ (MarketplaceError::Auth { .. } | MarketplaceError::Unavailable(_))) => return Err(e),
            Err(e) => {
                p.fail(format!("お問い合わせ {}: {e}", row.marketplace_inquiry_id));
                p.item(SyncItemOutcome::Failed, RunItem::inquiry(row.id).because(e.to_string())).await;
            }
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

/// Stores one imported inquiry, counted and written to the run's lines (a failure names the
/// marketplace's inquiry id: there is no inquiry in Madoguchi to point at).
async fn store_inquiry(p: &mut Progress<'_>, shop: &shop::Model, inq: inbox::IncomingInquiry, id: &str) {
    let log = p.item_log();
    match crate::store::busy_retry(|| inbox::upsert_inquiry_in_run(p.state, p.scope, shop, inq.clone(), log)).await {
        Ok((_, o)) => {
            p.count(o);
            if log.is_some() {
                p.recorded();
            }
        }
        Err(e) => {
            let why = app_error_text(&e);
            p.fail(format!("お問い合わせ {id}: {why}"));
            p.item(SyncItemOutcome::Failed, RunItem::default().because(format!("お問い合わせ {id}: {why}"))).await;
        }
    }
}

pub(crate) async fn import_orders(
    p: &mut Progress<'_>,
    shop: &shop::Model,
    c: &dyn Connector,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(), MarketplaceError> {
    let windows = import_windows(from, to);
    p.steps(windows.len()).await;
    let mut seen = std::collections::HashSet::new();
    for (f, t) in windows {
        for o in c.fetch_orders(f, t).await? {
            if !seen.insert(o.order_number.clone()) {
                continue;
            }
            store_order(p, shop, o).await;
            p.tick().await;
        }
        p.step_done().await;
    }
    Ok(())
}

/// Stores one imported order (an upsert), counted and written to the run's lines.
pub(crate) async fn store_order(p: &mut Progress<'_>, shop: &shop::Model, o: orders::IncomingOrder) {
    let number = o.order_number.clone();
    let log = p.item_log();
    match crate::store::busy_retry(|| orders::upsert_order_in_run(p.state, p.scope, shop, o.clone(), log)).await {
        Ok((_, outcome)) => {
            p.count(outcome);
            if log.is_some() {
                p.recorded();
            }
        }
        Err(e) => {
            let why = app_error_text(&e);
            p.fail(format!("受注 {number}: {why}"));
            p.item(SyncItemOutcome::Failed, RunItem::order(&number).because(why)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_windows_cover_the_period_in_days_and_never_more_than_the_most() {
        let to = Utc::now();
        for days in [0_i64, 1, 3, 7, 30, 730] {
            let from = to - chrono::Duration::days(days);
            let w = import_windows(from, to);
            assert_eq!(w.len() as i64, days.clamp(1, IMPORT_WINDOWS_MAX), "{days} days");
            assert_eq!(w[0].0, from);
            assert_eq!(w[w.len() - 1].1, to);
            assert!(w.windows(2).all(|p| p[0].1 == p[1].0), "consecutive, no gap");
        }
    }
}
