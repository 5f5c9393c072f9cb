//! What a document template sees: [`DocumentData`], the one value every template (text or Word) is
//! rendered with, built from the sale, its client, the company's own requisites and the document's
//! number. Every value a template may print is already a string in Russian notation (money
//! `1 234 567,89`, dates `26.11.2026` and «26 ноября 2026 г.», the sum in words), so templates hold
//! no formatting logic; absent values are empty strings, so `{% if client.kpp %}` reads naturally.
//!
//! The field names are a contract with every stored template: add fields freely, never rename one.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::decimal::{MONEY_SCALE, QUANTITY_SCALE, format_ru};
use crate::russian::{date_in_words, date_short, roubles_in_words};

/// The document kinds Ferment ships templates for, in the order the sale needs them.
pub const SHIPPED_KINDS: [&str; 7] = [
    "preliminary_kp",
    "kp",
    "contract",
    "specification",
    "contract_and_specification",
    "invoice",
    "info_letter",
];

/// Russian and English names of a shipped kind (`None` for a custom kind: it has its own names).
pub fn shipped_kind_names(kind: &str) -> Option<(&'static str, &'static str)> {
    Some(match kind {
        "preliminary_kp" => (
            "Предварительное коммерческое предложение",
            "Preliminary proposal",
        ),
        "kp" => ("Коммерческое предложение", "Commercial proposal"),
        "contract" => ("Договор поставки", "Supply contract"),
        "specification" => ("Спецификация", "Specification"),
        "contract_and_specification" => (
            "Договор поставки со спецификацией",
            "Contract with specification",
        ),
        "invoice" => ("Счет на оплату", "Invoice"),
        "info_letter" => ("Информационное письмо", "Information letter"),
        _ => return None,
    })
}

/// The whole context of one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentData {
    /// The document itself: kind, number, date.
    pub document: DocumentInfo,
    /// The company's own requisites (the supplier).
    pub company: Company,
    /// The client's requisites.
    pub client: Party,
    /// The client's contact person on the sale (all fields empty when none).
    pub contact: Person,
    /// The sale's manager.
    pub manager: Person,
    /// The sale.
    pub sale: SaleInfo,
    /// The sale's lines, numbered from 1.
    pub lines: Vec<Line>,
    /// Totals of the lines.
    pub totals: Totals,
    /// VAT by rate, one entry per rate present on the lines, highest rate first.
    pub vat: Vec<VatShare>,
    /// The contract, when the sale has reached the contract stage (`contract.kind` empty otherwise).
    pub contract: ContractInfo,
    /// The recipe chosen for the client, when any (`recipe.name` empty otherwise).
    pub recipe: RecipeInfo,
    /// Samples sent or planned for the sale's lines that need one.
    pub samples: Vec<Sample>,
}

/// The document's own data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentInfo {
    /// Kind code (`invoice`, `kp`, … or a custom kind).
    pub kind: String,
    /// The kind's Russian name («Счет на оплату»).
    pub title: String,
    /// The document number with its prefix (`КП-2026-17`).
    pub number: String,
    /// The date in figures: `26.11.2026`.
    pub date: String,
    /// The date in words: «26 ноября 2026 г.».
    pub date_words: String,
    /// ISO date `2026-11-26`, for templates that need to compare.
    pub date_iso: String,
    /// Version of this document (1 for the first generation).
    pub version: i64,
}

/// Requisites of a legal entity or sole proprietor.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    /// Short name («ООО «Молочный край»»).
    pub name: String,
    /// Full name (the short name when no full name is known).
    pub full_name: String,
    /// ИНН.
    pub inn: String,
    /// КПП (empty for a sole proprietor).
    pub kpp: String,
    /// ОГРН or ОГРНИП.
    pub ogrn: String,
    /// Legal address.
    pub legal_address: String,
    /// Actual (postal) address; the legal one when not given.
    pub actual_address: String,
    /// Phone.
    pub phone: String,
    /// Email.
    pub email: String,
    /// Web site.
    pub site: String,
    /// The main bank account.
    pub bank: Bank,
}

