//! The process engine at work: loading a sale's definition version, assembling the engine's view of
//! a sale (stage marks, tasks, lines with their stock), and writing what a transition decided —
//! cancelled and new tasks (assignee and working-day due date resolved), stage marks, the new
//! process state — with the sale's event log, in the caller's transaction.
//!
//! Parsed definitions are cached per version id: a version never changes once saved.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};

use chrono::{NaiveDate, Utc};
use ferment_domain::process::calendar::add_working_days;
use ferment_domain::process::engine::{
    self, LineFacts, Mark, SaleState, StageMark, TaskState, Transition,
};
use ferment_domain::process::{AssigneeRule, DEFAULT_TOML, Definition, StageKind, TaskStatus};
use ferment_domain::sale::{Contract, ContractLine, ContractParty};
use ferment_domain::validation::{FieldError, Problem};
use ferment_store::sales::{NewEvent, ProcessState, SaleRecord};
use ferment_store::tasks::{NewTask, TaskRecord};
use ferment_store::{Tx, counterparties, processes, products, sales, tasks, warehouses};
use uuid::Uuid;

use super::Connection;
use crate::error::{AppError, AppResult};

/// The code of the sales process.
pub const SALES: &str = "sales";

static CACHE: LazyLock<RwLock<HashMap<Uuid, Arc<Definition>>>> =
    LazyLock::new(|| RwLock::new(HashMap::new()));

/// Today in Moscow time (UTC+3, no daylight saving), the calendar Russian business runs on.
pub fn today() -> NaiveDate {
    (Utc::now() + chrono::Duration::hours(3)).date_naive()
}

fn parse(source: &str) -> AppResult<Definition> {
    Definition::parse(source).map_err(|errors| {
        AppError::Internal(anyhow::anyhow!(
            "a stored process definition does not parse: {}",
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        ))
    })
}

/// A definition version, parsed (cached).
pub async fn definition(connection: &mut Connection, id: Uuid) -> AppResult<Arc<Definition>> {
    if let Some(found) = CACHE.read().ok().and_then(|cache| cache.get(&id).cloned()) {
        return Ok(found);
    }
    let row = processes::get(connection, id).await?;
    let parsed = Arc::new(parse(&row.source)?);
    if let Ok(mut cache) = CACHE.write() {
        cache.insert(id, parsed.clone());
    }
    Ok(parsed)
}

/// The version new sales start on; the shipped default is saved as version 1 when there is none.
pub async fn active(tx: &mut Tx) -> AppResult<(Uuid, Arc<Definition>)> {
    let row = match processes::active(tx, SALES).await? {
        Some(row) => row,
        None => {
            processes::save(
                tx,
                None,
                SALES,
                DEFAULT_TOML,
                Some("Процесс из поставки / shipped default"),
            )
            .await?
        }
    };
    let definition = definition(tx, row.id).await?;
    Ok((row.id, definition))
}

/// The active version for a read: from a reader connection, so a page or a list never waits for
/// the writer; only a database that was never seeded takes the writing path of [`active`].
pub async fn active_for_reading(
    store: &ferment_store::Store,
) -> AppResult<(Uuid, Arc<Definition>)> {
    {
        let mut connection = store.reader().await?;
        if let Some(row) = processes::active(&mut connection, SALES).await? {
            let definition = definition(&mut connection, row.id).await?;
            return Ok((row.id, definition));
        }
    }
    let mut tx = store.begin().await?;
    let found = active(&mut tx).await?;
    tx.commit()
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(found)
}

/// The engine's view of a sale's lines: flags and where each product has stock.
pub async fn line_facts(
    connection: &mut Connection,
    sale: &SaleRecord,
) -> AppResult<Vec<LineFacts>> {
    let ids: Vec<Uuid> = sale.data.lines.iter().map(|l| l.product_id).collect();
    let presence = warehouses::presence(connection, &ids).await?;
    Ok(sale
        .data
        .lines
        .iter()
        .map(|line| {
            let found = presence.get(&line.product_id).copied().unwrap_or_default();
            LineFacts {
                product_id: line.product_id,
                needs_sample: line.needs_sample,
                sample_paid: line.sample_paid,
                in_office_stock: found.in_office,
                in_warehouse_stock: found.in_warehouse,
            }
        })
        .collect())
}

