//! Orders (受注): list, order page, registration by hand (受注登録) and edits of shipping data,
//! status and notes.
//!
//! One concern per file: the list and reads (`list`), orders entered and edited by staff
//! (`entry`), the same edit on many selected orders at once (`bulk`), whether the next shipping
//! export sends an order (`export_check`), the import's upsert (`upsert`) of what a marketplace
//! reports (the connectors' `model`).

mod bulk;
mod entry;
mod export_check;
mod list;
mod upsert;

use chrono::NaiveDate;
use sea_orm::DatabaseTransaction;
use shared::OrderStatus;
use shared::export::ShipmentFacts;

use crate::error::AppResult;
use crate::events::{Event, EventKind};
use crate::state::AppState;
use crate::store::entities::order;

pub use bulk::*;
pub use connectors::{IncomingOrder, ItemForSave, PartyForSave};
pub use entry::*;
pub use export_check::*;
pub use list::*;
pub use upsert::*;

pub fn status_of(o: &order::Model) -> OrderStatus {
    o.status.into()
}

/// The end of every write that changes an order: logs it (`ORDER_CREATED` / `ORDER_UPDATED`)
/// as the last write of the transaction, commits, then publishes it with its sequence.
pub(crate) async fn commit_change(
    state: &AppState,
    txn: DatabaseTransaction,
    row: &order::Model,
    created: bool,
) -> AppResult<()> {
    commit_changes(state, txn, &[(row, created)]).await
}

/// [`commit_change`] for several orders changed in one transaction (all or none).
pub(crate) async fn commit_changes(
    state: &AppState,
    txn: DatabaseTransaction,
    rows: &[(&order::Model, bool)],
) -> AppResult<()> {
    let mut logged = Vec::with_capacity(rows.len());
    for (row, created) in rows {
        logged.push(crate::event_log::log_order(&txn, row, *created).await?);
    }
    txn.commit().await?;
    for ((row, _), sequence) in rows.iter().zip(logged) {
        state.events.publish(Event::logged(
            row.tenant_id,
            Some(row.shop_id),
            EventKind::OrderChanged { order_id: row.id },
            sequence,
        ));
    }
    Ok(())
}

/// 出荷日 as a date (`None` when unset or unreadable).
pub fn ship_date_of(o: &order::Model) -> Option<NaiveDate> {
    o.ship_date.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

/// The facts of an order that `shared::export` decides its shipping export by.
pub fn shipment_facts(o: &order::Model) -> ShipmentFacts<'_> {
    ShipmentFacts {
        status: status_of(o),
        created_at: o.ordered_at,
        ship_date: ship_date_of(o),
        carrier: o.carrier.as_deref(),
        delivery_method: o.delivery_method.as_deref(),
        tracking_number: o.tracking_number.as_deref(),
    }
}

/// The fingerprint of the shipping data an export of this order would send.
pub fn shipment_fingerprint_of(o: &order::Model) -> String {
    shared::export::shipment_fingerprint(
        ship_date_of(o),
        o.carrier.as_deref(),
        o.delivery_method.as_deref(),
        o.tracking_number.as_deref(),
    )
}
