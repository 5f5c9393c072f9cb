//! Orders (`Документ` with `ХозОперация` = `Заказ товара`): what Ferment sends 1C in answer to
//! `type=sale&mode=query`, and what 1C posts back with its own numbers and statuses in
//! `ЗначенияРеквизитов` (`Номер по 1С`, `Проведен`, `Статус заказа`, `Номер оплаты по 1С`…).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rust_decimal::Decimal;

use crate::model::{ItemId, Requisite, TaxRate, Unit, requisite};

/// `ХозОперация` of an order.
pub const OPERATION_ORDER: &str = "Заказ товара";
/// `Роль` of the site in its own orders.
pub const ROLE_SELLER: &str = "Продавец";
/// `Роль` of the customer among `Контрагенты`.
pub const ROLE_BUYER: &str = "Покупатель";

/// An order document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Order {
    /// `Ид`: the site's identifier of the order (1C keeps it to match later exchanges).
    pub id: String,
    /// `Номер`: the site's number.
    pub number: String,
    /// `Дата`.
    pub date: Option<NaiveDate>,
    /// `Время`.
    pub time: Option<NaiveTime>,
    /// `ХозОперация`, normally [`OPERATION_ORDER`].
    pub operation: String,
    /// `Роль`, normally [`ROLE_SELLER`].
    pub role: String,
    /// `Валюта` (`руб`).
    pub currency: String,
    /// `Курс`.
    pub rate: Option<Decimal>,
    /// `Сумма`: the total, tax included when the taxes say so.
    pub amount: Decimal,
    /// `Контрагенты/Контрагент`.
    pub counterparties: Vec<Counterparty>,
    /// `Комментарий`.
    pub comment: Option<String>,
    /// `Налоги/Налог`.
    pub taxes: Vec<Tax>,
    /// `Товары/Товар`.
    pub lines: Vec<OrderLine>,
    /// `ЗначенияРеквизитов`: 1C's statuses on the way back, the site's own (`Метод оплаты`…) on the way out.
    pub requisites: Vec<Requisite>,
}

impl Order {
    /// A requisite's value by name.
    pub fn requisite(&self, name: &str) -> Option<&str> {
        requisite(&self.requisites, name)
    }

    /// What 1C reported about the order in its requisites.
    pub fn status_from_1c(&self) -> OrderStatus {
        let text = |name: &str| {
            self.requisite(name)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let flag = |name: &str| self.requisite(name).and_then(parse_bool);
        let date = |name: &str| self.requisite(name).and_then(parse_1c_datetime);
        OrderStatus {
            number: text("Номер по 1С"),
            date: date("Дата по 1С"),
            posted: flag("Проведен"),
            deletion_mark: flag("ПометкаУдаления"),
            status: text("Статус заказа"),
            payment_number: text("Номер оплаты по 1С"),
            payment_date: date("Дата оплаты по 1С"),
            shipment_number: text("Номер отгрузки по 1С"),
            shipment_date: date("Дата отгрузки по 1С"),
            cancelled: flag("Отменен"),
            final_status: flag("Финальный статус"),
        }
    }

    /// The buyer among the counterparties.
    pub fn buyer(&self) -> Option<&Counterparty> {
        self.counterparties
            .iter()
            .find(|c| c.role.as_deref() == Some(ROLE_BUYER))
            .or_else(|| self.counterparties.first())
    }
}

/// 1C's view of an order, read from its requisites; `None` where 1C did not say.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrderStatus {
    /// `Номер по 1С`.
    pub number: Option<String>,
    /// `Дата по 1С`.
    pub date: Option<NaiveDateTime>,
    /// `Проведен`.
    pub posted: Option<bool>,
    /// `ПометкаУдаления`.
    pub deletion_mark: Option<bool>,
    /// `Статус заказа` (`[N] Принят`, `[F] Выполнен`…).
    pub status: Option<String>,
    /// `Номер оплаты по 1С`.
    pub payment_number: Option<String>,
    /// `Дата оплаты по 1С`.
    pub payment_date: Option<NaiveDateTime>,
    /// `Номер отгрузки по 1С`.
    pub shipment_number: Option<String>,
    /// `Дата отгрузки по 1С`.
    pub shipment_date: Option<NaiveDateTime>,
    /// `Отменен`.
    pub cancelled: Option<bool>,
    /// `Финальный статус`.
    pub final_status: Option<bool>,
}

/// A party of the order (`Контрагент`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Counterparty {
    /// `Ид`.
    pub id: String,
    /// `Наименование`.
    pub name: String,
    /// `ПолноеНаименование` (or `ОфициальноеНаименование` of a company).
    pub full_name: Option<String>,
    /// `ИНН`.
    pub inn: Option<String>,
    /// `КПП`.
    pub kpp: Option<String>,
    /// `Роль` (`Покупатель`).
    pub role: Option<String>,
    /// `АдресРегистрации/Представление` (or `ЮридическийАдрес/Представление`).
    pub address: Option<String>,
    /// `Контакты/Контакт`.
    pub contacts: Vec<Contact>,
}

/// A contact of a counterparty: `Тип` (`Почта`, `ТелефонРабочий`…) and `Значение`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Contact {
    /// `Тип`.
    pub kind: String,
    /// `Значение`.
    pub value: String,
}

/// A tax amount (`Налог`) of an order or line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tax {
    /// `Наименование` (`НДС`).
    pub name: String,
    /// `УчтеноВСумме`: the amounts include the tax.
    pub included: bool,
    /// `Сумма`.
    pub amount: Decimal,
    /// `Ставка`, on lines.
    pub rate: Option<Decimal>,
}

/// A line of an order (`Товары/Товар`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OrderLine {
    /// `Ид` of the product or offer in 1C (`guid` or `guid#guid`).
    pub id: ItemId,
    /// `Артикул`.
    pub article: Option<String>,
    /// `Наименование`.
    pub name: String,
    /// `БазоваяЕдиница`.
    pub base_unit: Option<Unit>,
    /// `ЦенаЗаЕдиницу`.
    pub price: Decimal,
    /// `Количество`.
    pub quantity: Decimal,
    /// `Сумма`.
    pub amount: Decimal,
    /// `СтавкиНалогов/СтавкаНалога`.
    pub tax_rates: Vec<TaxRate>,
    /// `Налоги/Налог`.
    pub taxes: Vec<Tax>,
    /// `ЗначенияРеквизитов` (`ВидНоменклатуры` = `Товар`, `ТипНоменклатуры` = `Товар`).
    pub requisites: Vec<Requisite>,
}

/// Reads 1C's booleans: `true`/`false` (any case), `1`/`0`, `да`/`нет`.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "true" | "1" | "да" | "истина" => Some(true),
        "false" | "0" | "нет" | "ложь" => Some(false),
        _ => None,
    }
}

/// Reads the date-times 1C puts in requisites: `2024-03-01T12:30:00`, `2024-03-01 12:30:00`,
/// `01.03.2024 12:30:00`, or a bare date (midnight).
pub fn parse_1c_datetime(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    const FORMATS: [&str; 4] = [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%d.%m.%Y %H:%M:%S",
        "%d.%m.%Y %-H:%M:%S",
    ];
    for format in FORMATS {
        if let Ok(value) = NaiveDateTime::parse_from_str(text, format) {
            return Some(value);
        }
    }
    for format in ["%Y-%m-%d", "%d.%m.%Y"] {
        if let Ok(date) = NaiveDate::parse_from_str(text, format) {
            return date.and_hms_opt(0, 0, 0);
        }
    }
    None
}
