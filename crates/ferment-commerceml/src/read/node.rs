//! The two layers under the streaming reader: [`Pull`], quick-xml's events turned into owned
//! start/end/text events with entities resolved, and [`Node`], the small tree of ONE record
//! (a product, an offer, an order) that the reader builds, converts and drops.
//!
//! Building a tree per record rather than a state machine per field keeps the conversion code a
//! plain reading of the schema, and memory stays bounded by the largest record, not the file.

use std::io::BufRead;

use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};

use crate::error::ParseError;

/// An owned XML event with text already unescaped.
#[derive(Debug)]
pub(crate) enum Ev {
    /// A start tag; `empty` for `<a/>`.
    Start {
        name: String,
        attrs: Vec<(String, String)>,
        empty: bool,
    },
    /// An end tag.
    End,
    /// A piece of character data.
    Text(String),
    /// End of input.
    Eof,
}

/// A pull parser over any buffered input.
pub(crate) struct Pull<R> {
    reader: Reader<R>,
    buf: Vec<u8>,
}

impl<R: BufRead> Pull<R> {
    pub(crate) fn new(input: R) -> Self {
        let mut reader = Reader::from_reader(input);
        reader.config_mut().check_end_names = true;
        Self {
            reader,
            buf: Vec::with_capacity(8 * 1024),
        }
    }

    /// The byte offset reached in the input, for error messages.
    pub(crate) fn position(&self) -> u64 {
        self.reader.buffer_position()
    }

    fn error(&self, message: impl Into<String>) -> ParseError {
        ParseError::Xml {
            position: self.position(),
            message: message.into(),
        }
    }

    /// The next start, end or text event; comments, declarations and instructions are skipped.
    pub(crate) fn next(&mut self) -> Result<Ev, ParseError> {
        loop {
            self.buf.clear();
            let event = match self.reader.read_event_into(&mut self.buf) {
                Ok(event) => event,
                Err(e) => {
                    let message = e.to_string();
                    return Err(self.error(message));
                }
            };
            let ev = match event {
                Event::Start(start) => start_event(&start, false).map_err(|m| self.error(m))?,
                Event::Empty(start) => start_event(&start, true).map_err(|m| self.error(m))?,
                Event::End(_) => Ev::End,
                Event::Text(text) => Ev::Text(text.xml10_content().into_owned()),
                Event::CData(data) => Ev::Text(data.into_inner().into_owned()),
                Event::GeneralRef(reference) => {
                    let resolved = match reference.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        Ok(None) => match reference.into_inner().as_ref() {
                            "amp" => "&".to_owned(),
                            "lt" => "<".to_owned(),
                            "gt" => ">".to_owned(),
                            "quot" => "\"".to_owned(),
                            "apos" => "'".to_owned(),
                            other => {
                                let message = format!("unknown entity &{other};");
                                return Err(self.error(message));
                            }
                        },
                        Err(e) => {
                            let message = e.to_string();
                            return Err(self.error(message));
                        }
                    };
                    Ev::Text(resolved)
                }
                Event::Eof => Ev::Eof,
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => continue,
            };
            return Ok(ev);
        }
    }

    /// Reads the rest of an element whose start was just returned into a [`Node`].
    pub(crate) fn read_node(
        &mut self,
        name: String,
        attrs: Vec<(String, String)>,
        empty: bool,
    ) -> Result<Node, ParseError> {
        let mut node = Node {
            name,
            attrs,
            text: String::new(),
            children: Vec::new(),
        };
        if empty {
            return Ok(node);
        }
        loop {
            match self.next()? {
                Ev::Start { name, attrs, empty } => {
                    let child = self.read_node(name, attrs, empty)?;
                    node.children.push(child);
                }
                Ev::Text(text) => node.text.push_str(&text),
                Ev::End => return Ok(node),
                Ev::Eof => return Err(self.error(format!("unexpected end inside <{}>", node.name))),
            }
        }
    }

    /// Skips the rest of an element whose start was just returned.
    pub(crate) fn skip(&mut self, empty: bool) -> Result<(), ParseError> {
        if empty {
            return Ok(());
        }
        let mut depth = 1usize;
        loop {
            match self.next()? {
                Ev::Start { empty: false, .. } => depth += 1,
                Ev::Start { empty: true, .. } | Ev::Text(_) => {}
                Ev::End => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Ev::Eof => return Err(self.error("unexpected end of input")),
            }
        }
    }
}

/// Local names (namespace prefixes dropped: 1C writes the default namespace, others may not).
fn start_event(start: &BytesStart<'_>, empty: bool) -> Result<Ev, String> {
    let name = local(start.name().as_ref());
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| e.to_string())?;
        let key = local(attr.key.as_ref());
        if key == "xmlns" || attr.key.as_ref().starts_with("xmlns:") {
            continue;
        }
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| e.to_string())?;
        attrs.push((key, value.into_owned()));
    }
    Ok(Ev::Start { name, attrs, empty })
}

fn local(qualified: &str) -> String {
    qualified
        .rsplit_once(':')
        .map_or(qualified, |(_, l)| l)
        .to_owned()
}

/// One element with its attributes, text and children.
#[derive(Debug, Clone, Default)]
pub(crate) struct Node {
    pub(crate) name: String,
    pub(crate) attrs: Vec<(String, String)>,
    pub(crate) text: String,
    pub(crate) children: Vec<Node>,
}

impl Node {
    /// The first child of that name.
    pub(crate) fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All children of that name.
    pub(crate) fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The grandchildren `list/item`.
    pub(crate) fn list<'a>(
        &'a self,
        list: &str,
        item: &'a str,
    ) -> impl Iterator<Item = &'a Node> + 'a {
        self.child(list)
            .into_iter()
            .flat_map(move |l| l.children(item))
    }

    /// An attribute's value.
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The element's own text, trimmed; `None` when empty.
    pub(crate) fn value(&self) -> Option<String> {
        let text = self.text.trim();
        (!text.is_empty()).then(|| text.to_owned())
    }

    /// A child's trimmed text; `None` when the child is absent or empty.
    pub(crate) fn field(&self, name: &str) -> Option<String> {
        self.child(name).and_then(Node::value)
    }

    /// A child's trimmed text, or an empty string.
    pub(crate) fn field_or_empty(&self, name: &str) -> String {
        self.field(name).unwrap_or_default()
    }

    /// A child's text exactly as written (descriptions, comments); `None` when absent or blank.
    pub(crate) fn field_raw(&self, name: &str) -> Option<String> {
        self.child(name)
            .filter(|c| !c.text.trim().is_empty())
            .map(|c| c.text.clone())
    }
}
