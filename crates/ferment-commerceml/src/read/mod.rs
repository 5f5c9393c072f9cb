//! The streaming reader: any CommerceML 2 file (`import.xml`, `offers.xml`, `prices.xml`,
//! `rests.xml`, orders) read item by item, in document order, without building the document.
//!
//! The reader walks the outer structure (`КоммерческаяИнформация` → `Классификатор` / `Каталог` /
//! `ПакетПредложений` → their lists) as events and reads each record (`Группа`, `Товар`,
//! `Предложение`, `Документ`…) into a small tree that is converted and dropped. Sections' header
//! fields (`Ид`, `Наименование`, `СодержитТолькоИзменения`) come before their lists in every schema
//! version, so a section's header item is yielded as soon as its first list starts.

mod convert;
mod node;

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use crate::error::ParseError;
use crate::model::{Document, DocumentInfo, Item, SchemaVersion};
use crate::order::parse_1c_datetime;
use node::{Ev, Node, Pull};

/// The root element of every CommerceML 2 file.
pub const ROOT: &str = "КоммерческаяИнформация";

/// Reads CommerceML items one at a time from a buffered input.
///
/// ```
/// use ferment_commerceml::{CmlReader, Item};
/// let xml = r#"<КоммерческаяИнформация ВерсияСхемы="2.08"><Каталог><Ид>c</Ид>
///   <Товары><Товар><Ид>p1</Ид><Наименование>Соль</Наименование></Товар></Товары></Каталог>
///   </КоммерческаяИнформация>"#;
/// let mut reader = CmlReader::new(xml.as_bytes());
/// let items: Vec<Item> = reader.by_ref().collect::<Result<_, _>>().unwrap();
/// assert_eq!(items.len(), 2); // the catalog header, then the product
/// assert_eq!(reader.info().unwrap().version.as_str(), "2.08");
/// ```
pub struct CmlReader<R> {
    pull: Pull<R>,
    info: Option<DocumentInfo>,
    stack: Vec<Level>,
    section: Option<Section>,
    pending: VecDeque<Item>,
    finished: bool,
}

/// Where the walk is: only the outer structure is tracked, records are read whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Root,
    Section(SectionKind),
    List(ListKind),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SectionKind {
    Classifier,
    Catalog,
    Offers,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListKind {
    Groups,
    Properties,
    Warehouses,
    PriceTypes,
    Products,
    Offers,
}

/// A section's header, collected until its first list starts.
struct Section {
    kind: SectionKind,
    header: Node,
    emitted: bool,
}

impl CmlReader<BufReader<File>> {
    /// Opens a file for streaming.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, ParseError> {
        let file = File::open(path)?;
        Ok(Self::new(BufReader::with_capacity(64 * 1024, file)))
    }
}

impl<R: BufRead> CmlReader<R> {
    /// A reader over UTF-8 input (a leading byte-order mark is skipped).
    pub fn new(input: R) -> Self {
        Self {
            pull: Pull::new(input),
            info: None,
            stack: Vec::new(),
            section: None,
            pending: VecDeque::new(),
            finished: false,
        }
    }

    /// The root's attributes, once the root element has been read (after the first call to
    /// [`Self::next_item`]).
    pub fn info(&self) -> Option<&DocumentInfo> {
        self.info.as_ref()
    }

