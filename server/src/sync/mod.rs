//! Import and export runs (取込 / 書出).
//!
//! A run is a `sync_run` row: QUEUED when asked for, RUNNING, then SUCCEEDED or FAILED, with
//! counts (created / updated / unchanged / failed), error texts, its progress (steps done of
//! the total: an import's windows, an export's pages, saved and published as each ends) and
//! its lines (`sync_run_item`, what it did to each order or inquiry); every change publishes
//! `SyncRunUpdated`. Manual runs (`start_manual`) are checked (API option, capabilities, the
//! review message, credentials), queued and performed in the background; the caller gets the
//! queued row at once. Auto runs come from [`spawn_scheduler`] / [`run_due`].
//!
//! Imports upsert through `inbox::upsert_inquiry_in_run` and `orders::upsert_order_in_run`
//! (which write the run's line in the upsert's transaction), so importing
//! the same data twice changes nothing. A run that fails part-way keeps what it stored; the
//! next run continues from the marketplace's state.
//!
//! A run whose process dies (a crash, a kill) is not left QUEUED or RUNNING for ever: the
//! process working on a run renews its heartbeat every [`RUN_HEARTBEAT`]; [`keep_runs`] marks
//! a run whose heartbeat stopped for [`RUN_LEASE`] as FAILED with [`INTERRUPTED`]. On SQLite
//! (one process) every such run left by the previous process is marked so at start.
//!
//! One concern per file: run records (`runs`), the keeper of runs whose process died
//! (`keeper`), manual starts (`start`), performing a run (`execute`), imports (`imports`),
//! exports (`exports`), what a run did line by line (`items`), the scheduler (`scheduler`) and the Rakuten push (`rakuten_push`).

mod execute;
mod exports;
mod imports;
mod items;
mod keeper;
mod rakuten_push;
mod runs;
mod scheduler;
mod start;

use crate::state::AppState;

pub(crate) use execute::*;
pub(crate) use exports::*;
pub(crate) use imports::*;
pub use items::*;
pub use keeper::*;
pub use rakuten_push::*;
pub use runs::*;
pub use scheduler::*;
pub use start::*;

/// An id of this server's state (the same for every clone of it), for per-server limits.
pub fn server_id(state: &AppState) -> usize {
    std::sync::Arc::as_ptr(&state.policy) as usize
}
