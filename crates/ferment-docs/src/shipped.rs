//! The templates Ferment ships for the seven document kinds (`SHIPPED_KINDS`), as text (typst)
//! and as Word files. They are the starting point an administrator edits in the interface.
//!
//! Sources live in `crates/ferment-docs/templates/`, reviewable as text:
//! - `text/_preamble.typ.j2` (page, fonts, helpers) + `text/<kind>.typ.j2`, joined at compile
//!   time; `contract_and_specification` is the contract followed by the specification, whose
//!   first line starts a new page. The contract lists the goods (clause 1.2) unless
//!   `document.kind` is `contract_and_specification`, where clause 1.2 refers to the
//!   specification instead.
//! - `docx/<kind>.xml`: the body of `word/document.xml`; [`docx`] wraps it in
//!   `docx/package/word/document.xml` and packs it with the fixed `[Content_Types].xml`, `_rels`,
//!   `styles.xml` and `settings.xml` from `docx/package/` into a `.docx`. For
//!   `contract_and_specification` the contract's goods table (between `<!--GOODS-->` and
//!   `<!--/GOODS-->`) gives way to a clause referring to the specification.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

macro_rules! text_template {
    ($($file:literal),+) => {
        concat!(include_str!("../templates/text/_preamble.typ.j2") $(, include_str!(concat!("../templates/text/", $file, ".typ.j2")))+)
    };
}

/// The shipped text template of `kind` (typst markup with minijinja placeholders), or `None`
/// for a kind Ferment ships nothing for.
pub fn text(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "preliminary_kp" => text_template!("preliminary_kp"),
        "kp" => text_template!("kp"),
        "contract" => text_template!("contract"),
        "specification" => text_template!("specification"),
        "contract_and_specification" => text_template!("contract", "specification"),
        "invoice" => text_template!("invoice"),
        "info_letter" => text_template!("info_letter"),
        _ => return None,
    })
}

/// The body of the shipped Word template of `kind` (what goes inside `<w:body>`).
fn docx_body(kind: &str) -> Option<String> {
    const CONTRACT: &str = include_str!("../templates/docx/contract.xml");
    const SPECIFICATION: &str = include_str!("../templates/docx/specification.xml");
    const REFERS_TO_SPECIFICATION: &str = "<w:p><w:pPr><w:pStyle w:val=\"Legal\"/></w:pPr><w:r><w:t xml:space=\"preserve\">1.2. Наименование, количество и цена Товара указаны в Спецификации (Приложение № 1), являющейся неотъемлемой частью Договора.</w:t></w:r></w:p>";
    Some(match kind {
        "preliminary_kp" => include_str!("../templates/docx/preliminary_kp.xml").to_owned(),
        "kp" => include_str!("../templates/docx/kp.xml").to_owned(),
        "contract" => CONTRACT.to_owned(),
        "specification" => SPECIFICATION.to_owned(),
        "contract_and_specification" => {
            // The goods are listed in the specification that follows: the contract refers to it
            // instead of repeating the table (the text template does the same by document.kind).
            let contract = match (
                CONTRACT.find("<!--GOODS-->"),
                CONTRACT.find("<!--/GOODS-->"),
            ) {
                (Some(start), Some(end)) => format!(
                    "{}{REFERS_TO_SPECIFICATION}{}",
                    &CONTRACT[..start],
                    &CONTRACT[end + "<!--/GOODS-->".len()..]
                ),
                _ => CONTRACT.to_owned(),
            };
            format!("{contract}<w:p><w:r><w:br w:type=\"page\"/></w:r></w:p>{SPECIFICATION}")
        }
        "invoice" => include_str!("../templates/docx/invoice.xml").to_owned(),
        "info_letter" => include_str!("../templates/docx/info_letter.xml").to_owned(),
        _ => return None,
    })
}

/// The fixed parts of every shipped Word file, by their path in the package.
const PACKAGE: [(&str, &str); 5] = [
    (
        "[Content_Types].xml",
        include_str!("../templates/docx/package/[Content_Types].xml"),
    ),
    (
        "_rels/.rels",
        include_str!("../templates/docx/package/_rels/.rels"),
    ),
    (
        "word/_rels/document.xml.rels",
        include_str!("../templates/docx/package/word/_rels/document.xml.rels"),
    ),
    (
        "word/styles.xml",
        include_str!("../templates/docx/package/word/styles.xml"),
    ),
    (
        "word/settings.xml",
        include_str!("../templates/docx/package/word/settings.xml"),
    ),
];

/// The envelope of `word/document.xml`; `<!--BODY-->` marks where the kind's body goes.
const DOCUMENT: &str = include_str!("../templates/docx/package/word/document.xml");

/// The shipped Word template of `kind`, packed as a `.docx`, or `None` for a kind Ferment ships
/// nothing for.
pub fn docx(kind: &str) -> Option<Vec<u8>> {
    let body = docx_body(kind)?;
    let document = DOCUMENT.replacen("<!--BODY-->", &body, 1);
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let parts = PACKAGE
        .iter()
        .copied()
        .chain([("word/document.xml", document.as_str())]);
    for (name, content) in parts {
        // Writing into memory fails only on a bug in the zip writer; None says "no template".
        writer.start_file(name, options).ok()?;
        writer.write_all(content.as_bytes()).ok()?;
    }
    Some(writer.finish().ok()?.into_inner())
}
