//! Leads: a need found at a company, nurtured through statuses until it is qualified and converted
//! into a sale, or disqualified with a reason.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::coded_enum;
use crate::counterparty::{NAME_MAX, SHORT_MAX, TEXT_MAX, optional_code, optional_id};
use crate::validation::{Errors, FieldError, Problem, optional_text, validate_email};

coded_enum! {
    /// Where a lead stands.
    pub enum LeadStatus {
        /// Just captured.
        New => ("new", "Новый", "New"),
        /// Being worked on.
        InWork => ("in_work", "В работе", "In work"),
        /// Qualified: a real need with a buyer (converting it makes the sale).
        Qualified => ("qualified", "Квалифицирован", "Qualified"),
        /// Not a prospect, with a reason.
        Disqualified => ("disqualified", "Дисквалифицирован", "Disqualified"),
    }
}

/// A lead, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lead {
    /// Where it came from (site form, exhibition, call, import …).
    pub source: Option<String>,
    /// The company as the lead names it.
    pub company_name: String,
    /// The counterparty, when the company is already a client or has been matched.
    pub counterparty_id: Option<Uuid>,
    /// The company's ИНН when known (conversion matches a counterparty by it).
    pub inn: Option<String>,
    /// Contact person.
    pub contact_name: Option<String>,
    /// Contact's position.
    pub contact_position: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// The need, in the client's words.
    pub need: Option<String>,
    /// Products or product groups of interest.
    pub product_interest: Option<String>,
    /// Status.
    pub status: LeadStatus,
    /// Why it was disqualified.
    pub disqualify_reason: Option<String>,
    /// The manager working it.
    pub owner_id: Option<Uuid>,
    /// Territory.
    pub territory_id: Option<Uuid>,
    /// Notes.
    pub notes: Option<String>,
}

/// A lead as typed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LeadInput {
    /// Source.
    pub source: String,
    /// Company name (required unless `counterparty_id` is given).
    pub company_name: String,
    /// Existing counterparty id.
    pub counterparty_id: String,
    /// ИНН.
    pub inn: String,
    /// Contact person.
    pub contact_name: String,
    /// Contact's position.
    pub contact_position: String,
    /// E-mail.
    pub email: String,
    /// Phone.
    pub phone: String,
    /// Need.
    pub need: String,
    /// Product interest.
    pub product_interest: String,
    /// `new`, `in_work`, `qualified`, `disqualified`; blank = `new`.
    pub status: String,
    /// Reason (required when disqualified).
    pub disqualify_reason: String,
    /// Owner (user id); blank = the user who captures the lead.
    pub owner_id: String,
    /// Territory id.
    pub territory_id: String,
    /// Notes.
    pub notes: String,
}

impl LeadInput {
    /// Checks every field and returns the validated lead, or every problem found.
    pub fn validate(&self) -> Result<Lead, Vec<FieldError>> {
        let mut errors = Errors::new();
        let source = errors
            .take("source", optional_text(&self.source, SHORT_MAX))
            .flatten();
        let counterparty_id = errors
            .take("counterparty_id", optional_id(&self.counterparty_id))
            .flatten();
        let company_name = errors
            .take("company_name", optional_text(&self.company_name, NAME_MAX))
            .flatten();
        if company_name.is_none() && counterparty_id.is_none() {
            errors.add("company_name", Problem::Required);
        }
        let inn = errors.take("inn", optional_inn(&self.inn)).flatten();
        let contact_name = errors
            .take("contact_name", optional_text(&self.contact_name, NAME_MAX))
            .flatten();
        let contact_position = errors
            .take(
                "contact_position",
                optional_text(&self.contact_position, SHORT_MAX),
            )
            .flatten();
        let email = errors
            .take(
                "email",
                optional_text(&self.email, SHORT_MAX).and_then(|email| {
                    if let Some(email) = &email {
                        validate_email(email)?;
                    }
                    Ok(email)
                }),
            )
            .flatten();
        let phone = errors
            .take("phone", optional_text(&self.phone, 50))
            .flatten();
        let need = errors
            .take("need", optional_text(&self.need, TEXT_MAX))
            .flatten();
        let product_interest = errors
            .take(
                "product_interest",
                optional_text(&self.product_interest, TEXT_MAX),
            )
            .flatten();
        let status = errors
            .take("status", optional_code(&self.status, LeadStatus::parse))
            .flatten()
            .unwrap_or(LeadStatus::New);
        let disqualify_reason = errors
            .take(
                "disqualify_reason",
                optional_text(&self.disqualify_reason, TEXT_MAX),
            )
            .flatten();
        if status == LeadStatus::Disqualified && disqualify_reason.is_none() {
            errors.add("disqualify_reason", Problem::Required);
        }
        let owner_id = errors
            .take("owner_id", optional_id(&self.owner_id))
            .flatten();
        let territory_id = errors
            .take("territory_id", optional_id(&self.territory_id))
            .flatten();
        let notes = errors
            .take("notes", optional_text(&self.notes, TEXT_MAX))
            .flatten();
        errors.finish(Lead {
            source,
            company_name: company_name.unwrap_or_default(),
            counterparty_id,
            inn,
            contact_name,
            contact_position,
            email,
            phone,
            need,
            product_interest,
            status,
            // A reason only means something while the lead is disqualified.
            disqualify_reason: disqualify_reason.filter(|_| status == LeadStatus::Disqualified),
            owner_id,
            territory_id,
            notes,
        })
    }
}

/// An ИНН of either length, checked by its control digits.
fn optional_inn(value: &str) -> Result<Option<String>, Problem> {
    let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return Ok(None);
    }
    match compact.len() {
        10 => crate::requisites::validate_inn_legal(&compact)?,
        12 => crate::requisites::validate_inn_person(&compact)?,
        _ => {
            if !compact.chars().all(|c| c.is_ascii_digit()) {
                return Err(Problem::DigitsOnly);
            }
            return Err(Problem::Length { expected: 10 });
        }
    }
    Ok(Some(compact))
}

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

impl From<&Lead> for LeadInput {
    fn from(lead: &Lead) -> Self {
        LeadInput {
            source: text(&lead.source),
            company_name: lead.company_name.clone(),
            counterparty_id: lead
                .counterparty_id
                .map(|id| id.to_string())
                .unwrap_or_default(),
            inn: text(&lead.inn),
            contact_name: text(&lead.contact_name),
            contact_position: text(&lead.contact_position),
            email: text(&lead.email),
            phone: text(&lead.phone),
            need: text(&lead.need),
            product_interest: text(&lead.product_interest),
            status: lead.status.code().into(),
            disqualify_reason: text(&lead.disqualify_reason),
            owner_id: lead.owner_id.map(|id| id.to_string()).unwrap_or_default(),
            territory_id: lead
                .territory_id
                .map(|id| id.to_string())
                .unwrap_or_default(),
            notes: text(&lead.notes),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_minimal_api_lead_validates_as_new() {
        let lead = LeadInput {
            company_name: "ООО «Молочная долина»".into(),
            contact_name: "Иванова Мария".into(),
            email: "m.ivanova@dolina.ru".into(),
            phone: "+7 900 000-00-00".into(),
            need: "Стабилизатор для йогуртов".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(lead.status, LeadStatus::New);
        assert_eq!(lead.email.as_deref(), Some("m.ivanova@dolina.ru"));
    }

    #[test]
    fn a_lead_needs_a_company_and_a_disqualified_one_a_reason() {
        let errors = LeadInput {
            status: "disqualified".into(),
            email: "no-at-sign".into(),
            inn: "7707083894".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["company_name", "inn", "email", "disqualify_reason"]
        );
    }
}
