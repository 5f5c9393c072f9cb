//! Tasks set by hand (the process engine sets the others): what to do, for whom, by when, about
//! which sale, client or product.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::coded_enum;
use crate::counterparty::{NAME_MAX, TEXT_MAX, optional_code, optional_id};
use crate::validation::{Errors, FieldError, Problem, optional_date, optional_text};

coded_enum! {
    /// Kinds of tasks a user sets by hand (process tasks carry their template's code instead).
    pub enum ManualKind {
        /// A call.
        Call => ("call", "Звонок", "Call"),
        /// A meeting.
        Meeting => ("meeting", "Встреча", "Meeting"),
        /// A letter.
        Email => ("email", "Письмо", "E-mail"),
        /// Anything else.
        Todo => ("todo", "Дело", "To-do"),
    }
}

/// The editable fields of a task, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskFields {
    /// Title.
    pub title: String,
    /// What exactly to do.
    pub description: Option<String>,
    /// Who does it; blank = the user setting it.
    pub assignee_id: Option<Uuid>,
    /// Due date; blank = today.
    pub due_on: Option<NaiveDate>,
}

/// A manual task, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManualTask {
    /// Kind.
    pub kind: ManualKind,
    /// Editable fields.
    pub fields: TaskFields,
    /// The sale it concerns.
    pub sale_id: Option<Uuid>,
    /// The counterparty it concerns (taken from the sale when blank).
    pub counterparty_id: Option<Uuid>,
    /// The product it concerns.
    pub product_id: Option<Uuid>,
}

/// A task as typed: the whole of it for a manual task; only `title`, `description`, `assignee_id`
/// and `due_on` may change later.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskInput {
    /// `call`, `meeting`, `email`, `todo`; blank = `todo`.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Sale id.
    pub sale_id: String,
    /// Counterparty id.
    pub counterparty_id: String,
    /// Product id.
    pub product_id: String,
    /// Assignee (user id).
    pub assignee_id: String,
    /// Due date (`2026-11-30` or `30.11.2026`).
    pub due_on: String,
}

impl TaskInput {
    /// The editable fields, validated.
    pub fn fields(&self, errors: &mut Errors) -> Option<TaskFields> {
        let title = errors.take(
            "title",
            crate::validation::required_text(&self.title, NAME_MAX),
        );
        let description = errors
            .take("description", optional_text(&self.description, TEXT_MAX))
            .flatten();
        let assignee_id = errors
            .take("assignee_id", optional_id(&self.assignee_id))
            .flatten();
        let due_on = errors.take("due_on", optional_date(&self.due_on)).flatten();
        Some(TaskFields {
            title: title?,
            description,
            assignee_id,
            due_on,
        })
    }

    /// Checks a manual task.
    pub fn validate(&self) -> Result<ManualTask, Vec<FieldError>> {
        let mut errors = Errors::new();
        let kind = errors
            .take("kind", optional_code(&self.kind, ManualKind::parse))
            .flatten()
            .unwrap_or(ManualKind::Todo);
        let fields = self.fields(&mut errors);
        let sale_id = errors.take("sale_id", optional_id(&self.sale_id)).flatten();
        let counterparty_id = errors
            .take("counterparty_id", optional_id(&self.counterparty_id))
            .flatten();
        let product_id = errors
            .take("product_id", optional_id(&self.product_id))
            .flatten();
        match fields {
            Some(fields) => errors.finish(ManualTask {
                kind,
                fields,
                sale_id,
                counterparty_id,
                product_id,
            }),
            None => Err(errors.into_vec()),
        }
    }

    /// Checks an edit of an existing task's fields.
    pub fn validate_fields(&self) -> Result<TaskFields, Vec<FieldError>> {
        let mut errors = Errors::new();
        match self.fields(&mut errors) {
            Some(fields) => errors.finish(fields),
            None => Err(errors.into_vec()),
        }
    }
}

/// A completion as typed: the outcome code, data the outcome needs, a comment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completion {
    /// Outcome code, when the task's kind has outcomes.
    pub outcome: Option<String>,
    /// Data the outcome carries (e.g. `recipe_id` for `existing`).
    pub data: serde_json::Map<String, serde_json::Value>,
    /// Comment.
    pub comment: Option<String>,
}

impl Completion {
    /// Checks the comment's length and the outcome's shape.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Errors::new();
        if let Some(comment) = &self.comment {
            errors.check("comment", optional_text(comment, TEXT_MAX).map(|_| ()));
        }
        if let Some(outcome) = &self.outcome
            && outcome.chars().count() > 64
        {
            errors.add("outcome", Problem::TooLong { max: 64 });
        }
        errors.finish(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_task_needs_a_title_and_a_real_date() {
        let errors = TaskInput {
            kind: "party".into(),
            due_on: "31.02.2026".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["kind", "title", "due_on"]);
        let task = TaskInput {
            title: "Позвонить технологу".into(),
            due_on: "30.11.2026".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(task.kind, ManualKind::Todo);
        assert_eq!(task.fields.due_on, NaiveDate::from_ymd_opt(2026, 11, 30));
    }
}
