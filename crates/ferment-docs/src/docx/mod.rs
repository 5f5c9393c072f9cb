//! Word templates: an uploaded `.docx` whose `{{ … }}` placeholders are filled in place.
//!
//! The rules (also in `docs/DOCUMENTS.md`):
//!
//! - A placeholder is a minijinja *expression* between `{{` and `}}`: a field (`client.inn`), a
//!   filter (`client.name | upper`) or a choice (`client.kpp if client.kpp else "—"`). Statements
//!   (`{% … %}`) are not supported in Word files.
//! - Word splits typed text into runs (`<w:r>`) wherever formatting, spell-checking marks or edit
//!   history differ. Within each stretch of plain text runs of a paragraph that carries a
//!   placeholder, the runs are merged into the first one, whose formatting the whole stretch takes;
//!   proofing marks are dropped, bookmarks kept. Runs holding pictures, fields or tracked changes
//!   end a stretch and stay as they are.
//! - A table row whose placeholders use a loop variable (`line.…`, `share.…`, `sample.…`,
//!   `component.…`, see [`crate::fields::LOOPS`]) is repeated once per entry of its list (`lines`,
//!   `vat`, `samples`, `recipe.components`), and removed when the list is empty.
//! - Inserted text is escaped; a newline in a value becomes a line break, a tab a tab.
//! - The main document, headers, footers, footnotes and endnotes are filled; every other part of
//!   the package is copied unchanged (pictures placed in the template stay where they are — this is
//!   how a Word template carries a logo or a stamp; there is no image placeholder).

mod xml;

use std::io::{Cursor, Read, Write};

use ferment_domain::document::{DocumentData, SHIPPED_KINDS, sample};
use minijinja::value::{Serde, Value, merge_maps};
use minijinja::{Environment, ErrorKind};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::fields::LOOPS;
use crate::text::{describe, environment, with_images};
use crate::{Assets, DocsError, TemplateError};
use xml::{Element, Node};

/// Largest total unpacked size accepted (a guard against zip bombs).
const MAX_UNPACKED: u64 = 100 * 1024 * 1024;

/// Fills a `.docx` template with `data` → `.docx` bytes.
///
/// `assets` is accepted for symmetry with [`crate::render_pdf`]; Word templates carry their
/// pictures themselves.
pub fn fill_docx(
    template: &[u8],
    data: &DocumentData,
    assets: &Assets,
) -> Result<Vec<u8>, DocsError> {
    let _ = assets;
    let env = environment();
    let mut archive = open(template)?;
    let out = Cursor::new(Vec::with_capacity(template.len() + 4096));
    let mut writer = ZipWriter::new(out);
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let root = Value::from(Serde(data));
    let mut unpacked = 0u64;
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).map_err(broken)?;
        let name = file.name().map_err(broken)?.into_owned();
        if !is_filled_part(&name) {
            writer.raw_copy_file(file).map_err(write_failed)?;
            continue;
        }
        let mut bytes = Vec::new();
        (&mut file)
            .take(MAX_UNPACKED.saturating_sub(unpacked) + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| broken(e.into()))?;
        unpacked += bytes.len() as u64;
        if unpacked > MAX_UNPACKED {
            return Err(not_docx("the file unpacks to more than 100 MB").into());
        }
        let text =
            String::from_utf8(bytes).map_err(|_| not_docx(&format!("{name} is not UTF-8")))?;
        let filled = fill_part(&env, &name, &text, &root)?;
        writer
            .start_file(name.as_str(), options)
            .map_err(write_failed)?;
        writer
            .write_all(filled.as_bytes())
            .map_err(|e| write_failed(e.into()))?;
    }
    let out = writer.finish().map_err(write_failed)?;
    Ok(out.into_inner())
}

/// Checks an uploaded `.docx` template: that it is a Word file, that its placeholders parse and
/// that every field they use exists (filled against the sample of every shipped kind). The error
/// names the placeholder, the part and the paragraph (`line` is the paragraph's number).
pub fn check_docx(template: &[u8]) -> Result<(), TemplateError> {
    let archive = open(template)?;
    if archive.index_for_name("word/document.xml").is_none() {
        return Err(not_docx("word/document.xml is missing"));
    }
    for kind in SHIPPED_KINDS {
        match fill_docx(template, &with_images(sample(kind)), &Assets::new()) {
            Ok(_) => {}
            Err(DocsError::Template(error)) => return Err(error),
            Err(other) => return Err(not_docx(&other.to_string())),
        }
    }
    Ok(())
}

