//! Maps each marketplace's own order status onto [`OrderStatus`] (SPEC §4). The original text is
//! kept on the order as well; this mapping only decides how Madoguchi treats the order.
//!
//! The raw text per marketplace (surrounding whitespace is ignored everywhere):
//!
//! | marketplace | raw text | mapping |
//! | --- | --- | --- |
//! | Rakuten | RakutenPayOrderAPI `orderProgress` code as text (MARKETPLACES.md §2.4) | `100` 注文確認待ち → New, `200` 楽天処理中 → Processing, `300` 発送待ち → AwaitingShipment, `400` 変更確定待ち → OnHold, `500` 発送済 → Shipped, `600` 支払手続き中 / `700` 支払手続き済 → Completed, `800` キャンセル確定待ち / `900` キャンセル確定 → Cancelled |
//! | Yahoo! | order API `OrderStatus` code, optionally followed by `/` and the `ShipStatus` code, e.g. `2/3` (MARKETPLACES.md §4.1) | `0` 未入力 / `1` 予約中 → New, `2` 処理中 → Processing (with ship status `1` 出荷可 / `2` 出荷処理中 → AwaitingShipment, `3` 出荷済み / `4` 着荷済み → Shipped, `0` 出荷不可 → Processing), `3` 保留 → OnHold, `4` キャンセル → Cancelled, `5` 完了 → Completed, `8` 繰上げ同意待ち → OnHold. The ship status only refines order status 2. |
//! | au PAY | the Japanese status name of `searchTradeInfoListProc` `orderStatus` | see [`AU_PAY_STATUSES`] |
//! | Amazon | SP-API `OrderStatus` | `Pending` → New, `Unshipped` → AwaitingShipment, `PartiallyShipped` → Processing, `Shipped` → Shipped, `Canceled` → Cancelled, `Unfulfillable` → OnHold, `InvoiceUnconfirmed` → Processing, `PendingAvailability` → New (compared ignoring ASCII case) |
//! | Rakuma | ASSUMED English codes of the (unpublished) shop API | see [`RAKUMA_STATUSES`] |
//! | custom CSV | Madoguchi's own Japanese labels (新規受付, 処理中, 保留, 出荷待ち, 出荷済み, 完了, キャンセル) or the API codes (`NEW`, `PROCESSING`, …, ignoring ASCII case) | the status named |
//!
//! **Unknown values map to [`OrderStatus::Processing`]**: an order must never be lost or hidden
//! because a marketplace added a status (or a shop uses a custom one). Processing is the neutral
//! "being handled" state: unlike New it does not pretend a fresh order arrived, unlike OnHold or
//! Cancelled it does not drop the order out of the daily work, and a shipping export still
//! needs a ship date and tracking number entered by staff. [`is_known`] lets the importer log
//! or show such values, and the original text stays visible on the order.

use crate::{Marketplace, OrderStatus};

/// Rakuten `orderProgress` codes.
pub const RAKUTEN_STATUSES: &[(&str, OrderStatus)] = &[
    ("100", OrderStatus::New),              // 注文確認待ち
    ("200", OrderStatus::Processing),       // 楽天処理中
    ("300", OrderStatus::AwaitingShipment), // 発送待ち
    ("400", OrderStatus::OnHold),           // 変更確定待ち
    ("500", OrderStatus::Shipped),          // 発送済
    ("600", OrderStatus::Completed),        // 支払手続き中
    ("700", OrderStatus::Completed),        // 支払手続き済
    ("800", OrderStatus::Cancelled),        // キャンセル確定待ち
    ("900", OrderStatus::Cancelled),        // キャンセル確定
];

/// Yahoo! `OrderStatus` codes (order status 2 is refined by the ship status, see
/// [`from_marketplace`]).
pub const YAHOO_STATUSES: &[(&str, OrderStatus)] = &[
    ("0", OrderStatus::New),        // 未入力
    ("1", OrderStatus::New),        // 予約中
    ("2", OrderStatus::Processing), // 処理中
    ("3", OrderStatus::OnHold),     // 保留
    ("4", OrderStatus::Cancelled),  // キャンセル
    ("5", OrderStatus::Completed),  // 完了
    ("8", OrderStatus::OnHold),     // 繰上げ同意待ち (waiting for the buyer's consent)
];

/// au PAY Market status names (`orderStatus` of searchTradeInfoListProc).
///
/// ASSUMED: MARKETPLACES.md §6 lists no status values; these are the names Wow!manager shows.
/// Shop-defined custom statuses are unknown and map to Processing.
pub const AU_PAY_STATUSES: &[(&str, OrderStatus)] = &[
    ("新規受付", OrderStatus::New),
    ("与信待ち", OrderStatus::Processing),
    ("発送前入金待ち", OrderStatus::Processing),
    ("発送待ち", OrderStatus::AwaitingShipment),
    ("発送後入金待ち", OrderStatus::Shipped), // shipped; payment (e.g. deferred) still to come
    ("発送済み", OrderStatus::Shipped),
    ("完了", OrderStatus::Completed),
    ("保留", OrderStatus::OnHold),
    ("キャンセル", OrderStatus::Cancelled),
];

