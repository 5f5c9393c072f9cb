//! Bulk loading of sales: many sales with their lines, tasks and event logs, each in a state the
//! process engine itself reached, written with multi-row `INSERT` statements (for benchmarks and
//! imports).
//!
//! Two halves:
//!
//! - [`Replay`] plays a sale's script ([`Step`]s: enter or skip a stage, complete tasks, set a manual
//!   task) through the domain's engine (`ferment_domain::process::engine::{start, apply}`) in memory,
//!   doing what `ferment-web`'s `app::process::write` does with each transition — cancelling and
//!   creating tasks (assignee by the rule, due date in working days, the product in the title),
//!   appending the stage marks and events in the same order, storing the new process state and
//!   bumping the sale's version only when it changes. The result, a [`Planned`] sale, is the rows
//!   the normal path would leave after the same script: the sale, its tasks and its event log.
//! - [`insert_sales`] writes planned sales: the sales with their lines and search words, their
//!   tasks, their `sale_events`, and one `create` entry in the change history per sale and per task
//!   holding the record's final state (what the normal path's create and update entries add up to).
//!
//! The conformance test (`crates/ferment-web/tests/bulk_sales.rs`) plays the same scripts through
//! the API and compares the rows. Statements bind at most [`crate::bulk::MAX_BINDS`] values. Like
//! [`crate::bulk`], it checks nothing the caller should have checked (references exist, lines are
//! valid).

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use ferment_domain::history::diff;
use ferment_domain::process::calendar::add_working_days;
use ferment_domain::process::engine::{self, Event, LineFacts, Mark, SaleState, Transition};
use ferment_domain::process::{
    AssigneeRule, ContractKind, Definition, ProcessError, ProcessType, StageKind, TaskStatus,
};
use ferment_domain::sale::{Contract, Sale, totals};
use ferment_domain::text::normalize;
use serde::Serialize;
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::bulk::insert_rows;
use crate::sales::{NewEvent, ProcessState, SaleRecord, date_text};
use crate::sql::Arg;
use crate::tasks::TaskRecord;
use crate::{Meta, StoreResult, new_id, time_text};

/// One move of a sale's script, as a user makes it through the API.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Enter a stage (`won` and `lost` included): `POST /sales/{id}/stage`.
    Enter {
        /// Stage code.
        stage: String,
        /// The process type chosen with the move.
        process_type: Option<ProcessType>,
        /// The contract kind chosen with the move.
        contract_kind: Option<ContractKind>,
        /// The reason (losing).
        reason: Option<String>,
    },
    /// Mark an optional stage ahead as skipped: `POST /sales/{id}/stage` with `"skip": true`.
    Skip {
        /// Stage code.
        stage: String,
    },
    /// Complete every task of this kind open when the step starts, oldest first, each as
    /// `POST /tasks/{id}/complete` does (one engine event each).
    Complete {
        /// Task kind (a process task code or a manual kind).
        kind: String,
        /// The outcome (for kinds that have outcomes).
        outcome: Option<String>,
        /// The outcome's data.
        data: serde_json::Map<String, serde_json::Value>,
    },
    /// A manual task about the sale, set by the actor for themselves: `POST /tasks` with `sale_id`
    /// and `due_on`.
    Manual {
        /// `call`, `meeting`, `email` or `todo`.
        kind: String,
        /// Title.
        title: String,
        /// Due this many working days after the step's day.
        due_days: u32,
    },
}

impl Step {
    /// Enter `stage` with nothing chosen.
    pub fn enter(stage: &str) -> Step {
        Step::Enter {
            stage: stage.to_string(),
            process_type: None,
            contract_kind: None,
            reason: None,
        }
    }

    /// Complete the open tasks of `kind` with `outcome`, without data.
    pub fn complete(kind: &str, outcome: Option<&str>) -> Step {
        Step::Complete {
            kind: kind.to_string(),
            outcome: outcome.map(str::to_string),
            data: serde_json::Map::new(),
        }
    }
}

/// Who gets the tasks whose rule names a role or a login. As the normal path does, a rule nobody
/// fits gives the task to the sale's owner; a role maps to one user here (the normal path picks the
/// least loaded holder of the role, which is the same user when one user holds it).
#[derive(Debug, Clone, Default)]
pub struct People {
    /// Role code → user.
    pub by_role: HashMap<String, Uuid>,
    /// Login → user.
    pub by_login: HashMap<String, Uuid>,
}