/// A bank account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bank {
    /// The bank's name.
    pub name: String,
    /// БИК.
    pub bik: String,
    /// Корреспондентский счёт.
    pub correspondent_account: String,
    /// Расчётный счёт.
    pub account: String,
}

/// The company's own requisites: a party plus who signs and the images documents carry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Company {
    /// Name, ИНН, КПП, bank…
    #[serde(flatten)]
    pub party: Party,
    /// The director (signs contracts and invoices).
    pub director: Signatory,
    /// The chief accountant (signs invoices).
    pub accountant: Signatory,
    /// Images a template may place. Each is the file name a text template passes to `image(…)`
    /// (`logo.png`), or empty when the company has not uploaded it.
    pub images: Images,
}

/// A person who signs documents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signatory {
    /// Full name: «Иванов Иван Иванович».
    pub name: String,
    /// Surname and initials: «Иванов И. И.».
    pub short_name: String,
    /// Position: «Генеральный директор».
    pub position: String,
    /// The position in the genitive, as a contract's preamble needs it («в лице Генерального
    /// директора …»): «Генерального директора». [`position_genitive`] makes it.
    #[serde(default)]
    pub position_genitive: String,
    /// The signature image's file name, or empty.
    pub signature: String,
}

/// The company's images, by file name (empty when absent).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Images {
    /// The logo.
    pub logo: String,
    /// The stamp.
    pub stamp: String,
}

/// A person: the client's contact or the manager.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// Full name.
    pub name: String,
    /// Surname and initials.
    pub short_name: String,
    /// Position.
    pub position: String,
    /// Email.
    pub email: String,
    /// Phone.
    pub phone: String,
}

/// The sale's data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleInfo {
    /// The sale's title.
    pub title: String,
    /// Its short reference (first eight characters of its id, upper case).
    pub reference: String,
    /// Currency code (`RUB`).
    pub currency: String,
    /// Delivery terms.
    pub delivery_terms: String,
    /// Payment terms (the contract's, when drawn).
    pub payment_terms: String,
    /// `full`, `short` or empty.
    pub process_type: String,
    /// The current stage's code.
    pub stage: String,
    /// The current stage's Russian name.
    pub stage_name: String,
    /// Expected closing date, `26.11.2026` or empty.
    pub expected_close_date: String,
    /// Notes.
    pub notes: String,
}

/// One line of the sale.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// Line number from 1.
    pub n: i64,
    /// Product name.
    pub product: String,
    /// Product code.
    pub code: String,
    /// Article (empty when none).
    pub article: String,
    /// Unit («кг», «л», «шт»).
    pub unit: String,
    /// Quantity, Russian notation without trailing zeros: `12,5`.
    pub quantity: String,
    /// Price per unit with VAT: `1 234,50`.
    pub price: String,
    /// Price per unit without VAT.
    pub price_net: String,
    /// VAT rate as printed: `20%` (`Без НДС` when zero).
    pub vat_rate: String,
    /// VAT rate in percent as a number (`20`, `10`, `0`).
    pub vat_percent: i64,
    /// VAT inside the line.
    pub vat_amount: String,
    /// The line's total with VAT.
    pub amount: String,
    /// The line's total without VAT.
    pub amount_net: String,
    /// Whether the client tests a sample first.
    pub needs_sample: bool,
}

/// Totals of the lines.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Number of lines.
    pub count: i64,
    /// Sum with VAT: `1 234 567,89`.
    pub amount: String,
    /// VAT inside it.
    pub vat: String,
    /// Sum without VAT.
    pub net: String,
    /// The sum with VAT in words, capitalised: «Один миллион … рублей 89 копеек».
    pub amount_words: String,
    /// The VAT in words.
    pub vat_words: String,
    /// The rates present, as printed: `20%` or `20%, 10%`; `Без НДС` when no line bears VAT.
    pub vat_rates: String,
}

