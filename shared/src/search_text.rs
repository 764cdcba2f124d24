//! The inbox's search text: what is stored for an inquiry (customer name, subject, order
//! number, the marketplace's inquiry id, every message) and what a search is compared with,
//! normalised by one function on both sides so the two databases' trigram indexes (SQLite
//! FTS5, PostgreSQL pg_trgm) find the same inquiries.
//!
//! - NFKC: half-width katakana as full-width (ﾃｽﾄ → テスト), full-width digits and letters as
//!   ASCII (０９０ → 090, ＡＢＣ → ABC), the ideographic space as a space;
//! - lowercase;
//! - hyphens, dashes and minus signs left out (090-1234-5678 → 09012345678), and the prolonged
//!   sound mark ー after a digit, which IMEs type for a hyphen in numbers (090ー1234);
//! - every run of white space one space, none at either end.
//!
//! A field's normalised text never holds a line break: the stored text puts one between fields,
//! so no search (normalised the same way) matches across two fields.

use unicode_normalization::UnicodeNormalization;

/// Trigram indexes need three characters: a shorter search is a bounded scan (the server's
/// `inbox::search`).
pub const INDEXED_MIN_CHARS: usize = 3;

fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'
            ..='\u{2015}' | '\u{2043}' | '\u{2212}' | '\u{2E3A}' | '\u{2E3B}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}'
    )
}

/// One text as the search compares it.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.nfkc() {
        if is_dash(c) || (c == 'ー' && out.ends_with(|p: char| p.is_ascii_digit())) {
            continue;
        }
        if c.is_whitespace() || c.is_control() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.extend(c.to_lowercase());
    }
    out
}

/// The stored search text of an inquiry: each field normalised, one per line, empty ones left out.
pub fn document<'a>(fields: impl IntoIterator<Item = &'a str>) -> String {
    let parts: Vec<String> = fields.into_iter().map(normalise).filter(|f| !f.is_empty()).collect();
    parts.join("\n")
}

/// An inquiry's stored search text (`inquiry.search_text`): the same fields in the same order
/// wherever it is written (the server's `inbox::summarise`, the migration that filled it in).
pub fn inquiry_document<'a>(
    customer_name: Option<&'a str>,
    subject: Option<&'a str>,
    order_number: Option<&'a str>,
    marketplace_inquiry_id: &'a str,
    bodies: impl IntoIterator<Item = &'a str>,
) -> String {
    let head = [customer_name, subject, order_number, Some(marketplace_inquiry_id)];
    document(head.into_iter().flatten().chain(bodies))
}

/// A search as the database is asked it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    /// Normalised: compared with the stored text as a substring.
    pub text: String,
    /// Long enough for the trigram index ([`INDEXED_MIN_CHARS`] characters or more).
    pub indexed: bool,
}

/// What staff typed, as the database is asked it; `None` when nothing searchable is left
/// (blank, or only dashes).
pub fn query(typed: &str) -> Option<Query> {
    let text = normalise(typed);
    if text.is_empty() {
        return None;
    }
    let indexed = text.chars().count() >= INDEXED_MIN_CHARS;
    Some(Query { text, indexed })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_width_katakana_finds_full_width_katakana() {
        assert_eq!(normalise("ﾃｽﾄ"), "テスト");
        assert_eq!(normalise("ｶﾞｲﾄﾞﾌﾞｯｸ"), "ガイドブック", "voiced marks join their letter");
        assert!(document(["テスト用の商品"]).contains(&query("ﾃｽﾄ").unwrap().text));
    }

    #[test]
    fn full_width_digits_and_letters_are_ascii_and_lowercase() {
        assert_eq!(normalise("ＯＲＤＥＲ１２３"), "order123");
        assert_eq!(normalise("Order ABC"), "order abc");
        assert_eq!(normalise("注文番号４２４２"), "注文番号4242");
    }

    #[test]
    fn hyphens_and_dashes_are_left_out_so_phone_numbers_match_either_way() {
        assert_eq!(normalise("090-1234-5678"), "09012345678");
        assert_eq!(normalise("０９０－１２３４－５６７８"), "09012345678");
        assert_eq!(normalise("090‐1234―5678"), "09012345678");
        assert_eq!(normalise("090ー1234ー5678"), "09012345678", "the IME's ー between digits");
        assert_eq!(normalise("R-1234−5"), "r12345");
        assert!(document(["お電話 090-1234-5678 まで"]).contains(&query("09012345678").unwrap().text));
        assert!(document(["09012345678"]).contains(&query("090-1234").unwrap().text));
    }

    #[test]
    fn the_prolonged_sound_mark_stays_in_words() {
        assert_eq!(normalise("テーブル"), "テーブル");
        assert_eq!(normalise("ﾃｰﾌﾞﾙ"), "テーブル");
    }

    #[test]
    fn white_space_is_one_space_and_no_line_breaks_inside_a_field() {
        assert_eq!(normalise("  楽天\u{3000}太郎 \n\t様 "), "楽天 太郎 様");
        assert_eq!(
            document(["楽天 太郎", "", "配送\nについて", "ご注文の\r\n件"]),
            "楽天 太郎\n配送 について\nご注文の 件"
        );
    }

    #[test]
    fn an_inquiry_document_holds_every_field_and_message_in_order() {
        let doc = inquiry_document(Some("ﾔﾏﾀﾞ 太郎"), None, Some("ORD-0001"), "r-42", ["のし希望", "承知しました"]);
        assert_eq!(doc, "ヤマダ 太郎\nord0001\nr42\nのし希望\n承知しました");
    }

    #[test]
    fn a_search_is_indexed_from_three_characters_and_nothing_searchable_is_none() {
        assert_eq!(query(" のし "), Some(Query { text: "のし".into(), indexed: false }));
        assert_eq!(query("のし紙"), Some(Query { text: "のし紙".into(), indexed: true }));
        assert_eq!(query("ｱｲ"), Some(Query { text: "アイ".into(), indexed: false }));
        assert_eq!(query("１２３").map(|q| q.indexed), Some(true));
        assert_eq!(query("   "), None);
        assert_eq!(query("--"), None);
    }

    #[test]
    fn like_wildcards_are_plain_characters_here() {
        assert_eq!(normalise("100%_"), "100%_");
    }
}
