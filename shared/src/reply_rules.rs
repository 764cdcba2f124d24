//! What a marketplace accepts in the text of a reply, checked before it is stored (the API's
//! `VALIDATION` on `body`) and while staff type (the reply box lists the problems), so a refusal
//! is known before sending instead of found out afterwards.
//!
//! The rules come from MARKETPLACES.md: Rakuten §1.5 (1–2000 characters, at most 300 per line,
//! links only `https` and only on Rakuten's own domains), Yahoo! Shopping's `externalTalkAdd`
//! (at most 2000 characters). ASSUMED: the other marketplaces' 2000 characters (no published
//! number; the same as the two that publish one).

use std::fmt;

use crate::Marketplace;

/// The longest reply any marketplace takes, in characters.
pub const MAX_CHARS: usize = 2000;
/// Rakuten: the longest line, in characters.
pub const RAKUTEN_MAX_LINE_CHARS: usize = 300;
/// Rakuten: the domains (and their sub-domains) a link in a reply may point at.
pub const RAKUTEN_LINK_DOMAINS: &[&str] = &[
    "rakuten.co.jp",
    "rakuten.ne.jp",
    "rakuten.com",
    "rakuten-bank.co.jp",
    "trafficgate.net",
    "rakuten-card.co.jp",
    "payment.sej.co.jp",
    "faq.rakuten.net",
    "support.rakuten-card.jp",
];

/// One reason a marketplace would refuse the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BodyProblem {
    Empty,
    TooLong {
        max: usize,
        chars: usize,
    },
    /// `line` counts from 1.
    LineTooLong {
        line: usize,
        max: usize,
        chars: usize,
    },
    /// A link the marketplace does not allow (plain http, or another domain).
    LinkNotAllowed {
        link: String,
    },
}

impl fmt::Display for BodyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BodyProblem::Empty => write!(f, "返信内容を入力してください (body is required)"),
            BodyProblem::TooLong { max, chars } => {
                write!(
                    f,
                    "返信内容は{max}文字以内にしてください（現在{chars}文字） (body is longer than {max} characters)"
                )
            }
            BodyProblem::LineTooLong { line, max, chars } => write!(
                f,
                "{line}行目が{max}文字を超えています（{chars}文字）。改行を入れてください (line {line} is longer than {max} characters)"
            ),
            BodyProblem::LinkNotAllowed { link } => write!(
                f,
                "楽天市場では楽天のドメイン（https）以外のURLを送れません: {link} (Rakuten refuses links outside its own https domains)"
            ),
        }
    }
}

/// Every problem the marketplace would find in `body`, in reading order (empty: it is fine).
pub fn check_body(marketplace: Marketplace, body: &str) -> Vec<BodyProblem> {
    let mut problems = Vec::new();
    if body.trim().is_empty() {
        problems.push(BodyProblem::Empty);
        return problems;
    }
    let chars = body.chars().count();
    if chars > MAX_CHARS {
        problems.push(BodyProblem::TooLong { max: MAX_CHARS, chars });
    }
    if marketplace == Marketplace::Rakuten {
        for (i, line) in body.lines().enumerate() {
            let n = line.chars().count();
            if n > RAKUTEN_MAX_LINE_CHARS {
                problems.push(BodyProblem::LineTooLong { line: i + 1, max: RAKUTEN_MAX_LINE_CHARS, chars: n });
            }
        }
        for link in links(body) {
            if !rakuten_allows(&link) {
                problems.push(BodyProblem::LinkNotAllowed { link });
            }
        }
    }
    problems
}

/// Things in the text that a marketplace reads as links: `http://…`, `https://…` and `www.…`,
/// up to the next space or character that cannot be in a URL.
fn links(body: &str) -> Vec<String> {
    let lower = body.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while from < lower.len() {
        let rest = &lower[from..];
        let next = ["http://", "https://", "www."].iter().filter_map(|p| rest.find(p)).min();
        let Some(at) = next else { break };
        let start = from + at;
        let end = body[start..]
            .char_indices()
            .find(|(_, c)| c.is_whitespace() || !c.is_ascii() || matches!(c, '<' | '>' | '"' | '「' | '」'))
            .map_or(body.len(), |(i, _)| start + i);
        out.push(body[start..end].trim_end_matches(['.', ',', ')', '。', '、']).to_owned());
        from = end.max(start + 1);
    }
    out
}

fn rakuten_allows(link: &str) -> bool {
    let lower = link.to_ascii_lowercase();
    let Some(rest) = lower.strip_prefix("https://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#', ':']).next().unwrap_or("");
    RAKUTEN_LINK_DOMAINS.iter().any(|d| host == *d || host.ends_with(&format!(".{d}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Marketplace::*;

    #[test]
    fn an_ordinary_reply_is_fine_everywhere() {
        for m in [Rakuten, Yahoo, Rakuma, AuPay, Amazon] {
            assert!(check_body(m, "お問い合わせありがとうございます。\n明日発送いたします。").is_empty());
        }
    }

    #[test]
    fn an_empty_reply_is_refused() {
        assert_eq!(check_body(Yahoo, "  \n "), vec![BodyProblem::Empty]);
    }

    #[test]
    fn more_than_2000_characters_is_refused_everywhere() {
        let body = "あ".repeat(2001);
        assert!(check_body(Yahoo, &body).contains(&BodyProblem::TooLong { max: 2000, chars: 2001 }));
        assert!(check_body(Yahoo, &"あ".repeat(2000)).is_empty());
    }

    #[test]
    fn rakuten_refuses_a_line_over_300_characters() {
        let body = format!("はじめの行\n{}", "い".repeat(301));
        assert_eq!(check_body(Rakuten, &body), vec![BodyProblem::LineTooLong { line: 2, max: 300, chars: 301 }]);
        assert!(check_body(Yahoo, &body).is_empty(), "Yahoo! has no line limit");
    }

    #[test]
    fn rakuten_takes_https_links_on_its_own_domains_only() {
        assert!(check_body(Rakuten, "こちらをご覧ください https://item.rakuten.co.jp/shop/item/ 。").is_empty());
        assert!(check_body(Rakuten, "https://faq.rakuten.net/detail/123").is_empty());
        assert_eq!(
            check_body(Rakuten, "詳しくは http://item.rakuten.co.jp/shop/ をご覧ください"),
            vec![BodyProblem::LinkNotAllowed { link: "http://item.rakuten.co.jp/shop/".into() }]
        );
        assert_eq!(
            check_body(Rakuten, "当店サイト https://example.com/a?b=1、または www.example.jp まで"),
            vec![
                BodyProblem::LinkNotAllowed { link: "https://example.com/a?b=1".into() },
                BodyProblem::LinkNotAllowed { link: "www.example.jp".into() },
            ]
        );
        assert_eq!(
            check_body(Rakuten, "https://rakuten.co.jp.evil.example/"),
            vec![BodyProblem::LinkNotAllowed { link: "https://rakuten.co.jp.evil.example/".into() }]
        );
        assert!(check_body(Yahoo, "https://example.com/").is_empty(), "only Rakuten restricts links");
    }

    #[test]
    fn every_problem_reads_in_japanese_first() {
        let p = BodyProblem::LinkNotAllowed { link: "https://example.com".into() };
        assert!(p.to_string().starts_with("楽天市場では"));
    }
}
