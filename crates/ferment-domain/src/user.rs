//! User accounts as an administrator edits them.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::counterparty::{NAME_MAX, optional_id};
use crate::validation::{
    Errors, FieldError, Problem, optional_text, required_text, validate_email,
};

/// The shortest password Ferment accepts.
pub const PASSWORD_MIN: usize = 10;

/// A user account's editable state, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// Login name (latin letters, digits, `.`, `_`, `-`).
    pub login: String,
    /// Full name.
    pub full_name: String,
    /// E-mail.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Territory the user works.
    pub territory_id: Option<Uuid>,
    /// Whether the user may sign in.
    pub active: bool,
    /// Role codes.
    pub roles: Vec<String>,
}

/// A user as typed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserInput {
    /// Login.
    pub login: String,
    /// Full name.
    pub full_name: String,
    /// E-mail.
    pub email: String,
    /// Phone.
    pub phone: String,
    /// Territory id.
    pub territory_id: String,
    /// Active.
    pub active: bool,
    /// Role codes.
    pub roles: Vec<String>,
}

/// Checks a login name: 2–50 characters of latin letters, digits, `.`, `_`, `-`.
pub fn validate_login(login: &str) -> Result<(), Problem> {
    if login.is_empty() {
        return Err(Problem::Required);
    }
    if login.len() < 2 {
        return Err(Problem::TooShort { min: 2 });
    }
    if login.len() > 50 {
        return Err(Problem::TooLong { max: 50 });
    }
    if !login
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(Problem::NotAllowed {
            allowed: vec![
                "a-z".into(),
                "0-9".into(),
                ".".into(),
                "_".into(),
                "-".into(),
            ],
        });
    }
    Ok(())
}

/// Checks a new password's length.
pub fn validate_password(password: &str) -> Result<(), Problem> {
    if password.chars().count() < PASSWORD_MIN {
        return Err(Problem::PasswordTooShort { min: PASSWORD_MIN });
    }
    Ok(())
}

impl UserInput {
    /// Checks every field and returns the validated user, or every problem found.
    pub fn validate(&self) -> Result<User, Vec<FieldError>> {
        let mut errors = Errors::new();
        let login = self.login.trim().to_lowercase();
        errors.check("login", validate_login(&login));
        let full_name = errors.take("full_name", required_text(&self.full_name, NAME_MAX));
        let email = errors
            .take("email", optional_text(&self.email, 254))
            .flatten();
        if let Some(email) = &email {
            errors.check("email", validate_email(email));
        }
        let phone = errors
            .take("phone", optional_text(&self.phone, 60))
            .flatten();
        let territory_id = errors
            .take("territory_id", optional_id(&self.territory_id))
            .flatten();
        let mut roles: Vec<String> = self
            .roles
            .iter()
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty())
            .collect();
        roles.sort();
        roles.dedup();
        let Some(full_name) = full_name else {
            return Err(errors.into_vec());
        };
        errors.finish(User {
            login,
            full_name,
            email,
            phone,
            territory_id,
            active: self.active,
            roles,
        })
    }
}

impl From<&User> for UserInput {
    fn from(u: &User) -> Self {
        UserInput {
            login: u.login.clone(),
            full_name: u.full_name.clone(),
            email: u.email.clone().unwrap_or_default(),
            phone: u.phone.clone().unwrap_or_default(),
            territory_id: u.territory_id.map(|id| id.to_string()).unwrap_or_default(),
            active: u.active,
            roles: u.roles.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_are_lowercase_latin() {
        assert_eq!(validate_login("a.petrova"), Ok(()));
        assert!(validate_login("петрова").is_err());
        assert!(validate_login("a").is_err());
        let user = UserInput {
            login: " Head ".into(),
            full_name: "Руководитель".into(),
            ..Default::default()
        };
        assert_eq!(user.validate().unwrap().login, "head");
    }

    #[test]
    fn passwords_have_a_minimum_length() {
        assert!(validate_password("короткий").is_err());
        assert_eq!(validate_password("достаточно длинный"), Ok(()));
    }
}
