//! Writers: every fixture written and read back equal, in each schema style, and the orders file
//! Ferment answers `mode=query` with checked for what 1C requires.

use std::str::FromStr;

use chrono::{NaiveDate, NaiveTime};
use ferment_commerceml::model::{RateValue, Requisite, TaxRate, Unit};
use ferment_commerceml::order::{
    Contact, Counterparty, OPERATION_ORDER, Order, OrderLine, ROLE_BUYER, ROLE_SELLER, Tax,
};
use ferment_commerceml::write::{document_to_vec, orders_to_vec};
use ferment_commerceml::{Document, ItemId, SchemaVersion};
use rust_decimal::Decimal;

const FIXTURES: [&str; 7] = [
    "import_2_03.xml",
    "import_2_08.xml",
    "offers_2_05.xml",
    "offers_2_08_changes.xml",
    "prices.xml",
    "rests.xml",
    "orders_from_1c.xml",
];

fn fixture(name: &str) -> Document {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    Document::from_bytes(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn every_fixture_written_and_read_back_is_equal_in_every_schema_style() {
    for name in FIXTURES {
        let original = fixture(name);
        for version in [
            original.info.version.clone(),
            SchemaVersion::v2_03(),
            SchemaVersion::v2_10(),
        ] {
            let mut document = original.clone();
            document.info.version = version.clone();
            let xml = document_to_vec(&document);
            let back = Document::from_bytes(&xml).unwrap_or_else(|e| {
                panic!(
                    "{name} as {version}: {e}\n{}",
                    String::from_utf8_lossy(&xml)
                )
            });
            assert_eq!(back, document, "{name} as {version}");
        }
    }
}

#[test]
fn the_2_03_style_uses_attributes_and_the_2_08_style_elements() {
    let mut document = fixture("offers_2_05.xml");
    document.offers[1].deleted = true;
    document.info.version = SchemaVersion::v2_03();
    let old = String::from_utf8(document_to_vec(&document)).unwrap();
    assert!(old.contains("<ПакетПредложений СодержитТолькоИзменения=\"false\">"));
    assert!(old.contains(
        "<Склад ИдСклада=\"f1a2b3c4-55bc-11d9-848a-00112f43529a\" КоличествоНаСкладе=\"30\"/>"
    ));
    assert!(old.contains("<Предложение Статус=\"Удален\">"));
    assert!(!old.contains("<Остатки>"));

    document.info.version = SchemaVersion::v2_08();
    let new = String::from_utf8(document_to_vec(&document)).unwrap();
    assert!(new.contains("<СодержитТолькоИзменения>false</СодержитТолькоИзменения>"));
    assert!(new.contains("<Остатки>"));
    assert!(new.contains("<Статус>Удален</Статус>"));
    assert!(!new.contains("ИдСклада"));
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

/// An order as Ferment would build it from a sale.
fn ferment_order() -> Order {
    Order {
        id: "0195f3a2-1b2c-7d3e-8f40-5a6b7c8d9e77".into(),
        number: "F-000200".into(),
        date: NaiveDate::from_ymd_opt(2025, 2, 5),
        time: NaiveTime::from_hms_opt(11, 30, 0),
        operation: OPERATION_ORDER.into(),
        role: ROLE_SELLER.into(),
        currency: "руб".into(),
        rate: Some(dec("1")),
        amount: dec("1220.00"),
        counterparties: vec![Counterparty {
            id: "c-17".into(),
            name: "ИП Сыроваров & сыновья <опт>".into(),
            full_name: Some("Индивидуальный предприниматель Сыроваров Пётр Ильич".into()),
            inn: Some("500100732259".into()),
            kpp: None,
            role: Some(ROLE_BUYER.into()),
            address: Some("Тверь, ул. Советская, 1".into()),
            contacts: vec![Contact {
                kind: "Почта".into(),
                value: "syr@example.ru".into(),
            }],
        }],
        comment: Some("Позвонить за час \"до\"".into()),
        taxes: vec![Tax {
            name: "НДС".into(),
            included: true,
            amount: dec("220.00"),
            rate: None,
        }],
        lines: vec![OrderLine {
            id: ItemId::new("9a1b2c3d-7c1e-11ee-b962-0242ac120002"),
            article: Some("КС-200".into()),
            name: "Камедь ксантановая 200 меш".into(),
            base_unit: Some(Unit {
                code: Some("166".into()),
                full_name: Some("Килограмм".into()),
                international: Some("KGM".into()),
                name: "кг".into(),
            }),
            price: dec("610"),
            quantity: dec("2"),
            amount: dec("1220.00"),
            tax_rates: vec![TaxRate {
                name: "НДС".into(),
                rate: RateValue::Percent(dec("22")),
            }],
            taxes: vec![Tax {
                name: "НДС".into(),
                included: true,
                amount: dec("220.00"),
                rate: Some(dec("22")),
            }],
            requisites: vec![
                Requisite::new("ВидНоменклатуры", "Товар"),
                Requisite::new("ТипНоменклатуры", "Товар"),
            ],
        }],
        requisites: vec![Requisite::new("Метод оплаты", "Безналичный расчет")],
    }
}

#[test]
fn the_orders_file_for_1c_has_the_declaration_namespace_version_and_every_required_element() {
    let at = NaiveDate::from_ymd_opt(2025, 2, 5)
        .unwrap()
        .and_hms_opt(12, 0, 0)
        .unwrap();
    let order = ferment_order();
    let bytes = orders_to_vec(std::slice::from_ref(&order), &SchemaVersion::v2_08(), at);
    let xml = String::from_utf8(bytes.clone()).expect("UTF-8");
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
        "{xml}"
    );
    assert!(xml.contains(
        "<КоммерческаяИнформация xmlns=\"urn:1C.ru:commerceml_2\" ВерсияСхемы=\"2.08\" ДатаФормирования=\"2025-02-05T12:00:00\">"
    ));
    for element in [
        "<Документ>",
        "<Ид>0195f3a2-1b2c-7d3e-8f40-5a6b7c8d9e77</Ид>",
        "<Номер>F-000200</Номер>",
        "<Дата>2025-02-05</Дата>",
        "<Время>11:30:00</Время>",
        "<ХозОперация>Заказ товара</ХозОперация>",
        "<Роль>Продавец</Роль>",
        "<Валюта>руб</Валюта>",
        "<Курс>1</Курс>",
        "<Сумма>1220.00</Сумма>",
        "<Контрагенты>",
        "<Роль>Покупатель</Роль>",
        "<Наименование>ИП Сыроваров &amp; сыновья &lt;опт&gt;</Наименование>",
        "<ИНН>500100732259</ИНН>",
        "<АдресРегистрации>",
        "<Представление>Тверь, ул. Советская, 1</Представление>",
        "<Контакты>",
        "<Комментарий>",
        "<Налоги>",
        "<УчтеноВСумме>true</УчтеноВСумме>",
        "<Товары>",
        "<БазоваяЕдиница Код=\"166\" НаименованиеПолное=\"Килограмм\" МеждународноеСокращение=\"KGM\">кг</БазоваяЕдиница>",
        "<ЦенаЗаЕдиницу>610</ЦенаЗаЕдиницу>",
        "<Количество>2</Количество>",
        "<СтавкиНалогов>",
        "<Ставка>22</Ставка>",
        "<Наименование>ВидНоменклатуры</Наименование>",
        "<Наименование>ТипНоменклатуры</Наименование>",
        "<ЗначенияРеквизитов>",
    ] {
        assert!(xml.contains(element), "missing {element} in\n{xml}");
    }
    let back = Document::from_bytes(&bytes).unwrap();
    assert_eq!(back.orders, vec![order]);
    assert_eq!(back.info.generated_at, Some(at));
}
