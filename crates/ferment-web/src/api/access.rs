//! Access administration: `/api/v1/roles`, `/api/v1/departments`, `/api/v1/access/effective`,
//! `/api/v1/audit` and `/api/v1/settings/trusted-proxies`. Users' roles, department, overrides and
//! `ip_allow` are fields of `/api/v1/users/{id}`.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use ferment_domain::access::{Denied, Grant, Source, Verdict};
use ferment_domain::validation::{Errors, FieldError, Problem};
use ferment_store::departments::Department;
use ferment_store::roles::Role;
use serde::Deserialize;
use serde_json::{Value, json};

use super::input::version;
use super::params::{blank, id_param, page_params};
use super::{JsonObject, path_id};
use crate::AppState;
use crate::app::access_admin as usecase;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

/// The access administration routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/roles", get(list_roles).post(create_role))
        .route(
            "/roles/{code}",
            get(get_role).patch(update_role).delete(delete_role),
        )
        .route(
            "/departments",
            get(list_departments).post(create_department),
        )
        .route(
            "/departments/{id}",
            axum::routing::patch(rename_department).delete(delete_department),
        )
        .route("/access/effective", get(effective))
        .route("/audit", get(audit_log))
        .route(
            "/settings/trusted-proxies",
            get(get_trusted).put(put_trusted),
        )
}

fn role_json(role: &Role) -> Value {
    json!({
        "code": role.code,
        "name": role.name,
        "name_en": role.name_en,
        "permissions": role.rights.permissions.to_json(),
        "system": role.rights.system.iter().map(|s| s.code()).collect::<Vec<_>>(),
        "hidden_fields": role.rights.hidden_fields.iter().map(|f| f.code()).collect::<Vec<_>>(),
        "ip_allow": ferment_domain::access::rights::ip_allow_to_json(&role.rights.ip_allow),
        "version": role.version,
        "updated_at": role.updated_at,
    })
}

