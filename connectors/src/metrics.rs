//! The connectors' one metric: marketplace answers by marketplace and HTTP status. Recorded
//! through the `metrics` facade; the server installs the recorder and serves it.

use metrics::counter;

pub const MARKETPLACE_RESPONSES: &str = "madoguchi_marketplace_http_responses_total";

/// A marketplace's answer (its HTTP status) or `none` when there was no answer.
pub fn marketplace_response(label: &str, status: Option<u16>) {
    let status = status.map_or_else(|| "none".to_owned(), |s| s.to_string());
    counter!(MARKETPLACE_RESPONSES, "marketplace" => marketplace_of_label(label), "status" => status).increment(1);
}

/// The marketplace a connector's label names (labels start with the marketplace's name), as
/// the other metrics name it: its API code in lower case.
fn marketplace_of_label(label: &str) -> &'static str {
    const NAMES: [(&str, &str); 6] = [
        ("楽天市場", "rakuten"),
        ("Yahoo", "yahoo"),
        ("au PAY", "au_pay"),
        ("Amazon", "amazon"),
        ("ラクマ", "rakuma"),
        ("Rakuma", "rakuma"),
    ];
    NAMES.iter().find(|(prefix, _)| label.starts_with(prefix)).map_or("other", |(_, m)| m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marketplace_labels_are_named_by_their_connector_label() {
        assert_eq!(marketplace_of_label("楽天市場の店舗「A」"), "rakuten");
        assert_eq!(marketplace_of_label("Yahoo!ショッピングの店舗「A」"), "yahoo");
        assert_eq!(marketplace_of_label("something"), "other");
    }
}
