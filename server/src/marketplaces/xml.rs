//! Just enough XML for the marketplaces' flat XML envelopes (au PAY, Yahoo! errors): inner
//! text of named elements (entities and CDATA resolved), and escaping for requests. Elements
//! are matched by name without attributes; nested elements of the same name are not expected.

pub fn unescape(s: &str) -> String {
    let s = s.trim();
    let s = s.strip_prefix("<![CDATA[").and_then(|v| v.strip_suffix("]]>")).unwrap_or(s);
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The raw inner XML of every `<name>…</name>` in order (`<name/>` gives "").
pub fn elements<'a>(xml: &'a str, name: &str) -> Vec<&'a str> {
    let (open, empty, close) = (format!("<{name}>"), format!("<{name}/>"), format!("</{name}>"));
    let mut out = Vec::new();
    let mut rest = xml;
    loop {
        let o = rest.find(&open);
        let e = rest.find(&empty);
        match (o, e) {
            (Some(i), e) if e.is_none_or(|e| i < e) => {
                let start = i + open.len();
                let Some(len) = rest[start..].find(&close) else { break };
                out.push(&rest[start..start + len]);
                rest = &rest[start + len + close.len()..];
            }
            (_, Some(i)) => {
                out.push("");
                rest = &rest[i + empty.len()..];
            }
            _ => break,
        }
    }
    out
}

/// The unescaped, trimmed text of the first `<name>`; `None` when absent or empty.
pub fn text(xml: &str, name: &str) -> Option<String> {
    elements(xml, name).first().map(|v| unescape(v)).filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_repeated_and_empty_elements() {
        let x = "<r><a>1</a><b/><a><![CDATA[x&y]]></a><c>&amp;</c></r>";
        assert_eq!(elements(x, "a"), vec!["1", "<![CDATA[x&y]]>"]);
        assert_eq!(text(x, "c").as_deref(), Some("&"));
        assert_eq!(elements(x, "b"), vec![""]);
        assert_eq!(text(x, "b"), None);
        assert_eq!(escape("<&>"), "&lt;&amp;&gt;");
    }
}
