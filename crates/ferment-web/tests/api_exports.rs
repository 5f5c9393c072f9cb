//! Spreadsheet exports of the lists, through the API and the pages, on SQLite and PostgreSQL:
//! exactly the filtered records, only the user's scope, cost columns only with `see_costs`, XLSX
//! that LibreOffice opens and calamine reads as numbers, CSV for Russian Excel.
//!
//! The LibreOffice check needs `soffice`; without it the check prints a note and is skipped, unless
//! `FERMENT_REQUIRE_SERVICES=1` (the README's test command and CI), where it fails.

mod common;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use common::pages::Browser;
use common::{TestApp, spawn_apps};
use reqwest::Method;
use serde_json::{Value, json};

/// A download: status, headers and bytes.
struct Download {
    status: u16,
    content_type: String,
    disposition: String,
    bytes: Vec<u8>,
}

impl Download {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }

    /// The CSV's rows (after the BOM), split at `;`.
    fn csv_rows(&self) -> Vec<Vec<String>> {
        assert!(
            self.bytes.starts_with(&[0xEF, 0xBB, 0xBF]),
            "a UTF-8 BOM first"
        );
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(b';')
            .has_headers(false)
            .from_reader(&self.bytes[3..]);
        reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect()
    }

    /// The XLSX's first sheet.
    fn sheet(&self) -> calamine::Range<Data> {
        let mut workbook: Xlsx<_> =
            open_workbook_from_rs(std::io::Cursor::new(self.bytes.clone())).expect("an XLSX");
        let name = workbook.sheet_names()[0].clone();
        workbook.worksheet_range(&name).expect("the sheet")
    }
}

async fn download(app: &TestApp, token: &str, path: &str) -> Download {
    let response = app.send_as(token, Method::GET, path, None).await;
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let (content_type, disposition) = (header("content-type"), header("content-disposition"));
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("body").to_vec();
    Download {
        status,
        content_type,
        disposition,
        bytes,
    }
}

fn headers(sheet: &calamine::Range<Data>) -> Vec<String> {
    (0..sheet.width())
        .map(|c| sheet.get((0, c)).map(|d| d.to_string()).unwrap_or_default())
        .collect()
}

fn column(sheet: &calamine::Range<Data>, header: &str) -> usize {
    headers(sheet)
        .iter()
        .position(|h| h == header)
        .unwrap_or_else(|| panic!("column {header} in {:?}", headers(sheet)))
}

