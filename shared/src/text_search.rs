//! What staff type in a search box, compared with stored text the same way everywhere in the
//! app: full-width ASCII (ＡＢＣ１２３) as half-width and letters in either case alike. One
//! character always folds to one character, so a match found in the folded text is the same
//! span of the original (for marking it, or cutting an excerpt around it).

use std::ops::Range;

/// One character as a search compares it.
pub fn fold_char(c: char) -> char {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        c => c,
    };
    c.to_ascii_lowercase()
}

pub fn fold(text: &str) -> String {
    text.chars().map(fold_char).collect()
}

/// Where `needle` first appears in `haystack` (byte range of `haystack`), folded alike.
pub fn find(haystack: &str, needle: &str) -> Option<Range<usize>> {
    find_from(haystack, &fold(needle.trim()).chars().collect::<Vec<_>>(), 0)
}

fn find_from(haystack: &str, needle: &[char], from: usize) -> Option<Range<usize>> {
    if needle.is_empty() {
        return None;
    }
    let chars: Vec<(usize, char)> = haystack[from..].char_indices().map(|(i, c)| (from + i, fold_char(c))).collect();
    let at = chars.windows(needle.len()).position(|w| w.iter().map(|(_, c)| *c).eq(needle.iter().copied()))?;
    let start = chars[at].0;
    let (last_at, _) = chars[at + needle.len() - 1];
    let end = last_at + haystack[last_at..].chars().next().map_or(0, char::len_utf8);
    Some(start..end)
}

/// `text` in pieces, each marked whether it is an occurrence of `query` (for `<mark>`).
pub fn highlight<'a>(text: &'a str, query: &str) -> Vec<(&'a str, bool)> {
    let needle: Vec<char> = fold(query.trim()).chars().collect();
    let mut pieces = Vec::new();
    let mut at = 0;
    while let Some(found) = find_from(text, &needle, at) {
        if found.start > at {
            pieces.push((&text[at..found.start], false));
        }
        pieces.push((&text[found.clone()], true));
        at = found.end;
    }
    if at < text.len() || pieces.is_empty() {
        pieces.push((&text[at..], false));
    }
    pieces
}

/// The part of a message around the first occurrence of `query`: up to `before` characters
/// before it and `after` after, on one line, with … where it was cut. `None` when it does not
/// occur.
pub fn excerpt(body: &str, query: &str, before: usize, after: usize) -> Option<String> {
    let found = find(body, query)?;
    let head: Vec<char> = body[..found.start].chars().collect();
    let tail: Vec<char> = body[found.end..].chars().collect();
    let from = head.len().saturating_sub(before);
    let head: String = head[from..].iter().collect();
    let rest: String = tail.iter().take(after).collect();
    let text = format!(
        "{}{}{}{}{}",
        if from > 0 { "…" } else { "" },
        head.trim_start(),
        &body[found],
        rest.trim_end(),
        if tail.len() > after { "…" } else { "" }
    );
    Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_and_case_fold_alike_and_the_span_is_the_originals() {
        assert_eq!(fold("ＯＲＤＥＲ　１２３"), "order 123");
        let text = "ご注文番号ＡＢＣ－１２３について";
        let r = find(text, "abc").expect("found");
        assert_eq!(&text[r], "ＡＢＣ");
        assert_eq!(find(text, "お礼"), None);
        assert_eq!(find(text, "  "), None, "a blank search finds nothing");
    }

    #[test]
    fn every_occurrence_is_marked() {
        assert_eq!(
            highlight("のし袋とのし紙", "のし"),
            [("のし", true), ("袋と", false), ("のし", true), ("紙", false)]
        );
        assert_eq!(highlight("Order No.1", "order"), [("Order", true), (" No.1", false)]);
        assert_eq!(highlight("なし", "あり"), [("なし", false)]);
        assert_eq!(highlight("なし", ""), [("なし", false)]);
    }

    #[test]
    fn the_excerpt_is_the_text_around_the_match_on_one_line() {
        let body =
            "お世話になっております。\n先日注文した南部鉄器の急須ですが、\n注文番号4242の配送状況を教えてください。";
        assert_eq!(excerpt(body, "4242", 5, 6).as_deref(), Some("…注文番号4242の配送状況を…"));
        assert_eq!(excerpt("4242です", "4242", 5, 6).as_deref(), Some("4242です"), "nothing cut, no …");
        assert_eq!(excerpt(body, "返品", 5, 6), None);
    }
}
