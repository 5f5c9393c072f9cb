//! CommerceML 2 end to end: 1C's built-in exchange (the `ferment-commerceml` client playing 1C)
//! against `/exchange/1c` — the catalog and offers in (full, then changes only; zipped and in
//! chunks), an order out, and 1C's statuses back into the sale's facts; both databases.

mod common;

use chrono::NaiveDate;
use common::pages::Browser;
use common::{PASSWORD, TestApp, spawn_apps};
use ferment_commerceml::SchemaVersion;
use ferment_commerceml::client::{ClientOptions, run_exchange};
use ferment_commerceml::model::Requisite;
use ferment_commerceml::order::Order;
use ferment_commerceml::write::orders_to_vec;
use reqwest::Method;
use serde_json::json;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../ferment-commerceml/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn files(names: &[&str]) -> Vec<(String, Vec<u8>)> {
    names
        .iter()
        .map(|name| {
            let sent = match *name {
                n if n.starts_with("import") => "import.xml",
                n if n.starts_with("offers") => "offers.xml",
                other => other,
            };
            (sent.to_string(), fixture(name))
        })
        .collect()
}

async fn stock_of(app: &TestApp, product_id: uuid::Uuid) -> Vec<(String, i64)> {
    let mut reader = app.store.reader().await.unwrap();
    let mut lines: Vec<(String, i64)> =
        ferment_store::warehouses::stock(&mut reader, None, Some(product_id))
            .await
            .unwrap()
            .into_iter()
            .map(|l| (l.warehouse_name, l.quantity))
            .collect();
    lines.sort();
    lines
}

