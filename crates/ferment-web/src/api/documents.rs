//! Documents in the API: generate a sale's document (`POST /sales/{id}/documents`), list a sale's
//! and a client's documents, download a file (`GET /documents/{id}/file`); document kinds with
//! their numbering prefixes and versioned templates (text → PDF, Word → DOCX), a template check
//! and a PDF preview; the company's requisites and images; the template field palette.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use ferment_domain::company::CompanyInput;
use ferment_store::documents::{DocumentRow, KindRow, TemplateRow};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{JsonObject, path_id};
use crate::AppState;
use crate::app::company::{self as company_usecase, CompanySetting};
use crate::app::documents::{self as usecase, GenerateInput, KindInput, content_type};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

/// The document routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sales/{id}/documents", get(sale_documents).post(generate))
        .route(
            "/counterparties/{id}/documents",
            get(counterparty_documents),
        )
        .route("/documents/{id}", get(read))
        .route("/documents/{id}/file", get(download))
        .route("/document-kinds", get(kinds).post(create_kind))
        .route("/document-kinds/{code}", axum::routing::patch(update_kind))
        .route(
            "/document-kinds/{code}/templates/{format}",
            get(templates).post(save_template),
        )
        .route("/document-kinds/{code}/check", post(check))
        .route("/document-kinds/{code}/preview", post(preview))
        .route("/document-templates/{id}", get(template))
        .route("/document-templates/{id}/file", get(template_file))
        .route("/document-fields", get(fields))
        .route("/company", get(company).put(save_company))
        .route(
            "/company/images/{slot}",
            put(set_image)
                .delete(remove_image)
                // A little over the image limit, so a large image gets the use case's message.
                .layer(axum::extract::DefaultBodyLimit::max(
                    company_usecase::IMAGE_MAX_BYTES + 1024 * 1024,
                )),
        )
}

/// A document as the API shows it.
pub fn document_json(row: &DocumentRow) -> Value {
    json!({
        "id": row.id, "sale_id": row.sale_id, "counterparty_id": row.counterparty_id,
        "kind": row.kind, "number": row.number, "date": row.date, "format": row.format,
        "version": row.version, "template_id": row.template_id, "file_name": row.file_name,
        "file_size": row.file_size, "sha256": row.file_sha256,
        "created_by": row.created_by, "created_by_name": row.created_by_name,
        "created_at": row.created_at,
        "url": format!("/api/v1/documents/{}/file", row.id),
    })
}

fn text(body: &serde_json::Map<String, Value>, field: &str) -> AppResult<String> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(AppError::Invalid(vec![
            ferment_domain::validation::FieldError::new(
                field,
                ferment_domain::validation::Problem::Type { expected: "string" },
            ),
        ])),
    }
}

async fn generate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let sale_id = path_id(&id)?;
    let new_number = match body.get("new_number") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(AppError::Invalid(vec![
                ferment_domain::validation::FieldError::new(
                    "new_number",
                    ferment_domain::validation::Problem::Type {
                        expected: "boolean",
                    },
                ),
            ]));
        }
    };
    let input = GenerateInput {
        kind: text(&body, "kind")?,
        format: text(&body, "format")?,
        new_number,
    };
    if input.kind.trim().is_empty() {
        return Err(AppError::Invalid(vec![
            ferment_domain::validation::FieldError::new(
                "kind",
                ferment_domain::validation::Problem::Required,
            ),
        ]));
    }
    let row = usecase::generate(&state, &user, sale_id, &input).await?;
    Ok((StatusCode::CREATED, Json(document_json(&row))))
}

fn items(rows: &[DocumentRow]) -> Json<Value> {
    Json(json!({"items": rows.iter().map(document_json).collect::<Vec<_>>()}))
}

async fn sale_documents(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let rows = usecase::for_sale(&state, &user, path_id(&id)?).await?;
    Ok(items(&rows))
}

async fn counterparty_documents(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let rows = usecase::for_counterparty(&state, &user, path_id(&id)?).await?;
    Ok(items(&rows))
}

async fn read(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let row = usecase::get(&state, &user, path_id(&id)?).await?;
    Ok(Json(document_json(&row)))
}

/// `Content-Disposition: attachment` with a Russian file name (see
/// [`crate::export::content_disposition`]).
pub fn attachment(file_name: &str) -> HeaderValue {
    HeaderValue::from_str(&crate::export::content_disposition(file_name))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// A file answer.
pub fn file_response(bytes: Vec<u8>, content_type: &str, file_name: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_str(content_type)
                    .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream")),
            ),
            (header::CONTENT_DISPOSITION, attachment(file_name)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
        ],
        bytes,
    )
        .into_response()
}

