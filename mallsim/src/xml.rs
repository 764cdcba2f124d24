//! A small XML reader and writer for the XML contracts (Yahoo! order API, au PAY, the Rakuten
//! push). Reading builds a tree of elements with their text (entities and CDATA resolved);
//! attributes are kept, namespaces and DTDs are not interpreted.

#[derive(Debug, Clone, Default)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// `path` like `Search/Condition/OrderId`.
    pub fn at(&self, path: &str) -> Option<&Element> {
        path.split('/').try_fold(self, |e, part| e.child(part))
    }

    /// Trimmed text at `path`, `None` when absent or empty.
    pub fn text_at(&self, path: &str) -> Option<&str> {
        self.at(path).map(|e| e.text.trim()).filter(|t| !t.is_empty())
    }
}

pub fn parse(input: &str) -> Result<Element, String> {
    let mut p = Parser { s: input.as_bytes(), i: 0, src: input };
    p.skip_prolog()?;
    let root = p.element()?;
    Ok(root)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    src: &'a str,
}

impl Parser<'_> {
    fn starts(&self, pat: &str) -> bool {
        self.s[self.i..].starts_with(pat.as_bytes())
    }

    fn skip_ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn skip_until(&mut self, pat: &str) -> Result<(), String> {
        match self.src[self.i..].find(pat) {
            Some(off) => {
                self.i += off + pat.len();
                Ok(())
            }
            None => Err(format!("unterminated, expected {pat}")),
        }
    }

    fn skip_prolog(&mut self) -> Result<(), String> {
        if self.starts("\u{feff}") {
            self.i += 3;
        }
        loop {
            self.skip_ws();
            if self.starts("<?") {
                self.skip_until("?>")?;
            } else if self.starts("<!--") {
                self.skip_until("-->")?;
            } else if self.starts("<!") {
                self.skip_until(">")?;
            } else if self.starts("<") {
                return Ok(());
            } else {
                return Err("expected an element".into());
            }
        }
    }

    fn name(&mut self) -> Result<String, String> {
        let start = self.i;
        while self.i < self.s.len() {
            let c = self.s[self.i];
            if c.is_ascii_whitespace() || c == b'>' || c == b'/' || c == b'=' {
                break;
            }
            self.i += 1;
        }
        if start == self.i {
            return Err("empty name".into());
        }
        Ok(self.src[start..self.i].to_string())
    }

    fn element(&mut self) -> Result<Element, String> {
        if !self.starts("<") {
            return Err("expected <".into());
        }
        self.i += 1;
        let mut el = Element { name: self.name()?, ..Default::default() };
        loop {
            self.skip_ws();
            if self.starts("/>") {
                self.i += 2;
                return Ok(el);
            }
            if self.starts(">") {
                self.i += 1;
                break;
            }
            if self.i >= self.s.len() {
                return Err("unterminated start tag".into());
            }
            let name = self.name()?;
            self.skip_ws();
            if !self.starts("=") {
                return Err(format!("attribute {name} without value"));
            }
            self.i += 1;
            self.skip_ws();
            let q = *self.s.get(self.i).ok_or("eof")?;
            if q != b'"' && q != b'\'' {
                return Err("unquoted attribute".into());
            }
            self.i += 1;
            let start = self.i;
            while self.i < self.s.len() && self.s[self.i] != q {
                self.i += 1;
            }
            let raw = &self.src[start..self.i];
            self.i += 1;
            el.attrs.push((name, unescape(raw)?));
        }
        // content
        loop {
            if self.i >= self.s.len() {
                return Err(format!("unterminated element {}", el.name));
            }
            if self.starts("</") {
                self.i += 2;
                let name = self.name()?;
                if name != el.name {
                    return Err(format!("mismatched end tag {name} for {}", el.name));
                }
                self.skip_ws();
                if !self.starts(">") {
                    return Err("bad end tag".into());
                }
                self.i += 1;
                return Ok(el);
            } else if self.starts("<![CDATA[") {
                self.i += 9;
                let start = self.i;
                self.skip_until("]]>")?;
                el.text.push_str(&self.src[start..self.i - 3]);
            } else if self.starts("<!--") {
                self.skip_until("-->")?;
            } else if self.starts("<?") {
                self.skip_until("?>")?;
            } else if self.starts("<") {
                let child = self.element()?;
                el.children.push(child);
            } else {
                let start = self.i;
                while self.i < self.s.len() && self.s[self.i] != b'<' {
                    self.i += 1;
                }
                el.text.push_str(&unescape(&self.src[start..self.i])?);
            }
        }
    }
}

fn unescape(raw: &str) -> Result<String, String> {
    if !raw.contains('&') {
        return Ok(raw.to_string());
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        rest = &rest[pos + 1..];
        let end = rest.find(';').ok_or("unterminated entity")?;
        let ent = &rest[..end];
        let ch = match ent {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ if ent.starts_with("#x") => {
                u32::from_str_radix(&ent[2..], 16).ok().and_then(char::from_u32).ok_or("bad character reference")?
            }
            _ if ent.starts_with('#') => {
                ent[1..].parse::<u32>().ok().and_then(char::from_u32).ok_or("bad character reference")?
            }
            _ => return Err(format!("unknown entity {ent}")),
        };
        out.push(ch);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Builds an XML document as text.
pub struct Writer {
    out: String,
}

impl Default for Writer {
    fn default() -> Self {
        Self::new()
    }
}

impl Writer {
    pub fn new() -> Self {
        Writer { out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n") }
    }

    pub fn open(&mut self, name: &str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    pub fn open_with(&mut self, name: &str, attrs: &[(&str, String)]) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        for (k, v) in attrs {
            self.out.push_str(&format!(" {k}=\"{}\"", escape(v)));
        }
        self.out.push('>');
        self
    }

    pub fn close(&mut self, name: &str) -> &mut Self {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    /// A leaf with escaped text.
    pub fn leaf(&mut self, name: &str, text: impl std::fmt::Display) -> &mut Self {
        self.open(name);
        self.out.push_str(&escape(&text.to_string()));
        self.close(name)
    }

    /// Escaped text inside the element just opened.
    pub fn leaf_text(&mut self, text: &str) -> &mut Self {
        self.out.push_str(&escape(text));
        self
    }

    /// A leaf with text in CDATA (Yahoo! writes strings this way).
    pub fn cdata(&mut self, name: &str, text: &str) -> &mut Self {
        self.open(name);
        self.out.push_str("<![CDATA[");
        self.out.push_str(&text.replace("]]>", "]]]]><![CDATA[>"));
        self.out.push_str("]]>");
        self.close(name)
    }

    pub fn empty(&mut self, name: &str) -> &mut Self {
        self.out.push_str(&format!("<{name}/>"));
        self
    }

    pub fn finish(&mut self) -> String {
        std::mem::take(&mut self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nested_elements_cdata_and_entities() {
        let doc = r#"<?xml version="1.0" encoding="UTF-8"?>
<Req><Target><OrderId>store-10000001</OrderId><Field>OrderId,OrderTime</Field></Target>
<Memo><![CDATA[a < b]]> &amp; c</Memo><SellerId a='1'>store</SellerId><Empty/></Req>"#;
        let e = parse(doc).unwrap();
        assert_eq!(e.name, "Req");
        assert_eq!(e.text_at("Target/OrderId"), Some("store-10000001"));
        assert_eq!(e.text_at("Memo"), Some("a < b & c"));
        assert_eq!(e.child("SellerId").unwrap().attrs[0].1, "1");
        assert!(e.text_at("Empty").is_none());
        assert!(parse("<a><b></a>").is_err());
    }
}
