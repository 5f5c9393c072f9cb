//! The change history as a card shows it: who changed which field when, from what to what, with
//! codes and ids turned into the words and names people know.

use ferment_domain::catalog::Unit;
use ferment_domain::counterparty::{CounterpartyKind, Industry, Segment};
use ferment_domain::lead::LeadStatus;
use ferment_domain::process::{ContractKind, ProcessType, TaskStatus};
use ferment_domain::sale::CostCategory;
use ferment_domain::validation::Lang;
use ferment_store::history::{Action, HistoryEntry};
use serde_json::Value;
use uuid::Uuid;

use super::format::{datetime, number};
use super::i18n::{Entity, Texts, field_label};
use super::lookups::Names;

/// One entry of the history.
#[derive(Debug, Clone)]
pub struct HistoryView {
    /// When, in Moscow time.
    pub when: String,
    /// Who (or «System»).
    pub who: String,
    /// What happened, in words.
    pub action: &'static str,
    /// `create`, `update` or `delete`, for styling.
    pub action_code: &'static str,
    /// The fields that changed.
    pub changes: Vec<ChangeView>,
}

/// One changed field.
#[derive(Debug, Clone)]
pub struct ChangeView {
    /// The field as the API spells it.
    pub field: String,
    /// Its label.
    pub label: String,
    /// The value before (empty for a creation).
    pub old: String,
    /// The value after.
    pub new: String,
}

/// Shapes history entries for a card of `entity`.
pub fn history_views(
    entries: &[HistoryEntry],
    t: &'static Texts,
    lang: Lang,
    entity: Entity,
    names: &Names,
) -> Vec<HistoryView> {
    entries
        .iter()
        .map(|entry| {
            let (action, action_code) = match entry.action {
                Action::Create => (t.action_create, "create"),
                Action::Update => (t.action_update, "update"),
                Action::Delete => (t.action_delete, "delete"),
            };
            HistoryView {
                when: datetime(entry.changed_at, lang),
                who: entry
                    .user_name
                    .clone()
                    .unwrap_or_else(|| t.system.to_string()),
                action,
                action_code,
                changes: entry
                    .changes
                    .iter()
                    .map(|change| {
                        let show = |value: &Value| {
                            show_value(t, lang, entity, &change.field, value, names)
                        };
                        ChangeView {
                            field: change.field.clone(),
                            label: field_label(t, entity, &change.field).to_string(),
                            old: show(&change.old),
                            new: show(&change.new),
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The ids a history mentions in `field` (to resolve their names first).
pub fn ids_in(entries: &[HistoryEntry], field: &str) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = entries
        .iter()
        .flat_map(|entry| entry.changes.iter())
        .filter(|change| change.field == field)
        .flat_map(|change| [&change.old, &change.new])
        .filter_map(|value| value.as_str().and_then(|s| Uuid::parse_str(s).ok()))
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// A value of the history in words: codes become labels, ids names, money and rates Russian
/// numbers, lists one line.
fn show_value(
    t: &'static Texts,
    lang: Lang,
    entity: Entity,
    field: &str,
    value: &Value,
    names: &Names,
) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(true) => t.yes.to_string(),
        Value::Bool(false) => t.no.to_string(),
        Value::Number(n) => match (entity, field, n.as_i64()) {
            (Entity::Product, "price", Some(minor)) => number(minor, 2, false, lang),
            (Entity::Product, "vat_rate", Some(minor)) => {
                format!("{}\u{a0}%", number(minor, 2, true, lang))
            }
            (
                Entity::Sale,
                "unit_price" | "unit_cost" | "expected_amount" | "amount",
                Some(minor),
            ) => number(minor, 2, false, lang),
            (Entity::Sale, "quantity", Some(minor)) => number(minor, 3, true, lang),
            (Entity::Sale, "vat_rate", Some(minor)) => {
                format!("{}\u{a0}%", number(minor, 2, true, lang))
            }
            _ => n.to_string(),
        },
        Value::String(text) => show_text(lang, entity, field, text, names),
        Value::Array(items) => items
            .iter()
            .map(|item| show_value(t, lang, entity, field, item, names))
            .filter(|item| !item.is_empty())
            .collect::<Vec<_>>()
            .join("; "),
        Value::Object(map) => map
            .iter()
            .filter(|(_, v)| !v.is_null() && v.as_str() != Some(""))
            .map(|(key, v)| {
                format!(
                    "{} {}",
                    field_label(t, entity, key),
                    show_value(t, lang, entity, key, v, names)
                )
            })
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn show_text(lang: Lang, entity: Entity, field: &str, text: &str, names: &Names) -> String {
    let label = match (entity, field) {
        (Entity::Sale, "kind" | "contract_kind") => {
            ContractKind::from_code(text).map(|v| v.label(lang))
        }
        (Entity::Task, "status") => TaskStatus::from_code(text).map(|v| v.label(lang)),
        (Entity::Lead, "status") => LeadStatus::from_code(text).map(|v| v.label(lang)),
        (_, "process_type") => ProcessType::from_code(text).map(|v| v.label(lang)),
        (_, "category") => CostCategory::from_code(text).map(|v| v.label(lang)),
        (_, "kind") => CounterpartyKind::from_code(text).map(|v| v.label(lang)),
        (_, "segment") => Segment::from_code(text).map(|v| v.label(lang)),
        (_, "industry") => Industry::from_code(text).map(|v| v.label(lang)),
        (_, "unit") => Unit::from_code(text).map(|v| v.label(lang)),
        _ => None,
    };
    if let Some(label) = label {
        return label.to_string();
    }
    if field.ends_with("_id")
        && let Ok(id) = Uuid::parse_str(text)
        && let Some(name) = names.get(&id)
    {
        return name.to_string();
    }
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::i18n::RU;
    use serde_json::json;

    #[test]
    fn codes_ids_and_lists_read_as_words() {
        let mut names = Names::default();
        let id = Uuid::from_u128(7);
        names.insert(id, "Москва".into());
        let show = |field: &str, value: Value| {
            show_value(&RU, Lang::Ru, Entity::Counterparty, field, &value, &names)
        };
        assert_eq!(show("segment", json!("A")), "A — ключевой");
        assert_eq!(show("territory_id", json!(id.to_string())), "Москва");
        assert_eq!(show("tags", json!(["молоко", "сыр"])), "молоко; сыр");
        assert_eq!(
            show(
                "bank_accounts",
                json!([{"bik": "044525225", "bank_name": "Сбербанк", "correspondent_account": null}])
            ),
            "Банк Сбербанк, БИК 044525225"
        );
        let price = show_value(
            &RU,
            Lang::Ru,
            Entity::Product,
            "price",
            &json!(123450),
            &names,
        );
        assert_eq!(price, "1\u{a0}234,50");
    }
}
