//! XML for the simulator's XML contracts (Yahoo! order API, au PAY, the Rakuten push):
//! requests are read into typed structs through quick-xml's serde support ([`read`]), answers
//! are built with [`Writer`] (text escaped by quick-xml). [`parse`] reads any document into an
//! [`Element`] tree (quick-xml's reader), for checking answers by path in tests.

use serde::de::DeserializeOwned;

/// The document's root element is `root` and the rest reads as `T`; `None` otherwise (not XML,
/// another root, a structure `T` cannot take).
pub fn read<T: DeserializeOwned>(input: &str, root: &str) -> Option<T> {
    (root_name(input)? == root).then(|| quick_xml::de::from_str(input).ok()).flatten()
}

/// The name of the document's root element.
fn root_name(input: &str) -> Option<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(input);
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) | Event::Empty(e) => return Some(String::from_utf8_lossy(e.name().as_ref()).into_owned()),
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// Trimmed text of an optional element, `None` when absent or empty.
pub fn text(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// One element of a document read by [`parse`]: its attributes, child elements and text
/// (entities and CDATA resolved).
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

/// Reads a whole document into its root [`Element`] (quick-xml's reader; end tags checked).
pub fn parse(input: &str) -> Result<Element, String> {
    use quick_xml::events::{BytesStart, Event};
    fn open(e: &BytesStart<'_>) -> Result<Element, String> {
        let mut el = Element { name: String::from_utf8_lossy(e.name().as_ref()).into_owned(), ..Default::default() };
        for a in e.attributes() {
            let a = a.map_err(|e| e.to_string())?;
            let value = a.unescape_value().map_err(|e| e.to_string())?.into_owned();
            el.attrs.push((String::from_utf8_lossy(a.key.as_ref()).into_owned(), value));
        }
        Ok(el)
    }
    let mut reader = quick_xml::Reader::from_str(input);
    let mut open_elements: Vec<Element> = Vec::new();
    loop {
        let closed = match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(e) => {
                open_elements.push(open(&e)?);
                None
            }
            Event::Empty(e) => Some(open(&e)?),
            Event::End(_) => open_elements.pop(),
            Event::Text(t) => {
                let text = t.decode().map_err(|e| e.to_string())?;
                if let Some(el) = open_elements.last_mut() {
                    el.text.push_str(&text);
                }
                None
            }
            Event::CData(c) => {
                let text = c.decode().map_err(|e| e.to_string())?;
                if let Some(el) = open_elements.last_mut() {
                    el.text.push_str(&text);
                }
                None
            }
            Event::GeneralRef(r) => {
                let name = r.decode().map_err(|e| e.to_string())?;
                let resolved = match r.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::resolve_predefined_entity(&name)
                        .ok_or_else(|| format!("unknown entity {name}"))?
                        .to_owned(),
                };
                if let Some(el) = open_elements.last_mut() {
                    el.text.push_str(&resolved);
                }
                None
            }
            Event::Eof => return Err("no root element".into()),
            _ => None,
        };
        if let Some(el) = closed {
            match open_elements.last_mut() {
                Some(parent) => parent.children.push(el),
                None => return Ok(el),
            }
        }
    }
}

pub fn escape(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
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

    #[derive(serde::Deserialize, Default)]
    #[serde(default, rename_all = "PascalCase")]
    struct Req {
        target: Target,
        memo: Option<String>,
        seller_id: Option<String>,
        empty: Option<String>,
    }

    #[derive(serde::Deserialize, Default)]
    #[serde(default, rename_all = "PascalCase")]
    struct Target {
        order_id: Option<String>,
    }

    #[test]
    fn reads_nested_elements_cdata_and_entities_under_the_expected_root() {
        let doc = r#"<?xml version="1.0" encoding="UTF-8"?>
<Req><Target><OrderId>store-10000001</OrderId><Field>OrderId,OrderTime</Field></Target>
<Memo><![CDATA[a < b]]> &amp; c</Memo><SellerId a='1'>store</SellerId><Empty/></Req>"#;
        let r: Req = read(doc, "Req").unwrap();
        assert_eq!(text(&r.target.order_id), Some("store-10000001"));
        assert_eq!(text(&r.memo), Some("a < b & c"));
        assert_eq!(text(&r.seller_id), Some("store"));
        assert!(text(&r.empty).is_none());
        assert!(read::<Req>(doc, "request").is_none(), "another root");
        assert!(read::<Req>("<Req><b></Req>", "Req").is_none(), "not well-formed");
        assert!(read::<Req>("Req=1", "Req").is_none(), "not XML");
    }

    #[test]
    fn parses_a_tree_with_attributes_cdata_and_entities() {
        let doc = r#"<?xml version="1.0" encoding="UTF-8"?>
<Req><Target><OrderId>store-10000001</OrderId></Target>
<Memo><![CDATA[a < b]]> &amp; c&#x41;</Memo><SellerId a='1&amp;2'>store</SellerId><Empty/></Req>"#;
        let e = parse(doc).unwrap();
        assert_eq!(e.name, "Req");
        assert_eq!(e.text_at("Target/OrderId"), Some("store-10000001"));
        assert_eq!(e.text_at("Memo"), Some("a < b & cA"));
        assert_eq!(e.child("SellerId").unwrap().attrs[0].1, "1&2");
        assert!(e.text_at("Empty").is_none());
        assert!(parse("<a><b></a>").is_err());
    }

    #[test]
    fn writes_escaped_text_and_cdata() {
        let mut w = Writer::new();
        w.open("a").leaf("b", "x<&>").cdata("c", "]]>").close("a");
        assert_eq!(
            w.finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a><b>x&lt;&amp;&gt;</b><c><![CDATA[]]]]><![CDATA[>]]></c></a>"
        );
    }
}