/// What a sale's replay starts from.
#[derive(Debug, Clone)]
pub struct Script<'a> {
    /// The process definition the sale runs on.
    pub definition: &'a Definition,
    /// Its stored version's id.
    pub process_id: Uuid,
    /// The deal as created (owner set; the process type is the engine's and is ignored here).
    pub sale: &'a Sale,
    /// The client's territory.
    pub territory_id: Option<Uuid>,
    /// The lead it comes from.
    pub lead_id: Option<Uuid>,
    /// The engine's view of the lines (flags and stock), in line order.
    pub lines: &'a [LineFacts],
    /// Assignees of role and login rules.
    pub people: &'a People,
    /// Product names, for the titles of per-line tasks.
    pub product_names: &'a HashMap<Uuid, String>,
    /// The contract as drawn from the sale (`app::process::draw_contract`), used when the contract
    /// kind is first chosen; its kind is replaced by the chosen one.
    pub contract: Option<&'a Contract>,
    /// Who makes every move (creator of the sale and its tasks, completer, author of the events).
    pub actor: Option<Uuid>,
    /// When the sale is created.
    pub started_at: DateTime<Utc>,
    /// Time between two moves.
    pub interval: Duration,
}

/// Why a script cannot be played.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The engine refused a move, as the API would (409 or 422).
    #[error("step {step}: {error}")]
    Refused {
        /// Index of the step.
        step: usize,
        /// The engine's reason.
        error: ProcessError,
    },
    /// A `Complete` step found no open task of its kind.
    #[error("step {step}: no open task {kind}")]
    NoOpenTask {
        /// Index of the step.
        step: usize,
        /// The kind asked for.
        kind: String,
    },
    /// A task to complete was closed by an earlier completion of the same step.
    #[error("step {step}: task {kind} was closed meanwhile")]
    Closed {
        /// Index of the step.
        step: usize,
        /// Its kind.
        kind: String,
    },
    /// A manual task was given an outcome.
    #[error("step {step}: task {kind} has no outcomes")]
    NoOutcomes {
        /// Index of the step.
        step: usize,
        /// Its kind.
        kind: String,
    },
    /// A contract kind was chosen but [`Script::contract`] is missing.
    #[error("step {step}: the contract stage needs Script::contract")]
    NoContract {
        /// Index of the step.
        step: usize,
    },
}

/// One event of a planned sale's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedEvent {
    /// Order within the sale, from 1.
    pub seq: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub user_id: Option<Uuid>,
    /// What.
    pub event: NewEvent,
}

/// A sale as its script left it: the rows [`insert_sales`] writes.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    /// The sale (id, version, times, deal, process state).
    pub sale: SaleRecord,
    /// Its tasks, in the order they were set.
    pub tasks: Vec<TaskRecord>,
    /// Its event log, in order.
    pub events: Vec<PlannedEvent>,
    /// Who created it (the history's author).
    pub actor: Option<Uuid>,
}

/// A sale being played: start it with [`Replay::start`], feed it [`Step`]s, take the result with
/// [`Replay::finish`]. Between steps it tells what is open, so a generator can choose the next move.
#[derive(Debug)]
pub struct Replay<'a> {
    script: Script<'a>,
    sale: SaleRecord,
    tasks: Vec<TaskRecord>,
    events: Vec<PlannedEvent>,
    engine: SaleState,
    /// Moves made so far (the clock: move `n` happens at `started_at + n × (interval + 1 ms)`).
    moves: i32,
    step: usize,
}

/// A transition's cause, for the log.
#[derive(Default)]
struct Cause {
    reason: Option<String>,
}