async fn list_roles(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<impl IntoResponse> {
    let roles = usecase::list_roles(&state.store, &user).await?;
    Ok(Json(
        json!({ "items": roles.iter().map(role_json).collect::<Vec<_>>() }),
    ))
}

async fn get_role(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> AppResult<impl IntoResponse> {
    Ok(Json(role_json(
        &usecase::get_role(&state.store, &user, &code).await?,
    )))
}

async fn create_role(
    State(state): State<AppState>,
    user: CurrentUser,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let input = usecase::RoleInput::from_json(&body, None)?;
    let role = usecase::create_role(&state.store, &user, input).await?;
    Ok((StatusCode::CREATED, Json(role_json(&role))))
}

async fn update_role(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let expected = version(&body)?;
    let role = usecase::update_role(&state.store, &user, &code, expected, &body).await?;
    Ok(Json(role_json(&role)))
}

async fn delete_role(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> AppResult<impl IntoResponse> {
    usecase::delete_role(&state.store, &user, &code).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn department_json(department: &Department) -> Value {
    json!(department)
}

fn name_of(body: &serde_json::Map<String, Value>) -> AppResult<String> {
    match body.get("name") {
        Some(Value::String(name)) => Ok(name.clone()),
        None | Some(Value::Null) => Err(AppError::Invalid(vec![FieldError::new(
            "name",
            Problem::Required,
        )])),
        Some(_) => Err(AppError::Invalid(vec![FieldError::new(
            "name",
            Problem::Type { expected: "text" },
        )])),
    }
}

async fn list_departments(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<impl IntoResponse> {
    let items = usecase::list_departments(&state.store, &user).await?;
    Ok(Json(
        json!({ "items": items.iter().map(department_json).collect::<Vec<_>>() }),
    ))
}

async fn create_department(
    State(state): State<AppState>,
    user: CurrentUser,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let name = name_of(&body)?;
    let created = usecase::create_department(&state.store, &user, &name).await?;
    Ok((StatusCode::CREATED, Json(department_json(&created))))
}

async fn rename_department(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let id = path_id(&id)?;
    let expected = version(&body)?;
    let name = name_of(&body)?;
    let renamed = usecase::rename_department(&state.store, &user, id, expected, &name).await?;
    Ok(Json(department_json(&renamed)))
}

async fn delete_department(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    usecase::delete_department(&state.store, &user, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
struct EffectiveParams {
    user: Option<String>,
    record: Option<String>,
}

fn grant_json(grant: &Grant) -> Value {
    let source = match &grant.source {
        Source::Role(code) => json!({ "type": "role", "code": code }),
        Source::Override => json!({ "type": "override" }),
    };
    json!({ "level": grant.level.code(), "source": source })
}

/// One operation's verdict on the wire.
pub fn verdict_json(verdict: &Verdict) -> Value {
    json!({
        "operation": verdict.operation.code(),
        "allowed": verdict.denied.is_none(),
        "rule": verdict.allowed_by.as_ref().map(|(grant, reason)| {
            let mut rule = grant_json(grant);
            rule["reason"] = json!(reason);
            rule
        }),
        "grants": verdict.grants.iter().map(grant_json).collect::<Vec<_>>(),
        "denied": verdict.denied.as_ref().map(|denied| match denied {
            Denied::Invisible => "invisible",
            Denied::Forbidden { .. } => "forbidden",
            Denied::System(_) => "system",
        }),
    })
}

async fn effective(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<EffectiveParams>,
) -> AppResult<impl IntoResponse> {
    let mut errors = Errors::new();
    let user_id = id_param(&mut errors, "user", &params.user);
    let record_id = id_param(&mut errors, "record", &params.record);
    if blank(&params.user).is_none() {
        errors.add("user", Problem::Required);
    }
    if blank(&params.record).is_none() {
        errors.add("record", Problem::Required);
    }
    errors.finish(()).map_err(AppError::Invalid)?;
    let (Some(user_id), Some(record_id)) = (user_id, record_id) else {
        return Err(AppError::Invalid(vec![]));
    };
    let found = usecase::effective(&state.store, &user, user_id, record_id).await?;
    Ok(Json(json!({
        "user": { "id": found.user.meta.id, "login": found.user.data.login, "roles": found.user.data.roles },
        "record": { "id": record_id, "kind": found.kind.code(), "name": found.name },
        "operations": found.verdicts.iter().map(verdict_json).collect::<Vec<_>>(),
    })))
}

#[derive(Debug, Deserialize)]
struct AuditParams {
    event: Option<String>,
    user: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

async fn audit_log(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<AuditParams>,
) -> AppResult<impl IntoResponse> {
    let mut errors = Errors::new();
    let user_id = id_param(&mut errors, "user", &params.user);
    let (cursor, limit) = page_params(&mut errors, &params.limit, &params.cursor);
    errors.finish(()).map_err(AppError::Invalid)?;
    let query = ferment_store::audit::Query {
        event: blank(&params.event).map(str::to_string),
        user_id,
        cursor,
        limit,
    };
    let page = usecase::audit_log(&state.store, &user, &query).await?;
    Ok(Json(
        json!({ "items": page.items, "next_cursor": page.next_cursor }),
    ))
}

async fn get_trusted(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<impl IntoResponse> {
    let list = usecase::trusted_proxies(&state, &user).await?;
    Ok(Json(json!({
        "trusted_proxies": ferment_domain::access::rights::ip_allow_to_json(&list)
    })))
}

async fn put_trusted(
    State(state): State<AppState>,
    user: CurrentUser,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let value = body.get("trusted_proxies").cloned().unwrap_or(Value::Null);
    let list = usecase::set_trusted_proxies(&state, &user, &value).await?;
    Ok(Json(json!({
        "trusted_proxies": ferment_domain::access::rights::ip_allow_to_json(&list)
    })))
}
