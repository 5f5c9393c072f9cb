//! The nomenclature: a two-level product group tree, about 400 products, two shipping warehouses and
//! the office's sample store, and stock in them.

use ferment_domain::catalog::{ProductInput, WarehouseInput};

use crate::catalog_vocab::{GROUPS, Subgroup};
use crate::rng::{DemoRng, between, chance, pick_distinct, purpose, stream, word};
use crate::{DemoGroup, DemoProduct, DemoStock, DemoWarehouse};

/// Key of the Podolsk warehouse.
pub const PODOLSK: &str = "podolsk";
/// Key of the Novosibirsk warehouse.
pub const NOVOSIBIRSK: &str = "novosibirsk";
/// Key of the office's sample store.
pub const OFFICE: &str = "office";

/// What the catalogue part of the demo consists of.
pub(crate) struct Catalog {
    pub groups: Vec<DemoGroup>,
    pub products: Vec<DemoProduct>,
    pub warehouses: Vec<DemoWarehouse>,
    pub stock: Vec<DemoStock>,
}

/// The group tree: top-level groups, each followed by its subgroups.
pub(crate) fn groups() -> Vec<DemoGroup> {
    let mut out = Vec::new();
    for group in GROUPS {
        out.push(DemoGroup {
            key: group.key.into(),
            name: group.name.into(),
            parent_key: None,
        });
        for sub in group.subgroups {
            out.push(DemoGroup {
                key: sub.key.into(),
                name: sub.name.into(),
                parent_key: Some(group.key.into()),
            });
        }
    }
    out
}

/// The warehouses: two that ship and the office's samples.
pub(crate) fn warehouses() -> Vec<DemoWarehouse> {
    let warehouse = |key: &str, name: &str, kind: &str, address: &str| DemoWarehouse {
        key: key.into(),
        input: WarehouseInput {
            name: name.into(),
            kind: kind.into(),
            address: address.into(),
        },
    };
    vec![
        warehouse(
            PODOLSK,
            "Склад Подольск",
            "warehouse",
            "142103, Московская область, г. Подольск, ул. Индустриальная, д. 1, стр. 4",
        ),
        warehouse(
            NOVOSIBIRSK,
            "Склад Новосибирск",
            "warehouse",
            "630108, г. Новосибирск, ул. Станционная, д. 30А, корп. 2",
        ),
        warehouse(
            OFFICE,
            "Офис — образцы",
            "office_samples",
            "115114, г. Москва, Дербеневская наб., д. 7, стр. 2, оф. 305",
        ),
    ]
}

/// The whole catalogue under `seed`.
pub(crate) fn catalog(seed: u64) -> Catalog {
    let mut rng = stream(seed, purpose::CATALOG, 0);
    let mut products = Vec::new();
    for group in GROUPS {
        for sub in group.subgroups {
            let combos: Vec<(&str, &str)> = sub
                .items
                .iter()
                .flat_map(|item| sub.variants.iter().map(move |variant| (*item, *variant)))
                .collect();
            let count = between(&mut rng, 9, 11) as usize;
            for (item, variant) in pick_distinct(&mut rng, &combos, count) {
                let number = products.len() + 1;
                let input = product(&mut rng, sub, item, variant, number, group.article);
                products.push(DemoProduct {
                    group_key: sub.key.into(),
                    input,
                });
            }
        }
    }
    let stock = stock(&mut rng, &products);
    Catalog {
        groups: groups(),
        products,
        warehouses: warehouses(),
        stock,
    }
}

fn product(
    rng: &mut DemoRng,
    sub: &Subgroup,
    item: &str,
    variant: &str,
    number: usize,
    article: &str,
) -> ProductInput {
    let name = if variant.is_empty() {
        item.to_string()
    } else {
        format!("{item} {variant}")
    };
    let kopecks = between(rng, sub.price.0 * 100, sub.price.1 * 100) / 10 * 10;
    let packaging = packaging(rng, sub.unit, &name, kopecks > 150_000);
    let months = between(rng, 1, 6) * 6;
    ProductInput {
        code: format!("00-{number:06}"),
        article: format!("{article}-{:04}", between(rng, 100, 9999)),
        name,
        unit: sub.unit.into(),
        group_id: String::new(),
        vat_rate: sub.vat.into(),
        price: format!("{}.{:02}", kopecks / 100, kopecks % 100),
        currency: "RUB".into(),
        needs_sample: chance(rng, sub.sample),
        description: format!(
            "{} Дозировка: {}. Упаковка: {packaging}. Срок годности {months} мес.",
            sub.purpose, sub.dosage
        ),
    }
}

/// Packaging that agrees with the product's form: foil bags of frozen cultures, canisters of
/// liquids, pails of pastes, bags and boxes of powders (small boxes for expensive ones).
fn packaging(rng: &mut DemoRng, unit: &str, name: &str, expensive: bool) -> &'static str {
    let lower = name.to_lowercase();
    let liquid = [
        "жидк",
        "эмульсия",
        "раствор",
        "маслорастворим",
        "сироп",
        "патока",
        "дым",
    ]
    .iter()
    .any(|word| lower.contains(word));
    match unit {
        "pcs" => "пакет из фольги, хранение при −18 °C",
        "l" => word(rng, LITRE_PACKS),
        _ if lower.contains("биг-бэг") => "биг-бэг 1000 кг",
        _ if lower.contains("(паста)") => "ведро 10 кг",
        _ if lower.contains("сироп") || lower.contains("патока") => {
            word(rng, BULK_PACKS)
        }
        _ if liquid => word(rng, LIQUID_PACKS),
        _ if expensive => word(rng, SMALL_PACKS),
        _ => word(rng, POWDER_PACKS),
    }
}

const LITRE_PACKS: &[&str] = &["канистра 5 л", "канистра 10 л", "канистра 20 л"];
const BULK_PACKS: &[&str] = &["бочка 300 кг", "еврокуб 1000 кг"];
const LIQUID_PACKS: &[&str] = &["канистра 5 кг", "канистра 10 кг"];
const SMALL_PACKS: &[&str] = &["коробка 5 кг", "коробка 10 кг", "пакет 1 кг"];
const POWDER_PACKS: &[&str] = &[
    "мешок 25 кг",
    "мешок 20 кг",
    "коробка 10 кг",
    "коробка 5 кг",
];

/// Stock in thousandths of the unit: most products in Podolsk, fewer in Novosibirsk, and a little of
/// some sample-needing products in the office.
fn stock(rng: &mut DemoRng, products: &[DemoProduct]) -> Vec<DemoStock> {
    let mut out = Vec::new();
    for product in products {
        let input = &product.input;
        let pieces = input.unit == "pcs";
        let mut add = |warehouse: &str, quantity: u64| {
            out.push(DemoStock {
                warehouse_key: warehouse.into(),
                product_code: input.code.clone(),
                quantity: i64::try_from(quantity).expect("demo quantities are small"),
            });
        };
        if chance(rng, 75) {
            let units = if pieces {
                between(rng, 10, 600)
            } else {
                between(rng, 2, 320) * 25
            };
            add(PODOLSK, units * 1000);
        }
        if chance(rng, 40) {
            let units = if pieces {
                between(rng, 5, 150)
            } else {
                between(rng, 1, 80) * 25
            };
            add(NOVOSIBIRSK, units * 1000);
        }
        if input.needs_sample && chance(rng, 30) {
            let quantity = if pieces {
                between(rng, 1, 10) * 1000
            } else {
                between(rng, 5, 50) * 100
            };
            add(OFFICE, quantity);
        }
    }
    out
}
