//! Task use cases: lists ("my tasks", a sale's tasks), manual tasks, edits, and completion — which,
//! for a process task, runs the engine on the task's sale in the same transaction.
//!
//! Access: a task's owner is its assignee, its territory its client's.

use ferment_domain::access::{Operation, RecordFacts, RecordKind, Target};
use ferment_domain::process::TaskStatus;
use ferment_domain::process::engine::{self, Event};
use ferment_domain::task::{Completion, TaskInput};
use ferment_domain::validation::{FieldError, Problem};
use ferment_store::history::HistoryEntry;
use ferment_store::list::Page;
use ferment_store::tasks::{self, ListQuery, ListRow, NewTask, TaskRecord};
use ferment_store::{Store, Tx, counterparties, history, recipes, sales};
use uuid::Uuid;

use super::process::{self as engine_io, Cause};
use super::{Connection, begin, check, commit, facts};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

const TASK: RecordKind = RecordKind::Task;

async fn task_facts(connection: &mut Connection, task: &TaskRecord) -> AppResult<RecordFacts> {
    facts(connection, task.assignee_id, task.territory_id).await
}

async fn readable(
    connection: &mut Connection,
    user: &CurrentUser,
    id: Uuid,
    operation: Operation,
) -> AppResult<TaskRecord> {
    let task = tasks::get(connection, id).await?;
    let task_facts = task_facts(connection, &task).await?;
    if operation != Operation::Read {
        check(
            user,
            TASK,
            Operation::Read,
            Target::Existing(&task_facts),
            Some(id),
        )?;
    }
    check(
        user,
        TASK,
        operation,
        Target::Existing(&task_facts),
        Some(id),
    )?;
    Ok(task)
}

/// A page of tasks the user may see.
pub async fn list(
    store: &Store,
    user: &CurrentUser,
    query: &ListQuery,
) -> AppResult<Page<ListRow>> {
    let scope = super::scope(user, TASK);
    let mut connection = store.reader().await?;
    Ok(tasks::list(&mut connection, &scope, query).await?)
}

/// Reads a task.
pub async fn get(store: &Store, user: &CurrentUser, id: Uuid) -> AppResult<TaskRecord> {
    let mut connection = store.reader().await?;
    readable(&mut connection, user, id, Operation::Read).await
}

/// A task's change history.
pub async fn history(store: &Store, user: &CurrentUser, id: Uuid) -> AppResult<Vec<HistoryEntry>> {
    let mut connection = store.reader().await?;
    readable(&mut connection, user, id, Operation::Read).await?;
    Ok(history::list(&mut connection, id, 500).await?)
}

async fn check_assignee(tx: &mut Tx, assignee: Option<Uuid>) -> AppResult<()> {
    if let Some(id) = assignee {
        match ferment_store::users::get(tx, id).await {
            Ok(user) if user.data.active => {}
            Ok(_) | Err(ferment_store::StoreError::NotFound) => {
                return Err(AppError::Invalid(vec![FieldError::new(
                    "assignee_id",
                    Problem::UnknownReference,
                )]));
            }
            Err(other) => return Err(other.into()),
        }
    }
    Ok(())
}

