//! Settings: where they come from and which one wins.
//!
//! Every setting can come from four places; for each key the first one that has a value wins:
//!
//! 1. a command-line flag (`--listen`, `--data-dir`, `--database-url`),
//! 2. an environment variable (`FERMENT_LISTEN`, `FERMENT_DATA_DIR`, `DATABASE_URL`,
//!    `FERMENT_SECURE_COOKIES`, `FERMENT_SESSION_HOURS`),
//! 3. the configuration file (`--config FILE`, else `FERMENT_CONFIG`, else `./ferment.toml` when it
//!    exists) with the keys `listen`, `data_dir`, `database_url`, `secure_cookies`, `session_hours`,
//! 4. the built-in default.
//!
//! Each place is read into a [`Layer`] of optional values, and [`resolve`] merges the layers. `resolve`
//! is a pure function: the environment is passed in as a lookup, never read here behind the caller's
//! back, so the precedence is tested without mutating the process environment (which tests running in
//! parallel would see). Settings are resolved once at start-up; nothing deeper reads the environment.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use ferment_web::WebConfig;
use serde::Deserialize;

use crate::cli::{DatabaseArgs, ServeArgs};

/// The address served when nothing else is configured.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// The data directory when nothing else is configured.
pub const DEFAULT_DATA_DIR: &str = "./ferment-data";
/// The configuration file looked for in the working directory.
pub const DEFAULT_CONFIG_FILE: &str = "ferment.toml";
/// The SQLite file's name inside the data directory.
pub const SQLITE_FILE: &str = "ferment.sqlite";

/// The environment variables Ferment reads for its settings.
pub mod env {
    /// Address to listen on.
    pub const LISTEN: &str = "FERMENT_LISTEN";
    /// Data directory.
    pub const DATA_DIR: &str = "FERMENT_DATA_DIR";
    /// Database URL (the name every tool of the ecosystem uses).
    pub const DATABASE_URL: &str = "DATABASE_URL";
    /// Mark cookies `Secure`.
    pub const SECURE_COOKIES: &str = "FERMENT_SECURE_COOKIES";
    /// Session length in hours.
    pub const SESSION_HOURS: &str = "FERMENT_SESSION_HOURS";
    /// Configuration file.
    pub const CONFIG: &str = "FERMENT_CONFIG";
    /// The `admin` password (and the demo users' password in `ferment demo`).
    pub const ADMIN_PASSWORD: &str = "FERMENT_ADMIN_PASSWORD";
}

/// Settings from one place; `None` means "this place says nothing about it".
///
/// The same shape is the configuration file's schema: unknown keys are refused, so a typo in
/// `ferment.toml` is an error rather than a setting silently ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    /// Address to listen on.
    pub listen: Option<String>,
    /// Data directory.
    pub data_dir: Option<PathBuf>,
    /// Database URL.
    pub database_url: Option<String>,
    /// Mark cookies `Secure` (behind HTTPS).
    pub secure_cookies: Option<bool>,
    /// Session length in hours.
    pub session_hours: Option<i64>,
}

impl Layer {
    /// The command-line layer of `serve` and `demo`.
    pub fn from_serve_args(args: &ServeArgs) -> Layer {
        Layer {
            listen: args.listen.clone(),
            ..Layer::from_database_args(&args.database)
        }
    }

    /// The command-line layer of the subcommands that only open the database.
    pub fn from_database_args(args: &DatabaseArgs) -> Layer {
        Layer {
            data_dir: args.data_dir.clone(),
            database_url: args.database_url.clone(),
            ..Layer::default()
        }
    }

    /// The environment layer, read through `lookup` (`std::env::var` in the binary, a map in tests).
    /// Empty variables count as unset.
    pub fn from_env(lookup: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<Layer> {
        let get = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let secure_cookies = get(env::SECURE_COOKIES)
            .map(|value| parse_bool(&value).with_context(|| format!("in {}", env::SECURE_COOKIES)))
            .transpose()?;
        let session_hours = get(env::SESSION_HOURS)
            .map(|value| {
                value.trim().parse::<i64>().with_context(|| {
                    format!("{} must be a whole number of hours", env::SESSION_HOURS)
                })
            })
            .transpose()?;
        Ok(Layer {
            listen: get(env::LISTEN),
            data_dir: get(env::DATA_DIR).map(PathBuf::from),
            database_url: get(env::DATABASE_URL),
            secure_cookies,
            session_hours,
        })
    }

    /// Parses the configuration file's text.
    pub fn from_toml(text: &str) -> anyhow::Result<Layer> {
        Ok(toml::from_str(text)?)
    }
}

fn parse_bool(value: &str) -> anyhow::Result<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        other => bail!("expected true or false, got {other:?}"),
    }
}

