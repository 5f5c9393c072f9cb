//! `GET /api/v1/{counterparties,sales,tasks}/export?format=xlsx|csv&<the list's filters>`: every
//! record of the list that matches the filters, as a spreadsheet file.
//!
//! The filters are parsed by the list endpoints' own parsers (a wrong one is a 422 naming it, as for
//! the list); `limit` and `cursor` are checked the same way but the file always holds every matching
//! row (at most [`crate::app::exports::MAX_ROWS`]). The pages' «Экспорт» links call the same
//! [`answer`] through their own routes with the session.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Router, body::Body};
use ferment_domain::validation::{FieldError, Lang, Problem};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{counterparties, sales, tasks};
use crate::AppState;
use crate::app::exports::{self as usecase, ExportFile};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult, request_lang};
use crate::export::{FileFormat, content_disposition};

/// The export routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/counterparties/export", get(export_counterparties))
        .route("/sales/export", get(export_sales))
        .route("/tasks/export", get(export_tasks))
}

/// The `format` parameter.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct FormatParam {
    /// `xlsx` (the default) or `csv`.
    pub format: Option<String>,
}

impl FormatParam {
    fn parse(&self) -> Result<FileFormat, FieldError> {
        match super::params::blank(&self.format) {
            None => Ok(FileFormat::Xlsx),
            Some(text) => FileFormat::parse(text).ok_or_else(|| {
                FieldError::new(
                    "format",
                    Problem::NotAllowed {
                        allowed: FileFormat::CODES.iter().map(|c| c.to_string()).collect(),
                    },
                )
            }),
        }
    }
}

/// Which list is exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// Counterparties.
    Counterparties,
    /// Sales.
    Sales,
    /// Tasks.
    Tasks,
}

/// Both the format and the filters, or every problem with either (one 422 naming them all).
fn combine<Q>(
    format: Result<FileFormat, FieldError>,
    query: AppResult<Q>,
) -> AppResult<(FileFormat, Q)> {
    match (format, query) {
        (Ok(format), Ok(query)) => Ok((format, query)),
        (Err(error), Ok(_)) => Err(AppError::Invalid(vec![error])),
        (Ok(_), Err(error)) => Err(error),
        (Err(error), Err(AppError::Invalid(mut errors))) => {
            errors.insert(0, error);
            Err(AppError::Invalid(errors))
        }
        (Err(_), Err(other)) => Err(other),
    }
}

fn from_query<T: serde::de::DeserializeOwned>(raw_query: &str) -> AppResult<T> {
    serde_urlencoded::from_str(raw_query).map_err(|_| {
        AppError::Invalid(vec![FieldError::new(
            "query",
            Problem::Type { expected: "text" },
        )])
    })
}

/// Parses `format` and the list's filters from a raw query (every problem at once, like the
/// list endpoints), runs the export and answers with the file.
pub async fn answer(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    list: ListKind,
    raw_query: &str,
) -> AppResult<Response> {
    let format = from_query::<FormatParam>(raw_query)?.parse();
    let store = &state.store;
    let file = match list {
        ListKind::Counterparties => {
            let params: counterparties::ListParams = from_query(raw_query)?;
            let (format, query) = combine(format, params.parse())?;
            usecase::counterparties(store, user, &query, format, lang).await?
        }
        ListKind::Sales => {
            let params: sales::ListParams = from_query(raw_query)?;
            let (format, query) = combine(format, params.parse(user))?;
            usecase::sales(store, user, &query, format, lang).await?
        }
        ListKind::Tasks => {
            let params: tasks::ListParams = from_query(raw_query)?;
            let (format, query) = combine(format, params.parse(user))?;
            usecase::tasks(store, user, &query, format, lang).await?
        }
    };
    Ok(file_response(file))
}

/// A file as a download.
pub fn file_response(file: ExportFile) -> Response {
    (
        [
            (header::CONTENT_TYPE, file.format.content_type().to_string()),
            (
                header::CONTENT_DISPOSITION,
                content_disposition(&file.file_name),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        Body::from(file.bytes),
    )
        .into_response()
}

async fn export_counterparties(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let raw = raw.unwrap_or_default();
    answer(
        &state,
        &user,
        request_lang(&headers),
        ListKind::Counterparties,
        &raw,
    )
    .await
}

async fn export_sales(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let raw = raw.unwrap_or_default();
    answer(&state, &user, request_lang(&headers), ListKind::Sales, &raw).await
}

async fn export_tasks(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let raw = raw.unwrap_or_default();
    answer(&state, &user, request_lang(&headers), ListKind::Tasks, &raw).await
}

/// The export paths for the OpenAPI document: one per list, with the list's filters.
pub fn openapi_paths(paths: &mut Map<String, Value>) {
    let lists: [(&str, &str, &[&str]); 3] = [
        (
            "/counterparties/export",
            "Контрагенты / Counterparties",
            &[
                "q",
                "territory_id",
                "segment",
                "industry",
                "owner_id",
                "kind",
                "sort",
            ],
        ),
        (
            "/sales/export",
            "Продажи / Sales",
            &["q", "stage", "status", "counterparty_id", "owner_id"],
        ),
        (
            "/tasks/export",
            "Задачи / Tasks",
            &[
                "sale_id",
                "counterparty_id",
                "assignee",
                "status",
                "kind",
                "due",
            ],
        ),
    ];
    let problem = |text: &str| json!({"description": text, "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}});
    let mut content = Map::new();
    content.insert(
        FileFormat::Xlsx.content_type().into(),
        json!({"schema": {"type": "string", "format": "binary"}}),
    );
    content.insert(
        FileFormat::Csv.content_type().into(),
        json!({"schema": {"type": "string"}}),
    );
    for (path, tag, filters) in lists {
        let mut parameters = vec![json!({"name": "format", "in": "query", "required": false,
            "schema": {"type": "string", "enum": FileFormat::CODES, "default": "xlsx"}})];
        parameters.extend(filters.iter().map(|name| {
            json!({"name": name, "in": "query", "required": false, "schema": {"type": "string"}})
        }));
        paths.insert(
            path.to_string(),
            json!({"get": {
                "tags": [tag],
                "summary": "Export every matching record (the list's filters) as XLSX or CSV",
                "description": format!(
                    "Only the records and columns the user may see; needs the `export_lists` right and `export` on the kind. \
                     At most {} rows (more: 422 naming `rows`). CSV: UTF-8 with BOM, `;`, decimal comma in Russian.",
                    usecase::MAX_ROWS
                ),
                "parameters": parameters,
                "responses": {
                    "200": {"description": "The file (Content-Disposition: attachment, with a Russian file name)",
                        "content": content.clone()},
                    "401": problem("Not signed in"),
                    "403": problem("Not allowed to export"),
                    "422": problem("Invalid format or filter, field by field")
                }
            }}),
        );
    }
}
