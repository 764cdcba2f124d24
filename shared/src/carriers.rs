//! 配送業者 (carriers) each marketplace accepts in shipping updates, by the name staff choose and
//! the code the marketplace's API takes (MARKETPLACES.md), and the 配送方法 (delivery methods) the
//! export rules know. The shipping form offers exactly these; the connectors send their codes.

use crate::Marketplace;

/// One carrier a marketplace accepts: the code its API takes and the name staff see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Carrier {
    pub code: &'static str,
    pub name: &'static str,
}

const fn c(code: &'static str, name: &'static str) -> Carrier {
    Carrier { code, name }
}

/// RMS 配送会社 codes (MARKETPLACES.md §2.5).
const RAKUTEN: &[Carrier] = &[
    c("1001", "ヤマト運輸"),
    c("1002", "佐川急便"),
    c("1003", "日本郵便"),
    c("1004", "西濃運輸"),
    c("1005", "セイノースーパーエクスプレス"),
    c("1006", "福山通運"),
    c("1007", "名鉄運輸"),
    c("1008", "トナミ運輸"),
    c("1009", "第一貨物"),
    c("1010", "新潟運輸"),
    c("1011", "中越運送"),
    c("1012", "岡山県貨物運送"),
    c("1013", "久留米運送"),
    c("1014", "山陽自動車運送"),
    c("1015", "NXトランスポート"),
    c("1016", "エコ配"),
    c("1017", "EMS"),
    c("1018", "DHL"),
    c("1019", "FedEx"),
    c("1020", "UPS"),
    c("1021", "日本通運"),
    c("1022", "TNT"),
    c("1023", "OCS"),
    c("1024", "USPS"),
    c("1025", "SFエクスプレス"),
    c("1026", "Aramex"),
    c("1027", "SGHグローバル・ジャパン"),
    c("1028", "Rakuten EXPRESS"),
    c("1029", "日本郵便 楽天倉庫出荷"),
    c("1030", "ヤマト運輸 クロネコゆうパケット"),
    c("1031", "名鉄NX運輸"),
    c("1000", "その他"),
];

/// Yahoo! ShipCompanyCode (MARKETPLACES.md §4.1).
const YAHOO: &[Carrier] = &[
    c("1001", "ヤマト運輸"),
    c("1002", "佐川急便"),
    c("1003", "日本郵便"),
    c("1004", "西濃運輸"),
    c("1000", "その他"),
];

/// au PAY Market shippingCarrier: the spec lists 1/2/4/5/6/7/9; 1 = ヤマト運輸 is the only name
/// confirmed, the others are ASSUMED (MARKETPLACES.md §5).
const AU_PAY: &[Carrier] = &[
    c("1", "ヤマト運輸"),
    c("2", "佐川急便"),
    c("4", "日本郵便"),
    c("5", "西濃運輸"),
    c("6", "福山通運"),
    c("9", "その他"),
];

/// Rakuma's carrier values (an ASSUMED contract, MARKETPLACES.md §3).
const RAKUMA: &[Carrier] =
    &[c("yamato", "ヤマト運輸"), c("sagawa", "佐川急便"), c("japanpost", "日本郵便"), c("other", "その他")];

/// The carriers a marketplace accepts, in the order a form offers them; `None` when any name
/// goes (the custom CSV shop's file carries the text as typed). Empty: no shipping update.
pub fn accepted(m: Marketplace) -> Option<&'static [Carrier]> {
    match m {
        Marketplace::Rakuten => Some(RAKUTEN),
        Marketplace::Yahoo => Some(YAHOO),
        Marketplace::AuPay => Some(AU_PAY),
        Marketplace::Rakuma => Some(RAKUMA),
        Marketplace::Amazon => Some(&[]),
        Marketplace::CustomCsv => None,
    }
}

/// Whether `name` is one of the marketplace's carriers exactly (the form's warning for a stored
/// value it does not offer). Blank is "not chosen", not a wrong value.
pub fn is_accepted(m: Marketplace, name: &str) -> bool {
    let name = name.trim();
    name.is_empty() || accepted(m).is_none_or(|list| list.iter().any(|c| c.name == name))
}

/// The carrier a commonly written name means (imported or older data: 「ヤマト」「ゆうパック」…).
fn canonical(name: &str) -> &str {
    match name {
        "ヤマト" | "クロネコヤマト" | "ヤマト宅急便" => "ヤマト運輸",
        "佐川" | "佐川急便株式会社" => "佐川急便",
        "ゆうパック" | "郵便局" | "日本郵便株式会社" | "ゆうパケット" => "日本郵便",
        "西濃" => "西濃運輸",
        "福山" => "福山通運",
        other => other,
    }
}

