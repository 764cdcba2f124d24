//! APIオプション (SPEC §3): inquiry management and auto-export need the tenant's contract.
//!
//! The one place the rule lives. Every way in checks it here: replies, completion and reopening
//! (`inbox`, whether called over HTTP or a WebSocket), manual and scheduled runs (`sync`), and
//! the Rakuten push (`sync::rakuten_push`, which records nothing without it).

use sea_orm::DatabaseConnection;
use shared::SyncKind;

use crate::auth::Actor;
use crate::error::{AppError, AppResult};

/// `API_OPTION_REQUIRED` unless the caller's tenant has the API option.
pub async fn require(db: &DatabaseConnection, actor: &Actor) -> AppResult<()> {
    if actor.tenant(db).await?.api_option {
        Ok(())
    } else {
        Err(AppError::ApiOptionRequired(
            "この機能にはAPIオプションの契約が必要です (the API option is required for inquiry management and auto-export)".into(),
        ))
    }
}

/// Whether a run of this kind needs the API option: every inquiry import, and exports when
/// they run by themselves (auto-export); manual exports and order imports do not.
pub fn needed_for_run(kind: SyncKind, auto: bool) -> bool {
    match kind {
        SyncKind::ImportInquiries => true,
        SyncKind::ExportShipments | SyncKind::ExportEvaluations => auto,
        SyncKind::ImportOrders => false,
    }
}
