//! Whether an order's shipping information goes out with the next automatic shipping export
//! (発送情報の書出), and if not, why: the export's own rules (`shared::export`), so the order
//! page's explanation cannot drift from what the export does.

use chrono::Duration;
use shared::export::shipment_ineligibilities;

use crate::clock;
use crate::store::entities::{order, shop};

/// Why an order that qualifies is not sent again (the order page and the export's lines).
pub const ALREADY_EXPORTED: &str = "同じ内容で書き出し済みです(内容を変更すると次回の書出で送られます)";

/// The order page's answer: eligible, or the reasons (Japanese, one per rule that excludes it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShipmentExportCheck {
    pub eligible: bool,
    pub reasons: Vec<String>,
}

/// The next automatic export sends the orders created within the shop's import period (its
/// `import_days`, as the scheduler's window), by the rules of `shared::export`, unless they were
/// already sent with the same data.
pub fn shipment_export_check(o: &order::Model, s: &shop::Model) -> ShipmentExportCheck {
    let marketplace: shared::Marketplace = s.marketplace.into();
    let mut reasons = Vec::new();
    if !marketplace.capabilities().exports_shipments {
        reasons.push(format!("{}には出荷情報を書き出しません", marketplace.label_ja()));
    }
    let now = clock::now();
    if o.ordered_at < now - Duration::days(i64::from(s.import_days.max(1))) {
        reasons.push(format!("注文日が自動書出の作成期間(直近{}日)より前です", s.import_days.max(1)));
    }
    let facts = super::shipment_facts(o);
    let today = now.with_timezone(&shared::jst()).date_naive();
    reasons.extend(shipment_ineligibilities(&facts, today).iter().map(|r| r.label_ja()));
    if reasons.is_empty() && o.last_export_fingerprint.as_deref() == Some(super::shipment_fingerprint_of(o).as_str()) {
        reasons.push(ALREADY_EXPORTED.into());
    }
    ShipmentExportCheck { eligible: reasons.is_empty(), reasons }
}
