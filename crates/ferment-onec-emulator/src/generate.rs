//! The generated base: the demo's food-ingredients business as a 1C base would hold it, so Ferment's
//! demo and the emulator agree (same ИНН/КПП, same articles, names, units and VAT). About two thirds
//! of the demo's counterparties are in 1C, plus some that exist only in 1C; products carry the demo's
//! article and a 1C code; documents cover the last six months. Everything comes from one ChaCha8
//! stream under the seed, so a seed gives the same base every time (dates are relative to today).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use ferment_demo::{DemoCounterparty, DemoData};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use crate::base::{Base, Row, StockRow};
use crate::schema::{Profile, Schema, Ty};
use crate::value::{Val, pad};

/// How many objects of the large kinds to make; `None` takes the demo's size.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sizes {
    /// Products (the demo has about 400).
    pub products: Option<usize>,
    /// Documents of all kinds together.
    pub documents: Option<usize>,
    /// Stock movements (the demo has one per product and warehouse with stock).
    pub stock_rows: Option<usize>,
}

/// Documents made when no size is given.
pub const DEFAULT_DOCUMENTS: usize = 300;
/// Counterparties that exist only in 1C.
pub const ONLY_IN_ONEC: u64 = 30;

struct Product {
    key: Uuid,
    name: Arc<str>,
    vat: Arc<str>,
    rate: f64,
    price: f64,
    pieces: bool,
}

struct Client {
    counterparty: Uuid,
    partner: Uuid,
    contract: Uuid,
}

struct Gen {
    base: Base,
    rng: ChaCha8Rng,
    symbols: HashMap<String, Arc<str>>,
    today: NaiveDate,
}

impl Gen {
    fn key(&mut self) -> Uuid {
        uuid::Builder::from_random_bytes(self.rng.random()).into_uuid()
    }

    fn sym(&mut self, text: &str) -> Val {
        if let Some(s) = self.symbols.get(text) {
            return Val::Str(s.clone());
        }
        let shared: Arc<str> = Arc::from(text);
        self.symbols.insert(text.to_string(), shared.clone());
        Val::Str(shared)
    }

    /// Adds an object with the named fields; the rest take defaults, blank codes and numbers the
    /// next in sequence.
    fn add(&mut self, set_name: &str, fields: Vec<(&str, Val)>) -> Uuid {
        let key = self.key();
        self.add_with_key(set_name, key, fields)
    }

    fn add_with_key(&mut self, set_name: &str, key: Uuid, fields: Vec<(&str, Val)>) -> Uuid {
        let set = self.base.schema.must(set_name);
        let mut row = self.base.blank(set, key);
        self.fill(set, &mut row, fields);
        for name in ["Code", "Number"] {
            let def = &self.base.schema.sets[set];
            if let Some(i) = def.field(name)
                && let Ty::Fixed(len) = def.fields[i].ty
                && len > 0
                && row[i].text().is_some_and(|t| t.trim().is_empty())
            {
                let code = self.base.next_code(set, len);
                row[i] = Val::str(&pad(&code, len));
            }
        }
        self.base.insert(set, row);
        key
    }

    fn record(&mut self, set_name: &str, fields: Vec<(&str, Val)>) {
        let set = self.base.schema.must(set_name);
        let mut row: Row = self.base.schema.sets[set]
            .fields
            .iter()
            .map(|f| crate::value::default_of(&f.ty))
            .collect();
        self.fill(set, &mut row, fields);
        self.base.records[set].push(row);
    }

    fn fill(&mut self, set: usize, row: &mut Row, fields: Vec<(&str, Val)>) {
        let def = &self.base.schema.sets[set];
        for (name, value) in fields {
            let i = def
                .field(name)
                .unwrap_or_else(|| panic!("{} has no field {name}", def.name));
            row[i] = match (&def.fields[i].ty, value) {
                (Ty::Fixed(len), Val::Str(s)) => Val::str(&pad(&s, *len)),
                (Ty::Str(len), Val::Str(s)) if *len > 0 && s.chars().count() > *len as usize => {
                    Val::str(&s.chars().take(*len as usize).collect::<String>())
                }
                (_, value) => value,
            };
        }
    }

