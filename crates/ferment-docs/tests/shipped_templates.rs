//! Every shipped kind, as text (→ PDF) and as Word (→ filled .docx → LibreOffice → PDF), filled
//! with the sample: the result holds the client, each line, the totals, the VAT lines and the sum
//! in words.

mod common;

use std::thread;

use ferment_docs::{Assets, check_docx, check_text, fill_docx, render_pdf, shipped};
use ferment_domain::document::{Bank, DocumentData, Person, SHIPPED_KINDS, sample};

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

/// The sample with every optional value a real sale may lack cleared: the client without ОГРН,
/// phone, e-mail and bank; no contact; no payment terms; nobody named to sign for the company.
fn sparse(kind: &str) -> DocumentData {
    let mut data = sample(kind);
    data.client.ogrn.clear();
    data.client.phone.clear();
    data.client.email.clear();
    data.client.bank = Bank::default();
    data.contact = Person::default();
    data.sale.payment_terms.clear();
    data.contract.payment_terms.clear();
    for signatory in [&mut data.company.director, &mut data.company.accountant] {
        signatory.name.clear();
        signatory.short_name.clear();
    }
    data
}

/// No label left without its value, no punctuation around a missing one.
fn assert_no_litter(kind: &str, format: &str, text: &str) {
    for litter in [
        ": .",
        ": ,",
        ", ,",
        " , ",
        "()",
        "( )",
        // An empty name between the slashes of a signature line (two lines side by side read
        // «/ ___ / / ___ /», which is fine).
        "____________________ / /",
        "/ / М. П.",
        "в порядке: .",
        "тел.: , e-mail:",
        "Уважаемый(ая) !",
        "директора ,",
    ] {
        assert!(
            !text.contains(litter),
            "{kind}.{format} holds «{litter}»:\n{text}"
        );
    }
    // Each label is followed by its value: digits for the numbers, a phone, an address. (Not
    // ИНН, which is never empty: in a two-column layout `pdftotext -layout` may interleave the
    // other column's next line between a label wrapped at the end of a line and its value.)
    let digits = |c: char| c.is_ascii_digit();
    let phone = |c: char| c == '+' || c.is_ascii_digit();
    for (label, value_starts) in [
        ("ОГРН", &digits as &dyn Fn(char) -> bool),
        ("р/с", &digits),
        ("к/с", &digits),
        ("БИК", &digits),
        ("тел.:", &phone),
    ] {
        for (at, _) in text.match_indices(label) {
            let next = text[at + label.len()..].trim_start().chars().next();
            assert!(
                next.is_some_and(value_starts),
                "{kind}.{format}: «{label}» without its value: …{}…",
                &text[at..(at + label.len() + 40).min(text.len())]
            );
        }
    }
    for (at, _) in text.match_indices("e-mail") {
        let rest = text[at + "e-mail".len()..].trim_start_matches([':', ' ']);
        let word = rest.split(' ').next().unwrap_or("");
        assert!(
            word.contains('@'),
            "{kind}.{format}: «e-mail» without an address: …{}…",
            &rest[..rest.len().min(40)]
        );
    }
}

#[test]
fn sparse_data_leaves_no_litter_in_text_templates() {
    let Some(()) = common::tool("pdftotext") else {
        return;
    };
    for kind in SHIPPED_KINDS {
        let data = sparse(kind);
        let pdf = render_pdf(shipped::text(kind).expect("shipped"), &data, &Assets::new())
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        let text = common::pdf_text(&pdf, &common::scratch(&format!("sparse-text-{kind}")));
        assert_no_litter(kind, "pdf", &text);
        assert_holds_the_sale_without_signatory(kind, "pdf", &text, &data);
    }
}

#[test]
fn sparse_data_leaves_no_litter_in_word_templates() {
    let Some(()) = common::tool("soffice") else {
        return;
    };
    let Some(()) = common::tool("pdftotext") else {
        return;
    };
    for pair in SHIPPED_KINDS.chunks(2) {
        thread::scope(|scope| {
            for kind in pair {
                scope.spawn(move || {
                    let data = sparse(kind);
                    let template = shipped::docx(kind).expect("shipped");
                    let filled = fill_docx(&template, &data, &Assets::new())
                        .unwrap_or_else(|e| panic!("{kind}: {e}"));
                    let text = common::docx_text(
                        &filled,
                        &common::scratch(&format!("sparse-docx-{kind}")),
                    );
                    assert_no_litter(kind, "docx", &text);
                    assert_holds_the_sale_without_signatory(kind, "docx", &text, &data);
                });
            }
        });
    }
}

/// A sparse document still carries the sale, the default payment terms where it states them,
/// and a neutral preamble.
fn assert_holds_the_sale_without_signatory(
    kind: &str,
    format: &str,
    text: &str,
    data: &DocumentData,
) {
    for wanted in [
        &data.client.name,
        &data.totals.amount,
        &data.totals.amount_words,
    ] {
        let wanted = common::normalise(wanted);
        assert!(text.contains(&wanted), "{kind}.{format} lacks «{wanted}»");
    }
    if kind.starts_with("contract") {
        for wanted in [
            "«Поставщик», в лице уполномоченного представителя, с одной стороны",
            "Оплата производится в соответствии со счетом Поставщика.",
        ] {
            assert!(
                text.contains(wanted),
                "{kind}.{format} lacks «{wanted}»:\n{text}"
            );
        }
    }
}