#[tokio::test]
async fn catalog_and_offers_come_in_orders_go_out_and_statuses_come_back() {
    for app in spawn_apps().await {
        let url = format!("{}/exchange/1c", app.base);
        let label = app.label;

        // A wrong password gets nothing in.
        let refused = run_exchange(
            &url,
            "admin",
            "wrong",
            files(&["import_2_08.xml"]),
            &ClientOptions::default(),
        )
        .await;
        assert!(refused.is_err(), "{label}");
        // A manager may not exchange either.
        app.token_for("manager1", &["manager"]).await;
        let refused = run_exchange(
            &url,
            "manager1",
            PASSWORD,
            files(&["import_2_08.xml"]),
            &ClientOptions::default(),
        )
        .await;
        assert!(refused.is_err(), "{label}");

        // Full catalog, prices and rests: zipped, in small chunks.
        let options = ClientOptions {
            zip: true,
            chunk_size: 700,
            ..ClientOptions::default()
        };
        let report = run_exchange(
            &url,
            "admin",
            PASSWORD,
            files(&["import_2_08.xml", "prices.xml", "rests.xml"]),
            &options,
        )
        .await
        .unwrap_or_else(|e| panic!("{label}: {e}"));
        assert!(report.zipped, "{label}");
        assert!(
            report.uploads.iter().any(|u| u.chunks > 1),
            "{label}: chunked: {:?}",
            report.uploads
        );
        let mut reader = app.store.reader().await.unwrap();
        let (product_id, name) =
            ferment_store::products::find_by_code(&mut reader, "00-00000123", None)
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("{label}: the product came in"));
        assert_eq!(name, "Камедь ксантановая 200 меш");
        let product = ferment_store::products::get(&mut reader, product_id)
            .await
            .unwrap();
        assert_eq!(product.data.unit.code(), "kg");
        assert_eq!(product.data.article.as_deref(), Some("КС-200"));
        assert_eq!(product.data.price, 65_500, "{label}: prices.xml");
        assert!(product.data.group_id.is_some(), "{label}: its group");
        assert!(
            ferment_store::products::find_by_article(&mut reader, "ГГ-01")
                .await
                .unwrap()
                .is_none(),
            "{label}: a product 1C deleted is not created"
        );
        drop(reader);
        assert_eq!(
            stock_of(&app, product_id).await,
            [("Основной склад".to_string(), 412_000)],
            "{label}: the characteristic's 18 name no warehouse"
        );

        // The administrators see each file imported, with its item count, in the API and the page.
        let (status, state) = app
            .json(Method::GET, "/api/v1/integrations/commerceml", None)
            .await;
        assert_eq!(status, 200, "{label}: {state}");
        assert_eq!(state["exchange_path"], "/exchange/1c");
        // (1C names the catalog `import.xml` whatever the fixture is called.)
        for file in ["import.xml", "prices.xml", "rests.xml"] {
            let step = state["steps"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["file"] == file)
                .unwrap_or_else(|| panic!("{label}: {file} in {state}"));
            assert_eq!(step["kind"], "import", "{label}: {step}");
            assert_eq!(step["outcome"], "done", "{label}: {step}");
            assert!(step["items"].as_i64().unwrap() > 0, "{label}: {step}");
        }
        let browser = Browser::new(&app);
        browser.sign_in().await;
        let page = browser.get("/admin/integrations").await;
        assert_eq!(page.status, 200, "{label}");
        let steps = page
            .body
            .split("id=\"cml-steps\"")
            .nth(1)
            .and_then(|rest| rest.split("</table>").next())
            .expect("the exchange's steps");
        assert!(steps.contains("import.xml"), "{label}: {steps}");
        assert!(steps.contains("готово"), "{label}: {steps}");
        // A step 1C gets a failure for is logged with the reason 1C was given.
        let http = reqwest::Client::new();
        let auth = http
            .get(format!("{url}?type=catalog&mode=checkauth"))
            .basic_auth("admin", Some(PASSWORD))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let lines: Vec<&str> = auth.lines().collect();
        assert_eq!(lines.first(), Some(&"success"), "{label}: {auth}");
        let refused = http
            .get(format!(
                "{url}?type=catalog&mode=import&filename=missing.xml"
            ))
            .header("Cookie", format!("{}={}", lines[1], lines[2]))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(refused.starts_with("failure"), "{label}: {refused}");
        let (_, state) = app
            .json(Method::GET, "/api/v1/integrations/commerceml", None)
            .await;
        let failed = &state["steps"][0];
        assert_eq!(
            (failed["file"].as_str(), failed["outcome"].as_str()),
            (Some("missing.xml"), Some("failed")),
            "{label}: {state}"
        );
        let reason = failed["message"].as_str().unwrap_or_default();
        assert!(
            !reason.is_empty() && refused.contains(reason),
            "{label}: {reason} / {refused}"
        );
        let manager = app.token_for("cml-manager", &["manager"]).await;
        let (status, _) = app
            .json_as(
                &manager,
                Method::GET,
                "/api/v1/integrations/commerceml",
                None,
            )
            .await;
        assert_eq!(status, 403, "{label}: only who may configure integrations");

        // Again, not zipped: nothing is duplicated.
        let plain = ClientOptions {
            zip: false,
            ..ClientOptions::default()
        };
        run_exchange(
            &url,
            "admin",
            PASSWORD,
            files(&["import_2_08.xml", "prices.xml", "rests.xml"]),
            &plain,
        )
        .await
        .unwrap_or_else(|e| panic!("{label}: {e}"));
        let (_, list) = app
            .json(Method::GET, "/api/v1/products?q=ксантановая", None)
            .await;
        assert_eq!(
            list["items"].as_array().map(Vec::len),
            Some(1),
            "{label}: {list}"
        );

        // Changes only: the characteristic's new price and stock in two warehouses.
        run_exchange(
            &url,
            "admin",
            PASSWORD,
            files(&["offers_2_08_changes.xml"]),
            &plain,
        )
        .await
        .unwrap_or_else(|e| panic!("{label}: {e}"));
        let mut reader = app.store.reader().await.unwrap();
        let product = ferment_store::products::get(&mut reader, product_id)
            .await
            .unwrap();
        assert_eq!(product.data.price, 64_000, "{label}");
        drop(reader);
        assert_eq!(
            stock_of(&app, product_id).await,
            [
                ("Основной склад".to_string(), 1_412_000),
                ("Склад ответственного хранения".to_string(), 250_500)
            ],
            "{label}"
        );

        // An order out: a user asks; 1C takes it with `query` and confirms with `success`.
        let client = app
            .created(&app.admin_token, "/api/v1/counterparties", json!({"kind": "legal_entity", "name": "Кондитерская фабрика", "inn": "7707083893", "kpp": "773601001"}))
            .await;
        let sale = app
            .created(&app.admin_token, "/api/v1/sales", json!({"counterparty_id": client["id"], "title": "Ксантан для кремов", "lines": [{"product_id": product_id, "quantity": "25", "unit_price": "640"}]}))
            .await;
        let sale_id = sale["id"].as_str().unwrap().to_string();
        let (status, asked) = app
            .json(
                Method::POST,
                &format!("/api/v1/sales/{sale_id}/commerceml/order"),
                None,
            )
            .await;
        assert_eq!(status, 202, "{label}: {asked}");
        let (_, state) = app
            .json(Method::GET, "/api/v1/integrations/commerceml", None)
            .await;
        assert_eq!(state["orders_waiting"], 1, "{label}: {state}");
        let paid = NaiveDate::from_ymd_opt(2026, 11, 20)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap();
        let statuses = Order {
            id: sale_id.clone(),
            number: "000123".into(),
            operation: ferment_commerceml::order::OPERATION_ORDER.into(),
            requisites: vec![
                Requisite {
                    name: "Номер по 1С".into(),
                    value: "УТ-000045".into(),
                },
                Requisite {
                    name: "Дата по 1С".into(),
                    value: "2026-11-18T10:00:00".into(),
                },
                Requisite {
                    name: "Проведен".into(),
                    value: "true".into(),
                },
                Requisite {
                    name: "Номер оплаты по 1С".into(),
                    value: "77".into(),
                },
                Requisite {
                    name: "Дата оплаты по 1С".into(),
                    value: "2026-11-20T12:00:00".into(),
                },
                Requisite {
                    name: "Дата отгрузки по 1С".into(),
                    value: "2026-11-22T09:00:00".into(),
                },
            ],
            ..Order::default()
        };
        let statuses_xml = orders_to_vec(&[statuses], &SchemaVersion::v2_08(), paid);
        let with_statuses = ClientOptions {
            zip: false,
            orders_with_statuses: Some(("orders.xml".into(), statuses_xml)),
            ..ClientOptions::default()
        };
        let report = run_exchange(&url, "admin", PASSWORD, Vec::new(), &with_statuses)
            .await
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(report.orders.len(), 1, "{label}");
        let order = &report.orders[0];
        assert_eq!(order.id, sale_id);
        assert_eq!(
            order.buyer().and_then(|b| b.inn.as_deref()),
            Some("7707083893")
        );
        assert_eq!(order.lines.len(), 1);
        assert_eq!(order.lines[0].name, "Камедь ксантановая 200 меш");
        assert_eq!(
            order.lines[0].id.as_str(),
            "9a1b2c3d-7c1e-11ee-b962-0242ac120002",
            "{label}: 1C's own Ид"
        );
        assert!(report.statuses_imported, "{label}");
        let (_, sale) = app
            .json(Method::GET, &format!("/api/v1/sales/{sale_id}"), None)
            .await;
        assert_eq!(sale["order_placed_on"], "2026-11-18", "{label}: {sale}");
        assert_eq!(sale["invoice_paid_on"], "2026-11-20", "{label}: {sale}");
        assert_eq!(sale["delivered_on"], "2026-11-22", "{label}: {sale}");
        let (_, state) = app
            .json(Method::GET, &format!("/api/v1/sales/{sale_id}/onec"), None)
            .await;
        assert_eq!(
            state["commerceml"]["number_1c"], "УТ-000045",
            "{label}: {state}"
        );
        assert!(
            state["commerceml"]["exported_at"].is_string(),
            "{label}: confirmed by success: {state}"
        );
        let (_, state) = app
            .json(Method::GET, "/api/v1/integrations/commerceml", None)
            .await;
        assert_eq!(state["orders_waiting"], 0, "{label}: {state}");
        let latest = |kind: &str| {
            state["steps"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["kind"] == kind)
                .cloned()
                .unwrap_or_else(|| panic!("{label}: {kind} in {state}"))
        };
        assert_eq!(
            (
                latest("query")["items"].as_i64(),
                latest("query")["outcome"].as_str()
            ),
            (Some(1), Some("done")),
            "{label}"
        );
        assert_eq!(latest("success")["items"], 1, "{label}: {state}");
        // Confirmed orders are not given again.
        let report = run_exchange(&url, "admin", PASSWORD, Vec::new(), &plain)
            .await
            .unwrap();
        assert!(report.orders.is_empty(), "{label}");
    }
}

