//! A connection to a 1C base: what an administrator types, checked before anything is stored or sent.
//!
//! The protocol work (OData, profiles, the sync) lives in the `ferment-onec` crate; here are only the
//! rules a connection's settings must satisfy, so the API and the pages report the same problems.

use serde::{Deserialize, Serialize};

use crate::coded_enum;
use crate::validation::{Errors, FieldError, Problem, optional_text, required_text};

coded_enum! {
    /// The mapping profile: which 1C configuration the base runs.
    pub enum Profile {
        /// 1C:Бухгалтерия предприятия 3.0.
        Bp30 => ("bp30", "1С:Бухгалтерия предприятия 3.0", "1C:Accounting 3.0"),
        /// 1C:Управление торговлей 11, Комплексная автоматизация 2, ERP.
        Ut11 => ("ut11", "1С:Управление торговлей 11 / КА 2 / ERP", "1C:Trade Management 11 / CA 2 / ERP"),
    }
}

coded_enum! {
    /// Which way an object kind travels.
    pub enum Direction {
        /// Both ways.
        Both => ("both", "В обе стороны", "Both ways"),
        /// From 1C into Ferment only.
        FromOnec => ("from_onec", "Из 1С", "From 1C"),
        /// From Ferment into 1C only.
        ToOnec => ("to_onec", "В 1С", "To 1C"),
        /// Not synchronised.
        Off => ("off", "Не синхронизировать", "Off"),
    }
}

impl Direction {
    /// Whether objects come from 1C.
    pub fn pulls(self) -> bool {
        matches!(self, Direction::Both | Direction::FromOnec)
    }

    /// Whether objects go to 1C.
    pub fn pushes(self) -> bool {
        matches!(self, Direction::Both | Direction::ToOnec)
    }
}

/// The object kinds a connection synchronises, each with its direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Directions {
    /// Nomenclature, groups, units, prices (1C owns them: from 1C or off).
    pub products: Direction,
    /// Warehouses and stock (1C owns them: from 1C or off).
    pub stock: Direction,
    /// Counterparties, their bank accounts and contracts.
    pub counterparties: Direction,
    /// Customer orders and invoices (and, from 1C, payments and shipments).
    pub documents: Direction,
}

impl Default for Directions {
    fn default() -> Self {
        Directions {
            products: Direction::FromOnec,
            stock: Direction::FromOnec,
            counterparties: Direction::Both,
            documents: Direction::Both,
        }
    }
}

/// A connection as stored (the password is sealed separately by the caller).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Connection {
    /// A name to tell connections apart (`ferment onec sync --connection NAME`).
    pub name: String,
    /// The publication root, ending in `/odata/standard.odata/`.
    pub url: String,
    /// The 1C user's login.
    pub login: String,
    /// The mapping profile.
    pub profile: Profile,
    /// Minutes between scheduled runs; `None` = on demand only.
    pub schedule_minutes: Option<i64>,
    /// Hours between full reconciles (everything read, deletions found).
    pub full_every_hours: i64,
    /// Days of documents an incremental run reads back.
    pub document_days: i64,
    /// Which objects go which way.
    pub directions: Directions,
    /// Whether the connection runs at all.
    pub active: bool,
}

/// A connection as typed. The password is required on creation and kept when left blank on edit.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConnectionInput {
    /// Name.
    pub name: String,
    /// The publication root: `http(s)://host/<base>/odata/standard.odata/`.
    pub url: String,
    /// 1C login.
    pub login: String,
    /// 1C password (write-only).
    pub password: String,
    /// `bp30` or `ut11`.
    pub profile: String,
    /// Minutes between scheduled runs (blank = on demand only).
    pub schedule_minutes: String,
    /// Hours between full reconciles (blank = 24).
    pub full_every_hours: String,
    /// Days of documents an incremental run reads (blank = 90).
    pub document_days: String,
    /// Direction of products: `from_onec` or `off`.
    pub products: String,
    /// Direction of stock: `from_onec` or `off`.
    pub stock: String,
    /// Direction of counterparties: `both`, `from_onec`, `to_onec`, `off`.
    pub counterparties: String,
    /// Direction of orders and invoices: `both`, `from_onec`, `to_onec`, `off`.
    pub documents: String,
    /// `true` / `false` (blank = true).
    pub active: String,
}