async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (row, bytes) = usecase::file(&state, &user, path_id(&id)?).await?;
    Ok(file_response(
        bytes,
        content_type(&row.format),
        &row.file_name,
    ))
}

fn kind_json(row: &KindRow) -> Value {
    json!({"code": row.code, "name_ru": row.name_ru, "name_en": row.name_en,
           "prefix": row.prefix, "shipped": row.shipped, "version": row.version})
}

async fn kinds(State(state): State<AppState>, user: CurrentUser) -> AppResult<impl IntoResponse> {
    let views = usecase::kinds(&state, &user).await?;
    Ok(Json(json!({"items": views})))
}

fn kind_input(body: &serde_json::Map<String, Value>) -> AppResult<KindInput> {
    let version = match body.get("version") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64(),
        Some(_) => {
            return Err(AppError::Invalid(vec![
                ferment_domain::validation::FieldError::new(
                    "version",
                    ferment_domain::validation::Problem::Type {
                        expected: "integer",
                    },
                ),
            ]));
        }
    };
    Ok(KindInput {
        code: text(body, "code")?,
        name_ru: text(body, "name_ru")?,
        name_en: text(body, "name_en")?,
        prefix: text(body, "prefix")?,
        version,
    })
}

async fn create_kind(
    State(state): State<AppState>,
    user: CurrentUser,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let row = usecase::create_kind(&state, &user, &kind_input(&body)?).await?;
    Ok((StatusCode::CREATED, Json(kind_json(&row))))
}

async fn update_kind(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let row = usecase::update_kind(&state, &user, &code, &kind_input(&body)?).await?;
    Ok(Json(kind_json(&row)))
}

fn template_json(row: &TemplateRow) -> Value {
    json!({
        "id": row.id, "kind": row.kind, "format": row.format, "version": row.version,
        "source": row.source, "file_name": row.file_name, "sha256": row.file_sha256,
        "comment": row.comment, "created_by": row.created_by, "created_at": row.created_at,
        "file_url": row.file_sha256.as_ref().map(|_| format!("/api/v1/document-templates/{}/file", row.id)),
    })
}

async fn templates(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((code, format)): Path<(String, String)>,
) -> AppResult<impl IntoResponse> {
    let (kind, rows) = usecase::templates(&state, &user, &code, &format).await?;
    Ok(Json(json!({
        "kind": kind_json(&kind),
        "items": rows.iter().map(template_json).collect::<Vec<_>>(),
    })))
}

/// Query of a Word template upload.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct UploadParams {
    /// The file name to keep.
    pub file_name: String,
    /// Why it is saved.
    pub comment: String,
}

/// `POST /document-kinds/{code}/templates/text` takes `{"source", "comment"}`;
/// `POST /document-kinds/{code}/templates/docx` takes the .docx bytes as the body
/// (`?file_name=…&comment=…`).
async fn save_template(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((code, format)): Path<(String, String)>,
    Query(params): Query<UploadParams>,
    request: axum::extract::Request,
) -> AppResult<impl IntoResponse> {
    let row = match format.as_str() {
        "text" => {
            let JsonObject(body) =
                <JsonObject as axum::extract::FromRequest<()>>::from_request(request, &()).await?;
            let source = text(&body, "source")?;
            let comment = text(&body, "comment")?;
            if source.trim().is_empty() {
                return Err(AppError::Invalid(vec![
                    ferment_domain::validation::FieldError::new(
                        "source",
                        ferment_domain::validation::Problem::Required,
                    ),
                ]));
            }
            usecase::save_text(&state, &user, &code, &source, Some(&comment)).await?
        }
        "docx" => {
            let bytes = axum::body::to_bytes(request.into_body(), TEMPLATE_MAX_BYTES)
                .await
                .map_err(|_| {
                    AppError::Invalid(vec![ferment_domain::validation::FieldError::new(
                        "file",
                        ferment_domain::validation::Problem::TooLong {
                            max: TEMPLATE_MAX_BYTES,
                        },
                    )])
                })?;
            usecase::save_docx(
                &state,
                &user,
                &code,
                bytes.to_vec(),
                &params.file_name,
                Some(&params.comment),
            )
            .await?
        }
        _ => {
            return Err(AppError::Invalid(vec![
                ferment_domain::validation::FieldError::new(
                    "format",
                    ferment_domain::validation::Problem::NotAllowed {
                        allowed: vec!["text".into(), "docx".into()],
                    },
                ),
            ]));
        }
    };
    Ok((StatusCode::CREATED, Json(template_json(&row))))
}

