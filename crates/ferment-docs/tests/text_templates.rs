//! Text templates: the sandbox, the escaping, the errors a template author sees.

mod common;

use ferment_docs::{Assets, DocsError, check_text, render_markup, render_pdf};
use ferment_domain::document::sample;

const PREAMBLE: &str = "#set text(font: (\"Liberation Sans\", \"DejaVu Sans\"), lang: \"ru\")\n";

fn template_error(result: Result<Vec<u8>, DocsError>) -> ferment_docs::TemplateError {
    match result {
        Err(DocsError::Template(error)) => error,
        Err(other) => panic!("expected a template error, got {other}"),
        Ok(_) => panic!("expected a template error, got a PDF"),
    }
}

#[test]
fn an_unknown_field_names_the_field_and_its_line() {
    let source = "= Счет\n\nИНН: {{ client.inn }}\nКПП: {{ client.innn }}\n";
    let error = check_text(source).expect_err("client.innn is unknown");
    assert_eq!(error.line, Some(4));
    assert!(
        error.message_ru.contains("Неизвестное поле client.innn"),
        "{error:?}"
    );
    assert!(error.message_en.contains("client.innn"), "{error:?}");
    let error = template_error(render_pdf(source, &sample("invoice"), &Assets::new()));
    assert_eq!(error.line, Some(4));
}

#[test]
fn a_syntax_error_names_its_line() {
    let error =
        check_text("строка\n{% if client.kpp %}\nКПП\n{% endfor %}\n").expect_err("bad block");
    assert_eq!(error.line, Some(4), "{error:?}");
    assert!(
        error.message_ru.contains("Синтаксическая ошибка"),
        "{error:?}"
    );
}

#[test]
fn other_templates_cannot_be_included() {
    for source in [
        "{% include \"/etc/passwd\" %}",
        "{% import \"x\" as x %}",
        "{% extends \"/etc/passwd\" %}",
    ] {
        let error = check_text(source).expect_err(source);
        assert!(
            error
                .message_ru
                .contains("include, import и extends недоступны"),
            "{error:?}"
        );
    }
}

#[test]
fn typst_cannot_read_files_or_packages() {
    for source in [
        "#read(\"/etc/passwd\")",
        "#image(\"/etc/passwd\")",
        "#image(\"../../../../etc/passwd\")",
        "#import \"/etc/passwd\": *",
        "#import \"@preview/cetz:0.3.0\": *",
    ] {
        let error = check_text(source).expect_err(source);
        assert!(
            error.message_en.contains("typesetting error"),
            "{source}: {error:?}"
        );
        assert!(!error.message_en.contains("root:x"), "{error:?}");
    }
}

#[test]
fn typesetting_errors_quote_the_rendered_line() {
    let error =
        check_text("Клиент: {{ client.name }}\n#unknown_function(1)\n").expect_err("unknown fn");
    assert!(
        error.message_ru.contains("#unknown_function(1)"),
        "{error:?}"
    );
    assert_eq!(
        error.line,
        Some(2),
        "the line is the template's when it has no placeholders"
    );
}

#[test]
fn client_data_prints_literally_and_never_runs() {
    let hostile = "ООО \"#read(\"/etc/passwd\")\" *Звезда* [x] $5 @ref <lbl> _y_ \\ `z` // к ~ -- = + / 1. #{panic()}";
    let mut data = sample("invoice");
    data.client.name = hostile.to_owned();
    data.client.inn = "1. 2) - + =".to_owned();
    let source = format!("{PREAMBLE}Клиент: {{{{ client.name }}}}\n\n{{{{ client.inn }}}}\n");
    let markup = render_markup(&source, &data).expect("renders");
    assert!(!markup.contains("#read("), "escaped: {markup}");
    let Some(()) = common::tool("pdftotext") else {
        return;
    };
    let pdf = render_pdf(&source, &data, &Assets::new()).expect("typesets");
    let text = common::pdf_text(&pdf, &common::scratch("escaping"));
    assert!(text.contains(&common::normalise(hostile)), "{text}");
    assert!(text.contains("1. 2) - + ="), "{text}");
}

#[test]
fn images_come_only_from_the_assets() {
    let source = "#image({{ company.images.logo | typst_string }}, width: 2cm)";
    let mut data = sample("invoice");
    data.company.images.logo = "logo.png".into();
    let error = template_error(render_pdf(source, &data, &Assets::new()));
    assert!(error.message_en.contains("logo.png"), "{error:?}");
    let mut assets = Assets::new();
    assets.insert("logo.png", PNG.to_vec());
    let pdf = render_pdf(source, &data, &assets).expect("the logo is an asset");
    assert!(pdf.starts_with(b"%PDF"));
}

#[test]
fn sums_in_words_and_dates_come_out_in_russian() {
    let Some(()) = common::tool("pdftotext") else {
        return;
    };
    let data = sample("invoice");
    let source = format!(
        "{PREAMBLE}Счет от {{{{ document.date_words }}}}: {{{{ totals.amount_words }}}}. #datetime.today().display(\"[day].[month].[year]\")"
    );
    let pdf = render_pdf(&source, &data, &Assets::new()).expect("typesets");
    let text = common::pdf_text(&pdf, &common::scratch("words"));
    assert!(text.contains("26 ноября 2026 г."), "{text}");
    assert!(
        text.contains(&common::normalise(&data.totals.amount_words)),
        "{text}"
    );
    assert!(text.contains("рубл"), "{text}");
    assert!(
        text.contains("26.11.2026"),
        "today() is the document's date: {text}"
    );
}

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];
