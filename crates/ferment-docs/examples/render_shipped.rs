//! Renders every shipped kind with the sample data into a folder, to look at:
//! `cargo run -p ferment-docs --example render_shipped -- /tmp/out` (PDF and DOCX per kind).

use ferment_docs::{Assets, fill_docx, render_pdf, shipped};
use ferment_domain::document::{SHIPPED_KINDS, sample};

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/shipped-documents".to_owned());
    std::fs::create_dir_all(&dir).expect("output folder");
    for kind in SHIPPED_KINDS {
        let data = sample(kind);
        let text = shipped::text(kind).expect("shipped text template");
        match render_pdf(text, &data, &Assets::new()) {
            Ok(pdf) => std::fs::write(format!("{dir}/{kind}.pdf"), pdf).expect("writing"),
            Err(e) => eprintln!("{kind}.pdf: {e}"),
        }
        let docx = shipped::docx(kind).expect("shipped docx template");
        match fill_docx(&docx, &data, &Assets::new()) {
            Ok(bytes) => std::fs::write(format!("{dir}/{kind}.docx"), bytes).expect("writing"),
            Err(e) => eprintln!("{kind}.docx: {e}"),
        }
    }
}