fn is_filled_part(name: &str) -> bool {
    let xml_under = |prefix: &str| name.starts_with(prefix) && name.ends_with(".xml");
    name == "word/document.xml"
        || name == "word/footnotes.xml"
        || name == "word/endnotes.xml"
        || xml_under("word/header")
        || xml_under("word/footer")
}

fn open(template: &[u8]) -> Result<ZipArchive<Cursor<&[u8]>>, TemplateError> {
    ZipArchive::new(Cursor::new(template)).map_err(|e| not_docx(&e.to_string()))
}

fn not_docx(detail: &str) -> TemplateError {
    TemplateError::new(
        None,
        format!("Файл не является документом Word (.docx): {detail}"),
        format!("not a Word (.docx) file: {detail}"),
    )
}

fn broken(error: zip::result::ZipError) -> DocsError {
    DocsError::Template(not_docx(&error.to_string()))
}

fn write_failed(error: zip::result::ZipError) -> DocsError {
    DocsError::Docx(error.to_string())
}

/// One part being filled.
struct Part<'a> {
    env: &'a Environment<'static>,
    name: &'a str,
    /// Paragraphs seen so far (1-based numbering in errors).
    paragraph: u32,
}

fn fill_part(
    env: &Environment<'static>,
    name: &str,
    text: &str,
    root: &Value,
) -> Result<String, TemplateError> {
    let mut nodes = xml::parse(text).map_err(|e| not_docx(&format!("{name}: {e}")))?;
    let mut part = Part {
        env,
        name,
        paragraph: 0,
    };
    part.fill(&mut nodes, root)?;
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    xml::write(&nodes, &mut out);
    Ok(out)
}

/// Elements whose direct children are runs that may be merged.
const RUN_CONTAINERS: [&str; 6] = [
    "w:p",
    "w:hyperlink",
    "w:smartTag",
    "w:sdtContent",
    "w:fldSimple",
    "w:customXml",
];

