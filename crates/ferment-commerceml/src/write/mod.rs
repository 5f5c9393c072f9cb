//! Writers: a [`Document`] (or just orders) → CommerceML 2 XML, UTF-8, with the namespace,
//! `ВерсияСхемы` and `ДатаФормирования` on the root.
//!
//! The version decides the shapes that changed in 2.08: before it, deletion and "changes only" are
//! attributes and per-warehouse stock is `<Склад ИдСклада=… КоличествоНаСкладе=…/>`; from it on,
//! they are elements and stock is `Остатки/Остаток/Склад`. Ferment writes orders (the answer to
//! `mode=query`); the catalog and offers writers are 1C's side, used by the emulator and the tests.

mod catalog;
mod orders;
mod xml;

use std::io::{self, Write};

use chrono::NaiveDateTime;

use crate::model::{Document, DocumentInfo, SchemaVersion};
use crate::order::Order;
use crate::{NAMESPACE, ROOT};
use xml::XmlOut;

/// The format of `ДатаФормирования` and of date-times in requisites.
pub(crate) const DATETIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

/// Writes a whole document: the classifier and catalog if present (an `import.xml`), the offers
/// package if present (an `offers.xml`), and the orders.
pub fn write_document(out: impl Write, document: &Document) -> io::Result<()> {
    let mut xml = XmlOut::new(out)?;
    open_root(&mut xml, &document.info)?;
    let modern = document.info.version.is_2_08_or_later();
    if document.classifier.is_some() || !document.groups.is_empty() {
        catalog::classifier(&mut xml, document)?;
    }
    if let Some(info) = &document.catalog {
        catalog::catalog(&mut xml, info, &document.products, modern)?;
    }
    if document.offers_info.is_some() || !document.offers.is_empty() {
        catalog::offers(&mut xml, document, modern)?;
    }
    for order in &document.orders {
        orders::order(&mut xml, order)?;
    }
    xml.close(ROOT)?;
    xml.finish()?;
    Ok(())
}

/// [`write_document`] into a byte vector.
pub fn document_to_vec(document: &Document) -> Vec<u8> {
    let mut bytes = Vec::new();
    write_document(&mut bytes, document).expect("writing to a Vec cannot fail");
    bytes
}

/// The orders file Ferment answers `type=sale&mode=query` with.
pub fn orders_to_vec(
    orders: &[Order],
    version: &SchemaVersion,
    generated_at: NaiveDateTime,
) -> Vec<u8> {
    let document = Document {
        orders: orders.to_vec(),
        ..Document::new(version.clone(), generated_at)
    };
    document_to_vec(&document)
}

fn open_root<W: Write>(xml: &mut XmlOut<W>, info: &DocumentInfo) -> io::Result<()> {
    let generated = info
        .generated_at
        .map(|at| at.format(DATETIME_FORMAT).to_string());
    let mut attrs = vec![("xmlns", NAMESPACE), ("ВерсияСхемы", info.version.as_str())];
    if let Some(generated) = &generated {
        attrs.push(("ДатаФормирования", generated));
    }
    xml.open(ROOT, &attrs)
}

fn bool_text(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}
