//! Tasks: «Мои задачи» (the signed-in start page: the user's open tasks, overdue ones first and
//! highlighted, then today's, then the coming ones), the task card with its completion form and
//! history, completing and cancelling, and a form for a task set by hand.
//!
//! Completing a process task runs the process: new tasks, perhaps a stage move or the process type.
//! A task whose outcomes choose the process type (`send_preliminary_kp`) asks its question as a
//! dialog with one button per answer; other outcomes are a select. When the outcome proposes a next
//! stage, the user is taken to the sale card with that proposal.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use chrono::NaiveDate;
use ferment_domain::process::{Definition, TaskStatus};
use ferment_domain::task::{Completion, ManualKind, TaskInput};
use ferment_store::history::HistoryEntry;
use ferment_store::tasks::{Due, ListQuery, ListRow};
use uuid::Uuid;

use super::contact_form::counterparty_choices;
use super::format::{day, day_input};
use super::forms::{
    Choice, FieldView, FormData, FormErrors, FormNotice, FormPage, FormSection, SearchBox,
    code_choices,
};
use super::history::{HistoryView, history_views};
use super::i18n::{Entity, Texts};
use super::layout::{Chrome, Ctx, PageResult, local_target, render, see_other};
use super::lookups::{Names, user_choices};
use super::process_view::{is_decision, outcome_name, stage_name, task_kind_name};
use super::{Fact, notice_of, path_id};
use crate::AppState;
use crate::app::{self, pages_support};
use crate::auth::urlencode;
use crate::error::AppError;

/// How many tasks each section of «my tasks» shows.
const SECTION_LIMIT: i64 = 100;

/// The task routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tasks", get(my_tasks))
        .route("/tasks/new", get(new_task).post(create_task))
        .route("/tasks/{id}", get(show_task))
        .route("/tasks/{id}/complete", get(show_task).post(complete_task))
        .route("/tasks/{id}/cancel", post(cancel_task))
}

/// A task as lists and cards show it.
pub struct TaskView {
    /// Id.
    pub id: Uuid,
    /// Its card.
    pub url: String,
    /// Title.
    pub title: String,
    /// Kind code (a process task's template, or a manual kind).
    pub kind: String,
    /// Kind name.
    pub kind_name: String,
    /// Due date.
    pub due: String,
    /// Open and due before today.
    pub overdue: bool,
    /// Assignee's name.
    pub assignee: String,
    /// The sale: (URL, title).
    pub sale: Option<(String, String)>,
    /// The client: (URL, name).
    pub client: Option<(String, String)>,
    /// The product's name.
    pub product: String,
    /// The stage's name (process tasks).
    pub stage: String,
    /// Status in words.
    pub status: &'static str,
    /// Status code, for styling.
    pub status_code: &'static str,
    /// The outcome chosen, in words.
    pub outcome: String,
    /// The completion comment.
    pub comment: String,
    /// Whether it completes with one click (no outcome to choose).
    pub quick: bool,
    /// The completion form, when the user may complete it.
    pub form: Option<CompleteForm>,
}

/// The completion form of an open task.
pub struct CompleteForm {
    /// Where to go afterwards.
    pub back: String,
    /// A process-type decision, asked with a button per answer.
    pub decision: Option<Decision>,
    /// The outcome select.
    pub outcome: Option<FieldView>,
    /// The recipe select (for outcomes needing `recipe_id`).
    pub recipe: Option<FieldView>,
    /// Other values outcomes need, as text inputs (`data.<key>`).
    pub data: Vec<FieldView>,
    /// The comment.
    pub comment: FieldView,
    /// Messages that belong to no input.
    pub error: Option<String>,
}

/// A decision's question and its answers.
pub struct Decision {
    /// «Полный или короткий процесс?»
    pub question: &'static str,
    /// One button per outcome.
    pub options: Vec<DecisionOption>,
}

/// One answer of a [`Decision`].
pub struct DecisionOption {
    /// The outcome's code.
    pub code: String,
    /// Its name.
    pub label: String,
    /// What it means.
    pub hint: &'static str,
}

