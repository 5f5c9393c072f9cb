//! The one place errors become HTTP.
//!
//! Use cases return [`AppError`]. In the API it becomes an RFC 9457 `application/problem+json` body
//! with an `errors` list of `{field, message}` in the language of the request's `Accept-Language`
//! (the [`problem_layer`] middleware renders it, because only the request knows its language). Page
//! handlers turn `Invalid` into the form shown again with messages beside the fields; other errors
//! become an error page. A 5xx body never shows the cause: it is logged once, here.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ferment_domain::access::Denied;
use ferment_domain::validation::{FieldError, Lang, Problem};
use ferment_store::StoreError;
use serde::Serialize;
use uuid::Uuid;

/// What a use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Not signed in, or the credentials are wrong.
    #[error("authentication required")]
    Unauthorized,
    /// The record does not exist or the user may not see it (the two look the same on purpose).
    #[error("not found")]
    NotFound,
    /// The user sees the record but may not do this.
    #[error("forbidden")]
    Forbidden,
    /// The input is wrong; every problem is listed.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// A duplicate of an existing record.
    #[error("duplicate")]
    Duplicate {
        /// The field that must be unique.
        field: &'static str,
        /// The existing record's id.
        existing_id: Uuid,
        /// The existing record's name.
        existing_name: String,
    },
    /// The record changed since the client read it.
    #[error("stale version")]
    StaleVersion {
        /// The version now stored.
        current: i64,
    },
    /// The record can't be deleted while others refer to it.
    #[error("in use")]
    InUse,
    /// The request is well formed but the record's state does not allow it now (a stage move the
    /// process does not allow, a task already closed); the reasons name the fields.
    #[error("conflict with the record's state")]
    Conflict(Vec<FieldError>),
    /// A CSRF token is missing or wrong.
    #[error("csrf")]
    Csrf,
    /// The request came from an address outside every IP allow-list that applies to the user.
    #[error("address not allowed")]
    AddressRefused {
        /// The client's address as Ferment saw it.
        address: String,
    },
    /// A bug or an unavailable database.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Result of a use case or handler.
pub type AppResult<T> = Result<T, AppError>;

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => AppError::NotFound,
            StoreError::StaleVersion { current } => AppError::StaleVersion { current },
            StoreError::Unique { constraint } => AppError::Internal(anyhow::anyhow!(
                "unique violation not caught by a check: {constraint}"
            )),
            StoreError::Cycle => {
                AppError::Invalid(vec![FieldError::new("parent_id", Problem::Cycle)])
            }
            StoreError::Other(error) => AppError::Internal(error),
        }
    }
}

impl From<Denied> for AppError {
    fn from(denied: Denied) -> Self {
        match denied {
            Denied::Invisible => AppError::NotFound,
            Denied::Forbidden { .. } | Denied::System(_) => AppError::Forbidden,
        }
    }
}

impl From<Vec<FieldError>> for AppError {
    fn from(errors: Vec<FieldError>) -> Self {
        AppError::Invalid(errors)
    }
}

/// One field's problem on the wire.
#[derive(Debug, Serialize)]
pub struct WireFieldError {
    /// The field, as the API spells it.
    pub field: String,
    /// What is wrong, in the request's language.
    pub message: String,
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize)]
pub struct ProblemDocument {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What happened, for a person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Field-level problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<WireFieldError>,
    /// The existing record, for duplicates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing_id: Option<Uuid>,
    /// The current version, for stale updates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
}