/// The 1C emulator in its «Обмен с сайтом» mode (what `ferment onec-emulator --exchange-to URL`
/// does): its whole base arrives as products with prices and stock.
#[tokio::test]
async fn the_emulator_sends_its_whole_base_through_the_exchange() {
    use ferment_onec_emulator::site_exchange::{SiteExchange, exchange};
    use ferment_onec_emulator::{Config, Profile};
    for app in spawn_apps().await {
        let label = app.label;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let onec = ferment_onec_emulator::start(Config::new(Profile::Ut11), listener)
            .await
            .unwrap();
        let site = SiteExchange {
            url: format!("{}/exchange/1c", app.base),
            login: "admin".into(),
            password: PASSWORD.into(),
            zip: true,
        };
        let report = exchange(&onec, Profile::Ut11, "odata", "odata", &site)
            .await
            .unwrap_or_else(|e| panic!("{label}: {e:#}"));
        assert!(report.zipped, "{label}");
        let mut reader = app.store.reader().await.unwrap();
        let items: Vec<_> = onec
            .list("Catalog_Номенклатура")
            .into_iter()
            .filter(|i| i["IsFolder"] != true && i["DeletionMark"] != true)
            .collect();
        assert!(items.len() > 300, "{label}");
        let mut priced = 0;
        for item in &items {
            let code = item["Code"].as_str().unwrap().trim();
            let (id, _) = ferment_store::products::find_by_code(&mut reader, code, None)
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("{label}: {code} did not arrive"));
            let product = ferment_store::products::get(&mut reader, id).await.unwrap();
            if product.data.price > 0 {
                priced += 1;
            }
        }
        assert_eq!(priced, items.len(), "{label}: every product has its price");
        let office = ferment_store::warehouses::list(&mut reader)
            .await
            .unwrap()
            .into_iter()
            .find(|w| w.data.name == "Склад образцов (офис)")
            .unwrap_or_else(|| panic!("{label}: the office store"));
        assert_eq!(office.data.kind.code(), "office_samples");
        let office_stock =
            ferment_store::warehouses::stock(&mut reader, Some(office.meta.id), None)
                .await
                .unwrap();
        assert!(!office_stock.is_empty(), "{label}: the office sample stock");
        drop(reader);
        onec.shutdown().await;
    }
}
