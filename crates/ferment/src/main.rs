//! The `ferment` binary: parses the command line, resolves the settings, runs the subcommand.
//!
//! Reading order: [`cli`] (what can be typed), [`config`] (where settings come from), [`startup`]
//! (opening the database, the `admin` account), [`server`], [`demo_cmd`] and [`demo_load`],
//! [`users_cmd`].
//!
//! Errors are reported once, here: `error: …` with the chain of causes on standard error and exit
//! code 1. Logs (`tracing`, filtered by `RUST_LOG`, `info` by default) go to standard error too, so
//! standard output carries only what the operator is meant to read or capture: the address, the
//! passwords shown once, a token.

mod cli;
mod config;
mod demo_cmd;
mod demo_deals;
mod demo_load;
mod onec_cmd;
mod server;
mod startup;
mod users_cmd;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use crate::cli::{Cli, Command, OnecCommand, UserCommand};
use crate::config::Layer;

/// mimalloc instead of the system allocator: serde_json values, sqlx arguments and SQLite's page
/// cache allocate and free millions of small blocks in a 1C sync, and glibc's allocator spent a
/// fifth of the time there (the 1C benchmark ran ~10 % faster; it uses the same allocator).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", describe(&error));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line, `: `-separated. A cause whose text its parent already
/// repeats (sqlx's database errors do) is left out.
fn describe(error: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if !parts.last().is_some_and(|last| last.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ")
}

/// Logs to standard error, filtered by `RUST_LOG` (default: `info`, with sqlx's per-statement
/// logging kept to warnings).
fn init_logging() {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => {
            let settings = config::load(
                Layer::from_serve_args(&args),
                args.database.config.as_deref(),
            )?;
            server::run_serve(settings).await
        }
        Command::Demo(args) => {
            let settings = config::load(
                Layer::from_serve_args(&args),
                args.database.config.as_deref(),
            )?;
            demo_cmd::run_demo(settings).await
        }
        Command::Migrate(args) => {
            let settings = config::load(Layer::from_database_args(&args), args.config.as_deref())?;
            let store = startup::open_store(&settings).await?;
            store.close().await;
            println!(
                "Database {} is migrated and has its reference data.",
                config::mask_database_url(&settings.database_url)
            );
            Ok(())
        }
        Command::Onec {
            command: OnecCommand::Sync(args),
        } => {
            let settings = config::load(
                Layer::from_database_args(&args.database),
                args.database.config.as_deref(),
            )?;
            let store = startup::open_store(&settings).await?;
            let result = onec_cmd::sync(&store, &settings, &args).await;
            store.close().await;
            result
        }
        Command::OnecEmulator(args) => ferment_onec_emulator::run(args).await,
        Command::User { command } => {
            let database = match &command {
                UserCommand::Add(args) => &args.database,
                UserCommand::Passwd(args) => &args.database,
                UserCommand::Token(args) => &args.database,
            };
            let settings = config::load(
                Layer::from_database_args(database),
                database.config.as_deref(),
            )?;
            let store = startup::open_store(&settings).await?;
            let result = match &command {
                UserCommand::Add(args) => users_cmd::add(&store, args).await,
                UserCommand::Passwd(args) => users_cmd::passwd(&store, args).await,
                UserCommand::Token(args) => users_cmd::token(&store, args).await,
            };
            store.close().await;
            result
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cause_repeated_by_its_parent_is_shown_once() {
        let error = anyhow::anyhow!("password authentication failed")
            .context("connecting to PostgreSQL: password authentication failed")
            .context("opening the database");
        assert_eq!(
            describe(&error),
            "opening the database: connecting to PostgreSQL: password authentication failed"
        );
    }
}
