//! The process engine: pure functions from a sale's process state and an event to the
//! [`Transition`] that follows, or the [`ProcessError`] that refuses it.
//!
//! The engine never changes the state itself: the storage layer writes the transition (new stage,
//! marks, created and cancelled tasks) in one transaction, the same way
//! [`SaleState::apply_transition`] folds it into the in-memory state.
//!
//! The rules, in short:
//! - a closed sale (stage of kind `won`/`lost`) refuses every event;
//! - **entering** an open stage `X` is allowed when `X` is in the `next` of the current stage, or of
//!   a stage ahead of it that the sale passes over — one skipped already in this stage visit or
//!   optional in the process type (stages outside the type are passed over freely); every stage
//!   passed over that belongs to the type is marked skipped. `won` follows `won_from`, `lost` is
//!   open from every open stage. The target must belong to the process type and get what it
//!   `requires`; leaving a stage cancels its open tasks; entering creates its `on_enter` tasks;
//!   entering `won`/`lost` cancels every open task and closes the sale;
//! - **skipping** marks the next optional stage(s) ahead as skipped, in order, without moving;
//! - **completing** a task takes one of its outcomes (when it has any) and runs the outcome's and
//!   the template's effects: the process type, a move, tasks to create, a stage to suggest;
//! - never are two open tasks with the same code and product.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::definition::{
    AssigneeRule, Condition, ContractKind, Definition, Predicate, ProcessType, Requirement,
    StageDef, StageKind, TaskStatus, TaskTemplate,
};
use super::error::{Named, ProcessError};
use crate::coded_enum;

coded_enum! {
    /// How a stage was passed on the sale's path.
    pub enum Mark {
        /// The stage was entered (worked in).
        Entered => ("entered", "Пройден", "Entered"),
        /// The stage was skipped.
        Skipped => ("skipped", "Пропущен", "Skipped"),
    }
}

coded_enum! {
    /// How a stage is shown on the sale card's progress bar.
    pub enum BarMark {
        /// Passed: the sale was in this stage.
        Entered => ("entered", "Пройден", "Entered"),
        /// Skipped on the way.
        Skipped => ("skipped", "Пропущен", "Skipped"),
        /// The sale is here now.
        Current => ("current", "Текущий", "Current"),
        /// Still ahead.
        Ahead => ("ahead", "Впереди", "Ahead"),
        /// Not part of the sale's process type.
        NotInType => ("not_in_type", "Не в этом процессе", "Not in this process"),
    }
}

deserialize_by_code!(Mark, BarMark);

/// One step of a sale's path through the stages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageMark {
    /// The stage's code.
    pub stage: String,
    /// Entered or skipped.
    pub mark: Mark,
}

impl StageMark {
    fn new(stage: &str, mark: Mark) -> Self {
        StageMark {
            stage: stage.to_string(),
            mark,
        }
    }
}

/// A task of a sale, as far as the process is concerned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskState {
    /// The task's id.
    pub id: Uuid,
    /// The code of its template.
    pub code: String,
    /// The product of the sale line it is about (per-line tasks).
    pub product_id: Option<Uuid>,
    /// The stage it belongs to.
    pub stage: String,
    /// Open, done or cancelled.
    pub status: TaskStatus,
    /// The outcome chosen on completion.
    pub outcome: Option<String>,
}

/// The facts about one sale line that task conditions test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineFacts {
    /// The line's product.
    pub product_id: Uuid,
    /// The client needs a sample of it.
    pub needs_sample: bool,
    /// The client pays for the sample.
    pub sample_paid: bool,
    /// The office sample store has it.
    pub in_office_stock: bool,
    /// A warehouse has it.
    pub in_warehouse_stock: bool,
}

impl LineFacts {
    /// Whether the line has the fact `predicate`.
    pub fn has(&self, predicate: Predicate) -> bool {
        match predicate {
            Predicate::NeedsSample => self.needs_sample,
            Predicate::InOfficeStock => self.in_office_stock,
            Predicate::InWarehouseStock => self.in_warehouse_stock,
            Predicate::SamplePaid => self.sample_paid,
        }
    }
}