/// Creates a task by hand.
pub async fn create(store: &Store, user: &CurrentUser, input: &TaskInput) -> AppResult<TaskRecord> {
    let manual = input.validate()?;
    let mut tx = begin(store).await?;
    let mut counterparty_id = manual.counterparty_id;
    let mut territory_id = None;
    if let Some(sale_id) = manual.sale_id {
        let sale = match sales::get(&mut tx, sale_id).await {
            Ok(sale) => sale,
            Err(ferment_store::StoreError::NotFound) => {
                return Err(AppError::Invalid(vec![FieldError::new(
                    "sale_id",
                    Problem::UnknownReference,
                )]));
            }
            Err(other) => return Err(other.into()),
        };
        let sale_facts = facts(&mut tx, sale.data.owner_id, sale.territory_id).await?;
        if ferment_domain::access::decide(
            &user.actor,
            RecordKind::Sale,
            Operation::Read,
            Target::Existing(&sale_facts),
        )
        .is_err()
        {
            return Err(AppError::Invalid(vec![FieldError::new(
                "sale_id",
                Problem::UnknownReference,
            )]));
        }
        if counterparty_id.is_some_and(|c| c != sale.data.counterparty_id) {
            return Err(AppError::Invalid(vec![FieldError::new(
                "counterparty_id",
                Problem::Rule {
                    ru: "Контрагент не тот, что в сделке".into(),
                    en: "Not the sale's counterparty".into(),
                },
            )]));
        }
        counterparty_id = Some(sale.data.counterparty_id);
        territory_id = sale.territory_id;
    } else if let Some(id) = counterparty_id {
        match counterparties::get(&mut tx, id).await {
            Ok(client) => territory_id = client.data.territory_id,
            Err(ferment_store::StoreError::NotFound) => {
                return Err(AppError::Invalid(vec![FieldError::new(
                    "counterparty_id",
                    Problem::UnknownReference,
                )]));
            }
            Err(other) => return Err(other.into()),
        }
    }
    if let Some(product_id) = manual.product_id
        && matches!(
            ferment_store::products::get(&mut tx, product_id).await,
            Err(ferment_store::StoreError::NotFound)
        )
    {
        return Err(AppError::Invalid(vec![FieldError::new(
            "product_id",
            Problem::UnknownReference,
        )]));
    }
    let assignee_id = manual.fields.assignee_id.or(Some(user.actor.user_id));
    check_assignee(&mut tx, assignee_id).await?;
    let new_facts = facts(&mut tx, assignee_id, territory_id).await?;
    check(user, TASK, Operation::Create, Target::New(&new_facts), None)?;
    let task = tasks::insert(
        &mut tx,
        Some(user.actor.user_id),
        &NewTask {
            kind: manual.kind.code().to_string(),
            title: manual.fields.title.clone(),
            description: manual.fields.description.clone(),
            sale_id: manual.sale_id,
            counterparty_id,
            product_id: manual.product_id,
            stage: None,
            assignee_id,
            territory_id,
            due_on: manual.fields.due_on.unwrap_or_else(engine_io::today),
        },
    )
    .await?;
    if let Some(sale_id) = manual.sale_id {
        sales::append_events(
            &mut tx,
            sale_id,
            Some(user.actor.user_id),
            &[sales::NewEvent {
                kind: "task_created",
                task_id: Some(task.meta.id),
                task_kind: Some(task.kind.clone()),
                product_id: task.product_id,
                ..Default::default()
            }],
        )
        .await?;
    }
    commit(tx).await?;
    Ok(task)
}

