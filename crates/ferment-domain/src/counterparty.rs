//! Counterparties: the clients a supplier sells to, with their validated requisites.
//!
//! [`CounterpartyInput`] is what a user typed (every field a string, so a form can be shown again
//! exactly as typed); [`CounterpartyInput::validate`] turns it into a [`Counterparty`] draft or lists
//! every field that is wrong. Whether the referenced territory and owner exist is checked by the use
//! case, which can see the database.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::coded_enum;
use crate::requisites::{
    validate_bik, validate_correspondent_account, validate_inn_legal, validate_inn_person,
    validate_kpp, validate_ogrn, validate_ogrnip, validate_settlement_account,
};
use crate::validation::{
    Errors, FieldError, Problem, optional_text, required_text, validate_email,
};

coded_enum! {
    /// Legal form: an organisation or a sole proprietor (ИП).
    pub enum CounterpartyKind {
        /// Юридическое лицо.
        LegalEntity => ("legal_entity", "Юридическое лицо", "Legal entity"),
        /// Индивидуальный предприниматель.
        SoleProprietor => ("sole_proprietor", "Индивидуальный предприниматель", "Sole proprietor"),
    }
}

coded_enum! {
    /// ABC segment: how much the client matters (sets contact plans later).
    pub enum Segment {
        /// Key clients.
        A => ("A", "A — ключевой", "A — key"),
        /// Regular clients.
        B => ("B", "B — основной", "B — regular"),
        /// Small clients.
        C => ("C", "C — малый", "C — small"),
    }
}

coded_enum! {
    /// The client's branch of the food industry.
    pub enum Industry {
        /// Dairy.
        Dairy => ("dairy", "Молочная промышленность", "Dairy"),
        /// Bakery.
        Bakery => ("bakery", "Хлебопечение", "Bakery"),
        /// Confectionery.
        Confectionery => ("confectionery", "Кондитерская промышленность", "Confectionery"),
        /// Meat processing.
        Meat => ("meat", "Мясопереработка", "Meat processing"),
        /// Beverages.
        Beverages => ("beverages", "Напитки", "Beverages"),
        /// Ice cream.
        IceCream => ("ice_cream", "Мороженое", "Ice cream"),
        /// Fish processing.
        Fish => ("fish", "Рыбопереработка", "Fish processing"),
        /// Fats and oils, sauces.
        FatsAndSauces => ("fats_sauces", "Масложировая продукция и соусы", "Fats, oils and sauces"),
        /// Ready meals and food service.
        ReadyMeals => ("ready_meals", "Готовая еда", "Ready meals"),
        /// Distribution.
        Distribution => ("distribution", "Дистрибуция", "Distribution"),
        /// Anything else.
        Other => ("other", "Другое", "Other"),
    }
}

/// Longest name the database and the pages are built for.
pub const NAME_MAX: usize = 200;
/// Longest free text (addresses, notes).
pub const TEXT_MAX: usize = 4000;
/// Longest short text (phone, site, tag, bank name).
pub const SHORT_MAX: usize = 200;

/// A bank account of a counterparty, as validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankAccount {
    /// БИК, nine digits.
    pub bik: String,
    /// The bank's name.
    pub bank_name: String,
    /// Корреспондентский счёт, twenty digits keyed with the БИК (absent for the Bank of Russia's own).
    pub correspondent_account: Option<String>,
    /// Расчётный счёт, twenty digits keyed with the БИК.
    pub account: String,
}

