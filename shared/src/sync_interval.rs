//! How often a shop's automatic runs (自動取込・自動書出) start: each shop's own interval
//! (`autoIntervalSeconds`), or its marketplace's default, chosen from what the marketplace lets
//! one shop ask (the rates of `connectors/src/pace.rs`, MARKETPLACES.md).
//!
//! A pass of a shop asks the marketplace for up to 10 import windows (each a search, plus its
//! further pages), its inquiries, and sends the export's changed shipments.
//! - Rakuten, au PAY Market, Rakuma (about 1 request per second, ASSUMED) and Yahoo! (1 request
//!   per second per URL): such a pass takes well under a minute of the shop's budget, so every
//!   5 minutes leaves most of it to replies and staff's own runs.
//! - Amazon: getOrders refills one request a minute (burst 20). A pass asks getOrders once per
//!   window (≤ 10), so every 10 minutes refills what a pass spends and the burst stays for
//!   staff's manual imports.
//! - Custom-CSV shops have no automatic runs (files are uploaded); their value is never used.

use crate::Marketplace;

/// The shortest interval a shop may set: 1 minute.
pub const MIN_AUTO_INTERVAL_SECONDS: i32 = 60;
/// The longest interval a shop may set: 1 day.
pub const MAX_AUTO_INTERVAL_SECONDS: i32 = 86_400;

/// The marketplace's default interval between a shop's automatic runs of one kind, in seconds.
pub fn default_auto_interval_seconds(m: Marketplace) -> i32 {
    match m {
        Marketplace::Amazon => 600,
        Marketplace::Rakuten
        | Marketplace::Yahoo
        | Marketplace::Rakuma
        | Marketplace::AuPay
        | Marketplace::CustomCsv => 300,
    }
}

/// The interval a shop's automatic runs follow: its own (`stored`), else its marketplace's default.
pub fn auto_interval_seconds(m: Marketplace, stored: Option<i32>) -> i32 {
    stored.unwrap_or_else(|| default_auto_interval_seconds(m))
}

/// Whether a shop may set this interval (1 minute to 1 day).
pub fn is_valid_auto_interval(seconds: i32) -> bool {
    (MIN_AUTO_INTERVAL_SECONDS..=MAX_AUTO_INTERVAL_SECONDS).contains(&seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_marketplace_has_a_default_within_what_a_shop_may_set_and_amazon_waits_longest() {
        for m in Marketplace::ALL {
            assert!(is_valid_auto_interval(default_auto_interval_seconds(*m)), "{m:?}");
        }
        assert_eq!(default_auto_interval_seconds(Marketplace::Rakuten), 300);
        assert_eq!(default_auto_interval_seconds(Marketplace::Yahoo), 300);
        // getOrders: one a minute; a pass asks up to 10 windows.
        assert_eq!(default_auto_interval_seconds(Marketplace::Amazon), 600);
    }

    #[test]
    fn a_shop_s_own_interval_wins_and_the_range_is_a_minute_to_a_day() {
        assert_eq!(auto_interval_seconds(Marketplace::Amazon, None), 600);
        assert_eq!(auto_interval_seconds(Marketplace::Amazon, Some(3600)), 3600);
        assert!(is_valid_auto_interval(60) && is_valid_auto_interval(86_400));
        assert!(!is_valid_auto_interval(59) && !is_valid_auto_interval(86_401) && !is_valid_auto_interval(0));
    }
}