/// VAT at one rate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatShare {
    /// The rate as printed: `20%`.
    pub rate: String,
    /// The VAT at that rate.
    pub amount: String,
}

/// The contract of the sale.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractInfo {
    /// `contract`, `specification`, `contract_and_specification`, or empty.
    pub kind: String,
    /// The kind's Russian name.
    pub kind_name: String,
    /// Contract number (empty until assigned).
    pub number: String,
    /// Contract date in figures.
    pub date: String,
    /// Contract date in words.
    pub date_words: String,
    /// Delivery terms.
    pub delivery_terms: String,
    /// Payment terms.
    pub payment_terms: String,
    /// Valid until, in figures.
    pub valid_until: String,
}

/// The recipe chosen for the client.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipeInfo {
    /// Name (empty when none was chosen).
    pub name: String,
    /// What it is for.
    pub description: String,
    /// Its components.
    pub components: Vec<RecipeComponent>,
}

/// A component of a recipe.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipeComponent {
    /// Product or ingredient name.
    pub name: String,
    /// Share or amount as written in the recipe.
    pub amount: String,
}

/// A sample for one line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sample {
    /// Product name.
    pub product: String,
    /// Where it stands, in Russian («отправлен», «заказан на складе», …).
    pub status: String,
    /// Whether the client pays for it.
    pub paid: bool,
}

/// Money in kopecks, Russian notation with kopecks: `1 234,50`.
pub fn money(kopecks: i64) -> String {
    format_ru(kopecks, MONEY_SCALE, false)
}

/// A quantity in thousandths, Russian notation without trailing zeros: `12,5`.
pub fn quantity(thousandths: i64) -> String {
    format_ru(thousandths, QUANTITY_SCALE, true)
}

/// A VAT rate in hundredths of a percent as documents print it: `20%`, `Без НДС` for zero.
pub fn vat_rate(hundredths: i64) -> String {
    if hundredths == 0 {
        "Без НДС".to_owned()
    } else {
        format!("{}%", format_ru(hundredths, 2, true))
    }
}

/// A sum in words with a capital first letter, as invoices write it.
pub fn amount_words(kopecks: i64) -> String {
    roubles_in_words(kopecks)
}

/// Surname and initials from a full Russian name: «Иванов Иван Иванович» → «Иванов И. И.».
pub fn short_name(full: &str) -> String {
    let mut parts = full.split_whitespace();
    let Some(surname) = parts.next() else {
        return String::new();
    };
    let initials: Vec<String> = parts
        .filter_map(|p| p.chars().next())
        .map(|c| format!("{c}."))
        .collect();
    if initials.is_empty() {
        surname.to_owned()
    } else {
        format!("{surname} {}", initials.join(" "))
    }
}

/// A position in the genitive case, for «в лице Генерального директора …»: each word of the
/// common signatory positions is declined («Генеральный директор» → «Генерального директора»,
/// «Управляющий» → «Управляющего», «Индивидуальный предприниматель» → «Индивидуального
/// предпринимателя»); a word it does not know stays as it is (so «Генеральный директор по
/// развитию» → «Генерального директора по развитию», and an unknown title is never mangled). Case
/// is kept: the first letter of each word keeps its case, the rest follows the word as written.
pub fn position_genitive(position: &str) -> String {
    let mut out = String::with_capacity(position.len() + 8);
    let mut word = String::new();
    // Once a word is not declinable (a preposition, a noun already in the genitive: «директор
    // по развитию», «директор филиала»), everything after it stays as written.
    let mut declining = true;
    let flush = |word: &mut String, out: &mut String, declining: &mut bool| {
        if word.is_empty() {
            return;
        }
        match declining.then(|| genitive_word(word)).flatten() {
            Some(declined) => out.push_str(&declined),
            None => {
                *declining = false;
                out.push_str(word);
            }
        }
        word.clear();
    };
    for c in position.chars() {
        if c.is_alphabetic() || c == '-' {
            word.push(c);
        } else {
            flush(&mut word, &mut out, &mut declining);
            out.push(c);
        }
    }
    flush(&mut word, &mut out, &mut declining);
    out
}

