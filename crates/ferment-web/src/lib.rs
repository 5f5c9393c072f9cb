//! Ferment's HTTP face: server-rendered pages, the REST API under `/api/v1`, sign-in, and the one
//! place where errors become HTTP ([`error`]).
//!
//! Reading order: [`App`] (the router and its state), [`auth`] (who is asking), [`error`],
//! [`app`] (use cases, shared by pages and API), [`api`], [`pages`].

pub mod api;
pub mod app;
pub mod auth;
pub mod error;
pub mod exchange;
pub mod export;
pub mod pages;

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router, middleware};
use ferment_store::Store;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

/// Settings of the web layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (when served over HTTPS).
    pub secure_cookies: bool,
    /// How long a browser session lasts, in hours.
    pub session_hours: i64,
    /// Where generated documents, uploaded templates and images are kept (content-addressed).
    pub files_dir: std::path::PathBuf,
    /// The key that seals integration passwords (created on first use); `None` = `secret.key` in
    /// `files_dir`.
    pub secret_key_file: Option<std::path::PathBuf>,
}

impl WebConfig {
    /// Where 1C's CommerceML exchange keeps its sessions and uploads: beside the key file (the data
    /// directory) when one is set, else inside `files_dir`.
    pub fn exchange_dir(&self) -> std::path::PathBuf {
        match self.secret_key_file.as_ref().and_then(|f| f.parent()) {
            Some(dir) => dir.join("exchange"),
            None => self.files_dir.join("exchange"),
        }
    }

    /// The key file that seals integration passwords.
    pub fn secret_key_path(&self) -> std::path::PathBuf {
        self.secret_key_file
            .clone()
            .unwrap_or_else(|| self.files_dir.join("secret.key"))
    }
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            session_hours: 12,
            files_dir: std::path::PathBuf::from("ferment-data/files"),
            secret_key_file: None,
        }
    }
}

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// Web settings.
    pub config: Arc<WebConfig>,
    /// The trusted proxies (from the `trusted_proxies` setting), read once and replaced when an
    /// administrator changes them.
    pub trusted: Arc<std::sync::RwLock<Option<Vec<ipnet::IpNet>>>>,
    /// Files: documents, Word templates, the company's images.
    pub files: ferment_store::files::FileStore,
    /// Set once the shipped document kinds and templates are known to be stored.
    pub documents_ready: Arc<tokio::sync::OnceCell<()>>,
    /// Seals and opens integration passwords (loaded on first use).
    pub sealer: Arc<tokio::sync::OnceCell<ferment_onec::secret::Sealer>>,
    /// 1C's CommerceML exchange (its work directory opened on first use).
    pub exchange: Arc<tokio::sync::OnceCell<Arc<ferment_commerceml::exchange::Exchange>>>,
}

impl AppState {
    /// The state of one running application: caches start empty and fill on first use.
    pub fn new(store: Store, config: WebConfig) -> AppState {
        AppState {
            store,
            files: ferment_store::files::FileStore::new(config.files_dir.clone()),
            config: Arc::new(config),
            trusted: Arc::default(),
            documents_ready: Arc::default(),
            sealer: Arc::default(),
            exchange: Arc::default(),
        }
    }

    /// The trusted proxies: `X-Forwarded-For` is believed only from these addresses.
    pub async fn trusted_proxies(&self) -> Vec<ipnet::IpNet> {
        if let Ok(cached) = self.trusted.read()
            && let Some(list) = cached.as_ref()
        {
            return list.clone();
        }
        let loaded = async {
            let mut connection = self.store.reader().await?;
            let value = ferment_store::settings::get(
                &mut connection,
                ferment_store::settings::TRUSTED_PROXIES,
            )
            .await?;
            Ok::<_, ferment_store::StoreError>(value)
        }
        .await;
        match loaded {
            Ok(value) => {
                let list = value
                    .and_then(|value| {
                        ferment_domain::access::rights::ip_allow_from_json(
                            &value,
                            "trusted_proxies",
                        )
                        .ok()
                    })
                    .unwrap_or_default();
                self.set_trusted_proxies(list.clone());
                list
            }
            Err(error) => {
                tracing::error!(%error, "could not read the trusted proxies");
                Vec::new()
            }
        }
    }

    /// Replaces the cached trusted proxies (after the setting changed).
    pub fn set_trusted_proxies(&self, list: Vec<ipnet::IpNet>) {
        if let Ok(mut cached) = self.trusted.write() {
            *cached = Some(list);
        }
    }
}

/// The whole application as an axum router.
pub struct App;

impl App {
    /// Builds the router: pages at `/`, the API at `/api/v1`, `/health`.
    pub fn router(store: Store, config: WebConfig) -> Router {
        let state = AppState::new(store, config);
        let api = api::routes().layer(middleware::from_fn(error::problem_layer));
        Router::new()
            .route("/health", get(health))
            .route(
                exchange::EXCHANGE_PATH,
                get(exchange::exchange_1c)
                    .post(exchange::exchange_1c)
                    .layer(axum::extract::DefaultBodyLimit::max(17 * 1024 * 1024)),
            )
            .nest("/api/v1", api)
            .merge(pages::routes())
            .layer(middleware::from_fn_with_state(
                state.clone(),
                auth::auth_layer,
            ))
            // Page refusals made by the auth layer itself (a stale form's CSRF token) become pages.
            .layer(middleware::from_fn(pages::layout::error_layer))
            .layer(CompressionLayer::new())
            .layer(TraceLayer::new_for_http())
            .with_state(state)
    }
}

async fn health(State(state): State<AppState>) -> impl IntoResponse {
    if state.store.ping().await {
        (StatusCode::OK, Json(serde_json::json!({"status": "ok"})))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({"status": "unavailable"})),
        )
    }
}
