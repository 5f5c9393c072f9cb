//! `ferment onec sync`: a sync run from the shell (cron, a first load, a demonstration), the same
//! run the server starts on schedule or on a click.

use anyhow::{Context, bail};
use ferment_onec::secret::Sealer;
use ferment_onec::sync::{self, Options};
use ferment_store::Store;
use ferment_store::onec;

use crate::cli::OnecSyncArgs;
use crate::config::Settings;

/// Runs one sync per chosen connection, one after another, and prints each outcome.
pub async fn sync(store: &Store, settings: &Settings, args: &OnecSyncArgs) -> anyhow::Result<()> {
    let sealer = Sealer::load_or_create(&settings.web.secret_key_path())
        .context("reading the key that seals 1C passwords")?;
    let connections = {
        let mut reader = store.reader().await?;
        onec::list_connections(&mut reader).await?
    };
    let chosen: Vec<_> = match &args.connection {
        Some(name) => {
            let found: Vec<_> = connections
                .into_iter()
                .filter(|c| &c.data.connection.name == name)
                .collect();
            if found.is_empty() {
                bail!("no 1C connection is named {name:?} (see Администрирование → 1С)");
            }
            found
        }
        None => connections
            .into_iter()
            .filter(|c| c.data.connection.active)
            .collect(),
    };
    if chosen.is_empty() {
        println!("No active 1C connection.");
        return Ok(());
    }
    let mut failed = Vec::new();
    for connection in chosen {
        let name = connection.data.connection.name.clone();
        let options = Options {
            trigger: "cli".into(),
            full: args.full,
            ..Options::default()
        };
        match sync::run(store, &sealer, connection.meta.id, &options).await {
            Ok(run) => {
                println!(
                    "{name}: {} ({})",
                    run.status,
                    if run.full { "full" } else { "incremental" }
                );
                for (object, counts) in &run.counts {
                    println!(
                        "  {object}: received {}, created {}, updated {}, unchanged {}, failed {}",
                        counts.received,
                        counts.created,
                        counts.updated,
                        counts.unchanged,
                        counts.failed
                    );
                }
                if let Some(error) = &run.error {
                    println!("  error: {error}");
                }
                if run.status != "succeeded" {
                    failed.push(name);
                }
            }
            Err(error) => {
                println!("{name}: not run: {error}");
                failed.push(name);
            }
        }
    }
    if !failed.is_empty() {
        bail!("1C sync failed for: {}", failed.join(", "));
    }
    Ok(())
}
