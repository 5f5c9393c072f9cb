//! Field values: how an object is held in memory (a `Vec<Val>` in the order of its set's fields, so a
//! hundred thousand products stay small), how each type is written to JSON the way 1C writes it, and
//! how JSON from a client is read back (unknown fields ignored, long strings truncated).

use std::fmt::Write as _;
use std::sync::Arc;

use chrono::NaiveDateTime;
use serde_json::Value;
use uuid::Uuid;

use crate::schema::{Field, Ty};

/// The empty date of 1C.
pub const EMPTY_DATE: &str = "0001-01-01T00:00:00";
/// The `X_Type` of an empty composite value.
pub const UNDEFINED: &str = "StandardODATA.Undefined";
/// How dates are written: no time zone, no fractions.
pub const DATE_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

/// One field value.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// Edm.Boolean.
    Bool(bool),
    /// Edm.Double.
    Num(f64),
    /// Edm.Int64.
    Int(i64),
    /// Edm.String (shared, so repeated enum values and type names cost one allocation).
    Str(Arc<str>),
    /// Edm.Guid.
    Guid(Uuid),
    /// Edm.DateTime.
    Date(NaiveDateTime),
    /// A tabular section: rows of values in the order of the section's fields.
    Rows(Vec<Vec<Val>>),
}

impl Val {
    /// A string value.
    pub fn str(text: &str) -> Val {
        Val::Str(Arc::from(text))
    }

    /// The guid, when this is one.
    pub fn guid(&self) -> Option<Uuid> {
        match self {
            Val::Guid(guid) => Some(*guid),
            _ => None,
        }
    }

    /// The text, when this is a string.
    pub fn text(&self) -> Option<&str> {
        match self {
            Val::Str(text) => Some(text),
            _ => None,
        }
    }
}

/// The empty date.
pub fn empty_date() -> NaiveDateTime {
    NaiveDateTime::parse_from_str(EMPTY_DATE, DATE_FORMAT).expect("a valid date")
}

/// The value a field takes when a new object does not give it.
pub fn default_of(ty: &Ty) -> Val {
    match ty {
        Ty::Key | Ty::Ref(_) => Val::Guid(Uuid::nil()),
        Ty::Str(_) | Ty::AnyRef | Ty::Enum => Val::str(""),
        Ty::Fixed(len) => Val::str(&pad("", *len)),
        Ty::TypeOf => Val::str(UNDEFINED),
        Ty::Bool => Val::Bool(false),
        Ty::Double => Val::Num(0.0),
        Ty::Int64 => Val::Int(0),
        Ty::DateTime => Val::Date(empty_date()),
        Ty::Table(_) => Val::Rows(Vec::new()),
    }
}

/// Pads a fixed-length string with spaces on the right (and cuts it when it is longer).
pub fn pad(text: &str, len: u32) -> String {
    let mut out: String = text.chars().take(len as usize).collect();
    let have = out.chars().count();
    out.extend(std::iter::repeat_n(' ', len as usize - have));
    out
}

/// Why a value from a client cannot be taken.
#[derive(Debug, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct BadValue {
    /// The field.
    pub field: String,
    /// What is wrong.
    pub problem: String,
}

/// Parses a date as 1C writes it (`2026-11-27T10:15:00`); fractions and a trailing `Z` are tolerated.
pub fn parse_date(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim().trim_end_matches('Z');
    NaiveDateTime::parse_from_str(text, DATE_FORMAT)
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f"))
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M"))
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight exists"))
        })
        .ok()
}

