//! Loading the demo data set ([`ferment_demo::generate`]) into the store.
//!
//! The generator refers between records by key (a client's `territory_code` and `owner_login`, a
//! contact's `counterparty_key`, a product's `group_key`); this loader turns the keys into the ids the
//! store assigns, in dependency order: users, product groups (parents first), products, warehouses,
//! stock, counterparties, contacts. Every record goes through the store's ordinary insert functions,
//! so it is indexed for search and gets its "created" history entry (with no user: the system made it).
//!
//! **Invariant:** the whole data set is loaded in one transaction: a load that fails half-way leaves
//! the database without counterparties, and the next `ferment demo` simply tries again.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};
use ferment_demo::DemoData;
use ferment_domain::catalog::ProductGroup;
use ferment_domain::user::UserInput;
use ferment_domain::validation::FieldError;
use ferment_store::{
    Store, Tx, contacts, counterparties, products, territories, users, warehouses,
};
use uuid::Uuid;

/// What was loaded, and how long it took.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadReport {
    /// Users created (the demo team; `admin` is not counted).
    pub users: usize,
    /// Product groups.
    pub product_groups: usize,
    /// Products.
    pub products: usize,
    /// Warehouses.
    pub warehouses: usize,
    /// Stock lines.
    pub stock_lines: usize,
    /// Counterparties.
    pub counterparties: usize,
    /// Contacts.
    pub contacts: usize,
    /// Recipes, leads and sales.
    pub deals: crate::demo_deals::DealsReport,
    /// Wall time of the load, statistics refresh included.
    pub elapsed: Duration,
}

/// Whether the database has no counterparties yet (the demo loads only into such a database).
pub async fn has_no_counterparties(store: &Store) -> anyhow::Result<bool> {
    let mut connection = store.reader().await?;
    let any = counterparties::any_live(&mut connection)
        .await
        .context("checking whether the database has counterparties")?;
    Ok(!any)
}

/// Loads `data` in one transaction; every demo user gets `password_hash`. Users that exist already
/// (by login) are kept as they are. Refreshes the planner's statistics afterwards.
pub async fn load(
    store: &Store,
    files: &ferment_store::files::FileStore,
    data: &DemoData,
    password_hash: &str,
) -> anyhow::Result<LoadReport> {
    let started = Instant::now();
    let mut report = LoadReport::default();
    let mut tx = store.begin().await?;
    let mut territory_ids = TerritoryIds::default();

    let user_ids = load_users(
        &mut tx,
        data,
        password_hash,
        &mut territory_ids,
        &mut report,
    )
    .await
    .context("loading the demo users")?;
    let catalog = load_catalog(&mut tx, data, &mut report)
        .await
        .context("loading the demo catalogue")?;
    load_stock(&mut tx, data, &catalog, &mut report)
        .await
        .context("loading the demo stock")?;
    let clients = load_clients(&mut tx, data, &user_ids, &mut territory_ids, &mut report)
        .await
        .context("loading the demo counterparties and contacts")?;
    report.deals =
        crate::demo_deals::load(&mut tx, data, &user_ids, &catalog.product_ids, &clients)
            .await
            .context("loading the demo leads and sales")?;

    load_company(&mut tx, files)
        .await
        .context("loading the demo company's requisites")?;

    tx.commit().await.context("committing the demo data")?;
    store
        .analyze()
        .await
        .context("refreshing the database statistics")?;
    report.elapsed = started.elapsed();
    Ok(report)
}