    /// The next item, or `None` at the end of the document.
    pub fn next_item(&mut self) -> Result<Option<Item>, ParseError> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Ok(Some(item));
            }
            if self.finished {
                return Ok(None);
            }
            self.advance()?;
        }
    }

    /// Up to `max` items; fewer only at the end of the document.
    pub fn next_batch(&mut self, max: usize) -> Result<Vec<Item>, ParseError> {
        let mut items = Vec::with_capacity(max.min(1024));
        while items.len() < max {
            match self.next_item()? {
                Some(item) => items.push(item),
                None => break,
            }
        }
        Ok(items)
    }

    /// Reads one event of the outer structure, queueing whatever items it completes.
    fn advance(&mut self) -> Result<(), ParseError> {
        match self.pull.next()? {
            Ev::Start { name, attrs, empty } => self.start(name, attrs, empty),
            Ev::End => {
                match self.stack.pop() {
                    Some(Level::Section(_)) => {
                        self.emit_header()?;
                        self.section = None;
                    }
                    Some(Level::Root) => self.finished = true,
                    _ => {}
                }
                Ok(())
            }
            Ev::Text(_) => Ok(()),
            Ev::Eof => {
                if self.info.is_none() {
                    return Err(invalid(ROOT, "the file has no root element"));
                }
                if !self.stack.is_empty() {
                    return Err(ParseError::Xml {
                        position: self.pull.position(),
                        message: "unexpected end of input".into(),
                    });
                }
                self.finished = true;
                Ok(())
            }
        }
    }

    fn start(
        &mut self,
        name: String,
        attrs: Vec<(String, String)>,
        empty: bool,
    ) -> Result<(), ParseError> {
        let Some(level) = self.stack.last().copied() else {
            if name != ROOT {
                return Err(invalid(&name, "not a CommerceML document"));
            }
            let root = Node {
                name,
                attrs,
                ..Node::default()
            };
            self.info = Some(DocumentInfo {
                version: SchemaVersion::new(root.attr("ВерсияСхемы").unwrap_or("2.10")),
                generated_at: root.attr("ДатаФормирования").and_then(parse_1c_datetime),
            });
            if empty {
                self.finished = true;
            } else {
                self.stack.push(Level::Root);
            }
            return Ok(());
        };
        match level {
            Level::Root => {
                let kind = match name.as_str() {
                    "Классификатор" => SectionKind::Classifier,
                    "Каталог" => SectionKind::Catalog,
                    "ПакетПредложений" | "ИзмененияПакетаПредложений" => {
                        SectionKind::Offers
                    }
                    "Документ" => {
                        let node = self.pull.read_node(name, attrs, empty)?;
                        self.pending.push_back(Item::Order(convert::order(&node)?));
                        return Ok(());
                    }
                    _ => return self.pull.skip(empty),
                };
                self.section = Some(Section {
                    kind,
                    header: Node {
                        name,
                        attrs,
                        ..Node::default()
                    },
                    emitted: false,
                });
                if empty {
                    self.emit_header()?;
                    self.section = None;
                } else {
                    self.stack.push(Level::Section(kind));
                }
                Ok(())
            }
            Level::Section(kind) => match list_kind(kind, &name) {
                Some(list) => {
                    self.emit_header()?;
                    if !empty {
                        self.stack.push(Level::List(list));
                    }
                    Ok(())
                }
                None => {
                    let node = self.pull.read_node(name, attrs, empty)?;
                    if let Some(section) = self.section.as_mut() {
                        section.header.children.push(node);
                    }
                    Ok(())
                }
            },
            Level::List(list) => {
                if !is_record(list, &name) {
                    return self.pull.skip(empty);
                }
                let node = self.pull.read_node(name, attrs, empty)?;
                self.record(list, &node)
            }
        }
    }

    fn record(&mut self, list: ListKind, node: &Node) -> Result<(), ParseError> {
        match list {
            ListKind::Groups => convert::groups(node, None, &mut |g| {
                self.pending.push_back(Item::Group(g));
            })?,
            ListKind::Properties => self
                .pending
                .push_back(Item::Property(convert::property(node)?)),
            ListKind::Warehouses => self
                .pending
                .push_back(Item::Warehouse(convert::warehouse(node)?)),
            ListKind::PriceTypes => self
                .pending
                .push_back(Item::PriceType(convert::price_type(node)?)),
            ListKind::Products => self
                .pending
                .push_back(Item::Product(convert::product(node)?)),
            ListKind::Offers => self.pending.push_back(Item::Offer(convert::offer(node)?)),
        }
        Ok(())
    }

    /// Queues the current section's header item, once.
    fn emit_header(&mut self) -> Result<(), ParseError> {
        let Some(section) = self.section.as_mut() else {
            return Ok(());
        };
        if section.emitted {
            return Ok(());
        }
        section.emitted = true;
        let item = match section.kind {
            SectionKind::Classifier => Item::Classifier(convert::classifier(&section.header)),
            SectionKind::Catalog => Item::Catalog(convert::catalog(&section.header)),
            SectionKind::Offers => Item::Offers(convert::offers_info(&section.header)),
        };
        self.pending.push_back(item);
        Ok(())
    }
}

impl<R: BufRead> Iterator for CmlReader<R> {
    type Item = Result<Item, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.next_item() {
            Ok(Some(item)) => Some(Ok(item)),
            Ok(None) => None,
            Err(e) => {
                // An error ends the stream: the reader's position is no longer meaningful.
                self.finished = true;
                self.pending.clear();
                Some(Err(e))
            }
        }
    }
}

fn list_kind(section: SectionKind, name: &str) -> Option<ListKind> {
    match (section, name) {
        (SectionKind::Classifier, "Группы") => Some(ListKind::Groups),
        (SectionKind::Classifier, "Свойства") => Some(ListKind::Properties),
        (SectionKind::Catalog, "Товары") => Some(ListKind::Products),
        (SectionKind::Offers, "Предложения") => Some(ListKind::Offers),
        // Older schemas list price types and warehouses in the classifier, newer in the package.
        (_, "ТипыЦен") => Some(ListKind::PriceTypes),
        (_, "Склады") => Some(ListKind::Warehouses),
        _ => None,
    }
}

fn is_record(list: ListKind, name: &str) -> bool {
    match list {
        ListKind::Groups => name == "Группа",
        ListKind::Properties => name == "Свойство" || name == "СвойствоНоменклатуры",
        ListKind::Warehouses => name == "Склад",
        ListKind::PriceTypes => name == "ТипЦены",
        ListKind::Products => name == "Товар",
        ListKind::Offers => name == "Предложение",
    }
}

fn invalid(element: &str, message: &str) -> ParseError {
    ParseError::Invalid {
        element: element.to_owned(),
        message: message.to_owned(),
    }
}

impl Document {
    /// Reads a whole document into memory (use [`CmlReader`] for large files).
    pub fn read(input: impl BufRead) -> Result<Self, ParseError> {
        let mut reader = CmlReader::new(input);
        let mut document = Document::default();
        while let Some(item) = reader.next_item()? {
            document.push(item);
        }
        document.info = reader.info.unwrap_or_default();
        Ok(document)
    }

    /// Reads a whole document from bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ParseError> {
        Self::read(bytes)
    }
}