/// A counterparty's editable state, validated. Serialised in API form for the change history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Counterparty {
    /// Legal form.
    pub kind: CounterpartyKind,
    /// Short name, as people call the client («Молзавод „Вятушка“»).
    pub name: String,
    /// Full registered name.
    pub full_name: Option<String>,
    /// ИНН (10 digits for a legal entity, 12 for a sole proprietor).
    pub inn: Option<String>,
    /// КПП (legal entities only).
    pub kpp: Option<String>,
    /// ОГРН (13 digits) or ОГРНИП (15 digits).
    pub ogrn: Option<String>,
    /// Registered (legal) address.
    pub legal_address: Option<String>,
    /// Actual (postal, delivery) address.
    pub actual_address: Option<String>,
    /// Bank accounts.
    pub bank_accounts: Vec<BankAccount>,
    /// Branch of the food industry.
    pub industry: Option<Industry>,
    /// ABC segment.
    pub segment: Option<Segment>,
    /// Territory (a region, district or country).
    pub territory_id: Option<Uuid>,
    /// The user responsible for the client.
    pub owner_id: Option<Uuid>,
    /// Main phone.
    pub phone: Option<String>,
    /// Main e-mail.
    pub email: Option<String>,
    /// Web site.
    pub site: Option<String>,
    /// Free tags.
    pub tags: Vec<String>,
    /// Notes.
    pub notes: Option<String>,
}

/// A bank account as typed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BankAccountInput {
    /// БИК.
    pub bik: String,
    /// Bank name.
    pub bank_name: String,
    /// Correspondent account.
    pub correspondent_account: String,
    /// Settlement account.
    pub account: String,
}

/// A counterparty as typed into a form or sent to the API: every field text, nothing checked yet.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CounterpartyInput {
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
    /// ОГРН or ОГРНИП.
    pub ogrn: String,
    /// Legal address.
    pub legal_address: String,
    /// Actual address.
    pub actual_address: String,
    /// Bank accounts.
    pub bank_accounts: Vec<BankAccountInput>,
    /// Industry code.
    pub industry: String,
    /// Segment code.
    pub segment: String,
    /// Territory id.
    pub territory_id: String,
    /// Owner id.
    pub owner_id: String,
    /// Phone.
    pub phone: String,
    /// E-mail.
    pub email: String,
    /// Site.
    pub site: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Notes.
    pub notes: String,
}

/// Parses an optional id typed as text.
pub fn optional_id(value: &str) -> Result<Option<Uuid>, Problem> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    Uuid::parse_str(trimmed)
        .map(Some)
        .map_err(|_| Problem::Uuid)
}

/// Parses an optional code of a closed list.
pub fn optional_code<T>(
    value: &str,
    parse: fn(&str) -> Result<T, Problem>,
) -> Result<Option<T>, Problem> {
    if value.trim().is_empty() {
        Ok(None)
    } else {
        parse(value).map(Some)
    }
}

/// Strips the spaces people paste into numbers («7707 083 893»).
fn compact(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect()
}

fn checked_number(
    errors: &mut Errors,
    field: &str,
    value: &str,
    check: impl Fn(&str) -> Result<(), Problem>,
) -> Option<String> {
    let value = compact(value);
    if value.is_empty() {
        return None;
    }
    errors.check(field, check(&value));
    Some(value)
}