/// Whether every condition holds for one line.
fn holds_on_line(conditions: &[Condition], line: &LineFacts) -> bool {
    conditions
        .iter()
        .all(|c| line.has(c.predicate) != c.negated)
}

/// Whether every condition holds for the sale: a predicate holds when any line has it.
fn holds_on_sale(conditions: &[Condition], lines: &[LineFacts]) -> bool {
    conditions
        .iter()
        .all(|c| lines.iter().any(|l| l.has(c.predicate)) != c.negated)
}

/// A sale's place in the process: what the engine needs to decide on an event.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SaleState {
    /// The current stage's code.
    pub stage: String,
    /// The process type, once chosen.
    pub process_type: Option<ProcessType>,
    /// The contract kind, once chosen.
    pub contract_kind: Option<ContractKind>,
    /// The path so far, in order.
    pub marks: Vec<StageMark>,
    /// The sale's process tasks (every status).
    pub tasks: Vec<TaskState>,
    /// The sale's lines.
    pub lines: Vec<LineFacts>,
}

impl SaleState {
    /// A sale not yet started (no stage); fold [`start`]'s transition into it.
    pub fn new(lines: Vec<LineFacts>) -> Self {
        SaleState {
            lines,
            ..SaleState::default()
        }
    }

    /// Whether the sale is in a closing stage (`won`/`lost`).
    pub fn is_closed(&self, def: &Definition) -> bool {
        def.stage(&self.stage).is_some_and(|s| !s.is_open())
    }

    /// The open tasks.
    pub fn open_tasks(&self) -> impl Iterator<Item = &TaskState> {
        self.tasks.iter().filter(|t| t.status == TaskStatus::Open)
    }

    /// The task with this id.
    pub fn task(&self, id: Uuid) -> Option<&TaskState> {
        self.tasks.iter().find(|t| t.id == id)
    }

    /// Folds a transition into the state, the way the storage layer writes it: cancels, completes,
    /// moves, appends the marks and adds the new tasks with ids from `new_id`. Returns the new
    /// tasks' ids, in the order of `transition.create`.
    pub fn apply_transition(
        &mut self,
        transition: &Transition,
        mut new_id: impl FnMut() -> Uuid,
    ) -> Vec<Uuid> {
        for task in &mut self.tasks {
            if task.status == TaskStatus::Open && transition.cancel.contains(&task.id) {
                task.status = TaskStatus::Cancelled;
            }
        }
        if let Some(done) = &transition.completed
            && let Some(task) = self.tasks.iter_mut().find(|t| t.id == done.task_id)
        {
            task.status = TaskStatus::Done;
            task.outcome = done.outcome.clone();
        }
        self.stage = transition.stage.clone();
        self.process_type = transition.process_type;
        self.contract_kind = transition.contract_kind;
        self.marks.extend(transition.marks.iter().cloned());
        transition
            .create
            .iter()
            .map(|new| {
                let id = new_id();
                self.tasks.push(TaskState {
                    id,
                    code: new.code.clone(),
                    product_id: new.product_id,
                    stage: new.stage.clone(),
                    status: TaskStatus::Open,
                    outcome: None,
                });
                id
            })
            .collect()
    }
}

/// Something that happens to a sale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// Enter a stage (including `won` and `lost`).
    Enter {
        /// The stage's code.
        stage: String,
        /// The process type, when chosen with the move.
        #[serde(default)]
        process_type: Option<ProcessType>,
        /// The contract kind, when chosen with the move.
        #[serde(default)]
        contract_kind: Option<ContractKind>,
        /// Why (needed where the stage has `reason_required`, e.g. `lost`).
        #[serde(default)]
        reason: Option<String>,
    },
    /// Skip an optional stage ahead without moving.
    Skip {
        /// The stage's code.
        stage: String,
    },
    /// Complete a task.
    Complete {
        /// The task.
        task_id: Uuid,
        /// The outcome chosen (when the task has outcomes).
        #[serde(default)]
        outcome: Option<String>,
        /// Values the outcome needs (e.g. `recipe_id`).
        #[serde(default)]
        data: serde_json::Map<String, serde_json::Value>,
    },
    /// Cancel a task (no effects follow).
    Cancel {
        /// The task.
        task_id: Uuid,
    },
}

