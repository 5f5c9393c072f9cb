//! The three-way merge that keeps the two sides from overwriting each other.
//!
//! For each field: the value both sides agreed on last time (the base), Ferment's value now and 1C's
//! value now. Changed on one side only → that side's value wins; changed on both to different values
//! → a conflict for a person, and the field is left as it is on both sides.

use serde::Serialize;
use serde_json::{Map, Value};

/// A field both sides changed differently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldConflict {
    /// Field name.
    pub field: String,
    /// Ferment's value.
    pub ferment: Value,
    /// 1C's value.
    pub onec: Value,
}

/// The outcome of a merge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merge {
    /// What Ferment should hold.
    pub ferment: Map<String, Value>,
    /// What 1C should hold.
    pub onec: Map<String, Value>,
    /// The new base (conflicting fields keep the old one).
    pub base: Map<String, Value>,
    /// Conflicts.
    pub conflicts: Vec<FieldConflict>,
}

impl Merge {
    /// Fields whose value 1C must receive.
    pub fn to_onec(&self, onec_now: &Map<String, Value>) -> Map<String, Value> {
        self.onec
            .iter()
            .filter(|(field, value)| onec_now.get(*field) != Some(value))
            .map(|(field, value)| (field.clone(), value.clone()))
            .collect()
    }
}

fn is_blank(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::String(text)) => text.is_empty(),
        _ => false,
    }
}

/// Merges field by field. Without a base (the first time two records are linked), a field blank on
/// one side takes the other side's value and two different values are a conflict.
pub fn merge(
    base: Option<&Map<String, Value>>,
    ferment: &Map<String, Value>,
    onec: &Map<String, Value>,
) -> Merge {
    let mut out = Merge {
        ferment: ferment.clone(),
        onec: onec.clone(),
        base: Map::new(),
        conflicts: Vec::new(),
    };
    let fields: std::collections::BTreeSet<&String> = ferment.keys().chain(onec.keys()).collect();
    for field in fields {
        let f = ferment.get(field).cloned().unwrap_or(Value::Null);
        let o = onec.get(field).cloned().unwrap_or(Value::Null);
        let agreed = if f == o {
            Some(f.clone())
        } else {
            match base.map(|b| b.get(field).cloned().unwrap_or(Value::Null)) {
                Some(b) if b == f => Some(o.clone()),
                Some(b) if b == o => Some(f.clone()),
                Some(_) => None,
                None if is_blank(Some(&f)) => Some(o.clone()),
                None if is_blank(Some(&o)) => Some(f.clone()),
                None => None,
            }
        };
        match agreed {
            Some(value) => {
                out.ferment.insert(field.clone(), value.clone());
                out.onec.insert(field.clone(), value.clone());
                out.base.insert(field.clone(), value);
            }
            None => {
                out.conflicts.push(FieldConflict {
                    field: field.clone(),
                    ferment: f,
                    onec: o,
                });
                let old = base
                    .and_then(|b| b.get(field).cloned())
                    .unwrap_or(Value::Null);
                out.base.insert(field.clone(), old);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().cloned().expect("object")
    }

    #[test]
    fn one_sided_changes_travel_and_two_sided_ones_conflict() {
        let base = map(json!({"name": "Ромашка", "phone": "1", "email": "a@x.ru", "site": ""}));
        let ferment = map(json!({"name": "Ромашка", "phone": "2", "email": "b@x.ru", "site": ""}));
        let onec = map(json!({"name": "Ромашка-М", "phone": "1", "email": "c@x.ru", "site": ""}));
        let merged = merge(Some(&base), &ferment, &onec);
        assert_eq!(merged.ferment["name"], "Ромашка-М", "1C's change comes in");
        assert_eq!(merged.onec["phone"], "2", "Ferment's change goes out");
        assert_eq!(
            merged.conflicts,
            [FieldConflict {
                field: "email".into(),
                ferment: json!("b@x.ru"),
                onec: json!("c@x.ru")
            }]
        );
        assert_eq!(merged.ferment["email"], "b@x.ru", "nothing overwritten");
        assert_eq!(merged.onec["email"], "c@x.ru");
        assert_eq!(merged.base["email"], "a@x.ru");
        assert_eq!(merged.to_onec(&onec), map(json!({"phone": "2"})));
    }

    #[test]
    fn the_first_link_fills_blanks_from_the_other_side() {
        let ferment = map(json!({"phone": "", "email": "f@x.ru", "name": "А"}));
        let onec = map(json!({"phone": "+7", "email": "", "name": "Б"}));
        let merged = merge(None, &ferment, &onec);
        assert_eq!(merged.ferment["phone"], "+7");
        assert_eq!(merged.onec["email"], "f@x.ru");
        assert_eq!(merged.conflicts.len(), 1);
        assert_eq!(merged.conflicts[0].field, "name");
    }
}
