//! The «1С» administration tab (`/admin/integrations`, for the `configure_integrations` right):
//! every connection with its profile, address, schedule, last run and open conflicts, the state of
//! 1C's «Обмен с сайтом» (CommerceML: the latest steps, the orders waiting), the
//! «Добавить подключение» form, and the connection form's fields shared with the connection page
//! ([`super::admin_onec_connection`]), which edits and deletes.
//!
//! The form's input names are [`ConnectionInput`]'s fields, so the domain's messages land beside
//! their inputs; the password input is never filled from what was typed or stored.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use ferment_domain::onec::{ConnectionInput, Direction, Profile};
use ferment_domain::validation::FieldError;
use uuid::Uuid;

use super::admin::{Tab, tabs};
use super::admin_onec_connection as connection_page;
use super::admin_onec_run as run_page;
use super::format::datetime;
use super::forms::{Choice, FieldView, FormData, FormErrors, FormNotice, FormSection};
use super::i18n::Entity;
use super::layout::{Chrome, Ctx, PageResult, render, see_other};
use super::notice_of;
use super::onec_words::{CountView, count_views, run_status};
use crate::AppState;
use crate::app::onec::{self, ConnectionView};
use crate::error::AppError;

/// The routes of the 1C administration pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/integrations",
            get(show_connections).post(create_connection),
        )
        .route(
            "/admin/integrations/{id}",
            get(connection_page::show_connection).post(connection_page::update_connection),
        )
        .route(
            "/admin/integrations/{id}/delete",
            post(connection_page::delete_connection),
        )
        .route(
            "/admin/integrations/{id}/test",
            post(connection_page::test_connection),
        )
        .route(
            "/admin/integrations/{id}/sync",
            post(connection_page::start_sync),
        )
        .route(
            "/admin/integrations/{id}/mapping",
            post(connection_page::save_mapping),
        )
        .route(
            "/admin/integrations/conflicts/{id}/resolve",
            post(connection_page::resolve_conflict),
        )
        .route("/admin/integrations/runs/{id}", get(run_page::show_run))
}

/// A connection as a row of the list.
pub struct ConnectionRowView {
    /// Its page.
    pub url: String,
    /// Name.
    pub name: String,
    /// The profile's name.
    pub profile: &'static str,
    /// The publication root.
    pub address: String,
    /// «каждые 15 мин» or «по кнопке».
    pub schedule: String,
    /// Whether it runs at all.
    pub active: bool,
    /// The last run, if any.
    pub last_run: Option<LastRun>,
    /// Open conflicts.
    pub open_conflicts: usize,
}

/// The newest run of a connection, in words.
pub struct LastRun {
    /// Its page.
    pub url: String,
    /// `running`, `succeeded`, `failed` (for styling).
    pub status_code: String,
    /// The status in words.
    pub status: String,
    /// When it started.
    pub when: String,
    /// Its counts.
    pub counts: Vec<CountView>,
}

/// 1C's «Обмен с сайтом» on the page: where 1C calls, what waits, what happened.
pub struct CommercemlView {
    /// «В настройках обмена 1С укажите … /exchange/1c …».
    pub hint: String,
    /// Orders waiting for 1C to take them.
    pub orders_waiting: usize,
    /// The latest steps.
    pub steps: Vec<ExchangeStepRow>,
}

/// One step of the exchange, in words.
pub struct ExchangeStepRow {
    /// When it last moved.
    pub when: String,
    /// What it was.
    pub step: &'static str,
    /// The file, if any.
    pub file: String,
    /// Items or orders.
    pub items: i64,
    /// `running`, `succeeded` or `failed` (for the badge's colour).
    pub badge: &'static str,
    /// The outcome in words.
    pub outcome: &'static str,
    /// Why it failed.
    pub message: String,
}

fn commerceml_view(ctx: &Ctx, state: &onec::CommercemlState) -> CommercemlView {
    let t = ctx.t;
    let steps = state
        .steps
        .iter()
        .map(|step| {
            let (badge, outcome) = match step.outcome.as_str() {
                "done" => ("succeeded", t.cml_done),
                "failed" => ("failed", t.cml_failed),
                _ => ("running", t.cml_progress),
            };
            ExchangeStepRow {
                when: ferment_store::parse_time(&step.updated_at)
                    .map(|at| datetime(at, ctx.lang))
                    .unwrap_or_else(|_| step.updated_at.clone()),
                step: match step.kind.as_str() {
                    "query" => t.cml_query,
                    "success" => t.cml_success,
                    _ => t.cml_import,
                },
                file: step.file.clone(),
                items: step.items,
                badge,
                outcome,
                message: step.message.clone().unwrap_or_default(),
            }
        })
        .collect();
    CommercemlView {
        hint: t.cml_hint.replace("{}", state.exchange_path),
        orders_waiting: state.orders_waiting,
        steps,
    }
}

