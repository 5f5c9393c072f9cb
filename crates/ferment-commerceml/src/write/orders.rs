//! `Документ` of an order, in the element order 1C's own exchange writes.

use std::io::{self, Write};

use super::bool_text;
use super::catalog::{requisites, tax_rates, unit};
use super::xml::XmlOut;
use crate::order::{Counterparty, Order, Tax};

pub(super) fn order<W: Write>(xml: &mut XmlOut<W>, order: &Order) -> io::Result<()> {
    xml.open("Документ", &[])?;
    xml.leaf("Ид", &order.id)?;
    xml.leaf("Номер", &order.number)?;
    if let Some(date) = order.date {
        xml.leaf("Дата", &date.format("%Y-%m-%d").to_string())?;
    }
    xml.leaf("ХозОперация", &order.operation)?;
    xml.leaf("Роль", &order.role)?;
    xml.leaf("Валюта", &order.currency)?;
    if let Some(rate) = order.rate {
        xml.leaf("Курс", &rate.to_string())?;
    }
    xml.leaf("Сумма", &order.amount.to_string())?;
    if !order.counterparties.is_empty() {
        xml.open("Контрагенты", &[])?;
        for counterparty in &order.counterparties {
            self::counterparty(xml, counterparty)?;
        }
        xml.close("Контрагенты")?;
    }
    if let Some(time) = order.time {
        xml.leaf("Время", &time.format("%H:%M:%S").to_string())?;
    }
    xml.opt("Комментарий", order.comment.as_deref())?;
    taxes(xml, &order.taxes)?;
    xml.open("Товары", &[])?;
    for line in &order.lines {
        xml.open("Товар", &[])?;
        xml.leaf("Ид", line.id.as_str())?;
        xml.opt("Артикул", line.article.as_deref())?;
        xml.leaf("Наименование", &line.name)?;
        if let Some(base_unit) = &line.base_unit {
            unit(xml, "БазоваяЕдиница", base_unit)?;
        }
        xml.leaf("ЦенаЗаЕдиницу", &line.price.to_string())?;
        xml.leaf("Количество", &line.quantity.to_string())?;
        xml.leaf("Сумма", &line.amount.to_string())?;
        tax_rates(xml, &line.tax_rates)?;
        taxes(xml, &line.taxes)?;
        requisites(xml, &line.requisites)?;
        xml.close("Товар")?;
    }
    xml.close("Товары")?;
    requisites(xml, &order.requisites)?;
    xml.close("Документ")
}

fn counterparty<W: Write>(xml: &mut XmlOut<W>, counterparty: &Counterparty) -> io::Result<()> {
    xml.open("Контрагент", &[])?;
    xml.leaf("Ид", &counterparty.id)?;
    xml.leaf("Наименование", &counterparty.name)?;
    xml.opt("Роль", counterparty.role.as_deref())?;
    xml.opt("ПолноеНаименование", counterparty.full_name.as_deref())?;
    xml.opt("ИНН", counterparty.inn.as_deref())?;
    xml.opt("КПП", counterparty.kpp.as_deref())?;
    if let Some(address) = &counterparty.address {
        xml.open("АдресРегистрации", &[])?;
        xml.leaf("Представление", address)?;
        xml.close("АдресРегистрации")?;
    }
    if !counterparty.contacts.is_empty() {
        xml.open("Контакты", &[])?;
        for contact in &counterparty.contacts {
            xml.open("Контакт", &[])?;
            xml.leaf("Тип", &contact.kind)?;
            xml.leaf("Значение", &contact.value)?;
            xml.close("Контакт")?;
        }
        xml.close("Контакты")?;
    }
    xml.close("Контрагент")
}

fn taxes<W: Write>(xml: &mut XmlOut<W>, taxes: &[Tax]) -> io::Result<()> {
    if taxes.is_empty() {
        return Ok(());
    }
    xml.open("Налоги", &[])?;
    for tax in taxes {
        xml.open("Налог", &[])?;
        xml.leaf("Наименование", &tax.name)?;
        xml.leaf("УчтеноВСумме", bool_text(tax.included))?;
        xml.leaf("Сумма", &tax.amount.to_string())?;
        if let Some(rate) = tax.rate {
            xml.leaf("Ставка", &rate.to_string())?;
        }
        xml.close("Налог")?;
    }
    xml.close("Налоги")
}