impl<'a> Replay<'a> {
    /// Creates the sale at the process's first stage and starts its process (the engine's
    /// `start`), as `app::sales::create` does.
    pub fn start(script: Script<'a>) -> Replay<'a> {
        let definition = script.definition;
        let first = definition.first_stage();
        let at = script.started_at;
        let mut data = script.sale.clone();
        data.process_type = None;
        let sale = SaleRecord {
            meta: Meta {
                id: new_id(),
                version: 1,
                created_at: at,
                updated_at: at,
            },
            amount: totals(&data.lines).amount,
            data,
            state: ProcessState {
                process_id: script.process_id,
                stage: first.code.clone(),
                closed: false,
                contract_kind: None,
                contract: None,
                probability: i64::from(first.probability),
                lost_reason: None,
                closed_at: None,
            },
            lead_id: script.lead_id,
            territory_id: script.territory_id,
        };
        let lines = script.lines;
        let mut replay = Replay {
            engine: SaleState::new(lines.to_vec()),
            script,
            sale,
            tasks: Vec::new(),
            events: Vec::new(),
            moves: 0,
            step: 0,
        };
        let transition = engine::start(definition, lines);
        // The first stage has no contract to draw, so this cannot fail.
        let _ = replay.write(&transition, &Cause::default(), Vec::new());
        replay
    }

    /// The sale as it stands.
    pub fn sale(&self) -> &SaleRecord {
        &self.sale
    }

    /// Its tasks so far, in the order they were set.
    pub fn tasks(&self) -> &[TaskRecord] {
        &self.tasks
    }

    /// The open tasks.
    pub fn open_tasks(&self) -> impl Iterator<Item = &TaskRecord> {
        self.tasks.iter().filter(|t| t.status == TaskStatus::Open)
    }

    /// Starts the next move.
    fn tick(&mut self) {
        self.moves += 1;
    }

    /// The time of the current move: a millisecond more than the interval after the previous one,
    /// so that rows of later moves sort after earlier ones (as the normal path's clock has them)
    /// even with a zero interval; rows of one move are a microsecond apart.
    fn now(&self) -> DateTime<Utc> {
        self.script.started_at + (self.script.interval + Duration::milliseconds(1)) * self.moves
    }

    /// Moscow's date at the current move (the calendar due dates count in).
    fn today(&self) -> NaiveDate {
        (self.now() + Duration::hours(3)).date_naive()
    }

    /// Plays one step.
    pub fn step(&mut self, step: &Step) -> Result<(), PlanError> {
        let index = self.step;
        self.step += 1;
        match step {
            Step::Enter {
                stage,
                process_type,
                contract_kind,
                reason,
            } => {
                let reason = reason.as_deref().map(|r| r.trim().to_string());
                let event = Event::Enter {
                    stage: stage.clone(),
                    process_type: *process_type,
                    contract_kind: *contract_kind,
                    reason: reason.clone(),
                };
                self.engine_move(index, &event, Cause { reason }, Vec::new())
            }
            Step::Skip { stage } => self.engine_move(
                index,
                &Event::Skip {
                    stage: stage.clone(),
                },
                Cause::default(),
                Vec::new(),
            ),
            Step::Complete {
                kind,
                outcome,
                data,
            } => {
                let open: Vec<usize> = self
                    .tasks
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| t.kind == *kind && t.status == TaskStatus::Open)
                    .map(|(i, _)| i)
                    .collect();
                if open.is_empty() {
                    return Err(PlanError::NoOpenTask {
                        step: index,
                        kind: kind.clone(),
                    });
                }
                for task in open {
                    self.complete(index, task, outcome.as_deref(), data)?;
                }
                Ok(())
            }
            Step::Manual {
                kind,
                title,
                due_days,
            } => {
                self.tick();
                let at = self.now();
                let task = TaskRecord {
                    meta: Meta {
                        id: new_id(),
                        version: 1,
                        created_at: at,
                        updated_at: at,
                    },
                    kind: kind.clone(),
                    title: title.clone(),
                    description: None,
                    sale_id: Some(self.sale.meta.id),
                    counterparty_id: Some(self.sale.data.counterparty_id),
                    product_id: None,
                    stage: None,
                    assignee_id: self.script.actor,
                    territory_id: self.sale.territory_id,
                    due_on: add_working_days(self.today(), *due_days),
                    status: TaskStatus::Open,
                    outcome: None,
                    outcome_data: None,
                    comment: None,
                    created_by: self.script.actor,
                    completed_at: None,
                    completed_by: None,
                };
                // `app::tasks::create` logs the task on the sale but does not touch the sale.
                let event = NewEvent {
                    kind: "task_created",
                    task_id: Some(task.meta.id),
                    task_kind: Some(task.kind.clone()),
                    ..Default::default()
                };
                self.tasks.push(task);
                self.log(vec![event]);
                Ok(())
            }
        }
    }

