//! Mapping profiles: which 1C objects and fields become which Ferment records, as data.
//!
//! Two profiles ship (`profiles/bp30.json` for 1C:Бухгалтерия 3.0, `profiles/ut11.json` for
//! 1C:Управление торговлей 11 / КА 2 / ERP). A connection may carry an administrator's changes: a
//! JSON merge patch (RFC 7396) applied over the shipped profile ([`Profile::with_changes`]), checked by
//! reading the result back into [`Profile`].

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{OnecError, OnecResult};

/// A whole mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// `bp30` or `ut11`.
    pub code: String,
    /// The organisations catalog (the first one is used on pushed documents).
    pub organizations: String,
    /// The currencies catalog (the one with code `643` is used).
    pub currencies: String,
    /// Units of measure.
    pub units: SetOnly,
    /// ОКЕИ code → Ferment unit code, for codes beyond the built-in table ([`Unit::okei`]) or to
    /// read one differently; empty in the shipped profiles.
    ///
    /// [`Unit::okei`]: ferment_domain::catalog::Unit::okei
    #[serde(default)]
    pub unit_codes: BTreeMap<String, String>,
    /// 1C VAT rate value → rate in hundredths of a percent.
    pub vat: BTreeMap<String, i64>,
    /// Nomenclature.
    pub products: Products,
    /// Price types.
    pub price_types: PriceTypes,
    /// Prices (a periodic information register read through `SliceLast`).
    pub prices: Prices,
    /// Warehouses.
    pub warehouses: Warehouses,
    /// Stock (a register read through `Balance`).
    pub stock: Stock,
    /// Counterparties.
    pub counterparties: Counterparties,
    /// Partners (УТ 11: a counterparty belongs to a partner).
    #[serde(default)]
    pub partners: Option<Partners>,
    /// Banks (by БИК).
    pub banks: Banks,
    /// Counterparties' bank accounts.
    pub bank_accounts: BankAccounts,
    /// Contracts.
    pub contracts: Contracts,
    /// Documents read from 1C.
    pub documents: Vec<Document>,
    /// Payment state of invoices kept in an information register (БП 3.0).
    #[serde(default)]
    pub payment_status: Option<PaymentStatus>,
    /// How a counterparty is written to 1C.
    pub push_counterparty: PushCounterparty,
    /// How a won sale's order or invoice is written to 1C.
    pub push_order: PushOrder,
}

/// Just an entity set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetOnly {
    /// Entity set.
    pub set: String,
}

/// Nomenclature fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Products {
    /// Entity set.
    pub set: String,
    /// Code.
    pub code: String,
    /// Article.
    pub article: String,
    /// Short name.
    pub name: String,
    /// Full name.
    pub full_name: String,
    /// Unit reference.
    pub unit: String,
    /// VAT rate (enumeration value).
    pub vat: String,
    /// Comment (becomes the description).
    pub comment: String,
    /// A boolean field that, when true, keeps the item out (services in БП 3.0).
    #[serde(default)]
    pub skip_when: Option<String>,
}

/// Price types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceTypes {
    /// Entity set.
    pub set: String,
    /// The price type whose prices become the products' base prices (by `Description`).
    pub name: String,
}

/// Prices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prices {
    /// Entity set (periodic information register).
    pub set: String,
    /// Price type reference.
    pub price_type: String,
    /// Product reference.
    pub product: String,
    /// Price.
    pub price: String,
}

/// Warehouses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Warehouses {
    /// Entity set.
    pub set: String,
    /// A warehouse whose name contains this (case-insensitive) is the office sample store.
    pub office_marker: String,
}

/// The account a stock balance is read on (accounting registers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// Chart of accounts entity set.
    pub set: String,
    /// The account code (`41.01`).
    pub code: String,
    /// The account field of the balance rows.
    pub field: String,
}

/// Stock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stock {
    /// Register entity set (its `Balance` is read).
    pub set: String,
    /// `Dimensions=` argument of `Balance`, when the register has more dimensions than needed.
    #[serde(default)]
    pub dimensions: Option<String>,
    /// Product field of a balance row (a `_Key` or a composite value).
    pub product: String,
    /// Warehouse field of a balance row.
    pub warehouse: String,
    /// Quantity resource.
    pub quantity: String,
    /// For accounting registers: the account to read.
    #[serde(default)]
    pub account: Option<Account>,
}

