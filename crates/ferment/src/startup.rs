//! What every command does before its own work: open the database, bring its schema up to date, load
//! the reference data; and the `admin` account and passwords that `serve` and `demo` need.
//!
//! Passwords are shown to the operator with `println!` on standard output, never through `tracing`:
//! logs are collected, shipped and kept, and a password must not end up in them.

use anyhow::Context;
use ferment_domain::user::{User, validate_password};
use ferment_store::Store;
use ferment_store::users;
use rand::Rng;
use uuid::Uuid;

use crate::config::{Settings, mask_database_url};

/// The administrator's login.
pub const ADMIN_LOGIN: &str = "admin";
/// How many characters a generated password has.
pub const GENERATED_PASSWORD_LENGTH: usize = 20;

/// Opens the database of `settings`, applies pending migrations and loads the reference data (roles,
/// territories). Creates the data directory first when the database lives there.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    if settings.database_in_data_dir {
        std::fs::create_dir_all(&settings.data_dir).with_context(|| {
            format!(
                "creating the data directory {}",
                settings.data_dir.display()
            )
        })?;
    }
    let shown_url = mask_database_url(&settings.database_url);
    tracing::info!(database = %shown_url, "opening the database");
    let store = Store::connect(&settings.database_url)
        .await
        .with_context(|| format!("opening the database {shown_url}"))?;
    store.migrate().await?;
    store
        .seed_reference_data()
        .await
        .context("loading the reference data (roles, territories)")?;
    tracing::info!("database schema and reference data are up to date");
    Ok(store)
}

/// A new random password: [`GENERATED_PASSWORD_LENGTH`] characters from an alphabet without the
/// look-alikes (`0`/`O`, `1`/`l`/`I`), so it can be read off a screen and typed.
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..GENERATED_PASSWORD_LENGTH)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

/// The administrator password given in the environment, checked against the password rules.
pub fn admin_password_from_env() -> anyhow::Result<Option<String>> {
    let Some(password) = std::env::var(crate::config::env::ADMIN_PASSWORD)
        .ok()
        .filter(|p| !p.is_empty())
    else {
        return Ok(None);
    };
    validate_password(&password).map_err(|problem| {
        anyhow::anyhow!(
            "{} is not an acceptable password: {problem}",
            crate::config::env::ADMIN_PASSWORD
        )
    })?;
    Ok(Some(password))
}

/// The `admin` account as first created.
pub fn admin_user() -> User {
    User {
        login: ADMIN_LOGIN.into(),
        full_name: "Администратор".into(),
        email: None,
        phone: None,
        territory_id: None,
        active: true,
        roles: vec!["admin".into()],
        department_id: None,
        ip_allow: Vec::new(),
        overrides: Default::default(),
    }
}

/// Creates `admin` if it does not exist (for `serve`): with `env_password`, else with a generated
/// password printed here, once. An existing `admin` is left alone — resetting its password on each
/// start would sign its sessions out.
pub async fn ensure_admin(store: &Store, env_password: Option<&str>) -> anyhow::Result<Uuid> {
    let mut connection = store.reader().await?;
    let existing = users::find_by_login(&mut connection, ADMIN_LOGIN).await?;
    drop(connection);
    if let Some((admin, _)) = existing {
        return Ok(admin.meta.id);
    }
    let (password, generated) = match env_password {
        Some(password) => (password.to_string(), false),
        None => (generate_password(), true),
    };
    let id = ferment_web::auth::ensure_user(store, &admin_user(), &password)
        .await
        .context("creating the admin account")?;
    tracing::info!("created the admin account");
    if generated {
        println!();
        println!("Created the administrator account (this password is shown only once):");
        println!("    login:    {ADMIN_LOGIN}");
        println!("    password: {password}");
        println!("Change it with `ferment user passwd {ADMIN_LOGIN}`.");
        println!();
    } else {
        println!(
            "Created the administrator account `{ADMIN_LOGIN}` with the password from {}.",
            crate::config::env::ADMIN_PASSWORD
        );
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_are_long_enough_and_differ() {
        let one = generate_password();
        let two = generate_password();
        assert_eq!(one.chars().count(), GENERATED_PASSWORD_LENGTH);
        assert!(validate_password(&one).is_ok());
        assert_ne!(one, two);
        assert!(one.chars().all(|c| c.is_ascii_alphanumeric()));
        assert!(!one.contains(['0', 'O', '1', 'l', 'I']));
    }
}
