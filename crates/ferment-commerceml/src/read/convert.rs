//! One record's tree → the model, field by field, accepting every schema version's spelling.

use chrono::{NaiveDate, NaiveTime};
use rust_decimal::Decimal;

use super::node::Node;
use crate::decimal::parse_decimal;
use crate::error::ParseError;
use crate::model::{
    CatalogInfo, ClassifierInfo, Group, ItemId, Offer, OffersInfo, Price, PriceTax, PriceType,
    Product, Property, PropertyChoice, PropertyValue, RateValue, Requisite, Stock, TaxRate, Unit,
    Warehouse,
};
use crate::order::{Contact, Counterparty, Order, OrderLine, Tax, parse_bool};

/// `Ид` is the key the glue applies records by: a record without one is refused.
fn required_id(node: &Node) -> Result<String, ParseError> {
    node.field("Ид").ok_or_else(|| ParseError::Invalid {
        element: node.name.clone(),
        message: "has no <Ид>".into(),
    })
}

fn decimal(node: &Node, name: &str) -> Result<Option<Decimal>, ParseError> {
    match node.field(name) {
        None => Ok(None),
        Some(text) => parse_decimal(&text)
            .map(Some)
            .ok_or_else(|| ParseError::Invalid {
                element: format!("{}/{name}", node.name),
                message: format!("{text:?} is not a number"),
            }),
    }
}

fn decimal_or_zero(node: &Node, name: &str) -> Result<Decimal, ParseError> {
    Ok(decimal(node, name)?.unwrap_or_default())
}

/// `СодержитТолькоИзменения` as an attribute (2.03–2.07) or an element (2.08+).
fn changes_only(header: &Node) -> bool {
    header
        .attr("СодержитТолькоИзменения")
        .map(str::to_owned)
        .or_else(|| header.field("СодержитТолькоИзменения"))
        .and_then(|v| parse_bool(&v))
        .unwrap_or(false)
}

/// `Статус="Удален"` (2.03–2.07), `<Статус>Удален</Статус>` (2.08+), `<ПометкаУдаления>true`.
fn deleted(node: &Node) -> bool {
    let status = node
        .attr("Статус")
        .map(str::to_owned)
        .or_else(|| node.field("Статус"));
    status.is_some_and(|s| s.eq_ignore_ascii_case("Удален"))
        || node
            .field("ПометкаУдаления")
            .and_then(|v| parse_bool(&v))
            .unwrap_or(false)
}

pub(super) fn classifier(header: &Node) -> ClassifierInfo {
    ClassifierInfo {
        id: header.field_or_empty("Ид"),
        name: header.field_or_empty("Наименование"),
    }
}

pub(super) fn catalog(header: &Node) -> CatalogInfo {
    CatalogInfo {
        id: header.field_or_empty("Ид"),
        classifier_id: header.field("ИдКлассификатора"),
        name: header.field_or_empty("Наименование"),
        changes_only: changes_only(header),
    }
}

pub(super) fn offers_info(header: &Node) -> OffersInfo {
    OffersInfo {
        id: header.field_or_empty("Ид"),
        name: header.field_or_empty("Наименование"),
        catalog_id: header.field("ИдКаталога"),
        classifier_id: header.field("ИдКлассификатора"),
        changes_only: changes_only(header),
    }
}

/// A `Группа` and, depth first, its nested `Группы/Группа`, parents before children.
pub(super) fn groups(
    node: &Node,
    parent_id: Option<&str>,
    out: &mut dyn FnMut(Group),
) -> Result<(), ParseError> {
    let id = required_id(node)?;
    out(Group {
        id: id.clone(),
        name: node.field_or_empty("Наименование"),
        parent_id: parent_id.map(str::to_owned),
    });
    for child in node.list("Группы", "Группа") {
        groups(child, Some(&id), out)?;
    }
    Ok(())
}