/// A tabular section holding contact information.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactInfo {
    /// Tabular section.
    pub section: String,
    /// Type field (`Адрес`, `Телефон`, `АдресЭлектроннойПочты`, `ВебСтраница`).
    #[serde(rename = "type")]
    pub kind: String,
    /// Presentation field.
    pub text: String,
}

/// Counterparties.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counterparties {
    /// Entity set.
    pub set: String,
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
    /// Legal form field.
    pub kind: String,
    /// Legal form value → Ferment kind (`legal_entity`, `sole_proprietor`).
    pub kinds: BTreeMap<String, String>,
    /// Comment.
    pub comment: String,
    /// Partner reference (УТ 11).
    #[serde(default)]
    pub partner: Option<String>,
    /// Contact information.
    #[serde(default)]
    pub contact_info: Option<ContactInfo>,
}

/// Partners.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Partners {
    /// Entity set.
    pub set: String,
    /// The "is a client" flag set on partners Ferment creates.
    pub client_flag: String,
}

/// Banks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Banks {
    /// Entity set.
    pub set: String,
    /// БИК.
    pub bik: String,
    /// Name.
    pub name: String,
    /// Correspondent account.
    pub correspondent_account: String,
}

/// Bank accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankAccounts {
    /// Entity set.
    pub set: String,
    /// Owner (a `_Key` or a composite value).
    pub owner: String,
    /// Account number.
    pub number: String,
    /// Bank reference.
    pub bank: String,
}

/// Contracts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contracts {
    /// Entity set.
    pub set: String,
    /// Counterparty reference.
    pub owner: String,
    /// Number.
    pub number: String,
    /// Date.
    pub date: String,
}

/// Lines of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lines {
    /// Tabular section.
    pub section: String,
    /// Product (a `_Key`, or a composite value).
    pub product: String,
    /// The `_Type` written with a composite product.
    #[serde(default)]
    pub product_type: Option<String>,
    /// Quantity.
    pub quantity: String,
    /// Price.
    pub price: String,
    /// Amount.
    pub amount: String,
    /// VAT rate.
    pub vat: String,
    /// VAT amount.
    pub vat_amount: String,
    /// Amount with VAT, when the section has it.
    #[serde(default)]
    pub total: Option<String>,
}

/// Rows of a payment saying which document it pays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allocations {
    /// Tabular section.
    pub section: String,
    /// The paid document (composite).
    pub document: String,
    /// Amount.
    pub amount: String,
}

/// A document kind read from 1C.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// `order`, `invoice`, `payment` or `shipment`.
    pub kind: String,
    /// Entity set.
    pub set: String,
    /// Counterparty reference.
    pub counterparty: String,
    /// Document total.
    pub amount: String,
    /// Status field.
    #[serde(default)]
    pub status: Option<String>,
    /// The document this one is based on / ships (a composite or `_Key`).
    #[serde(default)]
    pub based_on: Option<String>,
    /// Comment.
    #[serde(default)]
    pub comment: Option<String>,
    /// Goods.
    #[serde(default)]
    pub lines: Option<Lines>,
    /// Payment rows.
    #[serde(default)]
    pub allocations: Option<Allocations>,
}

/// Invoice payment state in an information register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentStatus {
    /// Entity set.
    pub set: String,
    /// The document (composite).
    pub document: String,
    /// The status.
    pub status: String,
    /// The value meaning paid.
    pub paid: String,
    /// The value meaning partly paid.
    pub partly: String,
}

/// How counterparties are written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushCounterparty {
    /// Ferment kind → 1C legal form value.
    pub kind_values: BTreeMap<String, String>,
}

/// A fixed value written into a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldValue {
    /// Field.
    pub field: String,
    /// Value.
    pub value: String,
}