impl CounterpartyInput {
    /// Checks every field and returns the validated counterparty, or every problem found.
    pub fn validate(&self) -> Result<Counterparty, Vec<FieldError>> {
        let mut errors = Errors::new();
        let kind = errors.take(
            "kind",
            CounterpartyKind::parse(if self.kind.trim().is_empty() {
                "legal_entity"
            } else {
                &self.kind
            }),
        );
        let name = errors.take("name", required_text(&self.name, NAME_MAX));
        let full_name = errors
            .take("full_name", optional_text(&self.full_name, 500))
            .flatten();
        let sole = kind == Some(CounterpartyKind::SoleProprietor);
        let inn = checked_number(&mut errors, "inn", &self.inn, |v| {
            if sole {
                validate_inn_person(v)
            } else {
                validate_inn_legal(v)
            }
        });
        let kpp = compact(&self.kpp).to_uppercase();
        let kpp = if kpp.is_empty() {
            None
        } else if sole {
            errors.add("kpp", Problem::KppNotForSoleProprietor);
            None
        } else {
            errors.check("kpp", validate_kpp(&kpp));
            Some(kpp)
        };
        let ogrn = checked_number(&mut errors, "ogrn", &self.ogrn, |v| {
            if sole {
                validate_ogrnip(v)
            } else {
                validate_ogrn(v)
            }
        });
        let legal_address = errors
            .take(
                "legal_address",
                optional_text(&self.legal_address, TEXT_MAX),
            )
            .flatten();
        let actual_address = errors
            .take(
                "actual_address",
                optional_text(&self.actual_address, TEXT_MAX),
            )
            .flatten();
        let bank_accounts = self
            .bank_accounts
            .iter()
            .enumerate()
            .filter(|(_, account)| **account != BankAccountInput::default())
            .filter_map(|(index, account)| {
                account.validate(&mut errors, &format!("bank_accounts[{index}]"))
            })
            .collect();
        let industry = errors
            .take("industry", optional_code(&self.industry, Industry::parse))
            .flatten();
        let segment = errors
            .take("segment", optional_code(&self.segment, Segment::parse))
            .flatten();
        let territory_id = errors
            .take("territory_id", optional_id(&self.territory_id))
            .flatten();
        let owner_id = errors
            .take("owner_id", optional_id(&self.owner_id))
            .flatten();
        let phone = errors
            .take("phone", optional_text(&self.phone, SHORT_MAX))
            .flatten();
        let email = errors
            .take("email", optional_text(&self.email, 254))
            .flatten();
        if let Some(email) = &email {
            errors.check("email", validate_email(email));
        }
        let site = errors
            .take("site", optional_text(&self.site, SHORT_MAX))
            .flatten();
        let mut tags = Vec::new();
        for (index, tag) in self.tags.iter().enumerate() {
            if let Some(tag) = errors
                .take(format!("tags[{index}]"), optional_text(tag, 60))
                .flatten()
                && !tags.contains(&tag)
            {
                tags.push(tag);
            }
        }
        let notes = errors
            .take("notes", optional_text(&self.notes, TEXT_MAX))
            .flatten();
        let (Some(kind), Some(name)) = (kind, name) else {
            return Err(errors.into_vec());
        };
        errors.finish(Counterparty {
            kind,
            name,
            full_name,
            inn,
            kpp,
            ogrn,
            legal_address,
            actual_address,
            bank_accounts,
            industry,
            segment,
            territory_id,
            owner_id,
            phone,
            email,
            site,
            tags,
            notes,
        })
    }
}

impl BankAccountInput {
    fn validate(&self, errors: &mut Errors, prefix: &str) -> Option<BankAccount> {
        let before = errors.len();
        let bik = compact(&self.bik);
        if bik.is_empty() {
            errors.add(format!("{prefix}.bik"), Problem::Required);
        } else {
            errors.check(format!("{prefix}.bik"), validate_bik(&bik));
        }
        let bank_name = errors.take(
            format!("{prefix}.bank_name"),
            required_text(&self.bank_name, SHORT_MAX),
        );
        let bik_ok = validate_bik(&bik).is_ok();
        let correspondent = compact(&self.correspondent_account);
        if !correspondent.is_empty() && bik_ok {
            errors.check(
                format!("{prefix}.correspondent_account"),
                validate_correspondent_account(&bik, &correspondent),
            );
        }
        let account = compact(&self.account);
        if account.is_empty() {
            errors.add(format!("{prefix}.account"), Problem::Required);
        } else if bik_ok {
            errors.check(
                format!("{prefix}.account"),
                validate_settlement_account(&bik, &account),
            );
        }
        if errors.len() != before {
            return None;
        }
        Some(BankAccount {
            bik,
            bank_name: bank_name.unwrap_or_default(),
            correspondent_account: (!correspondent.is_empty()).then_some(correspondent),
            account,
        })
    }
}

