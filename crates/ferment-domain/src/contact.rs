//! Contacts: the people at a client — buyers, technologists, chief engineers, directors.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::counterparty::{NAME_MAX, SHORT_MAX, TEXT_MAX, optional_id};
use crate::validation::{Errors, FieldError, optional_text, required_text, validate_email};

/// A contact's editable state, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    /// Full name («Иванова Мария Петровна»).
    pub full_name: String,
    /// Position («главный технолог»).
    pub position: Option<String>,
    /// The client the person works for.
    pub counterparty_id: Option<Uuid>,
    /// E-mail addresses, the main one first.
    pub emails: Vec<String>,
    /// Phone numbers, the main one first.
    pub phones: Vec<String>,
    /// Notes.
    pub notes: Option<String>,
}

/// A contact as typed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactInput {
    /// Full name.
    pub full_name: String,
    /// Position.
    pub position: String,
    /// Counterparty id.
    pub counterparty_id: String,
    /// E-mail addresses.
    pub emails: Vec<String>,
    /// Phone numbers.
    pub phones: Vec<String>,
    /// Notes.
    pub notes: String,
}

impl ContactInput {
    /// Checks every field and returns the validated contact, or every problem found.
    pub fn validate(&self) -> Result<Contact, Vec<FieldError>> {
        let mut errors = Errors::new();
        let full_name = errors.take("full_name", required_text(&self.full_name, NAME_MAX));
        let position = errors
            .take("position", optional_text(&self.position, SHORT_MAX))
            .flatten();
        let counterparty_id = errors
            .take("counterparty_id", optional_id(&self.counterparty_id))
            .flatten();
        let mut emails = Vec::new();
        for (index, email) in self.emails.iter().enumerate() {
            let field = format!("emails[{index}]");
            if let Some(email) = errors
                .take(field.clone(), optional_text(email, 254))
                .flatten()
            {
                errors.check(field, validate_email(&email));
                if !emails.contains(&email) {
                    emails.push(email);
                }
            }
        }
        let mut phones = Vec::new();
        for (index, phone) in self.phones.iter().enumerate() {
            if let Some(phone) = errors
                .take(format!("phones[{index}]"), optional_text(phone, 60))
                .flatten()
                && !phones.contains(&phone)
            {
                phones.push(phone);
            }
        }
        let notes = errors
            .take("notes", optional_text(&self.notes, TEXT_MAX))
            .flatten();
        let Some(full_name) = full_name else {
            return Err(errors.into_vec());
        };
        errors.finish(Contact {
            full_name,
            position,
            counterparty_id,
            emails,
            phones,
            notes,
        })
    }
}

impl From<&Contact> for ContactInput {
    fn from(c: &Contact) -> Self {
        ContactInput {
            full_name: c.full_name.clone(),
            position: c.position.clone().unwrap_or_default(),
            counterparty_id: c
                .counterparty_id
                .map(|id| id.to_string())
                .unwrap_or_default(),
            emails: c.emails.clone(),
            phones: c.phones.clone(),
            notes: c.notes.clone().unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_emails_are_dropped_and_bad_ones_named_by_position() {
        let input = ContactInput {
            full_name: "Иванова Мария Петровна".into(),
            emails: vec!["m.ivanova@molzavod.ru".into(), "".into(), "ivanova@".into()],
            ..Default::default()
        };
        let errors = input.validate().unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "emails[2]");
    }

    #[test]
    fn a_contact_needs_a_name() {
        let errors = ContactInput::default().validate().unwrap_err();
        assert_eq!(errors[0].field, "full_name");
    }
}