/// Amazon SP-API `OrderStatus` values.
pub const AMAZON_STATUSES: &[(&str, OrderStatus)] = &[
    ("Pending", OrderStatus::New),
    ("PendingAvailability", OrderStatus::New),
    ("Unshipped", OrderStatus::AwaitingShipment),
    ("PartiallyShipped", OrderStatus::Processing),
    ("Shipped", OrderStatus::Shipped),
    ("Canceled", OrderStatus::Cancelled),
    ("Unfulfillable", OrderStatus::OnHold),
    ("InvoiceUnconfirmed", OrderStatus::Processing),
];

/// Rakuma order status codes.
///
/// ASSUMED: Rakuma publishes no shop API (MARKETPLACES.md §5). These codes are the contract of
/// Madoguchi's Rakuma connector and the marketplace simulator, following the flow of a Rakuma
/// deal: paid → shipped → buyer rates on receipt (受取評価) → shop rates → completed.
/// Compared ignoring ASCII case.
pub const RAKUMA_STATUSES: &[(&str, OrderStatus)] = &[
    ("new", OrderStatus::New),                        // ASSUMED: 購入直後
    ("wait_payment", OrderStatus::Processing),        // ASSUMED: 支払い待ち
    ("wait_shipping", OrderStatus::AwaitingShipment), // ASSUMED: 発送待ち
    ("shipped", OrderStatus::Shipped),                // ASSUMED: 発送済み, 受取評価待ち
    ("wait_seller_review", OrderStatus::Shipped),     // ASSUMED: buyer rated, shop's rating pending
    ("completed", OrderStatus::Completed),            // ASSUMED: 取引完了
    ("on_hold", OrderStatus::OnHold),                 // ASSUMED: 保留
    ("cancelled", OrderStatus::Cancelled),            // ASSUMED: キャンセル
    ("canceled", OrderStatus::Cancelled),             // ASSUMED: US spelling accepted too
];

fn lookup(table: &[(&str, OrderStatus)], raw: &str, ignore_case: bool) -> Option<OrderStatus> {
    table
        .iter()
        .find(|(code, _)| if ignore_case { code.eq_ignore_ascii_case(raw) } else { *code == raw })
        .map(|(_, status)| *status)
}

fn yahoo(raw: &str) -> Option<OrderStatus> {
    let (order, ship) = match raw.split_once('/') {
        Some((order, ship)) => (order.trim(), Some(ship.trim())),
        None => (raw, None),
    };
    let status = lookup(YAHOO_STATUSES, order, false)?;
    let ship_status = match ship {
        None => None,
        Some(s) if matches!(s, "0" | "1" | "2" | "3" | "4") => Some(s),
        Some(_) => return None,
    };
    Some(match (status, ship_status) {
        (OrderStatus::Processing, Some("1" | "2")) => OrderStatus::AwaitingShipment,
        (OrderStatus::Processing, Some("3" | "4")) => OrderStatus::Shipped,
        (status, _) => status,
    })
}

fn custom_csv(raw: &str) -> Option<OrderStatus> {
    OrderStatus::ALL.iter().copied().find(|s| s.label_ja() == raw || s.as_str().eq_ignore_ascii_case(raw))
}

fn known(marketplace: Marketplace, raw: &str) -> Option<OrderStatus> {
    let raw = raw.trim();
    match marketplace {
        Marketplace::Rakuten => lookup(RAKUTEN_STATUSES, raw, false),
        Marketplace::Yahoo => yahoo(raw),
        Marketplace::AuPay => lookup(AU_PAY_STATUSES, raw, false),
        Marketplace::Amazon => lookup(AMAZON_STATUSES, raw, true),
        Marketplace::Rakuma => lookup(RAKUMA_STATUSES, raw, true),
        Marketplace::CustomCsv => custom_csv(raw),
    }
}

/// The Madoguchi status of a marketplace's raw order status (see the table at the top);
/// unknown values give [`OrderStatus::Processing`].
pub fn from_marketplace(marketplace: Marketplace, raw: &str) -> OrderStatus {
    known(marketplace, raw).unwrap_or(OrderStatus::Processing)
}

/// The Madoguchi status of a raw status this mapping knows; `None` for anything else.
pub fn known_status(marketplace: Marketplace, raw: &str) -> Option<OrderStatus> {
    known(marketplace, raw)
}

