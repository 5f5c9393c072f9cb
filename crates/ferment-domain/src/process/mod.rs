//! The sales process: its definition as data and the engine that interprets it.
//!
//! - [`definition`]: the TOML format of a process (stages, task templates, outcomes, effects) and
//!   its parsing; [`validate`]: the rules a definition must follow. `docs/PROCESS.md` explains both
//!   for administrators.
//! - [`DEFAULT_TOML`] / [`default_definition`]: the shipped process, the one of the case study.
//! - [`engine`]: pure functions from a sale's process state and an event (enter or skip a stage,
//!   complete or cancel a task) to a [`Transition`] the storage layer applies; refusals are
//!   [`ProcessError`]s worded in Russian and English.
//! - [`calendar`]: working days (Russian weekends and public holidays) for due dates.
//!
//! Nothing here reads a clock or does I/O: dates are passed in, ids are made by the caller.

/// Implements `Deserialize` for `coded_enum!` types: the value is read as its stable code.
macro_rules! deserialize_by_code {
    ($($name:ident),+ $(,)?) => {$(
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let code = <String as serde::Deserialize>::deserialize(deserializer)?;
                $name::from_code(code.trim()).ok_or_else(|| {
                    let allowed: Vec<_> =
                        $name::ALL.iter().map(|v| format!("`{}`", v.code())).collect();
                    <D::Error as serde::de::Error>::custom(format!(
                        "unknown value `{code}`, expected one of {}",
                        allowed.join(", ")
                    ))
                })
            }
        }
    )+};
}

pub mod calendar;
pub mod definition;
pub mod engine;
pub mod error;
pub mod validate;

#[cfg(test)]
mod tests;

pub use definition::{
    AssigneeRule, Condition, ContractKind, Definition, DefinitionError, Effects, OutcomeDef,
    Predicate, ProcessType, Requirement, StageDef, StageKind, TaskStatus, TaskTemplate,
};
pub use engine::{
    BarMark, Completion, Event, LineFacts, Mark, NewTask, SaleState, StageMark, TaskState,
    Transition, allowed_moves, allowed_skips, apply, stage_bar, start,
};
pub use error::{Named, ProcessError};

/// The shipped process definition (the case study's process), as TOML.
pub const DEFAULT_TOML: &str = include_str!("default.toml");

/// The shipped process definition, parsed. It is checked by the tests, so parsing cannot fail.
pub fn default_definition() -> Definition {
    match Definition::parse(DEFAULT_TOML) {
        Ok(definition) => definition,
        Err(errors) => panic!("the shipped process definition is invalid: {errors:?}"),
    }
}
