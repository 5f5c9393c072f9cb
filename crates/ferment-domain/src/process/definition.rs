//! The process definition as data: stages, task templates, outcomes and their effects, read from
//! TOML ([`Definition::parse`]) and written as JSON for the API.
//!
//! Every struct refuses unknown keys, so a typo in an administrator's file is reported instead of
//! silently ignored. The closed lists ([`ProcessType`], [`ContractKind`], [`StageKind`],
//! [`TaskStatus`], [`Predicate`], [`Requirement`]) are read from and written as their stable codes.
//! `docs/PROCESS.md` describes the format for administrators.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::coded_enum;
use crate::validation::Lang;

coded_enum! {
    /// The two ways a sale goes through the process.
    pub enum ProcessType {
        /// The full process: recipe, samples, pilot visit, industrial trial, then the proposal.
        Full => ("full", "Полный", "Full"),
        /// The short process: commercial proposal, contract, order.
        Short => ("short", "Короткий", "Short"),
    }
}

coded_enum! {
    /// What is signed at the `contract` stage.
    pub enum ContractKind {
        /// A contract.
        Contract => ("contract", "Договор", "Contract"),
        /// A specification to an existing contract.
        Specification => ("specification", "Спецификация", "Specification"),
        /// A contract with its specification.
        ContractAndSpecification => ("contract_and_specification", "Договор + спецификация", "Contract + specification"),
    }
}

coded_enum! {
    /// Whether a stage is worked in or closes the sale.
    pub enum StageKind {
        /// The sale is being worked on.
        Open => ("open", "Открытый", "Open"),
        /// The sale is won (closed).
        Won => ("won", "Успешно", "Won"),
        /// The sale is lost (closed).
        Lost => ("lost", "Проиграна", "Lost"),
    }
}

coded_enum! {
    /// The state of a task.
    pub enum TaskStatus {
        /// To be done.
        Open => ("open", "Открыта", "Open"),
        /// Completed.
        Done => ("done", "Выполнена", "Done"),
        /// No longer needed.
        Cancelled => ("cancelled", "Отменена", "Cancelled"),
    }
}

coded_enum! {
    /// A fact about a sale line that a task template's `when` can test.
    pub enum Predicate {
        /// The client needs a sample of the product.
        NeedsSample => ("needs_sample", "Нужен образец", "Needs a sample"),
        /// The office sample store has the product.
        InOfficeStock => ("in_office_stock", "Есть в офисе", "In office stock"),
        /// A warehouse has the product.
        InWarehouseStock => ("in_warehouse_stock", "Есть на складе", "In warehouse stock"),
        /// The client pays for the sample.
        SamplePaid => ("sample_paid", "Образец платный", "Sample is paid"),
    }
}

coded_enum! {
    /// A value a stage needs before it can be entered.
    pub enum Requirement {
        /// The process type (full or short) must be chosen.
        ProcessType => ("process_type", "Тип процесса", "Process type"),
        /// The contract kind must be chosen.
        ContractKind => ("contract_kind", "Вид договора", "Contract kind"),
    }
}

deserialize_by_code!(
    ProcessType,
    ContractKind,
    StageKind,
    TaskStatus,
    Predicate,
    Requirement
);

/// A condition on a sale line (or, for a sale-level template, on any line): a predicate, perhaps
/// negated. Written in TOML as `"needs_sample"` or `"!in_office_stock"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Condition {
    /// True when the condition holds if the predicate does not (`!` prefix).
    pub negated: bool,
    /// The fact tested.
    pub predicate: Predicate,
}

impl Condition {
    /// Parses `"needs_sample"` or `"!needs_sample"`.
    pub fn from_code(text: &str) -> Option<Condition> {
        let text = text.trim();
        let (negated, code) = match text.strip_prefix('!') {
            Some(rest) => (true, rest.trim()),
            None => (false, text),
        };
        Predicate::from_code(code).map(|predicate| Condition { negated, predicate })
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negated {
            f.write_str("!")?;
        }
        f.write_str(self.predicate.code())
    }
}