/// How an order (or the invoice that stands for it) is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushOrder {
    /// `order` or `invoice`: what the document is in Ferment's terms.
    pub kind: String,
    /// Entity set.
    pub set: String,
    /// Organisation reference.
    pub organization: String,
    /// Counterparty reference.
    pub counterparty: String,
    /// Partner reference (УТ 11).
    #[serde(default)]
    pub partner: Option<String>,
    /// Contract reference (the counterparty's first contract, when any).
    #[serde(default)]
    pub contract: Option<String>,
    /// Currency reference.
    pub currency: String,
    /// Warehouse reference (the first shipping warehouse).
    #[serde(default)]
    pub warehouse: Option<String>,
    /// "Prices include VAT" flag (Ferment's prices do).
    pub vat_included: String,
    /// Document total.
    pub amount: String,
    /// Comment (carries Ferment's marker, so a resent order is found instead of duplicated).
    pub comment: String,
    /// A status to set.
    #[serde(default)]
    pub status: Option<FieldValue>,
    /// Goods.
    pub lines: Lines,
}

const BP30: &str = include_str!("../profiles/bp30.json");
const UT11: &str = include_str!("../profiles/ut11.json");

impl Profile {
    /// The shipped profile's JSON.
    pub fn shipped_json(code: ferment_domain::onec::Profile) -> Value {
        let text = match code {
            ferment_domain::onec::Profile::Bp30 => BP30,
            ferment_domain::onec::Profile::Ut11 => UT11,
        };
        serde_json::from_str(text).expect("shipped profiles are valid JSON (tested)")
    }

    /// The shipped profile with an administrator's changes (a JSON merge patch) applied.
    pub fn with_changes(
        code: ferment_domain::onec::Profile,
        changes: &Value,
    ) -> OnecResult<Profile> {
        let mut json = Profile::shipped_json(code);
        if !changes.is_null() {
            merge_patch(&mut json, changes);
        }
        serde_json::from_value(json)
            .map_err(|e| OnecError::Config(format!("the mapping is not valid: {e}")))
    }

    /// Every entity set and field this profile reads or writes, to check against `$metadata`.
    pub fn requirements(&self) -> BTreeMap<String, BTreeSet<String>> {
        let mut needs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut need = |set: &str, fields: &[&str]| {
            let entry = needs.entry(set.to_string()).or_default();
            for field in fields {
                entry.insert((*field).to_string());
            }
        };
        need(&self.organizations, &["Ref_Key"]);
        need(&self.currencies, &["Ref_Key", "Code"]);
        need(&self.units.set, &["Ref_Key", "Code", "Description"]);
        let p = &self.products;
        let mut product_fields = vec![
            "Ref_Key",
            "DataVersion",
            "DeletionMark",
            "IsFolder",
            "Parent_Key",
            p.code.as_str(),
            &p.article,
            &p.name,
            &p.full_name,
            &p.unit,
            &p.vat,
            &p.comment,
        ];
        if let Some(skip) = &p.skip_when {
            product_fields.push(skip);
        }
        need(&p.set, &product_fields);
        need(&self.price_types.set, &["Ref_Key", "Description"]);
        need(
            &self.prices.set,
            &[
                &self.prices.price_type,
                &self.prices.product,
                &self.prices.price,
            ],
        );
        need(
            &self.warehouses.set,
            &["Ref_Key", "DataVersion", "Description"],
        );
        need(&self.stock.set, &[]);
        if let Some(account) = &self.stock.account {
            need(&account.set, &["Ref_Key", "Code"]);
        }
        let c = &self.counterparties;
        let mut fields = vec![
            "Ref_Key",
            "DataVersion",
            "DeletionMark",
            c.name.as_str(),
            &c.full_name,
            &c.inn,
            &c.kpp,
            &c.ogrn,
            &c.kind,
            &c.comment,
        ];
        if let Some(partner) = &c.partner {
            fields.push(partner);
        }
        if let Some(info) = &c.contact_info {
            fields.push(&info.section);
        }
        need(&c.set, &fields);
        if let Some(partners) = &self.partners {
            need(
                &partners.set,
                &["Ref_Key", "Description", &partners.client_flag],
            );
        }
        let b = &self.banks;
        need(
            &b.set,
            &["Ref_Key", &b.bik, &b.name, &b.correspondent_account],
        );
        let a = &self.bank_accounts;
        need(&a.set, &["Ref_Key", &a.owner, &a.number, &a.bank]);
        let k = &self.contracts;
        need(
            &k.set,
            &["Ref_Key", "DataVersion", &k.owner, &k.number, &k.date],
        );
        for document in &self.documents {
            let mut fields = vec![
                "Ref_Key",
                "DataVersion",
                "DeletionMark",
                "Number",
                "Date",
                "Posted",
                document.counterparty.as_str(),
                &document.amount,
            ];
            for field in [&document.status, &document.based_on, &document.comment]
                .into_iter()
                .flatten()
            {
                fields.push(field);
            }
            if let Some(lines) = &document.lines {
                fields.push(&lines.section);
            }
            if let Some(allocations) = &document.allocations {
                fields.push(&allocations.section);
            }
            need(&document.set, &fields);
        }
        if let Some(status) = &self.payment_status {
            need(&status.set, &[&status.document, &status.status]);
        }
        let o = &self.push_order;
        let mut fields = vec![
            "Ref_Key",
            o.organization.as_str(),
            &o.counterparty,
            &o.currency,
            &o.vat_included,
            &o.amount,
            &o.comment,
            &o.lines.section,
        ];
        for field in [&o.partner, &o.contract, &o.warehouse]
            .into_iter()
            .flatten()
        {
            fields.push(field);
        }
        if let Some(status) = &o.status {
            fields.push(&status.field);
        }
        need(&o.set, &fields);
        needs
    }

