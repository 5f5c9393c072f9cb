//! The catalog and offers model: what `import.xml`, `offers.xml`, `prices.xml` and `rests.xml` carry,
//! as plain data with CommerceML's own identifiers (`Ид`) kept as strings.
//!
//! These are wire types of the CommerceML format, not Ferment's domain types: the glue maps them onto
//! products, warehouses and prices. Optional fields are `None` when the element was absent, which in
//! an offers file means "unchanged" (a `prices.xml` carries no quantities, a `rests.xml` no prices).

use std::fmt;

use chrono::NaiveDateTime;
use rust_decimal::Decimal;

use crate::order::Order;

/// The CommerceML schema version in the root's `ВерсияСхемы` attribute, such as `2.03` or `2.10`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaVersion(String);

impl SchemaVersion {
    /// 2.03: deletion and "changes only" as attributes, per-warehouse stock as `<Склад ИдСклада=…/>`.
    pub fn v2_03() -> Self {
        Self("2.03".into())
    }

    /// 2.08: deletion as `<Статус>Удален</Статус>`, stock as `Остатки/Остаток/Склад`.
    pub fn v2_08() -> Self {
        Self("2.08".into())
    }

    /// 2.10, what current 1C configurations (УТ 11.5, ERP 2.5) write by default.
    pub fn v2_10() -> Self {
        Self("2.10".into())
    }

    /// Keeps whatever the file said, even a version this crate has not seen.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The version as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Major and minor numbers (`2.08` → `(2, 8)`); unparsable parts count as 0.
    pub fn numbers(&self) -> (u32, u32) {
        let mut parts = self.0.trim().split('.');
        let major = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
        let minor = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
        (major, minor)
    }

    /// Whether this version writes the 2.08+ shapes (`Остатки`, `<Статус>` and
    /// `<СодержитТолькоИзменения>` as elements) rather than the 2.03–2.07 attributes.
    pub fn is_2_08_or_later(&self) -> bool {
        self.numbers() >= (2, 8)
    }
}

impl Default for SchemaVersion {
    fn default() -> Self {
        Self::v2_10()
    }
}

impl fmt::Display for SchemaVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The root element's attributes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DocumentInfo {
    /// `ВерсияСхемы`.
    pub version: SchemaVersion,
    /// `ДатаФормирования`, local time of the sender.
    pub generated_at: Option<NaiveDateTime>,
}

/// An identifier of a product or offer: `product` or `product#characteristic`.
///
/// 1C writes an offer of a product with characteristics (size, colour) as `guid#guid`; the part
/// before `#` is the product's `Ид` in `import.xml`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ItemId(String);

impl ItemId {
    /// Wraps the identifier as written.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The identifier as written (`guid` or `guid#guid`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The product part, before `#`.
    pub fn product_id(&self) -> &str {
        self.0.split_once('#').map_or(self.0.as_str(), |(p, _)| p)
    }

    /// The characteristic part, after `#`, if any.
    pub fn characteristic_id(&self) -> Option<&str> {
        self.0
            .split_once('#')
            .map(|(_, c)| c)
            .filter(|c| !c.is_empty())
    }
}

impl fmt::Display for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `Классификатор` header: its own identifier and name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClassifierInfo {
    /// `Ид`.
    pub id: String,
    /// `Наименование`.
    pub name: String,
}

/// One node of the classifier's group tree, flattened: parents always come before their children.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Group {
    /// `Ид`.
    pub id: String,
    /// `Наименование`.
    pub name: String,
    /// The enclosing group's `Ид`; `None` for a top-level group.
    pub parent_id: Option<String>,
}

/// A property (`Свойство`) defined in the classifier.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Property {
    /// `Ид`.
    pub id: String,
    /// `Наименование`.
    pub name: String,
    /// `ТипЗначений`: `Строка`, `Число`, `Справочник`…
    pub value_type: Option<String>,
    /// `ВариантыЗначений/Справочник`: the allowed values of a `Справочник` property.
    pub choices: Vec<PropertyChoice>,
}

/// One allowed value of a `Справочник` property.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PropertyChoice {
    /// `ИдЗначения`.
    pub id: String,
    /// `Значение`.
    pub value: String,
}

/// `Каталог` header.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CatalogInfo {
    /// `Ид`.
    pub id: String,
    /// `ИдКлассификатора`.
    pub classifier_id: Option<String>,
    /// `Наименование`.
    pub name: String,
    /// `СодержитТолькоИзменения` (attribute or element): when false, products absent from the file
    /// may be considered gone; when true, only the listed products changed.
    pub changes_only: bool,
}

