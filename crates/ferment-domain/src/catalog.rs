//! The nomenclature: products in a group tree, warehouses (including the office sample store) and
//! stock. Filled by hand until the 1C integration takes over.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::coded_enum;
use crate::counterparty::{NAME_MAX, SHORT_MAX, TEXT_MAX, optional_id};
use crate::decimal::{MONEY_SCALE, QUANTITY_SCALE, RATE_SCALE, parse_minor};
use crate::validation::{Errors, FieldError, Problem, optional_text, required_text};

coded_enum! {
    /// Unit of measure of a product.
    pub enum Unit {
        /// Kilogram.
        Kg => ("kg", "кг", "kg"),
        /// Gram.
        G => ("g", "г", "g"),
        /// Tonne.
        T => ("t", "т", "t"),
        /// Litre.
        L => ("l", "л", "l"),
        /// Millilitre.
        Ml => ("ml", "мл", "ml"),
        /// Piece.
        Pcs => ("pcs", "шт", "pcs"),
        /// Package.
        Pack => ("pack", "упак", "pack"),
    }
}

impl Unit {
    /// The unit's code in ОКЕИ, the Russian classifier of units that 1C's units and CommerceML
    /// files carry (`166` kilogram, `796` piece).
    pub fn okei(self) -> &'static str {
        match self {
            Unit::Kg => "166",
            Unit::G => "163",
            Unit::T => "168",
            Unit::L => "112",
            Unit::Ml => "111",
            Unit::Pcs => "796",
            Unit::Pack => "778",
        }
    }

    /// The unit a 1C or CommerceML unit means: by its ОКЕИ code, else by its short name
    /// («кг», «шт.», any case) or Ferment's own code; `None` when neither is known.
    pub fn recognise(okei: Option<&str>, name: &str) -> Option<Unit> {
        let by_code = okei
            .map(str::trim)
            .and_then(|code| Unit::ALL.iter().copied().find(|u| u.okei() == code));
        by_code.or_else(|| {
            let name = name.trim().trim_end_matches('.').to_lowercase();
            Unit::ALL
                .iter()
                .copied()
                .find(|u| u.label(crate::validation::Lang::Ru) == name || u.code() == name)
        })
    }
}

coded_enum! {
    /// What a warehouse is for; the sales process looks for samples in the office store first.
    pub enum WarehouseKind {
        /// A warehouse that ships goods.
        Warehouse => ("warehouse", "Склад", "Warehouse"),
        /// The office's store of samples.
        OfficeSamples => ("office_samples", "Офис (образцы)", "Office samples"),
    }
}

/// A product of the nomenclature, validated. Money in kopecks, the VAT rate in hundredths of a percent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Product {
    /// Code (unique, as in 1C).
    pub code: String,
    /// Article (артикул).
    pub article: Option<String>,
    /// Name.
    pub name: String,
    /// Unit of measure.
    pub unit: Unit,
    /// Group in the product tree.
    pub group_id: Option<Uuid>,
    /// VAT rate in hundredths of a percent (2200 = 22 %).
    pub vat_rate: i64,
    /// Base price per unit, in kopecks.
    pub price: i64,
    /// Currency of the price (ISO 4217).
    pub currency: String,
    /// Whether the product needs a sample before sale (the default for new sale lines).
    pub needs_sample: bool,
    /// Description.
    pub description: Option<String>,
}

/// A product as typed; numbers are text (`"12,5"` or `"12.5"`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProductInput {
    /// Code.
    pub code: String,
    /// Article.
    pub article: String,
    /// Name.
    pub name: String,
    /// Unit code.
    pub unit: String,
    /// Group id.
    pub group_id: String,
    /// VAT rate in percent (`"22"`, `"10"`, `"0"`).
    pub vat_rate: String,
    /// Base price.
    pub price: String,
    /// Currency; `RUB` when blank.
    pub currency: String,
    /// Needs a sample before sale.
    pub needs_sample: bool,
    /// Description.
    pub description: String,
}

