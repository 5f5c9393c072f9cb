//! The emulator as 1C's built-in «Обмен с сайтом» (CommerceML 2): it writes its base as
//! `import.xml` (classifier: groups and warehouses; catalog: products) and `offers.xml` (the price
//! type, prices, stock per warehouse) and drives a site's `/exchange/1c` with them, then takes the
//! site's orders (`type=sale&mode=query`) and confirms them (`success`), as 1C does.
//!
//! Prices and stock are read the way any client reads them: through the emulator's own OData
//! (`SliceLast`, `Balance`).

use std::collections::HashMap;

use anyhow::Context as _;
use chrono::Utc;
use ferment_commerceml::client::{ClientOptions, ExchangeReport, run_exchange};
use ferment_commerceml::model::{
    CatalogInfo, ClassifierInfo, DocumentInfo, Group, Offer, OffersInfo, Price, PriceType, Product,
    RateValue, Requisite, Stock, TaxRate, Unit, Warehouse,
};
use ferment_commerceml::{Document, ItemId, SchemaVersion};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::{Handle, Profile};

/// What the exchange is pointed at.
#[derive(Debug, Clone)]
pub struct SiteExchange {
    /// The site's exchange URL (`http://host/exchange/1c`).
    pub url: String,
    /// Login on the site.
    pub login: String,
    /// Password on the site.
    pub password: String,
    /// Send the files as one zip archive when the site accepts it.
    pub zip: bool,
}

fn text(value: &Value, field: &str) -> String {
    value[field].as_str().unwrap_or("").trim().to_string()
}

fn decimal(value: &Value) -> Decimal {
    match value {
        Value::Number(n) => n.to_string().parse().unwrap_or_default(),
        Value::String(s) => s.trim().parse().unwrap_or_default(),
        _ => Decimal::ZERO,
    }
}

async fn odata(
    handle: &Handle,
    login: &str,
    password: &str,
    segment: &str,
    query: &str,
) -> anyhow::Result<Vec<Value>> {
    let url = format!("{}{segment}?$format=json{query}", handle.url());
    let body: Value = reqwest::Client::new()
        .get(&url)
        .basic_auth(login, Some(password))
        .send()
        .await
        .with_context(|| format!("reading {segment}"))?
        .json()
        .await
        .with_context(|| format!("reading {segment}"))?;
    Ok(body["value"].as_array().cloned().unwrap_or_default())
}