/// Settings as the application uses them: every value decided.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Address to listen on.
    pub listen: String,
    /// Data directory.
    pub data_dir: PathBuf,
    /// Database URL.
    pub database_url: String,
    /// Whether the database is the default SQLite file in the data directory.
    pub database_in_data_dir: bool,
    /// Web settings.
    pub web: WebConfig,
}

/// Merges the layers, key by key: flag, then environment, then file, then the default.
///
/// The default database is derived from the *resolved* data directory, so `--data-dir` alone moves
/// the database too; an explicit `database_url` from any layer wins over that default.
pub fn resolve(flags: Layer, env: Layer, file: Layer) -> anyhow::Result<Settings> {
    let layers = [flags, env, file];
    let listen = first(&layers, |l| l.listen.clone()).unwrap_or_else(|| DEFAULT_LISTEN.to_string());
    let data_dir =
        first(&layers, |l| l.data_dir.clone()).unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
    let explicit_url = first(&layers, |l| l.database_url.clone());
    let secure_cookies = first(&layers, |l| l.secure_cookies);
    let session_hours = first(&layers, |l| l.session_hours);

    let defaults = WebConfig::default();
    let session_hours = session_hours.unwrap_or(defaults.session_hours);
    if !(1..=24 * 366).contains(&session_hours) {
        bail!("session_hours must be between 1 and 8784 (a year), got {session_hours}");
    }
    let database_in_data_dir = explicit_url.is_none();
    let database_url = match explicit_url {
        Some(url) => url,
        None => sqlite_url(&data_dir.join(SQLITE_FILE)),
    };
    let files_dir = data_dir.join("files");
    let secret_key_file = Some(data_dir.join("secret.key"));
    Ok(Settings {
        listen,
        data_dir,
        database_url,
        database_in_data_dir,
        web: WebConfig {
            secure_cookies: secure_cookies.unwrap_or(defaults.secure_cookies),
            session_hours,
            files_dir,
            secret_key_file,
        },
    })
}

/// The value of the first layer (in precedence order) that has one.
fn first<T>(layers: &[Layer], get: impl Fn(&Layer) -> Option<T>) -> Option<T> {
    layers.iter().find_map(get)
}

/// The SQLite URL of a file, created when missing (`mode=rwc`). The characters that would end the
/// path part of the URL are percent-encoded (sqlx decodes them again).
pub fn sqlite_url(path: &Path) -> String {
    let text = path.to_string_lossy();
    let mut encoded = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => encoded.push_str("%25"),
            '?' => encoded.push_str("%3F"),
            '#' => encoded.push_str("%23"),
            ' ' => encoded.push_str("%20"),
            c => encoded.push(c),
        }
    }
    format!("sqlite://{encoded}?mode=rwc")
}

/// Which configuration file to read: `--config`, else `FERMENT_CONFIG` (both must exist), else
/// `ferment.toml` in `cwd` when it exists, else none.
pub fn config_file(
    flag: Option<&Path>,
    env_value: Option<String>,
    cwd: &Path,
) -> anyhow::Result<Option<PathBuf>> {
    let explicit = flag
        .map(Path::to_path_buf)
        .or_else(|| env_value.filter(|v| !v.is_empty()).map(PathBuf::from));
    match explicit {
        Some(path) if path.is_file() => Ok(Some(path)),
        Some(path) => bail!("configuration file {} does not exist", path.display()),
        None => {
            let default = cwd.join(DEFAULT_CONFIG_FILE);
            Ok(default.is_file().then_some(default))
        }
    }
}

