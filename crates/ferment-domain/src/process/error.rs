//! Why the engine refuses an event, in words for Russian and English users, with the request field
//! the refusal concerns.

use std::fmt;

use serde::Serialize;

use super::definition::{Definition, ProcessType, StageDef, TaskStatus};
use crate::validation::Lang;

/// A stage as named in a refusal: its code and both names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Named {
    /// Stable code.
    pub code: String,
    /// Name in Russian.
    pub name_ru: String,
    /// Name in English.
    pub name_en: String,
}

impl Named {
    /// The stage `code` of `def`, or the bare code when the definition does not know it.
    pub fn stage(def: &Definition, code: &str) -> Named {
        match def.stage(code) {
            Some(stage) => Named::from(stage),
            None => Named {
                code: code.to_string(),
                name_ru: code.to_string(),
                name_en: code.to_string(),
            },
        }
    }

    /// «Name» (`code`) in the user's language.
    fn show(&self, lang: Lang) -> String {
        match lang {
            Lang::Ru => format!("«{}» (`{}`)", self.name_ru, self.code),
            Lang::En => format!("“{}” (`{}`)", self.name_en, self.code),
        }
    }
}

impl From<&StageDef> for Named {
    fn from(stage: &StageDef) -> Self {
        Named {
            code: stage.code.clone(),
            name_ru: stage.name_ru.clone(),
            name_en: stage.name_en.clone(),
        }
    }
}

/// Why an event was refused. Each variant is something the user can act on, worded by
/// [`ProcessError::message`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProcessError {
    /// The sale is closed (won or lost): nothing more happens to it.
    ClosedSale {
        /// The closing stage the sale is in.
        stage: Named,
    },
    /// No stage with this code.
    UnknownStage {
        /// The code asked for.
        code: String,
    },
    /// The stage cannot be entered from the current one.
    NotAllowed {
        /// The current stage.
        from: Box<Named>,
        /// The stage asked for.
        to: Box<Named>,
    },
    /// The stage is not part of the sale's process type.
    NotInProcessType {
        /// The stage asked for.
        stage: Named,
        /// The sale's process type.
        process_type: ProcessType,
    },
    /// The stage needs the process type to be chosen.
    NeedsProcessType {
        /// The stage asked for.
        stage: Named,
    },
    /// The stage needs the contract kind to be chosen.
    NeedsContractKind {
        /// The stage asked for.
        stage: Named,
    },
    /// The move would skip a stage that is mandatory in the sale's process type.
    NotOptional {
        /// The mandatory stage.
        stage: Named,
        /// The sale's process type, when chosen.
        process_type: Option<ProcessType>,
    },
    /// Only an open stage ahead of the current one can be skipped.
    CannotSkip {
        /// The stage asked for.
        stage: Box<Named>,
        /// The current stage.
        current: Box<Named>,
    },
    /// A stage before the one to skip has been neither entered nor skipped.
    SkipOrder {
        /// The stage asked for.
        stage: Box<Named>,
        /// The earlier stage to enter or skip first.
        first: Box<Named>,
    },
    /// The stage was already skipped.
    AlreadySkipped {
        /// The stage asked for.
        stage: Named,
    },
    /// No task with this id on the sale.
    UnknownTask,
    /// The task is done or cancelled already.
    TaskNotOpen {
        /// The task's code.
        code: String,
        /// Its status.
        status: TaskStatus,
    },
    /// The task's completion needs an outcome.
    OutcomeRequired {
        /// The outcome codes to choose from.
        allowed: Vec<String>,
    },
    /// The task has no such outcome.
    UnknownOutcome {
        /// The outcome given.
        outcome: String,
        /// The outcome codes to choose from.
        allowed: Vec<String>,
    },
    /// The task has no outcomes, but one was given.
    NoOutcomes {
        /// The task's code.
        code: String,
    },
    /// The chosen outcome needs a value in the completion data.
    MissingData {
        /// The key, e.g. `recipe_id`.
        key: String,
    },
    /// The stage needs a reason (e.g. why the sale is lost).
    ReasonRequired {
        /// The stage asked for.
        stage: Named,
    },
    /// The process type cannot be changed any more.
    ProcessTypeLocked {
        /// The sale's process type.
        current: ProcessType,
    },
}

impl ProcessError {
    /// The request field the refusal concerns: `stage`, `outcome`, `data.<key>`, `reason`,
    /// `process_type`, `contract_kind` or `task`.
    pub fn field(&self) -> String {
        use ProcessError::*;
        match self {
            ClosedSale { .. }
            | UnknownStage { .. }
            | NotAllowed { .. }
            | NotInProcessType { .. }
            | NotOptional { .. }
            | CannotSkip { .. }
            | SkipOrder { .. }
            | AlreadySkipped { .. } => "stage".into(),
            NeedsProcessType { .. } | ProcessTypeLocked { .. } => "process_type".into(),
            NeedsContractKind { .. } => "contract_kind".into(),
            UnknownTask | TaskNotOpen { .. } => "task".into(),
            OutcomeRequired { .. } | UnknownOutcome { .. } | NoOutcomes { .. } => "outcome".into(),
            MissingData { key } => format!("data.{key}"),
            ReasonRequired { .. } => "reason".into(),
        }
    }