impl ProductInput {
    /// Checks every field and returns the validated product, or every problem found.
    pub fn validate(&self) -> Result<Product, Vec<FieldError>> {
        let mut errors = Errors::new();
        let code = errors.take("code", required_text(&self.code, 50));
        let article = errors
            .take("article", optional_text(&self.article, 50))
            .flatten();
        let name = errors.take("name", required_text(&self.name, NAME_MAX));
        let unit = errors.take(
            "unit",
            if self.unit.trim().is_empty() {
                Err(Problem::Required)
            } else {
                Unit::parse(&self.unit)
            },
        );
        let group_id = errors
            .take("group_id", optional_id(&self.group_id))
            .flatten();
        let vat_rate = errors.take(
            "vat_rate",
            parse_minor(self.vat_rate.trim_end_matches('%'), RATE_SCALE),
        );
        if let Some(rate) = vat_rate
            && rate > 100 * 100
        {
            errors.add("vat_rate", Problem::Range { min: 0, max: 100 });
        }
        let price = errors.take("price", parse_minor(&self.price, MONEY_SCALE));
        let currency = errors
            .take("currency", currency(&self.currency))
            .unwrap_or_default();
        let description = errors
            .take("description", optional_text(&self.description, TEXT_MAX))
            .flatten();
        let (Some(code), Some(name), Some(unit), Some(vat_rate), Some(price)) =
            (code, name, unit, vat_rate, price)
        else {
            return Err(errors.into_vec());
        };
        errors.finish(Product {
            code,
            article,
            name,
            unit,
            group_id,
            vat_rate,
            price,
            currency,
            needs_sample: self.needs_sample,
            description,
        })
    }
}

impl From<&Product> for ProductInput {
    fn from(p: &Product) -> Self {
        ProductInput {
            code: p.code.clone(),
            article: p.article.clone().unwrap_or_default(),
            name: p.name.clone(),
            unit: p.unit.code().into(),
            group_id: p.group_id.map(|id| id.to_string()).unwrap_or_default(),
            vat_rate: crate::decimal::format_plain(p.vat_rate, RATE_SCALE),
            price: crate::decimal::format_plain(p.price, MONEY_SCALE),
            currency: p.currency.clone(),
            needs_sample: p.needs_sample,
            description: p.description.clone().unwrap_or_default(),
        }
    }
}

/// A group of the product tree, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProductGroup {
    /// Name («Стабилизаторы»).
    pub name: String,
    /// Parent group.
    pub parent_id: Option<Uuid>,
}

/// A warehouse, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warehouse {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: WarehouseKind,
    /// Address.
    pub address: Option<String>,
}

/// The stem that marks the office sample store in a warehouse's name in 1C («Склад образцов»,
/// «Образцы»), so that every case form matches.
pub const OFFICE_SAMPLES_MARKER: &str = "образц";

impl Warehouse {
    /// A warehouse first met in 1C under `name`: the office sample store when the name holds
    /// `office_marker` (any case), a shipping warehouse otherwise; no address.
    pub fn named_in_onec(name: &str, office_marker: &str) -> Warehouse {
        let office = name.to_lowercase().contains(&office_marker.to_lowercase());
        Warehouse {
            name: name.to_string(),
            kind: if office {
                WarehouseKind::OfficeSamples
            } else {
                WarehouseKind::Warehouse
            },
            address: None,
        }
    }

    /// Whether this is the warehouse 1C calls `name` (case, spacing and «ё» aside).
    pub fn is_called(&self, name: &str) -> bool {
        crate::text::normalize(&self.name) == crate::text::normalize(name)
    }
}

/// A warehouse as typed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WarehouseInput {
    /// Name.
    pub name: String,
    /// `warehouse` or `office_samples`.
    pub kind: String,
    /// Address.
    pub address: String,
}

impl WarehouseInput {
    /// Checks every field.
    pub fn validate(&self) -> Result<Warehouse, Vec<FieldError>> {
        let mut errors = Errors::new();
        let name = errors.take("name", required_text(&self.name, SHORT_MAX));
        let kind = errors.take(
            "kind",
            if self.kind.trim().is_empty() {
                Err(Problem::Required)
            } else {
                WarehouseKind::parse(&self.kind)
            },
        );
        let address = errors
            .take("address", optional_text(&self.address, TEXT_MAX))
            .flatten();
        let (Some(name), Some(kind)) = (name, kind) else {
            return Err(errors.into_vec());
        };
        errors.finish(Warehouse {
            name,
            kind,
            address,
        })
    }
}

