//! Sale use cases: create (directly or from a lead), read, change, move through the process, close,
//! the contract, costs and margin, the board and the timeline.
//!
//! Access: a sale's owner is its manager and its territory its client's. Moving a sale is an `edit`
//! of it; costs and the margin also need the `see_costs` system right.

use std::sync::Arc;

use ferment_domain::access::{Operation, RecordFacts, RecordKind, SystemOp, Target};
use ferment_domain::process::engine::{self, BarMark, Event, SaleState};
use ferment_domain::process::{ContractKind, Definition, ProcessType};
use ferment_domain::sale::{
    Contract, Cost, CostInput, Margin, ProductDefaults, Sale, SaleDraft, SaleInput, margin,
};
use ferment_domain::validation::{FieldError, Problem};
use ferment_store::costs::{self, CostRecord};
use ferment_store::history::HistoryEntry;
use ferment_store::list::Page;
use ferment_store::sales::{
    self, Card, Column, Event as SaleEvent, ListQuery, NewSale, SaleRecord,
};
use ferment_store::tasks::TaskRecord;
use ferment_store::{Store, Tx, contacts, counterparties, history, products, tasks};
use uuid::Uuid;

use super::process::{self as engine_io, Cause};
use super::{Connection, begin, check, check_system, commit, facts};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

const SALE: RecordKind = RecordKind::Sale;

/// The facts access needs about a sale.
pub async fn sale_facts(connection: &mut Connection, sale: &SaleRecord) -> AppResult<RecordFacts> {
    facts(connection, sale.data.owner_id, sale.territory_id).await
}

/// A sale with everything its card and the API show.
#[derive(Debug, Clone)]
pub struct SaleView {
    /// The sale.
    pub sale: SaleRecord,
    /// The definition version it runs on.
    pub definition: Arc<Definition>,
    /// The client's name.
    pub counterparty_name: String,
    /// The contact's name.
    pub contact_name: Option<String>,
    /// The owner's name.
    pub owner_name: Option<String>,
    /// Product names of the lines, in line order.
    pub product_names: Vec<String>,
    /// The stage bar.
    pub bar: Vec<(String, BarMark)>,
    /// Stages the sale may enter now.
    pub allowed: Vec<String>,
    /// Costs, when the user may see them.
    pub costs: Option<Vec<CostRecord>>,
    /// Margin, when the user may see costs.
    pub margin: Option<Margin>,
}

async fn view(
    connection: &mut Connection,
    user: &CurrentUser,
    sale: SaleRecord,
) -> AppResult<SaleView> {
    let definition = engine_io::definition(connection, sale.state.process_id).await?;
    let tasks_of_sale = tasks::of_sale(connection, sale.meta.id).await?;
    let state = engine_io::state(connection, &sale, &tasks_of_sale).await?;
    let client = counterparties::get(connection, sale.data.counterparty_id).await?;
    let contact_name = match sale.data.contact_id {
        Some(id) => contacts::get(connection, id)
            .await
            .ok()
            .map(|c| c.data.full_name),
        None => None,
    };
    let owner_name = match sale.data.owner_id {
        Some(id) => ferment_store::users::get(connection, id)
            .await
            .ok()
            .map(|u| u.data.full_name),
        None => None,
    };
    let mut product_names = Vec::new();
    for line in &sale.data.lines {
        product_names.push(
            products::get(connection, line.product_id)
                .await
                .map(|p| p.data.name)
                .unwrap_or_default(),
        );
    }
    let (costs, margin) = if user.actor.may(SystemOp::SeeCosts) {
        let costs = costs::of_sale(connection, sale.meta.id).await?;
        let data: Vec<Cost> = costs.iter().map(|c| c.record.data.clone()).collect();
        (Some(costs), Some(margin(&sale.data.lines, &data)))
    } else {
        (None, None)
    };
    Ok(SaleView {
        bar: engine::stage_bar(&definition, &state),
        allowed: engine::allowed_moves(&definition, &state),
        definition,
        counterparty_name: client.data.name,
        contact_name,
        owner_name,
        product_names,
        costs,
        margin,
        sale,
    })
}