/// A task completed by the event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Completion {
    /// The task.
    pub task_id: Uuid,
    /// The outcome chosen, if the task has outcomes.
    pub outcome: Option<String>,
}

/// A task the transition creates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewTask {
    /// The template's code.
    pub code: String,
    /// The product of the line it is about (per-line templates).
    pub product_id: Option<Uuid>,
    /// The template's stage.
    pub stage: String,
    /// Due in this many working days from creation (see [`super::calendar`]).
    pub due_days: u32,
    /// Who gets it.
    pub assignee: AssigneeRule,
    /// Name in Russian.
    pub name_ru: String,
    /// Name in English.
    pub name_en: String,
}

impl NewTask {
    fn from_template(template: &TaskTemplate, product_id: Option<Uuid>) -> Self {
        NewTask {
            code: template.code.clone(),
            product_id,
            stage: template.stage.clone(),
            due_days: template.due_days,
            assignee: template.assignee.clone(),
            name_ru: template.name_ru.clone(),
            name_en: template.name_en.clone(),
        }
    }
}

/// What an event does to a sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transition {
    /// The current stage after the event.
    pub stage: String,
    /// The process type after the event.
    pub process_type: Option<ProcessType>,
    /// The contract kind after the event.
    pub contract_kind: Option<ContractKind>,
    /// Marks to append, in order (the stages skipped, then the one entered).
    pub marks: Vec<StageMark>,
    /// Tasks to create.
    pub create: Vec<NewTask>,
    /// Open tasks to cancel.
    pub cancel: Vec<Uuid>,
    /// The task completed, with its outcome.
    pub completed: Option<Completion>,
    /// A stage the interface proposes next (from an outcome's `suggest`).
    pub suggest: Option<String>,
    /// Set when the sale closes (won or lost).
    pub closed: Option<StageKind>,
}

/// A new sale: it enters the first stage and gets that stage's `on_enter` tasks.
pub fn start(def: &Definition, lines: &[LineFacts]) -> Transition {
    let state = SaleState::new(lines.to_vec());
    let mut work = Work::new(def, &state);
    if let Some(first) = def.stages.first() {
        work.arrive(first, Vec::new());
    }
    work.finish()
}

/// What `event` does to the sale in `state`, or why it is refused.
pub fn apply(
    def: &Definition,
    state: &SaleState,
    event: &Event,
) -> Result<Transition, ProcessError> {
    if let Some(stage) = def.stage(&state.stage)
        && !stage.is_open()
    {
        return Err(ProcessError::ClosedSale {
            stage: Named::from(stage),
        });
    }
    let mut work = Work::new(def, state);
    match event {
        Event::Enter {
            stage,
            process_type,
            contract_kind,
            reason,
        } => work.enter(stage, *process_type, *contract_kind, reason.as_deref())?,
        Event::Skip { stage } => work.skip(stage)?,
        Event::Complete {
            task_id,
            outcome,
            data,
        } => work.complete(*task_id, outcome.as_deref(), data)?,
        Event::Cancel { task_id } => {
            let task = work.open_task(*task_id)?;
            work.cancel.push(task.id);
        }
    }
    Ok(work.finish())
}

/// The stages the sale may enter now, in display order, `won` and `lost` included: those for which
/// an `Enter` event succeeds with some contract kind and reason, and — while the process type is
/// not chosen — some process type. (A chosen type may still be re-chosen with the move until it is
/// locked; those moves are not listed.)
pub fn allowed_moves(def: &Definition, state: &SaleState) -> Vec<String> {
    if state.is_closed(def) {
        return Vec::new();
    }
    let mut types = vec![None];
    if state.process_type.is_none() {
        types.extend(ProcessType::ALL.iter().map(|&t| Some(t)));
    }
    let contract_kind = state
        .contract_kind
        .is_none()
        .then_some(ContractKind::Contract);
    def.stages
        .iter()
        .filter(|stage| {
            types.iter().any(|&process_type| {
                let event = Event::Enter {
                    stage: stage.code.clone(),
                    process_type,
                    contract_kind,
                    reason: Some("—".into()),
                };
                apply(def, state, &event).is_ok()
            })
        })
        .map(|stage| stage.code.clone())
        .collect()
}