/// What a completion form needs besides the task.
pub struct FormInputs<'a> {
    /// Where to go after completing.
    pub back: String,
    /// Recipes to choose from: (id, name).
    pub recipes: &'a [(String, String)],
    /// The refused post and its messages, to show again.
    pub posted: Option<(&'a FormData, &'a mut FormErrors)>,
}

/// The recipes a completion may name (none when the user may not read them).
pub async fn recipe_choices(state: &AppState, ctx: &Ctx) -> Vec<(String, String)> {
    match app::recipes::list(&state.store, &ctx.user, None, None, 200).await {
        Ok(page) => page
            .items
            .into_iter()
            .map(|r| (r.meta.id.to_string(), r.data.name))
            .collect(),
        Err(_) => Vec::new(),
    }
}

fn status_code(status: TaskStatus) -> &'static str {
    status.code()
}

/// Shapes a task for a page; `inputs` adds its completion form (an open task the user may edit).
pub fn task_view(
    ctx: &Ctx,
    def: &Definition,
    row: &ListRow,
    today: NaiveDate,
    inputs: Option<FormInputs<'_>>,
) -> TaskView {
    let (t, lang) = (ctx.t, ctx.lang);
    let task = &row.task;
    let template = task.stage.as_ref().and_then(|_| def.task(&task.kind));
    let quick = template.is_none_or(|tpl| tpl.outcomes.is_empty());
    let form =
        inputs
            .filter(|_| task.status == TaskStatus::Open)
            .map(|inputs| {
                let FormInputs {
                    back,
                    recipes,
                    posted,
                } = inputs;
                let mut spare = FormErrors::default();
                let (typed, errors) = match posted {
                    Some((form, errors)) => (Some(form), errors),
                    None => (None, &mut spare),
                };
                let value = |name: &str| typed.map(|f| f.text(name)).unwrap_or_default();
                let outcome_value = value("outcome");
                let mut decision = None;
                let mut outcome = None;
                let mut recipe = None;
                let mut data = Vec::new();
                if let Some(template) = template.filter(|tpl| !tpl.outcomes.is_empty()) {
                    if is_decision(template) {
                        decision = Some(Decision {
                            question: t.decision_process_type,
                            options: template
                                .outcomes
                                .iter()
                                .map(|o| DecisionOption {
                                    code: o.code.clone(),
                                    label: o.name(lang).to_string(),
                                    hint: match o.effects.process_type {
                                        Some(ferment_domain::process::ProcessType::Full) => {
                                            t.decision_full_hint
                                        }
                                        Some(ferment_domain::process::ProcessType::Short) => {
                                            t.decision_short_hint
                                        }
                                        None => "",
                                    },
                                })
                                .collect(),
                        });
                    } else {
                        let mut choices = vec![Choice::new("", t.choose_outcome, &outcome_value)];
                        choices.extend(
                            template
                                .outcomes
                                .iter()
                                .map(|o| Choice::new(o.code.clone(), o.name(lang), &outcome_value)),
                        );
                        outcome = Some(
                            FieldView::text("outcome", t.outcome, &outcome_value, errors)
                                .select(choices),
                        );
                    }
                    let mut keys: Vec<&str> = Vec::new();
                    for o in &template.outcomes {
                        for key in &o.requires_data {
                            if !keys.contains(&key.as_str()) {
                                keys.push(key);
                            }
                        }
                    }
                    for key in keys {
                        let name = format!("data.{key}");
                        let current = value(&name);
                        if key == "recipe_id" {
                            let mut choices = vec![Choice::new("", t.not_set, &current)];
                            choices.extend(recipes.iter().map(|(id, label)| {
                                Choice::new(id.clone(), label.clone(), &current)
                            }));
                            recipe = Some(
                                FieldView::text(&name, t.recipe, &current, errors)
                                    .select(choices)
                                    .hint(t.recipe_hint),
                            );
                        } else {
                            data.push(FieldView::text(&name, t.outcome_data, &current, errors));
                        }
                    }
                }
                let comment = FieldView::text("comment", t.comment, &value("comment"), errors);
                let rest: Vec<String> = std::mem::take(errors)
                    .rest(t, Entity::Task)
                    .into_iter()
                    .collect();
                // A decision has no input named `outcome`: its messages are shown above its buttons.
                let error = (!rest.is_empty()).then(|| rest.join("; "));
                CompleteForm {
                    back,
                    decision,
                    outcome,
                    recipe,
                    data,
                    comment,
                    error,
                }
            });
    let (status, code) = (task.status.label(lang), status_code(task.status));
    TaskView {
        id: task.meta.id,
        url: format!("/tasks/{}", task.meta.id),
        title: task.title.clone(),
        kind: task.kind.clone(),
        kind_name: task_kind_name(def, &task.kind, lang),
        due: day(task.due_on, lang),
        overdue: task.status == TaskStatus::Open && task.due_on < today,
        assignee: row.assignee_name.clone().unwrap_or_default(),
        sale: task.sale_id.map(|id| {
            (
                format!("/sales/{id}"),
                row.sale_title.clone().unwrap_or_default(),
            )
        }),
        client: task.counterparty_id.map(|id| {
            (
                format!("/counterparties/{id}"),
                row.counterparty_name.clone().unwrap_or_default(),
            )
        }),
        product: row.product_name.clone().unwrap_or_default(),
        stage: task
            .stage
            .as_deref()
            .map(|s| stage_name(def, s, lang))
            .unwrap_or_default(),
        status,
        status_code: code,
        outcome: task
            .outcome
            .as_deref()
            .map(|o| outcome_name(def, &task.kind, o, lang))
            .unwrap_or_default(),
        comment: task.comment.clone().unwrap_or_default(),
        quick,
        form,
    }
}

