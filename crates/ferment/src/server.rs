//! Serving HTTP: bind the address, announce it, run the router until Ctrl-C or SIGTERM, then let the
//! requests in flight finish and close the database.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use ferment_store::Store;
use ferment_web::{App, WebConfig};
use tokio::net::TcpListener;

use crate::config::Settings;
use crate::startup::{ADMIN_LOGIN, admin_password_from_env, ensure_admin, open_store};

/// `ferment serve`: bind the address, open the database, make sure `admin` exists, serve.
pub async fn run_serve(settings: Settings) -> anyhow::Result<()> {
    let env_password = admin_password_from_env()?;
    let listener = bind(&settings).await?;
    let store = open_store(&settings).await?;
    ensure_admin(&store, env_password.as_deref()).await?;
    serve(listener, &settings, store).await
}

/// Binds `settings.listen`. Done first, before any other start-up work, so a wrong address or a port
/// in use fails at once and changes nothing.
pub async fn bind(settings: &Settings) -> anyhow::Result<TcpListener> {
    TcpListener::bind(&settings.listen)
        .await
        .with_context(|| format!("listening on {}", settings.listen))
}

/// Prints the address actually bound (so port 0 is usable) and serves until a shutdown signal.
pub async fn serve(listener: TcpListener, settings: &Settings, store: Store) -> anyhow::Result<()> {
    let address = listener.local_addr().context("reading the bound address")?;
    let router = App::router(store.clone(), WebConfig::clone(&settings.web));
    let purger = tokio::spawn(purge_expired_sessions(store.clone()));
    let scheduler =
        ferment_web::app::onec::spawn_scheduler(store.clone(), WebConfig::clone(&settings.web));
    tracing::info!(%address, "listening");
    println!("Ferment is listening on http://{address} — log in as {ADMIN_LOGIN}");
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("serving HTTP")?;
    purger.abort();
    scheduler.abort();
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Forgets expired browser sessions now and every hour after. They no longer sign anyone in (the
/// store checks the expiry on every request); this only keeps the table from growing.
async fn purge_expired_sessions(store: Store) {
    let mut every_hour = tokio::time::interval(Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        let purged = async {
            let mut tx = store.begin().await?;
            let purged = ferment_store::users::purge_expired(&mut tx).await?;
            tx.commit().await?;
            anyhow::Ok(purged)
        };
        match purged.await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "forgot expired sessions"),
            Err(error) => tracing::warn!(error = format!("{error:#}"), "purging expired sessions"),
        }
    }
}

/// Resolves on Ctrl-C (SIGINT) or, on Unix, SIGTERM (what `systemctl stop` and `docker stop` send).
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing the requests in flight");
}