    fn between(&mut self, low: u32, high: u32) -> u32 {
        self.rng.random_range(low..=high)
    }

    fn chance(&mut self, percent: u32) -> bool {
        self.rng.random_range(0..100) < percent
    }

    fn moment(&self, days_ago: i64, seconds: u32) -> NaiveDateTime {
        (self.today - Duration::days(days_ago))
            .and_hms_opt(0, 0, 0)
            .expect("midnight")
            + Duration::seconds(i64::from(seconds))
    }
}

fn text(value: &str) -> Val {
    Val::str(value)
}

fn guid(key: Uuid) -> Val {
    Val::Guid(key)
}

fn vat_name(rate: &str) -> (&'static str, f64) {
    match rate {
        "22" => ("НДС22", 22.0),
        "20" => ("НДС20", 20.0),
        "10" => ("НДС10", 10.0),
        "0" => ("НДС0", 0.0),
        _ => ("БезНДС", 0.0),
    }
}

/// A valid ten-digit ИНН of a legal entity from nine digits.
fn inn10(digits: &str) -> String {
    const WEIGHTS: [u32; 9] = [2, 4, 10, 3, 5, 9, 4, 6, 8];
    let sum: u32 = digits
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    format!("{digits}{}", sum % 11 % 10)
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// Generates the base of a profile from the demo under `seed`.
pub fn generate(profile: Profile, seed: u64, sizes: Sizes) -> Base {
    let demo = ferment_demo::generate(seed);
    let mut maker = Gen {
        base: Base::empty(Schema::of(profile)),
        rng: ChaCha8Rng::seed_from_u64(seed ^ 0x1C_0DA7A),
        symbols: HashMap::new(),
        today: chrono::Local::now().date_naive(),
    };
    let bp = profile == Profile::Bp30;
    let start = maker.moment(183, 0);

    // Common objects.
    let organisation = maker.add(
        "Catalog_Организации",
        vec![
            ("Description", text("ООО «Ферментум»")),
            ("ИНН", text(&inn10("772512345"))),
            ("КПП", text("772501001")),
        ],
    );
    let currency = maker.add(
        "Catalog_Валюты",
        vec![("Code", text("643")), ("Description", text("руб."))],
    );
    let mut warehouses = HashMap::new();
    for (key, name, kind) in [
        (ferment_demo::PODOLSK, "Склад Подольск", "ОптовыйСклад"),
        (
            ferment_demo::NOVOSIBIRSK,
            "Склад Новосибирск",
            "ОптовыйСклад",
        ),
        (
            ferment_demo::OFFICE,
            "Склад образцов (офис)",
            "РозничныйМагазин",
        ),
    ] {
        let kind = maker.sym(kind);
        let id = maker.add(
            "Catalog_Склады",
            vec![("Description", text(name)), ("ТипСклада", kind)],
        );
        warehouses.insert(key, id);
    }
    let mut kinds = HashMap::new();
    for (name, description, kind) in [
        ("ЮрАдресКонтрагента", "Юридический адрес", "Адрес"),
        ("ФактАдресКонтрагента", "Фактический адрес", "Адрес"),
        ("ТелефонКонтрагента", "Телефон", "Телефон"),
        ("EmailКонтрагента", "Email", "АдресЭлектроннойПочты"),
    ] {
        let id = maker.add(
            "Catalog_ВидыКонтактнойИнформации",
            vec![
                ("Description", text(description)),
                ("Тип", text(kind)),
                ("Predefined", Val::Bool(true)),
                ("PredefinedDataName", text(name)),
            ],
        );
        kinds.insert(name, id);
    }

    // Units, product folders, products and prices.
    let unit_set = if bp {
        "Catalog_КлассификаторЕдиницИзмерения"
    } else {
        "Catalog_УпаковкиЕдиницыИзмерения"
    };
    let mut units = HashMap::new();
    for (unit, code, short, full) in [
        ("kg", "166", "кг", "Килограмм"),
        ("l", "112", "л", "Литр"),
        ("pcs", "796", "шт", "Штука"),
    ] {
        let mut fields = vec![
            ("Description", text(short)),
            ("НаименованиеПолное", text(full)),
        ];
        if bp {
            fields.push(("Code", text(code)));
        }
        units.insert(unit, maker.add(unit_set, fields));
    }
    let product_count = sizes.products.unwrap_or(demo.products.len());
    let mut groups = HashMap::new();
    for group in &demo.product_groups {
        let parent = group
            .parent_key
            .as_ref()
            .and_then(|p| groups.get(p.as_str()))
            .copied()
            .unwrap_or_default();
        let code = format!("00-{:08}", product_count + groups.len() + 1);
        let id = maker.add(
            "Catalog_Номенклатура",
            vec![
                ("Parent_Key", guid(parent)),
                ("IsFolder", Val::Bool(true)),
                ("Code", text(&code)),
                ("Description", text(&group.name)),
            ],
        );
        groups.insert(group.key.as_str(), id);
    }
    let products = add_products(&mut maker, &demo, product_count, &groups, &units, bp);
    add_prices(&mut maker, &products, currency, start, bp);

    // Counterparties with their banks, accounts, contracts (and ut11 partners and agreements).
    let mut clients = Vec::new();
    let only_in_onec: Vec<DemoCounterparty> = (0..ONLY_IN_ONEC)
        .map(|i| ferment_demo::counterparty(seed, ferment_demo::DEMO_COUNTERPARTIES + i, &[]))
        .collect();
    let in_both = demo
        .counterparties
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 3 != 2)
        .map(|(_, c)| c);
    let mut banks = HashMap::new();
    let price_kind = if bp {
        Uuid::nil()
    } else {
        maker.base.objects[maker.base.schema.must("Catalog_ВидыЦен")]
            .keys()
            .next()
            .copied()
            .unwrap_or_default()
    };
    for (n, counterparty) in in_both.chain(only_in_onec.iter()).enumerate() {
        let marked = n % 37 == 36;
        clients.push(add_counterparty(
            &mut maker,
            counterparty,
            marked,
            organisation,
            &kinds,
            &mut banks,
            price_kind,
            bp,
        ));
    }

    // Stock.
    add_stock(
        &mut maker,
        &demo,
        &products,
        &warehouses,
        sizes.stock_rows,
        start,
        bp,
    );

    // Documents.
    let documents = sizes.documents.unwrap_or(DEFAULT_DOCUMENTS);
    let context = Documents {
        organisation,
        currency,
        warehouses: [ferment_demo::PODOLSK, ferment_demo::NOVOSIBIRSK]
            .iter()
            .map(|k| warehouses[k])
            .collect(),
        products: &products,
        clients: &clients,
    };
    if bp {
        bp30_documents(&mut maker, &context, documents);
    } else {
        ut11_documents(&mut maker, &context, documents);
    }
    maker.base.recount();
    maker.base
}

