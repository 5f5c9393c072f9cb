//! Word templates: placeholders split across runs, repeated rows, escaping, errors.

mod common;

use std::io::{Cursor, Read, Write};

use ferment_docs::{Assets, check_docx, fill_docx};
use ferment_domain::document::sample;
use zip::write::SimpleFileOptions;

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

/// A minimal .docx whose body is `body`, with a header holding `header`.
fn docx(body: &str, header: &str) -> Vec<u8> {
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/></Types>"#.to_owned(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#.to_owned(),
        ),
        (
            "word/_rels/document.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/></Relationships>"#.to_owned(),
        ),
        (
            "word/header1.xml",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><w:hdr xmlns:w="{W}">{header}</w:hdr>"#),
        ),
        (
            "word/document.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>{body}<w:sectPr><w:headerReference w:type="default" r:id="rId1"/><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="850" w:bottom="1134" w:left="1418" w:header="708" w:footer="708" w:gutter="0"/></w:sectPr></w:body></w:document>"#
            ),
        ),
    ];
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, content) in parts {
        writer
            .start_file(name, SimpleFileOptions::default())
            .expect("zip");
        writer.write_all(content.as_bytes()).expect("zip");
    }
    writer.finish().expect("zip").into_inner()
}

fn part(docx: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(docx)).expect("a zip");
    let mut text = String::new();
    archive
        .by_name(name)
        .expect("the part")
        .read_to_string(&mut text)
        .expect("utf-8");
    text
}

/// The text of a part's `w:t` elements, paragraphs separated by newlines.
fn texts(xml: &str) -> String {
    let mut out = String::new();
    for paragraph in xml.split("</w:p>") {
        let mut rest = paragraph;
        while let Some(at) = rest.find("<w:t") {
            rest = &rest[at + 4..];
            if !(rest.starts_with('>') || rest.starts_with(' ')) {
                continue;
            }
            let start = rest.find('>').map_or(0, |i| i + 1);
            let end = rest.find("</w:t>").unwrap_or(rest.len());
            out.push_str(&rest[start..end]);
            rest = &rest[end..];
        }
        out.push('\n');
    }
    out
}

/// `{{ client.inn }}` split across three runs with a proofing mark and a bookmark between.
const SPLIT: &str = r#"<w:p><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">ИНН: {{ cli</w:t></w:r><w:proofErr w:type="spellStart"/><w:r><w:t>ent.i</w:t></w:r><w:bookmarkStart w:id="0" w:name="x"/><w:r><w:rPr><w:i/></w:rPr><w:t>nn }}, КПП {{ client.kpp }}</w:t></w:r><w:bookmarkEnd w:id="0"/><w:proofErr w:type="spellEnd"/></w:p>"#;

/// A table with a header row, a repeated row and a total row.
const TABLE: &str = r#"<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid><w:gridCol w:w="600"/><w:gridCol w:w="5000"/><w:gridCol w:w="2000"/></w:tblGrid><w:tr><w:tc><w:p><w:r><w:t>№</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Товар</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Сумма</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>{{ line.n }}</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>{{ line.</w:t></w:r><w:r><w:t>product }}</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>{{ line.amount }}</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p/></w:tc><w:tc><w:p><w:r><w:t>Итого</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>{{ totals.amount }}</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#;

#[test]
fn a_placeholder_split_across_three_runs_is_filled_with_the_first_runs_formatting() {
    let data = sample("invoice");
    let filled = fill_docx(&docx(SPLIT, "<w:p/>"), &data, &Assets::new()).expect("fills");
    let xml = part(&filled, "word/document.xml");
    assert!(
        xml.contains(&format!(
            r#"<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">ИНН: {}, КПП {}</w:t></w:r>"#,
            data.client.inn, data.client.kpp
        )),
        "{xml}"
    );
    assert!(!xml.contains("proofErr"), "proofing marks go: {xml}");
    assert!(
        xml.contains("w:bookmarkStart") && xml.contains("w:bookmarkEnd"),
        "bookmarks stay"
    );
}

#[test]
fn a_row_with_line_fields_repeats_once_per_line() {
    let data = sample("invoice");
    let filled = fill_docx(&docx(TABLE, "<w:p/>"), &data, &Assets::new()).expect("fills");
    let xml = part(&filled, "word/document.xml");
    assert_eq!(xml.matches("<w:tr>").count(), data.lines.len() + 2, "{xml}");
    let text = texts(&xml);
    for line in &data.lines {
        assert!(
            text.contains(&format!("{}\n{}\n{}\n", line.n, line.product, line.amount)),
            "{text}"
        );
    }
    assert!(text.contains(&format!("Итого\n{}", data.totals.amount)));
    let mut empty = data.clone();
    empty.lines.clear();
    let filled = fill_docx(&docx(TABLE, "<w:p/>"), &empty, &Assets::new()).expect("fills");
    assert_eq!(
        part(&filled, "word/document.xml").matches("<w:tr>").count(),
        2
    );
}

#[test]
fn values_are_escaped_and_newlines_become_breaks_in_headers_too() {
    let mut data = sample("invoice");
    data.client.name = "ООО <Рога & Копыта>\nфилиал".into();
    let header = "<w:p><w:r><w:t>{{ client.name }}</w:t></w:r></w:p>";
    let filled = fill_docx(&docx("<w:p/>", header), &data, &Assets::new()).expect("fills");
    let xml = part(&filled, "word/header1.xml");
    assert!(
        xml.contains(
            "ООО &lt;Рога &amp; Копыта&gt;</w:t><w:br/><w:t xml:space=\"preserve\">филиал"
        ),
        "{xml}"
    );
}

#[test]
fn an_unknown_field_is_named_with_its_paragraph() {
    let body = "<w:p><w:r><w:t>a</w:t></w:r></w:p><w:p><w:r><w:t>{{ client.in</w:t></w:r><w:r><w:t>nn }}</w:t></w:r></w:p>";
    let error = check_docx(&docx(body, "<w:p/>")).expect_err("client.innn is unknown");
    assert_eq!(error.line, Some(2), "{error:?}");
    assert!(
        error.message_ru.contains("Неизвестное поле client.innn"),
        "{error:?}"
    );
    assert!(error.message_ru.contains("word/document.xml"), "{error:?}");
    let error = check_docx(&docx(
        "<w:p><w:r><w:t>{{ client.inn</w:t></w:r></w:p>",
        "<w:p/>",
    ))
    .expect_err("unclosed");
    assert!(error.message_ru.contains("незакрытый"), "{error:?}");
    let error = check_docx(b"not a zip").expect_err("not a docx");
    assert!(
        error.message_ru.contains("не является документом Word"),
        "{error:?}"
    );
    check_docx(&docx(SPLIT, "<w:p/>")).expect("a good template passes");
}

#[test]
fn a_filled_template_converts_in_libreoffice() {
    let Some(()) = common::tool("soffice") else {
        return;
    };
    let Some(()) = common::tool("pdftotext") else {
        return;
    };
    let data = sample("invoice");
    let body = format!("{SPLIT}{TABLE}");
    let filled = fill_docx(&docx(&body, "<w:p/>"), &data, &Assets::new()).expect("fills");
    let text = common::docx_text(&filled, &common::scratch("docx-lo"));
    assert!(
        text.contains(&format!("ИНН: {}", data.client.inn)),
        "{text}"
    );
    for line in &data.lines {
        assert!(text.contains(&common::normalise(&line.product)), "{text}");
    }
}