/// The engine's view of a sale.
pub async fn state(
    connection: &mut Connection,
    sale: &SaleRecord,
    tasks_of_sale: &[TaskRecord],
) -> AppResult<SaleState> {
    let marks = sales::marks(connection, sale.meta.id)
        .await?
        .into_iter()
        .map(|(stage, kind)| StageMark {
            stage,
            mark: if kind == "stage_skipped" {
                Mark::Skipped
            } else {
                Mark::Entered
            },
        })
        .collect();
    Ok(SaleState {
        stage: sale.state.stage.clone(),
        process_type: sale.data.process_type,
        contract_kind: sale.state.contract_kind,
        marks,
        tasks: tasks_of_sale
            .iter()
            .filter(|t| t.stage.is_some())
            .map(|t| TaskState {
                id: t.meta.id,
                code: t.kind.clone(),
                product_id: t.product_id,
                stage: t.stage.clone().unwrap_or_default(),
                status: t.status,
                outcome: t.outcome.clone(),
            })
            .collect(),
        lines: line_facts(connection, sale).await?,
    })
}

/// The contract drawn from a sale: its lines with product names, the client's requisites.
pub async fn draw_contract(
    connection: &mut Connection,
    sale: &SaleRecord,
    kind: ferment_domain::process::ContractKind,
) -> AppResult<Contract> {
    let client = counterparties::get(connection, sale.data.counterparty_id).await?;
    let bank = client.data.bank_accounts.first();
    let mut lines = Vec::new();
    for line in &sale.data.lines {
        let product = products::get(connection, line.product_id).await?;
        lines.push(ContractLine {
            product_id: line.product_id,
            name: product.data.name.clone(),
            article: product.data.article.clone(),
            unit: product.data.unit.code().to_string(),
            quantity: line.quantity,
            unit_price: line.unit_price,
            vat_rate: line.vat_rate,
        });
    }
    Ok(Contract {
        kind,
        number: None,
        date: Some(today()),
        delivery_terms: sale.data.delivery_terms.clone(),
        payment_terms: None,
        valid_until: None,
        client: ContractParty {
            name: client.data.name.clone(),
            full_name: client.data.full_name.clone(),
            inn: client.data.inn.clone(),
            kpp: client.data.kpp.clone(),
            ogrn: client.data.ogrn.clone(),
            legal_address: client.data.legal_address.clone(),
            bik: bank.map(|b| b.bik.clone()),
            bank_name: bank.map(|b| b.bank_name.clone()),
            correspondent_account: bank.and_then(|b| b.correspondent_account.clone()),
            account: bank.map(|b| b.account.clone()),
        },
        lines,
    })
}

/// Who gets a new task: the sale's owner, a user holding a role (one of the owner's department
/// first, the least loaded), or a named user; the owner when nobody fits.
async fn assignee(
    connection: &mut Connection,
    rule: &AssigneeRule,
    sale: &SaleRecord,
) -> AppResult<Option<Uuid>> {
    let owner = sale.data.owner_id;
    let found = match rule {
        AssigneeRule::Owner => None,
        AssigneeRule::Role(role) => {
            let department = match owner {
                Some(owner) => ferment_store::users::get(connection, owner)
                    .await
                    .ok()
                    .and_then(|u| u.data.department_id),
                None => None,
            };
            tasks::pick_by_role(connection, role, department).await?
        }
        AssigneeRule::User(login) => tasks::user_by_login(connection, login).await?,
    };
    Ok(found.or(owner))
}

/// What a transition was caused by, for the event log.
#[derive(Debug, Clone, Default)]
pub struct Cause {
    /// The reason given for losing the sale.
    pub reason: Option<String>,
}

