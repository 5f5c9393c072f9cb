//! `ferment demo`: serve with the demo data set, loaded on first start, and logins that always work.
//!
//! The demo is for looking around, so its logins must work every time it starts: the password of
//! `admin` and of every demo user is `FERMENT_ADMIN_PASSWORD` when set, otherwise a new generated
//! one, and it is printed on every start. With a password from the environment, accounts that
//! already have it are left alone (setting a password signs the user out everywhere).

use std::time::Duration;

use anyhow::Context;
use ferment_demo::{DemoData, DemoUser};
use ferment_domain::access::roles;
use ferment_store::{Store, users};
use ferment_web::auth::{hash_password, verify_password};

use crate::config::Settings;
use crate::demo_load::{LoadReport, has_no_counterparties, load};
use crate::server::{bind, serve};
use crate::startup::{
    ADMIN_LOGIN, admin_password_from_env, admin_user, generate_password, open_store,
};

/// The seed of the demo data set: the same seed gives the same business on every machine.
pub const DEMO_SEED: u64 = 2026;

/// `ferment demo`.
pub async fn run_demo(settings: Settings) -> anyhow::Result<()> {
    let env_password = admin_password_from_env()?;
    let listener = bind(&settings).await?;
    let store = open_store(&settings).await?;
    let data = ferment_demo::generate(DEMO_SEED);

    let password = env_password.clone().unwrap_or_else(generate_password);
    let hash = hash_password(&password).await?;

    if has_no_counterparties(&store).await? {
        println!("Loading the demo data set into the empty database…");
        let files = ferment_store::files::FileStore::new(settings.web.files_dir.clone());
        let report = load(&store, &files, &data, &hash).await?;
        print_report(&report);
    } else {
        println!("The database already has counterparties: the demo data set is not loaded again.");
    }

    let logins: Vec<&str> = std::iter::once(ADMIN_LOGIN)
        .chain(data.users.iter().map(|u| u.login.as_str()))
        .collect();
    let check_first = env_password.is_some();
    set_passwords(&store, &logins, &password, &hash, check_first)
        .await
        .context("setting the demo passwords")?;
    print_logins(&data, &password, check_first);
    let emulator = start_emulator(&store, &settings)
        .await
        .context("starting the demo 1C emulator")?;
    let served = serve(listener, &settings, store).await;
    emulator.shutdown().await;
    served
}

/// The name of the demo's connection to its 1C emulator.
pub const DEMO_CONNECTION: &str = "1С:УТ (демо-эмулятор)";

/// Starts the 1C emulator beside the demo (its base kept in the data directory, so what Ferment
/// sends stays there) and points the demo's connection at it, so a new user can watch a sync.
async fn start_emulator(
    store: &Store,
    settings: &Settings,
) -> anyhow::Result<ferment_onec_emulator::Handle> {
    use ferment_onec_emulator::{Config, Profile};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("binding the emulator")?;
    let config = Config {
        data: Some(settings.data_dir.join("onec-emulator.json")),
        ..Config::new(Profile::Ut11)
    };
    let handle = ferment_onec_emulator::start(config, listener).await?;
    let sealer = ferment_onec::secret::Sealer::load_or_create(&settings.web.secret_key_path())?;
    let input = ferment_domain::onec::ConnectionInput {
        name: DEMO_CONNECTION.into(),
        url: handle.url(),
        login: "odata".into(),
        password: "odata".into(),
        profile: "ut11".into(),
        ..Default::default()
    };
    let connection = input
        .validate(true)
        .map_err(|e| anyhow::anyhow!("the demo connection: {e:?}"))?;
    let mut tx = store.begin().await?;
    match ferment_store::onec::find_connection(&mut tx, DEMO_CONNECTION).await? {
        Some(existing) => {
            let mut kept = existing.data.connection.clone();
            kept.url = connection.url.clone();
            ferment_store::onec::update_connection(
                &mut tx,
                existing.meta.id,
                existing.meta.version,
                &kept,
                Some(&sealer.seal("odata")),
            )
            .await?;
        }
        None => {
            ferment_store::onec::insert_connection(&mut tx, &connection, &sealer.seal("odata"))
                .await?;
        }
    }
    tx.commit().await?;
    println!(
        "A 1C emulator (УТ 11) serves {} — run a sync in Администрирование → 1С → «{DEMO_CONNECTION}», \
         or `ferment onec sync --connection \"{DEMO_CONNECTION}\"`.",
        handle.url()
    );
    Ok(handle)
}