/// The stages the sale may skip now (a `Skip` event succeeds), in display order.
pub fn allowed_skips(def: &Definition, state: &SaleState) -> Vec<String> {
    def.stages
        .iter()
        .filter(|stage| {
            let event = Event::Skip {
                stage: stage.code.clone(),
            };
            apply(def, state, &event).is_ok()
        })
        .map(|stage| stage.code.clone())
        .collect()
}

/// The progress bar of the sale card: every open stage in display order with how it stands, and
/// the closing stage when the sale is closed.
pub fn stage_bar(def: &Definition, state: &SaleState) -> Vec<(String, BarMark)> {
    def.stages
        .iter()
        .filter(|stage| stage.is_open() || stage.code == state.stage)
        .map(|stage| {
            let last = state
                .marks
                .iter()
                .rev()
                .find(|m| m.stage == stage.code)
                .map(|m| m.mark);
            let mark = if stage.code == state.stage {
                BarMark::Current
            } else if state.process_type.is_some_and(|t| !stage.belongs_to(t)) {
                BarMark::NotInType
            } else {
                match last {
                    Some(Mark::Entered) => BarMark::Entered,
                    Some(Mark::Skipped) => BarMark::Skipped,
                    None => BarMark::Ahead,
                }
            };
            (stage.code.clone(), mark)
        })
        .collect()
}

/// Whether `stage` is part of the process type; with the type not chosen, every stage may be.
fn in_type(stage: &StageDef, process_type: Option<ProcessType>) -> bool {
    process_type.is_none_or(|t| stage.belongs_to(t))
}

/// Whether `stage` may be skipped in the process type; with the type not chosen, only a stage
/// optional in every type it belongs to.
fn optional_for(stage: &StageDef, process_type: Option<ProcessType>) -> bool {
    match process_type {
        Some(t) => stage.optional_in(t),
        None => ProcessType::ALL
            .iter()
            .filter(|&&t| stage.belongs_to(t))
            .all(|&t| stage.optional_in(t)),
    }
}

/// The transition being built for one event.
struct Work<'a> {
    def: &'a Definition,
    state: &'a SaleState,
    stage: String,
    process_type: Option<ProcessType>,
    contract_kind: Option<ContractKind>,
    marks: Vec<StageMark>,
    create: Vec<NewTask>,
    cancel: Vec<Uuid>,
    completed: Option<Completion>,
    suggest: Option<String>,
    closed: Option<StageKind>,
}

impl<'a> Work<'a> {
    fn new(def: &'a Definition, state: &'a SaleState) -> Self {
        Work {
            def,
            state,
            stage: state.stage.clone(),
            process_type: state.process_type,
            contract_kind: state.contract_kind,
            marks: Vec::new(),
            create: Vec::new(),
            cancel: Vec::new(),
            completed: None,
            suggest: None,
            closed: None,
        }
    }

    fn finish(self) -> Transition {
        Transition {
            stage: self.stage,
            process_type: self.process_type,
            contract_kind: self.contract_kind,
            marks: self.marks,
            create: self.create,
            cancel: self.cancel,
            completed: self.completed,
            suggest: self.suggest,
            closed: self.closed,
        }
    }

    fn named(&self, code: &str) -> Named {
        Named::stage(self.def, code)
    }

