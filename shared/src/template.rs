//! Reply templates (テンプレート, SPEC §6): validation of what staff type, and THE rendering of
//! merge fields. The server and the browser app call the same [`render`], so the preview staff
//! see and the text the customer receives can never differ.

use serde::{Deserialize, Serialize};

/// Longest category name (カテゴリ名), in characters.
pub const CATEGORY_MAX_CHARS: usize = 50;
/// Longest template name (テンプレート名), in characters.
pub const NAME_MAX_CHARS: usize = 100;
/// Longest body (本文), in characters.
pub const BODY_MAX_CHARS: usize = 10_000;

/// The four shop values templates can merge in (SPEC §3).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShopProfile {
    /// 出店モール店舗名: the shop's name on the marketplace.
    pub mall_shop_name: String,
    /// 担当者名.
    pub staff_name: String,
    /// 店舗電話番号.
    pub phone: String,
    /// 店舗メールアドレス.
    pub email: String,
}

/// A merge field (差し込み項目).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MergeField {
    MallShopName,
    StaffName,
    Phone,
    Email,
}

impl MergeField {
    /// In the order the template editor offers them.
    pub const ALL: [MergeField; 4] =
        [MergeField::MallShopName, MergeField::StaffName, MergeField::Phone, MergeField::Email];

    /// The exact text written in a template, brackets included (half-width `[` `]`).
    pub fn token(self) -> &'static str {
        match self {
            MergeField::MallShopName => "[出店モール店舗名]",
            MergeField::StaffName => "[担当者名]",
            MergeField::Phone => "[店舗電話番号]",
            MergeField::Email => "[店舗メールアドレス]",
        }
    }

    /// The field's name without brackets.
    pub fn label(self) -> &'static str {
        let token = self.token();
        &token[1..token.len() - 1]
    }

    /// The shop's value for this field, with surrounding whitespace removed (so a value of only
    /// spaces is empty).
    pub fn value(self, p: &ShopProfile) -> &str {
        match self {
            MergeField::MallShopName => p.mall_shop_name.trim(),
            MergeField::StaffName => p.staff_name.trim(),
            MergeField::Phone => p.phone.trim(),
            MergeField::Email => p.email.trim(),
        }
    }

    /// The field whose token is exactly `s` (brackets included); nothing else matches — no
    /// trimming, no full-width brackets.
    pub fn from_token(s: &str) -> Option<Self> {
        MergeField::ALL.into_iter().find(|f| f.token() == s)
    }
}

/// One piece of a rendered template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    /// Text as written.
    Text(String),
    /// A merge field and the shop's value (possibly empty, which renders as nothing).
    Field { field: MergeField, value: String },
    /// Bracketed text that is not a merge field, kept verbatim including the brackets.
    UnknownBracket(String),
}

/// A rendered template, in pieces so the editor's preview can mark unknown brackets and empty
/// merge fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub pieces: Vec<Piece>,
}

impl Rendered {
    /// Exactly the text the customer receives.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) | Piece::UnknownBracket(t) => out.push_str(t),
                Piece::Field { value, .. } => out.push_str(value),
            }
        }
        out
    }

    /// Every bracketed text that is not a merge field, in order of appearance (repeats
    /// included), brackets included.
    pub fn unknown_brackets(&self) -> Vec<&str> {
        self.pieces
            .iter()
            .filter_map(|p| match p {
                Piece::UnknownBracket(t) => Some(t.as_str()),
                _ => None,
            })
            .collect()
    }

    /// The merge fields used whose shop value is empty, each once, in order of first use.
    pub fn empty_fields(&self) -> Vec<MergeField> {
        let mut out = Vec::new();
        for piece in &self.pieces {
            if let Piece::Field { field, value } = piece
                && value.is_empty()
                && !out.contains(field)
            {
                out.push(*field);
            }
        }
        out
    }
}

