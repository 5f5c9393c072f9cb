//! 1C objects (JSON of the standard interface) to neutral records and back, by a [`Profile`].
//!
//! 1C's conventions handled here once: fixed-length strings padded with spaces, the empty reference
//! `00000000-…`, the empty date `0001-01-01T00:00:00`, composite fields (a value plus `X_Type`),
//! sums as JSON numbers (turned into kopecks), quantities (into thousandths).

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::odata::Object;
use crate::profile::{self, Profile};

/// Text of a field, padding removed; empty when absent.
pub fn text(object: &Object, field: &str) -> String {
    match object.get(field) {
        Some(Value::String(text)) => text.trim().to_string(),
        Some(Value::Number(number)) => number.to_string(),
        _ => String::new(),
    }
}

/// A reference: an `X_Key` guid or a composite field's value; `None` when empty or not a guid.
pub fn reference(object: &Object, field: &str) -> Option<Uuid> {
    let text = text(object, field);
    Uuid::parse_str(&text).ok().filter(|key| !key.is_nil())
}

/// A number (1C sends sums and quantities as JSON numbers; tolerate strings).
pub fn number(object: &Object, field: &str) -> f64 {
    match object.get(field) {
        Some(Value::Number(number)) => number.as_f64().unwrap_or(0.0),
        Some(Value::String(text)) => text.trim().replace(',', ".").parse().unwrap_or(0.0),
        _ => 0.0,
    }
}

/// A sum in kopecks.
pub fn kopecks(object: &Object, field: &str) -> i64 {
    (number(object, field) * 100.0).round() as i64
}

/// A quantity in thousandths.
pub fn thousandths(object: &Object, field: &str) -> i64 {
    (number(object, field) * 1000.0).round() as i64
}

/// A boolean.
pub fn flag(object: &Object, field: &str) -> bool {
    matches!(object.get(field), Some(Value::Bool(true)))
}

/// A date and time; `None` for 1C's empty date.
pub fn datetime(object: &Object, field: &str) -> Option<NaiveDateTime> {
    let text = text(object, field);
    let at = NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S").ok()?;
    (at.date() > NaiveDate::from_ymd_opt(1, 1, 1)?).then_some(at)
}

/// `Ref_Key`.
pub fn key(object: &Object) -> Option<Uuid> {
    reference(object, "Ref_Key")
}

/// `DataVersion`.
pub fn data_version(object: &Object) -> String {
    text(object, "DataVersion")
}

/// The rows of a tabular section.
pub fn rows<'a>(object: &'a Object, section: &str) -> impl Iterator<Item = &'a Object> {
    object
        .get(section)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
}

/// A nomenclature item as 1C has it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductIn {
    /// Reference.
    pub key: Uuid,
    /// Data version.
    pub version: String,
    /// Deletion mark.
    pub deleted: bool,
    /// A folder (a product group), not an item.
    pub folder: bool,
    /// Parent folder.
    pub parent: Option<Uuid>,
    /// Kept out (a service).
    pub skipped: bool,
    /// What Ferment keeps of it.
    pub fields: ProductFields,
    /// Unit reference.
    pub unit: Option<Uuid>,
    /// The 1C VAT value, when not a known rate.
    pub unknown_vat: Option<String>,
}

/// The product fields 1C owns (compared field by field to find what changed on which side).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductFields {
    /// Code.
    pub code: String,
    /// Article.
    pub article: String,
    /// Name.
    pub name: String,
    /// Unit code (Ferment's).
    pub unit: String,
    /// VAT in hundredths of a percent.
    pub vat_rate: i64,
    /// Description.
    pub description: String,
}

/// Reads a nomenclature item.
pub fn product(profile: &Profile, object: &Object) -> Option<ProductIn> {
    let p = &profile.products;
    let vat_text = text(object, &p.vat);
    let vat = profile.vat.get(&vat_text).copied();
    let mut description = text(object, &p.comment);
    let full_name = text(object, &p.full_name);
    let name = text(object, &p.name);
    if description.is_empty() && !full_name.is_empty() && full_name != name {
        description = full_name;
    }
    Some(ProductIn {
        key: key(object)?,
        version: data_version(object),
        deleted: flag(object, "DeletionMark"),
        folder: flag(object, "IsFolder"),
        parent: reference(object, "Parent_Key"),
        skipped: p.skip_when.as_deref().is_some_and(|f| flag(object, f)),
        unit: reference(object, &p.unit),
        unknown_vat: if vat.is_none() && !vat_text.is_empty() {
            Some(vat_text)
        } else {
            None
        },
        fields: ProductFields {
            code: text(object, &p.code),
            article: text(object, &p.article),
            name,
            unit: String::new(),
            vat_rate: vat.unwrap_or(0),
            description,
        },
    })
}