pub(super) fn property(node: &Node) -> Result<Property, ParseError> {
    Ok(Property {
        id: required_id(node)?,
        name: node.field_or_empty("Наименование"),
        value_type: node.field("ТипЗначений"),
        choices: node
            .list("ВариантыЗначений", "Справочник")
            .map(|choice| PropertyChoice {
                id: choice.field_or_empty("ИдЗначения"),
                value: choice.field_or_empty("Значение"),
            })
            .collect(),
    })
}

pub(super) fn warehouse(node: &Node) -> Result<Warehouse, ParseError> {
    Ok(Warehouse {
        id: required_id(node)?,
        name: node.field_or_empty("Наименование"),
    })
}

pub(super) fn price_type(node: &Node) -> Result<PriceType, ParseError> {
    Ok(PriceType {
        id: required_id(node)?,
        name: node.field_or_empty("Наименование"),
        currency: node.field("Валюта"),
        tax: node.child("Налог").map(|tax| PriceTax {
            name: tax.field_or_empty("Наименование"),
            included: tax
                .field("УчтеноВСумме")
                .and_then(|v| parse_bool(&v))
                .unwrap_or(false),
        }),
    })
}

fn unit(node: &Node) -> Unit {
    Unit {
        code: node.attr("Код").map(str::to_owned),
        full_name: node.attr("НаименованиеПолное").map(str::to_owned),
        international: node.attr("МеждународноеСокращение").map(str::to_owned),
        name: node.value().unwrap_or_default(),
    }
}

fn tax_rates(node: &Node) -> Vec<TaxRate> {
    node.list("СтавкиНалогов", "СтавкаНалога")
        .map(|rate| TaxRate {
            name: rate.field_or_empty("Наименование"),
            rate: RateValue::parse(&rate.field_or_empty("Ставка")),
        })
        .collect()
}

fn requisites(node: &Node) -> Vec<Requisite> {
    node.list("ЗначенияРеквизитов", "ЗначениеРеквизита")
        .map(|r| Requisite {
            name: r.field_or_empty("Наименование"),
            value: r.field_or_empty("Значение"),
        })
        .collect()
}

pub(super) fn product(node: &Node) -> Result<Product, ParseError> {
    Ok(Product {
        id: ItemId::new(required_id(node)?),
        article: node.field("Артикул"),
        name: node.field_or_empty("Наименование"),
        base_unit: node.child("БазоваяЕдиница").map(unit),
        group_ids: node.list("Группы", "Ид").filter_map(Node::value).collect(),
        description: node.field_raw("Описание"),
        barcode: node.field("Штрихкод"),
        pictures: node.children("Картинка").filter_map(Node::value).collect(),
        tax_rates: tax_rates(node),
        property_values: node
            .list("ЗначенияСвойств", "ЗначенияСвойства")
            .map(|v| PropertyValue {
                property_id: v.field_or_empty("Ид"),
                value: v.field_or_empty("Значение"),
            })
            .collect(),
        requisites: requisites(node),
        deleted: deleted(node),
    })
}

pub(super) fn offer(node: &Node) -> Result<Offer, ParseError> {
    let mut prices = Vec::new();
    for price in node.list("Цены", "Цена") {
        prices.push(Price {
            price_type_id: price.field_or_empty("ИдТипаЦены"),
            per_unit: decimal_or_zero(price, "ЦенаЗаЕдиницу")?,
            currency: price.field("Валюта"),
            unit: price.field("Единица"),
            coefficient: decimal(price, "Коэффициент")?,
        });
    }
    let mut quantity = decimal(node, "Количество")?;
    let mut stocks = Vec::new();
    // 2.04–2.07: <Склад ИдСклада="…" КоличествоНаСкладе="…"/> directly in the offer.
    for warehouse in node.children("Склад") {
        let Some(id) = warehouse.attr("ИдСклада") else {
            continue;
        };
        let text = warehouse.attr("КоличествоНаСкладе").unwrap_or("0");
        stocks.push(Stock {
            warehouse_id: id.to_owned(),
            quantity: parse_decimal(text).ok_or_else(|| ParseError::Invalid {
                element: "Склад".into(),
                message: format!("КоличествоНаСкладе {text:?} is not a number"),
            })?,
        });
    }
    // 2.08+: Остатки/Остаток/Склад/(Ид, Количество), or Остатки/Остаток/Количество for the total.
    for rest in node.list("Остатки", "Остаток") {
        match rest.child("Склад") {
            Some(warehouse) => stocks.push(Stock {
                warehouse_id: required_id(warehouse)?,
                quantity: decimal_or_zero(warehouse, "Количество")?,
            }),
            None => {
                if quantity.is_none() {
                    quantity = decimal(rest, "Количество")?;
                }
            }
        }
    }
    Ok(Offer {
        id: ItemId::new(required_id(node)?),
        article: node.field("Артикул"),
        name: node.field("Наименование"),
        base_unit: node.child("БазоваяЕдиница").map(unit),
        prices,
        quantity,
        stocks,
        deleted: deleted(node),
    })
}