    /// The 1C VAT value for a rate in hundredths of a percent (the first one listed for it).
    pub fn vat_value(&self, rate: i64) -> Option<&str> {
        // Prefer the value named after the rate (НДС22 over БезНДС for 0 would be wrong: НДС0 first).
        self.vat
            .iter()
            .filter(|(_, r)| **r == rate)
            .map(|(name, _)| name.as_str())
            .min_by_key(|name| !name.starts_with("НДС"))
    }
}

/// RFC 7396: objects merge key by key, `null` removes, anything else replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    let Value::Object(target) = target else {
        return;
    };
    for (key, value) in patch {
        if value.is_null() {
            target.remove(key);
        } else {
            merge_patch(target.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferment_domain::onec::Profile as Code;

    #[test]
    fn both_shipped_profiles_read_and_name_their_sets() {
        for code in Code::ALL {
            let profile =
                Profile::with_changes(*code, &Value::Null).expect("shipped profile reads");
            assert_eq!(profile.code, code.code());
            let needs = profile.requirements();
            assert!(needs.contains_key("Catalog_Номенклатура"));
            assert!(needs.contains_key("Catalog_Контрагенты"));
        }
        let ut = Profile::with_changes(Code::Ut11, &Value::Null).expect("ut11");
        assert!(ut.requirements().contains_key("Document_ЗаказКлиента"));
        assert!(
            ut.requirements()
                .contains_key("AccumulationRegister_ТоварыНаСкладах")
        );
        let bp = Profile::with_changes(Code::Bp30, &Value::Null).expect("bp30");
        assert!(
            bp.requirements()
                .contains_key("InformationRegister_СтатусыДокументов")
        );
        assert_eq!(bp.vat_value(2200), Some("НДС22"));
        assert_eq!(bp.vat_value(0), Some("НДС0"));
    }

    #[test]
    fn an_administrator_changes_a_field_and_a_wrong_change_is_refused() {
        let changes = serde_json::json!({"products": {"article": "КодПоставщика"}, "price_types": {"name": "Розничная"}});
        let profile = Profile::with_changes(Code::Ut11, &changes).expect("changed");
        assert_eq!(profile.products.article, "КодПоставщика");
        assert_eq!(profile.price_types.name, "Розничная");
        assert_eq!(profile.products.name, "Description", "the rest is kept");
        let wrong = serde_json::json!({"products": {"set": null}});
        assert!(Profile::with_changes(Code::Ut11, &wrong).is_err());
        let unknown = serde_json::json!({"products": {"colour": "x"}});
        assert!(Profile::with_changes(Code::Ut11, &unknown).is_err());
    }
}
