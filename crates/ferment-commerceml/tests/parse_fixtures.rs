//! The hand-written fixtures (after 1C's CommerceML 2 documentation and real exchanges) read field
//! by field.

use std::str::FromStr;

use chrono::{NaiveDate, NaiveTime};
use ferment_commerceml::model::{
    CatalogInfo, ClassifierInfo, Group, OffersInfo, Price, PriceTax, PriceType, Property,
    PropertyChoice, PropertyValue, RateValue, Requisite, Stock, TaxRate, Unit, Warehouse,
};
use ferment_commerceml::order::{Contact, Counterparty, Tax};
use ferment_commerceml::{CmlReader, Document, Item, ItemId};
use rust_decimal::Decimal;

fn fixture(name: &str) -> Document {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).expect("fixture exists");
    Document::from_bytes(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn unit(code: &str, full: &str, international: &str, name: &str) -> Option<Unit> {
    Some(Unit {
        code: Some(code.into()),
        full_name: Some(full.into()),
        international: Some(international.into()),
        name: name.into(),
    })
}

fn vat(rate: RateValue) -> Vec<TaxRate> {
    vec![TaxRate {
        name: "НДС".into(),
        rate,
    }]
}

#[test]
fn import_2_03_reads_the_group_tree_products_requisites_and_the_deleted_product() {
    let doc = fixture("import_2_03.xml");
    assert_eq!(doc.info.version.as_str(), "2.03");
    assert_eq!(
        doc.info.generated_at,
        NaiveDate::from_ymd_opt(2012, 5, 14)
            .unwrap()
            .and_hms_opt(16, 8, 15)
    );
    assert_eq!(
        doc.classifier,
        Some(ClassifierInfo {
            id: "bd72d8f9-55bc-11d9-848a-00112f43529a".into(),
            name: "Классификатор (Каталог товаров)".into(),
        })
    );
    let group = |id: &str, name: &str, parent: Option<&str>| Group {
        id: id.into(),
        name: name.into(),
        parent_id: parent.map(Into::into),
    };
    let root = "bd72d910-55bc-11d9-848a-00112f43529a";
    let enzymes = "bd72d912-55bc-11d9-848a-00112f43529a";
    assert_eq!(
        doc.groups,
        vec![
            group(root, "Ингредиенты", None),
            group(
                "bd72d911-55bc-11d9-848a-00112f43529a",
                "Закваски",
                Some(root)
            ),
            group(enzymes, "Ферменты & энзимы", Some(root)),
            group(
                "bd72d913-55bc-11d9-848a-00112f43529a",
                "Пектиназы",
                Some(enzymes)
            ),
            group("bd72d920-55bc-11d9-848a-00112f43529a", "Упаковка", None),
        ]
    );
    assert_eq!(
        doc.properties,
        vec![Property {
            id: "c0a1e6a1-55bc-11d9-848a-00112f43529a".into(),
            name: "Производитель".into(),
            value_type: None,
            choices: vec![],
        }]
    );
    assert_eq!(
        doc.catalog,
        Some(CatalogInfo {
            id: "bd72d8f9-55bc-11d9-848a-00112f43529a".into(),
            classifier_id: Some("bd72d8f9-55bc-11d9-848a-00112f43529a".into()),
            name: "Каталог товаров".into(),
            changes_only: false,
        })
    );
    assert_eq!(doc.products.len(), 3);

    let starter = &doc.products[0];
    assert_eq!(starter.id.as_str(), "dee6e19a-55bc-11d9-848a-00112f43529a");
    assert_eq!(starter.id.characteristic_id(), None);
    assert_eq!(starter.article.as_deref(), Some("ЗК-001"));
    assert_eq!(starter.name, "Закваска йогуртовая YF-L811");
    assert_eq!(starter.base_unit, unit("796", "Штука", "PCE", "шт"));
    assert_eq!(
        starter.group_ids,
        vec!["bd72d911-55bc-11d9-848a-00112f43529a"]
    );
    assert_eq!(
        starter.description.as_deref(),
        Some("Термофильная закваска для йогурта, 50U.")
    );
    assert_eq!(
        starter.property_values,
        vec![PropertyValue {
            property_id: "c0a1e6a1-55bc-11d9-848a-00112f43529a".into(),
            value: "Chr. Hansen".into(),
        }]
    );
    assert_eq!(starter.tax_rates, vat(RateValue::Percent(dec("10"))));
    assert_eq!(starter.requisite("ВидНоменклатуры"), Some("Товар"));
    assert_eq!(starter.requisite("ТипНоменклатуры"), Some("Товар"));
    assert_eq!(
        starter.requisite("Полное наименование"),
        Some("Закваска йогуртовая YF-L811 \"Chr. Hansen\", 50U")
    );
    assert_eq!(starter.barcode, None);
    assert!(starter.pictures.is_empty());
    assert!(!starter.deleted);

    let pectinase = &doc.products[1];
    assert_eq!(pectinase.article, None);
    assert_eq!(pectinase.base_unit, unit("166", "Килограмм", "KGM", "кг"));
    assert_eq!(pectinase.tax_rates, vat(RateValue::Percent(dec("22"))));
    assert!(pectinase.requisites.is_empty());
    assert_eq!(pectinase.description, None);
    assert!(!pectinase.deleted);

    let box_ = &doc.products[2];
    assert_eq!(box_.id.as_str(), "dee6e19c-55bc-11d9-848a-00112f43529a");
    assert_eq!(box_.tax_rates, vat(RateValue::Exempt));
    assert!(box_.deleted, "Статус=\"Удален\" as an attribute");
}

#[test]
fn import_2_08_reads_elements_characteristics_warehouses_and_both_deletion_spellings() {
    let doc = fixture("import_2_08.xml");
    assert_eq!(doc.info.version.as_str(), "2.08");
    assert!(doc.info.version.is_2_08_or_later());
    assert_eq!(
        doc.groups,
        vec![
            Group {
                id: "6a61e1f4-7c1e-11ee-b962-0242ac120002".into(),
                name: "Стабилизаторы".into(),
                parent_id: None,
            },
            Group {
                id: "6a61e1f5-7c1e-11ee-b962-0242ac120002".into(),
                name: "Камеди".into(),
                parent_id: Some("6a61e1f4-7c1e-11ee-b962-0242ac120002".into()),
            },
        ]
    );
    assert_eq!(
        doc.properties,
        vec![Property {
            id: "7b11c2a0-7c1e-11ee-b962-0242ac120002".into(),
            name: "Страна происхождения".into(),
            value_type: Some("Справочник".into()),
            choices: vec![
                PropertyChoice {
                    id: "7b11c2a1-7c1e-11ee-b962-0242ac120002".into(),
                    value: "Франция".into(),
                },
                PropertyChoice {
                    id: "7b11c2a2-7c1e-11ee-b962-0242ac120002".into(),
                    value: "Индия".into(),
                },
            ],
        }]
    );
    assert_eq!(
        doc.warehouses,
        vec![Warehouse {
            id: "8e7c3a10-7c1e-11ee-b962-0242ac120002".into(),
            name: "Основной склад".into(),
        }]
    );
    let catalog = doc.catalog.as_ref().unwrap();
    assert!(
        catalog.changes_only,
        "<СодержитТолькоИзменения> as an element"
    );
    assert_eq!(catalog.name, "Основной каталог товаров");
    assert_eq!(doc.products.len(), 4);

    let xanthan = &doc.products[0];
    assert_eq!(xanthan.barcode.as_deref(), Some("4607001234567"));
    assert_eq!(xanthan.article.as_deref(), Some("КС-200"));
    assert_eq!(
        xanthan.description.as_deref(),
        Some("Загуститель E415.\nМешок 25 кг.")
    );
    assert_eq!(
        xanthan.pictures,
        vec!["import_files/9a/9a1b2c3d-7c1e-11ee-b962-0242ac120002_1.jpg"]
    );
    assert_eq!(
        xanthan.property_values[0].value,
        "7b11c2a1-7c1e-11ee-b962-0242ac120002"
    );
    assert_eq!(
        xanthan.requisites,
        vec![
            Requisite::new("ВидНоменклатуры", "Сырье"),
            Requisite::new("ТипНоменклатуры", "Запас"),
            Requisite::new(
                "Полное наименование",
                "Камедь ксантановая (E415), 200 меш, мешок 25 кг"
            ),
            Requisite::new("Код", "00-00000123"),
        ]
    );
    assert!(!xanthan.deleted);

    let bag = &doc.products[1];
    assert_eq!(bag.id.product_id(), "9a1b2c3d-7c1e-11ee-b962-0242ac120002");
    assert_eq!(
        bag.id.characteristic_id(),
        Some("b1c2d3e4-7c1e-11ee-b962-0242ac120002")
    );
    assert!(bag.tax_rates.is_empty());
    assert!(doc.products[2].deleted, "<Статус>Удален</Статус>");
    assert!(doc.products[3].deleted, "<ПометкаУдаления>true");
    assert_eq!(doc.products[3].base_unit, None);
}

#[test]
fn offers_2_05_reads_price_types_and_attribute_style_stock() {
    let doc = fixture("offers_2_05.xml");
    assert_eq!(
        doc.offers_info,
        Some(OffersInfo {
            id: "bd72d8f9-55bc-11d9-848a-00112f43529a#".into(),
            name: "Пакет предложений (Каталог товаров)".into(),
            catalog_id: Some("bd72d8f9-55bc-11d9-848a-00112f43529a".into()),
            classifier_id: Some("bd72d8f9-55bc-11d9-848a-00112f43529a".into()),
            changes_only: false,
        })
    );
    assert_eq!(
        doc.price_types,
        vec![
            PriceType {
                id: "e0d8f5d1-55bc-11d9-848a-00112f43529a".into(),
                name: "Оптовая".into(),
                currency: Some("руб".into()),
                tax: Some(PriceTax {
                    name: "НДС".into(),
                    included: true,
                }),
            },
            PriceType {
                id: "e0d8f5d2-55bc-11d9-848a-00112f43529a".into(),
                name: "Розничная".into(),
                currency: Some("RUB".into()),
                tax: None,
            },
        ]
    );
    assert_eq!(doc.warehouses.len(), 2);
    assert_eq!(doc.warehouses[1].name, "Склад Казань");
    let starter = &doc.offers[0];
    assert_eq!(starter.article.as_deref(), Some("ЗК-001"));
    assert_eq!(starter.name.as_deref(), Some("Закваска йогуртовая YF-L811"));
    assert_eq!(starter.base_unit, unit("796", "Штука", "PCE", "шт"));
    assert_eq!(
        starter.prices,
        vec![
            Price {
                price_type_id: "e0d8f5d1-55bc-11d9-848a-00112f43529a".into(),
                per_unit: dec("1250.50"),
                currency: Some("руб".into()),
                unit: Some("шт".into()),
                coefficient: Some(dec("1")),
            },
            Price {
                price_type_id: "e0d8f5d2-55bc-11d9-848a-00112f43529a".into(),
                per_unit: dec("1490"),
                currency: Some("RUB".into()),
                unit: Some("шт".into()),
                coefficient: Some(dec("1")),
            },
        ]
    );
    assert_eq!(starter.quantity, Some(dec("37")));
    assert_eq!(
        starter.stocks,
        vec![
            Stock {
                warehouse_id: "f1a2b3c4-55bc-11d9-848a-00112f43529a".into(),
                quantity: dec("30"),
            },
            Stock {
                warehouse_id: "f1a2b3c5-55bc-11d9-848a-00112f43529a".into(),
                quantity: dec("7"),
            },
        ]
    );
    let pectinase = &doc.offers[1];
    assert_eq!(pectinase.prices[0].per_unit, dec("980.25"), "comma decimal");
    assert_eq!(pectinase.quantity, Some(dec("12.5")));
    assert_eq!(pectinase.stocks[0].quantity, dec("12.5"));
    assert!(!pectinase.deleted);
}

#[test]
fn offers_2_08_changes_only_reads_rests_per_warehouse_and_the_deleted_offer() {
    let doc = fixture("offers_2_08_changes.xml");
    let info = doc.offers_info.as_ref().unwrap();
    assert!(info.changes_only);
    assert_eq!(
        doc.price_types[0].tax,
        Some(PriceTax {
            name: "НДС".into(),
            included: false,
        })
    );
    assert_eq!(doc.warehouses.len(), 2);
    let bag = &doc.offers[0];
    assert_eq!(
        bag.id,
        ItemId::new("9a1b2c3d-7c1e-11ee-b962-0242ac120002#b1c2d3e4-7c1e-11ee-b962-0242ac120002")
    );
    assert_eq!(bag.prices[0].per_unit, dec("640"));
    assert_eq!(bag.quantity, Some(dec("1250.5")), "spaces and comma");
    assert_eq!(
        bag.stocks,
        vec![
            Stock {
                warehouse_id: "8e7c3a10-7c1e-11ee-b962-0242ac120002".into(),
                quantity: dec("1000"),
            },
            Stock {
                warehouse_id: "8e7c3a11-7c1e-11ee-b962-0242ac120002".into(),
                quantity: dec("250.5"),
            },
        ]
    );
    let guar = &doc.offers[1];
    assert!(guar.deleted);
    assert_eq!(guar.quantity, Some(Decimal::ZERO));
    assert!(guar.prices.is_empty());
}

#[test]
fn prices_and_rests_split_files_read_with_the_same_reader() {
    let prices = fixture("prices.xml");
    assert_eq!(prices.info.version.as_str(), "2.10");
    assert!(!prices.offers_info.as_ref().unwrap().changes_only);
    assert_eq!(prices.price_types.len(), 1);
    assert_eq!(prices.offers.len(), 1);
    assert_eq!(prices.offers[0].prices[0].per_unit, dec("655.00"));
    assert_eq!(
        prices.offers[0].quantity, None,
        "a prices file says nothing of stock"
    );
    assert!(prices.offers[0].stocks.is_empty());

    let rests = fixture("rests.xml");
    assert!(rests.price_types.is_empty());
    assert_eq!(rests.offers.len(), 2);
    assert!(
        rests.offers[0].prices.is_empty(),
        "a rests file says nothing of prices"
    );
    assert_eq!(
        rests.offers[0].stocks,
        vec![Stock {
            warehouse_id: "8e7c3a10-7c1e-11ee-b962-0242ac120002".into(),
            quantity: dec("412"),
        }]
    );
    assert_eq!(rests.offers[0].quantity, None);
    assert_eq!(
        rests.offers[1].quantity,
        Some(dec("18")),
        "Остаток/Количество is the total"
    );
    assert!(rests.offers[1].stocks.is_empty());
}

#[test]
fn orders_from_1c_read_with_lines_counterparty_and_statuses() {
    let doc = fixture("orders_from_1c.xml");
    assert_eq!(doc.orders.len(), 2);
    let order = &doc.orders[0];
    assert_eq!(order.id, "0195f3a2-1b2c-7d3e-8f40-5a6b7c8d9e01");
    assert_eq!(order.number, "F-000123");
    assert_eq!(order.date, NaiveDate::from_ymd_opt(2025, 2, 3));
    assert_eq!(order.time, NaiveTime::from_hms_opt(14, 25, 0));
    assert_eq!(order.operation, "Заказ товара");
    assert_eq!(order.role, "Продавец");
    assert_eq!(order.currency, "руб");
    assert_eq!(order.rate, Some(dec("1")));
    assert_eq!(order.amount, dec("16800.00"));
    assert_eq!(
        order.comment.as_deref(),
        Some("Доставка до 12:00, въезд со двора")
    );
    assert_eq!(
        order.counterparties,
        vec![Counterparty {
            id: "0195f3a2-0000-7000-8000-00000000c001".into(),
            name: "ООО \"Молочный двор\"".into(),
            full_name: Some("Общество с ограниченной ответственностью \"Молочный двор\"".into()),
            inn: Some("7707083893".into()),
            kpp: Some("770701001".into()),
            role: Some("Покупатель".into()),
            address: Some("127015, Москва, ул. Бутырская, д. 5".into()),
            contacts: vec![
                Contact {
                    kind: "Почта".into(),
                    value: "zakaz@mdvor.ru".into(),
                },
                Contact {
                    kind: "ТелефонРабочий".into(),
                    value: "+7 495 123-45-67".into(),
                },
            ],
        }]
    );
    assert_eq!(order.buyer().unwrap().inn.as_deref(), Some("7707083893"));
    assert_eq!(
        order.taxes,
        vec![Tax {
            name: "НДС".into(),
            included: true,
            amount: dec("3029.51"),
            rate: None,
        }]
    );
    assert_eq!(order.lines.len(), 2);
    let line = &order.lines[0];
    assert_eq!(
        line.id.characteristic_id(),
        Some("b1c2d3e4-7c1e-11ee-b962-0242ac120002")
    );
    assert_eq!(line.article.as_deref(), Some("КС-200"));
    assert_eq!(line.name, "Камедь ксантановая 200 меш (мешок 10 кг)");
    assert_eq!(line.base_unit, unit("166", "Килограмм", "KGM", "кг"));
    assert_eq!(line.price, dec("640"));
    assert_eq!(line.quantity, dec("25"));
    assert_eq!(line.amount, dec("16000"));
    assert_eq!(line.tax_rates, vat(RateValue::Percent(dec("22"))));
    assert_eq!(
        line.taxes,
        vec![Tax {
            name: "НДС".into(),
            included: true,
            amount: dec("2885.25"),
            rate: Some(dec("22")),
        }]
    );
    assert_eq!(
        line.requisites,
        vec![
            Requisite::new("ВидНоменклатуры", "Товар"),
            Requisite::new("ТипНоменклатуры", "Товар"),
        ]
    );
    assert_eq!(order.lines[1].id.as_str(), "ORDER_DELIVERY");

    let status = order.status_from_1c();
    let at = |d: u32, h: u32, m: u32| {
        NaiveDate::from_ymd_opt(2025, 2, d)
            .unwrap()
            .and_hms_opt(h, m, 0)
    };
    assert_eq!(status.number.as_deref(), Some("ЦБ-000417"));
    assert_eq!(status.date, at(4, 10, 12));
    assert_eq!(status.posted, Some(true));
    assert_eq!(status.deletion_mark, Some(false));
    assert_eq!(status.status.as_deref(), Some("[F] Выполнен"));
    assert_eq!(status.payment_number.as_deref(), Some("ЦБ-000088"));
    assert_eq!(status.payment_date, at(4, 12, 0));
    assert_eq!(status.shipment_number.as_deref(), Some("ЦБ-000301"));
    assert_eq!(status.shipment_date, at(4, 17, 40));
    assert_eq!(status.cancelled, Some(false));
    assert_eq!(status.final_status, Some(true));

    let cancelled = doc.orders[1].status_from_1c();
    assert_eq!(cancelled.posted, Some(false));
    assert_eq!(cancelled.deletion_mark, Some(true));
    assert_eq!(cancelled.cancelled, Some(true));
    assert_eq!(cancelled.number, None);
    assert_eq!(cancelled.final_status, None);
    assert!(doc.orders[1].lines.is_empty());
    assert!(doc.orders[1].counterparties.is_empty());
}

#[test]
fn the_reader_yields_headers_before_their_records_in_document_order() {
    let path = format!(
        "{}/tests/fixtures/import_2_08.xml",
        env!("CARGO_MANIFEST_DIR")
    );
    let kinds: Vec<&str> = CmlReader::open(path)
        .unwrap()
        .map(|item| match item.unwrap() {
            Item::Classifier(_) => "classifier",
            Item::Group(_) => "group",
            Item::Property(_) => "property",
            Item::Warehouse(_) => "warehouse",
            Item::Catalog(_) => "catalog",
            Item::Product(_) => "product",
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "classifier",
            "group",
            "group",
            "property",
            "warehouse",
            "catalog",
            "product",
            "product",
            "product",
            "product"
        ]
    );
}

#[test]
fn malformed_and_foreign_documents_are_refused_with_a_reason() {
    let broken = Document::from_bytes(
        "<КоммерческаяИнформация><Каталог></КоммерческаяИнформация>".as_bytes(),
    );
    assert!(broken.is_err());
    let foreign = Document::from_bytes(b"<html><body/></html>").unwrap_err();
    assert!(
        foreign.to_string().contains("not a CommerceML document"),
        "{foreign}"
    );
    let no_id = Document::from_bytes(
        "<КоммерческаяИнформация><Каталог><Товары><Товар><Наименование>x</Наименование></Товар></Товары></Каталог></КоммерческаяИнформация>".as_bytes(),
    )
    .unwrap_err();
    assert!(no_id.to_string().contains("Ид"), "{no_id}");
}
