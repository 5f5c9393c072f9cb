//! Helpers for the document tests: the real `pdftotext` and LibreOffice (`soffice`).
//!
//! A missing tool skips the test with a note — unless `FERMENT_REQUIRE_SERVICES=1` (the README's
//! test command and CI, through `scripts/test.sh`), where it fails; `scripts/test-services.sh`
//! installs both.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

/// Whether `program` runs; `None` (after a note) when it is missing and missing tools may be
/// skipped; panics when they may not.
pub fn tool(program: &str) -> Option<()> {
    let found = Command::new(program).arg("--version").output().is_ok();
    if found {
        return Some(());
    }
    if std::env::var("FERMENT_REQUIRE_SERVICES").as_deref() == Ok("1") {
        panic!(
            "{program} is not installed but FERMENT_REQUIRE_SERVICES=1: run scripts/test-services.sh"
        );
    }
    eprintln!("note: {program} is not installed; skipping (scripts/test-services.sh installs it)");
    None
}

/// A fresh scratch directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "ferment-docs-{name}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// The text of a PDF by `pdftotext -layout`, whitespace (non-breaking spaces included) collapsed
/// to single spaces.
pub fn pdf_text(pdf: &[u8], dir: &Path) -> String {
    let path = dir.join("doc.pdf");
    std::fs::write(&path, pdf).expect("writing pdf");
    let output = Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .expect("running pdftotext");
    assert!(
        output.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    normalise(&String::from_utf8_lossy(&output.stdout))
}

/// Whitespace of any kind collapsed to single spaces.
pub fn normalise(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c == '\u{a0}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A .docx converted to PDF by LibreOffice (its own profile directory, so conversions may run in
/// parallel), then its text as [`pdf_text`] gives it.
pub fn docx_text(docx: &[u8], dir: &Path) -> String {
    let input = dir.join("doc.docx");
    std::fs::write(&input, docx).expect("writing docx");
    let profile = dir.join("lo-profile");
    let output = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(dir)
        .arg(&input)
        .output()
        .expect("running soffice");
    // soffice reports success on broken input too: the PDF must exist.
    let pdf = std::fs::read(dir.join("doc.pdf")).unwrap_or_else(|_| {
        panic!(
            "LibreOffice made no PDF: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let _ = std::fs::remove_dir_all(&profile);
    pdf_text(&pdf, dir)
}