fn taxes(node: &Node) -> Result<Vec<Tax>, ParseError> {
    node.list("Налоги", "Налог")
        .map(|tax| {
            Ok(Tax {
                name: tax.field_or_empty("Наименование"),
                included: tax
                    .field("УчтеноВСумме")
                    .and_then(|v| parse_bool(&v))
                    .unwrap_or(false),
                amount: decimal_or_zero(tax, "Сумма")?,
                rate: decimal(tax, "Ставка")?,
            })
        })
        .collect()
}

fn counterparty(node: &Node) -> Counterparty {
    let address = ["АдресРегистрации", "ЮридическийАдрес", "Адрес"]
        .iter()
        .find_map(|name| node.child(name).and_then(|a| a.field("Представление")));
    Counterparty {
        id: node.field_or_empty("Ид"),
        name: node.field_or_empty("Наименование"),
        full_name: node
            .field("ПолноеНаименование")
            .or_else(|| node.field("ОфициальноеНаименование")),
        inn: node.field("ИНН"),
        kpp: node.field("КПП"),
        role: node.field("Роль"),
        address,
        contacts: node
            .list("Контакты", "Контакт")
            .map(|c| Contact {
                kind: c.field_or_empty("Тип"),
                value: c.field_or_empty("Значение"),
            })
            .collect(),
    }
}

pub(super) fn order(node: &Node) -> Result<Order, ParseError> {
    let date =
        match node.field("Дата") {
            None => None,
            Some(text) => Some(NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| {
                ParseError::Invalid {
                    element: "Документ/Дата".into(),
                    message: format!("{text:?} is not a date"),
                }
            })?),
        };
    let time =
        match node.field("Время") {
            None => None,
            Some(text) => Some(NaiveTime::parse_from_str(&text, "%H:%M:%S").map_err(|_| {
                ParseError::Invalid {
                    element: "Документ/Время".into(),
                    message: format!("{text:?} is not a time"),
                }
            })?),
        };
    let mut lines = Vec::new();
    for line in node.list("Товары", "Товар") {
        lines.push(OrderLine {
            id: ItemId::new(line.field_or_empty("Ид")),
            article: line.field("Артикул"),
            name: line.field_or_empty("Наименование"),
            base_unit: line.child("БазоваяЕдиница").map(unit),
            price: decimal_or_zero(line, "ЦенаЗаЕдиницу")?,
            quantity: decimal_or_zero(line, "Количество")?,
            amount: decimal_or_zero(line, "Сумма")?,
            tax_rates: tax_rates(line),
            taxes: taxes(line)?,
            requisites: requisites(line),
        });
    }
    Ok(Order {
        id: required_id(node)?,
        number: node.field_or_empty("Номер"),
        date,
        time,
        operation: node.field_or_empty("ХозОперация"),
        role: node.field_or_empty("Роль"),
        currency: node.field_or_empty("Валюта"),
        rate: decimal(node, "Курс")?,
        amount: decimal_or_zero(node, "Сумма")?,
        counterparties: node
            .list("Контрагенты", "Контрагент")
            .map(counterparty)
            .collect(),
        comment: node.field_raw("Комментарий"),
        taxes: taxes(node)?,
        lines,
        requisites: requisites(node),
    })
}