fn add_products(
    maker: &mut Gen,
    demo: &DemoData,
    count: usize,
    groups: &HashMap<&str, Uuid>,
    units: &HashMap<&str, Uuid>,
    bp: bool,
) -> Vec<Product> {
    let mut products = Vec::with_capacity(count);
    let names: Vec<Arc<str>> = demo
        .products
        .iter()
        .map(|p| Arc::from(p.input.name.as_str()))
        .collect();
    let comments: Vec<Arc<str>> = demo
        .products
        .iter()
        .map(|p| Arc::from(p.input.description.as_str()))
        .collect();
    for i in 0..count {
        let source = i % demo.products.len();
        let round = i / demo.products.len();
        let demo_product = &demo.products[source];
        let input = &demo_product.input;
        let (name, article) = if round == 0 {
            (names[source].clone(), input.article.clone())
        } else {
            (
                Arc::from(format!("{} (партия {})", input.name, round + 1).as_str()),
                format!("{}-{round}", input.article),
            )
        };
        let (vat, rate) = vat_name(&input.vat_rate);
        let vat = match maker.sym(vat) {
            Val::Str(s) => s,
            _ => unreachable!("symbols are strings"),
        };
        let price: f64 = input.price.parse().unwrap_or(100.0);
        let mut fields = vec![
            (
                "Parent_Key",
                guid(
                    groups
                        .get(demo_product.group_key.as_str())
                        .copied()
                        .unwrap_or_default(),
                ),
            ),
            ("Code", text(&format!("00-{:08}", i + 1))),
            ("Description", Val::Str(name.clone())),
            ("Артикул", text(&article)),
            ("НаименованиеПолное", Val::Str(name.clone())),
            (
                "ЕдиницаИзмерения_Key",
                guid(units.get(input.unit.as_str()).copied().unwrap_or_default()),
            ),
            ("СтавкаНДС", Val::Str(vat.clone())),
            ("Комментарий", Val::Str(comments[source].clone())),
            ("DeletionMark", Val::Bool(round > 0 && i % 97 == 0)),
        ];
        if bp {
            fields.push(("Услуга", Val::Bool(false)));
        }
        let key = maker.add("Catalog_Номенклатура", fields);
        products.push(Product {
            key,
            name,
            vat,
            rate,
            price,
            pieces: input.unit == "pcs",
        });
    }
    products
}

