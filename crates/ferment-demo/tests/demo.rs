//! The demo data's promises: valid inputs, determinism, sizes, unique and correctly placed requisites,
//! consistent references.

use std::collections::{HashMap, HashSet};

use ferment_demo::{DemoData, UNIQUE_TAX_NUMBERS, contacts_for, counterparty, generate};
use ferment_domain::territory::{SEED, TerritoryKind, TerritorySeed};

const SEED_VALUE: u64 = 2026;

fn demo() -> DemoData {
    generate(SEED_VALUE)
}

fn logins(data: &DemoData) -> Vec<String> {
    data.users.iter().map(|u| u.login.clone()).collect()
}

fn territory(code: &str) -> Option<&'static TerritorySeed> {
    SEED.iter().find(|t| t.code == code)
}

#[test]
fn every_generated_input_validates() {
    let data = demo();
    for c in &data.counterparties {
        if let Err(errors) = c.input.validate() {
            panic!("{} {:?}: {errors:?}", c.key, c.input);
        }
    }
    for c in &data.contacts {
        assert!(c.input.validate().is_ok(), "{:?}", c.input);
    }
    for p in &data.products {
        assert!(p.input.validate().is_ok(), "{:?}", p.input);
    }
    for w in &data.warehouses {
        assert!(w.input.validate().is_ok(), "{:?}", w.input);
    }
}

#[test]
fn streamed_counterparties_and_their_contacts_validate_too() {
    let logins = logins(&demo());
    for index in (0..2_000_000).step_by(997) {
        let c = counterparty(7, index, &logins);
        assert!(c.input.validate().is_ok(), "{index}: {:?}", c.input);
        for contact in contacts_for(7, &c, index) {
            assert!(contact.input.validate().is_ok(), "{:?}", contact.input);
        }
    }
}

#[test]
fn the_same_seed_gives_the_same_data_and_another_seed_differs() {
    assert_eq!(generate(1), generate(1));
    let (one, two) = (generate(1), generate(2));
    assert_ne!(one.counterparties, two.counterparties);
    assert_ne!(one.contacts, two.contacts);
    assert_ne!(one.products, two.products);
}

#[test]
fn a_streamed_counterparty_is_the_demo_row_of_the_same_index() {
    let data = demo();
    let logins = logins(&data);
    for index in [0u64, 17, 299] {
        let streamed = counterparty(SEED_VALUE, index, &logins);
        assert_eq!(streamed, data.counterparties[index as usize]);
        let contacts: Vec<_> = data
            .contacts
            .iter()
            .filter(|c| c.counterparty_key == streamed.key)
            .cloned()
            .collect();
        assert_eq!(contacts_for(SEED_VALUE, &streamed, index), contacts);
    }
}

#[test]
fn the_demo_has_the_promised_sizes() {
    let data = demo();
    assert!((8..=12).contains(&data.users.len()));
    assert_eq!(data.counterparties.len(), 300);
    assert!(
        (650..=950).contains(&data.contacts.len()),
        "{}",
        data.contacts.len()
    );
    assert!(
        (350..=450).contains(&data.products.len()),
        "{}",
        data.products.len()
    );
    let per_client = data.contacts.iter().fold(HashMap::new(), |mut m, c| {
        *m.entry(&c.counterparty_key).or_insert(0) += 1;
        m
    });
    assert_eq!(per_client.len(), data.counterparties.len());
    assert!(per_client.values().all(|n| (2..=4).contains(n)));
    let kinds: Vec<&str> = data
        .warehouses
        .iter()
        .map(|w| w.input.kind.as_str())
        .collect();
    assert_eq!(kinds, ["warehouse", "warehouse", "office_samples"]);
}