/// Renders a template body for a shop (SPEC §6).
///
/// - Only the four exact tokens (half-width brackets, no spaces inside) are replaced.
/// - Any other `[…]` text is left as it is and reported as [`Piece::UnknownBracket`]. A bracket
///   pair must close on the same line, and the innermost `[` counts: in `[[担当者名]` the first
///   `[` is plain text.
/// - A `[` that is never closed, and a lone `]`, are plain text.
/// - Full-width brackets (［…］, 【…】) are plain text, never merge fields.
/// - An empty shop value renders as empty text.
///
/// Adjacent text is merged into one [`Piece::Text`].
pub fn render(body: &str, profile: &ShopProfile) -> Rendered {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut rest = body;

    fn flush(text: &mut String, pieces: &mut Vec<Piece>) {
        if !text.is_empty() {
            pieces.push(Piece::Text(std::mem::take(text)));
        }
    }

    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        match after.find(['[', ']', '\n', '\r']) {
            Some(i) if after.as_bytes()[i] == b']' => {
                let end = open + 1 + i + 1;
                let bracketed = &rest[open..end];
                text.push_str(&rest[..open]);
                flush(&mut text, &mut pieces);
                pieces.push(match MergeField::from_token(bracketed) {
                    Some(field) => Piece::Field { field, value: field.value(profile).to_string() },
                    None => Piece::UnknownBracket(bracketed.to_string()),
                });
                rest = &rest[end..];
            }
            _ => {
                // This `[` closes nowhere on its line (or another `[` comes first): plain text.
                text.push_str(&rest[..open + 1]);
                rest = after;
            }
        }
    }
    text.push_str(rest);
    flush(&mut text, &mut pieces);
    Rendered { pieces }
}

/// The text the customer receives; the same as `render(body, profile).text()`.
pub fn render_text(body: &str, profile: &ShopProfile) -> String {
    render(body, profile).text()
}

/// A template as staff entered it, validated and normalised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateDraft {
    pub category: String,
    pub name: String,
    pub body: String,
}

/// A problem with one input field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The input field, as in the GraphQL input: `"category"`, `"name"` or `"body"`.
    pub field: String,
    /// What is wrong, Japanese first then English in parentheses.
    pub message: String,
}

impl FieldError {
    fn new(field: &str, message: String) -> Self {
        FieldError { field: field.to_string(), message }
    }
}

/// The body as stored: line breaks unified to `\n`; leading blank lines and all trailing
/// whitespace removed. The indentation of the first line is kept (Japanese letters often start
/// with a full-width space).
fn normalize_body(body: &str) -> String {
    let unified = body.replace("\r\n", "\n").replace('\r', "\n");
    let trimmed = unified.trim_end();
    let start = match trimmed.find(|c: char| !c.is_whitespace()) {
        Some(first) => trimmed[..first].rfind('\n').map_or(0, |nl| nl + 1),
        None => trimmed.len(),
    };
    trimmed[start..].to_string()
}

impl TemplateDraft {
    /// Validates a template as entered, reporting every problem at once.
    ///
    /// - category and name: trimmed; required; at most [`CATEGORY_MAX_CHARS`] /
    ///   [`NAME_MAX_CHARS`] characters; one line, no control characters.
    /// - body: see `normalize_body` (line breaks unified, leading blank lines and trailing
    ///   whitespace removed); required; at most [`BODY_MAX_CHARS`] characters; no control
    ///   characters other than line breaks and tabs.
    ///
    /// Lengths count characters, not bytes. At most one error per field (the first that
    /// applies: required, too long, control characters).
    pub fn parse(category: &str, name: &str, body: &str) -> Result<Self, Vec<FieldError>> {
        let category = category.trim().to_string();
        let name = name.trim().to_string();
        let body = normalize_body(body);
        let mut errors = Vec::new();

        let single_line = [
            ("category", "カテゴリ名", &category, CATEGORY_MAX_CHARS),
            ("name", "テンプレート名", &name, NAME_MAX_CHARS),
        ];
        for (field, label, value, max) in single_line {
            if let Some(message) = check_text(field, label, value, max, |c| c.is_control()) {
                errors.push(FieldError::new(field, message));
            }
        }
        if let Some(message) =
            check_text("body", "本文", &body, BODY_MAX_CHARS, |c| c.is_control() && c != '\n' && c != '\t')
        {
            errors.push(FieldError::new("body", message));
        }

        if errors.is_empty() { Ok(TemplateDraft { category, name, body }) } else { Err(errors) }
    }
}

