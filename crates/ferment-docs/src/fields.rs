//! The editor's field palette: every field path a template may use, with a Russian description
//! and the sample's value. Paths are read off the serialised sample (so a field added to
//! `DocumentData` appears here at once); descriptions come from [`DESCRIPTIONS`].
//!
//! Lists are entered with a loop whose variable has a fixed conventional name ([`LOOPS`]):
//! `{% for line in lines %}{{ line.product }}{% endfor %}`. In Word templates the same names
//! mark the table row to repeat.

use ferment_domain::document::sample;
use serde_json::Value;

/// One field a template may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The path as written in a template: `client.inn`, `lines`, `line.product`.
    pub path: String,
    /// What it holds, in Russian.
    pub description: String,
    /// The sample's value (for a list: how many entries the sample has).
    pub example: String,
    /// Whether it is a list to loop over (its entries' fields follow it, under the loop
    /// variable's name).
    pub is_list: bool,
}

/// The lists and the loop variable each is walked with, in templates and Word table rows.
pub const LOOPS: [(&str, &str); 4] = [
    ("lines", "line"),
    ("vat", "share"),
    ("samples", "sample"),
    ("recipe.components", "component"),
];

/// Russian descriptions by path.
const DESCRIPTIONS: &[(&str, &str)] = &[
    ("document", "Документ"),
    ("document.kind", "Код вида документа (invoice, kp, …)"),
    (
        "document.title",
        "Название вида документа («Счет на оплату»)",
    ),
    ("document.number", "Номер документа"),
    ("document.date", "Дата документа цифрами"),
    (
        "document.date_words",
        "Дата документа прописью («26 ноября 2026 г.»)",
    ),
    (
        "document.date_iso",
        "Дата документа в формате ГГГГ-ММ-ДД (для сравнений)",
    ),
    (
        "document.version",
        "Версия документа (1 — первая генерация)",
    ),
    ("company", "Наша компания (поставщик)"),
    ("company.director", "Руководитель"),
    ("company.director.name", "ФИО руководителя"),
    (
        "company.director.short_name",
        "Фамилия и инициалы руководителя",
    ),
    ("company.director.position", "Должность руководителя"),
    (
        "company.director.position_genitive",
        "Должность руководителя в родительном падеже («в лице Генерального директора …»)",
    ),
    (
        "company.director.signature",
        "Файл подписи руководителя (пусто, если не загружен)",
    ),
    ("company.accountant", "Главный бухгалтер"),
    ("company.accountant.name", "ФИО главного бухгалтера"),
    (
        "company.accountant.short_name",
        "Фамилия и инициалы главного бухгалтера",
    ),
    (
        "company.accountant.position",
        "Должность главного бухгалтера",
    ),
    (
        "company.accountant.position_genitive",
        "Должность главного бухгалтера в родительном падеже",
    ),
    (
        "company.accountant.signature",
        "Файл подписи главного бухгалтера (пусто, если не загружен)",
    ),
    ("company.images", "Изображения компании"),
    (
        "company.images.logo",
        "Файл логотипа (пусто, если не загружен)",
    ),
    (
        "company.images.stamp",
        "Файл печати (пусто, если не загружен)",
    ),
    ("client", "Клиент (покупатель)"),
    ("contact", "Контактное лицо клиента по сделке"),
    ("manager", "Менеджер сделки"),
    ("sale", "Сделка"),
    ("sale.title", "Название сделки"),
    ("sale.reference", "Краткий номер сделки"),
    ("sale.currency", "Валюта (RUB)"),
    ("sale.delivery_terms", "Условия поставки"),
    ("sale.payment_terms", "Условия оплаты"),
    ("sale.process_type", "Тип процесса: full, short или пусто"),
    ("sale.stage", "Код текущего этапа"),
    ("sale.stage_name", "Название текущего этапа"),
    ("sale.expected_close_date", "Ожидаемая дата закрытия"),
    ("sale.notes", "Примечания"),
    ("lines", "Позиции сделки (цикл: {% for line in lines %})"),
    ("line.n", "Номер позиции"),
    ("line.product", "Наименование товара"),
    ("line.code", "Код товара"),
    ("line.article", "Артикул"),
    ("line.unit", "Единица измерения"),
    ("line.quantity", "Количество"),
    ("line.price", "Цена за единицу с НДС"),
    ("line.price_net", "Цена за единицу без НДС"),
    ("line.vat_rate", "Ставка НДС («20%», «Без НДС»)"),
    ("line.vat_percent", "Ставка НДС числом (20, 10, 0)"),
    ("line.vat_amount", "Сумма НДС в позиции"),
    ("line.amount", "Сумма позиции с НДС"),
    ("line.amount_net", "Сумма позиции без НДС"),
    (
        "line.needs_sample",
        "Нужен ли клиенту образец (истина/ложь)",
    ),
    ("totals", "Итоги"),
    ("totals.count", "Количество позиций"),
    ("totals.amount", "Сумма с НДС"),
    ("totals.vat", "Сумма НДС"),
    ("totals.net", "Сумма без НДС"),
    ("totals.amount_words", "Сумма с НДС прописью"),
    ("totals.vat_words", "Сумма НДС прописью"),
    (
        "totals.vat_rates",
        "Ставки НДС в документе («20%, 10%» или «Без НДС»)",
    ),
    ("vat", "НДС по ставкам (цикл: {% for share in vat %})"),
    ("share.rate", "Ставка НДС"),
    ("share.amount", "Сумма НДС по ставке"),
    ("contract", "Договор сделки"),
    (
        "contract.kind",
        "Вид: contract, specification, contract_and_specification или пусто",
    ),
    ("contract.kind_name", "Название вида договора"),
    ("contract.number", "Номер договора"),
    ("contract.date", "Дата договора цифрами"),
    ("contract.date_words", "Дата договора прописью"),
    ("contract.delivery_terms", "Условия поставки по договору"),
    ("contract.payment_terms", "Условия оплаты по договору"),
    ("contract.valid_until", "Срок действия договора"),
    ("recipe", "Рецептура, выбранная для клиента"),
    ("recipe.name", "Название рецептуры (пусто, если не выбрана)"),
    ("recipe.description", "Назначение рецептуры"),
    (
        "recipe.components",
        "Компоненты (цикл: {% for component in recipe.components %})",
    ),
    ("component.name", "Компонент"),
    ("component.amount", "Доля или количество компонента"),
    ("samples", "Образцы (цикл: {% for sample in samples %})"),
    ("sample.product", "Товар образца"),
    ("sample.status", "Состояние образца («отправлен», …)"),
    ("sample.paid", "Платный ли образец (истина/ложь)"),
];

