//! `Классификатор`, `Каталог` and `ПакетПредложений`.

use std::collections::{HashMap, HashSet};
use std::io::{self, Write};

use super::bool_text;
use super::xml::XmlOut;
use crate::model::{CatalogInfo, Document, Group, Offer, Product, Requisite, TaxRate, Unit};

pub(super) fn classifier<W: Write>(xml: &mut XmlOut<W>, document: &Document) -> io::Result<()> {
    xml.open("Классификатор", &[])?;
    if let Some(info) = &document.classifier {
        xml.leaf("Ид", &info.id)?;
        xml.leaf("Наименование", &info.name)?;
    }
    if !document.groups.is_empty() {
        group_tree(xml, &document.groups)?;
    }
    if !document.properties.is_empty() {
        xml.open("Свойства", &[])?;
        for property in &document.properties {
            xml.open("Свойство", &[])?;
            xml.leaf("Ид", &property.id)?;
            xml.leaf("Наименование", &property.name)?;
            xml.opt("ТипЗначений", property.value_type.as_deref())?;
            if !property.choices.is_empty() {
                xml.open("ВариантыЗначений", &[])?;
                for choice in &property.choices {
                    xml.open("Справочник", &[])?;
                    xml.leaf("ИдЗначения", &choice.id)?;
                    xml.leaf("Значение", &choice.value)?;
                    xml.close("Справочник")?;
                }
                xml.close("ВариантыЗначений")?;
            }
            xml.close("Свойство")?;
        }
        xml.close("Свойства")?;
    }
    // Without an offers package in the same file, warehouses belong to the classifier (2.08+).
    if document.offers_info.is_none() && document.offers.is_empty() {
        warehouses(xml, document)?;
    }
    xml.close("Классификатор")
}

/// Nests the flat groups back into `Группы/Группа/Группы/…`; a group whose parent is unknown is
/// written at the top.
fn group_tree<W: Write>(xml: &mut XmlOut<W>, groups: &[Group]) -> io::Result<()> {
    let ids: HashSet<&str> = groups.iter().map(|g| g.id.as_str()).collect();
    let mut children: HashMap<Option<&str>, Vec<&Group>> = HashMap::new();
    for group in groups {
        let parent = group.parent_id.as_deref().filter(|p| ids.contains(p));
        children.entry(parent).or_default().push(group);
    }
    fn level<W: Write>(
        xml: &mut XmlOut<W>,
        children: &HashMap<Option<&str>, Vec<&Group>>,
        parent: Option<&str>,
    ) -> io::Result<()> {
        let Some(list) = children.get(&parent) else {
            return Ok(());
        };
        xml.open("Группы", &[])?;
        for group in list {
            xml.open("Группа", &[])?;
            xml.leaf("Ид", &group.id)?;
            xml.leaf("Наименование", &group.name)?;
            level(xml, children, Some(group.id.as_str()))?;
            xml.close("Группа")?;
        }
        xml.close("Группы")
    }
    level(xml, &children, None)
}

fn warehouses<W: Write>(xml: &mut XmlOut<W>, document: &Document) -> io::Result<()> {
    if document.warehouses.is_empty() {
        return Ok(());
    }
    xml.open("Склады", &[])?;
    for warehouse in &document.warehouses {
        xml.open("Склад", &[])?;
        xml.leaf("Ид", &warehouse.id)?;
        xml.leaf("Наименование", &warehouse.name)?;
        xml.close("Склад")?;
    }
    xml.close("Склады")
}

pub(super) fn catalog<W: Write>(
    xml: &mut XmlOut<W>,
    info: &CatalogInfo,
    products: &[Product],
    modern: bool,
) -> io::Result<()> {
    let changes_only = bool_text(info.changes_only);
    if modern {
        xml.open("Каталог", &[])?;
        xml.leaf("СодержитТолькоИзменения", changes_only)?;
    } else {
        xml.open("Каталог", &[("СодержитТолькоИзменения", changes_only)])?;
    }
    xml.leaf("Ид", &info.id)?;
    xml.opt("ИдКлассификатора", info.classifier_id.as_deref())?;
    xml.leaf("Наименование", &info.name)?;
    xml.open("Товары", &[])?;
    for product in products {
        self::product(xml, product, modern)?;
    }
    xml.close("Товары")?;
    xml.close("Каталог")
}