/// Gives every account in `logins` the password (creating `admin` when missing). With
/// `check_first`, accounts whose password already matches are not touched.
async fn set_passwords(
    store: &Store,
    logins: &[&str],
    password: &str,
    hash: &str,
    check_first: bool,
) -> anyhow::Result<()> {
    let mut to_set = Vec::new();
    let mut admin_missing = false;
    {
        let mut connection = store.reader().await?;
        for login in logins {
            match users::find_by_login(&mut connection, login).await? {
                None if *login == ADMIN_LOGIN => admin_missing = true,
                // A demo user someone deleted stays deleted.
                None => {}
                Some((user, current)) => {
                    let matches = match (&current, check_first) {
                        (Some(current), true) => verify_password(current, password).await,
                        _ => false,
                    };
                    if !matches {
                        to_set.push(user.meta.id);
                    }
                }
            }
        }
    }
    let mut tx = store.begin().await?;
    if admin_missing {
        users::insert(&mut tx, None, &admin_user(), Some(hash)).await?;
    }
    for id in to_set {
        users::set_password(&mut tx, id, hash).await?;
    }
    tx.commit().await?;
    Ok(())
}

fn seconds(duration: Duration) -> String {
    format!("{:.1} s", duration.as_secs_f64())
}

fn print_report(report: &LoadReport) {
    println!(
        "Loaded in {}: {} users, {} counterparties, {} contacts, {} products in {} groups, \
         {} warehouses with {} stock lines, {} sales, {} leads, {} recipes.",
        seconds(report.elapsed),
        report.users,
        report.counterparties,
        report.contacts,
        report.products,
        report.product_groups,
        report.warehouses,
        report.stock_lines,
        report.deals.sales,
        report.deals.leads,
        report.deals.recipes,
    );
}

/// What a demo user may do, from the role the demo gives them, as shown in the start-up message.
fn job_of(user: &DemoUser) -> String {
    let role = user.roles.first().map(String::as_str).unwrap_or("");
    match role {
        roles::HEAD_OF_SALES => "head of sales: every client".into(),
        roles::TECHNOLOGIST => "technologist: recipes and the tasks given to her, no prices".into(),
        roles::LOGISTICS => "logistics: sample and trial shipments, no prices".into(),
        roles::REGIONAL_MANAGER => format!("regional manager: clients of {}", user.territory_code),
        other => other.to_string(),
    }
}

fn print_logins(data: &DemoData, password: &str, from_env: bool) {
    let source = if from_env {
        " (from FERMENT_ADMIN_PASSWORD)"
    } else {
        " (generated for this start)"
    };
    println!();
    println!("Demo logins — every one has the password{source}:");
    println!();
    println!("    {password}");
    println!();
    println!(
        "    {:<14} {:<32} administrator: everything",
        ADMIN_LOGIN, "Администратор"
    );
    let featured = ["head", "manager", "technologist", "logist"];
    for user in data
        .users
        .iter()
        .filter(|u| featured.contains(&u.login.as_str()))
    {
        println!(
            "    {:<14} {:<32} {}",
            user.login,
            user.full_name,
            job_of(user)
        );
    }
    let others: Vec<&str> = data
        .users
        .iter()
        .map(|u| u.login.as_str())
        .filter(|login| !featured.contains(login))
        .collect();
    if !others.is_empty() {
        println!("    and the regional managers {}", others.join(", "));
    }
    println!();
}