/// The demo supplier's own requisites (what its documents print) and its logo, unless some are
/// set already.
async fn load_company(tx: &mut Tx, files: &ferment_store::files::FileStore) -> anyhow::Result<()> {
    use ferment_web::app::company::{CompanySetting, SETTING, StoredImage};
    if ferment_store::settings::get(tx, SETTING).await?.is_some() {
        return Ok(());
    }
    let input = ferment_domain::company::CompanyInput {
        name: "ООО «Ферментум»".into(),
        full_name: "Общество с ограниченной ответственностью «Ферментум»".into(),
        inn: "7707083893".into(),
        kpp: "770701001".into(),
        ogrn: "1027700132195".into(),
        legal_address: "123112, г. Москва, Пресненская наб., д. 12, офис 401".into(),
        actual_address: "142100, Московская обл., г. Подольск, ул. Комсомольская, д. 1, склад 3"
            .into(),
        phone: "+7 495 123-45-67".into(),
        email: "sales@fermentum.ru".into(),
        site: "fermentum.ru".into(),
        bik: "044525225".into(),
        bank_name: "ПАО СБЕРБАНК".into(),
        correspondent_account: "30101810400000000225".into(),
        account: "40702810938000012345".into(),
        director_name: "Соколов Андрей Викторович".into(),
        director_position: "Генеральный директор".into(),
        accountant_name: "Белова Марина Сергеевна".into(),
        accountant_position: "Главный бухгалтер".into(),
        ..Default::default()
    };
    let requisites = input
        .validate()
        .map_err(|errors| invalid("company", "requisites", errors))?;
    let logo = files
        .put(ferment_demo::LOGO_PNG)
        .await
        .context("storing the demo logo")?;
    let setting = CompanySetting {
        requisites,
        images: [(
            "logo".to_owned(),
            StoredImage {
                sha256: logo,
                extension: "png".to_owned(),
            },
        )]
        .into_iter()
        .collect(),
    };
    ferment_store::settings::set(tx, SETTING, &serde_json::to_value(&setting)?).await?;
    Ok(())
}

/// Territory ids by code, looked up once each.
#[derive(Default)]
struct TerritoryIds(HashMap<String, Uuid>);

impl TerritoryIds {
    async fn get(&mut self, tx: &mut Tx, code: &str) -> anyhow::Result<Uuid> {
        if let Some(id) = self.0.get(code) {
            return Ok(*id);
        }
        let territory = territories::find_by_code(tx, code)
            .await?
            .ok_or_else(|| anyhow!("the territory {code:?} is not in the reference data"))?;
        let id = territory.record.meta.id;
        self.0.insert(code.to_string(), id);
        Ok(id)
    }
}

/// Describes validation errors of generated data (a generator bug, not a user error).
fn invalid(what: &str, key: &str, errors: Vec<FieldError>) -> anyhow::Error {
    let list: Vec<String> = errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.problem))
        .collect();
    anyhow!("demo {what} {key:?} is invalid: {}", list.join("; "))
}

/// The team; returns user ids by login (existing users included).
async fn load_users(
    tx: &mut Tx,
    data: &DemoData,
    password_hash: &str,
    territory_ids: &mut TerritoryIds,
    report: &mut LoadReport,
) -> anyhow::Result<HashMap<String, Uuid>> {
    let mut ids = HashMap::new();
    for demo in &data.users {
        if let Some((existing, _)) = users::find_by_login(tx, &demo.login).await? {
            ids.insert(demo.login.clone(), existing.meta.id);
            continue;
        }
        let territory_id = territory_ids.get(tx, &demo.territory_code).await?;
        let input = UserInput {
            login: demo.login.clone(),
            full_name: demo.full_name.clone(),
            email: demo.email.clone(),
            phone: demo.phone.clone(),
            territory_id: territory_id.to_string(),
            active: true,
            roles: demo.roles.clone(),
            ..Default::default()
        };
        let user = input
            .validate()
            .map_err(|errors| invalid("user", &demo.login, errors))?;
        let record = users::insert(tx, None, &user, Some(password_hash)).await?;
        ids.insert(demo.login.clone(), record.meta.id);
        report.users += 1;
    }
    Ok(ids)
}