/// A counterparty as 1C has it.
#[derive(Debug, Clone, PartialEq)]
pub struct CounterpartyIn {
    /// Reference.
    pub key: Uuid,
    /// Data version.
    pub version: String,
    /// Deletion mark.
    pub deleted: bool,
    /// A folder.
    pub folder: bool,
    /// Partner reference (УТ 11).
    pub partner: Option<Uuid>,
    /// What Ferment keeps of it.
    pub fields: CounterpartyFields,
}

/// The counterparty fields both sides keep (compared field by field).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CounterpartyFields {
    /// `legal_entity` or `sole_proprietor`.
    pub kind: String,
    /// Short name.
    pub name: String,
    /// Full name.
    pub full_name: String,
    /// ИНН.
    pub inn: String,
    /// КПП.
    pub kpp: String,
    /// ОГРН / ОГРНИП.
    pub ogrn: String,
    /// Legal address.
    pub legal_address: String,
    /// Actual address.
    pub actual_address: String,
    /// Phone.
    pub phone: String,
    /// E-mail.
    pub email: String,
    /// Site.
    pub site: String,
}

impl CounterpartyFields {
    /// The fields as (name, value) pairs, for a field-by-field comparison.
    pub fn pairs(&self) -> [(&'static str, &str); 11] {
        [
            ("kind", &self.kind),
            ("name", &self.name),
            ("full_name", &self.full_name),
            ("inn", &self.inn),
            ("kpp", &self.kpp),
            ("ogrn", &self.ogrn),
            ("legal_address", &self.legal_address),
            ("actual_address", &self.actual_address),
            ("phone", &self.phone),
            ("email", &self.email),
            ("site", &self.site),
        ]
    }

    /// Sets one field by name.
    pub fn set(&mut self, field: &str, value: String) {
        match field {
            "kind" => self.kind = value,
            "name" => self.name = value,
            "full_name" => self.full_name = value,
            "inn" => self.inn = value,
            "kpp" => self.kpp = value,
            "ogrn" => self.ogrn = value,
            "legal_address" => self.legal_address = value,
            "actual_address" => self.actual_address = value,
            "phone" => self.phone = value,
            "email" => self.email = value,
            "site" => self.site = value,
            _ => {}
        }
    }
}

/// Reads a counterparty.
pub fn counterparty(profile: &Profile, object: &Object) -> Option<CounterpartyIn> {
    let c = &profile.counterparties;
    let kind_value = text(object, &c.kind);
    let kind = c.kinds.get(&kind_value).cloned().unwrap_or_else(|| {
        // A 12-digit ИНН is a person's.
        if text(object, &c.inn).len() == 12 {
            "sole_proprietor".into()
        } else {
            "legal_entity".into()
        }
    });
    let mut fields = CounterpartyFields {
        kind,
        name: text(object, &c.name),
        full_name: text(object, &c.full_name),
        inn: text(object, &c.inn),
        kpp: text(object, &c.kpp),
        ogrn: text(object, &c.ogrn),
        ..CounterpartyFields::default()
    };
    if let Some(info) = &c.contact_info {
        for row in rows(object, &info.section) {
            let value = text(row, &info.text);
            let slot = match text(row, &info.kind).as_str() {
                "Адрес" if fields.legal_address.is_empty() => &mut fields.legal_address,
                "Адрес" => &mut fields.actual_address,
                "Телефон" => &mut fields.phone,
                "АдресЭлектроннойПочты" => &mut fields.email,
                "ВебСтраница" => &mut fields.site,
                _ => continue,
            };
            if slot.is_empty() {
                *slot = value;
            }
        }
    }
    Some(CounterpartyIn {
        key: key(object)?,
        version: data_version(object),
        deleted: flag(object, "DeletionMark"),
        folder: flag(object, "IsFolder"),
        partner: c.partner.as_deref().and_then(|f| reference(object, f)),
        fields,
    })
}

/// The body that creates or updates a counterparty in 1C.
pub fn counterparty_body(
    profile: &Profile,
    fields: &CounterpartyFields,
    partner: Option<Uuid>,
) -> Value {
    let c = &profile.counterparties;
    let mut body = serde_json::Map::new();
    let mut put = |field: &str, value: Value| {
        body.insert(field.to_string(), value);
    };
    put(&c.name, json!(fields.name));
    put(
        &c.full_name,
        json!(if fields.full_name.is_empty() {
            &fields.name
        } else {
            &fields.full_name
        }),
    );
    put(&c.inn, json!(fields.inn));
    put(&c.kpp, json!(fields.kpp));
    put(&c.ogrn, json!(fields.ogrn));
    if let Some(kind) = profile.push_counterparty.kind_values.get(&fields.kind) {
        put(&c.kind, json!(kind));
    }
    if let (Some(field), Some(partner)) = (&c.partner, partner) {
        put(field, json!(partner.to_string()));
    }
    if let Some(info) = &c.contact_info {
        let mut rows = Vec::new();
        for (kind, value) in [
            ("Адрес", &fields.legal_address),
            ("Адрес", &fields.actual_address),
            ("Телефон", &fields.phone),
            ("АдресЭлектроннойПочты", &fields.email),
            ("ВебСтраница", &fields.site),
        ] {
            if !value.is_empty() {
                rows.push(json!({
                    "LineNumber": (rows.len() + 1).to_string(),
                    info.kind.clone(): kind,
                    info.text.clone(): value,
                }));
            }
        }
        put(&info.section, Value::Array(rows));
    }
    Value::Object(body)
}

/// A line of a 1C document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineIn {
    /// The product's 1C reference.
    pub product_ref: Option<Uuid>,
    /// The Ferment product, once matched.
    #[serde(default)]
    pub product_id: Option<Uuid>,
    /// Quantity in thousandths.
    pub quantity: i64,
    /// Price in kopecks.
    pub price: i64,
    /// Amount in kopecks.
    pub amount: i64,
    /// VAT rate in hundredths of a percent, when known.
    pub vat_rate: Option<i64>,
    /// VAT amount in kopecks.
    pub vat_amount: i64,
}

