//! Import and export runs (取込 / 書出).
//!
//! A run is a `sync_run` row: QUEUED when asked for, RUNNING, then SUCCEEDED or FAILED, with
//! counts (created / updated / unchanged / failed), error texts, its progress (steps done of
//! the total: an import's windows, an export's pages, saved and published as each ends) and
//! its lines (`sync_run_item`, what it did to each order or inquiry); every change publishes
//! `SyncRunUpdated`.
//!
//! The `sync_run` table is the queue every process shares. Manual runs (`start_manual`) are
//! checked (API option, capabilities, the review message, credentials) and queued; the caller
//! gets the QUEUED row at once. The scheduler ([`spawn_scheduler`] / [`enqueue_due`]) only
//! queues auto runs, per shop at its interval. Each process's workers ([`spawn_workers`],
//! `--sync-workers`) claim QUEUED runs ([`claim`]) and perform them. A CSV upload (and the
//! demo's first import) is performed within its request ([`begin_inline`]), never queued.
//!
//! Imports upsert through `inbox::upsert_inquiry_in_run` and `orders::upsert_order_in_run`
//! (which write the run's line in the upsert's transaction), so importing
//! the same data twice changes nothing. A run that fails part-way keeps what it stored; the
//! next run continues from the marketplace's state.
//!
//! A run whose process dies (a crash, a kill) is not left RUNNING for ever: the process working
//! on a run renews its heartbeat every [`RUN_HEARTBEAT`]; [`keep_runs`] takes a run whose
//! heartbeat stopped for [`RUN_LEASE`] back into the queue when it is an import (up to
//! [`MAX_ATTEMPTS`] claims; [`retryable`]) and marks it FAILED with [`INTERRUPTED`] otherwise.
//! On SQLite (one process) every such run left by the previous process is handled so at start.
//!
//! One concern per file: run records (`runs`), the queue and its claim (`queue`), the workers
//! (`workers`), the keeper of runs whose process died (`keeper`), manual starts (`start`),
//! performing a run (`execute`), imports (`imports`), exports (`exports`), what a run did line
//! by line (`items`), the scheduler (`scheduler`) and the Rakuten push (`rakuten_push`).

mod execute;
mod exports;
mod imports;
mod items;
mod keeper;
mod queue;
mod rakuten_push;
mod runs;
mod scheduler;
mod start;
mod workers;

use crate::state::AppState;

pub(crate) use execute::*;
pub(crate) use exports::*;
pub(crate) use imports::*;
pub use items::*;
pub use keeper::*;
pub use queue::*;
pub use rakuten_push::*;
pub use runs::*;
pub use scheduler::*;
pub use start::*;
pub use workers::*;

/// An id of this server's state (the same for every clone of it), for per-server limits.
pub fn server_id(state: &AppState) -> usize {
    std::sync::Arc::as_ptr(&state.policy) as usize
}