/// Changes a task's title, description, assignee or due date.
pub async fn update(
    store: &Store,
    user: &CurrentUser,
    id: Uuid,
    version: i64,
    edit: impl FnOnce(TaskInput) -> Result<TaskInput, Vec<FieldError>>,
) -> AppResult<TaskRecord> {
    let mut tx = begin(store).await?;
    let current = readable(&mut tx, user, id, Operation::Edit).await?;
    let input = edit(TaskInput {
        kind: current.kind.clone(),
        title: current.title.clone(),
        description: current.description.clone().unwrap_or_default(),
        sale_id: current.sale_id.map(|i| i.to_string()).unwrap_or_default(),
        counterparty_id: current
            .counterparty_id
            .map(|i| i.to_string())
            .unwrap_or_default(),
        product_id: current
            .product_id
            .map(|i| i.to_string())
            .unwrap_or_default(),
        assignee_id: current
            .assignee_id
            .map(|i| i.to_string())
            .unwrap_or_default(),
        due_on: current.due_on.format("%Y-%m-%d").to_string(),
    })?;
    let unchanged = |field: &str, old: String, new: &str| -> Result<(), FieldError> {
        if old == new {
            Ok(())
        } else {
            Err(FieldError::new(
                field,
                Problem::Rule {
                    ru: "Это поле задачи не меняется".into(),
                    en: "This field of a task cannot change".into(),
                },
            ))
        }
    };
    let fixed: Vec<FieldError> = [
        unchanged("kind", current.kind.clone(), &input.kind),
        unchanged(
            "sale_id",
            current.sale_id.map(|i| i.to_string()).unwrap_or_default(),
            &input.sale_id,
        ),
        unchanged(
            "counterparty_id",
            current
                .counterparty_id
                .map(|i| i.to_string())
                .unwrap_or_default(),
            &input.counterparty_id,
        ),
        unchanged(
            "product_id",
            current
                .product_id
                .map(|i| i.to_string())
                .unwrap_or_default(),
            &input.product_id,
        ),
    ]
    .into_iter()
    .filter_map(Result::err)
    .collect();
    if !fixed.is_empty() {
        return Err(AppError::Invalid(fixed));
    }
    let fields = input.validate_fields()?;
    check_assignee(&mut tx, fields.assignee_id).await?;
    let new_facts = facts(&mut tx, fields.assignee_id, current.territory_id).await?;
    check(
        user,
        TASK,
        Operation::Edit,
        Target::New(&new_facts),
        Some(id),
    )?;
    let due_on = fields.due_on.unwrap_or(current.due_on);
    let record = tasks::update_fields(
        &mut tx,
        Some(user.actor.user_id),
        id,
        version,
        &fields,
        due_on,
    )
    .await?;
    commit(tx).await?;
    Ok(record)
}

/// What completing a task did.
#[derive(Debug, Clone)]
pub struct Completed {
    /// The task, now done.
    pub task: TaskRecord,
    /// Tasks the process set as a result.
    pub created: Vec<TaskRecord>,
    /// The sale's stage afterwards (process tasks).
    pub stage: Option<String>,
    /// A decision the process proposes (a stage to move to), if any.
    pub suggest: Option<String>,
}

async fn check_data(tx: &mut Tx, completion: &Completion) -> AppResult<()> {
    if let Some(value) = completion.data.get("recipe_id") {
        let found = match value.as_str().and_then(|s| Uuid::parse_str(s).ok()) {
            Some(id) => recipes::get(tx, id).await.is_ok(),
            None => false,
        };
        if !found {
            return Err(AppError::Invalid(vec![FieldError::new(
                "data.recipe_id",
                Problem::UnknownReference,
            )]));
        }
    }
    Ok(())
}

/// Completes a task with an outcome (required when its kind has outcomes); a process task's
/// outcome runs the engine: new tasks, a stage move, the process type.
pub async fn complete(
    store: &Store,
    user: &CurrentUser,
    id: Uuid,
    completion: &Completion,
) -> AppResult<Completed> {
    let mut tx = begin(store).await?;
    let completed = complete_in(&mut tx, user, id, completion).await?;
    commit(tx).await?;
    Ok(completed)
}