/// A 1C document as Ferment keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentIn {
    /// `order`, `invoice`, `payment` or `shipment`.
    pub kind: String,
    /// Reference.
    pub key: Uuid,
    /// Data version.
    pub version: String,
    /// Deletion mark.
    pub deleted: bool,
    /// Posted.
    pub posted: bool,
    /// Number (padding removed).
    pub number: String,
    /// Date.
    pub date: NaiveDateTime,
    /// Counterparty reference.
    pub counterparty: Option<Uuid>,
    /// Total in kopecks.
    pub amount: i64,
    /// Status value.
    pub status: Option<String>,
    /// The document this one is based on, ships or pays.
    pub based_on: Option<Uuid>,
    /// Comment.
    pub comment: String,
    /// Goods.
    pub lines: Vec<LineIn>,
    /// Payments: (paid document, amount in kopecks).
    pub allocations: Vec<(Uuid, i64)>,
}

/// Reads a document of a profile's kind.
pub fn document(
    profile: &Profile,
    kind: &profile::Document,
    object: &Object,
) -> Option<DocumentIn> {
    let lines = kind
        .lines
        .as_ref()
        .map(|l| {
            rows(object, &l.section)
                .map(|row| LineIn {
                    product_ref: reference(row, &l.product),
                    product_id: None,
                    quantity: thousandths(row, &l.quantity),
                    price: kopecks(row, &l.price),
                    amount: kopecks(row, &l.amount),
                    vat_rate: profile.vat.get(&text(row, &l.vat)).copied(),
                    vat_amount: kopecks(row, &l.vat_amount),
                })
                .collect()
        })
        .unwrap_or_default();
    let allocations: Vec<(Uuid, i64)> = kind
        .allocations
        .as_ref()
        .map(|a| {
            rows(object, &a.section)
                .filter_map(|row| Some((reference(row, &a.document)?, kopecks(row, &a.amount))))
                .collect()
        })
        .unwrap_or_default();
    let based_on = kind
        .based_on
        .as_deref()
        .and_then(|f| reference(object, f))
        .or_else(|| allocations.first().map(|(key, _)| *key));
    Some(DocumentIn {
        kind: kind.kind.clone(),
        key: key(object)?,
        version: data_version(object),
        deleted: flag(object, "DeletionMark"),
        posted: flag(object, "Posted"),
        number: text(object, "Number"),
        date: datetime(object, "Date")?,
        counterparty: reference(object, &kind.counterparty),
        amount: kopecks(object, &kind.amount),
        status: kind
            .status
            .as_deref()
            .map(|f| text(object, f))
            .filter(|s| !s.is_empty()),
        based_on,
        comment: kind
            .comment
            .as_deref()
            .map(|f| text(object, f))
            .unwrap_or_default(),
        lines,
        allocations,
    })
}