/// The code sent for a carrier name: its own code, the code of the carrier a common alias
/// means, else the marketplace's その他 (the tracking number still reaches the buyer).
/// au PAY Market takes ヤマト運輸 when no carrier is given (its one confirmed code).
pub fn code(m: Marketplace, name: Option<&str>) -> &'static str {
    let list = accepted(m).unwrap_or_default();
    let name = canonical(name.map(str::trim).unwrap_or(""));
    if m == Marketplace::AuPay && name.is_empty() {
        return "1";
    }
    list.iter().find(|c| c.name == name).or_else(|| list.iter().find(|c| c.name == "その他")).map_or("", |c| c.code)
}

/// The name of a code the marketplace reports, if known.
pub fn name(m: Marketplace, code: &str) -> Option<&'static str> {
    accepted(m).unwrap_or_default().iter().find(|c| c.code == code).map(|c| c.name)
}

/// The carriers every one of `marketplaces` accepts (一括変更 of orders from several
/// marketplaces), in the order the first one offers them; `None` when any name goes for all
/// of them (custom CSV shops only).
pub fn accepted_by_all(marketplaces: &[Marketplace]) -> Option<Vec<&'static str>> {
    let lists: Vec<&[Carrier]> = marketplaces.iter().filter_map(|m| accepted(*m)).collect();
    let first = lists.first()?;
    Some(first.iter().map(|c| c.name).filter(|name| lists.iter().all(|l| l.iter().any(|c| c.name == *name))).collect())
}

/// 配送方法 the shipping form offers: the methods of the export rule's exceptions (定形外,
/// レターパック, メール便 — `shared::export::tracking_number_required`) and the common others.
pub const DELIVERY_METHODS: &[&str] =
    &["宅配便", "宅急便", "メール便", "ネコポス", "ゆうパケット", "定形外", "レターパック", "クリックポスト"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bulk_edit_offers_the_carriers_every_selected_marketplace_accepts() {
        let both = accepted_by_all(&[Marketplace::Rakuten, Marketplace::Rakuma]).expect("a list");
        assert!(both.contains(&"ヤマト運輸") && both.contains(&"日本郵便"));
        assert!(!both.contains(&"西濃運輸"), "Rakuma does not take it: {both:?}");
        assert!(accepted_by_all(&[Marketplace::Rakuten, Marketplace::Amazon]).expect("a list").is_empty());
        assert_eq!(
            accepted_by_all(&[Marketplace::Rakuten, Marketplace::CustomCsv]),
            accepted_by_all(&[Marketplace::Rakuten])
        );
        assert_eq!(accepted_by_all(&[Marketplace::CustomCsv]), None);
        assert_eq!(accepted_by_all(&[]), None);
    }

    #[test]
    fn each_marketplace_gets_its_own_code_for_a_carrier() {
        assert_eq!(code(Marketplace::Rakuten, Some("佐川急便")), "1002");
        assert_eq!(code(Marketplace::Yahoo, Some("佐川急便")), "1002");
        assert_eq!(code(Marketplace::AuPay, Some("佐川急便")), "2");
        assert_eq!(code(Marketplace::Rakuma, Some("佐川急便")), "sagawa");
    }

    #[test]
    fn aliases_mean_their_carrier_and_unknown_names_are_sent_as_other() {
        assert_eq!(code(Marketplace::Rakuten, Some("ゆうパック")), "1003");
        assert_eq!(code(Marketplace::Yahoo, Some(" ヤマト ")), "1001");
        assert_eq!(code(Marketplace::Rakuten, Some("謎の運送")), "1000");
        assert_eq!(code(Marketplace::Rakuten, None), "1000");
        assert_eq!(code(Marketplace::AuPay, Some("謎の運送")), "9");
        assert_eq!(code(Marketplace::AuPay, None), "1");
        assert_eq!(code(Marketplace::Rakuma, Some("謎の運送")), "other");
    }

    #[test]
    fn codes_read_back_as_names() {
        assert_eq!(name(Marketplace::Rakuten, "1030"), Some("ヤマト運輸 クロネコゆうパケット"));
        assert_eq!(name(Marketplace::Rakuma, "japanpost"), Some("日本郵便"));
        assert_eq!(name(Marketplace::Yahoo, "9999"), None);
    }

    #[test]
    fn a_stored_name_the_marketplace_does_not_offer_is_flagged() {
        assert!(is_accepted(Marketplace::Rakuten, "福山通運"));
        assert!(!is_accepted(Marketplace::Yahoo, "福山通運"));
        assert!(!is_accepted(Marketplace::Rakuten, "ヤマト"), "an alias is not what the form offers");
        assert!(is_accepted(Marketplace::Yahoo, ""), "not chosen yet");
        assert!(is_accepted(Marketplace::CustomCsv, "自社便"), "the CSV shop takes any name");
    }

    #[test]
    fn every_method_the_export_rules_exempt_is_offered() {
        for m in ["定形外", "レターパック", "メール便"] {
            assert!(DELIVERY_METHODS.contains(&m), "{m}");
        }
    }
}
