//! The page of one 1C connection (`/admin/integrations/{id}`): its settings form (edit, delete),
//! «Проверить подключение» with what 1C publishes and what the profile misses, «Синхронизировать»
//! and «Полная сверка» (which open the run's page), the runs, the conflicts with a button per
//! side, and the mapping — the profile in force, read-only, and the administrator's changes as a
//! JSON merge patch.
//!
//! Every action posts a form and calls the use case in [`crate::app::onec`]; a refused action
//! shows this page again with the message where the action is.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use ferment_domain::onec::ConnectionInput;
use ferment_domain::validation::FieldError;
use serde_json::Value;
use uuid::Uuid;

use super::admin::{Tab, tabs};
use super::admin_onec::{connection_url, form_notice, form_sections, input_of, schedule_text};
use super::format::datetime;
use super::forms::{FormData, FormErrors, FormNotice, FormSection};
use super::i18n::{Entity, field_label};
use super::layout::{Chrome, Ctx, PageResult, render, see_other};
use super::onec_words::{CountView, count_views, object_name, run_status};
use super::{notice_of, path_id};
use crate::AppState;
use crate::app::onec::{self, TestReport};
use crate::error::AppError;

/// What «Проверить подключение» found, for the page.
struct TestView {
    ok: bool,
    error: String,
    /// (entity set, the field or «весь набор»).
    missing: Vec<(String, String)>,
    published: Vec<String>,
}

/// A run in the runs table.
pub struct RunRow {
    /// Its page.
    pub url: String,
    /// `running`, `succeeded`, `failed`.
    pub status_code: String,
    /// The status in words.
    pub status: String,
    /// Started.
    pub started: String,
    /// Finished (empty while running).
    pub finished: String,
    /// A full reconcile.
    pub full: bool,
    /// The counts.
    pub counts: Vec<CountView>,
}

/// One field of a conflict.
struct ConflictField {
    field: String,
    ferment: String,
    onec: String,
}

/// A conflict with its buttons.
struct ConflictView {
    id: Uuid,
    object: String,
    record_url: String,
    fields: Vec<ConflictField>,
    /// Empty while open; what was decided otherwise.
    resolved: String,
}

#[derive(Template)]
#[template(path = "admin/onec_connection.html")]
struct ConnectionPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    csrf: String,
    done: Option<&'static str>,
    id: Uuid,
    version: i64,
    name: String,
    profile: &'static str,
    address: String,
    schedule: String,
    notice: Option<FormNotice>,
    sections: Vec<FormSection>,
    test: Option<TestView>,
    sync_alert: Option<String>,
    running_url: String,
    runs: Vec<RunRow>,
    conflicts: Vec<ConflictView>,
    mapping_effective: String,
    mapping_changes: String,
    mapping_error: Option<String>,
}

/// What a request adds to the page: a notice, a refused form, a test report, a refused start.
#[derive(Default)]
struct Extras {
    done: Option<&'static str>,
    typed: Option<(ConnectionInput, Vec<FieldError>)>,
    test: Option<TestReport>,
    sync_alert: Option<String>,
    mapping: Option<(String, String)>,
}

/// The runs of a connection as table rows.
pub fn run_rows(ctx: &Ctx, runs: &[ferment_store::onec::Run]) -> Vec<RunRow> {
    runs.iter()
        .map(|run| RunRow {
            url: format!("/admin/integrations/runs/{}", run.id),
            status_code: run.status.clone(),
            status: run_status(ctx.t, &run.status),
            started: datetime(run.started_at, ctx.lang),
            finished: run
                .finished_at
                .map(|at| datetime(at, ctx.lang))
                .unwrap_or_default(),
            full: run.full,
            counts: count_views(ctx.t, &run.counts),
        })
        .collect()
}