/// A line of an order Ferment sends.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderLineOut {
    /// The product's 1C reference.
    pub product: Uuid,
    /// Quantity in thousandths.
    pub quantity: i64,
    /// Price per unit in kopecks, VAT included.
    pub price: i64,
    /// Amount in kopecks, VAT included.
    pub amount: i64,
    /// VAT rate in hundredths of a percent.
    pub vat_rate: i64,
    /// VAT in kopecks.
    pub vat_amount: i64,
}

/// An order (or invoice) Ferment sends.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderOut {
    /// Date.
    pub date: NaiveDateTime,
    /// Organisation reference.
    pub organization: Option<Uuid>,
    /// Counterparty reference.
    pub counterparty: Uuid,
    /// Partner reference.
    pub partner: Option<Uuid>,
    /// Contract reference.
    pub contract: Option<Uuid>,
    /// Currency reference.
    pub currency: Option<Uuid>,
    /// Warehouse reference.
    pub warehouse: Option<Uuid>,
    /// Total in kopecks.
    pub amount: i64,
    /// Comment with Ferment's marker.
    pub comment: String,
    /// Lines.
    pub lines: Vec<OrderLineOut>,
}

fn money(kopecks: i64) -> Value {
    json!(kopecks as f64 / 100.0)
}

/// The body that creates an order (or invoice) in 1C.
pub fn order_body(profile: &Profile, order: &OrderOut) -> Value {
    let o = &profile.push_order;
    let reference = |key: Option<Uuid>| json!(key.unwrap_or(Uuid::nil()).to_string());
    let mut body = serde_json::Map::new();
    body.insert(
        "Date".into(),
        json!(order.date.format("%Y-%m-%dT%H:%M:%S").to_string()),
    );
    body.insert(o.organization.clone(), reference(order.organization));
    body.insert(o.counterparty.clone(), reference(Some(order.counterparty)));
    if let Some(field) = &o.partner {
        body.insert(field.clone(), reference(order.partner));
    }
    if let Some(field) = &o.contract {
        body.insert(field.clone(), reference(order.contract));
    }
    body.insert(o.currency.clone(), reference(order.currency));
    if let Some(field) = &o.warehouse {
        body.insert(field.clone(), reference(order.warehouse));
    }
    body.insert(o.vat_included.clone(), json!(true));
    body.insert(o.amount.clone(), money(order.amount));
    body.insert(o.comment.clone(), json!(order.comment));
    if let Some(status) = &o.status {
        body.insert(status.field.clone(), json!(status.value));
    }
    let l = &o.lines;
    let rows: Vec<Value> = order
        .lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            let mut row = serde_json::Map::new();
            row.insert("LineNumber".into(), json!((index + 1).to_string()));
            row.insert(l.product.clone(), json!(line.product.to_string()));
            if let Some(kind) = &l.product_type {
                row.insert(format!("{}_Type", l.product), json!(kind));
            }
            row.insert(l.quantity.clone(), json!(line.quantity as f64 / 1000.0));
            row.insert(l.price.clone(), money(line.price));
            row.insert(l.amount.clone(), money(line.amount));
            row.insert(
                l.vat.clone(),
                json!(profile.vat_value(line.vat_rate).unwrap_or("БезНДС")),
            );
            row.insert(l.vat_amount.clone(), money(line.vat_amount));
            if let Some(total) = &l.total {
                row.insert(total.clone(), money(line.amount));
            }
            Value::Object(row)
        })
        .collect();
    body.insert(l.section.clone(), Value::Array(rows));
    Value::Object(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferment_domain::onec::Profile as Code;

    fn object(value: Value) -> Object {
        value.as_object().cloned().expect("object")
    }

    #[test]
    fn padded_codes_empty_refs_and_dates_read_as_nothing() {
        let o = object(json!({
            "Code": "00-00000042",
            "Number": "0000-000123",
            "Parent_Key": "00000000-0000-0000-0000-000000000000",
            "Date": "0001-01-01T00:00:00",
            "Сумма": 1234.56,
            "LineNumber": "3",
        }));
        assert_eq!(text(&o, "Code"), "00-00000042");
        assert_eq!(reference(&o, "Parent_Key"), None);
        assert_eq!(datetime(&o, "Date"), None);
        assert_eq!(kopecks(&o, "Сумма"), 123_456);
        assert_eq!(text(&o, "LineNumber"), "3");
    }

    #[test]
    fn a_bp30_shipment_reads_its_composite_products_and_the_invoice_it_ships() {
        let profile = Profile::with_changes(Code::Bp30, &Value::Null).expect("profile");
        let kind = profile
            .documents
            .iter()
            .find(|d| d.kind == "shipment")
            .expect("shipment");
        let o = object(json!({
            "Ref_Key": "6b7a1c1e-0c39-11ef-8a5e-0050568b35ac",
            "DataVersion": "AAAAAQAAAAA=",
            "DeletionMark": false,
            "Number": "БП00-000017",
            "Date": "2026-11-20T12:30:00",
            "Posted": true,
            "Контрагент_Key": "1f0c1a52-0c39-11ef-8a5e-0050568b35ac",
            "СуммаДокумента": 24400,
            "Сделка": "2a1c1a52-0c39-11ef-8a5e-0050568b35ac",
            "Сделка_Type": "StandardODATA.Document_СчетНаОплатуПокупателю",
            "Товары": [{
                "Ref_Key": "6b7a1c1e-0c39-11ef-8a5e-0050568b35ac",
                "LineNumber": "1",
                "Номенклатура": "3c0c1a52-0c39-11ef-8a5e-0050568b35ac",
                "Номенклатура_Type": "StandardODATA.Catalog_Номенклатура",
                "Количество": 12.5,
                "Цена": 1952,
                "Сумма": 24400,
                "СтавкаНДС": "НДС22",
                "СуммаНДС": 4400
            }]
        }));
        let doc = document(&profile, kind, &o).expect("read");
        assert_eq!(doc.number, "БП00-000017");
        assert!(doc.posted);
        assert_eq!(doc.amount, 2_440_000);
        assert_eq!(
            doc.based_on.map(|k| k.to_string()).as_deref(),
            Some("2a1c1a52-0c39-11ef-8a5e-0050568b35ac")
        );
        assert_eq!(doc.lines.len(), 1);
        assert_eq!(doc.lines[0].quantity, 12_500);
        assert_eq!(doc.lines[0].vat_rate, Some(2200));
        assert!(doc.lines[0].product_ref.is_some());
    }

    #[test]
    fn a_counterparty_reads_its_contact_information_and_writes_it_back() {
        let profile = Profile::with_changes(Code::Ut11, &Value::Null).expect("profile");
        let o = object(json!({
            "Ref_Key": "1f0c1a52-0c39-11ef-8a5e-0050568b35ac",
            "DataVersion": "AAAAAgAAAAA=",
            "DeletionMark": false,
            "Description": "Молочный комбинат  ",
            "НаименованиеПолное": "АО \"Молочный комбинат\"",
            "ЮрФизЛицо": "ЮрЛицо",
            "ИНН": "7707083893",
            "КПП": "773601001",
            "РегистрационныйНомер": "1027700132195",
            "Партнер_Key": "9f0c1a52-0c39-11ef-8a5e-0050568b35ac",
            "КонтактнаяИнформация": [
                {"LineNumber": "1", "Тип": "Адрес", "Представление": "г. Москва, ул. Вавилова, д. 19"},
                {"LineNumber": "2", "Тип": "Телефон", "Представление": "+7 495 500-55-50"},
                {"LineNumber": "3", "Тип": "АдресЭлектроннойПочты", "Представление": "info@milk.ru"}
            ]
        }));
        let c = counterparty(&profile, &o).expect("read");
        assert_eq!(c.fields.name, "Молочный комбинат");
        assert_eq!(c.fields.kind, "legal_entity");
        assert_eq!(c.fields.legal_address, "г. Москва, ул. Вавилова, д. 19");
        assert_eq!(c.fields.phone, "+7 495 500-55-50");
        assert!(c.partner.is_some());
        let body = counterparty_body(&profile, &c.fields, c.partner);
        assert_eq!(body["ИНН"], "7707083893");
        assert_eq!(body["ЮрФизЛицо"], "ЮрЛицо");
        assert_eq!(body["КонтактнаяИнформация"][1]["Тип"], "Телефон");
    }
}
