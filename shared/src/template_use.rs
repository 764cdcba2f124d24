//! Using a template in a reply: finding it in the picker (テンプレートを検索) and putting its
//! text into the reply — at the cursor, or in place of what is there.

use crate::text_search::fold;

/// Whether a template matches the picker's search: every word of `query` (split on spaces,
/// full-width ones too) appears in its name or its text. An empty query matches everything.
pub fn matches(name: &str, body: &str, query: &str) -> bool {
    let haystack = format!("{}\n{}", fold(name), fold(body));
    fold(query).split_whitespace().all(|word| haystack.contains(word))
}

/// `text` with `insert` put in place of the selection `start..end`, given as the browser gives
/// it (UTF-16 code units, as `selectionStart`/`selectionEnd`), and where the cursor goes after
/// it (UTF-16). Offsets past the end, or reversed, are clamped.
pub fn insert_at(text: &str, insert: &str, start: u32, end: u32) -> (String, u32) {
    let byte_at = |utf16: u32| {
        let mut units = 0u32;
        for (i, c) in text.char_indices() {
            if units >= utf16 {
                return i;
            }
            units += c.len_utf16() as u32;
        }
        text.len()
    };
    let (a, b) = (byte_at(start.min(end)), byte_at(start.max(end)));
    let mut out = String::with_capacity(text.len() + insert.len());
    out.push_str(&text[..a]);
    out.push_str(insert);
    out.push_str(&text[b..]);
    let cursor = text[..a].encode_utf16().count() + insert.encode_utf16().count();
    (out, cursor as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_search_finds_words_in_the_name_or_the_text_in_any_width_and_case() {
        let (name, body) = ("ご注文のお礼", "[出店モール店舗名]の[担当者名]です。Order No. 12 をお送りしました。");
        assert!(matches(name, body, ""));
        assert!(matches(name, body, "お礼"));
        assert!(matches(name, body, "お送り お礼"), "words anywhere, all of them");
        assert!(matches(name, body, "ｏｒｄｅｒ　１２"), "full-width letters, digits and space");
        assert!(!matches(name, body, "お詫び"));
        assert!(!matches(name, body, "お礼 お詫び"), "every word must match");
    }

    #[test]
    fn a_template_goes_in_at_the_cursor_or_over_the_selection() {
        let text = "お世話になっております。\nよろしくお願いいたします。";
        let at = "お世話になっております。\n".encode_utf16().count() as u32;
        let (out, cursor) = insert_at(text, "発送いたしました。\n", at, at);
        assert_eq!(out, "お世話になっております。\n発送いたしました。\nよろしくお願いいたします。");
        assert_eq!(cursor, at + "発送いたしました。\n".encode_utf16().count() as u32);
        // A selection is replaced; a reversed one too.
        assert_eq!(insert_at("abcdef", "X", 4, 2).0, "abXef");
        // Offsets are UTF-16 units: an emoji counts two.
        assert_eq!(insert_at("😀あい", "X", 3, 3).0, "😀あXい");
        // Past the end: appended.
        assert_eq!(insert_at("あい", "う", 99, 99), ("あいう".to_owned(), 3));
    }
}