/// A value of a conflict's field as text.
fn shown(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn conflict_views(ctx: &Ctx, conflicts: &[ferment_store::onec::Conflict]) -> Vec<ConflictView> {
    conflicts
        .iter()
        .map(|c| {
            // Fields are named as the API names them; the page shows their labels.
            let entity = if c.object == "product" {
                Entity::Product
            } else {
                Entity::Counterparty
            };
            (c, entity)
        })
        .map(|(c, entity)| ConflictView {
            id: c.id,
            object: object_name(ctx.t, &c.object),
            record_url: super::admin_onec_run::record_url(&c.object, c.record_id),
            fields: c
                .fields
                .as_array()
                .map(|fields| {
                    fields
                        .iter()
                        .map(|f| ConflictField {
                            field: field_label(ctx.t, entity, &shown(&f["field"])).to_string(),
                            ferment: shown(&f["ferment"]),
                            onec: shown(&f["onec"]),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            resolved: match c.resolution.as_deref() {
                _ if c.resolved_at.is_none() => String::new(),
                Some("onec") => ctx.t.onec_resolved_onec.to_string(),
                Some("ferment") => ctx.t.onec_resolved_ferment.to_string(),
                other => other.unwrap_or_default().to_string(),
            },
        })
        .collect()
}

fn pretty(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

async fn connection_page(
    state: &AppState,
    ctx: &Ctx,
    id: Uuid,
    status: StatusCode,
    extras: Extras,
) -> PageResult {
    let t = ctx.t;
    let view = onec::get(&state.store, &ctx.user, id).await?;
    let runs = onec::runs(&state.store, &ctx.user, id, 20).await?;
    let conflicts = onec::conflicts(&state.store, &ctx.user, id).await?;
    let mapping = onec::mapping(&state.store, &ctx.user, id).await?;
    let connection = &view.data.connection;
    let (input, errors) = extras
        .typed
        .unwrap_or_else(|| (ConnectionInput::from(connection), Vec::new()));
    let mut form_errors = FormErrors::new(&errors, ctx.lang);
    let sections = form_sections(ctx, &input, &mut form_errors, true);
    let notice = (!errors.is_empty()).then(|| form_notice(ctx, form_errors));
    let test = extras.test.map(|report| TestView {
        ok: report.ok,
        error: report.error.unwrap_or_default(),
        missing: report
            .missing
            .into_iter()
            .map(|m| {
                let field = m.field.unwrap_or_else(|| t.onec_test_whole_set.to_string());
                (m.set, field)
            })
            .collect(),
        published: report.published,
    });
    let running_url = runs
        .iter()
        .find(|run| run.status == "running")
        .map(|run| format!("/admin/integrations/runs/{}", run.id))
        .unwrap_or_default();
    let (mapping_changes, mapping_error) = match extras.mapping {
        Some((typed, error)) => (typed, Some(error)),
        None => (pretty(&mapping.changes), None),
    };
    let page = ConnectionPage {
        chrome: ctx.chrome("admin", connection.name.clone()),
        tabs: tabs(ctx, "integrations"),
        csrf: ctx.user.csrf_token().to_string(),
        done: extras.done,
        id,
        version: view.version,
        name: connection.name.clone(),
        profile: connection.profile.label(ctx.lang),
        address: connection.url.clone(),
        schedule: schedule_text(ctx, connection.schedule_minutes),
        notice,
        sections,
        test,
        sync_alert: extras.sync_alert,
        running_url,
        runs: run_rows(ctx, &runs),
        conflicts: conflict_views(ctx, &conflicts),
        mapping_effective: pretty(&mapping.effective),
        mapping_changes,
        mapping_error,
    };
    Ok(render(status, &page))
}

/// `GET /admin/integrations/{id}`.
pub async fn show_connection(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let id = path_id(&id)?;
    let extras = Extras {
        done: notice_of(ctx.t, raw.as_deref().unwrap_or("")),
        ..Extras::default()
    };
    connection_page(&state, &ctx, id, StatusCode::OK, extras).await
}

/// `POST /admin/integrations/{id}`: saves the settings (a blank password keeps the stored one).
pub async fn update_connection(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = path_id(&id)?;
    let form = FormData::parse(&body);
    let input = input_of(&form);
    match onec::update(&state, &ctx.user, id, form.version(), &input).await {
        Ok(_) => Ok(see_other(&connection_url(id, "saved"))),
        Err(AppError::Invalid(errors)) => {
            let extras = Extras {
                typed: Some((input, errors)),
                ..Extras::default()
            };
            connection_page(&state, &ctx, id, StatusCode::UNPROCESSABLE_ENTITY, extras).await
        }
        Err(error) => Err(error.into()),
    }
}

/// `POST /admin/integrations/{id}/delete`.
pub async fn delete_connection(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let id = path_id(&id)?;
    onec::delete(&state.store, &ctx.user, id).await?;
    Ok(see_other("/admin/integrations?done=deleted"))
}

/// `POST /admin/integrations/{id}/test`: reads 1C's `$metadata` and shows what it found.
pub async fn test_connection(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let id = path_id(&id)?;
    let report = onec::test(&state, &ctx.user, id).await?;
    let extras = Extras {
        test: Some(report),
        ..Extras::default()
    };
    connection_page(&state, &ctx, id, StatusCode::OK, extras).await
}

/// `POST /admin/integrations/{id}/sync` (`full=true` for a full reconcile): starts a run and opens
/// its page; while another run goes on, says so instead.
pub async fn start_sync(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = path_id(&id)?;
    let full = FormData::parse(&body).checked("full");
    let (status, alert) = match onec::start_sync(&state, Some(&ctx.user), id, "manual", full).await
    {
        Ok(run) => return Ok(see_other(&format!("/admin/integrations/runs/{}", run.id))),
        Err(AppError::Conflict(_)) => (StatusCode::CONFLICT, ctx.t.onec_running.to_string()),
        Err(AppError::Invalid(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            errors
                .iter()
                .map(|e| e.problem.message(ctx.lang))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        Err(error) => return Err(error.into()),
    };
    let extras = Extras {
        sync_alert: Some(alert),
        ..Extras::default()
    };
    connection_page(&state, &ctx, id, status, extras).await
}

/// `POST /admin/integrations/{id}/mapping`: replaces the administrator's changes to the mapping;
/// text that is not JSON, or changes the profile refuses, are shown back with the reason.
pub async fn save_mapping(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = path_id(&id)?;
    let typed = FormData::parse(&body).text("changes");
    let refused = |message: String| Extras {
        mapping: Some((typed.clone(), message)),
        ..Extras::default()
    };
    let changes: Value = if typed.trim().is_empty() {
        Value::Object(serde_json::Map::new())
    } else {
        match serde_json::from_str(&typed) {
            Ok(value) => value,
            Err(error) => {
                let message = format!("{}: {error}", ctx.t.onec_mapping_not_json);
                let extras = refused(message);
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                return connection_page(&state, &ctx, id, status, extras).await;
            }
        }
    };
    match onec::set_mapping(&state.store, &ctx.user, id, &changes).await {
        Ok(_) => Ok(see_other(&format!(
            "{}#mapping",
            connection_url(id, "saved")
        ))),
        Err(AppError::Invalid(errors)) => {
            let mut errors = FormErrors::new(&errors, ctx.lang);
            let message = errors.take("changes").unwrap_or_default();
            let extras = refused(message);
            connection_page(&state, &ctx, id, StatusCode::UNPROCESSABLE_ENTITY, extras).await
        }
        Err(error) => Err(error.into()),
    }
}

/// `POST /admin/integrations/conflicts/{id}/resolve` (`resolution=onec|ferment`).
pub async fn resolve_conflict(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = path_id(&id)?;
    let side = FormData::parse(&body).text("resolution");
    let conflict = onec::resolve(&state.store, &ctx.user, id, &side).await?;
    Ok(see_other(&format!(
        "{}#conflicts",
        connection_url(conflict.connection_id, "resolved")
    )))
}