impl Serialize for Condition {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Condition {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Condition::from_code(&text).ok_or_else(|| {
            let allowed: Vec<_> = Predicate::ALL
                .iter()
                .map(|p| format!("`{}`", p.code()))
                .collect();
            serde::de::Error::custom(format!(
                "unknown condition `{text}`, expected one of {} (prefix `!` to negate)",
                allowed.join(", ")
            ))
        })
    }
}

/// Who a task is assigned to. Written in TOML as `"owner"`, `"role:technologist"` or
/// `"user:<login>"`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum AssigneeRule {
    /// The sale's owner (its manager).
    #[default]
    Owner,
    /// A user holding this role (the storage layer picks one, e.g. the least loaded).
    Role(String),
    /// The user with this login.
    User(String),
}

impl AssigneeRule {
    /// Parses `owner`, `role:<code>` or `user:<login>`; the name after the colon must not be
    /// empty or contain spaces.
    pub fn from_code(text: &str) -> Option<AssigneeRule> {
        let text = text.trim();
        if text == "owner" {
            return Some(AssigneeRule::Owner);
        }
        let valid = |name: &str| !name.is_empty() && !name.chars().any(char::is_whitespace);
        if let Some(role) = text.strip_prefix("role:") {
            return valid(role).then(|| AssigneeRule::Role(role.to_string()));
        }
        if let Some(login) = text.strip_prefix("user:") {
            return valid(login).then(|| AssigneeRule::User(login.to_string()));
        }
        None
    }
}

impl fmt::Display for AssigneeRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AssigneeRule::Owner => f.write_str("owner"),
            AssigneeRule::Role(role) => write!(f, "role:{role}"),
            AssigneeRule::User(login) => write!(f, "user:{login}"),
        }
    }
}

impl Serialize for AssigneeRule {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for AssigneeRule {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        AssigneeRule::from_code(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown assignee `{text}`, expected `owner`, `role:<role code>` or `user:<login>`"
            ))
        })
    }
}

/// A sales process: its stages in display order and the task templates the engine creates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    /// Stable code of the definition (e.g. `default`).
    pub code: String,
    /// Name in Russian.
    pub name_ru: String,
    /// Name in English.
    pub name_en: String,
    /// `won` is allowed from these stages; empty means from any open stage.
    #[serde(default)]
    pub won_from: Vec<String>,
    /// The stages, in display order (TOML `[[stages]]`).
    #[serde(default)]
    pub stages: Vec<StageDef>,
    /// The task templates (TOML `[[tasks]]`).
    #[serde(default)]
    pub tasks: Vec<TaskTemplate>,
}

/// One stage of the process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageDef {
    /// Stable code (used in the API and stored on sales).
    pub code: String,
    /// Name in Russian.
    pub name_ru: String,
    /// Name in English.
    pub name_en: String,
    /// `open` (default), `won` or `lost`.
    #[serde(default = "open_kind")]
    pub kind: StageKind,
    /// The process types this stage belongs to; empty means all.
    #[serde(default)]
    pub types: Vec<ProcessType>,
    /// The process types in which the stage may be skipped.
    #[serde(default)]
    pub optional: Vec<ProcessType>,
    /// The open stages that may directly follow this one (`won`/`lost` follow the kind rules).
    #[serde(default)]
    pub next: Vec<String>,
    /// Win probability shown for the stage, in percent (0..=100).
    #[serde(default)]
    pub probability: u8,
    /// What entering the stage needs.
    #[serde(default)]
    pub requires: Vec<Requirement>,
    /// Whether entering the stage needs a reason (used for `lost`).
    #[serde(default)]
    pub reason_required: bool,
}

fn open_kind() -> StageKind {
    StageKind::Open
}

impl StageDef {
    /// The name in the user's language.
    pub fn name(&self, lang: Lang) -> &str {
        lang.pick(&self.name_ru, &self.name_en)
    }

    /// Whether the stage is worked in (not a closing stage).
    pub fn is_open(&self) -> bool {
        self.kind == StageKind::Open
    }

    /// Whether the stage belongs to process type `process_type`.
    pub fn belongs_to(&self, process_type: ProcessType) -> bool {
        self.types.is_empty() || self.types.contains(&process_type)
    }

    /// Whether the stage belongs to every process type.
    pub fn belongs_to_all(&self) -> bool {
        ProcessType::ALL.iter().all(|&t| self.belongs_to(t))
    }