impl From<&Connection> for ConnectionInput {
    /// The stored settings as a form would show them (the password blank: it is never shown).
    fn from(connection: &Connection) -> Self {
        ConnectionInput {
            name: connection.name.clone(),
            url: connection.url.clone(),
            login: connection.login.clone(),
            password: String::new(),
            profile: connection.profile.code().into(),
            schedule_minutes: connection
                .schedule_minutes
                .map(|m| m.to_string())
                .unwrap_or_default(),
            full_every_hours: connection.full_every_hours.to_string(),
            document_days: connection.document_days.to_string(),
            products: connection.directions.products.code().into(),
            stock: connection.directions.stock.code().into(),
            counterparties: connection.directions.counterparties.code().into(),
            documents: connection.directions.documents.code().into(),
            active: connection.active.to_string(),
        }
    }
}

/// The longest name.
pub const NAME_MAX: usize = 100;
/// The URL path every standard OData publication ends with.
pub const PUBLICATION_SUFFIX: &str = "/odata/standard.odata/";

impl ConnectionInput {
    /// Checks every field. `creating` makes the password required.
    pub fn validate(&self, creating: bool) -> Result<Connection, Vec<FieldError>> {
        let mut errors = Errors::new();
        let name = errors.take("name", required_text(&self.name, NAME_MAX));
        let url = errors.take("url", publication_url(&self.url));
        let login = errors.take("login", required_text(&self.login, 200));
        if creating && self.password.is_empty() {
            errors.add("password", Problem::Required);
        } else if self.password.chars().count() > 200 {
            errors.add("password", Problem::TooLong { max: 200 });
        }
        let profile = errors.take(
            "profile",
            if self.profile.trim().is_empty() {
                Err(Problem::Required)
            } else {
                Profile::parse(&self.profile)
            },
        );
        let schedule_minutes = errors
            .take(
                "schedule_minutes",
                optional_number(&self.schedule_minutes, 1, 10_080),
            )
            .flatten();
        let full_every_hours = errors
            .take(
                "full_every_hours",
                optional_number(&self.full_every_hours, 1, 24 * 31),
            )
            .flatten()
            .unwrap_or(24);
        let document_days = errors
            .take(
                "document_days",
                optional_number(&self.document_days, 1, 3660),
            )
            .flatten()
            .unwrap_or(90);
        let defaults = Directions::default();
        let one_way = [Direction::FromOnec, Direction::Off];
        let products = errors.take(
            "products",
            direction(&self.products, defaults.products, &one_way),
        );
        let stock = errors.take("stock", direction(&self.stock, defaults.stock, &one_way));
        let counterparties = errors.take(
            "counterparties",
            direction(
                &self.counterparties,
                defaults.counterparties,
                Direction::ALL,
            ),
        );
        let documents = errors.take(
            "documents",
            direction(&self.documents, defaults.documents, Direction::ALL),
        );
        let active = errors.take("active", flag(&self.active, true));
        let (
            Some(name),
            Some(url),
            Some(login),
            Some(profile),
            Some(products),
            Some(stock),
            Some(counterparties),
            Some(documents),
            Some(active),
        ) = (
            name,
            url,
            login,
            profile,
            products,
            stock,
            counterparties,
            documents,
            active,
        )
        else {
            return Err(errors.into_vec());
        };
        errors.finish(Connection {
            name,
            url,
            login,
            profile,
            schedule_minutes,
            full_every_hours,
            document_days,
            directions: Directions {
                products,
                stock,
                counterparties,
                documents,
            },
            active,
        })
    }
}

