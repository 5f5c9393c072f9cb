//! `/api/v1/integrations/onec`: connections to 1C bases, test connection, sync runs and their log,
//! the mapping, conflicts; `/api/v1/sales/{id}/onec` and `/api/v1/counterparties/{id}/onec`: the
//! 1C documents of a sale or a client, and orders sent to 1C from a sale.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use ferment_domain::onec::ConnectionInput;
use ferment_domain::validation::{FieldError, Problem};
use serde::Deserialize;
use serde_json::{Value, json};

use super::counterparties::DeleteParams;
use super::input::{merge, version};
use super::{JsonObject, optional_object, path_id};
use crate::AppState;
use crate::app::onec as usecase;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

/// The 1C routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/integrations/onec", get(list).post(create))
        .route(
            "/integrations/onec/{id}",
            get(read).patch(update).delete(remove),
        )
        .route("/integrations/onec/{id}/test", post(test))
        .route("/integrations/onec/{id}/sync", post(sync))
        .route("/integrations/onec/{id}/runs", get(runs))
        .route(
            "/integrations/onec/{id}/mapping",
            get(mapping).put(set_mapping),
        )
        .route("/integrations/onec/{id}/conflicts", get(conflicts))
        .route("/integrations/onec/runs/{run_id}", get(run))
        .route("/integrations/commerceml", get(commerceml_state))
        .route(
            "/integrations/onec/conflicts/{conflict_id}/resolve",
            post(resolve),
        )
        .route("/sales/{id}/onec", get(of_sale))
        .route("/sales/{id}/onec/orders", post(send_order))
        .route("/sales/{id}/commerceml/order", post(commerceml_order))
        .route("/counterparties/{id}/onec", get(of_counterparty))
}

async fn commerceml_state(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<impl IntoResponse> {
    Ok(Json(usecase::commerceml_state(&state.store, &user).await?))
}

async fn list(State(state): State<AppState>, user: CurrentUser) -> AppResult<impl IntoResponse> {
    let items = usecase::list(&state.store, &user).await?;
    Ok(Json(json!({ "items": items })))
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let input = merge(&ConnectionInput::default(), &body)?;
    let view = usecase::create(&state, &user, &input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

async fn read(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    Ok(Json(
        usecase::get(&state.store, &user, path_id(&id)?).await?,
    ))
}

async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let id = path_id(&id)?;
    let expected = version(&body)?;
    let current = usecase::get(&state.store, &user, id).await?;
    let input = merge(&ConnectionInput::from(&current.data.connection), &body)?;
    Ok(Json(
        usecase::update(&state, &user, id, expected, &input).await?,
    ))
}

async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(_params): Query<DeleteParams>,
) -> AppResult<impl IntoResponse> {
    usecase::delete(&state.store, &user, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn test(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    Ok(Json(usecase::test(&state, &user, path_id(&id)?).await?))
}

fn flag(body: &serde_json::Map<String, Value>, field: &str) -> AppResult<bool> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(value)) => Ok(*value),
        Some(_) => Err(AppError::Invalid(vec![FieldError::new(
            field,
            Problem::Type {
                expected: "boolean",
            },
        )])),
    }
}

fn only(body: &serde_json::Map<String, Value>, allowed: &[&str]) -> AppResult<()> {
    let unknown: Vec<FieldError> = body
        .keys()
        .filter(|k| !allowed.contains(&k.as_str()))
        .map(|k| FieldError::new(k.clone(), Problem::UnknownField))
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(unknown))
    }
}

