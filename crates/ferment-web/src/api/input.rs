//! Turning JSON bodies into domain inputs, with field-level errors instead of serde's messages.
//!
//! Domain inputs are all-text structs (what a form holds). A JSON body is merged onto an input — a
//! blank one for a creation, the record's current state for a PATCH — so a PATCH changes only the
//! fields it names. Numbers and booleans are accepted where text is expected (`"price": 150` and
//! `"price": "150"` mean the same), `null` clears a field, and unknown fields are refused by name
//! rather than silently ignored.

use ferment_domain::validation::{FieldError, Problem};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Fields that are part of the envelope, not of the record.
const ENVELOPE: &[&str] = &["version", "id", "created_at", "updated_at"];

/// Merges `patch` onto `base` and returns the new input, or the fields whose values don't fit.
pub fn merge<T: Serialize + DeserializeOwned>(
    base: &T,
    patch: &Map<String, Value>,
) -> Result<T, Vec<FieldError>> {
    let Value::Object(mut target) = serde_json::to_value(base).map_err(|_| vec![])? else {
        return Err(vec![]);
    };
    let mut errors = Vec::new();
    for (field, value) in patch {
        if ENVELOPE.contains(&field.as_str()) {
            continue;
        }
        let Some(current) = target.get(field) else {
            errors.push(FieldError::new(field.clone(), Problem::UnknownField));
            continue;
        };
        match coerce(field, current, value.clone()) {
            Ok(value) => {
                target.insert(field.clone(), value);
            }
            Err(mut field_errors) => errors.append(&mut field_errors),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    serde_json::from_value(Value::Object(target)).map_err(|_| {
        vec![FieldError::new(
            "body",
            Problem::Type { expected: "object" },
        )]
    })
}

/// Shapes `value` like `current` (the field's type in the input struct).
fn coerce(field: &str, current: &Value, value: Value) -> Result<Value, Vec<FieldError>> {
    let wrong = |expected| vec![FieldError::new(field, Problem::Type { expected })];
    match (current, value) {
        (Value::String(_), Value::String(s)) => Ok(Value::String(s)),
        (Value::String(_), Value::Number(n)) => Ok(Value::String(n.to_string())),
        (Value::String(_), Value::Bool(b)) => Ok(Value::String(b.to_string())),
        (Value::String(_), Value::Null) => Ok(Value::String(String::new())),
        (Value::String(_), _) => Err(wrong("text")),
        (Value::Bool(_), Value::Bool(b)) => Ok(Value::Bool(b)),
        (Value::Bool(_), Value::Null) => Ok(Value::Bool(false)),
        (Value::Bool(_), _) => Err(wrong("boolean")),
        (Value::Array(_), Value::Null) => Ok(Value::Array(Vec::new())),
        (Value::Array(existing), Value::Array(items)) => {
            let template = item_template(field, existing);
            let mut out = Vec::with_capacity(items.len());
            let mut errors = Vec::new();
            for (index, item) in items.into_iter().enumerate() {
                match coerce_item(&format!("{field}[{index}]"), &template, item) {
                    Ok(value) => out.push(value),
                    Err(mut e) => errors.append(&mut e),
                }
            }
            if errors.is_empty() {
                Ok(Value::Array(out))
            } else {
                Err(errors)
            }
        }
        (Value::Array(_), _) => Err(wrong("list")),
        (_, value) => Ok(value),
    }
}

/// What an item of a list field looks like: text, or an object with the item struct's fields.
fn item_template(field: &str, existing: &[Value]) -> Value {
    match existing.first() {
        Some(item) => blank_like(item),
        None => object_templates(field).unwrap_or(Value::String(String::new())),
    }
}

fn blank_like(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), blank_like(v)))
                .collect(),
        ),
        Value::String(_) => Value::String(String::new()),
        other => other.clone(),
    }
}

/// Item shapes of list fields that hold objects (an empty list can't show its item type).
fn object_templates(field: &str) -> Option<Value> {
    match field {
        "bank_accounts" => {
            serde_json::to_value(ferment_domain::counterparty::BankAccountInput::default()).ok()
        }
        "lines" => serde_json::to_value(ferment_domain::sale::SaleLineInput::default()).ok(),
        "composition" => {
            serde_json::to_value(ferment_domain::recipe::ComponentInput::default()).ok()
        }
        _ => None,
    }
}

fn coerce_item(field: &str, template: &Value, item: Value) -> Result<Value, Vec<FieldError>> {
    match (template, item) {
        (Value::Object(shape), Value::Object(values)) => {
            let mut out = shape.clone();
            let mut errors = Vec::new();
            for (key, value) in values {
                let name = format!("{field}.{key}");
                match shape.get(&key) {
                    None => errors.push(FieldError::new(name, Problem::UnknownField)),
                    Some(current) => match coerce(&name, current, value) {
                        Ok(value) => {
                            out.insert(key, value);
                        }
                        Err(mut e) => errors.append(&mut e),
                    },
                }
            }
            if errors.is_empty() {
                Ok(Value::Object(out))
            } else {
                Err(errors)
            }
        }
        (Value::Object(_), _) => Err(vec![FieldError::new(
            field,
            Problem::Type { expected: "object" },
        )]),
        (current, value) => coerce(field, current, value),
    }
}

/// The `version` a PATCH or DELETE must carry.
pub fn version(body: &Map<String, Value>) -> Result<i64, Vec<FieldError>> {
    match body.get("version") {
        Some(Value::Number(n)) if n.as_i64().is_some() => Ok(n.as_i64().unwrap_or_default()),
        Some(Value::String(s)) if s.parse::<i64>().is_ok() => Ok(s.parse().unwrap_or_default()),
        None | Some(Value::Null) => Err(vec![FieldError::new("version", Problem::Required)]),
        Some(_) => Err(vec![FieldError::new(
            "version",
            Problem::Type { expected: "number" },
        )]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferment_domain::counterparty::CounterpartyInput;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn a_patch_changes_only_the_fields_it_names() {
        let base = CounterpartyInput {
            name: "Молзавод".into(),
            inn: "7707083893".into(),
            ..Default::default()
        };
        let merged = merge(&base, &object(json!({"name": "Молзавод №2", "version": 3}))).unwrap();
        assert_eq!(merged.name, "Молзавод №2");
        assert_eq!(merged.inn, "7707083893");
    }

    #[test]
    fn numbers_become_text_and_null_clears() {
        let base = CounterpartyInput {
            inn: "7707083893".into(),
            ..Default::default()
        };
        let merged = merge(&base, &object(json!({"kpp": 773601001, "inn": null}))).unwrap();
        assert_eq!(merged.kpp, "773601001");
        assert_eq!(merged.inn, "");
    }

    #[test]
    fn unknown_and_mistyped_fields_are_named() {
        let errors = merge(
            &CounterpartyInput::default(),
            &object(json!({"colour": "red", "tags": "a", "bank_accounts": [{"bik": 44525225, "iban": "x"}]})),
        )
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["bank_accounts[0].iban", "colour", "tags"]);
    }
}