/// Writes a transition: cancels and creates tasks, appends the stage marks and events, stores the
/// new process state. Returns the sale as it now is and the tasks created.
pub async fn write(
    tx: &mut Tx,
    user_id: Option<Uuid>,
    definition: &Definition,
    sale: &SaleRecord,
    transition: &Transition,
    cause: &Cause,
) -> AppResult<(SaleRecord, Vec<TaskRecord>)> {
    let sale_id = sale.meta.id;
    let mut events: Vec<NewEvent> = Vec::new();
    for id in &transition.cancel {
        let task = tasks::close(tx, user_id, *id, TaskStatus::Cancelled, None, None, None).await?;
        events.push(NewEvent {
            kind: "task_cancelled",
            stage: task.stage.clone(),
            task_id: Some(task.meta.id),
            task_kind: Some(task.kind.clone()),
            product_id: task.product_id,
            ..Default::default()
        });
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

    let stage_changed = transition.stage != sale.state.stage;
    let mut state: ProcessState = sale.state.clone();
    state.stage = transition.stage.clone();
    if let Some(stage) = definition.stage(&transition.stage) {
        state.probability = i64::from(stage.probability);
    }
    if let Some(kind) = transition.closed {
        state.closed = true;
        state.closed_at = Some(Utc::now());
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
    if transition.contract_kind != sale.state.contract_kind {
        state.contract_kind = transition.contract_kind;
        if let Some(kind) = transition.contract_kind {
            state.contract = Some(match &sale.state.contract {
                Some(contract) => Contract {
                    kind,
                    ..contract.clone()
                },
                None => draw_contract(tx, sale, kind).await?,
            });
        }
    }
    let mut current = sale.clone();
    if stage_changed || state != sale.state || transition.process_type != sale.data.process_type {
        current = sales::set_state(tx, user_id, sale_id, transition.process_type, &state).await?;
    } else {
        sales::touch(tx, sale_id).await?;
    }

    let today = today();
    let mut created = Vec::new();
    let mut product_names: HashMap<Uuid, String> = HashMap::new();
    for new in &transition.create {
        let assignee_id = assignee(tx, &new.assignee, &current).await?;
        let mut title = new.name_ru.clone();
        if let Some(product_id) = new.product_id {
            if let std::collections::hash_map::Entry::Vacant(slot) = product_names.entry(product_id)
            {
                let name = products::get(tx, product_id)
                    .await
                    .map(|p| p.data.name)
                    .unwrap_or_default();
                slot.insert(name);
            }
            if let Some(name) = product_names.get(&product_id).filter(|n| !n.is_empty()) {
                title = format!("{title}: {name}");
            }
        }
        let task = tasks::insert(
            tx,
            user_id,
            &NewTask {
                kind: new.code.clone(),
                title,
                description: None,
                sale_id: Some(sale_id),
                counterparty_id: Some(current.data.counterparty_id),
                product_id: new.product_id,
                stage: Some(new.stage.clone()),
                assignee_id,
                territory_id: current.territory_id,
                due_on: add_working_days(today, new.due_days),
            },
        )
        .await?;
        events.push(NewEvent {
            kind: "task_created",
            stage: Some(new.stage.clone()),
            task_id: Some(task.meta.id),
            task_kind: Some(task.kind.clone()),
            product_id: task.product_id,
            ..Default::default()
        });
        created.push(task);
    }
    sales::append_events(tx, sale_id, user_id, &events).await?;
    Ok((current, created))
}

/// Starts a new sale's process: enters the first stage and sets its tasks.
pub async fn start(
    tx: &mut Tx,
    user_id: Option<Uuid>,
    definition: &Definition,
    sale: &SaleRecord,
) -> AppResult<SaleRecord> {
    let lines = line_facts(tx, sale).await?;
    let transition = engine::start(definition, &lines);
    let (sale, _) = write(
        tx,
        user_id,
        definition,
        sale,
        &transition,
        &Cause::default(),
    )
    .await?;
    Ok(sale)
}

/// An engine refusal as an application error: a malformed request (unknown code, missing value)
/// is invalid input; a move the process does not allow now is a conflict with the sale's state.
pub fn refused(error: ferment_domain::process::ProcessError) -> AppError {
    use ferment_domain::process::ProcessError as E;
    let field = error.field();
    let problem = Problem::Rule {
        ru: error.message(ferment_domain::validation::Lang::Ru),
        en: error.message(ferment_domain::validation::Lang::En),
    };
    match error {
        E::UnknownStage { .. }
        | E::NeedsProcessType { .. }
        | E::NeedsContractKind { .. }
        | E::OutcomeRequired { .. }
        | E::UnknownOutcome { .. }
        | E::NoOutcomes { .. }
        | E::MissingData { .. }
        | E::ReasonRequired { .. }
        | E::UnknownTask => AppError::Invalid(vec![FieldError::new(field, problem)]),
        _ => AppError::Conflict(vec![FieldError::new(field, problem)]),
    }
}