async fn sync(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<impl IntoResponse> {
    let body = optional_object(&body)?;
    only(&body, &["full"])?;
    let full = flag(&body, "full")?;
    let run = usecase::start_sync(&state, Some(&user), path_id(&id)?, "manual", full).await?;
    Ok((StatusCode::ACCEPTED, Json(run)))
}

#[derive(Debug, Deserialize)]
struct RunsParams {
    limit: Option<i64>,
}

async fn runs(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(params): Query<RunsParams>,
) -> AppResult<impl IntoResponse> {
    let items = usecase::runs(
        &state.store,
        &user,
        path_id(&id)?,
        params.limit.unwrap_or(50),
    )
    .await?;
    Ok(Json(json!({ "items": items })))
}

async fn run(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(run_id): Path<String>,
) -> AppResult<impl IntoResponse> {
    Ok(Json(
        usecase::run(&state.store, &user, path_id(&run_id)?).await?,
    ))
}

async fn mapping(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    Ok(Json(
        usecase::mapping(&state.store, &user, path_id(&id)?).await?,
    ))
}

async fn set_mapping(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    only(&body, &["changes"])?;
    let changes = body.get("changes").cloned().unwrap_or(Value::Null);
    Ok(Json(
        usecase::set_mapping(&state.store, &user, path_id(&id)?, &changes).await?,
    ))
}

async fn conflicts(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let items = usecase::conflicts(&state.store, &user, path_id(&id)?).await?;
    Ok(Json(json!({ "items": items })))
}

async fn resolve(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(conflict_id): Path<String>,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    only(&body, &["resolution"])?;
    let side = body.get("resolution").and_then(Value::as_str).unwrap_or("");
    Ok(Json(
        usecase::resolve(&state.store, &user, path_id(&conflict_id)?, side).await?,
    ))
}

async fn of_sale(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    Ok(Json(
        usecase::of_sale(&state.store, &user, path_id(&id)?).await?,
    ))
}

async fn send_order(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<impl IntoResponse> {
    let body = optional_object(&body)?;
    only(&body, &["connection_id", "post"])?;
    let connection_id = match body.get("connection_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(uuid::Uuid::parse_str(text).map_err(|_| {
            AppError::Invalid(vec![FieldError::new("connection_id", Problem::Uuid)])
        })?),
        Some(_) => {
            return Err(AppError::Invalid(vec![FieldError::new(
                "connection_id",
                Problem::Uuid,
            )]));
        }
    };
    let post = match body.get("post") {
        None => true,
        Some(_) => flag(&body, "post")?,
    };
    let outgoing = usecase::send_order(&state, &user, path_id(&id)?, connection_id, post).await?;
    Ok((StatusCode::ACCEPTED, Json(outgoing)))
}

async fn of_counterparty(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    Ok(Json(
        usecase::of_counterparty(&state.store, &user, path_id(&id)?).await?,
    ))
}

async fn commerceml_order(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let order = usecase::request_commerceml_order(&state.store, &user, path_id(&id)?).await?;
    Ok((StatusCode::ACCEPTED, Json(order)))
}