/// One word of a position in the genitive, keeping the case of its letters, or `None` when the
/// word is not one [`position_genitive`] knows.
fn genitive_word(word: &str) -> Option<String> {
    // The words of common signatory positions, nominative → genitive (an explicit table: Russian
    // adjective endings depend on the stem, «коммерческий» → «коммерческого» but «синий» →
    // «синего», and a wrong ending in a contract is worse than none).
    const WORDS: [(&str, &str); 20] = [
        ("генеральный", "генерального"),
        ("исполнительный", "исполнительного"),
        ("коммерческий", "коммерческого"),
        ("финансовый", "финансового"),
        ("технический", "технического"),
        ("главный", "главного"),
        ("первый", "первого"),
        ("индивидуальный", "индивидуального"),
        ("управляющий", "управляющего"),
        ("исполняющий", "исполняющего"),
        ("временно", "временно"),
        ("директор", "директора"),
        ("президент", "президента"),
        ("вице-президент", "вице-президента"),
        ("предприниматель", "предпринимателя"),
        ("председатель", "председателя"),
        ("руководитель", "руководителя"),
        ("заместитель", "заместителя"),
        ("бухгалтер", "бухгалтера"),
        ("партнёр", "партнёра"),
    ];
    let lower = word.to_lowercase();
    WORDS
        .iter()
        .find(|(nominative, _)| *nominative == lower)
        .map(|(_, genitive)| with_case_of(word, genitive))
}

/// `declined` (lower case) with the case of `original`'s letters where they overlap: «Директор»
/// → «Директора», «ДИРЕКТОР» → «ДИРЕКТОРА».
fn with_case_of(original: &str, declined: &str) -> String {
    let all_upper = original.chars().filter(|c| c.is_alphabetic()).count() > 1
        && original
            .chars()
            .filter(|c| c.is_alphabetic())
            .all(char::is_uppercase);
    if all_upper {
        return declined.to_uppercase();
    }
    let mut out = String::with_capacity(declined.len());
    let mut originals = original.chars();
    for c in declined.chars() {
        match originals.next() {
            Some(o) if o.is_uppercase() => out.extend(c.to_uppercase()),
            _ => out.push(c),
        }
    }
    out
}

/// The document's own data for a kind, number, date and version.
pub fn document_info(
    kind: &str,
    title: &str,
    number: &str,
    date: NaiveDate,
    version: i64,
) -> DocumentInfo {
    DocumentInfo {
        kind: kind.to_owned(),
        title: title.to_owned(),
        number: number.to_owned(),
        date: date_short(date),
        date_words: date_in_words(date),
        date_iso: date.format("%Y-%m-%d").to_string(),
        version,
    }
}

/// One line of a document from its figures (money in kopecks VAT included, quantity in
/// thousandths, rate in hundredths of a percent).
pub struct LineFigures<'a> {
    /// Product name.
    pub product: &'a str,
    /// Product code.
    pub code: &'a str,
    /// Article.
    pub article: &'a str,
    /// Unit.
    pub unit: &'a str,
    /// Quantity in thousandths.
    pub quantity: i64,
    /// Unit price in kopecks with VAT.
    pub unit_price: i64,
    /// VAT rate in hundredths of a percent.
    pub vat_rate: i64,
    /// Needs a sample.
    pub needs_sample: bool,
}

