//! The frame every page shares: who is signed in, in which language, the top bar ([`Chrome`]), and
//! how a page answers — rendered HTML ([`render`]) or an error page ([`PageError`]).
//!
//! Page handlers return [`PageResult`]. A use-case error becomes a [`PageError`], which only marks
//! the response; [`error_layer`] then renders the error page in the request's language, the same way
//! the API's problem layer does for JSON. Internal errors are logged once, there.

use std::sync::Arc;

use askama::Template;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use ferment_domain::access::SystemOp;
use ferment_domain::validation::Lang;

use super::assets;
use super::i18n::{Texts, texts};
use crate::auth::{CurrentUser, PageUser, urlencode};
use crate::error::{AppError, request_lang};

/// What every page handler knows about its request: the signed-in user, the language and where the
/// request went (for the language switch). Anonymous visitors are sent to the login page.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The signed-in user.
    pub user: CurrentUser,
    /// The language of the page.
    pub lang: Lang,
    /// The texts in that language.
    pub t: &'static Texts,
    /// The path and query of the request.
    location: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let PageUser(user) = PageUser::from_request_parts(parts, state).await?;
        let lang = request_lang(&parts.headers);
        Ok(Ctx {
            user,
            lang,
            t: texts(lang),
            location: location(parts.uri.path_and_query().map(|p| p.as_str())),
        })
    }
}

fn location(path_and_query: Option<&str>) -> String {
    path_and_query.unwrap_or("/").to_string()
}

/// The signed-in user, if any (for pages anonymous visitors may see too).
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<CurrentUser>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeUser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeUser(parts.extensions.get::<CurrentUser>().cloned()))
    }
}

impl Ctx {
    /// The frame of a page in `section` (`tasks`, `sales`, `leads`, `counterparties`, `contacts`,
    /// `products`, `admin`) titled `title`.
    pub fn chrome(&self, section: &'static str, title: impl Into<String>) -> Chrome {
        Chrome::new(
            self.lang,
            Some(&self.user),
            section,
            title.into(),
            &self.location,
        )
    }
}

/// The frame around a page's content: the top bar with navigation, the user, the language switch
/// and the logout button.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// Texts in the page's language.
    pub t: &'static Texts,
    /// `ru` or `en`, for `<html lang>`.
    pub lang: &'static str,
    /// The page title.
    pub title: String,
    /// The highlighted navigation item.
    pub section: &'static str,
    /// Whether someone is signed in (the login page has no navigation).
    pub signed_in: bool,
    /// Whether to offer the administration pages (the user may manage users or roles, edit the
    /// process or the templates, or configure integrations).
    pub admin: bool,
    /// The signed-in user's name.
    pub user_name: String,
    /// The session's CSRF token, for the logout form.
    pub csrf: String,
    /// The current location, URL-encoded, for the language switch to come back to.
    pub here: String,
    /// The stylesheet's URL (with a content version, so it can be cached for good).
    pub css: &'static str,
    /// The script's URL.
    pub js: &'static str,
}

impl Chrome {
    /// Builds the frame.
    pub fn new(
        lang: Lang,
        user: Option<&CurrentUser>,
        section: &'static str,
        title: String,
        location: &str,
    ) -> Chrome {
        Chrome {
            t: texts(lang),
            lang: lang.code(),
            title,
            section,
            signed_in: user.is_some(),
            admin: user.is_some_and(|u| {
                u.actor.may(SystemOp::ManageUsers)
                    || u.actor.may(SystemOp::ManageRoles)
                    || u.actor.may(SystemOp::EditProcess)
                    || u.actor.may(SystemOp::EditTemplates)
                    || u.actor.may(SystemOp::ConfigureIntegrations)
            }),
            user_name: user
                .map(|u| u.user.data.full_name.clone())
                .unwrap_or_default(),
            csrf: user.map(|u| u.csrf_token().to_string()).unwrap_or_default(),
            here: urlencode(location),
            css: assets::css_url(),
            js: assets::js_url(),
        }
    }
}

/// Renders a template as an HTML response with `status`. Pages carry personal data and a CSRF
/// token, so they are never stored by caches.
pub fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(html) => {
            let mut response = (status, Html(html)).into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(error) => {
            tracing::error!(error = %error, "rendering a page failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "Internal error").into_response()
        }
    }
}

