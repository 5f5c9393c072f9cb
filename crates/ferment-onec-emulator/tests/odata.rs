//! The emulator over a real socket with a real HTTP client, compared with the hand-written fixtures
//! of what 1C answers (tests/fixtures).

use std::collections::HashMap;
use std::time::Duration;

use ferment_onec_emulator::{Config, Failure, Handle, Profile, Sizes, start};
use reqwest::StatusCode;
use serde_json::{Value, json};

const EMPTY_REF: &str = "00000000-0000-0000-0000-000000000000";

async fn emulator(profile: Profile) -> Handle {
    emulator_with(Config::new(profile)).await
}

async fn emulator_with(config: Config) -> Handle {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    start(config, listener).await.unwrap()
}

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

async fn get(handle: &Handle, path: &str) -> (StatusCode, String) {
    let response = client()
        .get(format!("{}{path}", handle.url()))
        .basic_auth("odata", Some("odata"))
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

async fn get_json(handle: &Handle, path: &str) -> Value {
    let (status, body) = get(handle, path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// The kind of a JSON value as 1C's formats tell them apart.
fn kind(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(_) => "bool".into(),
        Value::Number(_) => "number".into(),
        Value::Array(_) => "array".into(),
        Value::Object(_) => "object".into(),
        Value::String(s) if uuid::Uuid::parse_str(s).is_ok() && s.len() == 36 => "guid".into(),
        Value::String(s)
            if chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").is_ok() =>
        {
            "date".into()
        }
        Value::String(s) if s.parse::<i64>().is_ok() => "integer string".into(),
        Value::String(s) if s.ends_with("@Element") || s.contains("$metadata#") => {
            "metadata".into()
        }
        Value::String(s) if s.contains("(guid'") => "link".into(),
        Value::String(s) if s.starts_with("StandardODATA.") => "type".into(),
        Value::String(_) => "string".into(),
    }
}

/// Every key of the fixture object is in the actual one with the same kind of value.
fn assert_same_shape(fixture: &Value, actual: &Value, path: &str) {
    let (Value::Object(expected), Value::Object(actual)) = (fixture, actual) else {
        panic!("{path}: objects expected");
    };
    for (key, value) in expected {
        let other = actual
            .get(key)
            .unwrap_or_else(|| panic!("{path}: no {key} in {actual:?}"));
        if key == "Code" || key == "Description" || key.ends_with("Представление") {
            continue;
        }
        assert_eq!(kind(value), kind(other), "{path}.{key}: {value} vs {other}");
        if let (Value::Array(a), Value::Array(b)) = (value, other)
            && let (Some(a), Some(b)) = (a.first(), b.first())
        {
            assert_same_shape(a, b, &format!("{path}.{key}[0]"));
        }
    }
}

/// The position of each `"key":` in the text, to check the order of members.
fn order_of(text: &str, keys: &[&str]) -> Vec<usize> {
    keys.iter()
        .map(|k| {
            text.find(&format!("\"{k}\":"))
                .unwrap_or_else(|| panic!("no {k}"))
        })
        .collect()
}

fn properties(xml: &str) -> HashMap<String, Vec<(String, String)>> {
    // The EDMX elements the tests read are single tags with plain attributes: a small scan is enough.
    let mut out: HashMap<String, Vec<(String, String)>> = HashMap::new();
    let mut current = String::new();
    for tag in xml.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or_default();
        let name = tag.split_whitespace().next().unwrap_or_default();
        let attr = |attribute: &str| {
            let marker = format!(" {attribute}=\"");
            tag.find(&marker)
                .map(|at| {
                    tag[at + marker.len()..]
                        .split('"')
                        .next()
                        .unwrap_or_default()
                        .to_string()
                })
                .unwrap_or_default()
        };
        match name {
            "EntityType" | "ComplexType" | "EntityContainer" => current = attr("Name"),
            "Property" => out
                .entry(current.clone())
                .or_default()
                .push((attr("Name"), attr("Type"))),
            "PropertyRef" => out
                .entry(current.clone())
                .or_default()
                .push(("key".into(), attr("Name"))),
            "NavigationProperty" => out
                .entry(current.clone())
                .or_default()
                .push(("navigation".into(), attr("Name"))),
            "EntitySet" => out
                .entry("sets".into())
                .or_default()
                .push((attr("Name"), attr("EntityType"))),
            "FunctionImport" => out
                .entry("functions".into())
                .or_default()
                .push((attr("Name"), attr("ReturnType"))),
            _ => {}
        }
    }
    out
}

#[tokio::test]
async fn metadata_matches_the_hand_written_fragment() {
    let handle = emulator(Profile::Bp30).await;
    let (status, body) = get(&handle, "$metadata").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("Version=\"1.0\"")
            && body.contains("m:DataServiceVersion=\"3.0\"")
            && body.contains("Namespace=\"StandardODATA\"")
    );
    assert!(body.contains("<EntityContainer Name=\"EnterpriseV8\""));
    let ours = properties(&body);
    let theirs = properties(&fixture("metadata_fragment.xml"));
    for (name, expected) in theirs
        .iter()
        .filter(|(n, _)| *n != "sets" && *n != "EnterpriseV8")
    {
        let actual = ours.get(name).unwrap_or_else(|| panic!("no {name}"));
        for property in expected {
            assert!(
                actual.contains(property),
                "{name}: {property:?} not in {actual:?}"
            );
        }
    }
    for set in &theirs["sets"] {
        assert!(ours["sets"].contains(set), "{set:?}");
    }
    // MaxLength of fixed-length strings.
    assert!(body.contains(
        "<Property Name=\"Code\" Type=\"Edm.String\" Nullable=\"true\" MaxLength=\"11\"/>"
    ));
    let functions = &ours["functions"];
    assert!(
        functions
            .iter()
            .any(|(n, r)| n == "Balance" && r.contains("AccountingRegister_Хозрасчетный"))
    );
    assert!(
        functions
            .iter()
            .any(|(n, r)| n == "SliceLast" && r.contains("InformationRegister_ЦеныНоменклатуры"))
    );
    handle.shutdown().await;
}

