//! Every shipped kind, as text (→ PDF) and as Word (→ filled .docx → LibreOffice → PDF), filled
//! with the sample: the result holds the client, each line, the totals, the VAT lines and the sum
//! in words.

mod common;

use std::thread;

use ferment_docs::{Assets, check_docx, check_text, fill_docx, render_pdf, shipped};
use ferment_domain::document::{DocumentData, SHIPPED_KINDS, sample};

/// What every kind must show, whitespace-normalised: the client's name and ИНН, each line's
/// product, the total with VAT, the VAT amount and rate(s), the sum in words.
fn assert_holds_the_sale(kind: &str, format: &str, text: &str, data: &DocumentData) {
    let mut expected = vec![
        data.client.name.clone(),
        data.client.inn.clone(),
        data.totals.amount.clone(),
        data.totals.vat.clone(),
        data.totals.amount_words.clone(),
    ];
    expected.extend(data.lines.iter().map(|l| l.product.clone()));
    expected.extend(data.vat.iter().map(|v| v.rate.clone()));
    for wanted in expected {
        let wanted = common::normalise(&wanted);
        assert!(
            text.contains(&wanted),
            "{kind}.{format} lacks «{wanted}»:\n{text}"
        );
    }
    if kind == "contract" || kind == "contract_and_specification" {
        // The signatory in the genitive; the name as it is.
        let preamble = format!(
            "в лице {} {}, действующего на основании Устава",
            data.company.director.position_genitive.to_lowercase(),
            data.company.director.name
        );
        assert!(
            text.contains(&preamble),
            "{kind}.{format} lacks «{preamble}»:\n{text}"
        );
        assert!(
            text.contains("«Покупатель», в лице уполномоченного представителя"),
            "{kind}.{format}: the buyer's side of the preamble:\n{text}"
        );
        let total = common::normalise(&format!(
            "Общая сумма Договора составляет {} руб. ({})",
            data.totals.amount, data.totals.amount_words
        ));
        assert!(text.contains(&total), "{kind}.{format} lacks «{total}»");
    }
}

#[test]
fn every_shipped_text_template_passes_its_own_check() {
    for kind in SHIPPED_KINDS {
        let source = shipped::text(kind).expect("shipped");
        check_text(source).unwrap_or_else(|e| panic!("{kind}: {e:?}"));
    }
}

#[test]
fn every_shipped_word_template_passes_its_own_check() {
    for kind in SHIPPED_KINDS {
        let template = shipped::docx(kind).expect("shipped");
        check_docx(&template).unwrap_or_else(|e| panic!("{kind}: {e:?}"));
    }
}

#[test]
fn every_shipped_text_template_prints_the_sale() {
    let Some(()) = common::tool("pdftotext") else {
        return;
    };
    for kind in SHIPPED_KINDS {
        let data = sample(kind);
        let pdf = render_pdf(shipped::text(kind).expect("shipped"), &data, &Assets::new())
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        let text = common::pdf_text(&pdf, &common::scratch(&format!("text-{kind}")));
        assert_holds_the_sale(kind, "pdf", &text, &data);
        if kind == "invoice" {
            for wanted in [
                "Счет на оплату",
                "Итого:",
                "В том числе НДС (20%):",
                "Всего к оплате:",
                "Всего наименований 3",
            ] {
                assert!(text.contains(wanted), "invoice lacks «{wanted}»");
            }
        }
    }
}

#[test]
fn every_shipped_word_template_fills_and_converts_in_libreoffice() {
    let Some(()) = common::tool("soffice") else {
        return;
    };
    let Some(()) = common::tool("pdftotext") else {
        return;
    };
    // Two conversions at a time (one LibreOffice profile each): the machine has two cores.
    for pair in SHIPPED_KINDS.chunks(2) {
        thread::scope(|scope| {
            for kind in pair {
                scope.spawn(move || {
                    let data = sample(kind);
                    let template = shipped::docx(kind).expect("shipped");
                    let filled = fill_docx(&template, &data, &Assets::new())
                        .unwrap_or_else(|e| panic!("{kind}: {e}"));
                    let text =
                        common::docx_text(&filled, &common::scratch(&format!("docx-{kind}")));
                    assert_holds_the_sale(kind, "docx", &text, &data);
                });
            }
        });
    }
}

#[test]
fn shipped_templates_exist_for_exactly_the_shipped_kinds() {
    for kind in SHIPPED_KINDS {
        assert!(
            shipped::text(kind).is_some() && shipped::docx(kind).is_some(),
            "{kind}"
        );
    }
    assert!(shipped::text("custom").is_none() && shipped::docx("custom").is_none());
}
