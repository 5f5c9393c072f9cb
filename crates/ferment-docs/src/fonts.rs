//! The fonts every document is typeset with, loaded once per process: typst's bundled fonts
//! (Libertinus, New Computer Modern, DejaVu Sans Mono) plus every font under the system font
//! folders. The shipped templates use Liberation Sans (metric-compatible with Arial, has ₽), with
//! DejaVu Sans as a fallback; typst's bundled fonts alone have no proportional sans and no ₽.
//!
//! Loading costs tens of milliseconds and ~20 MB, so it happens on the first document and never
//! again ([`LazyLock`]); an admin who installs a font restarts Ferment to use it.

use std::path::Path;
use std::sync::LazyLock;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;

/// Where system fonts are looked for (missing folders are skipped).
const SYSTEM_FONT_DIRS: [&str; 2] = ["/usr/share/fonts", "/usr/local/share/fonts"];

/// The loaded fonts and their book (typst's index of families and styles).
pub(crate) struct Fonts {
    pub(crate) book: LazyHash<FontBook>,
    pub(crate) fonts: Vec<Font>,
}

/// The process-wide fonts.
pub(crate) static FONTS: LazyLock<Fonts> = LazyLock::new(load);

fn load() -> Fonts {
    let mut fonts: Vec<Font> = typst_assets::fonts()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    for dir in SYSTEM_FONT_DIRS {
        collect_dir(Path::new(dir), &mut fonts, 0);
    }
    let book = LazyHash::new(FontBook::from_fonts(&fonts));
    Fonts { book, fonts }
}

fn collect_dir(dir: &Path, fonts: &mut Vec<Font>, depth: u32) {
    // Font folders are shallow; the bound only guards against symlink loops.
    if depth > 8 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    // A stable order makes the book (and so font fallback) the same on every start.
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect_dir(&path, fonts, depth + 1);
            continue;
        }
        let is_font = path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            matches!(
                e.to_ascii_lowercase().as_str(),
                "ttf" | "otf" | "ttc" | "otc"
            )
        });
        if !is_font {
            continue;
        }
        if let Ok(data) = std::fs::read(&path) {
            fonts.extend(Font::iter(Bytes::new(data)));
        }
    }
}