/// Checks a publication root: http(s), a host, the path ending in `/odata/standard.odata/` (a
/// missing final slash is added).
pub fn publication_url(value: &str) -> Result<String, Problem> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Problem::Required);
    }
    if trimmed.chars().count() > 500 {
        return Err(Problem::TooLong { max: 500 });
    }
    let url = if trimmed.ends_with('/') {
        trimmed.to_string()
    } else {
        format!("{trimmed}/")
    };
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"));
    let host_ok = rest.is_some_and(|rest| {
        let host = rest.split('/').next().unwrap_or("");
        !host.is_empty() && !host.contains(char::is_whitespace)
    });
    if !host_ok || !url.ends_with(PUBLICATION_SUFFIX) {
        return Err(Problem::Rule {
            ru: "Укажите адрес публикации вида http://сервер/база/odata/standard.odata/".into(),
            en: "Give the publication root, like http://server/base/odata/standard.odata/".into(),
        });
    }
    Ok(url)
}

fn optional_number(value: &str, min: i64, max: i64) -> Result<Option<i64>, Problem> {
    let Some(text) = optional_text(value, 20)? else {
        return Ok(None);
    };
    let number: i64 = text.parse().map_err(|_| Problem::Number)?;
    if !(min..=max).contains(&number) {
        return Err(Problem::Range { min, max });
    }
    Ok(Some(number))
}

fn direction(value: &str, default: Direction, allowed: &[Direction]) -> Result<Direction, Problem> {
    if value.trim().is_empty() {
        return Ok(default);
    }
    let not_allowed = || Problem::NotAllowed {
        allowed: allowed.iter().map(|d| d.code().to_string()).collect(),
    };
    let parsed = Direction::from_code(value.trim()).ok_or_else(not_allowed)?;
    if allowed.contains(&parsed) {
        Ok(parsed)
    } else {
        Err(not_allowed())
    }
}

fn flag(value: &str, default: bool) -> Result<bool, Problem> {
    crate::sale::optional_flag(value).map(|flag| flag.unwrap_or(default))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ConnectionInput {
        ConnectionInput {
            name: "Бухгалтерия".into(),
            url: "http://1c.local/buh/odata/standard.odata".into(),
            login: "odata".into(),
            password: "secret".into(),
            profile: "bp30".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_connection_takes_defaults_and_adds_the_final_slash() {
        let connection = input().validate(true).expect("valid");
        assert_eq!(connection.url, "http://1c.local/buh/odata/standard.odata/");
        assert_eq!(connection.profile, Profile::Bp30);
        assert_eq!(connection.directions, Directions::default());
        assert_eq!(connection.full_every_hours, 24);
        assert_eq!(connection.schedule_minutes, None);
        assert!(connection.active);
    }

    #[test]
    fn each_wrong_field_is_named() {
        let wrong = ConnectionInput {
            name: " ".into(),
            url: "ftp://1c.local/buh".into(),
            login: String::new(),
            password: String::new(),
            profile: "erp".into(),
            schedule_minutes: "0".into(),
            products: "to_onec".into(),
            active: "maybe".into(),
            ..Default::default()
        };
        let errors = wrong.validate(true).expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name",
                "url",
                "login",
                "password",
                "profile",
                "schedule_minutes",
                "products",
                "active"
            ]
        );
    }

    #[test]
    fn the_password_may_stay_blank_on_edit() {
        let edit = ConnectionInput {
            password: String::new(),
            ..input()
        };
        assert!(edit.validate(false).is_ok());
        assert!(edit.validate(true).is_err());
    }

    #[test]
    fn a_url_without_the_publication_path_is_refused() {
        assert!(publication_url("http://1c.local/buh/").is_err());
        assert!(publication_url("https:///odata/standard.odata/").is_err());
        assert_eq!(
            publication_url("https://1c.example.ru/УТ/odata/standard.odata/").as_deref(),
            Ok("https://1c.example.ru/УТ/odata/standard.odata/")
        );
    }
}