/// The base as the two CommerceML files 1C would send.
pub async fn documents(
    handle: &Handle,
    profile: Profile,
    login: &str,
    password: &str,
) -> anyhow::Result<(Document, Document)> {
    let now = Utc::now().naive_utc();
    let info = DocumentInfo {
        version: SchemaVersion::v2_08(),
        generated_at: Some(now),
    };
    let catalog_id = "ferment-onec-emulator-catalog".to_string();
    let units_set = match profile {
        Profile::Bp30 => "Catalog_КлассификаторЕдиницИзмерения",
        Profile::Ut11 => "Catalog_УпаковкиЕдиницыИзмерения",
    };
    let units: HashMap<String, Value> = handle
        .list(units_set)
        .into_iter()
        .map(|u| (text(&u, "Ref_Key"), u))
        .collect();
    let items = handle.list("Catalog_Номенклатура");
    let groups: Vec<Group> = {
        // Parents first: folders sorted by depth.
        let folders: Vec<&Value> = items.iter().filter(|i| i["IsFolder"] == true).collect();
        let parent_of: HashMap<String, String> = folders
            .iter()
            .map(|f| (text(f, "Ref_Key"), text(f, "Parent_Key")))
            .collect();
        let depth = |key: &str| {
            let mut depth = 0;
            let mut current = key.to_string();
            while let Some(parent) = parent_of
                .get(&current)
                .filter(|p| parent_of.contains_key(*p))
            {
                depth += 1;
                current = parent.clone();
                if depth > 64 {
                    break;
                }
            }
            depth
        };
        let mut sorted = folders.clone();
        sorted.sort_by_key(|f| depth(&text(f, "Ref_Key")));
        sorted
            .iter()
            .map(|f| Group {
                id: text(f, "Ref_Key"),
                name: text(f, "Description"),
                parent_id: Some(text(f, "Parent_Key")).filter(|p| parent_of.contains_key(p)),
            })
            .collect()
    };
    let products: Vec<Product> = items
        .iter()
        .filter(|i| i["IsFolder"] != true)
        .map(|i| {
            let unit = units.get(&text(i, "ЕдиницаИзмерения_Key"));
            let rate = text(i, "СтавкаНДС");
            Product {
                id: ItemId::new(text(i, "Ref_Key")),
                article: Some(text(i, "Артикул")).filter(|a| !a.is_empty()),
                name: text(i, "Description"),
                base_unit: unit.map(|u| Unit {
                    code: Some(text(u, "Code")),
                    full_name: Some(text(u, "НаименованиеПолное")),
                    international: None,
                    name: text(u, "Description"),
                }),
                group_ids: Some(text(i, "Parent_Key"))
                    .filter(|p| !p.is_empty() && p != "00000000-0000-0000-0000-000000000000")
                    .into_iter()
                    .collect(),
                description: Some(text(i, "Комментарий")).filter(|d| !d.is_empty()),
                tax_rates: vec![TaxRate {
                    name: "НДС".into(),
                    rate: match rate.strip_prefix("НДС") {
                        Some(percent) => RateValue::parse(percent),
                        None => RateValue::Exempt,
                    },
                }],
                requisites: vec![
                    Requisite {
                        name: "Код".into(),
                        value: text(i, "Code"),
                    },
                    Requisite {
                        name: "Полное наименование".into(),
                        value: text(i, "НаименованиеПолное"),
                    },
                ],
                deleted: i["DeletionMark"] == true,
                ..Product::default()
            }
        })
        .collect();
    let warehouses: Vec<Warehouse> = handle
        .list("Catalog_Склады")
        .iter()
        .filter(|w| w["IsFolder"] != true)
        .map(|w| Warehouse {
            id: text(w, "Ref_Key"),
            name: text(w, "Description"),
        })
        .collect();
    let import = Document {
        info: info.clone(),
        classifier: Some(ClassifierInfo {
            id: catalog_id.clone(),
            name: "Классификатор (Основной каталог товаров)".into(),
        }),
        groups,
        catalog: Some(CatalogInfo {
            id: catalog_id.clone(),
            classifier_id: Some(catalog_id.clone()),
            name: "Основной каталог товаров".into(),
            changes_only: false,
        }),
        products,
        warehouses: warehouses.clone(),
        ..Document::default()
    };

    let (types_set, type_field, price_name) = match profile {
        Profile::Bp30 => (
            "Catalog_ТипыЦенНоменклатуры",
            "ТипЦен_Key",
            "Основная цена продажи",
        ),
        Profile::Ut11 => ("Catalog_ВидыЦен", "ВидЦены_Key", "Оптовая"),
    };
    let price_type = handle
        .list(types_set)
        .into_iter()
        .find(|t| text(t, "Description") == price_name)
        .map(|t| text(&t, "Ref_Key"))
        .unwrap_or_default();
    let mut prices: HashMap<String, Decimal> = HashMap::new();
    for row in odata(
        handle,
        login,
        password,
        "InformationRegister_ЦеныНоменклатуры/SliceLast()",
        "",
    )
    .await?
    {
        if text(&row, type_field) == price_type {
            prices.insert(text(&row, "Номенклатура_Key"), decimal(&row["Цена"]));
        }
    }
    let mut stock: HashMap<String, Vec<Stock>> = HashMap::new();
    let rows = match profile {
        Profile::Ut11 => odata(
            handle,
            login,
            password,
            "AccumulationRegister_ТоварыНаСкладах/Balance(Dimensions='Номенклатура,Склад')",
            "",
        )
        .await?
        .into_iter()
        .map(|r| {
            (
                text(&r, "Номенклатура_Key"),
                text(&r, "Склад_Key"),
                decimal(&r["ВНаличииBalance"]),
            )
        })
        .collect::<Vec<_>>(),
        Profile::Bp30 => odata(
            handle,
            login,
            password,
            "AccountingRegister_Хозрасчетный/Balance()",
            "",
        )
        .await?
        .into_iter()
        .map(|r| {
            (
                text(&r, "ExtDimension1"),
                text(&r, "ExtDimension2"),
                decimal(&r["КоличествоBalanceDr"]),
            )
        })
        .collect(),
    };
    for (product, warehouse, quantity) in rows {
        stock.entry(product).or_default().push(Stock {
            warehouse_id: warehouse,
            quantity,
        });
    }
    let offers: Vec<Offer> = import
        .products
        .iter()
        .filter(|p| !p.deleted)
        .map(|p| {
            let stocks = stock.remove(p.id.as_str()).unwrap_or_default();
            Offer {
                id: p.id.clone(),
                article: p.article.clone(),
                name: Some(p.name.clone()),
                base_unit: p.base_unit.clone(),
                prices: prices
                    .get(p.id.as_str())
                    .map(|price| Price {
                        price_type_id: price_type.clone(),
                        per_unit: *price,
                        currency: Some("RUB".into()),
                        unit: p.base_unit.as_ref().map(|u| u.name.clone()),
                        coefficient: Some(Decimal::ONE),
                    })
                    .into_iter()
                    .collect(),
                quantity: Some(stocks.iter().map(|s| s.quantity).sum()),
                stocks,
                deleted: false,
            }
        })
        .collect();
    let offers_document = Document {
        info,
        offers_info: Some(OffersInfo {
            id: format!("{catalog_id}#"),
            name: "Пакет предложений (Основной каталог товаров)".into(),
            catalog_id: Some(catalog_id.clone()),
            classifier_id: Some(catalog_id),
            changes_only: false,
        }),
        price_types: vec![PriceType {
            id: price_type,
            name: price_name.into(),
            currency: Some("RUB".into()),
            tax: None,
        }],
        warehouses,
        offers,
        ..Document::default()
    };
    Ok((import, offers_document))
}

/// Sends the base to the site and trades orders, as 1C's exchange does.
pub async fn exchange(
    handle: &Handle,
    profile: Profile,
    login: &str,
    password: &str,
    site: &SiteExchange,
) -> anyhow::Result<ExchangeReport> {
    let (import, offers) = documents(handle, profile, login, password).await?;
    let files = vec![
        (
            "import.xml".to_string(),
            ferment_commerceml::write::document_to_vec(&import),
        ),
        (
            "offers.xml".to_string(),
            ferment_commerceml::write::document_to_vec(&offers),
        ),
    ];
    let options = ClientOptions {
        zip: site.zip,
        ..ClientOptions::default()
    };
    run_exchange(&site.url, &site.login, &site.password, files, &options)
        .await
        .map_err(|e| anyhow::anyhow!("the exchange with {}: {e}", site.url))
}