/// A connection's schedule in words.
pub fn schedule_text(ctx: &Ctx, minutes: Option<i64>) -> String {
    match minutes {
        Some(minutes) => ctx.t.onec_every_minutes.replace("{}", &minutes.to_string()),
        None => ctx.t.onec_on_demand.to_string(),
    }
}

fn row_view(ctx: &Ctx, view: &ConnectionView) -> ConnectionRowView {
    let connection = &view.data.connection;
    ConnectionRowView {
        url: format!("/admin/integrations/{}", view.id),
        name: connection.name.clone(),
        profile: connection.profile.label(ctx.lang),
        address: connection.url.clone(),
        schedule: schedule_text(ctx, connection.schedule_minutes),
        active: connection.active,
        last_run: view.last_run.as_ref().map(|run| LastRun {
            url: format!("/admin/integrations/runs/{}", run.id),
            status_code: run.status.clone(),
            status: run_status(ctx.t, &run.status),
            when: datetime(run.started_at, ctx.lang),
            counts: count_views(ctx.t, &run.counts),
        }),
        open_conflicts: view.open_conflicts,
    }
}

/// Reads the connection form.
pub fn input_of(form: &FormData) -> ConnectionInput {
    ConnectionInput {
        name: form.text("name"),
        url: form.text("url"),
        login: form.text("login"),
        password: form.text("password"),
        profile: form.text("profile"),
        schedule_minutes: form.text("schedule_minutes"),
        full_every_hours: form.text("full_every_hours"),
        document_days: form.text("document_days"),
        products: form.text("products"),
        stock: form.text("stock"),
        counterparties: form.text("counterparties"),
        documents: form.text("documents"),
        // An unticked box sends nothing, and blank means «active» to the domain.
        active: form.checked("active").to_string(),
    }
}

/// The form a new connection starts from.
pub fn blank_input() -> ConnectionInput {
    ConnectionInput {
        products: Direction::FromOnec.code().into(),
        stock: Direction::FromOnec.code().into(),
        counterparties: Direction::Both.code().into(),
        documents: Direction::Both.code().into(),
        full_every_hours: "24".into(),
        document_days: "90".into(),
        active: "true".into(),
        ..ConnectionInput::default()
    }
}

fn direction_choices(ctx: &Ctx, allowed: &[Direction], current: &str) -> Vec<Choice> {
    let mut choices: Vec<Choice> = allowed
        .iter()
        .map(|d| Choice::new(d.code(), d.label(ctx.lang), current))
        .collect();
    super::forms::keep_unknown(&mut choices, current);
    choices
}