/// A unit of measure (`БазоваяЕдиница`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Unit {
    /// Attribute `Код`: the OKEI code (`796` шт, `166` кг).
    pub code: Option<String>,
    /// Attribute `НаименованиеПолное` (`Штука`).
    pub full_name: Option<String>,
    /// Attribute `МеждународноеСокращение` (`PCE`).
    pub international: Option<String>,
    /// The element's text: the short name (`шт`).
    pub name: String,
}

/// A tax rate (`СтавкаНалога`): `НДС` at `22`, or `Без налога`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TaxRate {
    /// `Наименование` (`НДС`).
    pub name: String,
    /// `Ставка`.
    pub rate: RateValue,
}

/// The value of `Ставка`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum RateValue {
    /// A percentage (`22`, `10`, `0`).
    Percent(Decimal),
    /// `Без налога`.
    #[default]
    Exempt,
    /// Anything else, as written (`22/122`).
    Other(String),
}

impl RateValue {
    /// Reads `22`, `22%`, `0,1`… as a percentage, `Без налога`/`Без НДС` as exempt.
    pub fn parse(text: &str) -> Self {
        let text = text.trim();
        let lower = text.to_lowercase();
        if lower.starts_with("без") {
            return Self::Exempt;
        }
        match crate::decimal::parse_decimal(text.trim_end_matches('%')) {
            Some(value) => Self::Percent(value),
            None => Self::Other(text.to_owned()),
        }
    }

    /// The text CommerceML expects.
    pub fn to_text(&self) -> String {
        match self {
            Self::Percent(value) => value.to_string(),
            Self::Exempt => "Без налога".to_owned(),
            Self::Other(text) => text.clone(),
        }
    }
}

/// A name/value pair of `ЗначенияРеквизитов` (`ВидНоменклатуры`, `Полное наименование`, `Код`…).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Requisite {
    /// `Наименование`.
    pub name: String,
    /// `Значение`.
    pub value: String,
}

impl Requisite {
    /// A pair.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// Finds a requisite's value by name.
pub fn requisite<'a>(requisites: &'a [Requisite], name: &str) -> Option<&'a str> {
    requisites
        .iter()
        .find(|r| r.name == name)
        .map(|r| r.value.as_str())
}

/// A product's value of a classifier property (`ЗначенияСвойств/ЗначенияСвойства`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PropertyValue {
    /// `Ид` of the property.
    pub property_id: String,
    /// `Значение`: text, a number, or the `ИдЗначения` of a `Справочник` choice.
    pub value: String,
}

/// A product (`Товар`) of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Product {
    /// `Ид`, possibly `product#characteristic`.
    pub id: ItemId,
    /// `Артикул`.
    pub article: Option<String>,
    /// `Наименование`.
    pub name: String,
    /// `БазоваяЕдиница`.
    pub base_unit: Option<Unit>,
    /// `Группы/Ид`.
    pub group_ids: Vec<String>,
    /// `Описание`, kept as written.
    pub description: Option<String>,
    /// `Штрихкод`.
    pub barcode: Option<String>,
    /// `Картинка`: paths relative to the exchange's upload directory (`import_files/ab/ab12.jpg`).
    pub pictures: Vec<String>,
    /// `СтавкиНалогов/СтавкаНалога`.
    pub tax_rates: Vec<TaxRate>,
    /// `ЗначенияСвойств/ЗначенияСвойства`.
    pub property_values: Vec<PropertyValue>,
    /// `ЗначенияРеквизитов/ЗначениеРеквизита`.
    pub requisites: Vec<Requisite>,
    /// `Статус` = `Удален` (element in 2.08+, attribute in 2.03–2.07) or `ПометкаУдаления` = true.
    pub deleted: bool,
}

impl Product {
    /// A requisite's value by name (`ВидНоменклатуры`, `Полное наименование`, `Код`).
    pub fn requisite(&self, name: &str) -> Option<&str> {
        requisite(&self.requisites, name)
    }
}

/// `ПакетПредложений` header (also the root of `prices.xml` and `rests.xml`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OffersInfo {
    /// `Ид`.
    pub id: String,
    /// `Наименование`.
    pub name: String,
    /// `ИдКаталога`.
    pub catalog_id: Option<String>,
    /// `ИдКлассификатора`.
    pub classifier_id: Option<String>,
    /// `СодержитТолькоИзменения` (attribute or element).
    pub changes_only: bool,
}

/// A price type (`ТипЦены`): wholesale, retail…
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PriceType {
    /// `Ид`.
    pub id: String,
    /// `Наименование`.
    pub name: String,
    /// `Валюта` (`RUB`, `руб`).
    pub currency: Option<String>,
    /// `Налог`: which tax the prices of this type carry and whether they include it.
    pub tax: Option<PriceTax>,
}