impl Part<'_> {
    fn fill(&mut self, nodes: &mut Vec<Node>, scope: &Value) -> Result<(), TemplateError> {
        let mut index = 0;
        while index < nodes.len() {
            let Node::Element(element) = &mut nodes[index] else {
                index += 1;
                continue;
            };
            if element.name == "w:tr"
                && let Some((list, variable)) = self.row_loop(element)?
            {
                let template = element.clone();
                let items = self.eval(list, scope)?;
                let mut rows = Vec::new();
                for item in items
                    .try_iter()
                    .map_err(|e| self.error(list, e.kind(), ""))?
                {
                    let mut row = template.clone();
                    let item_scope =
                        merge_maps([Value::from_pairs([(variable, item)]), scope.clone()]);
                    self.fill_element(&mut row, &item_scope)?;
                    rows.push(Node::Element(row));
                }
                let count = rows.len();
                nodes.splice(index..=index, rows);
                index += count;
                continue;
            }
            self.fill_element(element, scope)?;
            index += 1;
        }
        Ok(())
    }

    fn fill_element(&mut self, element: &mut Element, scope: &Value) -> Result<(), TemplateError> {
        if element.name == "w:p" {
            self.paragraph += 1;
        }
        if RUN_CONTAINERS.contains(&element.name.as_str()) {
            self.fill_runs(&mut element.children, scope)?;
        }
        self.fill(&mut element.children, scope)
    }

    /// The list and loop variable a table row repeats over, when its placeholders use one.
    fn row_loop(
        &self,
        row: &Element,
    ) -> Result<Option<(&'static str, &'static str)>, TemplateError> {
        let mut text = String::new();
        row.text(&mut text);
        let mut found = None;
        for expression in placeholders(&text) {
            for (list, variable) in LOOPS {
                if uses_variable(expression, variable) {
                    match found {
                        Some((_, other)) if other != variable => {
                            return Err(TemplateError::new(
                                Some(self.paragraph + 1),
                                format!(
                                    "{}: строка таблицы использует и {other}, и {variable} — повторять строку можно только по одному списку",
                                    self.name
                                ),
                                format!(
                                    "{}: a table row uses both {other} and {variable} — a row repeats over one list only",
                                    self.name
                                ),
                            ));
                        }
                        _ => found = Some((list, variable)),
                    }
                }
            }
        }
        Ok(found)
    }

    /// Merges each stretch of plain text runs that holds a placeholder and fills it.
    fn fill_runs(&mut self, children: &mut Vec<Node>, scope: &Value) -> Result<(), TemplateError> {
        let mut start = 0;
        while start < children.len() {
            // A stretch: text runs and transparent marks, up to the next other element.
            let mut end = start;
            while end < children.len()
                && (is_text_run(&children[end]) || is_transparent(&children[end]))
            {
                end += 1;
            }
            if end == start {
                start += 1;
                continue;
            }
            let mut text = String::new();
            for node in &children[start..end] {
                if let Node::Element(run) = node
                    && run.name == "w:r"
                {
                    run_text(run, &mut text);
                }
            }
            if text.contains("{{") || text.contains("{%") {
                let filled = self.render(&text, scope)?;
                let replaced = merge_stretch(&children[start..end], &filled);
                let count = replaced.len();
                children.splice(start..end, replaced);
                end = start + count;
            }
            start = end.max(start + 1);
        }
        Ok(())
    }

    /// The text with every `{{ expression }}` replaced by its value.
    fn render(&self, text: &str, scope: &Value) -> Result<String, TemplateError> {
        if let Some(at) = text.find("{%") {
            let statement: String = text[at..].chars().take(40).collect();
            return Err(TemplateError::new(
                Some(self.paragraph),
                format!(
                    "{}, абзац {}: инструкции {{% … %}} в Word-шаблонах не поддерживаются ({statement}); для повторения строк таблицы используйте поля line.…",
                    self.name, self.paragraph
                ),
                format!(
                    "{}, paragraph {}: {{% … %}} statements are not supported in Word templates ({statement}); rows repeat by using line.… fields",
                    self.name, self.paragraph
                ),
            ));
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(open) = rest.find("{{") {
            out.push_str(&rest[..open]);
            let after = &rest[open + 2..];
            let Some(close) = after.find("}}") else {
                let fragment: String = rest[open..].chars().take(40).collect();
                return Err(TemplateError::new(
                    Some(self.paragraph),
                    format!(
                        "{}, абзац {}: незакрытый заполнитель «{fragment}» (нет «}}}}»)",
                        self.name, self.paragraph
                    ),
                    format!(
                        "{}, paragraph {}: unclosed placeholder `{fragment}` (no `}}}}`)",
                        self.name, self.paragraph
                    ),
                ));
            };
            let expression = after[..close].trim();
            let value = self.eval(expression, scope)?;
            if !value.is_none() {
                match value.as_str() {
                    Some(s) => out.push_str(s),
                    None => out.push_str(&value.to_string()),
                }
            }
            rest = &after[close + 2..];
        }
        out.push_str(rest);
        Ok(out)
    }

    fn eval(&self, expression: &str, scope: &Value) -> Result<Value, TemplateError> {
        let compiled = self
            .env
            .compile_expression(expression)
            .map_err(|e| self.error(expression, e.kind(), e.detail().unwrap_or("")))?;
        let value = compiled
            .eval(scope)
            .map_err(|e| self.error(expression, e.kind(), e.detail().unwrap_or("")))?;
        if value.is_undefined() {
            return Err(self.error(expression, ErrorKind::UndefinedError, ""));
        }
        Ok(value)
    }

    fn error(&self, expression: &str, kind: ErrorKind, detail: &str) -> TemplateError {
        let (ru, en) = describe(kind, Some(expression), detail);
        TemplateError::new(
            Some(self.paragraph),
            format!(
                "{}, абзац {}: {ru} в {{{{ {expression} }}}}",
                self.name, self.paragraph
            ),
            format!(
                "{}, paragraph {}: {en} in {{{{ {expression} }}}}",
                self.name, self.paragraph
            ),
        )
    }
}

/// The expressions of the `{{ … }}` placeholders in `text` (an unclosed one is left for
/// [`Part::render`] to report).
fn placeholders(text: &str) -> impl Iterator<Item = &str> {
    text.split("{{")
        .skip(1)
        .filter_map(|piece| piece.find("}}").map(|end| piece[..end].trim()))
}

/// Whether `expression` names `variable` as a top-level identifier (`line.product`, `line`,
/// `line["x"]`), not as an attribute (`client.line`) or part of a word (`lines`) or a string.
fn uses_variable(expression: &str, variable: &str) -> bool {
    let bytes = expression.as_bytes();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if let Some(q) = quote {
            if b == b'\\' {
                i += 1;
            } else if b == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        if b == b'"' || b == b'\'' {
            quote = Some(b);
            i += 1;
            continue;
        }
        if b.is_ascii_alphabetic() || b == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            let after_dot = expression[..start].trim_end().ends_with('.');
            if &expression[start..i] == variable && !after_dot {
                return true;
            }
            continue;
        }
        i += 1;
    }
    false
}

