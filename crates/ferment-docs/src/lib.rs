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
//! [`check_image`] vets an uploaded logo, stamp or signature before it joins the [`Assets`].
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

/// Checks an uploaded picture (logo, stamp, signature) before it is stored: it must be a PNG or a
/// JPEG that decodes completely — with the decoders typst itself uses when it places the picture,
/// so a file that passes here cannot fail later while a document is typeset. Anything else (SVG,
/// GIF, WebP, a PDF, a truncated or damaged file) is refused with
/// «Изображение повреждено или не PNG/JPEG».
pub fn check_image(bytes: &[u8]) -> Result<(), TemplateError> {
    use typst::foundations::Bytes;
    use typst::visualize::{ExchangeFormat, RasterImage};

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF];
    let format = if bytes.starts_with(PNG) {
        ExchangeFormat::Png
    } else if bytes.starts_with(JPEG) {
        ExchangeFormat::Jpg
    } else {
        return Err(bad_image("neither a PNG nor a JPEG file"));
    };
    match RasterImage::plain(Bytes::new(bytes.to_vec()), format) {
        Ok(image) if image.width() > 0 && image.height() > 0 => Ok(()),
        Ok(_) => Err(bad_image("the image is empty")),
        Err(error) => Err(bad_image(&error)),
    }
}

fn bad_image(detail: &str) -> TemplateError {
    TemplateError::new(
        None,
        "Изображение повреждено или не PNG/JPEG",
        format!("the image is damaged or not a PNG/JPEG ({detail})"),
    )
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

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageFormat, Rgb, RgbImage};
    use std::io::Cursor;

    fn encoded(format: ImageFormat) -> Vec<u8> {
        let picture = RgbImage::from_fn(2, 2, |x, y| Rgb([200, (x * 100) as u8, (y * 100) as u8]));
        let mut out = Cursor::new(Vec::new());
        picture.write_to(&mut out, format).expect("encoding");
        out.into_inner()
    }

    /// The offset of the first byte of the data of the PNG chunk `kind`.
    fn chunk_data(png: &[u8], kind: &[u8; 4]) -> usize {
        let mut at = 8;
        while at + 8 <= png.len() {
            let length = u32::from_be_bytes(png[at..at + 4].try_into().expect("4 bytes")) as usize;
            if &png[at + 4..at + 8] == kind {
                return at + 8;
            }
            at += 12 + length;
        }
        panic!("no {kind:?} chunk");
    }

    #[test]
    fn a_valid_png_passes() {
        check_image(&encoded(ImageFormat::Png)).expect("a 2×2 PNG");
    }

    #[test]
    fn a_valid_jpeg_passes() {
        let jpeg = encoded(ImageFormat::Jpeg);
        assert!(jpeg.starts_with(&[0xFF, 0xD8, 0xFF]));
        check_image(&jpeg).expect("a 2×2 JPEG");
    }

    #[test]
    fn a_png_with_a_flipped_byte_in_its_image_data_is_refused() {
        let mut png = encoded(ImageFormat::Png);
        let data = chunk_data(&png, b"IDAT");
        png[data + 2] ^= 0xFF;
        let error = check_image(&png).expect_err("damaged IDAT");
        assert_eq!(error.message_ru, "Изображение повреждено или не PNG/JPEG");
        assert!(error.message_en.contains("damaged"), "{error:?}");
    }

    #[test]
    fn truncated_pictures_are_refused() {
        let png = encoded(ImageFormat::Png);
        assert!(check_image(&png[..png.len() / 2]).is_err());
        let jpeg = encoded(ImageFormat::Jpeg);
        assert!(check_image(&jpeg[..jpeg.len() / 2]).is_err());
    }

    #[test]
    fn anything_but_png_and_jpeg_is_refused() {
        for bytes in [
            &b"<svg/>"[..],
            b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"2\" height=\"2\"/>",
            b"GIF89a\x01\x00\x01\x00",
            b"%PDF-1.7",
            b"",
            b"\x89PNG",
        ] {
            let error = check_image(bytes).expect_err("not a PNG or JPEG");
            assert_eq!(error.message_ru, "Изображение повреждено или не PNG/JPEG");
        }
    }
}