/// A "303 See Other" to `location`: after a form post the browser loads the target with GET.
pub fn see_other(location: &str) -> Response {
    Redirect::to(location).into_response()
}

/// What a page handler answers.
pub type PageResult = Result<Response, PageError>;

/// A use-case error on its way to becoming an error page.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(error: AppError) -> Self {
        PageError(error)
    }
}

/// Marks a response as an error page still to be rendered (by [`error_layer`]).
#[derive(Clone)]
struct PendingPageError(Arc<AppError>);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let mut response = self.0.status().into_response();
        response
            .extensions_mut()
            .insert(PendingPageError(Arc::new(self.0)));
        response
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    message: String,
    detail: String,
    back: &'static str,
}

/// Renders the error pages of the page routes in the request's language.
pub async fn error_layer(request: Request, next: Next) -> Response {
    let lang = request_lang(request.headers());
    let user = request.extensions().get::<CurrentUser>().cloned();
    let location = location(request.uri().path_and_query().map(|p| p.as_str()));
    let response = next.run(request).await;
    let Some(PendingPageError(error)) = response.extensions().get::<PendingPageError>().cloned()
    else {
        return response;
    };
    let t = texts(lang);
    let (message, detail) = match error.as_ref() {
        AppError::Unauthorized => {
            return see_other(&format!("/login?next={}", urlencode(&location)));
        }
        AppError::NotFound => (t.error_not_found.to_string(), String::new()),
        AppError::Forbidden | AppError::Csrf | AppError::AddressRefused { .. } => {
            let problem = error.problem(lang);
            (
                t.error_forbidden.to_string(),
                problem.detail.unwrap_or_default(),
            )
        }
        AppError::StaleVersion { .. } | AppError::InUse | AppError::Duplicate { .. } => {
            let problem = error.problem(lang);
            let detail = problem.detail.unwrap_or_default();
            (problem.title, detail)
        }
        AppError::Invalid(errors) | AppError::Conflict(errors) => (
            error.problem(lang).title,
            errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.problem.message(lang)))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        AppError::Internal(cause) => {
            tracing::error!(error = format!("{cause:#}"), "page request failed");
            (t.error_internal.to_string(), String::new())
        }
    };
    let section = section_of(&location);
    let back = match (section, error.as_ref()) {
        ("tasks", _) => "/tasks",
        ("sales", _) => "/sales",
        ("leads", _) => "/leads",
        ("contacts", _) => "/contacts",
        ("products", _) => "/products",
        // Someone refused an administration page is sent back to the work pages, not in a circle.
        ("admin", AppError::Forbidden | AppError::Csrf | AppError::AddressRefused { .. }) => {
            "/tasks"
        }
        ("admin", _) => "/admin",
        _ => "/counterparties",
    };
    let page = ErrorPage {
        chrome: Chrome::new(lang, user.as_ref(), section, message.clone(), &location),
        message,
        detail,
        back,
    };
    render(error.status(), &page)
}

/// The navigation section a path belongs to.
fn section_of(path: &str) -> &'static str {
    let first = path.trim_start_matches('/').split(['/', '?']).next();
    match first {
        Some("tasks" | "") | None => "tasks",
        Some("sales") => "sales",
        Some("leads") => "leads",
        Some("contacts") => "contacts",
        Some("products") => "products",
        Some("admin") => "admin",
        _ => "counterparties",
    }
}

/// A local path to go back to after signing in or switching the language: only paths on this site
/// (`/…` but not `//…`, which a browser reads as another host), anything else is replaced by the
/// start page, «my tasks».
pub fn local_target(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.chars().any(char::is_control) =>
        {
            path.to_string()
        }
        _ => "/tasks".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(local_target(Some("/contacts?q=1")), "/contacts?q=1");
        for foreign in ["//evil.example", "https://evil.example", "/\\evil", "", "x"] {
            assert_eq!(local_target(Some(foreign)), "/tasks", "{foreign}");
        }
        assert_eq!(local_target(None), "/tasks");
    }

    #[test]
    fn a_path_belongs_to_its_first_segment() {
        assert_eq!(section_of("/contacts/1/edit"), "contacts");
        assert_eq!(section_of("/products?q=x"), "products");
        assert_eq!(section_of("/counterparties"), "counterparties");
        assert_eq!(section_of("/admin/roles/admin"), "admin");
        assert_eq!(section_of("/sales/1"), "sales");
        assert_eq!(section_of("/"), "tasks");
    }
}