fn add_prices(
    maker: &mut Gen,
    products: &[Product],
    currency: Uuid,
    start: NaiveDateTime,
    bp: bool,
) {
    let (kind_set, kind_name) = if bp {
        ("Catalog_ТипыЦенНоменклатуры", "Основная цена продажи")
    } else {
        ("Catalog_ВидыЦен", "Оптовая")
    };
    let kind = maker.add(
        kind_set,
        vec![
            ("Description", text(kind_name)),
            ("ЦенаВключаетНДС", Val::Bool(true)),
        ],
    );
    let later = maker.moment(60, 0);
    for product in products {
        let spread = f64::from(maker.between(0, 60)) / 1000.0 - 0.03;
        let price = round2(product.price * (1.0 + spread));
        let raise = maker.chance(10);
        for (period, value) in [(start, price), (later, round2(price * 1.05))]
            .into_iter()
            .take(if raise { 2 } else { 1 })
        {
            let mut fields = vec![
                ("Period", Val::Date(period)),
                ("Номенклатура_Key", guid(product.key)),
                ("Цена", Val::Num(value)),
            ];
            if bp {
                fields.extend([("ТипЦен_Key", guid(kind)), ("Валюта_Key", guid(currency))]);
            } else {
                fields.push(("ВидЦены_Key", guid(kind)));
            }
            maker.record("InformationRegister_ЦеныНоменклатуры", fields);
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn add_counterparty(
    maker: &mut Gen,
    counterparty: &DemoCounterparty,
    marked: bool,
    organisation: Uuid,
    kinds: &HashMap<&str, Uuid>,
    banks: &mut HashMap<String, Uuid>,
    price_kind: Uuid,
    bp: bool,
) -> Client {
    let input = &counterparty.input;
    let sole = input.kind == "sole_proprietor";
    let address = maker.sym("Адрес");
    let mut contacts = Vec::new();
    for (kind, kind_name, value) in [
        (address.clone(), "ЮрАдресКонтрагента", &input.legal_address),
        (address, "ФактАдресКонтрагента", &input.actual_address),
        (maker.sym("Телефон"), "ТелефонКонтрагента", &input.phone),
        (
            maker.sym("АдресЭлектроннойПочты"),
            "EmailКонтрагента",
            &input.email,
        ),
    ] {
        if !value.is_empty() {
            contacts.push(vec![kind, guid(kinds[kind_name]), text(value)]);
        }
    }
    let key = maker.key();
    let contract = maker.key();
    let days = maker.between(200, 900);
    let since = maker.moment(i64::from(days), 0);
    let (bank_set, account_set) = if bp {
        ("Catalog_Банки", "Catalog_БанковскиеСчета")
    } else {
        (
            "Catalog_КлассификаторБанков",
            "Catalog_БанковскиеСчетаКонтрагентов",
        )
    };
    let mut main_account = Uuid::nil();
    for account in &input.bank_accounts {
        let bank = match banks.get(&account.bik) {
            Some(bank) => *bank,
            None => {
                let bank = maker.add(
                    bank_set,
                    vec![
                        ("Code", text(&account.bik)),
                        ("Description", text(&account.bank_name)),
                        ("КоррСчет", text(&account.correspondent_account)),
                    ],
                );
                banks.insert(account.bik.clone(), bank);
                bank
            }
        };
        let mut fields = vec![
            (
                "Description",
                text(&format!("{}, {}", account.account, account.bank_name)),
            ),
            ("НомерСчета", text(&account.account)),
            ("Банк_Key", guid(bank)),
        ];
        if bp {
            fields.push(("Owner", guid(key)));
            fields.push(("Owner_Type", maker.sym("StandardODATA.Catalog_Контрагенты")));
        } else {
            fields.push(("Owner_Key", guid(key)));
        }
        let id = maker.add(account_set, fields);
        if main_account.is_nil() {
            main_account = id;
        }
    }
    let number = format!("Д-{}", maker.between(100, 9999));
    let mut partner = Uuid::nil();
    if bp {
        let legal = maker.sym(if sole {
            "ФизическоеЛицо"
        } else {
            "ЮридическоеЛицо"
        });
        maker.add_with_key(
            "Catalog_Контрагенты",
            key,
            vec![
                ("DeletionMark", Val::Bool(marked)),
                ("Description", text(&input.name)),
                ("НаименованиеПолное", text(&input.full_name)),
                ("ЮридическоеФизическоеЛицо", legal),
                ("ИНН", text(&input.inn)),
                ("КПП", text(&input.kpp)),
                ("РегистрационныйНомер", text(&input.ogrn)),
                ("ОсновнойБанковскийСчет_Key", guid(main_account)),
                ("ОсновнойДоговорКонтрагента_Key", guid(contract)),
                ("КонтактнаяИнформация", Val::Rows(contacts)),
            ],
        );
        let kind = maker.sym("СПокупателем");
        maker.add_with_key(
            "Catalog_ДоговорыКонтрагентов",
            contract,
            vec![
                ("Owner_Key", guid(key)),
                ("Description", text(&format!("Договор поставки № {number}"))),
                ("Номер", text(&number)),
                ("Дата", Val::Date(since)),
                ("ВидДоговора", kind),
                ("Организация_Key", guid(organisation)),
            ],
        );
    } else {
        partner = maker.add(
            "Catalog_Партнеры",
            vec![
                ("DeletionMark", Val::Bool(marked)),
                ("Description", text(&input.name)),
                ("НаименованиеПолное", text(&input.full_name)),
                ("Клиент", Val::Bool(true)),
            ],
        );
        let legal = maker.sym(if sole {
            "ИндивидуальныйПредприниматель"
        } else {
            "ЮрЛицо"
        });
        maker.add_with_key(
            "Catalog_Контрагенты",
            key,
            vec![
                ("DeletionMark", Val::Bool(marked)),
                ("Description", text(&input.name)),
                ("НаименованиеПолное", text(&input.full_name)),
                ("Партнер_Key", guid(partner)),
                ("ЮрФизЛицо", legal),
                ("ИНН", text(&input.inn)),
                ("КПП", text(&input.kpp)),
                ("РегистрационныйНомер", text(&input.ogrn)),
                ("КонтактнаяИнформация", Val::Rows(contacts)),
            ],
        );
        maker.add(
            "Catalog_СоглашенияСКлиентами",
            vec![
                ("Description", text("Основное соглашение")),
                ("Номер", text(&number)),
                ("Дата", Val::Date(since)),
                ("Партнер_Key", guid(partner)),
                ("Контрагент_Key", guid(key)),
                ("ВидЦен_Key", guid(price_kind)),
            ],
        );
        let operation = maker.sym("РеализацияКлиенту");
        maker.add_with_key(
            "Catalog_ДоговорыКонтрагентов",
            contract,
            vec![
                ("Description", text(&format!("Договор поставки № {number}"))),
                ("Номер", text(&number)),
                ("Дата", Val::Date(since)),
                ("Партнер_Key", guid(partner)),
                ("Контрагент_Key", guid(key)),
                ("Организация_Key", guid(organisation)),
                ("ХозяйственнаяОперация", operation),
            ],
        );
    }
    Client {
        counterparty: key,
        partner,
        contract,
    }
}

fn add_stock(
    maker: &mut Gen,
    demo: &DemoData,
    products: &[Product],
    warehouses: &HashMap<&str, Uuid>,
    target: Option<usize>,
    start: NaiveDateTime,
    bp: bool,
) {
    let order = [
        ferment_demo::PODOLSK,
        ferment_demo::NOVOSIBIRSK,
        ferment_demo::OFFICE,
    ];
    maker.base.stock.products = products.iter().map(|p| p.key).collect();
    maker.base.stock.warehouses = order.iter().map(|k| warehouses[k]).collect();
    if bp {
        maker.base.stock.account = maker.add(
            "ChartOfAccounts_Хозрасчетный",
            vec![
                ("Code", text("41.01")),
                ("Description", text("Товары на складах")),
                ("Predefined", Val::Bool(true)),
                ("PredefinedDataName", text("ТоварыНаСкладах")),
            ],
        );
        for (code, name, predefined) in [
            (
                "62.01",
                "Расчеты с покупателями и заказчиками",
                "РасчетыСПокупателями",
            ),
            ("90.01", "Выручка", "Выручка"),
        ] {
            maker.add(
                "ChartOfAccounts_Хозрасчетный",
                vec![
                    ("Code", text(code)),
                    ("Description", text(name)),
                    ("Predefined", Val::Bool(true)),
                    ("PredefinedDataName", text(predefined)),
                ],
            );
        }
    }
    let by_code: HashMap<&str, usize> = demo
        .products
        .iter()
        .enumerate()
        .map(|(i, p)| (p.input.code.as_str(), i))
        .collect();
    let target = target.unwrap_or(demo.stock.len());
    let mut rows = Vec::with_capacity(target);
    for stock in &demo.stock {
        let (Some(&product), Some(warehouse)) = (
            by_code.get(stock.product_code.as_str()),
            order.iter().position(|k| *k == stock.warehouse_key),
        ) else {
            continue;
        };
        if product >= products.len() || rows.len() >= target {
            continue;
        }
        let quantity = stock.quantity as f64 / 1000.0;
        let reserve = if maker.chance(20) {
            (quantity * 0.2).floor()
        } else {
            0.0
        };
        rows.push(StockRow {
            period: start,
            product: product as u32,
            warehouse: warehouse as u16,
            quantity,
            amount: round2(quantity * products[product].price * 0.7),
            reserve,
        });
    }
    while rows.len() < target {
        let product = maker.rng.random_range(0..products.len());
        let warehouse = if maker.chance(70) { 0 } else { 1 };
        let quantity = if products[product].pieces {
            f64::from(maker.between(5, 200))
        } else {
            f64::from(maker.between(1, 80) * 25)
        };
        let days = maker.between(1, 180);
        let seconds = maker.between(28_800, 64_800);
        let period = maker.moment(i64::from(days), seconds);
        rows.push(StockRow {
            period,
            product: product as u32,
            warehouse,
            quantity,
            amount: round2(quantity * products[product].price * 0.7),
            reserve: 0.0,
        });
    }
    maker.base.stock.rows = rows;
}

struct Documents<'a> {
    organisation: Uuid,
    currency: Uuid,
    warehouses: Vec<Uuid>,
    products: &'a [Product],
    clients: &'a [Client],
}

struct Line {
    product: usize,
    quantity: f64,
    price: f64,
    sum: f64,
    vat: f64,
}

fn lines(maker: &mut Gen, products: &[Product]) -> (Vec<Line>, f64) {
    let count = maker.between(1, 4);
    let mut out = Vec::new();
    let mut total = 0.0;
    for _ in 0..count {
        let product = maker.rng.random_range(0..products.len());
        let p = &products[product];
        let quantity = if p.pieces {
            f64::from(maker.between(1, 20))
        } else {
            f64::from(maker.between(1, 40) * 5)
        };
        let sum = round2(quantity * p.price);
        let vat = round2(sum * p.rate / (100.0 + p.rate));
        total += sum;
        out.push(Line {
            product,
            quantity,
            price: p.price,
            sum,
            vat,
        });
    }
    (out, round2(total))
}

/// A document's date: spread evenly over the last six months, in working hours.
fn document_date(maker: &mut Gen, index: usize, count: usize) -> NaiveDateTime {
    let days_ago = 182 - (index * 182 / count.max(1)) as i64;
    let seconds = maker.between(32_400, 64_800);
    maker.moment(days_ago, seconds)
}

fn bp30_documents(maker: &mut Gen, context: &Documents<'_>, count: usize) {
    let product_type = maker.sym("StandardODATA.Catalog_Номенклатура");
    let invoice_type = maker.sym("StandardODATA.Document_СчетНаОплатуПокупателю");
    let mut made = 0;
    while made < count {
        let date = document_date(maker, made, count);
        let client = &context.clients[maker.rng.random_range(0..context.clients.len())];
        let (lines, total) = lines(maker, context.products);
        let marked = made % 53 == 52;
        let rows = |content: bool, maker: &mut Gen| -> Vec<Vec<Val>> {
            lines
                .iter()
                .map(|l| {
                    let p = &context.products[l.product];
                    let mut row = vec![guid(p.key), product_type.clone()];
                    if content {
                        row.push(Val::Str(p.name.clone()));
                    }
                    row.extend([
                        Val::Num(l.quantity),
                        Val::Num(l.price),
                        Val::Num(l.sum),
                        Val::Str(p.vat.clone()),
                        Val::Num(l.vat),
                    ]);
                    let _ = maker;
                    row
                })
                .collect()
        };
        let invoice_rows = rows(true, maker);
        let invoice = maker.add(
            "Document_СчетНаОплатуПокупателю",
            vec![
                ("Date", Val::Date(date)),
                ("Posted", Val::Bool(!marked)),
                ("DeletionMark", Val::Bool(marked)),
                ("Организация_Key", guid(context.organisation)),
                ("Контрагент_Key", guid(client.counterparty)),
                ("ДоговорКонтрагента_Key", guid(client.contract)),
                ("СуммаДокумента", Val::Num(total)),
                ("ВалютаДокумента_Key", guid(context.currency)),
                ("СуммаВключаетНДС", Val::Bool(true)),
                ("Товары", Val::Rows(invoice_rows)),
            ],
        );
        made += 1;
        let status = match maker.between(0, 9) {
            0..=4 => "Оплачен",
            5..=6 => "ОплаченЧастично",
            _ => "НеОплачен",
        };
        let status_value = maker.sym(status);
        maker.record(
            "InformationRegister_СтатусыДокументов",
            vec![
                ("Документ", guid(invoice)),
                ("Документ_Type", invoice_type.clone()),
                ("Организация_Key", guid(context.organisation)),
                ("Статус", status_value),
            ],
        );
        if made < count && status != "НеОплачен" && !marked && maker.chance(80) {
            let shipped = (date + Duration::days(i64::from(maker.between(1, 5))))
                .min(maker.moment(0, 36_000));
            let warehouse = context.warehouses[usize::from(maker.chance(25))];
            let shipment_rows = rows(false, maker);
            maker.add(
                "Document_РеализацияТоваровУслуг",
                vec![
                    ("Date", Val::Date(shipped)),
                    ("Posted", Val::Bool(true)),
                    ("Организация_Key", guid(context.organisation)),
                    ("Контрагент_Key", guid(client.counterparty)),
                    ("ДоговорКонтрагента_Key", guid(client.contract)),
                    ("Склад_Key", guid(warehouse)),
                    ("СуммаДокумента", Val::Num(total)),
                    ("ВалютаДокумента_Key", guid(context.currency)),
                    ("Сделка", guid(invoice)),
                    ("Сделка_Type", invoice_type.clone()),
                    ("Товары", Val::Rows(shipment_rows)),
                ],
            );
            made += 1;
        }
    }
}

fn ut11_documents(maker: &mut Gen, context: &Documents<'_>, count: usize) {
    let order_type = maker.sym("StandardODATA.Document_ЗаказКлиента");
    let mut made = 0;
    while made < count {
        let date = document_date(maker, made, count);
        let client = &context.clients[maker.rng.random_range(0..context.clients.len())];
        let (lines, total) = lines(maker, context.products);
        let marked = made % 53 == 52;
        let warehouse = context.warehouses[usize::from(maker.chance(25))];
        let rows = |with_total: bool| -> Vec<Vec<Val>> {
            lines
                .iter()
                .map(|l| {
                    let p = &context.products[l.product];
                    let mut row = vec![
                        guid(p.key),
                        guid(Uuid::nil()),
                        Val::Num(l.quantity),
                        Val::Num(l.price),
                        Val::Num(l.sum),
                        Val::Str(p.vat.clone()),
                        Val::Num(l.vat),
                    ];
                    if with_total {
                        row.push(Val::Num(l.sum));
                    }
                    row
                })
                .collect()
        };
        let paid = !marked && maker.chance(60);
        let shipped = !marked && maker.chance(50);
        let status = maker.sym(match (marked, shipped) {
            (true, _) => "НеСогласован",
            (false, true) => "Закрыт",
            (false, false) => "КОтгрузке",
        });
        let order = maker.add(
            "Document_ЗаказКлиента",
            vec![
                ("Date", Val::Date(date)),
                ("Posted", Val::Bool(!marked)),
                ("DeletionMark", Val::Bool(marked)),
                ("Организация_Key", guid(context.organisation)),
                ("Партнер_Key", guid(client.partner)),
                ("Контрагент_Key", guid(client.counterparty)),
                ("Договор_Key", guid(client.contract)),
                ("Склад_Key", guid(warehouse)),
                ("Валюта_Key", guid(context.currency)),
                ("СуммаДокумента", Val::Num(total)),
                ("ЦенаВключаетНДС", Val::Bool(true)),
                ("Статус", status),
                ("Товары", Val::Rows(rows(true))),
            ],
        );
        made += 1;
        let later = |maker: &mut Gen, days: u32| {
            (date + Duration::days(i64::from(maker.between(0, days)))).min(maker.moment(0, 36_000))
        };
        if made < count && !marked && maker.chance(80) {
            let when = later(maker, 1);
            maker.add(
                "Document_СчетНаОплатуКлиенту",
                vec![
                    ("Date", Val::Date(when)),
                    ("Posted", Val::Bool(true)),
                    ("Организация_Key", guid(context.organisation)),
                    ("Партнер_Key", guid(client.partner)),
                    ("Контрагент_Key", guid(client.counterparty)),
                    ("Договор_Key", guid(client.contract)),
                    ("ДокументОснование", guid(order)),
                    ("ДокументОснование_Type", order_type.clone()),
                    ("СуммаДокумента", Val::Num(total)),
                    ("Валюта_Key", guid(context.currency)),
                ],
            );
            made += 1;
        }
        if made < count && paid {
            let when = later(maker, 10);
            let amount = if maker.chance(75) {
                total
            } else {
                round2(total / 2.0)
            };
            let operation = maker.sym("ПоступлениеОплатыОтКлиента");
            maker.add(
                "Document_ПоступлениеБезналичныхДенежныхСредств",
                vec![
                    ("Date", Val::Date(when)),
                    ("Posted", Val::Bool(true)),
                    ("Организация_Key", guid(context.organisation)),
                    ("Контрагент_Key", guid(client.counterparty)),
                    ("ХозяйственнаяОперация", operation),
                    ("СуммаДокумента", Val::Num(amount)),
                    (
                        "РасшифровкаПлатежа",
                        Val::Rows(vec![vec![
                            guid(client.partner),
                            guid(order),
                            order_type.clone(),
                            Val::Num(amount),
                        ]]),
                    ),
                ],
            );
            made += 1;
        }
        if made < count && shipped {
            let when = later(maker, 7);
            maker.add(
                "Document_РеализацияТоваровУслуг",
                vec![
                    ("Date", Val::Date(when)),
                    ("Posted", Val::Bool(true)),
                    ("Организация_Key", guid(context.organisation)),
                    ("Партнер_Key", guid(client.partner)),
                    ("Контрагент_Key", guid(client.counterparty)),
                    ("Договор_Key", guid(client.contract)),
                    ("Склад_Key", guid(warehouse)),
                    ("ЗаказКлиента", guid(order)),
                    ("ЗаказКлиента_Type", order_type.clone()),
                    ("СуммаДокумента", Val::Num(total)),
                    ("Валюта_Key", guid(context.currency)),
                    ("Товары", Val::Rows(rows(false))),
                ],
            );
            made += 1;
        }
    }
}