/// Whether the raw status is one this mapping knows (rather than falling back to Processing).
pub fn is_known(marketplace: Marketplace, raw: &str) -> bool {
    known(marketplace, raw).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Marketplace::*;
    use OrderStatus::*;

    #[test]
    fn rakuten_order_progress_codes_map_onto_madoguchi_statuses() {
        let expected = [
            ("100", New),
            ("200", Processing),
            ("300", AwaitingShipment),
            ("400", OnHold),
            ("500", Shipped),
            ("600", Completed),
            ("700", Completed),
            ("800", Cancelled),
            ("900", Cancelled),
        ];
        for (raw, status) in expected {
            assert_eq!(from_marketplace(Rakuten, raw), status, "{raw}");
            assert!(is_known(Rakuten, raw));
        }
        assert_eq!(from_marketplace(Rakuten, " 500 "), Shipped);
    }

    #[test]
    fn yahoo_order_status_codes_map_onto_madoguchi_statuses() {
        let expected = [
            ("0", New),
            ("1", New),
            ("2", Processing),
            ("3", OnHold),
            ("4", Cancelled),
            ("5", Completed),
            ("8", OnHold),
        ];
        for (raw, status) in expected {
            assert_eq!(from_marketplace(Yahoo, raw), status, "{raw}");
        }
    }

    #[test]
    fn yahoo_order_in_process_that_has_shipped_is_shipped() {
        assert_eq!(from_marketplace(Yahoo, "2/3"), Shipped);
        assert_eq!(from_marketplace(Yahoo, "2/4"), Shipped);
        assert_eq!(from_marketplace(Yahoo, "2 / 3"), Shipped);
    }

    #[test]
    fn yahoo_order_in_process_that_may_ship_awaits_shipment() {
        assert_eq!(from_marketplace(Yahoo, "2/1"), AwaitingShipment);
        assert_eq!(from_marketplace(Yahoo, "2/2"), AwaitingShipment);
        assert_eq!(from_marketplace(Yahoo, "2/0"), Processing);
    }

    #[test]
    fn yahoo_ship_status_does_not_override_other_order_statuses() {
        assert_eq!(from_marketplace(Yahoo, "5/3"), Completed);
        assert_eq!(from_marketplace(Yahoo, "4/3"), Cancelled);
        assert_eq!(from_marketplace(Yahoo, "3/1"), OnHold);
    }

    #[test]
    fn yahoo_values_with_an_unknown_part_are_unknown() {
        for raw in ["6", "2/9", "2/", "x/3", "2/3/4"] {
            assert!(!is_known(Yahoo, raw), "{raw}");
            assert_eq!(from_marketplace(Yahoo, raw), Processing);
        }
    }

    #[test]
    fn au_pay_status_names_map_onto_madoguchi_statuses() {
        assert_eq!(from_marketplace(AuPay, "新規受付"), New);
        assert_eq!(from_marketplace(AuPay, "発送前入金待ち"), Processing);
        assert_eq!(from_marketplace(AuPay, "発送待ち"), AwaitingShipment);
        assert_eq!(from_marketplace(AuPay, "発送後入金待ち"), Shipped);
        assert_eq!(from_marketplace(AuPay, "完了"), Completed);
        assert_eq!(from_marketplace(AuPay, "保留"), OnHold);
        assert_eq!(from_marketplace(AuPay, "キャンセル"), Cancelled);
    }

    #[test]
    fn amazon_order_statuses_map_onto_madoguchi_statuses() {
        let expected = [
            ("Pending", New),
            ("Unshipped", AwaitingShipment),
            ("PartiallyShipped", Processing),
            ("Shipped", Shipped),
            ("Canceled", Cancelled),
            ("Unfulfillable", OnHold),
            ("InvoiceUnconfirmed", Processing),
            ("PendingAvailability", New),
        ];
        for (raw, status) in expected {
            assert_eq!(from_marketplace(Amazon, raw), status, "{raw}");
            assert!(is_known(Amazon, raw));
        }
        assert_eq!(from_marketplace(Amazon, "shipped"), Shipped);
    }

    #[test]
    fn rakuma_assumed_codes_map_onto_madoguchi_statuses() {
        assert_eq!(from_marketplace(Rakuma, "new"), New);
        assert_eq!(from_marketplace(Rakuma, "wait_shipping"), AwaitingShipment);
        assert_eq!(from_marketplace(Rakuma, "shipped"), Shipped);
        assert_eq!(from_marketplace(Rakuma, "completed"), Completed);
        assert_eq!(from_marketplace(Rakuma, "CANCELLED"), Cancelled);
    }

    #[test]
    fn custom_csv_accepts_the_japanese_labels_and_the_api_codes() {
        for status in OrderStatus::ALL {
            assert_eq!(from_marketplace(CustomCsv, status.label_ja()), *status);
            assert_eq!(from_marketplace(CustomCsv, status.as_str()), *status);
            assert_eq!(from_marketplace(CustomCsv, &status.as_str().to_lowercase()), *status);
            assert!(is_known(CustomCsv, &format!(" {} ", status.label_ja())));
        }
    }

    #[test]
    fn unknown_raw_statuses_map_to_processing() {
        for m in Marketplace::ALL {
            for raw in ["", "???", "999", "ステータス不明"] {
                assert!(!is_known(*m, raw), "{m:?} {raw}");
                assert_eq!(from_marketplace(*m, raw), Processing);
            }
        }
    }

    #[test]
    fn a_code_of_one_marketplace_is_not_known_on_another() {
        assert!(!is_known(Rakuten, "Shipped"));
        assert!(!is_known(Amazon, "500"));
        assert!(!is_known(Yahoo, "100"));
    }
}