/// Product groups, products and warehouses; returns the ids of products and warehouses by key.
async fn load_catalog(
    tx: &mut Tx,
    data: &DemoData,
    report: &mut LoadReport,
) -> anyhow::Result<Catalog> {
    let mut group_ids: HashMap<&str, Uuid> = HashMap::new();
    // The generator lists parents before children; a child whose parent is missing is a bug there.
    for group in &data.product_groups {
        let parent_id = match &group.parent_key {
            Some(key) => Some(*group_ids.get(key.as_str()).ok_or_else(|| {
                anyhow!(
                    "product group {:?} comes before its parent {key:?}",
                    group.key
                )
            })?),
            None => None,
        };
        let record = ProductGroup {
            name: group.name.clone(),
            parent_id,
        };
        let id = products::insert_group(tx, None, &record).await?;
        group_ids.insert(group.key.as_str(), id);
        report.product_groups += 1;
    }

    let mut product_ids = HashMap::new();
    for demo in &data.products {
        let mut product = demo
            .input
            .validate()
            .map_err(|errors| invalid("product", &demo.input.code, errors))?;
        product.group_id = Some(
            *group_ids
                .get(demo.group_key.as_str())
                .ok_or_else(|| anyhow!("product group {:?} is unknown", demo.group_key))?,
        );
        let record = products::insert(tx, None, &product).await?;
        product_ids.insert(product.code.clone(), record.meta.id);
        report.products += 1;
    }

    let mut warehouse_ids = HashMap::new();
    for demo in &data.warehouses {
        let warehouse = demo
            .input
            .validate()
            .map_err(|errors| invalid("warehouse", &demo.key, errors))?;
        let record = warehouses::insert(tx, None, &warehouse).await?;
        warehouse_ids.insert(demo.key.clone(), record.meta.id);
        report.warehouses += 1;
    }
    Ok(Catalog {
        product_ids,
        warehouse_ids,
    })
}

/// Ids of the catalogue just loaded, by key.
struct Catalog {
    /// Product ids by code.
    product_ids: HashMap<String, Uuid>,
    /// Warehouse ids by key.
    warehouse_ids: HashMap<String, Uuid>,
}

async fn load_stock(
    tx: &mut Tx,
    data: &DemoData,
    catalog: &Catalog,
    report: &mut LoadReport,
) -> anyhow::Result<()> {
    for line in &data.stock {
        let warehouse_id = catalog
            .warehouse_ids
            .get(&line.warehouse_key)
            .ok_or_else(|| anyhow!("warehouse {:?} is unknown", line.warehouse_key))?;
        let product_id = catalog
            .product_ids
            .get(&line.product_code)
            .ok_or_else(|| anyhow!("product {:?} is unknown", line.product_code))?;
        warehouses::set_stock(tx, None, *warehouse_id, *product_id, line.quantity).await?;
        report.stock_lines += 1;
    }
    Ok(())
}

async fn load_clients(
    tx: &mut Tx,
    data: &DemoData,
    user_ids: &HashMap<String, Uuid>,
    territory_ids: &mut TerritoryIds,
    report: &mut LoadReport,
) -> anyhow::Result<HashMap<String, Uuid>> {
    let mut counterparty_ids: HashMap<String, Uuid> = HashMap::new();
    for demo in &data.counterparties {
        let mut counterparty = demo
            .input
            .validate()
            .map_err(|errors| invalid("counterparty", &demo.key, errors))?;
        counterparty.territory_id = Some(territory_ids.get(tx, &demo.territory_code).await?);
        counterparty.owner_id = if demo.owner_login.is_empty() {
            None
        } else {
            Some(*user_ids.get(&demo.owner_login).ok_or_else(|| {
                anyhow!(
                    "owner {:?} of {:?} is not a demo user",
                    demo.owner_login,
                    demo.key
                )
            })?)
        };
        let record = counterparties::insert(tx, None, &counterparty).await?;
        counterparty_ids.insert(demo.key.clone(), record.meta.id);
        report.counterparties += 1;
    }
    for demo in &data.contacts {
        let mut contact = demo
            .input
            .validate()
            .map_err(|errors| invalid("contact of", &demo.counterparty_key, errors))?;
        contact.counterparty_id = Some(
            *counterparty_ids
                .get(&demo.counterparty_key)
                .ok_or_else(|| anyhow!("counterparty {:?} is unknown", demo.counterparty_key))?,
        );
        contacts::insert(tx, None, &contact).await?;
        report.contacts += 1;
    }
    Ok(counterparty_ids)
}