fn check_text(field: &str, label: &str, value: &str, max: usize, forbidden: impl Fn(char) -> bool) -> Option<String> {
    if value.is_empty() {
        return Some(format!("{label}を入力してください ({field} is required)"));
    }
    let count = value.chars().count();
    if count > max {
        return Some(format!(
            "{label}は{max}文字以内で入力してください(現在{count}文字) \
             ({field} must be at most {max} characters; it has {count})"
        ));
    }
    if value.chars().any(forbidden) {
        let what_ja = if field == "body" { "制御文字" } else { "改行や制御文字" };
        let what_en = if field == "body" { "control characters" } else { "line breaks or control characters" };
        return Some(format!("{label}に{what_ja}は使えません ({field} must not contain {what_en})"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> ShopProfile {
        ShopProfile {
            mall_shop_name: "まどぐち雑貨店".into(),
            staff_name: "佐藤".into(),
            phone: "03-1234-5678".into(),
            email: "shop@example.jp".into(),
        }
    }

    fn text(s: &str) -> Piece {
        Piece::Text(s.into())
    }

    #[test]
    fn the_four_merge_fields_are_replaced_from_the_shop() {
        let body = "[出店モール店舗名]の[担当者名]です。この度はご注文いただきありがとうございます!";
        assert_eq!(
            render_text(body, &profile()),
            "まどぐち雑貨店の佐藤です。この度はご注文いただきありがとうございます!"
        );
        assert_eq!(
            render_text("TEL [店舗電話番号] / [店舗メールアドレス]", &profile()),
            "TEL 03-1234-5678 / shop@example.jp"
        );
    }

    #[test]
    fn a_merge_field_can_appear_several_times() {
        assert_eq!(render_text("[担当者名][担当者名]", &profile()), "佐藤佐藤");
    }

    #[test]
    fn unknown_bracket_text_is_left_as_it_is() {
        let r = render("[注文番号]をご確認ください。[担当者名]", &profile());
        assert_eq!(
            r.pieces,
            vec![
                Piece::UnknownBracket("[注文番号]".into()),
                text("をご確認ください。"),
                Piece::Field { field: MergeField::StaffName, value: "佐藤".into() },
            ]
        );
        assert_eq!(r.text(), "[注文番号]をご確認ください。佐藤");
        assert_eq!(r.unknown_brackets(), vec!["[注文番号]"]);
    }

    #[test]
    fn a_merge_field_with_spaces_inside_is_not_a_merge_field() {
        let r = render("[ 担当者名 ]", &profile());
        assert_eq!(r.unknown_brackets(), vec!["[ 担当者名 ]"]);
        assert_eq!(r.text(), "[ 担当者名 ]");
    }

    #[test]
    fn full_width_brackets_are_not_merge_fields() {
        let body = "［担当者名］と【担当者名】";
        let r = render(body, &profile());
        assert_eq!(r.pieces, vec![text(body)]);
        assert!(r.unknown_brackets().is_empty());
    }

    #[test]
    fn an_unmatched_bracket_renders_verbatim() {
        for body in ["[担当者名", "価格は[税込", "a ] b", "][", "[", "]", "[[[", "末尾["] {
            let r = render(body, &profile());
            assert_eq!(r.text(), body);
            assert_eq!(r.pieces, vec![text(body)], "{body}");
        }
    }

    #[test]
    fn the_innermost_bracket_pair_counts() {
        let r = render("[[担当者名]]", &profile());
        assert_eq!(
            r.pieces,
            vec![text("["), Piece::Field { field: MergeField::StaffName, value: "佐藤".into() }, text("]"),]
        );
        assert_eq!(r.text(), "[佐藤]");
    }

    #[test]
    fn a_bracket_pair_must_close_on_the_same_line() {
        let body = "[お届け\n日]です";
        let r = render(body, &profile());
        assert_eq!(r.pieces, vec![text(body)]);
    }

    #[test]
    fn empty_brackets_are_unknown_bracket_text() {
        assert_eq!(render("[]", &profile()).unknown_brackets(), vec!["[]"]);
    }

    #[test]
    fn an_empty_shop_value_renders_as_empty_text_and_is_reported() {
        let p = ShopProfile { phone: String::new(), email: "   ".into(), ..profile() };
        let r = render("電話:[店舗電話番号] メール:[店舗メールアドレス] [店舗電話番号]", &p);
        assert_eq!(r.text(), "電話: メール: ");
        assert_eq!(r.empty_fields(), vec![MergeField::Phone, MergeField::Email]);
    }

    #[test]
    fn filled_fields_are_not_reported_as_empty() {
        assert!(render("[担当者名]", &profile()).empty_fields().is_empty());
    }

    #[test]
    fn adjacent_text_is_merged_into_one_piece() {
        let r = render("a [ b ] c", &profile());
        assert_eq!(r.pieces, vec![text("a "), Piece::UnknownBracket("[ b ]".into()), text(" c")]);
        let r = render("x[y[z", &profile());
        assert_eq!(r.pieces, vec![text("x[y[z")]);
    }

    #[test]
    fn an_empty_body_renders_no_pieces() {
        assert_eq!(render("", &profile()).pieces, vec![]);
    }

    #[test]
    fn render_text_is_the_text_of_render() {
        for body in ["[出店モール店舗名]様", "[x]y[", "改行\n[担当者名]\r\n"] {
            assert_eq!(render_text(body, &profile()), render(body, &profile()).text());
        }
    }

    #[test]
    fn merge_field_tokens_labels_and_lookup_agree() {
        for f in MergeField::ALL {
            assert_eq!(MergeField::from_token(f.token()), Some(f));
            assert_eq!(f.token(), format!("[{}]", f.label()));
        }
        assert_eq!(MergeField::StaffName.label(), "担当者名");
        assert_eq!(MergeField::from_token("担当者名"), None);
        assert_eq!(MergeField::from_token("［担当者名］"), None);
    }

    #[test]
    fn shop_profile_serialises_in_camel_case() {
        let json = serde_json::to_value(profile()).unwrap();
        assert_eq!(json["mallShopName"], "まどぐち雑貨店");
        assert_eq!(json["staffName"], "佐藤");
    }

    #[test]
    fn a_valid_template_is_trimmed() {
        let d = TemplateDraft::parse(
            "  お礼 ",
            "\t発送のお知らせ　",
            "\n\n　いつもありがとうございます。\n[担当者名]\n\n  ",
        )
        .unwrap();
        assert_eq!(d.category, "お礼");
        assert_eq!(d.name, "発送のお知らせ");
        assert_eq!(d.body, "　いつもありがとうございます。\n[担当者名]");
    }

    #[test]
    fn template_body_line_breaks_are_unified() {
        let d = TemplateDraft::parse("c", "n", "一行目\r\n二行目\r三行目").unwrap();
        assert_eq!(d.body, "一行目\n二行目\n三行目");
    }

    #[test]
    fn all_template_fields_are_required_and_all_errors_are_reported_at_once() {
        let errors = TemplateDraft::parse(" ", "　", "\n \n").unwrap_err();
        assert_eq!(
            errors,
            vec![
                FieldError::new("category", "カテゴリ名を入力してください (category is required)".into()),
                FieldError::new("name", "テンプレート名を入力してください (name is required)".into()),
                FieldError::new("body", "本文を入力してください (body is required)".into()),
            ]
        );
    }

    #[test]
    fn template_lengths_count_characters_not_bytes() {
        let ok = TemplateDraft::parse(&"あ".repeat(50), &"い".repeat(100), &"う".repeat(10_000));
        assert!(ok.is_ok());
        let errors = TemplateDraft::parse(&"あ".repeat(51), &"い".repeat(101), &"う".repeat(10_001)).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["category", "name", "body"]);
        assert_eq!(
            errors[0].message,
            "カテゴリ名は50文字以内で入力してください(現在51文字) (category must be at most 50 characters; it has 51)"
        );
    }

    #[test]
    fn category_and_name_are_single_lines() {
        let errors = TemplateDraft::parse("お\n礼", "名前", "本文").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "category");
        assert!(errors[0].message.starts_with("カテゴリ名に改行や制御文字は使えません"));
    }

    #[test]
    fn body_may_hold_tabs_and_line_breaks_but_no_other_control_characters() {
        assert!(TemplateDraft::parse("c", "n", "a\tb\nc").is_ok());
        let errors = TemplateDraft::parse("c", "n", "a\u{0}b").unwrap_err();
        assert_eq!(errors[0].field, "body");
    }
}
