//! A deterministic generator of a believable food-ingredients business for Ferment's demo and
//! benchmarks: the sales team, the nomenclature with stock, and clients — dairies, bakeries, meat
//! plants, confectioners and sole proprietors across Russia's regions — with their contacts.
//!
//! Everything is a pure function of a seed (ChaCha8 streams, no I/O, no clock), so the same seed gives
//! the same data on every run and platform. Inputs are the domain's own input types and pass their
//! `validate()`; references between records are by key (a counterparty's `territory_code` and
//! `owner_login`, a contact's `counterparty_key`, a product's `group_key`), and the ids inside the
//! inputs are left empty for the loader to fill in.
//!
//! [`generate`] makes the demo (11 users, about 300 counterparties, 800 contacts, 400 products, 55 sales
//! at every stage of the process, 20 leads, 3 recipes);
//! [`counterparty`] and [`contacts_for`] make any single client, so a benchmark can stream a million.
//! Every ИНН is valid and registered in the client's region, and no two indices below
//! [`UNIQUE_TAX_NUMBERS`] share one.

mod catalog;
mod catalog_vocab;
mod contacts;
mod counterparties;
mod names;
mod people;
mod regions;
mod requisites;
mod rng;
mod sales;
mod users;
mod vocab;

use ferment_domain::catalog::{ProductInput, WarehouseInput};
use ferment_domain::contact::ContactInput;
use ferment_domain::counterparty::CounterpartyInput;

pub use catalog::{NOVOSIBIRSK, OFFICE, PODOLSK};

/// The demo supplier's logo (a 160×160 PNG) that its commercial proposals carry.
pub const LOGO_PNG: &[u8] = include_bytes!("../assets/logo.png");
pub use contacts::contacts_for;
pub use counterparties::counterparty;
pub use requisites::UNIQUE_TAX_NUMBERS;
pub use sales::{DemoLead, DemoLine, DemoRecipe, DemoSale, Step};
pub use users::COMPANY_DOMAIN;

/// How many counterparties [`generate`] makes.
pub const DEMO_COUNTERPARTIES: u64 = 300;

/// A member of the sales team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoUser {
    /// Login (`head`, `manager`, `technologist`, `m.orlov` …).
    pub login: String,
    /// «Фамилия Имя Отчество».
    pub full_name: String,
    /// Work e-mail at [`COMPANY_DOMAIN`].
    pub email: String,
    /// Mobile phone.
    pub phone: String,
    /// Code of the territory the user works (`RU`, `RU-VFD` …).
    pub territory_code: String,
    /// Role codes.
    pub roles: Vec<String>,
}

/// A group of the product tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoGroup {
    /// Stable key (`stabilisers`, `stabilisers.pectin`).
    pub key: String,
    /// Name.
    pub name: String,
    /// The parent group's key; `None` for a top-level group.
    pub parent_key: Option<String>,
}

/// A product; `input.group_id` is empty, the group is `group_key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoProduct {
    /// Key of the (second-level) group.
    pub group_key: String,
    /// The product as typed.
    pub input: ProductInput,
}

/// A warehouse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoWarehouse {
    /// Stable key ([`PODOLSK`], [`NOVOSIBIRSK`], [`OFFICE`]).
    pub key: String,
    /// The warehouse as typed.
    pub input: WarehouseInput,
}

/// Stock of a product in a warehouse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoStock {
    /// Key of the warehouse.
    pub warehouse_key: String,
    /// Code of the product.
    pub product_code: String,
    /// Quantity in thousandths of the product's unit.
    pub quantity: i64,
}

/// A client; `input.territory_id` and `input.owner_id` are empty, see the codes beside them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoCounterparty {
    /// Stable key (`cp-0000042`), unique per index.
    pub key: String,
    /// The counterparty as typed.
    pub input: CounterpartyInput,
    /// Code of the client's region in the territory seed.
    pub territory_code: String,
    /// Login of the owner (empty when no logins were given).
    pub owner_login: String,
}

/// A person at a client; `input.counterparty_id` is empty, the client is `counterparty_key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoContact {
    /// Key of the counterparty.
    pub counterparty_key: String,
    /// The contact as typed.
    pub input: ContactInput,
}

/// Everything the demo loads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoData {
    /// The sales team (without `admin`).
    pub users: Vec<DemoUser>,
    /// The product tree, parents before children.
    pub product_groups: Vec<DemoGroup>,
    /// The nomenclature.
    pub products: Vec<DemoProduct>,
    /// Warehouses.
    pub warehouses: Vec<DemoWarehouse>,
    /// Stock.
    pub stock: Vec<DemoStock>,
    /// Clients.
    pub counterparties: Vec<DemoCounterparty>,
    /// Their contacts.
    pub contacts: Vec<DemoContact>,
    /// Leads.
    pub leads: Vec<DemoLead>,
    /// Sales, each with the script that brings it to its stage.
    pub sales: Vec<DemoSale>,
    /// Recipes.
    pub recipes: Vec<DemoRecipe>,
}

/// The demo under `seed`: the team, the catalogue with stock, [`DEMO_COUNTERPARTIES`] clients owned by
/// the team and their contacts.
pub fn generate(seed: u64) -> DemoData {
    let users = users::team();
    let logins: Vec<String> = users.iter().map(|u| u.login.clone()).collect();
    let counterparties: Vec<DemoCounterparty> = (0..DEMO_COUNTERPARTIES)
        .map(|i| counterparty(seed, i, &logins))
        .collect();
    let contacts = counterparties
        .iter()
        .zip(0..)
        .flat_map(|(c, i)| contacts_for(seed, c, i))
        .collect();
    let catalog = catalog::catalog(seed);
    let deals = sales::deals(seed, &counterparties, &catalog.products);
    DemoData {
        users,
        product_groups: catalog.groups,
        products: catalog.products,
        warehouses: catalog.warehouses,
        stock: catalog.stock,
        counterparties,
        contacts,
        leads: deals.leads,
        sales: deals.sales,
        recipes: deals.recipes,
    }
}