/// The 1C paths of the OpenAPI document.
pub fn openapi_paths(paths: &mut serde_json::Map<String, Value>) {
    use super::openapi::{json_content, responses};
    let tag = "1С / 1C";
    let param = |name: &str| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}});
    let id = param("id");
    let counts = json!({"type": "object", "additionalProperties": {"type": "object", "properties": {
        "received": {"type": "integer"}, "created": {"type": "integer"}, "updated": {"type": "integer"},
        "unchanged": {"type": "integer"}, "failed": {"type": "integer"}}}});
    let run = json!({"type": "object", "properties": {
        "id": {"type": "string", "format": "uuid"}, "connection_id": {"type": "string", "format": "uuid"},
        "trigger": {"type": "string", "enum": ["manual", "schedule", "cli", "order"]}, "full": {"type": "boolean"},
        "status": {"type": "string", "enum": ["running", "succeeded", "failed"]},
        "started_at": {"type": "string", "format": "date-time"}, "finished_at": {"type": "string", "format": "date-time"},
        "counts": counts, "error": {"type": "string"}}});
    let connection_input = json!({"type": "object", "required": ["name", "url", "login", "password", "profile"], "properties": {
        "name": {"type": "string"}, "url": {"type": "string", "example": "http://1c.local/ut/odata/standard.odata/"},
        "login": {"type": "string"}, "password": {"type": "string", "writeOnly": true},
        "profile": {"type": "string", "enum": ["bp30", "ut11"]}, "schedule_minutes": {"type": "string"},
        "full_every_hours": {"type": "string"}, "document_days": {"type": "string"},
        "products": {"type": "string", "enum": ["from_onec", "off"]}, "stock": {"type": "string", "enum": ["from_onec", "off"]},
        "counterparties": {"type": "string", "enum": ["both", "from_onec", "to_onec", "off"]},
        "documents": {"type": "string", "enum": ["both", "from_onec", "to_onec", "off"]}, "active": {"type": "boolean"}}});
    let connection = json!({"type": "object", "properties": {
        "id": {"type": "string", "format": "uuid"}, "version": {"type": "integer"}, "name": {"type": "string"},
        "url": {"type": "string"}, "login": {"type": "string"}, "profile": {"type": "string"},
        "directions": {"type": "object"}, "mapping": {"type": "object"}, "last_run": run.clone(),
        "open_conflicts": {"type": "integer"}}});
    let any = json!({"type": "object"});
    let items = |schema: &Value| json!({"type": "object", "properties": {"items": {"type": "array", "items": schema}}});
    let step = json!({"type": "object", "properties": {
        "kind": {"type": "string", "enum": ["import", "query", "success"]}, "file": {"type": "string"},
        "started_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"},
        "items": {"type": "integer"}, "outcome": {"type": "string", "enum": ["progress", "done", "failed"]},
        "message": {"type": ["string", "null"]}}});
    paths.insert("/integrations/commerceml".into(), json!({
        "get": {"tags": [tag], "summary": "1C's «Обмен с сайтом» (CommerceML at /exchange/1c): the latest 50 steps and the orders waiting (configure_integrations)",
                "responses": responses(("200", "The exchange's state", Some(json!({"type": "object", "properties": {
                    "exchange_path": {"type": "string"}, "orders_waiting": {"type": "integer"},
                    "steps": {"type": "array", "items": step}}}))), &["401", "403"])}}));
    paths.insert("/integrations/onec".into(), json!({
        "get": {"tags": [tag], "summary": "Connections to 1C bases (configure_integrations)",
                "responses": responses(("200", "Connections", Some(items(&connection))), &["401", "403"])},
        "post": {"tags": [tag], "summary": "Add a connection; the password is sealed and never returned",
                 "requestBody": {"required": true, "content": json_content(connection_input.clone())},
                 "responses": responses(("201", "The connection", Some(connection.clone())), &["401", "403", "422"])}}));
    paths.insert("/integrations/onec/{id}".into(), json!({
        "get": {"tags": [tag], "summary": "A connection", "parameters": [id],
                "responses": responses(("200", "The connection", Some(connection.clone())), &["401", "403", "404"])},
        "patch": {"tags": [tag], "summary": "Change a connection (a blank password keeps the stored one); `version` required",
                  "parameters": [id], "requestBody": {"required": true, "content": json_content(connection_input)},
                  "responses": responses(("200", "The connection", Some(connection)), &["401", "403", "404", "409", "422"])},
        "delete": {"tags": [tag], "summary": "Remove a connection (its runs and links stay)", "parameters": [id],
                   "responses": responses(("204", "Removed", None), &["401", "403", "404"])}}));
    paths.insert("/integrations/onec/{id}/test".into(), json!({
        "post": {"tags": [tag], "summary": "Read $metadata: what is published, what the profile needs but is missing",
                 "parameters": [id], "responses": responses(("200", "The report", Some(any.clone())), &["401", "403", "404"])}}));
    paths.insert("/integrations/onec/{id}/sync".into(), json!({
        "post": {"tags": [tag], "summary": "Start a run in the background (`{\"full\": true}` for a full reconcile)",
                 "parameters": [id], "requestBody": {"required": false, "content": json_content(json!({"type": "object", "properties": {"full": {"type": "boolean"}}}))},
                 "responses": responses(("202", "The run, running", Some(run.clone())), &["401", "403", "404", "409", "422"])}}));
    paths.insert("/integrations/onec/{id}/runs".into(), json!({
        "get": {"tags": [tag], "summary": "The newest runs with their counts", "parameters": [id],
                "responses": responses(("200", "Runs", Some(items(&run))), &["401", "403", "404"])}}));
    paths.insert("/integrations/onec/runs/{run_id}".into(), json!({
        "get": {"tags": [tag], "summary": "A run and its log (what came, what went, what failed and why)", "parameters": [param("run_id")],
                "responses": responses(("200", "The run", Some(run)), &["401", "403", "404"])}}));
    paths.insert("/integrations/onec/{id}/mapping".into(), json!({
        "get": {"tags": [tag], "summary": "The profile in force and the administrator's changes", "parameters": [id],
                "responses": responses(("200", "The mapping", Some(any.clone())), &["401", "403", "404"])},
        "put": {"tags": [tag], "summary": "Replace the changes (a JSON merge patch over the shipped profile)", "parameters": [id],
                "requestBody": {"required": true, "content": json_content(json!({"type": "object", "properties": {"changes": {"type": "object"}}}))},
                "responses": responses(("200", "The mapping", Some(any.clone())), &["401", "403", "404", "422"])}}));
    paths.insert("/integrations/onec/{id}/conflicts".into(), json!({
        "get": {"tags": [tag], "summary": "Records changed on both sides, open first", "parameters": [id],
                "responses": responses(("200", "Conflicts", Some(items(&any))), &["401", "403", "404"])}}));
    paths.insert("/integrations/onec/conflicts/{conflict_id}/resolve".into(), json!({
        "post": {"tags": [tag], "summary": "Take 1C's values (`onec`) or keep Ferment's and send them (`ferment`)", "parameters": [param("conflict_id")],
                 "requestBody": {"required": true, "content": json_content(json!({"type": "object", "required": ["resolution"], "properties": {"resolution": {"type": "string", "enum": ["onec", "ferment"]}}}))},
                 "responses": responses(("200", "The conflict, resolved", Some(any.clone())), &["401", "403", "404", "409", "422"])}}));
    paths.insert("/sales/{id}/onec".into(), json!({
        "get": {"tags": [tag], "summary": "A sale's 1C documents, the orders sent over OData and the CommerceML order", "parameters": [id],
                "responses": responses(("200", "1C state", Some(any.clone())), &["401", "404"])}}));
    paths.insert("/sales/{id}/onec/orders".into(), json!({
        "post": {"tags": [tag], "summary": "Send the sale's order (an invoice in БП 3.0) to 1C now, posted unless `post` is false", "parameters": [id],
                 "requestBody": {"required": false, "content": json_content(json!({"type": "object", "properties": {"connection_id": {"type": "string", "format": "uuid"}, "post": {"type": "boolean"}}}))},
                 "responses": responses(("202", "The order, pending", Some(any.clone())), &["401", "403", "404", "422"])}}));
    paths.insert("/sales/{id}/commerceml/order".into(), json!({
        "post": {"tags": [tag], "summary": "Give the sale's order to 1C at its next CommerceML exchange", "parameters": [id],
                 "responses": responses(("202", "The order's exchange state", Some(any.clone())), &["401", "403", "404", "422"])}}));
    paths.insert("/counterparties/{id}/onec".into(), json!({
        "get": {"tags": [tag], "summary": "A client's 1C documents and contracts", "parameters": [id],
                "responses": responses(("200", "1C state", Some(any)), &["401", "404"])}}));
}
