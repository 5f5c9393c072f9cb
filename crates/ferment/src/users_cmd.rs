//! `ferment user add|passwd|token`: account administration from the shell, for the first accounts,
//! a forgotten administrator password, and tokens for scripts and integrations.
//!
//! Input is checked by the same domain rules as the web forms ([`UserInput::validate`],
//! [`validate_password`]); the problems are reported in English, naming the flag to fix. Secrets are
//! printed on standard output once and never logged.

use std::io::BufRead;

use anyhow::{Context, anyhow, bail};
use ferment_domain::user::{UserInput, validate_login, validate_password};
use ferment_domain::validation::{FieldError, Lang};
use ferment_store::{Store, territories, users};
use ferment_web::auth::{hash_password, issue_api_token};

use crate::cli::{UserAddArgs, UserPasswdArgs, UserTokenArgs};
use crate::startup::generate_password;

/// `ferment user add`.
pub async fn add(store: &Store, args: &UserAddArgs) -> anyhow::Result<()> {
    checked_login(&args.login)?;
    let (password, generated) = new_password(args.password_stdin)?;
    let mut connection = store.reader().await?;
    let known_roles = users::role_codes(&mut connection).await?;
    if let Some(unknown) = args.roles.iter().find(|r| !known_roles.contains(r)) {
        bail!(
            "unknown role {unknown:?} (the roles are: {})",
            known_roles.join(", ")
        );
    }
    let territory_id = match &args.territory {
        Some(code) => territories::find_by_code(&mut connection, code)
            .await?
            .map(|t| t.record.meta.id.to_string())
            .ok_or_else(|| anyhow!("unknown territory code {code:?} (e.g. RU, RU-CFD, RU-MOW)"))?,
        None => String::new(),
    };
    let input = UserInput {
        login: args.login.clone(),
        full_name: args.name.clone(),
        email: args.email.clone().unwrap_or_default(),
        phone: args.phone.clone().unwrap_or_default(),
        territory_id,
        active: true,
        roles: args.roles.clone(),
        ..Default::default()
    };
    let user = input.validate().map_err(describe)?;
    if users::find_by_login(&mut connection, &user.login)
        .await?
        .is_some()
    {
        bail!(
            "a user with the login {:?} exists already (set its password with `ferment user passwd {}`)",
            user.login,
            user.login
        );
    }
    drop(connection);
    let hash = hash_password(&password).await?;
    let mut tx = store.begin().await?;
    users::insert(&mut tx, None, &user, Some(&hash))
        .await
        .with_context(|| format!("creating the user {:?}", user.login))?;
    tx.commit().await?;
    println!(
        "Created the user {} ({}) with the roles {}.",
        user.login,
        user.full_name,
        user.roles.join(", ")
    );
    if generated {
        println!("Password (shown only this once): {password}");
    }
    Ok(())
}

/// `ferment user passwd`.
pub async fn passwd(store: &Store, args: &UserPasswdArgs) -> anyhow::Result<()> {
    let login = checked_login(&args.login)?;
    let (password, generated) = new_password(args.password_stdin)?;
    let mut connection = store.reader().await?;
    let (user, _) = users::find_by_login(&mut connection, &login)
        .await?
        .ok_or_else(|| anyhow!("there is no user with the login {login:?}"))?;
    drop(connection);
    let hash = hash_password(&password).await?;
    let mut tx = store.begin().await?;
    users::set_password(&mut tx, user.meta.id, &hash).await?;
    tx.commit().await?;
    println!("Set the password of {login}; its sessions and API tokens are revoked.");
    if generated {
        println!("Password (shown only this once): {password}");
    }
    Ok(())
}

/// `ferment user token`: the token alone on standard output, the explanation on standard error.
pub async fn token(store: &Store, args: &UserTokenArgs) -> anyhow::Result<()> {
    let login = checked_login(&args.login)?;
    let mut connection = store.reader().await?;
    let (user, _) = users::find_by_login(&mut connection, &login)
        .await?
        .ok_or_else(|| anyhow!("there is no user with the login {login:?}"))?;
    drop(connection);
    if !user.data.active {
        bail!("the user {login:?} is deactivated: a token would not work");
    }
    let name = args
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let token = issue_api_token(store, user.meta.id, name)
        .await
        .map_err(|error| anyhow!("issuing the token: {error}"))?;
    eprintln!(
        "API token for {login} (shown only this once; send it as `Authorization: Bearer <token>`):"
    );
    println!("{token}");
    Ok(())
}

/// The login as stored (lower case), or why it is not one.
fn checked_login(login: &str) -> anyhow::Result<String> {
    let login = login.trim().to_lowercase();
    if login.chars().count() < 2 {
        // The domain rule says "required" for a one-letter login, which reads oddly here.
        bail!("LOGIN {login:?}: a login has 2 to 50 characters");
    }
    validate_login(&login).map_err(|problem| anyhow!("LOGIN {login:?}: {problem}"))?;
    Ok(login)
}

/// The new password: the first line of standard input, or a generated one (`true` when generated).
fn new_password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if !from_stdin {
        return Ok((generate_password(), true));
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    let password = line.trim_end_matches(['\n', '\r']).to_string();
    if password.is_empty() {
        bail!("no password on standard input (--password-stdin reads its first line)");
    }
    validate_password(&password).map_err(|problem| anyhow!("the password: {problem}"))?;
    Ok((password, false))
}

/// The flag a field of [`UserInput`] comes from.
fn flag_of(field: &str) -> &str {
    match field {
        "login" => "LOGIN",
        "full_name" => "--name",
        "email" => "--email",
        "phone" => "--phone",
        "territory_id" => "--territory",
        "roles" => "--role",
        other => other,
    }
}

/// One error listing every problem, each with its flag.
fn describe(errors: Vec<FieldError>) -> anyhow::Error {
    let problems: Vec<String> = errors
        .iter()
        .map(|e| format!("{}: {}", flag_of(&e.field), e.problem.message(Lang::En)))
        .collect();
    anyhow!("the user is not valid — {}", problems.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferment_domain::validation::Problem;

    #[test]
    fn validation_problems_name_the_flags_to_fix() {
        let error = describe(vec![
            FieldError::new("login", Problem::Required),
            FieldError::new("full_name", Problem::Required),
        ]);
        let text = error.to_string();
        assert!(text.contains("LOGIN: This field is required"), "{text}");
        assert!(text.contains("--name: This field is required"), "{text}");
    }

    #[test]
    fn logins_are_checked_and_lowered() {
        assert_eq!(checked_login(" Olga ").unwrap(), "olga");
        assert!(checked_login("ольга").is_err());
    }
}
