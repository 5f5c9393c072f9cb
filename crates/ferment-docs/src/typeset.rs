//! Typesetting rendered typst markup into PDF inside a sealed "world": the only source is the
//! markup itself, the only files are the [`Assets`], the fonts come from [`crate::fonts`].
//! `#read("/etc/passwd")`, `#image("/etc/passwd")`, `#import "x.typ"` and `@preview/…` packages
//! all fail with a file error, which becomes a [`TemplateError`] quoting the markup line.

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;

use crate::fonts::FONTS;
use crate::{Assets, DocsError, TemplateError};

/// The standard library, built once: no inputs, no experimental features.
static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// One compilation's world.
struct DocWorld<'a> {
    main: FileId,
    source: Source,
    assets: &'a Assets,
    today: Option<Datetime>,
}

fn main_id() -> FileId {
    // Interned globally: the same id every time.
    let path = VirtualPath::new("main.typ").expect("a valid virtual path");
    FileId::new(RootedPath::new(VirtualRoot::Project, path))
}

impl World for DocWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main {
            Ok(self.source.clone())
        } else {
            Err(refused(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main {
            return Ok(Bytes::from_string(self.source.clone()));
        }
        let path = id.get();
        if *path.root() == VirtualRoot::Project
            && let Some(bytes) = self.assets.get(path.vpath().get_without_slash())
        {
            return Ok(Bytes::new(bytes.clone()));
        }
        Err(refused(id))
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        self.today
    }
}

fn refused(id: FileId) -> FileError {
    let path = id.get();
    let what = match path.root() {
        VirtualRoot::Package(package) => {
            format!("package {package} is not available: templates cannot use packages")
        }
        VirtualRoot::Project => format!(
            "{} is not one of the document's files (logo, stamp, signatures)",
            path.vpath().get_with_slash()
        ),
    };
    FileError::Other(Some(what.into()))
}

/// Typesets `markup` into PDF. `today` is what typst's `datetime.today()` answers (the document's
/// date), `None` to make it an error.
pub(crate) fn pdf(
    markup: String,
    assets: &Assets,
    today: Option<Datetime>,
    template: &str,
) -> Result<Vec<u8>, DocsError> {
    let document = layout(markup, assets, today, template)?;
    let pdf = typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default());
    pdf.map_err(|errors| {
        let text: Vec<String> = errors.iter().map(|e| e.message.to_string()).collect();
        DocsError::Pdf(text.join("; "))
    })
}

/// Lays `markup` out into pages (what [`pdf`] exports), or the first error as a
/// [`TemplateError`].
pub(crate) fn layout(
    markup: String,
    assets: &Assets,
    today: Option<Datetime>,
    template: &str,
) -> Result<PagedDocument, TemplateError> {
    let main = main_id();
    let world = DocWorld {
        main,
        source: Source::new(main, markup),
        assets,
        today,
    };
    let result = typst::compile::<PagedDocument>(&world).output;
    // comemo memoises across compilations; without eviction a long-running server's cache only
    // grows. Keeping entries used in the last few compilations keeps the fonts' and the shipped
    // templates' work warm.
    typst::comemo::evict(20);
    result.map_err(|errors| {
        let first = errors
            .iter()
            .find(|e| e.severity == Severity::Error)
            .or_else(|| errors.first());
        match first {
            Some(error) => diagnostic_error(&world, error, template),
            None => TemplateError::new(None, "Ошибка вёрстки", "Typesetting failed"),
        }
    })
}

fn diagnostic_error(
    world: &DocWorld<'_>,
    error: &SourceDiagnostic,
    template: &str,
) -> TemplateError {
    let text = world.source.text();
    let located = world.range(error.span).and_then(|range| {
        let lines = world.source.lines();
        let line = lines.byte_to_line(range.start)?;
        let column = lines.byte_to_column(range.start)?;
        let line_text = text.lines().nth(line).unwrap_or("").trim().to_owned();
        Some((line + 1, column + 1, line_text))
    });
    let mut message_en = error.message.to_string();
    for hint in &error.hints {
        message_en.push_str(&format!(" (hint: {})", hint.v));
    }
    match located {
        Some((line, column, line_text)) => {
            // The error points into the rendered markup. When that line is a line of the template
            // as written (no placeholders on it), its number is the template's too.
            let mut matches = template
                .lines()
                .enumerate()
                .filter(|(_, l)| !line_text.is_empty() && l.trim() == line_text);
            let template_line = match (matches.next(), matches.next()) {
                (Some((n, _)), None) => u32::try_from(n + 1).ok(),
                _ => None,
            };
            TemplateError {
                line: template_line,
                column: template_line.and_then(|_| u32::try_from(column).ok()),
                message_ru: format!(
                    "Ошибка вёрстки: {message_en} — в строке {line} результата: «{line_text}»"
                ),
                message_en: format!(
                    "typesetting error: {message_en} — at line {line} of the rendered markup: `{line_text}`"
                ),
            }
        }
        None => TemplateError::new(
            None,
            format!("Ошибка вёрстки: {message_en}"),
            format!("typesetting error: {message_en}"),
        ),
    }
}

/// A typst date from an ISO `YYYY-MM-DD` string.
pub(crate) fn date(iso: &str) -> Option<Datetime> {
    let mut parts = iso.splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    Datetime::from_ymd(year, month, day)
}