    /// Whether the stage may be skipped in process type `process_type`.
    pub fn optional_in(&self, process_type: ProcessType) -> bool {
        self.belongs_to(process_type) && self.optional.contains(&process_type)
    }

    /// Whether the stage needs `requirement` to be entered.
    pub fn requires(&self, requirement: Requirement) -> bool {
        self.requires.contains(&requirement)
    }
}

/// What the completion of a task (or one of its outcomes) does.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Effects {
    /// Task templates to create (subject to `wait_for` joins and de-duplication).
    #[serde(default)]
    pub create: Vec<String>,
    /// A stage the sale moves to (with the same checks as entering it by hand).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// The process type chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_type: Option<ProcessType>,
    /// A stage the interface proposes to the user next (a decision, not a move).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggest: Option<String>,
}

impl Effects {
    /// Whether the effects do nothing.
    pub fn is_empty(&self) -> bool {
        self.create.is_empty()
            && self.stage.is_none()
            && self.process_type.is_none()
            && self.suggest.is_none()
    }
}

/// One possible outcome of a task, e.g. `accepted` / `correction` / `rejected`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "OutcomeToml", into = "OutcomeToml")]
pub struct OutcomeDef {
    /// Stable code.
    pub code: String,
    /// Name in Russian.
    pub name_ru: String,
    /// Name in English.
    pub name_en: String,
    /// Keys that must be present (and not blank) in the completion data, e.g. `recipe_id`.
    pub requires_data: Vec<String>,
    /// What choosing this outcome does (in TOML the effect keys sit beside `code`).
    pub effects: Effects,
}

impl OutcomeDef {
    /// The name in the user's language.
    pub fn name(&self, lang: Lang) -> &str {
        lang.pick(&self.name_ru, &self.name_en)
    }
}

/// The flat form of an outcome as written in TOML and JSON (effects beside the code).
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OutcomeToml {
    code: String,
    name_ru: String,
    name_en: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    requires_data: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    create: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stage: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    process_type: Option<ProcessType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    suggest: Option<String>,
}

impl From<OutcomeToml> for OutcomeDef {
    fn from(raw: OutcomeToml) -> Self {
        OutcomeDef {
            code: raw.code,
            name_ru: raw.name_ru,
            name_en: raw.name_en,
            requires_data: raw.requires_data,
            effects: Effects {
                create: raw.create,
                stage: raw.stage,
                process_type: raw.process_type,
                suggest: raw.suggest,
            },
        }
    }
}

impl From<OutcomeDef> for OutcomeToml {
    fn from(outcome: OutcomeDef) -> Self {
        OutcomeToml {
            code: outcome.code,
            name_ru: outcome.name_ru,
            name_en: outcome.name_en,
            requires_data: outcome.requires_data,
            create: outcome.effects.create,
            stage: outcome.effects.stage,
            process_type: outcome.effects.process_type,
            suggest: outcome.effects.suggest,
        }
    }
}

/// A task the engine creates: on entering its stage, or as the effect of another task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskTemplate {
    /// Stable code (stored on tasks).
    pub code: String,
    /// Name in Russian.
    pub name_ru: String,
    /// Name in English.
    pub name_en: String,
    /// The stage whose task this is; leaving the stage cancels its open tasks.
    pub stage: String,
    /// Created when the stage is entered (otherwise only by an effect).
    #[serde(default)]
    pub on_enter: bool,
    /// One task per sale line, carrying the line's product.
    #[serde(default)]
    pub per_line: bool,
    /// Conditions that must all hold for the task to be created on entering the stage.
    #[serde(default)]
    pub when: Vec<Condition>,
    /// A join: when an effect would create this task while a task with one of these codes (of the
    /// same product, for a per-line task) is still open, it is not created; the completion of the
    /// last of them, whose effect creates it too, does.
    #[serde(default)]
    pub wait_for: Vec<String>,
    /// Due in this many working days from creation.
    #[serde(default)]
    pub due_days: u32,
    /// Who gets the task.
    #[serde(default)]
    pub assignee: AssigneeRule,
    /// The outcomes to choose from on completion; when empty, completion takes none.
    #[serde(default)]
    pub outcomes: Vec<OutcomeDef>,
    /// Effects of completion, whatever the outcome.
    #[serde(default, skip_serializing_if = "Effects::is_empty")]
    pub then: Effects,
}