/// Reads the configuration file's layer (an empty layer when there is no file).
pub fn read_file_layer(path: Option<&Path>) -> anyhow::Result<Layer> {
    let Some(path) = path else {
        return Ok(Layer::default());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the configuration file {}", path.display()))?;
    Layer::from_toml(&text).with_context(|| format!("in the configuration file {}", path.display()))
}

/// Resolves the settings of this process: the given flags, the real environment, the file.
pub fn load(flags: Layer, config_flag: Option<&Path>) -> anyhow::Result<Settings> {
    let lookup = |name: &str| std::env::var(name).ok();
    let cwd = std::env::current_dir().context("finding the working directory")?;
    let file = config_file(config_flag, lookup(env::CONFIG), &cwd)?;
    if let Some(file) = &file {
        tracing::info!(file = %file.display(), "reading the configuration file");
    }
    let file_layer = read_file_layer(file.as_deref())?;
    resolve(flags, Layer::from_env(&lookup)?, file_layer)
}

/// A database URL fit for logs and messages: the password (in the user-info part or a `password`
/// query parameter) is replaced by `***`.
pub fn mask_database_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    // The user-info ends at the last `@` before the query: a password typed with a raw `/` or `@`
    // (which a URL should percent-encode, but people type) is still masked whole.
    let query_start = rest.find(['?', '#']).unwrap_or(rest.len());
    let (user_info, tail) = match rest[..query_start].rfind('@') {
        Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
        None => (None, rest),
    };
    let user_info = match user_info {
        Some(user_info) => match user_info.split_once(':') {
            Some((user, _password)) => format!("{user}:***@"),
            None => format!("{user_info}@"),
        },
        None => String::new(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                    _ => pair.to_string(),
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
        None => tail.to_string(),
    };
    format!("{scheme}://{user_info}{tail}")
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn layer(listen: &str, data_dir: &str, url: &str) -> Layer {
        let some = |v: &str| (!v.is_empty()).then(|| v.to_string());
        Layer {
            listen: some(listen),
            data_dir: some(data_dir).map(PathBuf::from),
            database_url: some(url),
            ..Layer::default()
        }
    }

    fn env_of(pairs: &[(&str, &str)]) -> anyhow::Result<Layer> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Layer::from_env(&|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_apply_when_no_layer_says_anything() {
        let settings = resolve(Layer::default(), Layer::default(), Layer::default()).unwrap();
        assert_eq!(settings.listen, "127.0.0.1:8080");
        assert_eq!(settings.data_dir, PathBuf::from("./ferment-data"));
        assert_eq!(
            settings.database_url,
            "sqlite://./ferment-data/ferment.sqlite?mode=rwc"
        );
        assert!(settings.database_in_data_dir);
        assert!(!settings.web.secure_cookies);
        assert_eq!(settings.web.session_hours, 12);
    }

    #[test]
    fn a_flag_beats_the_environment_which_beats_the_file() {
        let flags = layer("0.0.0.0:1", "", "");
        let env = layer("0.0.0.0:2", "/env", "");
        let file = layer("0.0.0.0:3", "/file", "postgres://file/db");
        let settings = resolve(flags, env, file).unwrap();
        assert_eq!(settings.listen, "0.0.0.0:1");
        assert_eq!(settings.data_dir, PathBuf::from("/env"));
        assert_eq!(settings.database_url, "postgres://file/db");
        assert!(!settings.database_in_data_dir);
    }

    #[test]
    fn the_file_beats_the_defaults() {
        let file = Layer::from_toml(
            "listen = \"0.0.0.0:9000\"\ndata_dir = \"/srv/ferment\"\nsecure_cookies = true\nsession_hours = 8\n",
        )
        .unwrap();
        let settings = resolve(Layer::default(), Layer::default(), file).unwrap();
        assert_eq!(settings.listen, "0.0.0.0:9000");
        assert_eq!(
            settings.database_url,
            "sqlite:///srv/ferment/ferment.sqlite?mode=rwc"
        );
        assert!(settings.web.secure_cookies);
        assert_eq!(settings.web.session_hours, 8);
    }

    #[test]
    fn the_default_database_follows_the_data_dir_of_whichever_layer_gave_it() {
        let settings = resolve(
            layer("", "/flag dir", ""),
            Layer::default(),
            Layer::default(),
        )
        .unwrap();
        assert_eq!(
            settings.database_url,
            "sqlite:///flag%20dir/ferment.sqlite?mode=rwc"
        );
    }

    #[test]
    fn an_explicit_database_url_from_the_file_beats_the_default_derived_from_a_flag() {
        let settings = resolve(
            layer("", "/flag", ""),
            Layer::default(),
            layer("", "", "postgres://db/ferment"),
        )
        .unwrap();
        assert_eq!(settings.database_url, "postgres://db/ferment");
        assert_eq!(settings.data_dir, PathBuf::from("/flag"));
    }

    #[test]
    fn environment_variables_are_read_by_their_names() {
        let env = env_of(&[
            ("FERMENT_LISTEN", "127.0.0.1:9999"),
            ("FERMENT_DATA_DIR", "/var/lib/ferment"),
            ("DATABASE_URL", "postgres://u:p@h/db"),
            ("FERMENT_SECURE_COOKIES", "yes"),
            ("FERMENT_SESSION_HOURS", "24"),
        ])
        .unwrap();
        assert_eq!(env.listen.as_deref(), Some("127.0.0.1:9999"));
        assert_eq!(env.data_dir, Some(PathBuf::from("/var/lib/ferment")));
        assert_eq!(env.database_url.as_deref(), Some("postgres://u:p@h/db"));
        assert_eq!(env.secure_cookies, Some(true));
        assert_eq!(env.session_hours, Some(24));
    }

    #[test]
    fn empty_environment_variables_count_as_unset() {
        let env = env_of(&[("DATABASE_URL", ""), ("FERMENT_LISTEN", "  ")]).unwrap();
        assert_eq!(env, Layer::default());
    }

    #[test]
    fn malformed_environment_values_are_refused_with_the_variable_named() {
        let error = env_of(&[("FERMENT_SESSION_HOURS", "twelve")]).unwrap_err();
        assert!(format!("{error:#}").contains("FERMENT_SESSION_HOURS"));
        let error = env_of(&[("FERMENT_SECURE_COOKIES", "maybe")]).unwrap_err();
        assert!(format!("{error:#}").contains("FERMENT_SECURE_COOKIES"));
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        let error = Layer::from_toml("listen = \"x\"\ndatabase = \"y\"\n").unwrap_err();
        assert!(format!("{error:#}").contains("database"));
    }

    #[test]
    fn session_hours_must_be_positive() {
        let file = Layer {
            session_hours: Some(0),
            ..Layer::default()
        };
        assert!(resolve(Layer::default(), Layer::default(), file).is_err());
    }

    #[test]
    fn the_config_file_is_the_flag_else_the_environment_else_ferment_toml_when_present() {
        let dir = std::env::temp_dir().join(format!("ferment-config-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let named = dir.join("named.toml");
        std::fs::write(&named, "").unwrap();
        // Nothing given and no ferment.toml: no file.
        assert_eq!(config_file(None, None, &dir).unwrap(), None);
        // A ferment.toml in the working directory is picked up.
        std::fs::write(dir.join("ferment.toml"), "").unwrap();
        assert_eq!(
            config_file(None, None, &dir).unwrap(),
            Some(dir.join("ferment.toml"))
        );
        // The environment beats it, the flag beats the environment.
        let env = Some(named.display().to_string());
        assert_eq!(
            config_file(None, env.clone(), &dir).unwrap(),
            Some(named.clone())
        );
        let other = dir.join("other.toml");
        std::fs::write(&other, "").unwrap();
        assert_eq!(
            config_file(Some(&other), env, &dir).unwrap(),
            Some(other.clone())
        );
        // An explicit file that does not exist is an error, not silently skipped.
        assert!(config_file(Some(&dir.join("missing.toml")), None, &dir).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn database_passwords_are_masked() {
        assert_eq!(
            mask_database_url("postgres://ferment:s3cret@127.0.0.1:5432/ferment"),
            "postgres://ferment:***@127.0.0.1:5432/ferment"
        );
        assert_eq!(
            mask_database_url("postgres://h/db?user=u&password=s3cret&sslmode=require"),
            "postgres://h/db?user=u&password=***&sslmode=require"
        );
        assert_eq!(
            mask_database_url("postgresql://only-user@h/db"),
            "postgresql://only-user@h/db"
        );
        assert_eq!(
            mask_database_url("sqlite:///srv/ferment.sqlite?mode=rwc"),
            "sqlite:///srv/ferment.sqlite?mode=rwc"
        );
        assert_eq!(
            mask_database_url("postgres://u:pa/ss@word@h/db"),
            "postgres://u:***@h/db"
        );
    }
}
