//! Ferment's documents: user-editable templates filled from a [`DocumentData`] and turned into files.
//!
//! Two kinds of template, one data model and one placeholder syntax (`{{ client.inn }}`):
//!
//! - **Text templates** ([`render_pdf`], [`check_text`]): a minijinja template whose output is typst
//!   markup, typeset in-process to PDF. Every printed value is escaped for typst markup, so client
//!   data prints literally and can never run code; the typst "world" sees only the rendered markup,
//!   the fonts and the [`Assets`] (no files, no packages, no network).
//! - **Word templates** ([`fill_docx`], [`check_docx`]): an uploaded `.docx` whose placeholders are
//!   filled in place; a table row that uses `line.…` repeats once per line of the sale.
//!
//! [`palette`] lists every field a template may use; [`shipped`] holds the templates Ferment ships
//! for the seven document kinds. What the templates can do, for the people who write them, is in
//! `docs/DOCUMENTS.md`.
//!
//! This crate does no I/O beyond reading the system's fonts once, and knows nothing of storage or
//! HTTP: callers pass the data and the assets in and get bytes or a [`TemplateError`] back.

mod docx;
mod escape;
mod fields;
mod fonts;
pub mod shipped;
mod text;
mod typeset;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

pub use ferment_domain::document::DocumentData;

pub use docx::{check_docx, fill_docx};
pub use fields::{Field, palette};
pub use text::{check_text, render_markup, render_pdf};

/// Images and other files a template may reference by file name (`logo.png`, `stamp.png`,
/// `signature_director.png`). A text template reaches them only through typst's `image(…)`;
/// nothing outside this set can be read.
#[derive(Default, Clone)]
pub struct Assets {
    files: HashMap<String, Arc<[u8]>>,
}

impl Assets {
    /// No files.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the file `name`.
    pub fn insert(&mut self, name: impl Into<String>, bytes: Vec<u8>) {
        self.files.insert(name.into(), Arc::from(bytes));
    }

    /// The file `name`, when present.
    pub fn get(&self, name: &str) -> Option<&Arc<[u8]>> {
        self.files.get(name)
    }

    /// Whether there is no file at all.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

impl fmt::Debug for Assets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&String> = self.files.keys().collect();
        names.sort();
        f.debug_struct("Assets").field("files", &names).finish()
    }
}

/// A template problem a user can fix: where and why.
///
/// `line` is 1-based. For a text template it is the template's line when the error comes from
/// the template language; errors found while typesetting point into the *rendered* markup, which
/// the messages quote (and `line` is set only when that markup line appears verbatim, once, in
/// the template). For a Word template it is the number of the paragraph (1-based, counted through
/// the part named in the message).
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateError {
    /// 1-based line (or paragraph, for Word templates) when known.
    pub line: Option<u32>,
    /// 1-based column when known.
    pub column: Option<u32>,
    /// What is wrong, in Russian, for the template's author.
    pub message_ru: String,
    /// The same in English.
    pub message_en: String,
}

impl TemplateError {
    pub(crate) fn new(
        line: Option<u32>,
        message_ru: impl Into<String>,
        message_en: impl Into<String>,
    ) -> Self {
        Self {
            line,
            column: None,
            message_ru: message_ru.into(),
            message_en: message_en.into(),
        }
    }
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message_en),
            None => f.write_str(&self.message_en),
        }
    }
}

impl std::error::Error for TemplateError {}

/// Everything that can go wrong making a document.
///
/// Only [`DocsError::Template`] is the user's to fix (this includes an uploaded `.docx` that is not
/// a readable Word file); the others are failures of the engine itself, writing the `.docx`
/// ([`DocsError::Docx`]) or exporting the PDF ([`DocsError::Pdf`]).
#[derive(Debug, thiserror::Error)]
pub enum DocsError {
    /// The template is wrong: unknown field, syntax, markup that does not typeset.
    #[error("template error: {0}")]
    Template(TemplateError),
    /// The filled Word file could not be written.
    #[error("docx: {0}")]
    Docx(String),
    /// The PDF could not be produced from typeset pages.
    #[error("pdf export: {0}")]
    Pdf(String),
}

impl From<TemplateError> for DocsError {
    fn from(error: TemplateError) -> Self {
        DocsError::Template(error)
    }
}