impl From<&Counterparty> for CounterpartyInput {
    fn from(c: &Counterparty) -> Self {
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        CounterpartyInput {
            kind: c.kind.code().into(),
            name: c.name.clone(),
            full_name: text(&c.full_name),
            inn: text(&c.inn),
            kpp: text(&c.kpp),
            ogrn: text(&c.ogrn),
            legal_address: text(&c.legal_address),
            actual_address: text(&c.actual_address),
            bank_accounts: c
                .bank_accounts
                .iter()
                .map(|account| BankAccountInput {
                    bik: account.bik.clone(),
                    bank_name: account.bank_name.clone(),
                    correspondent_account: text(&account.correspondent_account),
                    account: account.account.clone(),
                })
                .collect(),
            industry: c.industry.map(|i| i.code().into()).unwrap_or_default(),
            segment: c.segment.map(|s| s.code().into()).unwrap_or_default(),
            territory_id: c.territory_id.map(|id| id.to_string()).unwrap_or_default(),
            owner_id: c.owner_id.map(|id| id.to_string()).unwrap_or_default(),
            phone: text(&c.phone),
            email: text(&c.email),
            site: text(&c.site),
            tags: c.tags.clone(),
            notes: text(&c.notes),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sberbank() -> CounterpartyInput {
        CounterpartyInput {
            kind: "legal_entity".into(),
            name: "Сбербанк".into(),
            inn: "7707083893".into(),
            kpp: "773601001".into(),
            ogrn: "1027700132195".into(),
            bank_accounts: vec![BankAccountInput {
                bik: "044525225".into(),
                bank_name: "ПАО Сбербанк".into(),
                correspondent_account: "30101810400000000225".into(),
                account: crate::requisites::settlement_account_with_key(
                    "044525225",
                    "40702810000000000001",
                ),
            }],
            segment: "A".into(),
            industry: "dairy".into(),
            ..Default::default()
        }
    }

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_real_company_validates_and_spaces_in_numbers_are_ignored() {
        let mut input = sberbank();
        input.inn = "7707 083 893".into();
        let counterparty = input.validate().unwrap();
        assert_eq!(counterparty.inn.as_deref(), Some("7707083893"));
        assert_eq!(counterparty.segment, Some(Segment::A));
        assert_eq!(counterparty.bank_accounts.len(), 1);
    }

    #[test]
    fn every_wrong_field_is_reported_at_once() {
        let mut input = sberbank();
        input.name = " ".into();
        input.inn = "7707083894".into();
        input.kpp = "77360100".into();
        input.segment = "D".into();
        input.email = "not-an-email".into();
        input.bank_accounts[0].account = "40702810000000000001".into();
        let errors = fields(input.validate().unwrap_err());
        assert_eq!(
            errors,
            vec![
                "name",
                "inn",
                "kpp",
                "bank_accounts[0].account",
                "segment",
                "email"
            ]
        );
    }

    #[test]
    fn a_sole_proprietor_has_a_twelve_digit_inn_an_ogrnip_and_no_kpp() {
        let input = CounterpartyInput {
            kind: "sole_proprietor".into(),
            name: "ИП Петров".into(),
            inn: "500100732259".into(),
            ogrn: "304500116000157".into(),
            kpp: "773601001".into(),
            ..Default::default()
        };
        assert_eq!(fields(input.validate().unwrap_err()), vec!["kpp"]);
        let input = CounterpartyInput {
            kpp: String::new(),
            ..input
        };
        assert!(input.validate().is_ok());
        let input = CounterpartyInput {
            inn: "7707083893".into(),
            ..input
        };
        assert_eq!(
            input.validate().unwrap_err()[0].problem,
            Problem::Length { expected: 12 }
        );
    }

    #[test]
    fn an_unknown_kind_names_the_allowed_ones() {
        let input = CounterpartyInput {
            kind: "company".into(),
            ..sberbank()
        };
        let errors = input.validate().unwrap_err();
        assert_eq!(errors[0].field, "kind");
        assert!(
            matches!(&errors[0].problem, Problem::NotAllowed { allowed } if allowed.len() == 2)
        );
    }

    #[test]
    fn a_validated_counterparty_round_trips_through_its_input() {
        let counterparty = sberbank().validate().unwrap();
        let again = CounterpartyInput::from(&counterparty).validate().unwrap();
        assert_eq!(again, counterparty);
    }
}