/// Lines, totals and the VAT breakdown from line figures, with the same rounding as the sale
/// (`crate::sale`): each line's total is rounded, VAT is extracted per line.
pub fn lines_and_totals(figures: &[LineFigures<'_>]) -> (Vec<Line>, Totals, Vec<VatShare>) {
    use crate::sale::{round_div, vat_inside};
    let mut lines = Vec::with_capacity(figures.len());
    let mut amount_sum = 0i64;
    let mut vat_sum = 0i64;
    let mut by_rate: Vec<(i64, i64)> = Vec::new();
    for (i, f) in figures.iter().enumerate() {
        let amount = round_div(i128::from(f.quantity) * i128::from(f.unit_price), 1000);
        let vat = vat_inside(amount, f.vat_rate);
        let price_net = f.unit_price - vat_inside(f.unit_price, f.vat_rate);
        amount_sum = amount_sum.saturating_add(amount);
        vat_sum = vat_sum.saturating_add(vat);
        match by_rate.iter_mut().find(|(rate, _)| *rate == f.vat_rate) {
            Some((_, sum)) => *sum = sum.saturating_add(vat),
            None => by_rate.push((f.vat_rate, vat)),
        }
        lines.push(Line {
            n: i as i64 + 1,
            product: f.product.to_owned(),
            code: f.code.to_owned(),
            article: f.article.to_owned(),
            unit: f.unit.to_owned(),
            quantity: quantity(f.quantity),
            price: money(f.unit_price),
            price_net: money(price_net),
            vat_rate: vat_rate(f.vat_rate),
            vat_percent: f.vat_rate / 100,
            vat_amount: money(vat),
            amount: money(amount),
            amount_net: money(amount - vat),
            needs_sample: f.needs_sample,
        });
    }
    by_rate.sort_by_key(|(rate, _)| std::cmp::Reverse(*rate));
    let taxed: Vec<String> = by_rate
        .iter()
        .filter(|(rate, _)| *rate > 0)
        .map(|(rate, _)| vat_rate(*rate))
        .collect();
    let totals = Totals {
        count: lines.len() as i64,
        amount: money(amount_sum),
        vat: money(vat_sum),
        net: money(amount_sum - vat_sum),
        amount_words: amount_words(amount_sum),
        vat_words: amount_words(vat_sum),
        vat_rates: if taxed.is_empty() {
            "Без НДС".to_owned()
        } else {
            taxed.join(", ")
        },
    };
    let vat = by_rate
        .into_iter()
        .map(|(rate, amount)| VatShare {
            rate: vat_rate(rate),
            amount: money(amount),
        })
        .collect();
    (lines, totals, vat)
}

/// A realistic document for a fictitious sale: the data templates are checked against (an unknown
/// field is one this value lacks), previewed with when no sale is chosen, and listed in the
/// editor's field palette.
pub fn sample(kind: &str) -> DocumentData {
    let figures = [
        LineFigures {
            product: "Закваска мезофильная DVS, 50 U",
            code: "ZK-0001",
            article: "MSO-50",
            unit: "шт",
            quantity: 120_000,
            unit_price: 185_000,
            vat_rate: 2000,
            needs_sample: true,
        },
        LineFigures {
            product: "Стабилизатор для йогуртов СТ-12",
            code: "ST-0012",
            article: "",
            unit: "кг",
            quantity: 250_500,
            unit_price: 64_240,
            vat_rate: 2000,
            needs_sample: false,
        },
        LineFigures {
            product: "Сухое обезжиренное молоко 1,5%",
            code: "SM-0150",
            article: "SOM-15",
            unit: "кг",
            quantity: 1_000_000,
            unit_price: 38_990,
            vat_rate: 1000,
            needs_sample: false,
        },
    ];
    let (lines, totals, vat) = lines_and_totals(&figures);
    let date = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default();
    let (title, _) = shipped_kind_names(kind).unwrap_or(("Документ", "Document"));
    DocumentData {
        document: document_info(kind, title, "КП-2026-17", date, 1),
        company: Company {
            party: Party {
                name: "ООО «Ферментум»".into(),
                full_name: "Общество с ограниченной ответственностью «Ферментум»".into(),
                inn: "7707083893".into(),
                kpp: "770701001".into(),
                ogrn: "1027700132195".into(),
                legal_address: "123112, г. Москва, Пресненская наб., д. 12, офис 401".into(),
                actual_address: "123112, г. Москва, Пресненская наб., д. 12, офис 401".into(),
                phone: "+7 495 123-45-67".into(),
                email: "sales@fermentum.ru".into(),
                site: "fermentum.ru".into(),
                bank: Bank {
                    name: "ПАО СБЕРБАНК".into(),
                    bik: "044525225".into(),
                    correspondent_account: "30101810400000000225".into(),
                    account: "40702810938000012345".into(),
                },
            },
            director: Signatory {
                name: "Соколов Андрей Викторович".into(),
                short_name: "Соколов А. В.".into(),
                position: "Генеральный директор".into(),
                position_genitive: "Генерального директора".into(),
                signature: String::new(),
            },
            accountant: Signatory {
                name: "Белова Марина Сергеевна".into(),
                short_name: "Белова М. С.".into(),
                position: "Главный бухгалтер".into(),
                position_genitive: "Главного бухгалтера".into(),
                signature: String::new(),
            },
            images: Images::default(),
        },
        client: Party {
            name: "АО «Молочный комбинат «Вологодский»»".into(),
            full_name: "Акционерное общество «Молочный комбинат «Вологодский»»".into(),
            inn: "3525012345".into(),
            kpp: "352501001".into(),
            ogrn: "1023500876543".into(),
            legal_address: "160009, г. Вологда, ул. Мальцева, д. 52".into(),
            actual_address: "160009, г. Вологда, ул. Мальцева, д. 52".into(),
            phone: "+7 8172 55-12-34".into(),
            email: "zakupki@vologda-milk.ru".into(),
            site: String::new(),
            bank: Bank {
                name: "Вологодское отделение № 8638 ПАО Сбербанк".into(),
                bik: "041909644".into(),
                correspondent_account: "30101810900000000644".into(),
                account: "40702810212000004321".into(),
            },
        },
        contact: Person {
            name: "Кузнецова Ольга Петровна".into(),
            short_name: "Кузнецова О. П.".into(),
            position: "Главный технолог".into(),
            email: "kuznetsova@vologda-milk.ru".into(),
            phone: "+7 921 555-66-77".into(),
        },
        manager: Person {
            name: "Орлов Дмитрий Сергеевич".into(),
            short_name: "Орлов Д. С.".into(),
            position: "Менеджер по продажам".into(),
            email: "orlov@fermentum.ru".into(),
            phone: "+7 495 123-45-68".into(),
        },
        sale: SaleInfo {
            title: "Йогурты: закваска и стабилизатор".into(),
            reference: "0193A1B2".into(),
            currency: "RUB".into(),
            delivery_terms: "Самовывоз со склада поставщика, г. Москва".into(),
            payment_terms: "100% предоплата в течение 5 банковских дней".into(),
            process_type: "full".into(),
            stage: "kp".into(),
            stage_name: "Коммерческое предложение".into(),
            expected_close_date: "25.12.2026".into(),
            notes: String::new(),
        },
        lines,
        totals,
        vat,
        contract: ContractInfo {
            kind: "contract_and_specification".into(),
            kind_name: "Договор и спецификация".into(),
            number: "Д-2026-42".into(),
            date: "26.11.2026".into(),
            date_words: "26 ноября 2026 г.".into(),
            delivery_terms: "Самовывоз со склада поставщика, г. Москва".into(),
            payment_terms: "100% предоплата в течение 5 банковских дней".into(),
            valid_until: "31.12.2027".into(),
        },
        recipe: RecipeInfo {
            name: "Йогурт питьевой 2,5%".into(),
            description: "Термостатный способ, сквашивание 6–8 ч при 40–42 °C".into(),
            components: vec![
                RecipeComponent {
                    name: "Молоко нормализованное".into(),
                    amount: "96,5%".into(),
                },
                RecipeComponent {
                    name: "Стабилизатор СТ-12".into(),
                    amount: "0,6%".into(),
                },
            ],
        },
        samples: vec![Sample {
            product: "Закваска мезофильная DVS, 50 U".into(),
            status: "отправлен".into(),
            paid: false,
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_totals_round_like_the_sale() {
        let (lines, totals, vat) = lines_and_totals(&[
            LineFigures {
                product: "А",
                code: "1",
                article: "",
                unit: "кг",
                quantity: 12_500,
                unit_price: 10_000,
                vat_rate: 2000,
                needs_sample: false,
            },
            LineFigures {
                product: "Б",
                code: "2",
                article: "",
                unit: "шт",
                quantity: 3_000,
                unit_price: 5_500,
                vat_rate: 1000,
                needs_sample: false,
            },
        ]);
        assert_eq!(lines[0].amount, "1\u{a0}250,00");
        assert_eq!(lines[0].quantity, "12,5");
        assert_eq!(lines[0].vat_rate, "20%");
        assert_eq!(lines[0].vat_amount, "208,33");
        assert_eq!(lines[1].vat_amount, "15,00");
        assert_eq!(totals.amount, "1\u{a0}415,00");
        assert_eq!(totals.vat, "223,33");
        assert_eq!(totals.vat_rates, "20%, 10%");
        assert_eq!(vat.len(), 2);
        assert_eq!(vat[0].rate, "20%");
        assert_eq!(
            totals.amount_words,
            "Одна тысяча четыреста пятнадцать рублей 00 копеек"
        );
    }

    #[test]
    fn short_names_take_initials() {
        assert_eq!(short_name("Иванов Иван Иванович"), "Иванов И. И.");
        assert_eq!(short_name("Иванов"), "Иванов");
        assert_eq!(short_name("  "), "");
    }

    #[test]
    fn positions_decline_to_the_genitive() {
        for (nominative, genitive) in [
            ("Генеральный директор", "Генерального директора"),
            ("Директор", "Директора"),
            ("директор", "директора"),
            ("Исполнительный директор", "Исполнительного директора"),
            ("Коммерческий директор", "Коммерческого директора"),
            ("Управляющий", "Управляющего"),
            (
                "Индивидуальный предприниматель",
                "Индивидуального предпринимателя",
            ),
            ("Президент", "Президента"),
            ("Председатель правления", "Председателя правления"),
            ("Главный бухгалтер", "Главного бухгалтера"),
            ("ГЕНЕРАЛЬНЫЙ ДИРЕКТОР", "ГЕНЕРАЛЬНОГО ДИРЕКТОРА"),
            ("Генеральный  директор", "Генерального  директора"),
            // Words it does not know stay as they are, and so does everything after them.
            (
                "Генеральный директор по развитию",
                "Генерального директора по развитию",
            ),
            ("Директор филиала", "Директора филиала"),
            (
                "Заместитель генерального директора",
                "Заместителя генерального директора",
            ),
            (
                "Временно исполняющий обязанности генерального директора",
                "Временно исполняющего обязанности генерального директора",
            ),
            ("Ректор", "Ректор"),
            ("CEO", "CEO"),
            ("Старший менеджер", "Старший менеджер"),
            ("", ""),
        ] {
            assert_eq!(position_genitive(nominative), genitive, "{nominative}");
        }
    }

    #[test]
    fn the_sample_signatories_carry_their_genitive() {
        let data = sample("contract");
        for signatory in [&data.company.director, &data.company.accountant] {
            assert_eq!(
                signatory.position_genitive,
                position_genitive(&signatory.position)
            );
        }
    }

    #[test]
    fn zero_vat_prints_without_vat() {
        assert_eq!(vat_rate(0), "Без НДС");
        assert_eq!(vat_rate(2000), "20%");
        assert_eq!(vat_rate(2200), "22%");
    }
}
