//! Which orders a shipping update (発送情報を更新, SPEC §8) sends to the marketplace.
//!
//! The rule is the one of the Rakuma manual (seeds/003), applied to every marketplace that
//! takes shipping information:
//!
//! > ■書出し対象
//! > 【2】で設定された作成期間内の「新規受付」「保留」「キャンセル」ステータス以外の
//! > 「出荷日※1 」と「お荷物伝票番号※2」が入力済みの受注
//! >
//! > ※1 出荷日が当日以前の注文のみ更新対象となります
//! > ※2 下記配送方法の場合は伝票番号が空欄でも書き出し対象となります
//! >   ・「配送業者が日本郵便orゆうパック」かつ「配送方法が定形外orレターパック」
//! >   ・「配送業者が佐川急便かつ配送方法がメール便」
//! >   ・「配送業者が日本郵便かつ配送方法がメール便」
//!
//! So an order qualifies when it was created within the chosen period, its status is none of
//! 新規受付 / 保留 / キャンセル, its ship date is set and is today or earlier, and its tracking
//! number is set unless its carrier and delivery method are one of the pairs above.
//! "Orders already exported with the same data are not sent again": compare
//! [`shipment_fingerprint`] with the one stored at the last successful export.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};

use crate::OrderStatus;

/// The facts of one order that decide whether its shipping information is exported.
#[derive(Clone, Copy, Debug)]
pub struct ShipmentFacts<'a> {
    pub status: OrderStatus,
    /// When the order was created (ordered at).
    pub created_at: DateTime<Utc>,
    /// 出荷日.
    pub ship_date: Option<NaiveDate>,
    /// 配送業者.
    pub carrier: Option<&'a str>,
    /// 配送方法.
    pub delivery_method: Option<&'a str>,
    /// お荷物伝票番号.
    pub tracking_number: Option<&'a str>,
}

/// Why an order's shipping information is not exported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ineligible {
    /// The order was not created within the chosen period.
    OutsidePeriod,
    /// 新規受付, 保留 and キャンセル are never exported.
    Status(OrderStatus),
    /// 出荷日 is empty.
    NoShipDate,
    /// 出荷日 is after today.
    ShipDateInFuture(NaiveDate),
    /// お荷物伝票番号 is empty and the carrier/method pair needs one.
    NoTrackingNumber,
}

impl fmt::Display for Ineligible {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ineligible::OutsidePeriod => {
                write!(f, "指定した作成期間外の受注です (the order was not created within the chosen period)")
            }
            Ineligible::Status(status) => write!(
                f,
                "ステータスが「{}」の受注は書き出し対象外です (orders with status {} are not exported)",
                status.label_ja(),
                status.as_str()
            ),
            Ineligible::NoShipDate => {
                write!(f, "出荷日が入力されていません (the ship date is not set)")
            }
            Ineligible::ShipDateInFuture(date) => write!(
                f,
                "出荷日({})が未来の日付です。出荷日が当日以前の受注のみ書き出し対象です \
                 (the ship date {} is in the future; only orders shipped today or earlier are exported)",
                date.format("%Y/%m/%d"),
                date.format("%Y-%m-%d")
            ),
            Ineligible::NoTrackingNumber => write!(
                f,
                "お荷物伝票番号が入力されていません (the tracking number is not set, and this carrier and \
                 delivery method need one)"
            ),
        }
    }
}

impl std::error::Error for Ineligible {}

/// Whether an order in this status may have its shipping information exported: every status
/// except 新規受付 (New), 保留 (OnHold) and キャンセル (Cancelled).
pub fn is_exportable_status(status: OrderStatus) -> bool {
    !matches!(status, OrderStatus::New | OrderStatus::OnHold | OrderStatus::Cancelled)
}

/// Whether the order's shipping information is exported; otherwise the first reason it is not.
///
/// - Period: `from <= created_at <= to`, both ends inclusive (a period picked as two dates is
///   expected to reach to the end of the last day; the caller builds `to` accordingly). A
///   period whose `from` is after its `to` contains nothing.
/// - `today`: the shop's current calendar date (Japan time), passed in because this code has
///   no clock. A ship date equal to `today` qualifies.
/// - Checked in this order: period, status, ship date, tracking number.
pub fn shipment_eligibility(
    facts: &ShipmentFacts<'_>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    today: NaiveDate,
) -> Result<(), Ineligible> {
    if facts.created_at < from || facts.created_at > to {
        return Err(Ineligible::OutsidePeriod);
    }
    match shipment_ineligibilities(facts, today).into_iter().next() {
        Some(first) => Err(first),
        None => Ok(()),
    }
}

