//! Orders (受注): list, order page, registration by hand (受注登録) and edits of shipping data,
//! status and notes.
//!
//! One concern per file: the list and reads (`list`), orders entered and edited by staff
//! (`entry`), whether the next shipping export sends an order (`export_check`), the import's upsert (`upsert`) of what a marketplace reports (the connectors' `model`).

mod entry;
mod export_check;
mod list;
mod upsert;

use shared::OrderStatus;

use crate::store::entities::order;

pub use connectors::{IncomingOrder, ItemForSave, PartyForSave};
pub use entry::*;
pub use export_check::*;
pub use list::*;
pub use upsert::*;

pub fn status_of(o: &order::Model) -> OrderStatus {
    o.status.into()
}