fn product<W: Write>(xml: &mut XmlOut<W>, product: &Product, modern: bool) -> io::Result<()> {
    if product.deleted && !modern {
        xml.open("Товар", &[("Статус", "Удален")])?;
    } else {
        xml.open("Товар", &[])?;
    }
    xml.leaf("Ид", product.id.as_str())?;
    xml.opt("Штрихкод", product.barcode.as_deref())?;
    xml.opt("Артикул", product.article.as_deref())?;
    xml.leaf("Наименование", &product.name)?;
    if let Some(base_unit) = &product.base_unit {
        unit(xml, "БазоваяЕдиница", base_unit)?;
    }
    if !product.group_ids.is_empty() {
        xml.open("Группы", &[])?;
        for id in &product.group_ids {
            xml.leaf("Ид", id)?;
        }
        xml.close("Группы")?;
    }
    xml.opt("Описание", product.description.as_deref())?;
    for picture in &product.pictures {
        xml.leaf("Картинка", picture)?;
    }
    if !product.property_values.is_empty() {
        xml.open("ЗначенияСвойств", &[])?;
        for value in &product.property_values {
            xml.open("ЗначенияСвойства", &[])?;
            xml.leaf("Ид", &value.property_id)?;
            xml.leaf("Значение", &value.value)?;
            xml.close("ЗначенияСвойства")?;
        }
        xml.close("ЗначенияСвойств")?;
    }
    tax_rates(xml, &product.tax_rates)?;
    requisites(xml, &product.requisites)?;
    if product.deleted && modern {
        xml.leaf("Статус", "Удален")?;
    }
    xml.close("Товар")
}

pub(super) fn unit<W: Write>(xml: &mut XmlOut<W>, name: &str, unit: &Unit) -> io::Result<()> {
    let mut attrs = Vec::new();
    if let Some(code) = &unit.code {
        attrs.push(("Код", code.as_str()));
    }
    if let Some(full_name) = &unit.full_name {
        attrs.push(("НаименованиеПолное", full_name.as_str()));
    }
    if let Some(international) = &unit.international {
        attrs.push(("МеждународноеСокращение", international.as_str()));
    }
    xml.leaf_with(name, &attrs, &unit.name)
}

pub(super) fn tax_rates<W: Write>(xml: &mut XmlOut<W>, rates: &[TaxRate]) -> io::Result<()> {
    if rates.is_empty() {
        return Ok(());
    }
    xml.open("СтавкиНалогов", &[])?;
    for rate in rates {
        xml.open("СтавкаНалога", &[])?;
        xml.leaf("Наименование", &rate.name)?;
        xml.leaf("Ставка", &rate.rate.to_text())?;
        xml.close("СтавкаНалога")?;
    }
    xml.close("СтавкиНалогов")
}

pub(super) fn requisites<W: Write>(
    xml: &mut XmlOut<W>,
    requisites: &[Requisite],
) -> io::Result<()> {
    if requisites.is_empty() {
        return Ok(());
    }
    xml.open("ЗначенияРеквизитов", &[])?;
    for requisite in requisites {
        xml.open("ЗначениеРеквизита", &[])?;
        xml.leaf("Наименование", &requisite.name)?;
        xml.leaf("Значение", &requisite.value)?;
        xml.close("ЗначениеРеквизита")?;
    }
    xml.close("ЗначенияРеквизитов")
}