/// Parses an ISO 4217 currency code; blank is `RUB`.
pub fn currency(value: &str) -> Result<String, Problem> {
    let currency = if value.trim().is_empty() {
        "RUB".to_string()
    } else {
        value.trim().to_uppercase()
    };
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(Problem::Length { expected: 3 });
    }
    Ok(currency)
}

/// Parses a stock quantity (thousandths of the unit).
pub fn parse_quantity(text: &str) -> Result<i64, FieldError> {
    parse_minor(text, QUANTITY_SCALE).map_err(|problem| FieldError::new("quantity", problem))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_from_1c_is_recognised_by_its_okei_code_else_by_its_name() {
        assert_eq!(Unit::recognise(Some("166"), "Килограмм"), Some(Unit::Kg));
        assert_eq!(Unit::recognise(Some(" 796 "), ""), Some(Unit::Pcs));
        assert_eq!(Unit::recognise(Some("778"), "упак"), Some(Unit::Pack));
        // The code wins over the name; an unknown code falls back to the name.
        assert_eq!(Unit::recognise(Some("112"), "кг"), Some(Unit::L));
        assert_eq!(Unit::recognise(Some("999"), "Шт."), Some(Unit::Pcs));
        assert_eq!(Unit::recognise(None, "мл"), Some(Unit::Ml));
        assert_eq!(Unit::recognise(None, "kg"), Some(Unit::Kg));
        assert_eq!(Unit::recognise(Some("006"), "метр"), None);
        let codes: std::collections::BTreeSet<_> = Unit::ALL.iter().map(|u| u.okei()).collect();
        assert_eq!(codes.len(), Unit::ALL.len(), "one ОКЕИ code per unit");
    }

    #[test]
    fn a_warehouse_from_1c_is_the_sample_store_when_its_name_says_so() {
        let office = Warehouse::named_in_onec("Склад ОБРАЗЦОВ (офис)", OFFICE_SAMPLES_MARKER);
        assert_eq!(office.kind, WarehouseKind::OfficeSamples);
        assert_eq!(office.name, "Склад ОБРАЗЦОВ (офис)");
        let main = Warehouse::named_in_onec("Основной склад", OFFICE_SAMPLES_MARKER);
        assert_eq!(main.kind, WarehouseKind::Warehouse);
        assert!(main.is_called("  основной   СКЛАД "));
        assert!(!main.is_called("Основной склад 2"));
    }

    #[test]
    fn the_minimal_api_product_validates() {
        let input = ProductInput {
            code: "00-001".into(),
            name: "Крахмал кукурузный".into(),
            unit: "kg".into(),
            vat_rate: "22".into(),
            price: "150,50".into(),
            ..Default::default()
        };
        let product = input.validate().unwrap();
        assert_eq!(
            (product.vat_rate, product.price, product.currency.as_str()),
            (2200, 15050, "RUB")
        );
    }

    #[test]
    fn product_errors_name_their_fields() {
        let input = ProductInput {
            unit: "bucket".into(),
            vat_rate: "120".into(),
            price: "-1".into(),
            ..Default::default()
        };
        let fields: Vec<String> = input
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["code", "name", "unit", "vat_rate", "price"]);
    }

    #[test]
    fn a_warehouse_needs_a_known_kind() {
        let input = WarehouseInput {
            name: "Офис".into(),
            kind: "office".into(),
            ..Default::default()
        };
        assert_eq!(input.validate().unwrap_err()[0].field, "kind");
        let input = WarehouseInput {
            kind: "office_samples".into(),
            ..input
        };
        assert_eq!(input.validate().unwrap().kind, WarehouseKind::OfficeSamples);
    }

    #[test]
    fn quantities_keep_three_decimals() {
        assert_eq!(parse_quantity("12.5"), Ok(12_500));
        assert_eq!(parse_quantity("0,001"), Ok(1));
        assert!(parse_quantity("0,0001").is_err());
    }
}