#[test]
fn the_team_has_the_named_logins_and_no_admin() {
    let data = demo();
    let logins = logins(&data);
    for login in ["head", "manager", "technologist"] {
        assert!(logins.contains(&login.to_string()), "{login}");
    }
    assert!(!logins.contains(&"admin".to_string()));
    for user in &data.users {
        assert!(territory(&user.territory_code).is_some(), "{}", user.login);
        assert!(user.email.ends_with("@ferment-ingredients.ru") && user.phone.starts_with("+7 "));
        assert_eq!(user.full_name.split(' ').count(), 3, "{}", user.full_name);
    }
    let manager = data.users.iter().find(|u| u.login == "manager").unwrap();
    assert_eq!(
        territory(&manager.territory_code).unwrap().kind,
        TerritoryKind::FederalDistrict
    );
}

#[test]
fn inns_are_unique_over_the_demo_and_two_hundred_thousand_streamed_counterparties() {
    let data = demo();
    let mut demo_inns = HashSet::new();
    for c in &data.counterparties {
        assert!(demo_inns.insert(c.input.inn.clone()), "{}", c.input.inn);
    }
    const { assert!(UNIQUE_TAX_NUMBERS >= 2_000_000) };
    let logins = logins(&data);
    let count: u64 = 200_000;
    let threads = 4;
    let inns: Vec<Vec<String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let logins = &logins;
                scope.spawn(move || {
                    (t..count)
                        .step_by(threads as usize)
                        .map(|i| counterparty(SEED_VALUE, i, logins).input.inn)
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut seen = HashSet::with_capacity(count as usize);
    for inn in inns.into_iter().flatten() {
        assert!(seen.insert(inn.clone()), "ИНН {inn} twice");
    }
    assert_eq!(seen.len() as u64, count);
}

#[test]
fn every_counterparty_is_in_a_seed_region_and_registered_there() {
    let data = demo();
    for c in &data.counterparties {
        let region = territory(&c.territory_code).unwrap_or_else(|| panic!("{}", c.territory_code));
        assert_eq!(region.kind, TerritoryKind::Region, "{}", c.territory_code);
        let tax = region.tax_region.unwrap();
        let input = &c.input;
        assert!(
            input.inn.starts_with(tax),
            "{} in {}",
            input.inn,
            c.territory_code
        );
        assert_eq!(&input.ogrn[3..5], tax, "ОГРН {}", input.ogrn);
        if input.kind == "legal_entity" {
            assert_eq!(input.kpp, format!("{}01001", &input.inn[..4]));
            assert!(input.ogrn.len() == 13 && input.ogrn.starts_with('1'));
            assert!(
                input
                    .bank_accounts
                    .iter()
                    .all(|a| a.account.starts_with("40702810"))
            );
        } else {
            assert!(input.kpp.is_empty() && input.name.starts_with("ИП "));
            assert!(input.ogrn.len() == 15 && input.ogrn.starts_with('3'));
            assert!(
                input
                    .bank_accounts
                    .iter()
                    .all(|a| a.account.starts_with("40802810"))
            );
        }
        assert!((1..=2).contains(&input.bank_accounts.len()));
        assert!(
            data.users.iter().any(|u| u.login == c.owner_login),
            "{}",
            c.owner_login
        );
    }
}

#[test]
fn clients_spread_over_many_regions_with_the_big_ones_ahead() {
    let logins = logins(&demo());
    let mut per_region: HashMap<String, u32> = HashMap::new();
    let mut segments: HashMap<String, u32> = HashMap::new();
    let mut sole = 0;
    let total = 3_000;
    for index in 0..total {
        let c = counterparty(SEED_VALUE, index, &logins);
        *per_region.entry(c.territory_code).or_default() += 1;
        *segments.entry(c.input.segment).or_default() += 1;
        sole += u32::from(c.input.kind == "sole_proprietor");
    }
    assert!(per_region.len() > 80, "{} regions", per_region.len());
    assert!(per_region["RU-MOW"] > per_region["RU-KRS"] * 4);
    let share = |n: u32| f64::from(n) / total as f64;
    assert!((0.10..0.20).contains(&share(segments["A"])), "{segments:?}");
    assert!((0.28..0.42).contains(&share(segments["B"])), "{segments:?}");
    assert!((0.06..0.14).contains(&share(sole)), "{sole}");
}

#[test]
fn a_name_word_matches_only_a_fraction_of_many_counterparties() {
    let logins = logins(&demo());
    let total: u32 = 20_000;
    let mut words: HashMap<String, u32> = HashMap::new();
    let mut names = HashSet::new();
    for index in 0..total {
        let c = counterparty(SEED_VALUE, u64::from(index), &logins);
        let unique: HashSet<String> = c
            .input
            .name
            .split(|ch: char| !ch.is_alphanumeric())
            .filter(|w| w.chars().count() > 2)
            .map(str::to_lowercase)
            .collect();
        for word in unique {
            *words.entry(word).or_default() += 1;
        }
        names.insert(c.input.name);
    }
    let (word, most) = words.iter().max_by_key(|(_, n)| **n).unwrap();
    assert!(
        f64::from(*most) / f64::from(total) < 0.25,
        "«{word}» in {most} names"
    );
    assert!(
        names.len() > (total as usize) / 2,
        "{} distinct names",
        names.len()
    );
}

#[test]
fn product_codes_are_unique_and_products_sit_in_second_level_groups() {
    let data = demo();
    let mut codes = HashSet::new();
    for p in &data.products {
        assert!(codes.insert(&p.input.code), "{}", p.input.code);
    }
    let mut seen_groups = HashMap::new();
    for g in &data.product_groups {
        if let Some(parent) = &g.parent_key {
            assert_eq!(seen_groups.get(parent), Some(&None::<String>), "{}", g.key);
        }
        assert!(
            seen_groups
                .insert(g.key.clone(), g.parent_key.clone())
                .is_none()
        );
    }
    for p in &data.products {
        assert!(
            matches!(seen_groups.get(&p.group_key), Some(Some(_))),
            "{}",
            p.group_key
        );
    }
    let sample = data
        .products
        .iter()
        .filter(|p| p.input.needs_sample)
        .count();
    let share = sample as f64 / data.products.len() as f64;
    assert!((0.3..0.5).contains(&share), "{share}");
    let reduced = data
        .products
        .iter()
        .filter(|p| p.input.vat_rate == "10")
        .count();
    assert!(reduced > 0 && reduced < data.products.len() / 4);
}

#[test]
fn every_stock_row_refers_to_an_existing_product_and_warehouse() {
    let data = demo();
    let codes: HashSet<&str> = data
        .products
        .iter()
        .map(|p| p.input.code.as_str())
        .collect();
    let warehouses: HashSet<&str> = data.warehouses.iter().map(|w| w.key.as_str()).collect();
    let mut pairs = HashSet::new();
    for row in &data.stock {
        assert!(
            codes.contains(row.product_code.as_str()),
            "{}",
            row.product_code
        );
        assert!(
            warehouses.contains(row.warehouse_key.as_str()),
            "{}",
            row.warehouse_key
        );
        assert!(
            pairs.insert((&row.warehouse_key, &row.product_code)),
            "twice: {row:?}"
        );
        assert!(row.quantity > 0);
        if row.warehouse_key == ferment_demo::OFFICE {
            assert!(row.quantity <= 10_000, "{row:?}");
        }
    }
    assert!(data.stock.len() > data.products.len() / 2);
    assert!(
        data.stock
            .iter()
            .any(|r| r.warehouse_key == ferment_demo::OFFICE)
    );
}

#[test]
fn the_regional_managers_district_holds_some_but_not_all_counterparties() {
    let data = demo();
    let manager = data.users.iter().find(|u| u.login == "manager").unwrap();
    let inside: Vec<_> = data
        .counterparties
        .iter()
        .filter(|c| {
            territory(&c.territory_code).unwrap().parent_code == Some(&manager.territory_code)
        })
        .collect();
    assert!(
        !inside.is_empty() && inside.len() < data.counterparties.len() / 2,
        "{}",
        inside.len()
    );
    assert!(inside.iter().all(|c| c.owner_login == "manager"));
    assert!(
        data.counterparties
            .iter()
            .filter(|c| c.owner_login == "manager")
            .count()
            == inside.len()
    );
}