impl TaskTemplate {
    /// The name in the user's language.
    pub fn name(&self, lang: Lang) -> &str {
        lang.pick(&self.name_ru, &self.name_en)
    }

    /// The outcome with this code.
    pub fn outcome(&self, code: &str) -> Option<&OutcomeDef> {
        self.outcomes.iter().find(|o| o.code == code)
    }

    /// The codes of the outcomes, in order.
    pub fn outcome_codes(&self) -> Vec<String> {
        self.outcomes.iter().map(|o| o.code.clone()).collect()
    }
}

/// A problem in a process definition: a TOML syntax or type error (with its line), or a rule the
/// definition breaks (with the path of the offending value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DefinitionError {
    /// 1-based line of a TOML syntax or type error, when known.
    pub line: Option<usize>,
    /// Where the problem is, e.g. `tasks.send_kp.outcomes.accepted.create`; empty for TOML errors.
    pub path: String,
    /// The message in Russian.
    pub message_ru: String,
    /// The message in English.
    pub message_en: String,
}

impl DefinitionError {
    /// A rule violation at `path`; the path is appended to both messages in parentheses.
    pub fn at(path: impl Into<String>, ru: impl fmt::Display, en: impl fmt::Display) -> Self {
        let path = path.into();
        DefinitionError {
            line: None,
            message_ru: format!("{ru} ({path})"),
            message_en: format!("{en} ({path})"),
            path,
        }
    }

    /// The message in the user's language.
    pub fn message(&self, lang: Lang) -> &str {
        lang.pick(&self.message_ru, &self.message_en)
    }

    /// Turns a TOML error into a definition error with its 1-based line.
    fn from_toml(text: &str, error: &toml::de::Error) -> Self {
        let line = error
            .span()
            .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
        let detail = error.message().trim();
        let (message_ru, message_en) = match line {
            Some(line) => (
                format!("Ошибка TOML в строке {line}: {detail}"),
                format!("TOML error at line {line}: {detail}"),
            ),
            None => (
                format!("Ошибка TOML: {detail}"),
                format!("TOML error: {detail}"),
            ),
        };
        DefinitionError {
            line,
            path: String::new(),
            message_ru,
            message_en,
        }
    }
}

impl fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message_en)
    }
}

impl std::error::Error for DefinitionError {}

impl Definition {
    /// Parses a definition from TOML and validates it, reporting every problem found (a TOML error
    /// stops at the first one, since nothing after it can be read reliably).
    pub fn parse(text: &str) -> Result<Definition, Vec<DefinitionError>> {
        let definition: Definition =
            toml::from_str(text).map_err(|e| vec![DefinitionError::from_toml(text, &e)])?;
        definition.validate()?;
        Ok(definition)
    }

    /// Checks the rules of [`super::validate`]: every problem, or nothing.
    pub fn validate(&self) -> Result<(), Vec<DefinitionError>> {
        let errors = super::validate::validate(self);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The name in the user's language.
    pub fn name(&self, lang: Lang) -> &str {
        lang.pick(&self.name_ru, &self.name_en)
    }

    /// The stage with this code.
    pub fn stage(&self, code: &str) -> Option<&StageDef> {
        self.stages.iter().find(|s| s.code == code)
    }

    /// The position of the stage with this code in display order.
    pub fn stage_index(&self, code: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.code == code)
    }

    /// The task template with this code.
    pub fn task(&self, code: &str) -> Option<&TaskTemplate> {
        self.tasks.iter().find(|t| t.code == code)
    }

    /// The stage a new sale starts in (the first one). Panics on a definition without stages,
    /// which validation refuses.
    pub fn first_stage(&self) -> &StageDef {
        &self.stages[0]
    }

    /// The stage of kind `kind` (for `won` and `lost` there is exactly one in a valid definition).
    pub fn stage_of_kind(&self, kind: StageKind) -> Option<&StageDef> {
        self.stages.iter().find(|s| s.kind == kind)
    }

    /// Whether `won` may be entered from stage `from`.
    pub fn won_allowed_from(&self, from: &str) -> bool {
        self.won_from.is_empty() || self.won_from.iter().any(|s| s == from)
    }
}
