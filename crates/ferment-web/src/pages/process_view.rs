//! The sales process as pages show it: stage, task and outcome names from a sale's definition
//! version, the stage bar, and the sale's timeline in words.
//!
//! Codes (`preliminary_kp`, `send_kp`, `accepted`) are contracts between the definition, the API
//! and the database; people read the names the definition gives them, in their language. A code the
//! definition does not know (a task made by hand, an older version's stage) is shown by its own
//! label or, failing that, by the code itself.

use std::collections::HashMap;

use ferment_domain::process::engine::BarMark;
use ferment_domain::process::{Definition, StageKind, TaskTemplate};
use ferment_domain::task::ManualKind;
use ferment_domain::validation::Lang;
use ferment_store::sales::Event;
use uuid::Uuid;

use super::format::datetime;
use super::i18n::Texts;

/// The name of stage `code`.
pub fn stage_name(def: &Definition, code: &str, lang: Lang) -> String {
    def.stage(code)
        .map(|s| s.name(lang).to_string())
        .unwrap_or_else(|| code.to_string())
}

/// The name of a task kind: a template of the definition, or a kind of manual task.
pub fn task_kind_name(def: &Definition, kind: &str, lang: Lang) -> String {
    if let Some(template) = def.task(kind) {
        return template.name(lang).to_string();
    }
    ManualKind::from_code(kind)
        .map(|k| k.label(lang).to_string())
        .unwrap_or_else(|| kind.to_string())
}

/// The name of outcome `outcome` of task kind `kind`.
pub fn outcome_name(def: &Definition, kind: &str, outcome: &str, lang: Lang) -> String {
    def.task(kind)
        .and_then(|t| t.outcome(outcome))
        .map(|o| o.name(lang).to_string())
        .unwrap_or_else(|| outcome.to_string())
}

/// Whether completing a task of this template is a decision about the process type (its outcomes
/// choose `full` or `short`): the card then asks the question with one button per answer.
pub fn is_decision(template: &TaskTemplate) -> bool {
    !template.outcomes.is_empty()
        && template
            .outcomes
            .iter()
            .all(|o| o.effects.process_type.is_some())
}

/// One stage of the bar on the sale card.
#[derive(Debug, Clone)]
pub struct BarStage {
    /// The stage's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// `entered`, `skipped`, `current`, `ahead` or `not_in_type` (for styling).
    pub mark: &'static str,
    /// The mark in words.
    pub mark_label: &'static str,
    /// `won` or `lost` for a closing stage, empty otherwise.
    pub closing: &'static str,
}

/// The stage bar with names.
pub fn bar(def: &Definition, bar: &[(String, BarMark)], lang: Lang) -> Vec<BarStage> {
    bar.iter()
        .map(|(code, mark)| BarStage {
            code: code.clone(),
            name: stage_name(def, code, lang),
            mark: mark.code(),
            mark_label: mark.label(lang),
            closing: match def.stage(code).map(|s| s.kind) {
                Some(StageKind::Won) => "won",
                Some(StageKind::Lost) => "lost",
                _ => "",
            },
        })
        .collect()
}

/// One event of the sale's timeline.
#[derive(Debug, Clone)]
pub struct TimelineEvent {
    /// When, Moscow time.
    pub when: String,
    /// Who.
    pub who: String,
    /// What happened, in words.
    pub text: String,
    /// A comment, a reason, or the outcome's data.
    pub detail: String,
    /// The event's kind (for styling): `stage_entered`, `task_done`, …
    pub kind: String,
}

/// The sale's event log in words. `products` names the products of the sale's lines.
pub fn timeline(
    def: &Definition,
    events: &[Event],
    products: &HashMap<Uuid, String>,
    t: &'static Texts,
    lang: Lang,
) -> Vec<TimelineEvent> {
    events
        .iter()
        .rev()
        .map(|event| {
            let stage = event
                .stage
                .as_deref()
                .map(|s| stage_name(def, s, lang))
                .unwrap_or_default();
            let mut task = event
                .task_kind
                .as_deref()
                .map(|k| task_kind_name(def, k, lang))
                .unwrap_or_default();
            if let Some(name) = event.product_id.and_then(|id| products.get(&id)) {
                task = format!("{task}: {name}");
            }
            let text = match event.kind.as_str() {
                "stage_entered" => format!("{} «{stage}»", t.event_stage_entered),
                "stage_skipped" => format!("{} «{stage}»", t.event_stage_skipped),
                "task_created" => format!("{} «{task}»", t.event_task_created),
                "task_done" => match (&event.task_kind, &event.outcome) {
                    (Some(kind), Some(outcome)) => format!(
                        "{} «{task}»: {}",
                        t.event_task_done,
                        outcome_name(def, kind, outcome, lang)
                    ),
                    _ => format!("{} «{task}»", t.event_task_done),
                },
                "task_cancelled" => format!("{} «{task}»", t.event_task_cancelled),
                "closed" => {
                    let result = match event.outcome.as_deref() {
                        Some("won") => t.closed_won,
                        Some("lost") => t.closed_lost,
                        _ => "",
                    };
                    format!("{}: {result}", t.event_closed)
                }
                "contract_changed" => t.event_contract_changed.to_string(),
                other => other.to_string(),
            };
            let mut detail = event.comment.clone().unwrap_or_default();
            if event.kind == "closed" && event.outcome.as_deref() == Some("lost") {
                detail = if detail.is_empty() {
                    String::new()
                } else {
                    format!("{}: {detail}", t.lost_reason)
                };
            }
            TimelineEvent {
                when: datetime(event.at, lang),
                who: event
                    .user_name
                    .clone()
                    .unwrap_or_else(|| t.system.to_string()),
                text,
                detail,
                kind: event.kind.clone(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferment_domain::process::default_definition;

    #[test]
    fn codes_read_as_the_definition_names_them() {
        let def = default_definition();
        assert_eq!(
            stage_name(&def, "preliminary_kp", Lang::Ru),
            "Предварительное КП"
        );
        assert_eq!(stage_name(&def, "gone", Lang::Ru), "gone");
        assert_eq!(task_kind_name(&def, "send_kp", Lang::Ru), "Отправить КП");
        assert_eq!(task_kind_name(&def, "call", Lang::Ru), "Звонок");
        assert_eq!(
            outcome_name(&def, "get_kp_feedback", "accepted", Lang::Ru),
            "Принято"
        );
        let decision = def.task("send_preliminary_kp").expect("shipped task");
        assert!(is_decision(decision));
        assert!(!is_decision(def.task("get_kp_feedback").expect("shipped")));
    }
}