/// `ТипЦены/Налог`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PriceTax {
    /// `Наименование` (`НДС`).
    pub name: String,
    /// `УчтеноВСумме`: the price includes the tax.
    pub included: bool,
}

/// A warehouse (`Склад`), listed in the classifier (2.08+) or the offers package.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Warehouse {
    /// `Ид`.
    pub id: String,
    /// `Наименование`.
    pub name: String,
}

/// A price of an offer (`Цены/Цена`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Price {
    /// `ИдТипаЦены`.
    pub price_type_id: String,
    /// `ЦенаЗаЕдиницу`.
    pub per_unit: Decimal,
    /// `Валюта`.
    pub currency: Option<String>,
    /// `Единица`: the short name of the unit the price is for.
    pub unit: Option<String>,
    /// `Коэффициент`: how many base units the price's unit holds.
    pub coefficient: Option<Decimal>,
}

/// The quantity of an offer on one warehouse.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Stock {
    /// `ИдСклада` (2.04–2.07) or `Остаток/Склад/Ид` (2.08+).
    pub warehouse_id: String,
    /// `КоличествоНаСкладе` or `Остаток/Склад/Количество`.
    pub quantity: Decimal,
}

/// An offer (`Предложение`): prices and stock of a product or of one of its characteristics.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Offer {
    /// `Ид`: `product` or `product#characteristic`.
    pub id: ItemId,
    /// `Артикул`.
    pub article: Option<String>,
    /// `Наименование`.
    pub name: Option<String>,
    /// `БазоваяЕдиница`.
    pub base_unit: Option<Unit>,
    /// `Цены/Цена`; empty in a rests-only file.
    pub prices: Vec<Price>,
    /// `Количество` (or `Остатки/Остаток/Количество`): the total; `None` when not sent.
    pub quantity: Option<Decimal>,
    /// Per-warehouse quantities, in either schema style.
    pub stocks: Vec<Stock>,
    /// `Статус` = `Удален` or `ПометкаУдаления` = true.
    pub deleted: bool,
}

/// One unit a streaming reader yields, in document order.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// The classifier's header, before its groups and properties.
    Classifier(ClassifierInfo),
    /// A group; parents come before children.
    Group(Group),
    /// A classifier property.
    Property(Property),
    /// The catalog's header, before its products.
    Catalog(CatalogInfo),
    /// A product.
    Product(Product),
    /// The offers package's header, before its price types, warehouses and offers.
    Offers(OffersInfo),
    /// A price type.
    PriceType(PriceType),
    /// A warehouse.
    Warehouse(Warehouse),
    /// An offer.
    Offer(Offer),
    /// An order document (`Документ`).
    Order(Order),
}

/// A whole CommerceML document in memory: for small files (orders, tests, the emulator's output).
/// Large files are read item by item with [`crate::CmlReader`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    /// Root attributes.
    pub info: DocumentInfo,
    /// `Классификатор` header, if the file has one.
    pub classifier: Option<ClassifierInfo>,
    /// Groups, flattened, parents first.
    pub groups: Vec<Group>,
    /// Classifier properties.
    pub properties: Vec<Property>,
    /// `Каталог` header, if the file has one.
    pub catalog: Option<CatalogInfo>,
    /// Products.
    pub products: Vec<Product>,
    /// `ПакетПредложений` header, if the file has one.
    pub offers_info: Option<OffersInfo>,
    /// Price types.
    pub price_types: Vec<PriceType>,
    /// Warehouses, from the classifier or the offers package.
    pub warehouses: Vec<Warehouse>,
    /// Offers.
    pub offers: Vec<Offer>,
    /// Orders.
    pub orders: Vec<Order>,
}

impl Document {
    /// An empty document of this version, generated at that time.
    pub fn new(version: SchemaVersion, generated_at: NaiveDateTime) -> Self {
        Self {
            info: DocumentInfo {
                version,
                generated_at: Some(generated_at),
            },
            ..Self::default()
        }
    }

    /// Adds one streamed item to the matching list.
    pub fn push(&mut self, item: Item) {
        match item {
            Item::Classifier(c) => self.classifier = Some(c),
            Item::Group(g) => self.groups.push(g),
            Item::Property(p) => self.properties.push(p),
            Item::Catalog(c) => self.catalog = Some(c),
            Item::Product(p) => self.products.push(p),
            Item::Offers(o) => self.offers_info = Some(o),
            Item::PriceType(p) => self.price_types.push(p),
            Item::Warehouse(w) => self.warehouses.push(w),
            Item::Offer(o) => self.offers.push(o),
            Item::Order(o) => self.orders.push(o),
        }
    }
}
