//! The company's own requisites — the supplier on every document: name, ИНН/КПП/ОГРН, addresses,
//! the bank account documents print, and who signs. Checked with the same control digits as a
//! client's ([`crate::counterparty`]).

use serde::{Deserialize, Serialize};

use crate::counterparty::{BankAccount, BankAccountInput, CounterpartyInput, CounterpartyKind};
use crate::validation::{Errors, FieldError, optional_text};

/// The company's requisites, validated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Company {
    /// `legal_entity` or `sole_proprietor`.
    pub kind: String,
    /// Short name.
    pub name: String,
    /// Full name.
    pub full_name: Option<String>,
    /// ИНН.
    pub inn: Option<String>,
    /// КПП.
    pub kpp: Option<String>,
    /// ОГРН or ОГРНИП.
    pub ogrn: Option<String>,
    /// Legal address.
    pub legal_address: Option<String>,
    /// Actual address.
    pub actual_address: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Web site.
    pub site: Option<String>,
    /// The bank account documents print.
    pub bank: Option<BankAccount>,
    /// Director's full name.
    pub director_name: Option<String>,
    /// Director's position («Генеральный директор»).
    pub director_position: Option<String>,
    /// Chief accountant's full name.
    pub accountant_name: Option<String>,
    /// Chief accountant's position.
    pub accountant_position: Option<String>,
}

/// The company's requisites as typed into the form or sent to the API.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CompanyInput {
    /// `legal_entity` (default) or `sole_proprietor`.
    pub kind: String,
    /// Short name (required).
    pub name: String,
    /// Full name.
    pub full_name: String,
    /// ИНН.
    pub inn: String,
    /// КПП.
    pub kpp: String,
    /// ОГРН or ОГРНИП.
    pub ogrn: String,
    /// Legal address.
    pub legal_address: String,
    /// Actual address.
    pub actual_address: String,
    /// Phone.
    pub phone: String,
    /// Email.
    pub email: String,
    /// Web site.
    pub site: String,
    /// БИК of the bank.
    pub bik: String,
    /// Bank name.
    pub bank_name: String,
    /// Correspondent account.
    pub correspondent_account: String,
    /// Settlement account.
    pub account: String,
    /// Director's full name.
    pub director_name: String,
    /// Director's position.
    pub director_position: String,
    /// Chief accountant's full name.
    pub accountant_name: String,
    /// Chief accountant's position.
    pub accountant_position: String,
}

const NAME_MAX: usize = 300;

impl CompanyInput {
    /// The input that shows a stored company in the form.
    pub fn from_company(company: &Company) -> Self {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let bank = company.bank.clone();
        CompanyInput {
            kind: company.kind.clone(),
            name: company.name.clone(),
            full_name: text(&company.full_name),
            inn: text(&company.inn),
            kpp: text(&company.kpp),
            ogrn: text(&company.ogrn),
            legal_address: text(&company.legal_address),
            actual_address: text(&company.actual_address),
            phone: text(&company.phone),
            email: text(&company.email),
            site: text(&company.site),
            bik: bank.as_ref().map(|b| b.bik.clone()).unwrap_or_default(),
            bank_name: bank
                .as_ref()
                .map(|b| b.bank_name.clone())
                .unwrap_or_default(),
            correspondent_account: bank
                .as_ref()
                .and_then(|b| b.correspondent_account.clone())
                .unwrap_or_default(),
            account: bank.map(|b| b.account).unwrap_or_default(),
            director_name: text(&company.director_name),
            director_position: text(&company.director_position),
            accountant_name: text(&company.accountant_name),
            accountant_position: text(&company.accountant_position),
        }
    }

    /// Checks every field (control digits included) and returns the company or every problem,
    /// each named by this input's field (`inn`, `bik`, `account`, …).
    pub fn validate(&self) -> Result<Company, Vec<FieldError>> {
        let bank = BankAccountInput {
            bik: self.bik.clone(),
            bank_name: self.bank_name.clone(),
            correspondent_account: self.correspondent_account.clone(),
            account: self.account.clone(),
        };
        let has_bank = bank != BankAccountInput::default();
        let as_counterparty = CounterpartyInput {
            kind: self.kind.clone(),
            name: self.name.clone(),
            full_name: self.full_name.clone(),
            inn: self.inn.clone(),
            kpp: self.kpp.clone(),
            ogrn: self.ogrn.clone(),
            legal_address: self.legal_address.clone(),
            actual_address: self.actual_address.clone(),
            bank_accounts: if has_bank { vec![bank] } else { Vec::new() },
            phone: self.phone.clone(),
            email: self.email.clone(),
            site: self.site.clone(),
            ..CounterpartyInput::default()
        };
        let mut errors = Errors::new();
        let validated = match as_counterparty.validate() {
            Ok(counterparty) => Some(counterparty),
            Err(found) => {
                for error in found {
                    let field = error
                        .field
                        .strip_prefix("bank_accounts[0].")
                        .map(str::to_owned)
                        .unwrap_or(error.field);
                    errors.add(field, error.problem);
                }
                None
            }
        };
        let person = |errors: &mut Errors, field: &str, value: &str| {
            errors.take(field, optional_text(value, NAME_MAX)).flatten()
        };
        let director_name = person(&mut errors, "director_name", &self.director_name);
        let director_position = person(&mut errors, "director_position", &self.director_position);
        let accountant_name = person(&mut errors, "accountant_name", &self.accountant_name);
        let accountant_position = person(
            &mut errors,
            "accountant_position",
            &self.accountant_position,
        );
        let Some(counterparty) = validated else {
            return Err(errors.into_vec());
        };
        errors.finish(Company {
            kind: match counterparty.kind {
                CounterpartyKind::SoleProprietor => "sole_proprietor".to_owned(),
                _ => "legal_entity".to_owned(),
            },
            name: counterparty.name,
            full_name: counterparty.full_name,
            inn: counterparty.inn,
            kpp: counterparty.kpp,
            ogrn: counterparty.ogrn,
            legal_address: counterparty.legal_address,
            actual_address: counterparty.actual_address,
            phone: counterparty.phone,
            email: counterparty.email,
            site: counterparty.site,
            bank: counterparty.bank_accounts.into_iter().next(),
            director_name,
            director_position,
            accountant_name,
            accountant_position,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> CompanyInput {
        CompanyInput {
            name: "ООО «Ферментум»".into(),
            inn: "7707083893".into(),
            kpp: "770701001".into(),
            ogrn: "1027700132195".into(),
            bik: "044525225".into(),
            bank_name: "ПАО СБЕРБАНК".into(),
            correspondent_account: "30101810400000000225".into(),
            account: "40702810938000012345".into(),
            director_name: "Соколов Андрей Викторович".into(),
            ..CompanyInput::default()
        }
    }

    #[test]
    fn valid_requisites_pass_and_round_trip_through_the_form() {
        let company = valid().validate().expect("valid");
        assert_eq!(company.kind, "legal_entity");
        assert_eq!(
            company.bank.as_ref().map(|b| b.bik.as_str()),
            Some("044525225")
        );
        let again = CompanyInput::from_company(&company)
            .validate()
            .expect("valid");
        assert_eq!(again, company);
    }

    #[test]
    fn control_digits_are_checked_and_named_by_the_form_field() {
        let mut input = valid();
        input.inn = "7707083890".into();
        input.account = "40702810938000012346".into();
        input.name = String::new();
        let errors = input.validate().expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"inn"), "{fields:?}");
        assert!(fields.contains(&"account"), "{fields:?}");
        assert!(fields.contains(&"name"), "{fields:?}");
    }
}