    /// The open task `id`, or why it cannot be acted on.
    fn open_task(&self, id: Uuid) -> Result<&'a TaskState, ProcessError> {
        let task = self.state.task(id).ok_or(ProcessError::UnknownTask)?;
        if task.status != TaskStatus::Open {
            return Err(ProcessError::TaskNotOpen {
                code: task.code.clone(),
                status: task.status,
            });
        }
        Ok(task)
    }

    /// Whether a task of the state is still open after what this transition did so far.
    fn still_open(&self, task: &TaskState) -> bool {
        task.status == TaskStatus::Open
            && !self.cancel.contains(&task.id)
            && self.completed.as_ref().is_none_or(|c| c.task_id != task.id)
    }

    /// The (code, product) of every task open after this transition so far.
    fn open_pairs(&self) -> impl Iterator<Item = (&str, Option<Uuid>)> {
        self.state
            .tasks
            .iter()
            .filter(|t| self.still_open(t))
            .map(|t| (t.code.as_str(), t.product_id))
            .chain(self.create.iter().map(|t| (t.code.as_str(), t.product_id)))
    }

    /// The marks of the path so far, the state's then this transition's.
    fn all_marks(&self) -> impl Iterator<Item = &StageMark> {
        self.state.marks.iter().chain(self.marks.iter())
    }

    /// The stages skipped since the current stage was entered.
    fn visit_skips(&self) -> HashSet<String> {
        let marks: Vec<&StageMark> = self.all_marks().collect();
        let from = marks
            .iter()
            .rposition(|m| m.mark == Mark::Entered)
            .map_or(0, |i| i + 1);
        marks[from..]
            .iter()
            .filter(|m| m.mark == Mark::Skipped)
            .map(|m| m.stage.clone())
            .collect()
    }

    /// The process type is locked once the path holds a stage that needs it or belongs to only
    /// some types.
    fn process_type_locked(&self) -> bool {
        self.all_marks().any(|m| {
            self.def
                .stage(&m.stage)
                .is_some_and(|s| s.requires(Requirement::ProcessType) || !s.belongs_to_all())
        })
    }

    fn set_process_type(&mut self, process_type: ProcessType) -> Result<(), ProcessError> {
        match self.process_type {
            Some(current) if current != process_type && self.process_type_locked() => {
                Err(ProcessError::ProcessTypeLocked { current })
            }
            _ => {
                self.process_type = Some(process_type);
                Ok(())
            }
        }
    }

    /// Enters stage `code` with the checks of a move by hand.
    fn enter(
        &mut self,
        code: &str,
        process_type: Option<ProcessType>,
        contract_kind: Option<ContractKind>,
        reason: Option<&str>,
    ) -> Result<(), ProcessError> {
        let def = self.def;
        let target_index = def
            .stage_index(code)
            .ok_or_else(|| ProcessError::UnknownStage {
                code: code.to_string(),
            })?;
        let target = &def.stages[target_index];
        let current = self.stage.clone();
        let current_index = def.stage_index(&current);
        let not_allowed = || ProcessError::NotAllowed {
            from: Box::new(Named::stage(def, &current)),
            to: Box::new(Named::from(target)),
        };
        if let Some(t) = process_type {
            self.set_process_type(t)?;
        }
        if let Some(kind) = contract_kind {
            self.contract_kind = Some(kind);
        }
        let process_type = self.process_type;

        match target.kind {
            StageKind::Won if !def.won_allowed_from(&current) => return Err(not_allowed()),
            StageKind::Won | StageKind::Lost => {}
            StageKind::Open => {
                let Some(current_index) = current_index else {
                    return Err(not_allowed());
                };
                if !self.reaches(current_index, target_index, process_type) {
                    return Err(not_allowed());
                }
            }
        }
        match process_type {
            Some(t) if !target.belongs_to(t) => {
                return Err(ProcessError::NotInProcessType {
                    stage: Named::from(target),
                    process_type: t,
                });
            }
            None if !target.belongs_to_all() => {
                return Err(ProcessError::NeedsProcessType {
                    stage: Named::from(target),
                });
            }
            _ => {}
        }
        for requirement in &target.requires {
            match requirement {
                Requirement::ProcessType if process_type.is_none() => {
                    return Err(ProcessError::NeedsProcessType {
                        stage: Named::from(target),
                    });
                }
                Requirement::ContractKind if self.contract_kind.is_none() => {
                    return Err(ProcessError::NeedsContractKind {
                        stage: Named::from(target),
                    });
                }
                _ => {}
            }
        }
        if target.reason_required && reason.is_none_or(|r| r.trim().is_empty()) {
            return Err(ProcessError::ReasonRequired {
                stage: Named::from(target),
            });
        }

        // The stages passed over are marked skipped; each must be optional in the type.
        let mut skipped = Vec::new();
        if let Some(current_index) = current_index
            && target.is_open()
            && target_index > current_index
        {
            let already = self.visit_skips();
            for stage in &def.stages[current_index + 1..target_index] {
                if !stage.is_open()
                    || !in_type(stage, process_type)
                    || already.contains(&stage.code)
                {
                    continue;
                }
                if !optional_for(stage, process_type) {
                    return Err(ProcessError::NotOptional {
                        stage: Named::from(stage),
                        process_type,
                    });
                }
                skipped.push(StageMark::new(&stage.code, Mark::Skipped));
            }
        }
        self.leave(target.is_open());
        self.arrive(target, skipped);
        Ok(())
    }

    /// Whether open stage `target` can be entered from `current`: it is in the `next` of the
    /// current stage or of a stage ahead that the sale passes over, and not at or behind a stage
    /// skipped in this visit.
    fn reaches(&self, current: usize, target: usize, process_type: Option<ProcessType>) -> bool {
        let def = self.def;
        let skips = self.visit_skips();
        let furthest_skip = skips.iter().filter_map(|code| def.stage_index(code)).max();
        if target > current && furthest_skip.is_some_and(|f| target <= f) {
            return false;
        }
        let code = &def.stages[target].code;
        if def.stages[current].next.contains(code) {
            return true;
        }
        if target <= current {
            // Passing over stages only ever moves forward.
            return false;
        }
        for (index, stage) in def.stages.iter().enumerate().skip(current + 1) {
            if index == target {
                break;
            }
            if !stage.is_open() || !in_type(stage, process_type) {
                continue;
            }
            if !skips.contains(&stage.code) && !optional_for(stage, process_type) {
                break;
            }
            if stage.next.contains(code) {
                return true;
            }
        }
        false
    }

    /// Leaves the current stage: cancels its open tasks (every open task when the sale closes).
    fn leave(&mut self, to_open: bool) {
        let current = self.stage.clone();
        let cancel: Vec<Uuid> = self
            .state
            .tasks
            .iter()
            .filter(|t| self.still_open(t) && (!to_open || t.stage == current))
            .map(|t| t.id)
            .collect();
        self.cancel.extend(cancel);
        self.create.retain(|t| to_open && t.stage != current);
    }

    /// Arrives in `stage` after the stages `skipped`: marks, closing, `on_enter` tasks.
    fn arrive(&mut self, stage: &StageDef, skipped: Vec<StageMark>) {
        self.marks.extend(skipped);
        self.marks.push(StageMark::new(&stage.code, Mark::Entered));
        self.stage = stage.code.clone();
        if !stage.is_open() {
            self.closed = Some(stage.kind);
            return;
        }
        let def = self.def;
        let lines = &self.state.lines;
        for template in def
            .tasks
            .iter()
            .filter(|t| t.on_enter && t.stage == stage.code)
        {
            if template.per_line {
                for line in lines.iter().filter(|l| holds_on_line(&template.when, l)) {
                    self.push_task(template, Some(line.product_id));
                }
            } else if holds_on_sale(&template.when, lines) {
                self.push_task(template, None);
            }
        }
    }

    /// Adds a task unless one with the same code and product is open.
    fn push_task(&mut self, template: &TaskTemplate, product_id: Option<Uuid>) {
        let duplicate = self
            .open_pairs()
            .any(|(code, product)| code == template.code && product == product_id);
        if !duplicate {
            self.create
                .push(NewTask::from_template(template, product_id));
        }
    }

    /// Creates `template` as an effect of completing a task about `product_id`, following its
    /// `wait_for` join.
    fn create_by_effect(&mut self, template: &TaskTemplate, product_id: Option<Uuid>) {
        let products: Vec<Option<Uuid>> = match (template.per_line, product_id) {
            (false, _) => vec![None],
            (true, Some(product)) => vec![Some(product)],
            (true, None) => self
                .state
                .lines
                .iter()
                .filter(|l| holds_on_line(&template.when, l))
                .map(|l| Some(l.product_id))
                .collect(),
        };
        for product in products {
            let waiting = self.open_pairs().any(|(code, other)| {
                template.wait_for.iter().any(|w| w == code)
                    && (!template.per_line || other.is_none() || other == product)
            });
            if !waiting {
                self.push_task(template, product);
            }
        }
    }

    fn skip(&mut self, code: &str) -> Result<(), ProcessError> {
        let def = self.def;
        let target_index = def
            .stage_index(code)
            .ok_or_else(|| ProcessError::UnknownStage {
                code: code.to_string(),
            })?;
        let target = &def.stages[target_index];
        let cannot = || ProcessError::CannotSkip {
            stage: Box::new(Named::from(target)),
            current: Box::new(self.named(&self.stage)),
        };
        let Some(current_index) = def.stage_index(&self.stage) else {
            return Err(cannot());
        };
        if !target.is_open() || target_index <= current_index {
            return Err(cannot());
        }
        let process_type = self.process_type;
        match process_type {
            Some(t) if !target.belongs_to(t) => {
                return Err(ProcessError::NotInProcessType {
                    stage: Named::from(target),
                    process_type: t,
                });
            }
            None if !target.belongs_to_all() => {
                return Err(ProcessError::NeedsProcessType {
                    stage: Named::from(target),
                });
            }
            _ => {}
        }
        let skips = self.visit_skips();
        if skips.contains(&target.code) {
            return Err(ProcessError::AlreadySkipped {
                stage: Named::from(target),
            });
        }
        if !optional_for(target, process_type) {
            return Err(ProcessError::NotOptional {
                stage: Named::from(target),
                process_type,
            });
        }
        if let Some(first) = def.stages[current_index + 1..target_index]
            .iter()
            .find(|s| s.is_open() && in_type(s, process_type) && !skips.contains(&s.code))
        {
            return Err(ProcessError::SkipOrder {
                stage: Box::new(Named::from(target)),
                first: Box::new(Named::from(first)),
            });
        }
        self.marks.push(StageMark::new(&target.code, Mark::Skipped));
        Ok(())
    }

    fn complete(
        &mut self,
        task_id: Uuid,
        outcome: Option<&str>,
        data: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<(), ProcessError> {
        let def = self.def;
        let task = self.open_task(task_id)?;
        let outcome = outcome.map(str::trim).filter(|o| !o.is_empty());
        let template = def.task(&task.code);
        let chosen = match template {
            Some(template) if !template.outcomes.is_empty() => {
                let Some(outcome) = outcome else {
                    return Err(ProcessError::OutcomeRequired {
                        allowed: template.outcome_codes(),
                    });
                };
                Some(
                    template
                        .outcome(outcome)
                        .ok_or_else(|| ProcessError::UnknownOutcome {
                            outcome: outcome.to_string(),
                            allowed: template.outcome_codes(),
                        })?,
                )
            }
            _ => {
                if outcome.is_some() {
                    return Err(ProcessError::NoOutcomes {
                        code: task.code.clone(),
                    });
                }
                None
            }
        };
        if let Some(chosen) = chosen {
            for key in &chosen.requires_data {
                let present = match data.get(key) {
                    None | Some(serde_json::Value::Null) => false,
                    Some(serde_json::Value::String(s)) => !s.trim().is_empty(),
                    Some(_) => true,
                };
                if !present {
                    return Err(ProcessError::MissingData { key: key.clone() });
                }
            }
        }
        self.completed = Some(Completion {
            task_id,
            outcome: chosen.map(|o| o.code.clone()),
        });

        // The outcome's effects first, then the template's.
        let effects: Vec<_> = chosen
            .map(|o| &o.effects)
            .into_iter()
            .chain(template.map(|t| &t.then))
            .collect();
        if let Some(t) = effects.iter().find_map(|e| e.process_type) {
            self.set_process_type(t)?;
        }
        if let Some(stage) = effects.iter().find_map(|e| e.stage.as_deref()) {
            let reason = data.get("reason").and_then(|r| r.as_str());
            self.enter(stage, None, None, reason)?;
        }
        self.suggest = effects.iter().find_map(|e| e.suggest.clone());
        if self.closed.is_none() {
            for code in effects.iter().flat_map(|e| e.create.iter()) {
                if let Some(next) = def.task(code) {
                    self.create_by_effect(next, task.product_id);
                }
            }
        }
        Ok(())
    }
}