/// Completes the lines of a draft from their products; unknown products are named by line.
async fn complete_lines(tx: &mut Tx, draft: &SaleDraft) -> AppResult<Sale> {
    let mut sale = draft.sale.clone();
    let mut errors = Vec::new();
    for (index, line) in draft.lines.iter().enumerate() {
        match products::get(tx, line.product_id).await {
            Ok(product) => sale.lines.push(line.complete(ProductDefaults {
                price: product.data.price,
                vat_rate: product.data.vat_rate,
                needs_sample: product.data.needs_sample,
            })),
            Err(ferment_store::StoreError::NotFound) => errors.push(FieldError::new(
                format!("lines[{index}].product_id"),
                Problem::UnknownReference,
            )),
            Err(other) => return Err(other.into()),
        }
    }
    if errors.is_empty() {
        Ok(sale)
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// Checks the client, contact and owner exist; returns the client's territory.
async fn check_parties(tx: &mut Tx, user: &CurrentUser, sale: &Sale) -> AppResult<Option<Uuid>> {
    let mut errors = Vec::new();
    let territory = match counterparties::get(tx, sale.counterparty_id).await {
        Ok(client) => {
            let client_facts = facts(tx, client.data.owner_id, client.data.territory_id).await?;
            if ferment_domain::access::decide(
                &user.actor,
                RecordKind::Counterparty,
                Operation::Read,
                Target::Existing(&client_facts),
            )
            .is_err()
            {
                errors.push(FieldError::new(
                    "counterparty_id",
                    Problem::UnknownReference,
                ));
            }
            client.data.territory_id
        }
        Err(ferment_store::StoreError::NotFound) => {
            errors.push(FieldError::new(
                "counterparty_id",
                Problem::UnknownReference,
            ));
            None
        }
        Err(other) => return Err(other.into()),
    };
    if let Some(contact_id) = sale.contact_id {
        match contacts::get(tx, contact_id).await {
            Ok(contact) if contact.data.counterparty_id == Some(sale.counterparty_id) => {}
            Ok(_) => errors.push(FieldError::new(
                "contact_id",
                Problem::Rule {
                    ru: "Контакт не из этого контрагента".into(),
                    en: "The contact belongs to another counterparty".into(),
                },
            )),
            Err(ferment_store::StoreError::NotFound) => {
                errors.push(FieldError::new("contact_id", Problem::UnknownReference))
            }
            Err(other) => return Err(other.into()),
        }
    }
    if let Some(owner) = sale.owner_id
        && matches!(
            ferment_store::users::get(tx, owner).await,
            Err(ferment_store::StoreError::NotFound)
        )
    {
        errors.push(FieldError::new("owner_id", Problem::UnknownReference));
    }
    if errors.is_empty() {
        Ok(territory)
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// Creates a sale in a transaction the caller holds (directly or from a lead): it starts at the
/// process's first stage on the active definition version.
pub async fn create_in(
    tx: &mut Tx,
    user: &CurrentUser,
    input: &SaleInput,
    lead_id: Option<Uuid>,
) -> AppResult<SaleRecord> {
    let draft = input.validate()?;
    let mut sale = complete_lines(tx, &draft).await?;
    if sale.owner_id.is_none() {
        sale.owner_id = Some(user.actor.user_id);
    }
    let territory_id = check_parties(tx, user, &sale).await?;
    let new_facts = facts(tx, sale.owner_id, territory_id).await?;
    check(user, SALE, Operation::Create, Target::New(&new_facts), None)?;
    let (process_id, definition) = engine_io::active(tx).await?;
    let first = definition.first_stage();
    let record = sales::insert(
        tx,
        Some(user.actor.user_id),
        NewSale {
            data: &sale,
            lead_id,
            territory_id,
            process_id,
            stage: &first.code,
            probability: i64::from(first.probability),
        },
    )
    .await?;
    engine_io::start(tx, Some(user.actor.user_id), &definition, &record).await
}

/// Creates a sale directly.
pub async fn create(store: &Store, user: &CurrentUser, input: &SaleInput) -> AppResult<SaleView> {
    let mut tx = begin(store).await?;
    let record = create_in(&mut tx, user, input, None).await?;
    let view = view(&mut tx, user, record).await?;
    commit(tx).await?;
    Ok(view)
}

pub(crate) async fn readable(
    connection: &mut Connection,
    user: &CurrentUser,
    id: Uuid,
    operation: Operation,
) -> AppResult<SaleRecord> {
    let sale = sales::get(connection, id).await?;
    let sale_facts = sale_facts(connection, &sale).await?;
    if operation != Operation::Read {
        check(
            user,
            SALE,
            Operation::Read,
            Target::Existing(&sale_facts),
            Some(id),
        )?;
    }
    check(
        user,
        SALE,
        operation,
        Target::Existing(&sale_facts),
        Some(id),
    )?;
    Ok(sale)
}

/// Reads a sale.
pub async fn get(store: &Store, user: &CurrentUser, id: Uuid) -> AppResult<SaleView> {
    let mut connection = store.reader().await?;
    let sale = readable(&mut connection, user, id, Operation::Read).await?;
    view(&mut connection, user, sale).await
}

/// Changes a sale's deal fields (not its stage): `edit` turns the current input into the new one.
pub async fn update(
    store: &Store,
    user: &CurrentUser,
    id: Uuid,
    version: i64,
    edit: impl FnOnce(SaleInput) -> Result<SaleInput, Vec<FieldError>>,
) -> AppResult<SaleView> {
    let mut tx = begin(store).await?;
    let current = readable(&mut tx, user, id, Operation::Edit).await?;
    if current.meta.version != version {
        return Err(AppError::StaleVersion {
            current: current.meta.version,
        });
    }
    let mut input = edit(SaleInput::from(&current.data))?;
    if !user.actor.may(SystemOp::SeeCosts) {
        // Unit costs are hidden from this user: keep the stored ones line by line.
        for (line, old) in input.lines.iter_mut().zip(&current.data.lines) {
            if line.product_id == old.product_id.to_string() {
                line.unit_cost = old
                    .unit_cost
                    .map(|c| ferment_domain::decimal::format_plain(c, 2))
                    .unwrap_or_default();
            }
        }
    }
    let draft = input.validate()?;
    let sale = complete_lines(&mut tx, &draft).await?;
    if sale.process_type != current.data.process_type {
        return Err(AppError::Invalid(vec![FieldError::new(
            "process_type",
            Problem::Rule {
                ru: "Тип процесса выбирают при завершении задачи «Отправить предварительное КП» или при переходе на этап".into(),
                en: "The process type is chosen when completing `send_preliminary_kp` or when entering a stage".into(),
            },
        )]));
    }
    if current.state.closed {
        return Err(AppError::Conflict(vec![FieldError::new(
            "stage",
            Problem::Rule {
                ru: "Сделка закрыта".into(),
                en: "The sale is closed".into(),
            },
        )]));
    }
    let territory_id = check_parties(&mut tx, user, &sale).await?;
    let new_facts = facts(&mut tx, sale.owner_id, territory_id).await?;
    check(
        user,
        SALE,
        Operation::Edit,
        Target::New(&new_facts),
        Some(id),
    )?;
    let record = sales::update(
        &mut tx,
        Some(user.actor.user_id),
        id,
        Some(version),
        &sale,
        territory_id,
    )
    .await?;
    let view = view(&mut tx, user, record).await?;
    commit(tx).await?;
    Ok(view)
}

/// Deletes (hides) a sale and cancels its open tasks.
pub async fn delete(
    store: &Store,
    user: &CurrentUser,
    id: Uuid,
    version: Option<i64>,
) -> AppResult<()> {
    let mut tx = begin(store).await?;
    let current = readable(&mut tx, user, id, Operation::Delete).await?;
    if let Some(version) = version
        && version != current.meta.version
    {
        return Err(AppError::StaleVersion {
            current: current.meta.version,
        });
    }
    for task in tasks::of_sale(&mut tx, id).await? {
        if task.status == ferment_domain::process::TaskStatus::Open {
            tasks::close(
                &mut tx,
                Some(user.actor.user_id),
                task.meta.id,
                ferment_domain::process::TaskStatus::Cancelled,
                None,
                None,
                None,
            )
            .await?;
        }
    }
    sales::delete(&mut tx, Some(user.actor.user_id), id).await?;
    commit(tx).await
}

/// A stage move as asked.
#[derive(Debug, Clone, Default)]
pub struct StageMove {
    /// Target stage code.
    pub stage: String,
    /// Process type chosen with the move.
    pub process_type: Option<ProcessType>,
    /// Contract kind chosen with the move.
    pub contract_kind: Option<ContractKind>,
    /// Reason (losing).
    pub reason: Option<String>,
    /// `true`: skip the stage instead of entering it.
    pub skip: bool,
}

/// Moves a sale: enter a stage (closing as won or lost included) or skip one.
pub async fn move_stage(
    store: &Store,
    user: &CurrentUser,
    id: Uuid,
    asked: &StageMove,
) -> AppResult<(SaleView, Vec<TaskRecord>)> {
    let mut tx = begin(store).await?;
    let (sale, created) = move_in(&mut tx, user, id, asked).await?;
    let view = view(&mut tx, user, sale).await?;
    commit(tx).await?;
    Ok((view, created))
}

/// Moves a sale in the caller's transaction; returns it and the tasks the move set.
pub async fn move_in(
    tx: &mut Tx,
    user: &CurrentUser,
    id: Uuid,
    asked: &StageMove,
) -> AppResult<(SaleRecord, Vec<TaskRecord>)> {
    let sale = readable(tx, user, id, Operation::Edit).await?;
    let definition = engine_io::definition(tx, sale.state.process_id).await?;
    let tasks_of_sale = tasks::of_sale(tx, id).await?;
    let state = engine_io::state(tx, &sale, &tasks_of_sale).await?;
    let event = if asked.skip {
        Event::Skip {
            stage: asked.stage.clone(),
        }
    } else {
        Event::Enter {
            stage: asked.stage.clone(),
            process_type: asked.process_type,
            contract_kind: asked.contract_kind,
            reason: asked.reason.clone(),
        }
    };
    let transition = engine::apply(&definition, &state, &event).map_err(engine_io::refused)?;
    engine_io::write(
        tx,
        Some(user.actor.user_id),
        &definition,
        &sale,
        &transition,
        &Cause {
            reason: asked.reason.clone().map(|r| r.trim().to_string()),
        },
    )
    .await
}

/// The engine state of a sale (for pages that show what the engine sees).
pub async fn engine_state(connection: &mut Connection, sale: &SaleRecord) -> AppResult<SaleState> {
    let tasks_of_sale = tasks::of_sale(connection, sale.meta.id).await?;
    engine_io::state(connection, sale, &tasks_of_sale).await
}

/// Changes a sale's contract fields (number, dates, terms, kind); the lines and the client's
/// requisites may be redrawn from the sale with `redraw`.
pub async fn update_contract(
    store: &Store,
    user: &CurrentUser,
    id: Uuid,
    version: i64,
    edit: impl FnOnce(Contract) -> Result<Contract, Vec<FieldError>>,
    redraw: bool,
) -> AppResult<SaleView> {
    let mut tx = begin(store).await?;
    let sale = readable(&mut tx, user, id, Operation::Edit).await?;
    if sale.meta.version != version {
        return Err(AppError::StaleVersion {
            current: sale.meta.version,
        });
    }
    let Some(current) = sale.state.contract.clone() else {
        return Err(AppError::Conflict(vec![FieldError::new(
            "contract",
            Problem::Rule {
                ru: "Договор появляется на этапе «Договор»".into(),
                en: "The contract appears at the `contract` stage".into(),
            },
        )]));
    };
    let base = if redraw {
        let drawn = engine_io::draw_contract(&mut tx, &sale, current.kind).await?;
        Contract {
            number: current.number.clone(),
            date: current.date,
            payment_terms: current.payment_terms.clone(),
            valid_until: current.valid_until,
            ..drawn
        }
    } else {
        current
    };
    let contract = edit(base)?;
    let mut state = sale.state.clone();
    state.contract_kind = Some(contract.kind);
    state.contract = Some(contract);
    let record = sales::set_state(
        &mut tx,
        Some(user.actor.user_id),
        id,
        sale.data.process_type,
        &state,
    )
    .await?;
    sales::append_events(
        &mut tx,
        id,
        Some(user.actor.user_id),
        &[sales::NewEvent {
            kind: "contract_changed",
            stage: Some(record.state.stage.clone()),
            ..Default::default()
        }],
    )
    .await?;
    let view = view(&mut tx, user, record).await?;
    commit(tx).await?;
    Ok(view)
}

/// A page of sales the user may see.
pub async fn list(store: &Store, user: &CurrentUser, query: &ListQuery) -> AppResult<Page<Card>> {
    let scope = super::scope(user, SALE);
    let mut connection = store.reader().await?;
    Ok(sales::list(&mut connection, &scope, query).await?)
}

/// The kanban board of open stages (and, when `with_closed`, the closing ones).
pub async fn board(
    store: &Store,
    user: &CurrentUser,
    owner_id: Option<Uuid>,
    with_closed: bool,
    per_column: i64,
) -> AppResult<(Arc<Definition>, Vec<Column>)> {
    let scope = super::scope(user, SALE);
    let (_, definition) = engine_io::active_for_reading(store).await?;
    let stages: Vec<String> = definition
        .stages
        .iter()
        .filter(|s| with_closed || s.is_open())
        .map(|s| s.code.clone())
        .collect();
    let mut connection = store.reader().await?;
    let columns = sales::board(&mut connection, &scope, &stages, owner_id, per_column).await?;
    Ok((definition, columns))
}

/// A sale's change history.
pub async fn history(store: &Store, user: &CurrentUser, id: Uuid) -> AppResult<Vec<HistoryEntry>> {
    let mut connection = store.reader().await?;
    let sale = readable(&mut connection, user, id, Operation::Read).await?;
    let mut entries = history::list(&mut connection, sale.meta.id, 500).await?;
    if !user.actor.may(SystemOp::SeeCosts) {
        for entry in &mut entries {
            for change in &mut entry.changes {
                if change.field == "lines" {
                    strip_unit_cost(&mut change.old);
                    strip_unit_cost(&mut change.new);
                }
            }
        }
    }
    Ok(entries)
}

fn strip_unit_cost(value: &mut serde_json::Value) {
    if let serde_json::Value::Array(lines) = value {
        for line in lines {
            if let serde_json::Value::Object(map) = line {
                map.remove("unit_cost");
            }
        }
    }
}

/// A sale's timeline: its event log.
pub async fn timeline(store: &Store, user: &CurrentUser, id: Uuid) -> AppResult<Vec<SaleEvent>> {
    let mut connection = store.reader().await?;
    let sale = readable(&mut connection, user, id, Operation::Read).await?;
    Ok(sales::events(&mut connection, sale.meta.id).await?)
}

/// Adds a cost to a sale.
pub async fn add_cost(
    store: &Store,
    user: &CurrentUser,
    sale_id: Uuid,
    input: &CostInput,
) -> AppResult<CostRecord> {
    let mut tx = begin(store).await?;
    let record = add_cost_in(&mut tx, user, sale_id, input).await?;
    commit(tx).await?;
    Ok(record)
}

/// Adds a cost to a sale in the caller's transaction.
pub async fn add_cost_in(
    tx: &mut Tx,
    user: &CurrentUser,
    sale_id: Uuid,
    input: &CostInput,
) -> AppResult<CostRecord> {
    check_system(user, SystemOp::SeeCosts)?;
    readable(tx, user, sale_id, Operation::Edit).await?;
    let cost = input.validate(engine_io::today())?;
    check_cost_task(tx, sale_id, &cost).await?;
    let record = costs::insert(tx, Some(user.actor.user_id), sale_id, &cost).await?;
    sales::touch(tx, sale_id).await?;
    Ok(record)
}

async fn check_cost_task(tx: &mut Tx, sale_id: Uuid, cost: &Cost) -> AppResult<()> {
    if let Some(task_id) = cost.task_id {
        let belongs = tasks::get(tx, task_id)
            .await
            .map(|t| t.sale_id == Some(sale_id))
            .unwrap_or(false);
        if !belongs {
            return Err(AppError::Invalid(vec![FieldError::new(
                "task_id",
                Problem::UnknownReference,
            )]));
        }
    }
    Ok(())
}

/// A sale's costs.
pub async fn costs(store: &Store, user: &CurrentUser, sale_id: Uuid) -> AppResult<Vec<CostRecord>> {
    check_system(user, SystemOp::SeeCosts)?;
    let mut connection = store.reader().await?;
    readable(&mut connection, user, sale_id, Operation::Read).await?;
    Ok(costs::of_sale(&mut connection, sale_id).await?)
}

/// Changes a cost.
pub async fn update_cost(
    store: &Store,
    user: &CurrentUser,
    cost_id: Uuid,
    version: i64,
    edit: impl FnOnce(CostInput) -> Result<CostInput, Vec<FieldError>>,
) -> AppResult<CostRecord> {
    check_system(user, SystemOp::SeeCosts)?;
    let mut tx = begin(store).await?;
    let current = costs::get(&mut tx, cost_id).await?;
    readable(&mut tx, user, current.sale_id, Operation::Edit).await?;
    let input = edit(CostInput::from(&current.record.data))?;
    let cost = input.validate(engine_io::today())?;
    check_cost_task(&mut tx, current.sale_id, &cost).await?;
    let record = costs::update(&mut tx, Some(user.actor.user_id), cost_id, version, &cost).await?;
    commit(tx).await?;
    Ok(record)
}

/// Deletes a cost.
pub async fn delete_cost(store: &Store, user: &CurrentUser, cost_id: Uuid) -> AppResult<()> {
    check_system(user, SystemOp::SeeCosts)?;
    let mut tx = begin(store).await?;
    let current = costs::get(&mut tx, cost_id).await?;
    readable(&mut tx, user, current.sale_id, Operation::Edit).await?;
    costs::delete(&mut tx, Some(user.actor.user_id), cost_id).await?;
    commit(tx).await
}