/// Reads a client's JSON value for a field; strings are truncated to their declared length.
pub fn from_json(
    field: &Field,
    value: &Value,
    tables: &[crate::schema::TableDef],
) -> Result<Val, BadValue> {
    let bad = |problem: &str| BadValue {
        field: field.name.clone(),
        problem: problem.to_string(),
    };
    if value.is_null() {
        return Ok(default_of(&field.ty));
    }
    Ok(match &field.ty {
        Ty::Key | Ty::Ref(_) => {
            let text = value.as_str().ok_or_else(|| bad("a guid is expected"))?;
            Val::Guid(Uuid::parse_str(text.trim()).map_err(|_| bad("a guid is expected"))?)
        }
        Ty::Str(len) => {
            let text = scalar_text(value).ok_or_else(|| bad("a string is expected"))?;
            if *len == 0 {
                Val::str(&text)
            } else {
                Val::str(&text.chars().take(*len as usize).collect::<String>())
            }
        }
        Ty::Fixed(len) => {
            let text = scalar_text(value).ok_or_else(|| bad("a string is expected"))?;
            Val::str(&pad(&text, *len))
        }
        Ty::AnyRef | Ty::TypeOf | Ty::Enum => {
            Val::str(&scalar_text(value).ok_or_else(|| bad("a string is expected"))?)
        }
        Ty::Bool => match value {
            Value::Bool(b) => Val::Bool(*b),
            Value::String(s) if s == "true" || s == "false" => Val::Bool(s == "true"),
            _ => return Err(bad("true or false is expected")),
        },
        Ty::Double => match value {
            Value::Number(n) => Val::Num(n.as_f64().unwrap_or(0.0)),
            Value::String(s) => {
                Val::Num(s.trim().parse().map_err(|_| bad("a number is expected"))?)
            }
            _ => return Err(bad("a number is expected")),
        },
        Ty::Int64 => match value {
            Value::Number(n) => Val::Int(n.as_i64().ok_or_else(|| bad("an integer is expected"))?),
            Value::String(s) => Val::Int(
                s.trim()
                    .parse()
                    .map_err(|_| bad("an integer is expected"))?,
            ),
            _ => return Err(bad("an integer is expected")),
        },
        Ty::DateTime => {
            let text = value.as_str().ok_or_else(|| bad("a date is expected"))?;
            Val::Date(parse_date(text).ok_or_else(|| bad("a date is expected"))?)
        }
        Ty::Table(index) => {
            let rows = value
                .as_array()
                .ok_or_else(|| bad("an array of rows is expected"))?;
            let fields = &tables[*index].fields;
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                let object = row
                    .as_object()
                    .ok_or_else(|| bad("a row must be an object"))?;
                let mut values = Vec::with_capacity(fields.len());
                for row_field in fields {
                    values.push(match object.get(&row_field.name) {
                        Some(v) => from_json(row_field, v, tables)?,
                        None => default_of(&row_field.ty),
                    });
                }
                out.push(values);
            }
            Val::Rows(out)
        }
    })
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Writes a JSON string literal.
pub fn write_str(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Writes a number as 1C does: whole numbers without a fraction.
pub fn write_num(out: &mut String, number: f64) {
    if !number.is_finite() {
        out.push('0');
    } else if number.fract() == 0.0 && number.abs() < 1e15 {
        let _ = write!(out, "{}", number as i64);
    } else {
        let _ = write!(out, "{number}");
    }
}

/// Writes a scalar value as JSON (tabular sections are written by the caller, which knows the owner).
pub fn write_scalar(out: &mut String, value: &Val) {
    match value {
        Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Val::Num(n) => write_num(out, *n),
        Val::Int(i) => {
            let _ = write!(out, "\"{i}\"");
        }
        Val::Str(s) => write_str(out, s),
        Val::Guid(g) => {
            let _ = write!(out, "\"{g}\"");
        }
        Val::Date(d) => {
            let _ = write!(out, "\"{}\"", d.format(DATE_FORMAT));
        }
        Val::Rows(_) => out.push_str("[]"),
    }
}

/// The text of a scalar value as the Atom format writes it.
pub fn plain_text(value: &Val) -> String {
    let mut out = String::new();
    match value {
        Val::Str(s) => out.push_str(s),
        Val::Int(i) => out.push_str(&i.to_string()),
        other => {
            write_scalar(&mut out, other);
            if out.starts_with('"') {
                out = out.trim_matches('"').to_string();
            }
        }
    }
    out
}
