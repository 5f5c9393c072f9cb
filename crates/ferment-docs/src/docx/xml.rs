//! A small XML tree for Word parts: enough to move runs and clone table rows, and to write the part
//! back byte-for-byte where nothing changed in meaning. Attributes are kept as the raw text of the
//! start tag (the filler never edits them), text is kept unescaped and re-escaped on output.

use quick_xml::Reader;
use quick_xml::events::Event;

/// A node of the tree.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    /// An element.
    Element(Element),
    /// Character data, unescaped.
    Text(String),
    /// Anything written back verbatim: declaration, comment, processing instruction.
    Raw(String),
}

/// An element with its raw attributes.
#[derive(Debug, Clone)]
pub(crate) struct Element {
    /// Qualified name: `w:p`.
    pub(crate) name: String,
    /// The start tag's attribute text, leading whitespace included.
    pub(crate) attrs: String,
    /// Child nodes.
    pub(crate) children: Vec<Node>,
}

impl Element {
    /// An element without attributes.
    pub(crate) fn new(name: &str, attrs: &str, children: Vec<Node>) -> Self {
        Self {
            name: name.to_owned(),
            attrs: attrs.to_owned(),
            children,
        }
    }

    /// The child elements.
    pub(crate) fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            _ => None,
        })
    }

    /// All text under this element, in document order.
    pub(crate) fn text(&self, out: &mut String) {
        for child in &self.children {
            match child {
                Node::Text(t) if self.name == "w:t" => out.push_str(t),
                Node::Element(e) => e.text(out),
                _ => {}
            }
        }
    }
}

/// Parses a part into its top-level nodes.
pub(crate) fn parse(xml: &str) -> Result<Vec<Node>, String> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Vec<Node> = Vec::new();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("{e} at byte {}", reader.buffer_position()))?;
        let node = match event {
            Event::Start(e) => {
                stack.push(Element::new(
                    e.name().as_ref(),
                    e.attributes_raw(),
                    Vec::new(),
                ));
                continue;
            }
            Event::End(_) => match stack.pop() {
                Some(element) => Node::Element(element),
                None => return Err("unbalanced end tag".into()),
            },
            Event::Empty(e) => Node::Element(Element::new(
                e.name().as_ref(),
                e.attributes_raw(),
                Vec::new(),
            )),
            // Entity references arrive as their own events, so text content is literal.
            Event::Text(t) => Node::Text(t.into_inner().into_owned()),
            Event::CData(t) => Node::Text(t.into_inner().into_owned()),
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => c,
                    None => match r.into_inner().as_ref() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => return Err(format!("unknown entity &{other};")),
                    },
                };
                Node::Text(c.to_string())
            }
            Event::Comment(t) => Node::Raw(format!("<!--{}-->", t.into_inner())),
            Event::Decl(d) => Node::Raw(format!("<?{}?>", &*d)),
            Event::PI(p) => Node::Raw(format!("<?{}?>", p.into_inner())),
            Event::DocType(t) => Node::Raw(format!("<!DOCTYPE {}>", t.into_inner())),
            Event::Eof => break,
        };
        let siblings = match stack.last_mut() {
            Some(parent) => &mut parent.children,
            None => &mut root,
        };
        // Text and references come in pieces: keep one text node per run of character data.
        if let Node::Text(text) = &node
            && let Some(Node::Text(previous)) = siblings.last_mut()
        {
            previous.push_str(text);
            continue;
        }
        siblings.push(node);
    }
    if !stack.is_empty() {
        return Err("unclosed element at the end of the part".into());
    }
    Ok(root)
}

/// Writes nodes back as XML.
pub(crate) fn write(nodes: &[Node], out: &mut String) {
    for node in nodes {
        match node {
            Node::Element(e) => {
                out.push('<');
                out.push_str(&e.name);
                out.push_str(&e.attrs);
                if e.children.is_empty() {
                    out.push_str("/>");
                } else {
                    out.push('>');
                    write(&e.children, out);
                    out.push_str("</");
                    out.push_str(&e.name);
                    out.push('>');
                }
            }
            Node::Text(t) => escape_text(t, out),
            Node::Raw(r) => out.push_str(r),
        }
    }
}

fn escape_text(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_round_trips() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="x"><w:body><w:p><w:r><w:t xml:space="preserve">A &amp; B &lt;c&gt; &#1046;</w:t></w:r><w:p/></w:p></w:body></w:document>"#;
        let nodes = parse(xml).expect("parses");
        let mut out = String::new();
        write(&nodes, &mut out);
        assert_eq!(out, xml.replace("&#1046;", "Ж"));
    }
}