/// Every rule, apart from the period, that keeps the order's shipping information from being
/// exported, in the order [`shipment_eligibility`] checks them (empty: it qualifies). The order
/// page explains an order with this list, so its explanation is the export's own rule.
pub fn shipment_ineligibilities(facts: &ShipmentFacts<'_>, today: NaiveDate) -> Vec<Ineligible> {
    let mut reasons = Vec::new();
    if !is_exportable_status(facts.status) {
        reasons.push(Ineligible::Status(facts.status));
    }
    match facts.ship_date {
        None => reasons.push(Ineligible::NoShipDate),
        Some(date) if date > today => reasons.push(Ineligible::ShipDateInFuture(date)),
        Some(_) => {}
    }
    if present(facts.tracking_number).is_none() && tracking_number_required(facts.carrier, facts.delivery_method) {
        reasons.push(Ineligible::NoTrackingNumber);
    }
    reasons
}

impl Ineligible {
    /// The reason in the staff's words, Japanese only (the order page's explanation).
    pub fn label_ja(&self) -> String {
        match self {
            Ineligible::OutsidePeriod => "指定した作成期間外の受注です".into(),
            Ineligible::Status(status) => format!("ステータスが「{}」の受注は書き出し対象外です", status.label_ja()),
            Ineligible::NoShipDate => "出荷日が入力されていません".into(),
            Ineligible::ShipDateInFuture(date) => {
                format!(
                    "出荷日({})が未来の日付です。出荷日が当日以前の受注のみ書き出し対象です",
                    date.format("%Y/%m/%d")
                )
            }
            Ineligible::NoTrackingNumber => {
                "お荷物伝票番号が入力されていません(この配送業者・配送方法では必須です)".into()
            }
        }
    }
}