/// The connection form's sections; `editing` explains that a blank password keeps the stored one.
pub fn form_sections(
    ctx: &Ctx,
    input: &ConnectionInput,
    errors: &mut FormErrors,
    editing: bool,
) -> Vec<FormSection> {
    let t = ctx.t;
    let one_way = [Direction::FromOnec, Direction::Off];
    let mut profiles = vec![Choice::new("", t.not_set, &input.profile)];
    profiles.extend(
        Profile::ALL
            .iter()
            .map(|p| Choice::new(p.code(), p.label(ctx.lang), &input.profile)),
    );
    super::forms::keep_unknown(&mut profiles, &input.profile);
    let mut password = FieldView::text("password", t.onec_password, "", errors).kind("password");
    if editing {
        password = password.hint(t.onec_password_keep);
    } else {
        password = password.required();
    }
    vec![
        FormSection {
            title: t.onec_settings,
            fields: vec![
                FieldView::text("name", t.onec_name, &input.name, errors).required(),
                FieldView::text("url", t.onec_url, &input.url, errors)
                    .kind("url")
                    .required()
                    .wide()
                    .hint(t.onec_url_hint),
                FieldView::text("login", t.onec_login, &input.login, errors).required(),
                password,
                FieldView::text("profile", t.onec_profile, &input.profile, errors)
                    .select(profiles)
                    .required(),
            ],
        },
        FormSection {
            title: t.onec_schedule_col,
            fields: vec![
                FieldView::text(
                    "schedule_minutes",
                    t.onec_schedule,
                    &input.schedule_minutes,
                    errors,
                )
                .numeric()
                .hint(t.onec_schedule_hint),
                FieldView::text(
                    "full_every_hours",
                    t.onec_full_hours,
                    &input.full_every_hours,
                    errors,
                )
                .numeric(),
                FieldView::text(
                    "document_days",
                    t.onec_document_days,
                    &input.document_days,
                    errors,
                )
                .numeric(),
            ],
        },
        FormSection {
            title: t.onec_directions,
            fields: vec![
                FieldView::text("products", t.onec_dir_products, &input.products, errors)
                    .select(direction_choices(ctx, &one_way, &input.products)),
                FieldView::text("stock", t.onec_dir_stock, &input.stock, errors)
                    .select(direction_choices(ctx, &one_way, &input.stock)),
                FieldView::text(
                    "counterparties",
                    t.onec_dir_counterparties,
                    &input.counterparties,
                    errors,
                )
                .select(direction_choices(
                    ctx,
                    Direction::ALL,
                    &input.counterparties,
                )),
                FieldView::text("documents", t.onec_dir_documents, &input.documents, errors)
                    .select(direction_choices(ctx, Direction::ALL, &input.documents)),
                FieldView::text("active", t.onec_active, &input.active, errors).checkbox(),
            ],
        },
    ]
}

/// What a refused save says above the form (messages no input took included).
pub fn form_notice(ctx: &Ctx, errors: FormErrors) -> FormNotice {
    FormNotice {
        title: ctx.t.not_saved.to_string(),
        messages: errors.rest(ctx.t, Entity::Counterparty),
        ..FormNotice::default()
    }
}

#[derive(Template)]
#[template(path = "admin/onec.html")]
struct ConnectionsPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    csrf: String,
    done: Option<&'static str>,
    notice: Option<FormNotice>,
    connections: Vec<ConnectionRowView>,
    commerceml: CommercemlView,
    sections: Vec<FormSection>,
    /// Whether the add form is shown open (after a refused save).
    form_open: bool,
}

async fn connections_page(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    done: Option<&'static str>,
    typed: Option<(ConnectionInput, Vec<FieldError>)>,
) -> PageResult {
    let list = onec::list(&state.store, &ctx.user).await?;
    let commerceml = onec::commerceml_state(&state.store, &ctx.user).await?;
    let form_open = typed.is_some();
    let (input, errors) = typed.unwrap_or_else(|| (blank_input(), Vec::new()));
    let mut form_errors = FormErrors::new(&errors, ctx.lang);
    let sections = form_sections(ctx, &input, &mut form_errors, false);
    let notice = (!errors.is_empty()).then(|| form_notice(ctx, form_errors));
    let page = ConnectionsPage {
        chrome: ctx.chrome("admin", ctx.t.admin_onec),
        tabs: tabs(ctx, "integrations"),
        csrf: ctx.user.csrf_token().to_string(),
        done,
        notice,
        connections: list.iter().map(|view| row_view(ctx, view)).collect(),
        commerceml: commerceml_view(ctx, &commerceml),
        sections,
        form_open,
    };
    Ok(render(status, &page))
}

/// `GET /admin/integrations`: the connections and the form to add one.
async fn show_connections(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let done = notice_of(ctx.t, raw.as_deref().unwrap_or(""));
    connections_page(&state, &ctx, StatusCode::OK, done, None).await
}

/// `POST /admin/integrations`: adds a connection and opens its page.
async fn create_connection(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> PageResult {
    let form = FormData::parse(&body);
    let input = input_of(&form);
    match onec::create(&state, &ctx.user, &input).await {
        Ok(created) => Ok(see_other(&connection_url(created.id, "created"))),
        Err(AppError::Invalid(errors)) => {
            connections_page(
                &state,
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some((input, errors)),
            )
            .await
        }
        Err(error) => Err(error.into()),
    }
}

/// The page of a connection with a `done` notice.
pub fn connection_url(id: Uuid, done: &str) -> String {
    format!("/admin/integrations/{id}?done={done}")
}