/// Descriptions of the fields of a party, a bank account and a person, wherever they appear.
const PARTY_FIELDS: &[(&str, &str)] = &[
    ("name", "краткое наименование"),
    ("full_name", "полное наименование"),
    ("inn", "ИНН"),
    ("kpp", "КПП (пусто у ИП)"),
    ("ogrn", "ОГРН / ОГРНИП"),
    ("legal_address", "юридический адрес"),
    ("actual_address", "фактический адрес"),
    ("phone", "телефон"),
    ("email", "e-mail"),
    ("site", "сайт"),
    ("bank", "банковский счёт"),
    ("bank.name", "банк"),
    ("bank.bik", "БИК банка"),
    ("bank.correspondent_account", "корр. счёт банка"),
    ("bank.account", "расчётный счёт"),
    ("short_name", "фамилия и инициалы"),
    ("position", "должность"),
];

/// Every field path a template may use (`client.inn`, the `lines` loop with `line.product`, …),
/// with a Russian description and the sample's value, in the data model's order.
pub fn palette() -> Vec<Field> {
    let data = sample("invoice");
    let value = serde_json::to_value(&data).unwrap_or(Value::Null);
    let mut fields = Vec::new();
    walk("", &value, &mut fields);
    fields
}

fn walk(prefix: &str, value: &Value, out: &mut Vec<Field>) {
    let Value::Object(map) = value else {
        return;
    };
    for (key, child) in map {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match child {
            Value::Object(_) => {
                out.push(field(&path, String::new(), false));
                walk(&path, child, out);
            }
            Value::Array(items) => {
                out.push(field(&path, format!("{} шт. в образце", items.len()), true));
                let variable = LOOPS
                    .iter()
                    .find(|(list, _)| *list == path)
                    .map_or("item", |(_, var)| var);
                if let Some(first) = items.first() {
                    walk(variable, first, out);
                }
            }
            Value::String(s) => out.push(field(&path, s.clone(), false)),
            Value::Bool(b) => out.push(field(&path, if *b { "да" } else { "нет" }.into(), false)),
            other => out.push(field(&path, other.to_string(), false)),
        }
    }
}

fn field(path: &str, example: String, is_list: bool) -> Field {
    Field {
        path: path.to_owned(),
        description: description(path),
        example,
        is_list,
    }
}

fn description(path: &str) -> String {
    if let Some((_, text)) = DESCRIPTIONS.iter().find(|(p, _)| *p == path) {
        return (*text).to_owned();
    }
    // client.inn, company.bank.bik, manager.phone: the owner's description + the field's.
    for (owner, owner_text) in [
        ("company", "Наша компания"),
        ("client", "Клиент"),
        ("contact", "Контактное лицо"),
        ("manager", "Менеджер"),
    ] {
        if let Some(rest) = path.strip_prefix(owner).and_then(|r| r.strip_prefix('.'))
            && let Some((_, text)) = PARTY_FIELDS.iter().find(|(p, _)| *p == rest)
        {
            return format!("{owner_text}: {text}");
        }
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_of_the_sample_is_described() {
        let fields = palette();
        let undescribed: Vec<&str> = fields
            .iter()
            .filter(|f| f.description.is_empty())
            .map(|f| f.path.as_str())
            .collect();
        assert!(undescribed.is_empty(), "no description for {undescribed:?}");
        assert!(
            fields
                .iter()
                .any(|f| f.path == "client.inn" && f.example == "3525012345")
        );
        assert!(fields.iter().any(|f| f.path == "lines" && f.is_list));
        assert!(fields.iter().any(|f| f.path == "line.product"));
        assert!(fields.iter().any(|f| f.path == "company.bank.bik"));
    }
}
