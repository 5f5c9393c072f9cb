//! Real tools that read what Ferment makes: `pdftotext` for PDF, LibreOffice for DOCX and XLSX.
//! Missing tools fail the test under `FERMENT_REQUIRE_SERVICES=1` (CI); elsewhere the check is
//! left out with a note.

use std::path::PathBuf;
use std::process::Command;

fn required() -> bool {
    std::env::var("FERMENT_REQUIRE_SERVICES").as_deref() == Ok("1")
}

/// Whether a tool runs here (panics when it must and does not).
pub fn available(tool: &str) -> bool {
    let found = Command::new(tool)
        .arg("--version")
        .output()
        .map(|o| o.status.success() || !o.stdout.is_empty() || !o.stderr.is_empty())
        .unwrap_or(false);
    if !found {
        assert!(
            !required(),
            "{tool} is missing but FERMENT_REQUIRE_SERVICES=1: run scripts/test-services.sh"
        );
        eprintln!("note: {tool} is not installed; its check is left out");
    }
    found
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ferment-tools-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// The text of a PDF (`pdftotext -layout`), or `None` without the tool.
pub fn pdf_text(bytes: &[u8]) -> Option<String> {
    if !available("pdftotext") {
        return None;
    }
    let dir = scratch();
    let pdf = dir.join("in.pdf");
    std::fs::write(&pdf, bytes).expect("writing the PDF");
    let out = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    assert!(
        out.status.success(),
        "pdftotext refused the file: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Converts a file with LibreOffice (`soffice --convert-to target`) and returns the result's
/// bytes, or `None` without the tool. Each conversion has its own profile, so tests may run in
/// parallel.
pub fn convert(bytes: &[u8], extension: &str, target: &str) -> Option<Vec<u8>> {
    if !available("soffice") {
        return None;
    }
    let dir = scratch();
    let input = dir.join(format!("in.{extension}"));
    std::fs::write(&input, bytes).expect("writing the input");
    let profile = dir.join("profile");
    let out = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
        ])
        .arg(&dir)
        .arg(&input)
        .output()
        .expect("soffice");
    let extension = target.split(':').next().unwrap_or(target);
    let output = dir.join(format!("in.{extension}"));
    let converted = std::fs::read(&output).unwrap_or_else(|_| {
        panic!(
            "LibreOffice made no {extension}: {} {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let _ = std::fs::remove_dir_all(&dir);
    Some(converted)
}

/// The text of a DOCX as LibreOffice prints it to PDF, or `None` without the tools.
pub fn docx_text(bytes: &[u8]) -> Option<String> {
    let pdf = convert(bytes, "docx", "pdf")?;
    pdf_text(&pdf)
}

/// Text with every run of white space (no-break spaces included) made one space, so a check
/// does not depend on the layout's line breaks and column padding.
pub fn squeeze(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c == '\u{a0}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
