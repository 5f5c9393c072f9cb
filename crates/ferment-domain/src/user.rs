//! User accounts as an administrator edits them.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use ipnet::IpNet;

use crate::access::Overrides;
use crate::access::rights::{ip_allow_from_json, ip_allow_to_json};
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
    /// Department (for the `team` access level).
    pub department_id: Option<Uuid>,
    /// Addresses the user may come from, besides their roles' lists (empty: no list of their own).
    #[serde(serialize_with = "serialize_nets")]
    pub ip_allow: Vec<IpNet>,
    /// The user's own overrides of what their roles grant.
    #[serde(serialize_with = "serialize_overrides")]
    pub overrides: Overrides,
}

fn serialize_nets<S: serde::Serializer>(nets: &[IpNet], serializer: S) -> Result<S::Ok, S::Error> {
    ip_allow_to_json(nets).serialize(serializer)
}

fn serialize_overrides<S: serde::Serializer>(
    overrides: &Overrides,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    overrides.to_json().serialize(serializer)
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
    /// Department id.
    pub department_id: String,
    /// IP allow-list: CIDR strings (`10.1.0.0/16`, `2001:db8::/32`); empty means no restriction.
    pub ip_allow: Vec<String>,
    /// Overrides: `{"counterparty": {"read": "all"}}`, a level per kind and operation.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub overrides: serde_json::Value,
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
        let department_id = errors
            .take("department_id", optional_id(&self.department_id))
            .flatten();
        let nets: Vec<serde_json::Value> =
            self.ip_allow.iter().map(|n| n.as_str().into()).collect();
        let (ip_allow, mut ip_errors) =
            match ip_allow_from_json(&serde_json::Value::Array(nets), "ip_allow") {
                Ok(nets) => (nets, Vec::new()),
                Err(found) => (Vec::new(), found),
            };
        let (overrides, mut override_errors) =
            match Overrides::from_json(&self.overrides, "overrides") {
                Ok(overrides) => (overrides, Vec::new()),
                Err(found) => (Overrides::default(), found),
            };
        let Some(full_name) = full_name else {
            let mut all = errors.into_vec();
            all.append(&mut ip_errors);
            all.append(&mut override_errors);
            return Err(all);
        };
        if !ip_errors.is_empty() || !override_errors.is_empty() {
            let mut all = errors.into_vec();
            all.append(&mut ip_errors);
            all.append(&mut override_errors);
            return Err(all);
        }
        errors.finish(User {
            login,
            full_name,
            email,
            phone,
            territory_id,
            active: self.active,
            roles,
            department_id,
            ip_allow,
            overrides,
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
            department_id: u.department_id.map(|id| id.to_string()).unwrap_or_default(),
            ip_allow: u.ip_allow.iter().map(ToString::to_string).collect(),
            overrides: u.overrides.to_json(),
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
