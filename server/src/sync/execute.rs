//! Performing a queued run, and what its error list shows of a failure.

use chrono::{DateTime, Utc};
use shared::{SyncKind, SyncState};
use tracing::Instrument as _;

use crate::error::AppError;
use crate::marketplaces::{self, MarketplaceError};
use crate::state::AppState;
use crate::store::Scope;
use crate::store::entities::{shop, sync_run};

use super::*;

/// Performs a queued run to its end (SUCCEEDED or FAILED); what was stored before a failure
/// stays stored, and the next run continues from the marketplace's state.
pub(crate) async fn execute(
    state: &AppState,
    scope: Scope,
    shop: shop::Model,
    run: sync_run::Model,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sync_run::Model {
    let kind = SyncKind::from(run.kind);
    let span = tracing::info_span!("sync_run", tenant = run.tenant_id, shop = %shop.name, shop_id = shop.id, run = run.id, marketplace = %shop.marketplace, kind = %kind);
    // Instrumented, not entered: the span must not stay current on the thread across awaits.
    async move {
        let started = std::time::Instant::now();
        let mut p = Progress::start(state, scope, run).await;
        let result = match marketplaces::connector_for(state, &shop) {
            Err(e) => Err(e),
            Ok(c) => match kind {
                SyncKind::ImportInquiries => match import_inquiries(&mut p, &shop, c.as_ref(), from, to).await {
                    Ok(()) => fetch_customer_files(&mut p, &shop, c.as_ref()).await,
                    Err(e) => Err(e),
                },
                SyncKind::ImportOrders => import_orders(&mut p, &shop, c.as_ref(), from, to).await,
                SyncKind::ExportShipments => export_shipments(&mut p, &shop, c.as_ref(), from, to).await,
                SyncKind::ExportEvaluations => export_evaluations(&mut p, &shop, c.as_ref(), from, to).await,
            },
        };
        let end = match result {
            Ok(()) => SyncState::Succeeded,
            Err(e) => {
                tracing::warn!(error = %e, "sync run failed");
                p.errors.push(e.to_string());
                SyncState::Failed
            }
        };
        p.save(Some(end)).await;
        tracing::info!(
            state = end.as_str(),
            created = p.run.created,
            updated = p.run.updated,
            failed = p.run.failed,
            "sync run finished"
        );
        crate::metrics::sync_run(
            &shop.marketplace.as_str().to_ascii_lowercase(),
            &kind.as_str().to_ascii_lowercase(),
            &end.as_str().to_ascii_lowercase(),
            started.elapsed(),
        );
        p.run
    }
    .instrument(span)
    .await
}

/// What staff and API clients see of an application error in a run's error list: its plain
/// message. An internal error (a database failure, …) is logged here with its detail and shown
/// only as a plain sentence.
pub(crate) fn app_error_text(e: &AppError) -> String {
    match e {
        AppError::Internal(inner) => {
            tracing::warn!(error = ?inner, "an internal error during a sync run");
            INTERNAL_TEXT.to_owned()
        }
        other => other.message(),
    }
}

/// The plain text for a failure inside Madoguchi (never the database's or library's own text).
pub(crate) const INTERNAL_TEXT: &str = "Madoguchi内部で問題が発生しました。時間をおいてもう一度お試しください (an internal error occurred; try again later)";

/// A database failure during a run: logged with its detail, reported in plain words.
pub(crate) fn db_fault(e: sea_orm::DbErr) -> MarketplaceError {
    tracing::warn!(error = %e, "a database error during a sync run");
    MarketplaceError::Protocol(INTERNAL_TEXT.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a run's error list shows of a failure inside Madoguchi: a plain sentence, never the
    /// database's or a library's own text (that goes to the log).
    #[test]
    fn internal_errors_reach_a_run_as_a_plain_sentence() {
        let db = AppError::internal(anyhow::anyhow!(
            "Query Error: error returned from database: relation \"order\" does not exist (code: 42P01)"
        ));
        let text = app_error_text(&db);
        assert_eq!(text, INTERNAL_TEXT);
        assert!(!text.contains("relation") && !text.contains("42P01"));
        let fault = db_fault(sea_orm::DbErr::Custom("disk I/O error at /var/lib/madoguchi/db.sqlite".into()));
        assert!(!fault.to_string().contains("disk I/O") && !fault.to_string().contains("/var/lib"), "{fault}");
        // Application errors keep their own (plain) message.
        let v = AppError::validation("from", "期間の開始が終了より後です (from is after to)");
        assert_eq!(app_error_text(&v), v.message());
    }
}