/// Completes a task in the caller's transaction.
pub async fn complete_in(
    tx: &mut Tx,
    user: &CurrentUser,
    id: Uuid,
    completion: &Completion,
) -> AppResult<Completed> {
    completion.validate()?;
    let task = readable(tx, user, id, Operation::Edit).await?;
    if task.status != TaskStatus::Open {
        return Err(AppError::Conflict(vec![FieldError::new(
            "status",
            Problem::Rule {
                ru: format!(
                    "Задача уже {}",
                    task.status
                        .label(ferment_domain::validation::Lang::Ru)
                        .to_lowercase()
                ),
                en: format!("The task is already {}", task.status.code()),
            },
        )]));
    }
    check_data(tx, completion).await?;
    let comment = completion
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let data =
        (!completion.data.is_empty()).then(|| serde_json::Value::Object(completion.data.clone()));
    let outcome = completion
        .outcome
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty());
    let (Some(sale_id), Some(_)) = (task.sale_id, task.stage.as_ref()) else {
        // A manual task: no outcomes to check, nothing follows.
        if outcome.is_some() {
            return Err(AppError::Invalid(vec![FieldError::new(
                "outcome",
                Problem::Rule {
                    ru: "У этой задачи нет результатов на выбор".into(),
                    en: "This task has no outcomes to choose from".into(),
                },
            )]));
        }
        let done = tasks::close(
            tx,
            Some(user.actor.user_id),
            id,
            TaskStatus::Done,
            None,
            data.as_ref(),
            comment,
        )
        .await?;
        if let Some(sale_id) = task.sale_id {
            log_done(tx, user, sale_id, &done).await?;
        }
        return Ok(Completed {
            task: done,
            created: Vec::new(),
            stage: None,
            suggest: None,
        });
    };
    let sale = sales::get(tx, sale_id).await?;
    let definition = engine_io::definition(tx, sale.state.process_id).await?;
    let tasks_of_sale = tasks::of_sale(tx, sale_id).await?;
    let state = engine_io::state(tx, &sale, &tasks_of_sale).await?;
    let transition = engine::apply(
        &definition,
        &state,
        &Event::Complete {
            task_id: id,
            outcome: outcome.map(str::to_string),
            data: completion.data.clone(),
        },
    )
    .map_err(engine_io::refused)?;
    let done = tasks::close(
        tx,
        Some(user.actor.user_id),
        id,
        TaskStatus::Done,
        outcome,
        data.as_ref(),
        comment,
    )
    .await?;
    log_done(tx, user, sale_id, &done).await?;
    let (sale, created) = engine_io::write(
        tx,
        Some(user.actor.user_id),
        &definition,
        &sale,
        &transition,
        &Cause::default(),
    )
    .await?;
    Ok(Completed {
        task: done,
        created,
        stage: Some(sale.state.stage),
        suggest: transition.suggest,
    })
}

async fn log_done(
    tx: &mut Tx,
    user: &CurrentUser,
    sale_id: Uuid,
    task: &TaskRecord,
) -> AppResult<()> {
    sales::append_events(
        tx,
        sale_id,
        Some(user.actor.user_id),
        &[sales::NewEvent {
            kind: "task_done",
            stage: task.stage.clone(),
            task_id: Some(task.meta.id),
            task_kind: Some(task.kind.clone()),
            product_id: task.product_id,
            outcome: task.outcome.clone(),
            comment: task.comment.clone(),
            data: task.outcome_data.clone(),
        }],
    )
    .await?;
    Ok(())
}

/// Cancels an open task.
pub async fn cancel(store: &Store, user: &CurrentUser, id: Uuid) -> AppResult<TaskRecord> {
    let mut tx = begin(store).await?;
    let task = readable(&mut tx, user, id, Operation::Edit).await?;
    if task.status != TaskStatus::Open {
        return Err(AppError::Conflict(vec![FieldError::new(
            "status",
            Problem::Rule {
                ru: "Задача уже закрыта".into(),
                en: "The task is already closed".into(),
            },
        )]));
    }
    let record = tasks::close(
        &mut tx,
        Some(user.actor.user_id),
        id,
        TaskStatus::Cancelled,
        None,
        None,
        None,
    )
    .await?;
    if let Some(sale_id) = task.sale_id {
        sales::append_events(
            &mut tx,
            sale_id,
            Some(user.actor.user_id),
            &[sales::NewEvent {
                kind: "task_cancelled",
                stage: task.stage.clone(),
                task_id: Some(id),
                task_kind: Some(task.kind.clone()),
                product_id: task.product_id,
                ..Default::default()
            }],
        )
        .await?;
    }
    commit(tx).await?;
    Ok(record)
}