/// Largest Word template accepted.
pub const TEMPLATE_MAX_BYTES: usize = 10 * 1024 * 1024;

async fn check(
    user: CurrentUser,
    Path(_code): Path<String>,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    crate::app::check_system(&user, ferment_domain::access::SystemOp::EditTemplates)?;
    let source = text(&body, "source")?;
    usecase::check_text(source)
        .await
        .map_err(|e| AppError::Invalid(vec![usecase::template_problem("source", &e)]))?;
    Ok(Json(json!({"ok": true})))
}

async fn preview(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    JsonObject(body): JsonObject,
) -> AppResult<Response> {
    let source = text(&body, "source")?;
    let sale_id = match text(&body, "sale_id")?.trim() {
        "" => None,
        id => Some(uuid::Uuid::parse_str(id).map_err(|_| {
            AppError::Invalid(vec![ferment_domain::validation::FieldError::new(
                "sale_id",
                ferment_domain::validation::Problem::Uuid,
            )])
        })?),
    };
    let bytes = usecase::preview(&state, &user, &code, &source, sale_id).await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/pdf"),
        )],
        bytes,
    )
        .into_response())
}

async fn template(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let row = usecase::template(&state, &user, path_id(&id)?).await?;
    Ok(Json(template_json(&row)))
}

async fn template_file(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (row, bytes) = usecase::template_file(&state, &user, path_id(&id)?).await?;
    let name = row
        .file_name
        .clone()
        .unwrap_or_else(|| format!("{}.docx", row.kind));
    Ok(file_response(bytes, content_type("docx"), &name))
}

async fn fields(_user: CurrentUser) -> AppResult<impl IntoResponse> {
    let fields: Vec<Value> = ferment_docs::palette()
        .into_iter()
        .map(|f| json!({"path": f.path, "description": f.description, "example": f.example, "is_list": f.is_list}))
        .collect();
    Ok(Json(json!({"items": fields})))
}

fn company_json(setting: &CompanySetting) -> Value {
    let input = CompanyInput::from_company(&setting.requisites);
    let mut value = serde_json::to_value(&input).unwrap_or(Value::Null);
    value["images"] = json!(
        company_usecase::IMAGE_SLOTS
            .iter()
            .map(|slot| (
                (*slot).to_owned(),
                json!(
                    setting
                        .images
                        .get(*slot)
                        .map(|i| json!({"sha256": i.sha256, "extension": i.extension}))
                )
            ))
            .collect::<serde_json::Map<String, Value>>()
    );
    value
}

async fn company(
    State(state): State<AppState>,
    _user: CurrentUser,
) -> AppResult<impl IntoResponse> {
    let setting = company_usecase::get(&state.store).await?;
    Ok(Json(company_json(&setting)))
}

async fn save_company(
    State(state): State<AppState>,
    user: CurrentUser,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let input: CompanyInput = serde_json::from_value(Value::Object(body)).map_err(|e| {
        AppError::Invalid(vec![ferment_domain::validation::FieldError::new(
            "body",
            ferment_domain::validation::Problem::Rule {
                ru: format!("Неверные поля: {e}"),
                en: format!("Bad fields: {e}"),
            },
        )])
    })?;
    let setting = company_usecase::save(&state.store, &user, &input).await?;
    Ok(Json(company_json(&setting)))
}

async fn set_image(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(slot): Path<String>,
    body: Bytes,
) -> AppResult<impl IntoResponse> {
    if body.is_empty() {
        return Err(AppError::Invalid(vec![
            ferment_domain::validation::FieldError::new(
                slot,
                ferment_domain::validation::Problem::Required,
            ),
        ]));
    }
    let setting =
        company_usecase::set_image(&state.store, &state.files, &user, &slot, &body).await?;
    Ok(Json(company_json(&setting)))
}

async fn remove_image(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(slot): Path<String>,
) -> AppResult<impl IntoResponse> {
    let setting = company_usecase::set_image(&state.store, &state.files, &user, &slot, &[]).await?;
    Ok(Json(company_json(&setting)))
}