/// The value with surrounding whitespace removed (half-width and full-width spaces, tabs, line
/// breaks); `None` when unset or blank.
fn present(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// Whether an order shipped with this carrier and delivery method needs a tracking number.
///
/// It needs none only for these pairs (the Rakuma manual's ※2):
/// - carrier 日本郵便 or ゆうパック with method 定形外 or レターパック;
/// - carrier 佐川急便 with method メール便;
/// - carrier 日本郵便 with method メール便.
///
/// Values are compared exactly after removing surrounding half-width and full-width spaces:
/// variants such as 「レターパックプラス」 or 「定形外郵便」 are not in the manual's list and
/// so still need a tracking number. A blank value counts as unset, and an unset carrier or
/// method always needs one.
pub fn tracking_number_required(carrier: Option<&str>, delivery_method: Option<&str>) -> bool {
    let (Some(carrier), Some(method)) = (present(carrier), present(delivery_method)) else {
        return true;
    };
    let exempt = matches!(
        (carrier, method),
        ("日本郵便" | "ゆうパック", "定形外" | "レターパック") | ("佐川急便", "メール便") | ("日本郵便", "メール便")
    );
    !exempt
}

/// A stable text of the shipping data sent to the marketplace: equal data gives an equal
/// fingerprint, so an order already exported with the same data is not sent again.
///
/// Values are trimmed and blank ones count as unset, so whitespace-only edits do not cause a
/// resend. The text is a versioned JSON array (`v1` followed by ship date `YYYY-MM-DD`,
/// carrier, method, tracking number, `null` when unset), so no value can be confused with a
/// separator. Store it as it is; never parse it.
pub fn shipment_fingerprint(
    ship_date: Option<NaiveDate>,
    carrier: Option<&str>,
    delivery_method: Option<&str>,
    tracking_number: Option<&str>,
) -> String {
    let date = ship_date.map(|d| d.format("%Y-%m-%d").to_string());
    let values = [Some("v1"), date.as_deref(), present(carrier), present(delivery_method), present(tracking_number)];
    let values = values.iter().map(|v| v.map_or(serde_json::Value::Null, |s| serde_json::Value::String(s.to_owned())));
    serde_json::Value::Array(values.collect()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    const TODAY: (i32, u32, u32) = (2024, 3, 15);

    fn today() -> NaiveDate {
        date(TODAY.0, TODAY.1, TODAY.2)
    }

    fn period() -> (DateTime<Utc>, DateTime<Utc>) {
        (at(2024, 3, 1, 0), at(2024, 3, 31, 0))
    }

    fn facts<'a>() -> ShipmentFacts<'a> {
        ShipmentFacts {
            status: OrderStatus::Shipped,
            created_at: at(2024, 3, 10, 12),
            ship_date: Some(today()),
            carrier: Some("ヤマト運輸"),
            delivery_method: Some("宅急便"),
            tracking_number: Some("1234-5678-9012"),
        }
    }

    fn check(f: &ShipmentFacts<'_>) -> Result<(), Ineligible> {
        let (from, to) = period();
        shipment_eligibility(f, from, to, today())
    }

    #[test]
    fn an_order_shipped_today_with_a_tracking_number_is_exported() {
        assert_eq!(check(&facts()), Ok(()));
    }

    #[test]
    fn the_export_rule_table() {
        use OrderStatus::*;
        let yesterday = today().pred_opt().unwrap();
        let tomorrow = today().succ_opt().unwrap();
        type Row = (
            OrderStatus,
            Option<NaiveDate>,
            Option<&'static str>,
            Option<&'static str>,
            Option<&'static str>,
            Result<(), Ineligible>,
        );
        let rows: Vec<Row> = vec![
            // status: every status with complete shipping data
            (New, Some(today()), Some("ヤマト運輸"), Some("宅急便"), Some("123"), Err(Ineligible::Status(New))),
            (Processing, Some(today()), Some("ヤマト運輸"), Some("宅急便"), Some("123"), Ok(())),
            (OnHold, Some(today()), Some("ヤマト運輸"), Some("宅急便"), Some("123"), Err(Ineligible::Status(OnHold))),
            (AwaitingShipment, Some(today()), Some("ヤマト運輸"), Some("宅急便"), Some("123"), Ok(())),
            (Shipped, Some(today()), Some("ヤマト運輸"), Some("宅急便"), Some("123"), Ok(())),
            (Completed, Some(today()), Some("ヤマト運輸"), Some("宅急便"), Some("123"), Ok(())),
            (
                Cancelled,
                Some(today()),
                Some("ヤマト運輸"),
                Some("宅急便"),
                Some("123"),
                Err(Ineligible::Status(Cancelled)),
            ),
            // ship date: yesterday, today, tomorrow, empty
            (Shipped, Some(yesterday), Some("ヤマト運輸"), Some("宅急便"), Some("123"), Ok(())),
            (Shipped, Some(today()), Some("ヤマト運輸"), Some("宅急便"), Some("123"), Ok(())),
            (
                Shipped,
                Some(tomorrow),
                Some("ヤマト運輸"),
                Some("宅急便"),
                Some("123"),
                Err(Ineligible::ShipDateInFuture(tomorrow)),
            ),
            (Shipped, None, Some("ヤマト運輸"), Some("宅急便"), Some("123"), Err(Ineligible::NoShipDate)),
            // tracking number: each exception without one, and non-exceptions
            (Shipped, Some(today()), Some("日本郵便"), Some("定形外"), None, Ok(())),
            (Shipped, Some(today()), Some("日本郵便"), Some("レターパック"), None, Ok(())),
            (Shipped, Some(today()), Some("ゆうパック"), Some("定形外"), None, Ok(())),
            (Shipped, Some(today()), Some("ゆうパック"), Some("レターパック"), None, Ok(())),
            (Shipped, Some(today()), Some("佐川急便"), Some("メール便"), None, Ok(())),
            (Shipped, Some(today()), Some("日本郵便"), Some("メール便"), None, Ok(())),
            (Shipped, Some(today()), Some("ヤマト運輸"), Some("宅急便"), None, Err(Ineligible::NoTrackingNumber)),
            (Shipped, Some(today()), Some("ゆうパック"), Some("メール便"), None, Err(Ineligible::NoTrackingNumber)),
            (Shipped, Some(today()), Some("佐川急便"), Some("定形外"), None, Err(Ineligible::NoTrackingNumber)),
            (Shipped, Some(today()), Some("ヤマト運輸"), Some("メール便"), None, Err(Ineligible::NoTrackingNumber)),
            (Shipped, Some(today()), None, None, None, Err(Ineligible::NoTrackingNumber)),
            (Shipped, Some(today()), Some("日本郵便"), Some("定形外"), Some("  "), Ok(())),
            (Shipped, Some(today()), Some("ヤマト運輸"), Some("宅急便"), Some("　"), Err(Ineligible::NoTrackingNumber)),
            // an exception pair with a tracking number is of course exported
            (Shipped, Some(today()), Some("日本郵便"), Some("レターパック"), Some("123"), Ok(())),
        ];
        for (i, (status, ship_date, carrier, delivery_method, tracking_number, expected)) in
            rows.into_iter().enumerate()
        {
            let f = ShipmentFacts { status, ship_date, carrier, delivery_method, tracking_number, ..facts() };
            assert_eq!(
                check(&f),
                expected,
                "row {i}: {status:?} {ship_date:?} {carrier:?} {delivery_method:?} {tracking_number:?}"
            );
        }
    }

    #[test]
    fn the_period_includes_both_ends() {
        let (from, to) = period();
        for created_at in [from, to] {
            assert_eq!(check(&ShipmentFacts { created_at, ..facts() }), Ok(()));
        }
    }

    #[test]
    fn an_order_created_outside_the_period_is_not_exported() {
        let (from, to) = period();
        for created_at in [from - chrono::Duration::seconds(1), to + chrono::Duration::seconds(1)] {
            assert_eq!(check(&ShipmentFacts { created_at, ..facts() }), Err(Ineligible::OutsidePeriod));
        }
        // A reversed period contains nothing.
        assert_eq!(shipment_eligibility(&facts(), to, from, today()), Err(Ineligible::OutsidePeriod));
    }

    #[test]
    fn the_period_is_checked_before_anything_else() {
        let f =
            ShipmentFacts { created_at: at(2023, 1, 1, 0), status: OrderStatus::Cancelled, ship_date: None, ..facts() };
        assert_eq!(check(&f), Err(Ineligible::OutsidePeriod));
    }

    #[test]
    fn new_on_hold_and_cancelled_orders_are_never_exported() {
        for s in OrderStatus::ALL {
            let expected = !matches!(s, OrderStatus::New | OrderStatus::OnHold | OrderStatus::Cancelled);
            assert_eq!(is_exportable_status(*s), expected, "{s:?}");
        }
    }

    #[test]
    fn letter_pack_by_japan_post_needs_no_tracking_number() {
        assert!(!tracking_number_required(Some("日本郵便"), Some("レターパック")));
    }

    #[test]
    fn non_standard_mail_by_japan_post_or_yu_pack_needs_no_tracking_number() {
        assert!(!tracking_number_required(Some("日本郵便"), Some("定形外")));
        assert!(!tracking_number_required(Some("ゆうパック"), Some("定形外")));
        assert!(!tracking_number_required(Some("ゆうパック"), Some("レターパック")));
    }

    #[test]
    fn mail_service_by_sagawa_or_japan_post_needs_no_tracking_number() {
        assert!(!tracking_number_required(Some("佐川急便"), Some("メール便")));
        assert!(!tracking_number_required(Some("日本郵便"), Some("メール便")));
    }

    #[test]
    fn other_carrier_and_method_pairs_need_a_tracking_number() {
        assert!(tracking_number_required(Some("ヤマト運輸"), Some("宅急便")));
        assert!(tracking_number_required(Some("ゆうパック"), Some("メール便")));
        assert!(tracking_number_required(Some("佐川急便"), Some("レターパック")));
        assert!(tracking_number_required(Some("ヤマト運輸"), Some("メール便")));
    }

    #[test]
    fn method_names_outside_the_manuals_list_need_a_tracking_number() {
        assert!(tracking_number_required(Some("日本郵便"), Some("レターパックプラス")));
        assert!(tracking_number_required(Some("日本郵便"), Some("定形外郵便")));
        assert!(tracking_number_required(Some("日本郵便株式会社"), Some("レターパック")));
    }

    #[test]
    fn spaces_around_carrier_and_method_are_insignificant() {
        assert!(!tracking_number_required(Some(" 日本郵便　"), Some("　レターパック ")));
        assert!(!tracking_number_required(Some("\t佐川急便\n"), Some(" メール便")));
    }

    #[test]
    fn a_blank_or_missing_carrier_or_method_needs_a_tracking_number() {
        assert!(tracking_number_required(None, Some("レターパック")));
        assert!(tracking_number_required(Some("日本郵便"), None));
        assert!(tracking_number_required(Some("　"), Some("レターパック")));
        assert!(tracking_number_required(Some("日本郵便"), Some("  ")));
    }

    #[test]
    fn equal_shipping_data_gives_an_equal_fingerprint() {
        let a = shipment_fingerprint(Some(date(2024, 3, 15)), Some("日本郵便"), Some("レターパック"), Some("1234"));
        let b = shipment_fingerprint(Some(date(2024, 3, 15)), Some(" 日本郵便"), Some("レターパック　"), Some("1234 "));
        assert_eq!(a, b);
        assert_eq!(a, r#"["v1","2024-03-15","日本郵便","レターパック","1234"]"#);
    }

    #[test]
    fn blank_shipping_values_fingerprint_as_unset() {
        assert_eq!(
            shipment_fingerprint(None, Some(""), Some("　"), None),
            shipment_fingerprint(None, None, None, Some(" "))
        );
    }

    #[test]
    fn any_change_of_shipping_data_changes_the_fingerprint() {
        let base = shipment_fingerprint(Some(date(2024, 3, 15)), Some("日本郵便"), Some("レターパック"), Some("1234"));
        let others = [
            shipment_fingerprint(Some(date(2024, 3, 16)), Some("日本郵便"), Some("レターパック"), Some("1234")),
            shipment_fingerprint(None, Some("日本郵便"), Some("レターパック"), Some("1234")),
            shipment_fingerprint(Some(date(2024, 3, 15)), Some("佐川急便"), Some("レターパック"), Some("1234")),
            shipment_fingerprint(Some(date(2024, 3, 15)), Some("日本郵便"), Some("メール便"), Some("1234")),
            shipment_fingerprint(Some(date(2024, 3, 15)), Some("日本郵便"), Some("レターパック"), Some("1235")),
            shipment_fingerprint(Some(date(2024, 3, 15)), Some("日本郵便"), Some("レターパック"), None),
        ];
        for other in others {
            assert_ne!(base, other);
        }
    }

    #[test]
    fn values_cannot_be_shifted_between_fingerprint_fields() {
        assert_ne!(
            shipment_fingerprint(None, Some("a|b"), Some("c"), None),
            shipment_fingerprint(None, Some("a"), Some("b|c"), None)
        );
        assert_ne!(
            shipment_fingerprint(None, Some("a\",\"b"), None, None),
            shipment_fingerprint(None, Some("a"), Some("b"), None)
        );
    }

    #[test]
    fn ineligibility_reasons_speak_japanese_first() {
        assert_eq!(
            Ineligible::Status(OrderStatus::OnHold).to_string(),
            "ステータスが「保留」の受注は書き出し対象外です (orders with status ON_HOLD are not exported)"
        );
        assert!(
            Ineligible::ShipDateInFuture(date(2024, 3, 16))
                .to_string()
                .starts_with("出荷日(2024/03/16)が未来の日付です")
        );
        assert!(Ineligible::NoTrackingNumber.to_string().starts_with("お荷物伝票番号が入力されていません"));
    }

    #[test]
    fn every_rule_that_excludes_an_order_is_listed_in_the_order_it_is_checked() {
        let tomorrow = today().succ_opt().unwrap();
        let f =
            ShipmentFacts { status: OrderStatus::OnHold, ship_date: Some(tomorrow), tracking_number: None, ..facts() };
        assert_eq!(
            shipment_ineligibilities(&f, today()),
            vec![
                Ineligible::Status(OrderStatus::OnHold),
                Ineligible::ShipDateInFuture(tomorrow),
                Ineligible::NoTrackingNumber
            ]
        );
        // The export itself stops at the first of them.
        assert_eq!(check(&f), Err(Ineligible::Status(OrderStatus::OnHold)));
    }

    #[test]
    fn an_order_that_qualifies_has_no_reason_listed() {
        assert!(shipment_ineligibilities(&facts(), today()).is_empty());
    }

    #[test]
    fn the_reasons_read_in_japanese_only() {
        let f = ShipmentFacts { ship_date: None, tracking_number: None, ..facts() };
        let labels: Vec<String> = shipment_ineligibilities(&f, today()).iter().map(Ineligible::label_ja).collect();
        assert_eq!(
            labels,
            vec![
                "出荷日が入力されていません",
                "お荷物伝票番号が入力されていません(この配送業者・配送方法では必須です)"
            ]
        );
        assert!(labels.iter().all(|l| !l.contains("the ")));
    }
}