/// The entity sets docs/ONEC.md lists for a profile, read from the document itself.
fn documented_sets(profile: &str) -> Vec<String> {
    let doc = std::fs::read_to_string(format!("{}/../../docs/ONEC.md", env!("CARGO_MANIFEST_DIR")))
        .unwrap();
    // The object tables start at «The objects each profile reads and writes».
    let mut section = "before";
    let mut out = Vec::new();
    for line in doc.lines() {
        if line.starts_with("## The objects each profile reads and writes") {
            section = "common";
        } else if line.starts_with("### `bp30`") {
            section = "bp30";
        } else if line.starts_with("### `ut11`") {
            section = "ut11";
        } else if line.starts_with("## Emulator") {
            section = "done";
        }
        if (section == "common" || section == profile)
            && let Some(rest) = line.strip_prefix("| `")
            && let Some(name) = rest.split('`').next()
            && name.contains('_')
        {
            out.push(name.to_string());
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn both_profiles_publish_exactly_the_documented_sets() {
    for profile in [Profile::Bp30, Profile::Ut11] {
        let handle = emulator(profile).await;
        let (_, body) = get(&handle, "$metadata").await;
        let sets: Vec<String> = properties(&body)["sets"]
            .iter()
            .map(|(n, _)| n.clone())
            .collect();
        let tabular = ["_Товары", "_КонтактнаяИнформация", "_РасшифровкаПлатежа"];
        let mut objects: Vec<String> = sets
            .iter()
            .filter(|s| !tabular.iter().any(|t| s.ends_with(t)))
            .cloned()
            .collect();
        objects.sort();
        assert_eq!(
            objects,
            documented_sets(profile.name()),
            "{}",
            profile.name()
        );
        handle.shutdown().await;
    }
}

#[tokio::test]
async fn a_catalog_item_has_the_standard_fields_in_order_and_1c_formats() {
    let handle = emulator(Profile::Bp30).await;
    let list = get_json(
        &handle,
        "Catalog_Номенклатура?$format=json&$filter=IsFolder eq false&$top=1",
    )
    .await;
    let key = list["value"][0]["Ref_Key"].as_str().unwrap().to_string();
    let (status, text) = get(
        &handle,
        &format!("Catalog_Номенклатура(guid'{key}')?$format=json"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let item: Value = serde_json::from_str(&text).unwrap();
    let expected: Value = serde_json::from_str(&fixture("catalog_item.json")).unwrap();
    assert_same_shape(&expected, &item, "item");
    let standard = [
        "odata.metadata",
        "Ref_Key",
        "DataVersion",
        "DeletionMark",
        "Parent_Key",
        "IsFolder",
        "Code",
        "Description",
        "Predefined",
        "PredefinedDataName",
    ];
    let positions = order_of(&text, &standard);
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    assert!(
        item["odata.metadata"]
            .as_str()
            .unwrap()
            .ends_with("$metadata#Catalog_Номенклатура/@Element")
    );
    let code = item["Code"].as_str().unwrap();
    assert_eq!(code.chars().count(), 11);
    assert!(code.starts_with("00-"));
    assert_eq!(
        item["ЕдиницаИзмерения@navigationLinkUrl"].as_str().unwrap(),
        format!("Catalog_Номенклатура(guid'{key}')/ЕдиницаИзмерения")
    );
    // A short code is padded on the right to its declared length.
    let unit = handle.list("Catalog_КлассификаторЕдиницИзмерения");
    assert_eq!(unit[0]["Code"].as_str().unwrap().chars().count(), 3);
    let organisation = &handle.list("Catalog_Организации")[0];
    assert_eq!(organisation["Code"].as_str().unwrap().chars().count(), 9);
    handle.shutdown().await;
}

#[tokio::test]
async fn collections_count_as_a_string_and_tabular_rows_carry_line_numbers_as_strings() {
    let handle = emulator(Profile::Bp30).await;
    let (_, text) = get(&handle, "Catalog_Контрагенты?$format=json&$inlinecount=allpages&$top=5&$filter=Parent_Key eq guid'00000000-0000-0000-0000-000000000000'").await;
    let page: Value = serde_json::from_str(&text).unwrap();
    let expected: Value = serde_json::from_str(&fixture("collection_with_count.json")).unwrap();
    assert_eq!(kind(&page["odata.count"]), "integer string");
    assert!(
        order_of(&text, &["odata.metadata", "odata.count", "value"])
            .windows(2)
            .all(|w| w[0] < w[1])
    );
    assert_eq!(page["value"].as_array().unwrap().len(), 5);
    let count: usize = page["odata.count"].as_str().unwrap().parse().unwrap();
    assert_eq!(count, handle.list("Catalog_Контрагенты").len());
    let with_contacts = page["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| !c["КонтактнаяИнформация"].as_array().unwrap().is_empty())
        .unwrap();
    assert_same_shape(&expected["value"][0], with_contacts, "counterparty");
    assert_eq!(with_contacts["КонтактнаяИнформация"][0]["LineNumber"], "1");
    // The tabular section by path and as its own set.
    let key = with_contacts["Ref_Key"].as_str().unwrap();
    let rows = get_json(
        &handle,
        &format!("Catalog_Контрагенты(guid'{key}')/КонтактнаяИнформация?$format=json"),
    )
    .await;
    assert_eq!(rows["value"], with_contacts["КонтактнаяИнформация"]);
    let set = get_json(
        &handle,
        &format!(
            "Catalog_Контрагенты_КонтактнаяИнформация?$format=json&$filter=Ref_Key eq guid'{key}'"
        ),
    )
    .await;
    assert_eq!(
        set["value"].as_array().unwrap().len(),
        rows["value"].as_array().unwrap().len()
    );
    handle.shutdown().await;
}

#[tokio::test]
async fn documents_have_padded_numbers_dates_without_zone_and_composite_types() {
    let handle = emulator(Profile::Bp30).await;
    let shipments = get_json(
        &handle,
        "Document_РеализацияТоваровУслуг?$format=json&$top=3&$orderby=Date desc",
    )
    .await;
    let shipment = &shipments["value"][0];
    assert_eq!(shipment["Number"].as_str().unwrap().chars().count(), 11);
    assert_eq!(kind(&shipment["Date"]), "date");
    assert_eq!(
        shipment["Сделка_Type"],
        "StandardODATA.Document_СчетНаОплатуПокупателю"
    );
    let line = &shipment["Товары"][0];
    assert_eq!(line["LineNumber"], "1");
    assert_eq!(
        line["Номенклатура_Type"],
        "StandardODATA.Catalog_Номенклатура"
    );
    assert!(line["Количество"].is_number() && line["Сумма"].is_number());
    // The invoice it ships exists, with a status record.
    let invoice = shipment["Сделка"].as_str().unwrap();
    let found = get_json(
        &handle,
        &format!("Document_СчетНаОплатуПокупателю(guid'{invoice}')?$format=json"),
    )
    .await;
    assert_eq!(found["Ref_Key"], invoice);
    let statuses = get_json(
        &handle,
        &format!(
            "InformationRegister_СтатусыДокументов?$format=json&$filter=Документ eq '{invoice}'"
        ),
    )
    .await;
    assert_eq!(statuses["value"].as_array().unwrap().len(), 1);
    // An empty composite value is Undefined, an empty date is 0001-01-01.
    let created = handle
        .create("Document_РеализацияТоваровУслуг", json!({"Date": null}))
        .unwrap();
    assert_eq!(created["Сделка"], "");
    assert_eq!(created["Сделка_Type"], "StandardODATA.Undefined");
    assert_eq!(created["Контрагент_Key"], EMPTY_REF);
    assert!(created.get("Контрагент@navigationLinkUrl").is_none());
    let contract = handle
        .create("Catalog_ДоговорыКонтрагентов", json!({}))
        .unwrap();
    assert_eq!(contract["Дата"], "0001-01-01T00:00:00");
    handle.shutdown().await;
}

#[tokio::test]
async fn accounting_balance_matches_the_fixture_and_its_condition() {
    let handle = emulator(Profile::Bp30).await;
    let account =
        handle.find("ChartOfAccounts_Хозрасчетный", "Code", &json!("41.01"))[0]["Ref_Key"]
            .as_str()
            .unwrap()
            .to_string();
    let balance = get_json(&handle, &format!("AccountingRegister_Хозрасчетный/Balance(Condition='Account_Key eq guid''{account}''')?$format=json")).await;
    let expected: Value = serde_json::from_str(&fixture("accounting_balance.json")).unwrap();
    let rows = balance["value"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert_same_shape(&expected["value"][0], &rows[0], "balance");
    assert!(
        balance["odata.metadata"]
            .as_str()
            .unwrap()
            .ends_with("#AccountingRegister_Хозрасчетный_Balance")
    );
    let other = "00000000-0000-0000-0000-000000000001";
    let none = get_json(&handle, &format!("AccountingRegister_Хозрасчетный/Balance(Condition='Account_Key eq guid''{other}''')?$format=json")).await;
    assert!(none["value"].as_array().unwrap().is_empty());
    // The demo's stock: every product with stock appears, quantities as numbers.
    let all = get_json(
        &handle,
        "AccountingRegister_Хозрасчетный/Balance()?$format=json&$top=2",
    )
    .await;
    assert_eq!(all["value"].as_array().unwrap().len(), 2);
    handle.shutdown().await;
}

#[tokio::test]
async fn accumulation_balance_groups_by_the_dimensions_asked_for_and_applies_the_condition() {
    let handle = emulator(Profile::Ut11).await;
    let full = get_json(&handle, "AccumulationRegister_ТоварыНаСкладах/Balance(Dimensions='Номенклатура,Склад')?$format=json").await;
    let rows = full["value"].as_array().unwrap();
    assert!(!rows.is_empty());
    let first = rows[0].as_object().unwrap();
    let keys: Vec<&String> = first.keys().collect();
    assert_eq!(keys.len(), 4, "{keys:?}");
    assert!(
        first.contains_key("Номенклатура_Key")
            && first.contains_key("Склад_Key")
            && first.contains_key("ВНаличииBalance")
            && first.contains_key("ВРезервеСоСкладаBalance")
    );
    let warehouse = first["Склад_Key"].as_str().unwrap();
    let condition = format!("Склад_Key eq guid''{warehouse}''");
    let one = get_json(&handle, &format!("AccumulationRegister_ТоварыНаСкладах/Balance(Condition='{condition}',Dimensions='Номенклатура,Склад')?$format=json")).await;
    let one = one["value"].as_array().unwrap();
    assert!(one.iter().all(|r| r["Склад_Key"] == warehouse));
    assert_eq!(
        one.len(),
        rows.iter().filter(|r| r["Склад_Key"] == warehouse).count()
    );
    let products = get_json(&handle, "AccumulationRegister_СвободныеОстатки/Balance(Dimensions='Номенклатура')?$format=json&$inlinecount=allpages&$top=1").await;
    assert!(products["value"][0].get("Склад_Key").is_none());
    assert!(products["value"][0]["ВРезервеBalance"].is_number());
    // $filter applies to the result.
    let product = first["Номенклатура_Key"].as_str().unwrap();
    let filtered = get_json(&handle, &format!("AccumulationRegister_ТоварыНаСкладах/Balance(Dimensions='Номенклатура,Склад')?$format=json&$filter=Номенклатура_Key eq guid'{product}'")).await;
    assert!(
        filtered["value"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["Номенклатура_Key"] == product)
    );
    handle.shutdown().await;
}

#[tokio::test]
async fn slice_last_takes_the_latest_price_not_after_the_moment() {
    let handle = emulator(Profile::Ut11).await;
    let records = handle.list("InformationRegister_ЦеныНоменклатуры");
    let mut by_product: HashMap<String, Vec<&Value>> = HashMap::new();
    for record in &records {
        by_product
            .entry(record["Номенклатура_Key"].as_str().unwrap().to_string())
            .or_default()
            .push(record);
    }
    let (product, history) = by_product
        .iter()
        .find(|(_, h)| h.len() == 2)
        .expect("some prices were raised");
    let mut periods: Vec<&str> = history
        .iter()
        .map(|r| r["Period"].as_str().unwrap())
        .collect();
    periods.sort();
    let condition = format!("Номенклатура_Key eq guid''{product}''");
    let now = get_json(
        &handle,
        &format!(
            "InformationRegister_ЦеныНоменклатуры/SliceLast(Condition='{condition}')?$format=json"
        ),
    )
    .await;
    assert_eq!(now["value"].as_array().unwrap().len(), 1);
    assert_eq!(now["value"][0]["Period"], periods[1]);
    let before = get_json(&handle, &format!("InformationRegister_ЦеныНоменклатуры/SliceLast(Period=datetime'{}',Condition='{condition}')?$format=json", periods[0])).await;
    assert_eq!(before["value"][0]["Period"], periods[0]);
    let all = get_json(
        &handle,
        "InformationRegister_ЦеныНоменклатуры/SliceLast?$format=json&$inlinecount=allpages&$top=1",
    )
    .await;
    assert_eq!(
        all["odata.count"].as_str().unwrap(),
        by_product.len().to_string()
    );
    handle.shutdown().await;
}

#[tokio::test]
async fn filters_take_guid_datetime_string_and_boolean_literals() {
    let handle = emulator(Profile::Bp30).await;
    let products = handle.list("Catalog_Номенклатура");
    let product = products.iter().find(|p| p["IsFolder"] == false).unwrap();
    let key = product["Ref_Key"].as_str().unwrap();
    let by_key = get_json(
        &handle,
        &format!("Catalog_Номенклатура?$format=json&$filter=Ref_Key eq guid'{key}'"),
    )
    .await;
    assert_eq!(by_key["value"].as_array().unwrap().len(), 1);
    let article = product["Артикул"].as_str().unwrap();
    let encoded = format!(
        "Catalog_Номенклатура?$format=json&$filter={}",
        percent(&format!("Артикул eq '{article}' and IsFolder eq false"))
    );
    let by_article = get_json(&handle, &encoded).await;
    assert_eq!(by_article["value"][0]["Ref_Key"], key);
    let code = product["Code"].as_str().unwrap().trim_end();
    let by_code = get_json(
        &handle,
        &format!("Catalog_Номенклатура?$format=json&$filter=Code eq '{code}'"),
    )
    .await;
    assert_eq!(by_code["value"].as_array().unwrap().len(), 1);
    let word: String = product["Description"]
        .as_str()
        .unwrap()
        .chars()
        .take(5)
        .collect();
    let like = get_json(
        &handle,
        &format!("Catalog_Номенклатура?$format=json&$filter=substringof('{word}', Description)"),
    )
    .await;
    assert!(
        like["value"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["Ref_Key"] == key)
    );
    let documents = handle.list("Document_СчетНаОплатуПокупателю");
    let since = "2000-01-01T00:00:00";
    let recent = get_json(&handle, &format!("Document_СчетНаОплатуПокупателю?$format=json&$filter=Date ge datetime'{since}' and (Posted eq true or DeletionMark eq true)&$inlinecount=allpages&$top=0")).await;
    assert_eq!(
        recent["odata.count"].as_str().unwrap(),
        documents.len().to_string()
    );
    assert!(recent["value"].as_array().unwrap().is_empty());
    let escaped = get_json(
        &handle,
        "Catalog_Контрагенты?$format=json&$filter=Description eq 'Д''Артаньян'",
    )
    .await;
    assert!(escaped["value"].as_array().unwrap().is_empty());
    let selected = get_json(&handle, &format!("Catalog_Номенклатура?$format=json&$select=Ref_Key,Description&$filter=Ref_Key eq guid'{key}'")).await;
    assert_eq!(selected["value"][0].as_object().unwrap().len(), 2);
    handle.shutdown().await;
}

fn percent(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[tokio::test]
async fn paging_by_ref_key_is_stable_and_complete() {
    let mut config = Config::new(Profile::Bp30);
    config.sizes = Sizes {
        products: Some(1_000),
        ..Sizes::default()
    };
    let handle = emulator_with(config).await;
    let mut seen = Vec::new();
    loop {
        let page = get_json(
            &handle,
            &format!(
                "Catalog_Номенклатура?$format=json&$orderby=Ref_Key&$top=170&$skip={}",
                seen.len()
            ),
        )
        .await;
        let rows = page["value"].as_array().unwrap();
        if rows.is_empty() {
            break;
        }
        seen.extend(
            rows.iter()
                .map(|r| r["Ref_Key"].as_str().unwrap().to_string()),
        );
    }
    let all: Vec<String> = handle
        .list("Catalog_Номенклатура")
        .iter()
        .map(|r| r["Ref_Key"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(seen, all);
    assert!(all.len() > 1_000);
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted, "pages come in Ref_Key order");
    // A filtered page is the same whether or not the request also asks for the count.
    let keys = |page: &serde_json::Value| -> Vec<String> {
        page["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["Ref_Key"].as_str().unwrap().to_string())
            .collect()
    };
    let filtered = "Catalog_Номенклатура?$format=json&$filter=IsFolder eq false&$orderby=Ref_Key&$top=50&$skip=300";
    let page = get_json(&handle, filtered).await;
    let counted = get_json(&handle, &format!("{filtered}&$inlinecount=allpages")).await;
    assert_eq!(keys(&page).len(), 50);
    assert_eq!(keys(&page), keys(&counted));
    assert!(
        page["value"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["IsFolder"] == false)
    );
    // Keys asked for by `Ref_Key eq … or …` come once each, in key order; unknown keys are skipped.
    let (a, b) = (&all[700], &all[10]);
    let unknown = "00000000-0000-0000-0000-00000000abcd";
    let picked = get_json(
        &handle,
        &format!(
            "Catalog_Номенклатура?$format=json&$filter=Ref_Key eq guid'{a}' or Ref_Key eq guid'{unknown}' or Ref_Key eq guid'{b}' or Ref_Key eq guid'{a}'"
        ),
    )
    .await;
    assert_eq!(keys(&picked), vec![b.clone(), a.clone()]);
    let descending = get_json(
        &handle,
        "Catalog_Номенклатура?$format=json&$orderby=Ref_Key desc&$top=1",
    )
    .await;
    assert_eq!(
        descending["value"][0]["Ref_Key"],
        all.last().unwrap().as_str()
    );
    handle.shutdown().await;
}

#[tokio::test]
async fn writes_create_patch_post_and_delete_as_1c_does() {
    let handle = emulator(Profile::Bp30).await;
    let url = format!("{}Catalog_Контрагенты?$format=json", handle.url());
    let long_name = "Я".repeat(150);
    let response = client()
        .post(&url)
        .basic_auth("odata", Some("odata"))
        .json(&json!({"Description": long_name, "ИНН": "7701234567", "КПП": "770101001", "НесуществующееПоле": 1, "ЮридическоеФизическоеЛицо": "ЮридическоеЛицо"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = String::from_utf8(response.headers()["location"].as_bytes().to_vec()).unwrap();
    let created: Value = response.json().await.unwrap();
    let key = created["Ref_Key"].as_str().unwrap().to_string();
    assert_eq!(
        location,
        format!("{}Catalog_Контрагенты(guid'{key}')", handle.url()),
        "raw UTF-8 in Location"
    );
    assert_eq!(
        created["Description"].as_str().unwrap().chars().count(),
        100,
        "truncated to the declared length"
    );
    assert!(created.get("НесуществующееПоле").is_none());
    let code = created["Code"].as_str().unwrap();
    assert_eq!(code.chars().count(), 9);
    assert!(!code.trim().is_empty());
    assert_eq!(
        handle
            .find("Catalog_Контрагенты", "ИНН", &json!("7701234567"))
            .len(),
        1
    );

    // Reading does not change DataVersion; writing does.
    let version = created["DataVersion"].as_str().unwrap().to_string();
    let read = get_json(
        &handle,
        &format!("Catalog_Контрагенты(guid'{key}')?$format=json"),
    )
    .await;
    assert_eq!(read["DataVersion"], version.as_str());
    let patched: Value = client()
        .patch(format!(
            "{}Catalog_Контрагенты(guid'{key}')?$format=json",
            handle.url()
        ))
        .basic_auth("odata", Some("odata"))
        .json(&json!({"Комментарий": "из Ferment"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(patched["Комментарий"], "из Ferment");
    assert_eq!(patched["ИНН"], "7701234567");
    assert_ne!(patched["DataVersion"], version.as_str());

    // A document: created with a number, posted, unposted.
    let invoice: Value = client()
        .post(format!("{}Document_СчетНаОплатуПокупателю?$format=json", handle.url()))
        .basic_auth("odata", Some("odata"))
        .json(&json!({"Контрагент_Key": key, "Date": "2026-11-27T10:15:00", "Товары": [{"Количество": 2, "Цена": 10.5, "Сумма": 21, "Лишнее": true}]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let invoice_key = invoice["Ref_Key"].as_str().unwrap();
    assert_eq!(invoice["Number"].as_str().unwrap().chars().count(), 11);
    assert_eq!(invoice["Date"], "2026-11-27T10:15:00");
    assert_eq!(invoice["Posted"], false);
    assert_eq!(invoice["Товары"][0]["LineNumber"], "1");
    assert_eq!(invoice["Товары"][0]["Сумма"], 21);
    let post = client()
        .post(format!("{}Document_СчетНаОплатуПокупателю(guid'{invoice_key}')/Post?PostingModeOperational=false", handle.url()))
        .basic_auth("odata", Some("odata"))
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), StatusCode::OK);
    let posted = get_json(
        &handle,
        &format!("Document_СчетНаОплатуПокупателю(guid'{invoice_key}')?$format=json"),
    )
    .await;
    assert_eq!(posted["Posted"], true);
    let unpost = client()
        .post(format!(
            "{}Document_СчетНаОплатуПокупателю(guid'{invoice_key}')/Unpost",
            handle.url()
        ))
        .basic_auth("odata", Some("odata"))
        .send()
        .await
        .unwrap();
    assert_eq!(unpost.status(), StatusCode::OK);
    assert_eq!(
        handle
            .get(
                "Document_СчетНаОплатуПокупателю",
                invoice_key.parse().unwrap()
            )
            .unwrap()["Posted"],
        false
    );

    // Delete, then it is not found.
    let deleted = client()
        .delete(format!("{}Catalog_Контрагенты(guid'{key}')", handle.url()))
        .basic_auth("odata", Some("odata"))
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_success());
    let (status, _) = get(
        &handle,
        &format!("Catalog_Контрагенты(guid'{key}')?$format=json"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    handle.shutdown().await;
}

#[tokio::test]
async fn the_test_api_changes_the_base_as_a_1c_user_would() {
    let handle = emulator(Profile::Ut11).await;
    let demo = ferment_demo::generate(ferment_onec_emulator::DEMO_SEED);
    let counterparties = handle.list("Catalog_Контрагенты");
    let in_demo = demo
        .counterparties
        .iter()
        .filter(|c| {
            counterparties
                .iter()
                .any(|o| o["ИНН"] == c.input.inn.as_str() && o["КПП"] == c.input.kpp.as_str())
        })
        .count();
    assert!(
        (190..=210).contains(&in_demo),
        "about two thirds of the demo: {in_demo}"
    );
    assert!(counterparties.len() >= in_demo + 25, "and some only in 1C");
    assert!(counterparties.iter().any(|c| c["DeletionMark"] == true));
    let product = &demo.products[0].input;
    let found = handle.find("Catalog_Номенклатура", "Артикул", &json!(product.article));
    assert_eq!(found[0]["Description"], product.name.as_str());
    let warehouses: Vec<String> = handle
        .list("Catalog_Склады")
        .iter()
        .map(|w| w["Description"].as_str().unwrap().to_string())
        .collect();
    assert!(warehouses.contains(&"Склад образцов (офис)".to_string()));

    let key: uuid::Uuid = found[0]["Ref_Key"].as_str().unwrap().parse().unwrap();
    let before = found[0]["DataVersion"].clone();
    let changed = handle
        .update(
            "Catalog_Номенклатура",
            key,
            json!({"Description": "Переименовано"}),
        )
        .unwrap();
    assert_ne!(changed["DataVersion"], before);
    let marked = handle
        .set_deletion_mark("Catalog_Номенклатура", key, true)
        .unwrap();
    assert_eq!(marked["DeletionMark"], true);
    let order = handle.list("Document_ЗаказКлиента")[0]["Ref_Key"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        handle.post("Document_ЗаказКлиента", order, false).unwrap()["Posted"],
        false
    );
    handle.delete("Catalog_Номенклатура", key).unwrap();
    assert!(handle.get("Catalog_Номенклатура", key).is_none());
    handle.shutdown().await;
}

#[tokio::test]
async fn errors_have_1c_codes_statuses_and_shape() {
    let handle = emulator(Profile::Bp30).await;
    let cases = [
        (
            "Catalog_Номенклатура(guid'b6f2a5d4-1c2e-11ee-8bd5-0050569a7c21')?$format=json",
            StatusCode::NOT_FOUND,
            "error_not_found.json",
        ),
        (
            "Catalog_Номенклатура?$format=json&$filter=НетТакогоПоля eq 1",
            StatusCode::BAD_REQUEST,
            "error_bad_filter.json",
        ),
        (
            "Catalog_Номенклатура?$format=json&$filter=Code eq",
            StatusCode::BAD_REQUEST,
            "error_bad_filter.json",
        ),
        (
            "Catalog_Неопубликованный?$format=json",
            StatusCode::BAD_REQUEST,
            "error_unknown_segment.json",
        ),
        (
            "Catalog_Партнеры?$format=json",
            StatusCode::BAD_REQUEST,
            "error_unknown_segment.json",
        ),
    ];
    for (path, status, name) in cases {
        let (actual_status, body) = get(&handle, path).await;
        assert_eq!(actual_status, status, "{path}");
        let actual: Value = serde_json::from_str(&body).unwrap();
        let expected: Value = serde_json::from_str(&fixture(name)).unwrap();
        assert_eq!(
            actual["odata.error"]["code"], expected["odata.error"]["code"],
            "{path}"
        );
        assert_eq!(actual["odata.error"]["message"]["lang"], "ru");
        assert!(
            actual["odata.error"]["message"]["value"]
                .as_str()
                .unwrap()
                .chars()
                .any(|c| ('а'..='я').contains(&c))
        );
    }
    handle.fail_next(1, Failure::HandlerError);
    let (status, body) = get(&handle, "Catalog_Номенклатура?$format=json").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let expected: Value = serde_json::from_str(&fixture("error_handler.json")).unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["odata.error"]["code"],
        expected["odata.error"]["code"]
    );
    handle.shutdown().await;
}

#[tokio::test]
async fn wrong_or_missing_credentials_get_401_with_the_1c_realm() {
    let mut config = Config::new(Profile::Bp30);
    config.login = "Администратор".into();
    config.password = "пароль".into();
    let handle = emulator_with(config).await;
    let url = format!("{}Catalog_Валюты?$format=json", handle.url());
    for response in [
        client().get(&url).send().await.unwrap(),
        client()
            .get(&url)
            .basic_auth("Администратор", Some("неверный"))
            .send()
            .await
            .unwrap(),
    ] {
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            response.headers()["www-authenticate"],
            "Basic realm=\"1C:Enterprise\""
        );
    }
    let ok = client()
        .get(&url)
        .basic_auth("Администратор", Some("пароль"))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    handle.shutdown().await;
}

#[tokio::test]
async fn without_format_json_the_answer_is_atom() {
    let handle = emulator(Profile::Bp30).await;
    let (status, feed) = get(&handle, "Catalog_Валюты").await;
    assert_eq!(status, StatusCode::OK);
    assert!(feed.starts_with("<?xml") && feed.contains("<feed") && feed.contains("<d:Code"));
    let (_, service) = get(&handle, "").await;
    assert!(service.contains("Catalog_Номенклатура"));
    handle.shutdown().await;
}

#[tokio::test]
async fn injected_failures_delays_and_the_request_log() {
    let handle = emulator(Profile::Bp30).await;
    handle.fail_next(2, Failure::Unavailable);
    for _ in 0..2 {
        let (status, _) = get(&handle, "Catalog_Валюты?$format=json").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    }
    let (status, _) = get(&handle, "Catalog_Валюты?$format=json&$filter=Code eq '643'").await;
    assert_eq!(status, StatusCode::OK);
    let log = handle.requests();
    assert_eq!(log.len(), 3);
    assert_eq!(log[2].path, "/demo/odata/standard.odata/Catalog_Валюты");
    assert_eq!(log[2].option("$filter"), Some("Code eq '643'"));
    assert_eq!(handle.request_count(), 3);
    handle.clear_requests();
    handle.set_delay(Duration::from_millis(200));
    let url = handle.url();
    let slow = tokio::spawn(async move {
        client()
            .get(format!("{url}Catalog_Валюты?$format=json"))
            .basic_auth("odata", Some("odata"))
            .send()
            .await
            .unwrap()
            .status()
    });
    tokio::time::timeout(Duration::from_secs(5), handle.wait_for_requests(1))
        .await
        .unwrap();
    assert!(!slow.is_finished(), "the request is still being answered");
    assert_eq!(slow.await.unwrap(), StatusCode::OK);
    handle.shutdown().await;
}

#[tokio::test]
async fn the_data_file_keeps_what_was_written() {
    let path = std::env::temp_dir().join(format!("onec-emulator-{}.json", uuid::Uuid::new_v4()));
    let mut config = Config::new(Profile::Ut11);
    config.data = Some(path.clone());
    let handle = emulator_with(config.clone()).await;
    assert!(path.exists(), "the generated base is saved at once");
    let created = handle
        .create(
            "Catalog_Контрагенты",
            json!({"Description": "Из Ferment", "ИНН": "7701234567"}),
        )
        .unwrap();
    let response = client()
        .post(format!("{}Catalog_Партнеры?$format=json", handle.url()))
        .basic_auth("odata", Some("odata"))
        .json(&json!({"Description": "Партнёр по HTTP"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let counts: Vec<usize> = [
        "Catalog_Контрагенты",
        "Document_ЗаказКлиента",
        "InformationRegister_ЦеныНоменклатуры",
    ]
    .iter()
    .map(|s| handle.list(s).len())
    .collect();
    let balance_before = get_json(
        &handle,
        "AccumulationRegister_ТоварыНаСкладах/Balance?$format=json",
    )
    .await;
    handle.shutdown().await;

    let again = emulator_with(config).await;
    let key: uuid::Uuid = created["Ref_Key"].as_str().unwrap().parse().unwrap();
    assert_eq!(again.get("Catalog_Контрагенты", key).unwrap(), created);
    assert_eq!(
        again
            .find("Catalog_Партнеры", "Description", &json!("Партнёр по HTTP"))
            .len(),
        1
    );
    let counts_again: Vec<usize> = [
        "Catalog_Контрагенты",
        "Document_ЗаказКлиента",
        "InformationRegister_ЦеныНоменклатуры",
    ]
    .iter()
    .map(|s| again.list(s).len())
    .collect();
    assert_eq!(counts, counts_again);
    assert_eq!(
        get_json(
            &again,
            "AccumulationRegister_ТоварыНаСкладах/Balance?$format=json"
        )
        .await["value"],
        balance_before["value"]
    );
    // New objects continue the sequences and versions.
    let next = again
        .create("Catalog_Контрагенты", json!({"Description": "Ещё"}))
        .unwrap();
    assert_ne!(next["Code"], created["Code"]);
    assert_ne!(next["DataVersion"], created["DataVersion"]);
    again.shutdown().await;
    let _ = std::fs::remove_file(path);
}

/// The benchmark sizes are 100 000 products, 1 000 000 stock rows and 200 000 documents; in a debug
/// test build a tenth of each shows the generator scales without taking minutes.
#[test]
fn large_bases_generate() {
    for profile in [Profile::Bp30, Profile::Ut11] {
        let sizes = Sizes {
            products: Some(10_000),
            documents: Some(20_000),
            stock_rows: Some(100_000),
        };
        let base = ferment_onec_emulator::generate::generate(profile, 7, sizes);
        let products = base.schema.set("Catalog_Номенклатура").unwrap();
        let folders = base.objects[products]
            .values()
            .filter(|r| r[4] == ferment_onec_emulator::value::Val::Bool(true))
            .count();
        assert_eq!(base.objects[products].len() - folders, 10_000);
        assert_eq!(base.stock.rows.len(), 100_000);
        let documents: usize = base
            .schema
            .sets
            .iter()
            .enumerate()
            .filter(|(_, s)| s.name.starts_with("Document_"))
            .map(|(i, _)| base.objects[i].len())
            .sum();
        assert_eq!(documents, 20_000);
    }
}