    /// Completes task `index` as `app::tasks::complete_in` does.
    fn complete(
        &mut self,
        step: usize,
        index: usize,
        outcome: Option<&str>,
        data: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<(), PlanError> {
        let task = &self.tasks[index];
        if task.status != TaskStatus::Open {
            return Err(PlanError::Closed {
                step,
                kind: task.kind.clone(),
            });
        }
        let outcome = outcome.map(str::trim).filter(|o| !o.is_empty());
        let task_id = task.meta.id;
        let data_value = (!data.is_empty()).then(|| serde_json::Value::Object(data.clone()));
        if task.stage.is_none() {
            // A manual task: closed and logged, nothing follows, the sale is not touched.
            if outcome.is_some() {
                return Err(PlanError::NoOutcomes {
                    step,
                    kind: task.kind.clone(),
                });
            }
            self.tick();
            let event = self.close(index, TaskStatus::Done, None, data_value);
            self.log(vec![event]);
            return Ok(());
        }
        let event = Event::Complete {
            task_id,
            outcome: outcome.map(str::to_string),
            data: data.clone(),
        };
        let transition = engine::apply(self.script.definition, &self.engine, &event)
            .map_err(|error| PlanError::Refused { step, error })?;
        self.tick();
        let done = self.close(
            index,
            TaskStatus::Done,
            transition
                .completed
                .as_ref()
                .and_then(|c| c.outcome.clone()),
            data_value,
        );
        // `complete_in` logs the completion by itself, then writes the transition.
        self.log(vec![done]);
        self.write(&transition, &Cause::default(), Vec::new())
            .map_err(|()| PlanError::NoContract { step })
    }

    /// Runs an engine event that is not a completion (enter, skip).
    fn engine_move(
        &mut self,
        step: usize,
        event: &Event,
        cause: Cause,
        before: Vec<NewEvent>,
    ) -> Result<(), PlanError> {
        let transition = engine::apply(self.script.definition, &self.engine, event)
            .map_err(|error| PlanError::Refused { step, error })?;
        self.tick();
        self.write(&transition, &cause, before)
            .map_err(|()| PlanError::NoContract { step })
    }

    /// Closes task `index` now; returns its event (`task_done` or `task_cancelled`).
    fn close(
        &mut self,
        index: usize,
        status: TaskStatus,
        outcome: Option<String>,
        data: Option<serde_json::Value>,
    ) -> NewEvent {
        let at = self.now();
        let actor = self.script.actor;
        let task = &mut self.tasks[index];
        task.status = status;
        task.outcome = outcome;
        task.outcome_data = data;
        task.completed_at = Some(at);
        task.completed_by = actor;
        task.meta.updated_at = at;
        task.meta.version += 1;
        NewEvent {
            kind: if status == TaskStatus::Done {
                "task_done"
            } else {
                "task_cancelled"
            },
            stage: task.stage.clone(),
            task_id: Some(task.meta.id),
            task_kind: Some(task.kind.clone()),
            product_id: task.product_id,
            outcome: task.outcome.clone(),
            comment: task.comment.clone(),
            data: task.outcome_data.clone(),
        }
    }

    /// Appends events at the current move's time.
    fn log(&mut self, events: Vec<NewEvent>) {
        let at = self.now();
        for event in events {
            let seq = self.events.len() as i64 + 1;
            self.events.push(PlannedEvent {
                seq,
                at,
                user_id: self.script.actor,
                event,
            });
        }
    }

    /// What `app::process::write` does with a transition; `Err` when a contract is needed and the
    /// script has none.
    fn write(
        &mut self,
        transition: &Transition,
        cause: &Cause,
        mut events: Vec<NewEvent>,
    ) -> Result<(), ()> {
        let definition = self.script.definition;
        let at = self.now();
        for id in &transition.cancel {
            if let Some(index) = self.tasks.iter().position(|t| t.meta.id == *id) {
                let mut event = self.close(index, TaskStatus::Cancelled, None, None);
                // A cancellation is logged without outcome, comment or data.
                event.outcome = None;
                event.comment = None;
                event.data = None;
                events.push(event);
            }
        }
        for mark in &transition.marks {
            events.push(NewEvent {
                kind: match mark.mark {
                    Mark::Skipped => "stage_skipped",
                    Mark::Entered => "stage_entered",
                },
                stage: Some(mark.stage.clone()),
                comment: match definition.stage(&mark.stage).map(|s| s.kind) {
                    Some(StageKind::Lost) => cause.reason.clone(),
                    _ => None,
                },
                ..Default::default()
            });
        }

        let stage_changed = transition.stage != self.sale.state.stage;
        let mut state = self.sale.state.clone();
        state.stage = transition.stage.clone();
        if let Some(stage) = definition.stage(&transition.stage) {
            state.probability = i64::from(stage.probability);
        }
        if let Some(kind) = transition.closed {
            state.closed = true;
            state.closed_at = Some(at);
            if kind == StageKind::Lost {
                state.lost_reason = cause.reason.clone();
            }
            events.push(NewEvent {
                kind: "closed",
                stage: Some(transition.stage.clone()),
                outcome: Some(kind.code().to_string()),
                comment: cause.reason.clone(),
                ..Default::default()
            });
        }
        if transition.contract_kind != self.sale.state.contract_kind {
            state.contract_kind = transition.contract_kind;
            if let Some(kind) = transition.contract_kind {
                let base = match (&self.sale.state.contract, self.script.contract) {
                    (Some(current), _) => current.clone(),
                    (None, Some(drawn)) => drawn.clone(),
                    (None, None) => return Err(()),
                };
                state.contract = Some(Contract { kind, ..base });
            }
        }
        if stage_changed
            || state != self.sale.state
            || transition.process_type != self.sale.data.process_type
        {
            self.sale.state = state;
            self.sale.data.process_type = transition.process_type;
            self.sale.meta.version += 1;
        }
        self.sale.meta.updated_at = at;

        let people = self.script.people;
        let owner = self.sale.data.owner_id;
        let today = self.today();
        let mut ids = Vec::with_capacity(transition.create.len());
        for (n, new) in transition.create.iter().enumerate() {
            let assignee = match &new.assignee {
                AssigneeRule::Owner => None,
                AssigneeRule::Role(role) => people.by_role.get(role).copied(),
                AssigneeRule::User(login) => people.by_login.get(login).copied(),
            }
            .or(owner);
            let mut title = new.name_ru.clone();
            if let Some(name) = new
                .product_id
                .and_then(|id| self.script.product_names.get(&id))
                .filter(|n| !n.is_empty())
            {
                title = format!("{title}: {name}");
            }
            // Each insert reads the clock anew: a microsecond apart keeps them in order.
            let created = at + Duration::microseconds(n as i64);
            let task = TaskRecord {
                meta: Meta {
                    id: new_id(),
                    version: 1,
                    created_at: created,
                    updated_at: created,
                },
                kind: new.code.clone(),
                title,
                description: None,
                sale_id: Some(self.sale.meta.id),
                counterparty_id: Some(self.sale.data.counterparty_id),
                product_id: new.product_id,
                stage: Some(new.stage.clone()),
                assignee_id: assignee,
                territory_id: self.sale.territory_id,
                due_on: add_working_days(today, new.due_days),
                status: TaskStatus::Open,
                outcome: None,
                outcome_data: None,
                comment: None,
                created_by: self.script.actor,
                completed_at: None,
                completed_by: None,
            };
            events.push(NewEvent {
                kind: "task_created",
                stage: Some(new.stage.clone()),
                task_id: Some(task.meta.id),
                task_kind: Some(task.kind.clone()),
                product_id: task.product_id,
                ..Default::default()
            });
            ids.push(task.meta.id);
            self.tasks.push(task);
        }
        self.log(events);
        let mut ids = ids.into_iter();
        self.engine
            .apply_transition(transition, || ids.next().unwrap_or_else(new_id));
        Ok(())
    }

    /// The rows the script left.
    pub fn finish(self) -> Planned {
        Planned {
            sale: self.sale,
            tasks: self.tasks,
            events: self.events,
            actor: self.script.actor,
        }
    }
}

/// Plays a whole script: [`Replay::start`], every step, [`Replay::finish`].
pub fn plan(script: Script<'_>, steps: &[Step]) -> Result<Planned, PlanError> {
    let mut replay = Replay::start(script);
    for step in steps {
        replay.step(step)?;
    }
    Ok(replay.finish())
}

/// The sale columns, in the order [`insert_sales`] binds them.
const SALE_INSERT: &str = "INSERT INTO sales (id, created_at, updated_at, version, title, name_sort, \
    counterparty_id, contact_id, lead_id, owner_id, territory_id, process_id, process_type, stage, closed, \
    contract_kind, contract, delivery_terms, amount, expected_amount, expected_close_date, currency, \
    probability, lost_reason, closed_at, order_placed_on, invoice_paid_on, delivered_on, notes)";

const LINE_INSERT: &str = "INSERT INTO sale_lines (id, sale_id, position, product_id, quantity, \
    unit_price, vat_rate, needs_sample, sample_paid, unit_cost)";

const TASK_INSERT: &str = "INSERT INTO tasks (id, created_at, updated_at, version, kind, title, \
    description, sale_id, counterparty_id, product_id, stage, assignee_id, territory_id, due_on, status, \
    outcome, outcome_data, comment, created_by, completed_at, completed_by)";

const EVENT_INSERT: &str = "INSERT INTO sale_events (id, sale_id, seq, at, user_id, kind, stage, \
    task_id, task_kind, product_id, outcome, comment, data)";

const HISTORY_INSERT: &str =
    "INSERT INTO change_log (id, record_kind, record_id, action, user_id, changed_at, changes)";

fn id_text(id: Option<Uuid>) -> Arg {
    Arg::OptText(id.map(|id| id.to_string()))
}

/// A `create` entry of the change history holding `snapshot` (none when it is empty, as
/// `history::record_change` does).
fn history_row<T: Serialize>(
    record_kind: &str,
    record_id: Uuid,
    user_id: Option<Uuid>,
    at: DateTime<Utc>,
    snapshot: &T,
) -> StoreResult<Option<Vec<Arg>>> {
    let changes = diff(None, Some(snapshot));
    if changes.is_empty() {
        return Ok(None);
    }
    let changes = serde_json::to_string(&changes).map_err(anyhow::Error::from)?;
    Ok(Some(vec![
        Arg::Text(new_id().to_string()),
        Arg::Text(record_kind.into()),
        Arg::Text(record_id.to_string()),
        // `history::Action::Create` as the change log spells it.
        Arg::Text("create".into()),
        id_text(user_id),
        Arg::Text(time_text(at)),
        Arg::Text(changes),
    ]))
}

/// Writes planned sales: each sale with its lines and search words, its tasks, its event log and a
/// `create` entry in the change history for the sale and for each task. The caller holds the
/// transaction.
pub async fn insert_sales(connection: &mut AnyConnection, sales: &[Planned]) -> StoreResult<()> {
    let mut rows = Vec::with_capacity(sales.len());
    let mut lines = Vec::new();
    let areas = crate::territories::areas(&mut *connection).await?;
    let mut terms = Vec::new();
    for planned in sales {
        let sale = &planned.sale;
        let data = &sale.data;
        let state = &sale.state;
        let contract = state
            .contract
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(anyhow::Error::from)?;
        rows.push(vec![
            Arg::Text(sale.meta.id.to_string()),
            Arg::Text(time_text(sale.meta.created_at)),
            Arg::Text(time_text(sale.meta.updated_at)),
            Arg::Int(sale.meta.version),
            Arg::Text(data.title.clone()),
            Arg::Text(normalize(&data.title)),
            Arg::Text(data.counterparty_id.to_string()),
            id_text(data.contact_id),
            id_text(sale.lead_id),
            id_text(data.owner_id),
            id_text(sale.territory_id),
            Arg::Text(state.process_id.to_string()),
            Arg::OptText(data.process_type.map(|t| t.code().to_string())),
            Arg::Text(state.stage.clone()),
            Arg::Int(i64::from(state.closed)),
            Arg::OptText(state.contract_kind.map(|k| k.code().to_string())),
            Arg::OptText(contract),
            Arg::OptText(data.delivery_terms.clone()),
            Arg::Int(totals(&data.lines).amount),
            Arg::OptInt(data.expected_amount),
            Arg::OptText(data.expected_close_date.map(date_text)),
            Arg::Text(data.currency.clone()),
            Arg::Int(state.probability),
            Arg::OptText(state.lost_reason.clone()),
            Arg::OptText(state.closed_at.map(time_text)),
            Arg::OptText(data.order_placed_on.map(date_text)),
            Arg::OptText(data.invoice_paid_on.map(date_text)),
            Arg::OptText(data.delivered_on.map(date_text)),
            Arg::OptText(data.notes.clone()),
        ]);
        for (position, line) in data.lines.iter().enumerate() {
            lines.push(vec![
                Arg::Text(new_id().to_string()),
                Arg::Text(sale.meta.id.to_string()),
                Arg::Int(position as i64),
                Arg::Text(line.product_id.to_string()),
                Arg::Int(line.quantity),
                Arg::Int(line.unit_price),
                Arg::Int(line.vat_rate),
                Arg::Int(i64::from(line.needs_sample)),
                Arg::Int(i64::from(line.sample_paid)),
                Arg::OptInt(line.unit_cost),
            ]);
        }
        let sort_key = normalize(&data.title);
        let area = sale
            .territory_id
            .and_then(|id| areas.get(&id.to_string()))
            .cloned();
        for term in crate::search::terms(&[data.title.as_str()]) {
            terms.push(vec![
                Arg::Text(crate::sales::KIND.into()),
                Arg::Text(term),
                Arg::Text(sort_key.clone()),
                Arg::Text(sale.meta.id.to_string()),
                id_text(data.owner_id),
                id_text(sale.territory_id),
                Arg::OptText(area.clone()),
            ]);
        }
    }
    insert_rows(connection, SALE_INSERT, rows).await?;
    insert_rows(connection, LINE_INSERT, lines).await?;
    insert_rows(connection, crate::search::POSTING_INSERT, terms).await?;

    let mut tasks = Vec::new();
    for planned in sales {
        for task in &planned.tasks {
            tasks.push(vec![
                Arg::Text(task.meta.id.to_string()),
                Arg::Text(time_text(task.meta.created_at)),
                Arg::Text(time_text(task.meta.updated_at)),
                Arg::Int(task.meta.version),
                Arg::Text(task.kind.clone()),
                Arg::Text(task.title.clone()),
                Arg::OptText(task.description.clone()),
                id_text(task.sale_id),
                id_text(task.counterparty_id),
                id_text(task.product_id),
                Arg::OptText(task.stage.clone()),
                id_text(task.assignee_id),
                id_text(task.territory_id),
                Arg::Text(date_text(task.due_on)),
                Arg::Text(task.status.code().into()),
                Arg::OptText(task.outcome.clone()),
                Arg::OptText(task.outcome_data.as_ref().map(|d| d.to_string())),
                Arg::OptText(task.comment.clone()),
                id_text(task.created_by),
                Arg::OptText(task.completed_at.map(time_text)),
                id_text(task.completed_by),
            ]);
        }
    }
    insert_rows(connection, TASK_INSERT, tasks).await?;

    let mut events = Vec::new();
    for planned in sales {
        for planned_event in &planned.events {
            let event = &planned_event.event;
            events.push(vec![
                Arg::Text(new_id().to_string()),
                Arg::Text(planned.sale.meta.id.to_string()),
                Arg::Int(planned_event.seq),
                Arg::Text(time_text(planned_event.at)),
                id_text(planned_event.user_id),
                Arg::Text(event.kind.into()),
                Arg::OptText(event.stage.clone()),
                id_text(event.task_id),
                Arg::OptText(event.task_kind.clone()),
                id_text(event.product_id),
                Arg::OptText(event.outcome.clone()),
                Arg::OptText(event.comment.clone()),
                Arg::OptText(event.data.as_ref().map(|d| d.to_string())),
            ]);
        }
    }
    insert_rows(connection, EVENT_INSERT, events).await?;

    let mut history = Vec::new();
    for planned in sales {
        let sale = &planned.sale;
        history.extend(history_row(
            crate::sales::KIND,
            sale.meta.id,
            planned.actor,
            sale.meta.created_at,
            &sale.snapshot(),
        )?);
        for task in &planned.tasks {
            history.extend(history_row(
                crate::tasks::KIND,
                task.meta.id,
                task.created_by,
                task.meta.created_at,
                &task.snapshot(),
            )?);
        }
    }
    insert_rows(connection, HISTORY_INSERT, history).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use ferment_domain::process::default_definition;
    use ferment_domain::sale::SaleLine;

    use super::*;

    fn sale(lines: Vec<SaleLine>) -> Sale {
        Sale {
            title: "Стабилизатор".into(),
            counterparty_id: Uuid::nil(),
            contact_id: None,
            owner_id: Some(Uuid::from_u128(1)),
            process_type: None,
            lines,
            delivery_terms: None,
            expected_amount: None,
            expected_close_date: None,
            currency: "RUB".into(),
            order_placed_on: None,
            invoice_paid_on: None,
            delivered_on: None,
            notes: None,
        }
    }

    #[test]
    fn a_full_script_leaves_the_engines_tasks_and_a_consistent_log() {
        let definition = default_definition();
        let product = Uuid::from_u128(7);
        let data = sale(vec![SaleLine {
            product_id: product,
            quantity: 1000,
            unit_price: 10_000,
            vat_rate: 2200,
            needs_sample: true,
            sample_paid: false,
            unit_cost: None,
        }]);
        let lines = [LineFacts {
            product_id: product,
            needs_sample: true,
            sample_paid: false,
            in_office_stock: true,
            in_warehouse_stock: false,
        }];
        let people = People {
            by_role: [("technologist".to_string(), Uuid::from_u128(2))].into(),
            by_login: HashMap::new(),
        };
        let names = [(product, "Пектин".to_string())].into();
        let script = Script {
            definition: &definition,
            process_id: Uuid::from_u128(9),
            sale: &data,
            territory_id: None,
            lead_id: None,
            lines: &lines,
            people: &people,
            product_names: &names,
            contract: None,
            actor: Some(Uuid::from_u128(1)),
            started_at: Utc::now(),
            interval: Duration::hours(1),
        };
        let steps = [
            Step::enter("preliminary_kp"),
            Step::complete("send_preliminary_kp", Some("full")),
            Step::enter("recipe"),
            Step::complete("choose_recipe", Some("in_house")),
            Step::complete("develop_recipe", None),
            Step::complete("send_recipe", None),
            Step::enter("samples"),
            Step::Manual {
                kind: "call".into(),
                title: "Позвонить технологу".into(),
                due_days: 2,
            },
        ];
        let planned = plan(script, &steps).unwrap();
        assert_eq!(planned.sale.state.stage, "samples");
        assert_eq!(planned.sale.data.process_type, Some(ProcessType::Full));
        let open: Vec<(&str, &str)> = planned
            .tasks
            .iter()
            .filter(|t| t.status == TaskStatus::Open)
            .map(|t| (t.kind.as_str(), t.title.as_str()))
            .collect();
        assert_eq!(
            open,
            [
                ("send_sample", "Отправить образец: Пектин"),
                ("call", "Позвонить технологу")
            ]
        );
        let choose = planned
            .tasks
            .iter()
            .find(|t| t.kind == "choose_recipe")
            .unwrap();
        assert_eq!(choose.assignee_id, Some(Uuid::from_u128(2)));
        assert_eq!(choose.meta.version, 2);
        // Stage moves and the type choice changed the state; completions without effects on it
        // only touched the sale.
        assert_eq!(planned.sale.meta.version, 5);
        let seqs: Vec<i64> = planned.events.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, (1..=planned.events.len() as i64).collect::<Vec<_>>());
        let kinds: Vec<&str> = planned.events.iter().map(|e| e.event.kind).collect();
        assert_eq!(
            kinds,
            [
                "stage_entered",
                "stage_entered",
                "task_created",
                "task_done",
                "stage_entered",
                "task_created",
                "task_done",
                "task_created",
                "task_done",
                "task_created",
                "task_done",
                "stage_entered",
                "task_created",
                "task_created",
            ]
        );
    }

    #[test]
    fn a_refused_move_names_its_step() {
        let definition = default_definition();
        let data = sale(Vec::new());
        let people = People::default();
        let names = HashMap::new();
        let script = Script {
            definition: &definition,
            process_id: Uuid::nil(),
            sale: &data,
            territory_id: None,
            lead_id: None,
            lines: &[],
            people: &people,
            product_names: &names,
            contract: None,
            actor: None,
            started_at: Utc::now(),
            interval: Duration::zero(),
        };
        let error = plan(script, &[Step::enter("contract")]).unwrap_err();
        assert!(
            matches!(error, PlanError::Refused { step: 0, .. }),
            "{error}"
        );
    }
}