    /// The message a user reads, in their language.
    pub fn message(&self, lang: Lang) -> String {
        use ProcessError::*;
        let ru = lang == Lang::Ru;
        let codes = |list: &[String]| {
            list.iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            ClosedSale { stage } if ru => format!(
                "Продажа закрыта (этап {}): изменить её нельзя",
                stage.show(lang)
            ),
            ClosedSale { stage } => format!(
                "The sale is closed (stage {}): it cannot change any more",
                stage.show(lang)
            ),
            UnknownStage { code } if ru => format!("Этапа `{code}` нет в процессе"),
            UnknownStage { code } => format!("The process has no stage `{code}`"),
            NotAllowed { from, to } if ru => format!(
                "Этап {} нельзя начать из этапа {}",
                to.show(lang),
                from.show(lang)
            ),
            NotAllowed { from, to } => format!(
                "Stage {} cannot be entered from {}",
                to.show(lang),
                from.show(lang)
            ),
            NotInProcessType {
                stage,
                process_type,
            } if ru => format!(
                "Этапа {} нет в процессе «{}» (`{}`)",
                stage.show(lang),
                process_type.label(lang),
                process_type.code()
            ),
            NotInProcessType {
                stage,
                process_type,
            } => format!(
                "Stage {} is not part of the “{}” (`{}`) process",
                stage.show(lang),
                process_type.label(lang),
                process_type.code()
            ),
            NeedsProcessType { stage } if ru => format!(
                "Для этапа {} выберите тип процесса (полный или короткий)",
                stage.show(lang)
            ),
            NeedsProcessType { stage } => format!(
                "Stage {} needs the process type (full or short)",
                stage.show(lang)
            ),
            NeedsContractKind { stage } if ru => format!(
                "Для этапа {} выберите вид договора: договор, спецификация или договор + спецификация",
                stage.show(lang)
            ),
            NeedsContractKind { stage } => format!(
                "Stage {} needs the contract kind: contract, specification, or contract + specification",
                stage.show(lang)
            ),
            NotOptional {
                stage,
                process_type,
            } if ru => match process_type {
                Some(t) => format!(
                    "Этап {} обязателен в процессе «{}» (`{}`): его нельзя пропустить",
                    stage.show(lang),
                    t.label(lang),
                    t.code()
                ),
                None => format!(
                    "Этап {} нельзя пропустить, пока не выбран тип процесса",
                    stage.show(lang)
                ),
            },
            NotOptional {
                stage,
                process_type,
            } => match process_type {
                Some(t) => format!(
                    "Stage {} is mandatory in the “{}” (`{}`) process: it cannot be skipped",
                    stage.show(lang),
                    t.label(lang),
                    t.code()
                ),
                None => format!(
                    "Stage {} cannot be skipped before the process type is chosen",
                    stage.show(lang)
                ),
            },
            CannotSkip { stage, current } if ru => format!(
                "Пропустить можно только открытый этап впереди текущего ({}), а не {}",
                current.show(lang),
                stage.show(lang)
            ),
            CannotSkip { stage, current } => format!(
                "Only an open stage ahead of the current one ({}) can be skipped, not {}",
                current.show(lang),
                stage.show(lang)
            ),
            SkipOrder { stage, first } if ru => format!(
                "Прежде чем пропустить этап {}, начните или пропустите этап {}",
                stage.show(lang),
                first.show(lang)
            ),
            SkipOrder { stage, first } => format!(
                "Enter or skip stage {} before skipping {}",
                first.show(lang),
                stage.show(lang)
            ),
            AlreadySkipped { stage } if ru => format!("Этап {} уже пропущен", stage.show(lang)),
            AlreadySkipped { stage } => format!("Stage {} is already skipped", stage.show(lang)),
            UnknownTask if ru => "У этой продажи нет такой задачи".into(),
            UnknownTask => "The sale has no such task".into(),
            TaskNotOpen { code, status } if ru => format!(
                "Задача `{code}` уже не открыта (статус: {})",
                status.label(lang)
            ),
            TaskNotOpen { code, status } => format!(
                "Task `{code}` is no longer open (status: {})",
                status.label(lang)
            ),
            OutcomeRequired { allowed } if ru => {
                format!("Выберите результат задачи: {}", codes(allowed))
            }
            OutcomeRequired { allowed } => {
                format!("Choose the task's outcome: {}", codes(allowed))
            }
            UnknownOutcome { outcome, allowed } if ru => format!(
                "У задачи нет результата `{outcome}`; допустимые: {}",
                codes(allowed)
            ),
            UnknownOutcome { outcome, allowed } => format!(
                "The task has no outcome `{outcome}`; allowed: {}",
                codes(allowed)
            ),
            NoOutcomes { code } if ru => {
                format!("У задачи `{code}` нет вариантов результата: не указывайте его")
            }
            NoOutcomes { code } => {
                format!("Task `{code}` has no outcomes: complete it without one")
            }
            MissingData { key } if ru => format!("Для этого результата заполните `{key}`"),
            MissingData { key } => format!("This outcome needs `{key}`"),
            ReasonRequired { stage } if ru => {
                format!("Для этапа {} укажите причину", stage.show(lang))
            }
            ReasonRequired { stage } => format!("Stage {} needs a reason", stage.show(lang)),
            ProcessTypeLocked { current } if ru => format!(
                "Тип процесса уже выбран («{}», `{}`) и больше не меняется",
                current.label(lang),
                current.code()
            ),
            ProcessTypeLocked { current } => format!(
                "The process type is already set (“{}”, `{}`) and can no longer change",
                current.label(lang),
                current.code()
            ),
        }
    }
}

impl fmt::Display for ProcessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for ProcessError {}