/// One section of «my tasks».
struct Section {
    key: &'static str,
    title: &'static str,
    tasks: Vec<TaskView>,
    /// Whether there are more than shown.
    more: bool,
}

#[derive(Template)]
#[template(path = "tasks/list.html")]
struct MyTasksPage {
    chrome: Chrome,
    notice: Option<&'static str>,
    sections: Vec<Section>,
    empty: bool,
    export_links: Option<(String, String)>,
}

/// `GET /tasks`: the user's open tasks by due date.
async fn my_tasks(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> PageResult {
    let t = ctx.t;
    let today = app::process::today();
    let def = pages_support::active_definition(&state.store).await?;
    let mut sections = Vec::new();
    for (key, title, due) in [
        ("overdue", t.tasks_overdue, Due::Overdue),
        ("today", t.tasks_today, Due::Today),
        ("upcoming", t.tasks_upcoming, Due::Upcoming),
    ] {
        let page = app::tasks::list(
            &state.store,
            &ctx.user,
            &ListQuery {
                assignee_id: Some(ctx.user.actor.user_id),
                status: Some(TaskStatus::Open),
                due: Some((due, today)),
                limit: SECTION_LIMIT,
                ..Default::default()
            },
        )
        .await?;
        let rows: Vec<&ListRow> = page.items.iter().collect();
        let editable = pages_support::may_edit_tasks(
            &state.store,
            &ctx.user,
            &rows.iter().map(|r| &r.task).collect::<Vec<_>>(),
        )
        .await?;
        let tasks = rows
            .iter()
            .zip(editable)
            .map(|(row, may)| {
                let inputs = may.then(|| FormInputs {
                    back: "/tasks".to_string(),
                    recipes: &[],
                    posted: None,
                });
                task_view(&ctx, &def, row, today, inputs)
            })
            .collect();
        sections.push(Section {
            key,
            title,
            tasks,
            more: page.next_cursor.is_some(),
        });
    }
    let page = MyTasksPage {
        chrome: ctx.chrome("tasks", t.my_tasks),
        notice: notice_of(t, raw.as_deref().unwrap_or("")),
        empty: sections.iter().all(|s| s.tasks.is_empty()),
        sections,
        // «My tasks» is the user's open tasks: the export holds all of them.
        export_links: app::exports::may_export(&ctx.user, ferment_domain::access::RecordKind::Task)
            .then(|| {
                super::exports::links("/tasks/export", &[("assignee", "me"), ("status", "open")])
            }),
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "tasks/card.html")]
struct TaskPage {
    chrome: Chrome,
    notice: Option<&'static str>,
    alert: Option<String>,
    task: TaskView,
    facts: Vec<Fact>,
    description: String,
    history: Vec<HistoryView>,
}

/// `GET /tasks/{id}` (and `/tasks/{id}/complete`): the task card with its completion form.
async fn show_task(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let id = path_id(&id)?;
    let notice = notice_of(ctx.t, raw.as_deref().unwrap_or(""));
    task_card(&state, &ctx, id, StatusCode::OK, None, notice).await
}

/// The definition a task's sale runs on (the active one for a task without a sale, or one whose
/// sale the user may not read).
async fn definition_for(
    state: &AppState,
    ctx: &Ctx,
    sale_id: Option<Uuid>,
) -> Result<(std::sync::Arc<Definition>, Option<String>), AppError> {
    if let Some(sale_id) = sale_id {
        match app::sales::get(&state.store, &ctx.user, sale_id).await {
            Ok(view) => return Ok((view.definition, Some(view.sale.data.title))),
            Err(AppError::NotFound | AppError::Forbidden) => {}
            Err(error) => return Err(error),
        }
    }
    Ok((pages_support::active_definition(&state.store).await?, None))
}

async fn task_card(
    state: &AppState,
    ctx: &Ctx,
    id: Uuid,
    status: StatusCode,
    posted: Option<(&FormData, &mut FormErrors)>,
    notice: Option<&'static str>,
) -> PageResult {
    let (t, lang) = (ctx.t, ctx.lang);
    let task = app::tasks::get(&state.store, &ctx.user, id).await?;
    let entries: Vec<HistoryEntry> = app::tasks::history(&state.store, &ctx.user, id).await?;
    let (def, sale_title) = definition_for(state, ctx, task.sale_id).await?;
    let mut names = Names::default();
    let mut user_ids = super::history::ids_in(&entries, "assignee_id");
    user_ids.extend(task.assignee_id);
    user_ids.extend(task.completed_by);
    names.add_users(&state.store, &ctx.user, user_ids).await?;
    let counterparty_name = match task.counterparty_id {
        Some(cid) => app::counterparties::get(&state.store, &ctx.user, cid)
            .await
            .ok()
            .map(|c| c.data.name),
        None => None,
    };
    let product_name = match task.product_id {
        Some(pid) => app::catalog::get_product(&state.store, &ctx.user, pid)
            .await
            .ok()
            .map(|p| p.record.data.name),
        None => None,
    };
    let row = ListRow {
        assignee_name: task
            .assignee_id
            .and_then(|a| names.get(&a).map(str::to_string)),
        sale_title,
        counterparty_name,
        product_name,
        task,
    };
    let editable = pages_support::may_edit_tasks(&state.store, &ctx.user, &[&row.task]).await?;
    let needs_recipes = def.task(&row.task.kind).is_some_and(|tpl| {
        tpl.outcomes
            .iter()
            .any(|o| o.requires_data.iter().any(|k| k == "recipe_id"))
    });
    let recipes = if needs_recipes && editable[0] {
        recipe_choices(state, ctx).await
    } else {
        Vec::new()
    };
    let back = posted
        .as_ref()
        .map(|(form, _)| local_target(Some(&form.text("back"))))
        .unwrap_or_else(|| {
            row.task
                .sale_id
                .map(|s| format!("/sales/{s}"))
                .unwrap_or_else(|| "/tasks".to_string())
        });
    let alert = posted.as_ref().map(|_| t.not_done.to_string());
    let inputs = editable[0].then(|| FormInputs {
        back,
        recipes: &recipes,
        posted,
    });
    let today = app::process::today();
    let view = task_view(ctx, &def, &row, today, inputs);
    let task = &row.task;
    let mut facts = vec![
        Fact::plain(t.task_kind, &view.kind_name),
        Fact::plain(t.task_status, view.status),
        Fact::plain(t.due_on, &view.due),
        Fact::plain(t.assignee_id, &view.assignee),
    ];
    if let Some((url, title)) = &view.sale {
        facts.push(Fact::link(t.sale, title, url.clone()));
    }
    if let Some((url, name)) = &view.client {
        facts.push(Fact::link(t.counterparty_id, name, url.clone()));
    }
    if !view.product.is_empty() {
        facts.push(Fact::plain(t.product, &view.product));
    }
    if !view.stage.is_empty() {
        facts.push(Fact::plain(t.stage, &view.stage));
    }
    if !view.outcome.is_empty() {
        facts.push(Fact::plain(t.outcome, &view.outcome));
    }
    if !view.comment.is_empty() {
        facts.push(Fact::plain(t.comment, &view.comment));
    }
    if let Some(done_at) = task.completed_at {
        facts.push(Fact::plain(
            t.completed_at,
            &super::format::datetime(done_at, lang),
        ));
    }
    let page = TaskPage {
        chrome: ctx.chrome("tasks", view.title.clone()),
        notice,
        alert,
        description: task.description.clone().unwrap_or_default(),
        facts,
        history: history_views(&entries, t, lang, Entity::Task, &names),
        task: view,
    };
    Ok(render(status, &page))
}

/// Adds `done=…` to a local path.
fn with_done(path: &str, done: &str) -> String {
    let separator = if path.contains('?') { '&' } else { '?' };
    format!("{path}{separator}done={done}")
}

/// `POST /tasks/{id}/complete`: completes the task with the outcome chosen; the card of the task
/// again, with the message beside the input, when the process refuses.
async fn complete_task(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = path_id(&id)?;
    let form = FormData::parse(&body);
    let data = form
        .prefixed("data.")
        .into_iter()
        .filter(|(_, value)| !value.trim().is_empty())
        .map(|(key, value)| (key, serde_json::Value::from(value.trim())))
        .collect();
    let completion = Completion {
        outcome: Some(form.text("outcome")).filter(|o| !o.trim().is_empty()),
        data,
        comment: Some(form.text("comment")).filter(|c| !c.trim().is_empty()),
    };
    match app::tasks::complete(&state.store, &ctx.user, id, &completion).await {
        Ok(done) => {
            let back = local_target(Some(&form.text("back")));
            let target = match (done.suggest, done.task.sale_id) {
                (Some(stage), Some(sale)) => {
                    format!("/sales/{sale}?done=completed&suggest={}", urlencode(&stage))
                }
                _ => with_done(&back, "completed"),
            };
            Ok(see_other(&target))
        }
        Err(AppError::Invalid(errors)) => {
            let mut errors = FormErrors::new(&errors, ctx.lang);
            let posted = Some((&form, &mut errors));
            task_card(
                &state,
                &ctx,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                posted,
                None,
            )
            .await
        }
        Err(AppError::Conflict(errors)) => {
            let mut errors = FormErrors::new(&errors, ctx.lang);
            task_card(
                &state,
                &ctx,
                id,
                StatusCode::CONFLICT,
                Some((&form, &mut errors)),
                None,
            )
            .await
        }
        Err(error) => Err(error.into()),
    }
}

/// `POST /tasks/{id}/cancel`: cancels the task, back where the user was.
async fn cancel_task(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = path_id(&id)?;
    let form = FormData::parse(&body);
    app::tasks::cancel(&state.store, &ctx.user, id).await?;
    let back = local_target(Some(&form.text("back")));
    Ok(see_other(&with_done(&back, "cancelled")))
}

/// The search box of the manual task form's counterparty select.
const COUNTERPARTY_QUERY: &str = "counterparty_q";

fn task_input(form: &FormData) -> TaskInput {
    TaskInput {
        kind: form.text("kind"),
        title: form.text("title"),
        description: form.text("description"),
        sale_id: form.text("sale_id"),
        counterparty_id: form.text("counterparty_id"),
        product_id: String::new(),
        assignee_id: form.text("assignee_id"),
        due_on: form.text("due_on"),
    }
}

async fn task_form(
    state: &AppState,
    ctx: &Ctx,
    input: &TaskInput,
    mut errors: FormErrors,
    notice: Option<FormNotice>,
    search: String,
) -> Result<FormPage, AppError> {
    let (t, lang) = (ctx.t, ctx.lang);
    let e = &mut errors;
    let mut sales = vec![Choice::new("", t.not_set, &input.sale_id)];
    if let Ok(sale_id) = Uuid::parse_str(input.sale_id.trim())
        && let Ok(view) = app::sales::get(&state.store, &ctx.user, sale_id).await
    {
        sales.push(Choice::new(
            sale_id.to_string(),
            view.sale.data.title,
            &input.sale_id,
        ));
    }
    super::forms::keep_unknown(&mut sales, &input.sale_id);
    let fields = vec![
        FieldView::text("kind", t.task_kind, &input.kind, e).select(code_choices(
            ManualKind::ALL.iter().map(|k| (k.code(), k.label(lang))),
            &input.kind,
            t.not_set,
        )),
        FieldView::text("due_on", t.due_on, &day_input(&input.due_on, lang), e).hint(t.date_hint),
        FieldView::text("title", t.task_title, &input.title, e)
            .required()
            .wide(),
        FieldView::text("description", t.description, &input.description, e)
            .kind("textarea")
            .wide(),
        FieldView::text("assignee_id", t.assignee_id, &input.assignee_id, e)
            .select(user_choices(&state.store, &ctx.user, &input.assignee_id, t.not_set).await?),
        FieldView::text("sale_id", t.sale, &input.sale_id, e).select(sales),
        FieldView::text(
            "counterparty_id",
            t.counterparty_id,
            &input.counterparty_id,
            e,
        )
        .select(counterparty_choices(state, ctx, &input.counterparty_id, &search).await?)
        .with_search(SearchBox {
            name: COUNTERPARTY_QUERY,
            value: search,
            placeholder: t.search_counterparties,
            button: t.find,
        })
        .wide(),
    ];
    let mut notice = notice;
    let leftovers = errors.rest(t, Entity::Task);
    if !leftovers.is_empty() {
        notice.get_or_insert_with(|| failed(t)).messages = leftovers;
    }
    let cancel = match Uuid::parse_str(input.sale_id.trim()) {
        Ok(sale) => format!("/sales/{sale}"),
        Err(_) => "/tasks".to_string(),
    };
    Ok(FormPage {
        chrome: ctx.chrome("tasks", t.new_task),
        action: "/tasks/new".to_string(),
        cancel,
        csrf: ctx.user.csrf_token().to_string(),
        version: None,
        notice,
        before: vec![FormSection {
            title: t.section_main,
            fields,
        }],
        bank_rows: Vec::new(),
        bank_error: None,
        after: Vec::new(),
    })
}

fn failed(t: &'static Texts) -> FormNotice {
    FormNotice {
        title: t.check_fields.to_string(),
        ..Default::default()
    }
}

/// `GET /tasks/new[?sale_id=…][&counterparty_id=…]`: the form of a task set by hand.
async fn new_task(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> PageResult {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let input = TaskInput {
        kind: ManualKind::Call.code().to_string(),
        sale_id: get("sale_id"),
        counterparty_id: get("counterparty_id"),
        assignee_id: ctx.user.actor.user_id.to_string(),
        due_on: app::process::today().format("%Y-%m-%d").to_string(),
        ..Default::default()
    };
    let page = task_form(
        &state,
        &ctx,
        &input,
        FormErrors::default(),
        None,
        String::new(),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /tasks/new`: sets the task; back to the sale it is about, or to «my tasks».
async fn create_task(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> PageResult {
    let form = FormData::parse(&body);
    let input = task_input(&form);
    if !form.text("_find").is_empty() {
        let page = task_form(
            &state,
            &ctx,
            &input,
            FormErrors::default(),
            None,
            form.text(COUNTERPARTY_QUERY),
        )
        .await?;
        return Ok(render(StatusCode::OK, &page));
    }
    match app::tasks::create(&state.store, &ctx.user, &input).await {
        Ok(task) => Ok(see_other(&match task.sale_id {
            Some(sale) => format!("/sales/{sale}?done=created"),
            None => "/tasks?done=created".to_string(),
        })),
        Err(AppError::Invalid(errors)) => {
            let page = task_form(
                &state,
                &ctx,
                &input,
                FormErrors::new(&errors, ctx.lang),
                Some(failed(ctx.t)),
                form.text(COUNTERPARTY_QUERY),
            )
            .await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(error) => Err(error.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_is_added_to_the_path_it_returns_to() {
        assert_eq!(with_done("/tasks", "completed"), "/tasks?done=completed");
        assert_eq!(
            with_done("/sales?view=list", "cancelled"),
            "/sales?view=list&done=cancelled"
        );
    }
}