/// A run with only formatting and text-like content.
fn is_text_run(node: &Node) -> bool {
    let Node::Element(run) = node else {
        return false;
    };
    run.name == "w:r"
        && run.elements().all(|child| {
            matches!(
                child.name.as_str(),
                "w:rPr"
                    | "w:t"
                    | "w:tab"
                    | "w:br"
                    | "w:cr"
                    | "w:lastRenderedPageBreak"
                    | "w:softHyphen"
                    | "w:noBreakHyphen"
            )
        })
}

/// Marks between runs that carry no text: spell-check marks, bookmarks, comment ranges.
fn is_transparent(node: &Node) -> bool {
    match node {
        Node::Element(e) => matches!(
            e.name.as_str(),
            "w:proofErr"
                | "w:bookmarkStart"
                | "w:bookmarkEnd"
                | "w:commentRangeStart"
                | "w:commentRangeEnd"
                | "w:permStart"
                | "w:permEnd"
        ),
        // Whitespace between elements in a pretty-printed part.
        Node::Text(t) => t.trim().is_empty(),
        Node::Raw(_) => true,
    }
}

/// A run's text, with tabs and breaks as `\t` and `\n`.
fn run_text(run: &Element, out: &mut String) {
    for child in run.elements() {
        match child.name.as_str() {
            "w:t" => child.text(out),
            "w:tab" => out.push('\t'),
            "w:br" | "w:cr" => out.push('\n'),
            "w:noBreakHyphen" => out.push('\u{2011}'),
            "w:softHyphen" => out.push('\u{ad}'),
            _ => {}
        }
    }
}

/// The stretch with its runs replaced by one run holding `text`, formatted like the first run;
/// proofing marks dropped, everything else kept after it.
fn merge_stretch(stretch: &[Node], text: &str) -> Vec<Node> {
    let mut first_run: Option<&Element> = None;
    let mut kept = Vec::new();
    for node in stretch {
        match node {
            Node::Element(e) if e.name == "w:r" => {
                first_run.get_or_insert(e);
            }
            Node::Element(e) if e.name == "w:proofErr" => {}
            other => kept.push(other.clone()),
        }
    }
    let Some(first) = first_run else {
        return stretch.to_vec();
    };
    let mut children: Vec<Node> = first
        .elements()
        .filter(|e| e.name == "w:rPr")
        .map(|e| Node::Element(e.clone()))
        .collect();
    children.extend(text_nodes(text));
    let mut merged = vec![Node::Element(Element::new("w:r", &first.attrs, children))];
    merged.extend(kept);
    merged
}

/// `w:t` pieces with `w:br` for newlines and `w:tab` for tabs.
fn text_nodes(text: &str) -> Vec<Node> {
    let mut nodes = Vec::new();
    let mut piece = String::new();
    let flush = |piece: &mut String, nodes: &mut Vec<Node>| {
        if !piece.is_empty() {
            let t = Element::new(
                "w:t",
                " xml:space=\"preserve\"",
                vec![Node::Text(std::mem::take(piece))],
            );
            nodes.push(Node::Element(t));
        }
    };
    for c in text.chars() {
        match c {
            '\n' => {
                flush(&mut piece, &mut nodes);
                nodes.push(Node::Element(Element::new("w:br", "", Vec::new())));
            }
            '\t' => {
                flush(&mut piece, &mut nodes);
                nodes.push(Node::Element(Element::new("w:tab", "", Vec::new())));
            }
            '\r' => {}
            c => piece.push(c),
        }
    }
    flush(&mut piece, &mut nodes);
    nodes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loop_variables_are_found_only_as_top_level_names() {
        assert!(uses_variable("line.product", "line"));
        assert!(uses_variable("line", "line"));
        assert!(uses_variable("x if line.n else y", "line"));
        assert!(!uses_variable("lines | length", "line"));
        assert!(!uses_variable("client.line", "line"));
        assert!(!uses_variable("'line.x'", "line"));
    }

    #[test]
    fn newlines_become_breaks() {
        let nodes = text_nodes("a\nb");
        let mut out = String::new();
        xml::write(&nodes, &mut out);
        assert_eq!(
            out,
            "<w:t xml:space=\"preserve\">a</w:t><w:br/><w:t xml:space=\"preserve\">b</w:t>"
        );
    }
}
