//! What changed in a record: the field-by-field difference that the change history stores.

use serde::Serialize;
use serde_json::Value;

/// One field's change: its old and new value as JSON (`null` when absent).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// The field as the API spells it.
    pub field: String,
    /// The value before the change (`null` for a created record).
    pub old: Value,
    /// The value after the change (`null` for a deleted record).
    pub new: Value,
}

/// Compares two states of a record field by field. `None` stands for "did not exist" (creation) or
/// "no longer exists" (deletion). Fields are compared in their API form, so the history reads the way
/// the API and the pages show the record.
pub fn diff<T: Serialize>(old: Option<&T>, new: Option<&T>) -> Vec<FieldChange> {
    let old = old.map(to_object).unwrap_or_default();
    let new = new.map(to_object).unwrap_or_default();
    let mut fields: Vec<&String> = old.keys().chain(new.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter_map(|field| {
            let before = old.get(field).cloned().unwrap_or(Value::Null);
            let after = new.get(field).cloned().unwrap_or(Value::Null);
            (before != after && !(is_empty(&before) && is_empty(&after))).then(|| FieldChange {
                field: field.clone(),
                old: before,
                new: after,
            })
        })
        .collect()
}

fn to_object<T: Serialize>(value: &T) -> serde_json::Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    }
}

/// An absent value, an empty text and an empty list all mean "nothing" to a reader of the history.
fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Card {
        name: String,
        phone: Option<String>,
        tags: Vec<String>,
    }

    #[test]
    fn only_changed_fields_are_listed() {
        let before = Card {
            name: "Молзавод".into(),
            phone: None,
            tags: vec![],
        };
        let after = Card {
            name: "Молзавод №1".into(),
            phone: None,
            tags: vec!["A".into()],
        };
        let changes = diff(Some(&before), Some(&after));
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, vec!["name", "tags"]);
        assert_eq!(changes[0].old, Value::String("Молзавод".into()));
    }

    #[test]
    fn creation_lists_every_filled_field() {
        let card = Card {
            name: "Хлебозавод".into(),
            phone: Some("+7 495 000-00-00".into()),
            tags: vec![],
        };
        let changes = diff(None, Some(&card));
        assert_eq!(changes.len(), 2);
        assert!(changes.iter().all(|c| c.old.is_null()));
    }
}