/// Converts an XLSX with LibreOffice to CSV and returns the text, or `None` (with a note) when
/// LibreOffice is missing and services are not required.
fn libreoffice_csv(bytes: &[u8], label: &str) -> Option<String> {
    let found = std::process::Command::new("soffice")
        .arg("--version")
        .output()
        .is_ok();
    if !found {
        if std::env::var("FERMENT_REQUIRE_SERVICES").as_deref() == Ok("1") {
            panic!("soffice is not installed but FERMENT_REQUIRE_SERVICES=1");
        }
        eprintln!("note: soffice not found, the LibreOffice check is skipped");
        return None;
    }
    let dir = std::env::temp_dir().join(format!("ferment-export-{label}-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("export.xlsx");
    std::fs::write(&input, bytes).unwrap();
    let profile = format!("file://{}", dir.join("profile").display());
    let output = std::process::Command::new("soffice")
        .arg(format!("-env:UserInstallation={profile}"))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            // UTF-8 (76), cells as shown (the last `true`): the number formats are checked too
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true",
            "--outdir",
        ])
        .arg(dir.join("out"))
        .arg(&input)
        .output()
        .expect("running soffice");
    let text = std::fs::read_to_string(dir.join("out").join("export.csv")).unwrap_or_else(|_| {
        panic!(
            "LibreOffice converted nothing: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let _ = std::fs::remove_dir_all(&dir);
    Some(text)
}

#[tokio::test]
async fn exports_hold_the_filtered_visible_records_as_real_spreadsheets() {
    for app in spawn_apps().await {
        let label = app.label;
        let admin = app.admin_token.clone();
        let volga = app.territory("RU-VFD").await;
        let tatarstan = app.territory("RU-TA").await;
        let moscow = app.territory("RU-MOW").await;
        let (rm_id, rm) = app
            .api_user(
                "rm.volga",
                json!({"roles": ["regional_manager"], "territory_id": volga}),
            )
            .await;
        let (_, manager) = app.api_user("manager", json!({"roles": ["manager"]})).await;
        let (_, tech) = app
            .api_user("tech", json!({"roles": ["technologist"]}))
            .await;

        let kazan = app.created(&admin,
            "/api/v1/counterparties",
            json!({"name": "Казанский молкомбинат", "territory_id": tatarstan, "owner_id": rm_id,
                   "segment": "A", "inn": "7707083893", "tags": ["молоко", "ключевой"]}),
        )
        .await;
        app.created(
            &admin,
            "/api/v1/counterparties",
            json!({"name": "Волжская пекарня", "territory_id": volga, "segment": "B"}),
        )
        .await;
        let bakery = app
            .created(
                &admin,
                "/api/v1/counterparties",
                json!({"name": "Московская пекарня", "territory_id": moscow, "segment": "A"}),
            )
            .await;
        let product = app.created(&admin,
            "/api/v1/products",
            json!({"code": "P-1", "name": "Пектин", "unit": "kg", "vat_rate": "22", "price": "900"}),
        )
        .await;
        let kazan_sale = app
            .created(
                &rm,
                "/api/v1/sales",
                json!({"counterparty_id": kazan["id"], "title": "Пектин для йогурта",
                   "expected_close_date": "2026-12-15",
                   "lines": [{"product_id": product["id"], "quantity": "10", "unit_price": "1234.5",
                              "vat_rate": "22", "unit_cost": "500"}]}),
            )
            .await;
        app.created(
            &admin,
            "/api/v1/sales",
            json!({"counterparty_id": bakery["id"], "title": "Батоны",
                   "lines": [{"product_id": product["id"], "quantity": "1"}]}),
        )
        .await;
        app.created(&admin,
            &format!(
                "/api/v1/sales/{}/costs",
                kazan_sale["id"].as_str().unwrap()
            ),
            json!({"category": "samples", "amount": "1220", "vat_rate": "22", "spent_on": "2026-11-20"}),
        )
        .await;

        // Exactly the filtered records, in the list's order, with Russian headers.
        let file = download(
            &app,
            &admin,
            "/api/v1/counterparties/export?format=csv&segment=A",
        )
        .await;
        assert_eq!(file.status, 200, "{label}: {:?}", file.json());
        assert_eq!(file.content_type, "text/csv; charset=utf-8");
        assert!(
            file.disposition
                .contains("filename*=UTF-8''%D0%9A%D0%BE%D0%BD")
                && file.disposition.contains("filename=\"Kontragenty_")
                && file.disposition.starts_with("attachment;"),
            "{}",
            file.disposition
        );
        let rows = file.csv_rows();
        assert_eq!(rows[0][0], "Наименование");
        assert!(rows[0].contains(&"ИНН".to_string()) && rows[0].contains(&"Теги".to_string()));
        let names: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
        assert_eq!(names, vec!["Казанский молкомбинат", "Московская пекарня"]);
        assert!(
            rows[1].contains(&"молоко, ключевой".to_string()),
            "{:?}",
            rows[1]
        );
        // … and the same as the list with the same filter.
        let (_, list) = app
            .json(Method::GET, "/api/v1/counterparties?segment=A", None)
            .await;
        assert_eq!(list["items"].as_array().unwrap().len(), names.len());

        // A regional manager's export holds his territory's records, as his list does.
        let file = download(&app, &rm, "/api/v1/counterparties/export?format=csv").await;
        assert_eq!(file.status, 200);
        let mut names: Vec<String> = file.csv_rows()[1..].iter().map(|r| r[0].clone()).collect();
        names.sort();
        assert_eq!(names, vec!["Волжская пекарня", "Казанский молкомбинат"]);
        let (_, list) = app
            .json_as(&rm, Method::GET, "/api/v1/counterparties", None)
            .await;
        assert_eq!(list["items"].as_array().unwrap().len(), 2);
        let file = download(&app, &rm, "/api/v1/sales/export?format=xlsx").await;
        let sheet = file.sheet();
        assert_eq!(sheet.height(), 2, "{label}: a header and his one sale");

        // XLSX: amounts are numeric cells in roubles, dates are date cells; with see_costs (the
        // admin) the margin columns are there.
        let file = download(&app, &admin, "/api/v1/sales/export?format=xlsx&q=Пектин").await;
        assert_eq!(file.status, 200, "{:?}", file.json());
        assert_eq!(
            file.content_type,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert!(file.disposition.contains(".xlsx"), "{}", file.disposition);
        let sheet = file.sheet();
        assert_eq!(sheet.height(), 2, "only the sale found by q");
        let amount = column(&sheet, "Сумма с НДС");
        assert_eq!(sheet.get((1, amount)), Some(&Data::Float(12345.0)));
        let vat = column(&sheet, "НДС");
        assert_eq!(sheet.get((1, vat)), Some(&Data::Float(2226.15)));
        let close = column(&sheet, "Ожидаемое закрытие");
        assert!(
            matches!(sheet.get((1, close)), Some(Data::DateTime(_))),
            "{:?}",
            sheet.get((1, close))
        );
        // revenue 12345 − 2226.15 = 10118.85; goods 10 × 500 = 5000; costs 1220 − 220 = 1000
        let margin = column(&sheet, "Маржа");
        assert_eq!(sheet.get((1, margin)), Some(&Data::Float(4118.85)));
        assert_eq!(
            sheet.get((1, column(&sheet, "Клиент"))),
            Some(&Data::String("Казанский молкомбинат".into()))
        );
        if let Some(text) = libreoffice_csv(&file.bytes, label) {
            assert!(text.contains("Пектин для йогурта"), "{text}");
            assert!(text.contains("Казанский молкомбинат"), "{text}");
            assert!(text.contains("\"12,345.00\""), "money as shown: {text}");
            assert!(text.contains("\"4,118.85\""), "the margin as shown: {text}");
            assert!(text.contains(",15.12.2026,"), "a date as shown: {text}");
        }

        // Without see_costs (a manager) the cost and margin columns are left out entirely.
        let file = download(&app, &manager, "/api/v1/sales/export?format=xlsx").await;
        assert_eq!(file.status, 200);
        let sheet = file.sheet();
        let names = headers(&sheet);
        assert!(names.contains(&"Сумма с НДС".to_string()), "{names:?}");
        for hidden in ["Маржа", "Себестоимость товаров", "Затраты без НДС"]
        {
            assert!(!names.contains(&hidden.to_string()), "{names:?}");
        }
        assert_eq!(sheet.height(), 3, "both sales");

        // CSV of sales: decimal comma, Russian dates, `;`.
        let file = download(&app, &admin, "/api/v1/sales/export?format=csv&q=Пектин").await;
        let rows = file.csv_rows();
        let amount = rows[0].iter().position(|h| h == "Сумма с НДС").unwrap();
        assert_eq!(rows[1][amount], "12345,00");
        assert!(rows[1].contains(&"15.12.2026".to_string()), "{:?}", rows[1]);

        // English headers for an English user.
        let response = app
            .client
            .get(format!("{}/api/v1/tasks/export?format=csv", app.base))
            .bearer_auth(&rm)
            .header("accept-language", "en")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let text = response.text().await.unwrap();
        assert!(text.starts_with("\u{feff}Task;Kind;Sale;"), "{text}");

        // Tasks with the list's filters: the regional manager's open tasks are his sale's.
        let file = download(
            &app,
            &rm,
            "/api/v1/tasks/export?format=csv&assignee=me&status=open",
        )
        .await;
        assert_eq!(file.status, 200, "{:?}", file.json());
        let rows = file.csv_rows();
        assert_eq!(rows[0][0], "Задача");
        let (_, list) = app
            .json_as(
                &rm,
                Method::GET,
                "/api/v1/tasks?assignee=me&status=open",
                None,
            )
            .await;
        assert_eq!(rows.len() - 1, list["items"].as_array().unwrap().len());

        // Bad format and bad filters: 422 naming each.
        let file = download(&app, &admin, "/api/v1/counterparties/export?format=pdf").await;
        assert_eq!(file.status, 422);
        assert_eq!(
            file.json()["errors"][0]["field"],
            "format",
            "{:?}",
            file.json()
        );
        let file = download(
            &app,
            &admin,
            "/api/v1/counterparties/export?format=xml&segment=Z",
        )
        .await;
        assert_eq!(file.status, 422);
        let fields: Vec<String> = file.json()["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(fields, vec!["format", "segment"]);
        let file = download(&app, &admin, "/api/v1/tasks/export?due=someday").await;
        assert_eq!(file.status, 422);
        assert_eq!(file.json()["errors"][0]["field"], "due");
        let file = download(&app, &admin, "/api/v1/sales/export?status=maybe").await;
        assert_eq!(file.json()["errors"][0]["field"], "status");

        // Who may not export gets 403; anonymous 401.
        let file = download(&app, &tech, "/api/v1/counterparties/export").await;
        assert_eq!(file.status, 403);
        let file = download(&app, "", "/api/v1/sales/export").await;
        assert_eq!(file.status, 401);

        // The OpenAPI document names the endpoints.
        let (_, doc) = app.json(Method::GET, "/api/v1/openapi.json", None).await;
        for path in ["/counterparties/export", "/sales/export", "/tasks/export"] {
            assert!(doc["paths"][path]["get"].is_object(), "{path}");
        }
    }
}

#[tokio::test]
async fn the_list_pages_offer_exports_with_their_filters() {
    for app in spawn_apps().await {
        let admin = app.admin_token.clone();
        for (name, segment) in [("Альфа", "A"), ("Бета", "B")] {
            app.created(
                &admin,
                "/api/v1/counterparties",
                json!({"name": name, "segment": segment}),
            )
            .await;
        }
        let browser = Browser::new(&app);
        browser.sign_in().await;
        let page = browser.get("/counterparties?segment=A").await;
        assert_eq!(page.status, 200);
        assert!(
            page.body
                .contains("/counterparties/export?format=xlsx&#38;segment=A"),
            "{}",
            page.body
        );
        let file = browser
            .get("/counterparties/export?format=csv&segment=A")
            .await;
        assert_eq!(file.status, 200);
        assert!(file.body.starts_with('\u{feff}'));
        assert!(file.body.contains("Альфа") && !file.body.contains("Бета"));
        let bad = browser.get("/counterparties/export?format=doc").await;
        assert_eq!(bad.status, 422);

        let page = browser.get("/sales?view=list&state=open&mine=1").await;
        assert!(
            page.body
                .contains("/sales/export?format=csv&#38;status=open&#38;owner_id=me"),
            "{}",
            page.body
        );
        let file = browser
            .get("/sales/export?format=xlsx&status=open&owner_id=me")
            .await;
        assert_eq!(file.status, 200);
        let page = browser.get("/tasks").await;
        assert!(
            page.body
                .contains("/tasks/export?format=xlsx&#38;assignee=me&#38;status=open"),
            "{}",
            page.body
        );
        let file = browser
            .get("/tasks/export?format=csv&assignee=me&status=open")
            .await;
        assert_eq!(file.status, 200);
        assert!(file.body.starts_with("\u{feff}Задача;"), "{}", file.body);

        // A user who may not export sees no links.
        app.token_for("tech", &["technologist"]).await;
        let tech = Browser::new(&app);
        tech.sign_in_as("tech").await;
        let page = tech.get("/counterparties").await;
        assert_eq!(page.status, 200);
        assert!(!page.body.contains("id=\"export\""));
    }
}
