//! The command line as the user types it: subcommands, flags and their help texts.
//!
//! This module only describes; it reads no environment and no files. Settings that may also come from
//! environment variables or `ferment.toml` are `Option`s here, so [`crate::config`] can tell "not given
//! on the command line" from a value and merge the layers itself (flag > environment > file > default).
//! That is also why the flags do not use clap's `env` attribute: the merge stays one pure function that
//! tests can call without touching the process environment.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Ferment — a CRM for complex B2B sales of food ingredients.
///
/// One binary runs the web application and the REST API (`serve`), a demonstration with a believable
/// data set (`demo`), database migrations (`migrate`) and account administration (`user`). Settings
/// come from flags, environment variables and an optional `ferment.toml`, in that order of precedence.
#[derive(Debug, Parser)]
#[command(name = "ferment", version, about, long_about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web application and the API.
    ///
    /// Opens (and creates, for SQLite) the database, applies pending migrations, loads the reference
    /// data (roles, territories), makes sure an `admin` account exists and listens for HTTP requests
    /// until Ctrl-C or SIGTERM. When `admin` is created, its password is FERMENT_ADMIN_PASSWORD if set,
    /// otherwise a generated one that is printed this once.
    Serve(ServeArgs),
    /// Serve with the demo data set: a food-ingredients supplier with its team, clients and catalogue.
    ///
    /// Like `serve`, but on a database without counterparties it first loads the demo (11 users,
    /// about 300 counterparties, 800 contacts, 400 products, 3 warehouses with stock, 55 sales at every
    /// stage of the sales process with their tasks, 20 leads). The password of
    /// `admin` and of the demo users is FERMENT_ADMIN_PASSWORD if set, otherwise a new generated one;
    /// it is printed on every start, so the demo logins always work.
    Demo(ServeArgs),
    /// Create or upgrade the database schema and load the reference data, then exit.
    ///
    /// `serve` and `demo` do this on start too; run it alone to prepare a database ahead of time.
    Migrate(DatabaseArgs),
    /// Synchronise with 1C bases (see docs/ONEC.md).
    Onec {
        /// What to do.
        #[command(subcommand)]
        command: OnecCommand,
    },
    /// Serve a 1C base over the standard OData interface, for trying the integration without 1C.
    ///
    /// A generated food-ingredients base (the demo's clients and products as 1C would hold them) is
    /// published at http://ADDR/<base>/odata/standard.odata/ with Basic auth. With --data FILE the
    /// base is loaded from FILE when it exists and every write is saved back to it.
    OnecEmulator(ferment_onec_emulator::EmulatorArgs),
    /// Manage user accounts: create them, set passwords, issue API tokens.
    User {
        /// What to do with accounts.
        #[command(subcommand)]
        command: UserCommand,
    },
}

/// Where the database is, shared by every subcommand that opens it.
#[derive(Debug, Clone, Default, Args)]
pub struct DatabaseArgs {
    /// Directory for Ferment's own files; the default SQLite database lives here.
    /// [env: FERMENT_DATA_DIR] [default: ./ferment-data]
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Database to use: `sqlite://PATH?mode=rwc` or `postgres://USER:PASSWORD@HOST/DB`.
    /// [env: DATABASE_URL] [default: sqlite://<data-dir>/ferment.sqlite?mode=rwc]
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,

    /// Configuration file (TOML) with the keys listen, data_dir, database_url, secure_cookies,
    /// session_hours. [env: FERMENT_CONFIG] [default: ./ferment.toml when it exists]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Flags of `serve` and `demo`.
#[derive(Debug, Clone, Default, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (the address is printed).
    /// [env: FERMENT_LISTEN] [default: 127.0.0.1:8080]
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,

    /// Database location.
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// `ferment onec …`
#[derive(Debug, Subcommand)]
pub enum OnecCommand {
    /// Run a sync now and wait for it: every active connection, or the one named.
    ///
    /// Prints each run's status and counts; exits with an error when a run failed. A run killed
    /// half-way loses nothing: the next run continues where it stopped.
    Sync(OnecSyncArgs),
}

/// Flags of `ferment onec sync`.
#[derive(Debug, Clone, Args)]
pub struct OnecSyncArgs {
    /// The connection's name (as shown in Администрирование → 1С); all active ones when absent.
    #[arg(long, value_name = "NAME")]
    pub connection: Option<String>,

    /// A full reconcile: read everything, find what 1C deleted.
    #[arg(long)]
    pub full: bool,

    /// Database location.
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// `ferment user …`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user account.
    ///
    /// The password is read from standard input with --password-stdin (first line), otherwise
    /// generated and printed once.
    Add(UserAddArgs),
    /// Set a user's password; signs the user out of every session and revokes its API tokens.
    ///
    /// The password is read from standard input with --password-stdin (first line), otherwise
    /// generated and printed once.
    Passwd(UserPasswdArgs),
    /// Issue an API token for a user and print it (once: only its digest is stored).
    ///
    /// Send it as `Authorization: Bearer <token>`. The token is the only line on standard output, so
    /// scripts can capture it: `TOKEN=$(ferment user token admin)`.
    Token(UserTokenArgs),
}

/// Flags of `ferment user add`.
#[derive(Debug, Clone, Args)]
pub struct UserAddArgs {
    /// Login: 2–50 latin letters, digits, `.`, `_`, `-` (stored in lower case).
    pub login: String,

    /// Full name, e.g. "Кузнецова Ольга Сергеевна".
    #[arg(long, value_name = "FULL NAME")]
    pub name: String,

    /// Role code; repeat for several. The shipped roles are `admin` and `manager`.
    #[arg(long = "role", value_name = "ROLE", default_value = "manager")]
    pub roles: Vec<String>,

    /// E-mail address.
    #[arg(long, value_name = "EMAIL")]
    pub email: Option<String>,

    /// Phone number.
    #[arg(long, value_name = "PHONE")]
    pub phone: Option<String>,

    /// Code of the territory the user works, e.g. `RU-CFD` (federal district) or `RU-MOW` (region).
    #[arg(long, value_name = "CODE")]
    pub territory: Option<String>,

    /// Read the password from the first line of standard input instead of generating one.
    #[arg(long)]
    pub password_stdin: bool,

    /// Database location.
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Flags of `ferment user passwd`.
#[derive(Debug, Clone, Args)]
pub struct UserPasswdArgs {
    /// Login of the user.
    pub login: String,

    /// Read the password from the first line of standard input instead of generating one.
    #[arg(long)]
    pub password_stdin: bool,

    /// Database location.
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Flags of `ferment user token`.
#[derive(Debug, Clone, Args)]
pub struct UserTokenArgs {
    /// Login of the user the token signs in as.
    pub login: String,

    /// A name to recognise the token by later (e.g. "1C exchange").
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// Database location.
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn user_add_defaults_to_the_manager_role() {
        let cli = Cli::try_parse_from(["ferment", "user", "add", "olga", "--name", "Ольга"])
            .expect("parses");
        let Command::User {
            command: UserCommand::Add(args),
        } = cli.command
        else {
            panic!("expected user add");
        };
        assert_eq!(args.roles, ["manager"]);
        assert!(!args.password_stdin);
    }

    #[test]
    fn serve_flags_are_optional_so_other_layers_can_fill_them() {
        let cli = Cli::try_parse_from(["ferment", "serve"]).expect("parses");
        let Command::Serve(args) = cli.command else {
            panic!("expected serve");
        };
        assert!(args.listen.is_none());
        assert!(args.database.data_dir.is_none());
        assert!(args.database.database_url.is_none());
    }
}