impl AppError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::Csrf | AppError::AddressRefused { .. } => {
                StatusCode::FORBIDDEN
            }
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Duplicate { .. }
            | AppError::StaleVersion { .. }
            | AppError::InUse
            | AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The problem document in `lang`.
    pub fn problem(&self, lang: Lang) -> ProblemDocument {
        let status = self.status();
        let (kind, title, detail) = match self {
            AppError::Unauthorized => (
                "unauthorized",
                lang.pick("Требуется вход", "Sign-in required"),
                None,
            ),
            AppError::NotFound => ("not-found", lang.pick("Не найдено", "Not found"), None),
            AppError::Forbidden => (
                "forbidden",
                lang.pick("Недостаточно прав", "Not allowed"),
                None,
            ),
            AppError::Csrf => (
                "csrf",
                lang.pick("Форма устарела", "The form has expired"),
                Some(
                    lang.pick(
                        "Обновите страницу и повторите",
                        "Reload the page and try again",
                    )
                    .to_string(),
                ),
            ),
            AppError::AddressRefused { address } => (
                "address-refused",
                lang.pick(
                    "Доступ с этого адреса запрещён",
                    "Access from this address is not allowed",
                ),
                Some(format!(
                    "{} {address} {}",
                    lang.pick("Адрес", "The address"),
                    lang.pick(
                        "не входит в списки разрешённых адресов вашей учётной записи и ролей. Обратитесь к администратору.",
                        "is outside the allowed address lists of your account and roles. Ask an administrator.",
                    )
                )),
            ),
            AppError::Invalid(_) => (
                "invalid",
                lang.pick("Проверьте введённые данные", "Check the input"),
                None,
            ),
            AppError::Duplicate { existing_name, .. } => (
                "duplicate",
                lang.pick("Такая запись уже есть", "The record already exists"),
                Some(format!(
                    "{}: {existing_name}",
                    lang.pick("Уже есть", "Already exists")
                )),
            ),
            AppError::StaleVersion { .. } => (
                "stale-version",
                lang.pick(
                    "Запись уже изменил кто-то другой",
                    "Someone else changed the record",
                ),
                Some(
                    lang.pick(
                        "Обновите запись и повторите изменения",
                        "Reload the record and apply your changes again",
                    )
                    .to_string(),
                ),
            ),
            AppError::Conflict(_) => (
                "conflict",
                lang.pick(
                    "Сейчас это сделать нельзя",
                    "This cannot be done now",
                ),
                None,
            ),
            AppError::InUse => (
                "in-use",
                lang.pick(
                    "Запись используется в других записях",
                    "The record is in use by other records",
                ),
                None,
            ),
            AppError::Internal(_) => (
                "internal",
                lang.pick("Внутренняя ошибка", "Internal error"),
                None,
            ),
        };
        let errors = match self {
            AppError::Invalid(errors) | AppError::Conflict(errors) => errors
                .iter()
                .map(|e| WireFieldError {
                    field: e.field.clone(),
                    message: e.problem.message(lang),
                })
                .collect(),
            AppError::Duplicate {
                field,
                existing_name,
                ..
            } => vec![WireFieldError {
                field: (*field).to_string(),
                message: Problem::Duplicate {
                    existing: existing_name.clone(),
                }
                .message(lang),
            }],
            _ => Vec::new(),
        };
        ProblemDocument {
            kind: format!("https://ferment.local/problems/{kind}"),
            title: title.to_string(),
            status: status.as_u16(),
            detail,
            errors,
            existing_id: match self {
                AppError::Duplicate { existing_id, .. } => Some(*existing_id),
                _ => None,
            },
            current_version: match self {
                AppError::StaleVersion { current } => Some(*current),
                _ => None,
            },
        }
    }

    /// Renders the problem document in `lang`, logging internal errors (once, here).
    pub fn to_problem_response(&self, lang: Lang) -> Response {
        if let AppError::Internal(error) = self {
            tracing::error!(error = format!("{error:#}"), "request failed");
        }
        let body = serde_json::to_vec(&self.problem(lang)).unwrap_or_default();
        let mut response = (self.status(), body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if matches!(self, AppError::Unauthorized) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// Marks a response as an error still to be rendered in the request's language.
#[derive(Clone)]
struct PendingProblem(Arc<AppError>);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut response = self.status().into_response();
        response
            .extensions_mut()
            .insert(PendingProblem(Arc::new(self)));
        response
    }
}

/// Renders pending problems in the language the request asked for.
pub async fn problem_layer(request: Request, next: Next) -> Response {
    let lang = request_lang(request.headers());
    let response = next.run(request).await;
    match response.extensions().get::<PendingProblem>() {
        Some(PendingProblem(error)) => error.to_problem_response(lang),
        None => response,
    }
}

/// The language of a request: a `lang` cookie wins, then `Accept-Language`, then Russian.
pub fn request_lang(headers: &axum::http::HeaderMap) -> Lang {
    let cookie_lang = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| pair.trim().strip_prefix("lang=").map(str::to_string));
    match cookie_lang.as_deref() {
        Some("en") => return Lang::En,
        Some("ru") => return Lang::Ru,
        _ => {}
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default()
}
