//! Server-rendered pages (askama templates, Russian first).

use axum::Router;

use crate::AppState;

/// The page routes.
pub fn routes() -> Router<AppState> {
    Router::new()
}