pub(super) fn offers<W: Write>(
    xml: &mut XmlOut<W>,
    document: &Document,
    modern: bool,
) -> io::Result<()> {
    let info = document.offers_info.clone().unwrap_or_default();
    let changes_only = bool_text(info.changes_only);
    if modern {
        xml.open("ПакетПредложений", &[])?;
        xml.leaf("СодержитТолькоИзменения", changes_only)?;
    } else {
        xml.open(
            "ПакетПредложений",
            &[("СодержитТолькоИзменения", changes_only)],
        )?;
    }
    xml.leaf("Ид", &info.id)?;
    xml.leaf("Наименование", &info.name)?;
    xml.opt("ИдКаталога", info.catalog_id.as_deref())?;
    xml.opt("ИдКлассификатора", info.classifier_id.as_deref())?;
    if !document.price_types.is_empty() {
        xml.open("ТипыЦен", &[])?;
        for price_type in &document.price_types {
            xml.open("ТипЦены", &[])?;
            xml.leaf("Ид", &price_type.id)?;
            xml.leaf("Наименование", &price_type.name)?;
            xml.opt("Валюта", price_type.currency.as_deref())?;
            if let Some(tax) = &price_type.tax {
                xml.open("Налог", &[])?;
                xml.leaf("Наименование", &tax.name)?;
                xml.leaf("УчтеноВСумме", bool_text(tax.included))?;
                xml.close("Налог")?;
            }
            xml.close("ТипЦены")?;
        }
        xml.close("ТипыЦен")?;
    }
    warehouses(xml, document)?;
    xml.open("Предложения", &[])?;
    for offer in &document.offers {
        self::offer(xml, offer, modern)?;
    }
    xml.close("Предложения")?;
    xml.close("ПакетПредложений")
}

fn offer<W: Write>(xml: &mut XmlOut<W>, offer: &Offer, modern: bool) -> io::Result<()> {
    if offer.deleted && !modern {
        xml.open("Предложение", &[("Статус", "Удален")])?;
    } else {
        xml.open("Предложение", &[])?;
    }
    xml.leaf("Ид", offer.id.as_str())?;
    xml.opt("Артикул", offer.article.as_deref())?;
    xml.opt("Наименование", offer.name.as_deref())?;
    if let Some(base_unit) = &offer.base_unit {
        unit(xml, "БазоваяЕдиница", base_unit)?;
    }
    if !offer.prices.is_empty() {
        xml.open("Цены", &[])?;
        for price in &offer.prices {
            xml.open("Цена", &[])?;
            xml.leaf("ИдТипаЦены", &price.price_type_id)?;
            xml.leaf("ЦенаЗаЕдиницу", &price.per_unit.to_string())?;
            xml.opt("Валюта", price.currency.as_deref())?;
            xml.opt("Единица", price.unit.as_deref())?;
            if let Some(coefficient) = price.coefficient {
                xml.leaf("Коэффициент", &coefficient.to_string())?;
            }
            xml.close("Цена")?;
        }
        xml.close("Цены")?;
    }
    if let Some(quantity) = offer.quantity {
        xml.leaf("Количество", &quantity.to_string())?;
    }
    if modern {
        if !offer.stocks.is_empty() {
            xml.open("Остатки", &[])?;
            for stock in &offer.stocks {
                xml.open("Остаток", &[])?;
                xml.open("Склад", &[])?;
                xml.leaf("Ид", &stock.warehouse_id)?;
                xml.leaf("Количество", &stock.quantity.to_string())?;
                xml.close("Склад")?;
                xml.close("Остаток")?;
            }
            xml.close("Остатки")?;
        }
    } else {
        for stock in &offer.stocks {
            let quantity = stock.quantity.to_string();
            xml.empty(
                "Склад",
                &[
                    ("ИдСклада", stock.warehouse_id.as_str()),
                    ("КоличествоНаСкладе", quantity.as_str()),
                ],
            )?;
        }
    }
    if offer.deleted && modern {
        xml.leaf("Статус", "Удален")?;
    }
    xml.close("Предложение")
}
