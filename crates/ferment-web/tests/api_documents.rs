//! Documents through the API on SQLite and PostgreSQL: every shipped kind generated for a sale in
//! PDF and DOCX and read back with real tools (pdftotext, LibreOffice); numbering (new versions
//! keep the number, no gaps or duplicates under concurrent generation); template editing with
//! refusals that name the line; the sandbox; the company's requisites; access.

mod common;

use common::tools::{docx_text, pdf_text, squeeze};
use common::{TestApp, fields, spawn_apps};
use reqwest::Method;
use serde_json::{Value, json};

fn messages(problem: &Value) -> String {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["message"].as_str().unwrap_or_default().to_string())
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .unwrap_or_default()
}

async fn post(app: &TestApp, path: &str, body: Value) -> Value {
    let (status, answer) = app.json(Method::POST, path, Some(body)).await;
    assert!(
        status == 201 || status == 200,
        "{} POST {path}: {status} {answer}",
        app.label
    );
    answer
}

/// The company, a client with requisites and a contact, three products and a sale with a line at
/// each of two VAT rates. Returns the sale's id.
async fn sale(app: &TestApp) -> (String, String) {
    let (status, company) = app
        .json(
            Method::PUT,
            "/api/v1/company",
            Some(json!({
                "name": "ООО «Ферментум»", "inn": "7707083893", "kpp": "770701001",
                "ogrn": "1027700132195", "legal_address": "123112, г. Москва, Пресненская наб., д. 12",
                "bik": "044525225", "bank_name": "ПАО СБЕРБАНК",
                "correspondent_account": "30101810400000000225", "account": "40702810938000012345",
                "director_name": "Соколов Андрей Викторович", "accountant_name": "Белова Марина Сергеевна"
            })),
        )
        .await;
    assert_eq!(status, 200, "{company}");
    let client = post(
        app,
        "/api/v1/counterparties",
        json!({"kind": "legal_entity", "name": "Молочный комбинат «Заря»", "inn": "5003052454",
               "kpp": "500301001", "legal_address": "142700, Московская обл., г. Видное, ул. Заводская, д. 1"}),
    )
    .await;
    let client_id = client["id"].as_str().unwrap().to_string();
    let contact = post(
        app,
        "/api/v1/contacts",
        json!({"full_name": "Кузнецова Ольга Петровна", "position": "Главный технолог",
               "counterparty_id": client_id, "emails": ["kuznetsova@zarya.ru"]}),
    )
    .await;
    let mut products = Vec::new();
    for (code, name, vat) in [
        ("ZK-1", "Закваска Z-1", "20"),
        ("KR-2", "Каррагинан К-2", "20"),
        ("SM-3", "Молоко сухое М-3", "10"),
    ] {
        let product = post(
            app,
            "/api/v1/products",
            json!({"code": code, "name": name, "unit": "kg", "vat_rate": vat, "price": "100"}),
        )
        .await;
        products.push(product["id"].as_str().unwrap().to_string());
    }
    let sale = post(
        app,
        "/api/v1/sales",
        json!({
            "counterparty_id": client_id, "contact_id": contact["id"], "title": "Йогурты 2027",
            "delivery_terms": "Самовывоз со склада в Подольске",
            "lines": [
                {"product_id": products[0], "quantity": "120", "unit_price": "1850", "vat_rate": "20"},
                {"product_id": products[1], "quantity": "250.5", "unit_price": "642.40", "vat_rate": "20"},
                {"product_id": products[2], "quantity": "1000", "unit_price": "389.90", "vat_rate": "10"}
            ]
        }),
    )
    .await;
    (sale["id"].as_str().unwrap().to_string(), client_id)
}

async fn download(app: &TestApp, document: &Value) -> (String, String, Vec<u8>) {
    let response = app
        .send(Method::GET, document["url"].as_str().unwrap(), None)
        .await;
    assert_eq!(response.status(), 200, "{}", app.label);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    (
        content_type,
        disposition,
        response.bytes().await.unwrap().to_vec(),
    )
}

/// What every shipped document must hold for the test sale.
fn assert_holds(label: &str, kind: &str, text: &str) {
    let text = squeeze(text);
    for expected in [
        "Молочный комбинат «Заря»",
        "5003052454",
        "Закваска Z-1",
        "Каррагинан К-2",
        "Молоко сухое М-3",
        "772 821,20",
        "99 265,65",
        "Семьсот семьдесят две тысячи восемьсот двадцать один рубль 20 копеек",
    ] {
        assert!(
            text.contains(expected),
            "{label} {kind}: «{expected}» missing in:\n{text}"
        );
    }
    assert!(
        text.contains("20%") || text.contains("20 %"),
        "{label} {kind}: the VAT rate is missing in:\n{text}"
    );
}

#[tokio::test]
async fn every_shipped_document_comes_out_as_pdf_and_docx_with_the_sale_in_it() {
    for app in spawn_apps().await {
        let (sale_id, client_id) = sale(&app).await;
        let (status, kinds) = app.json(Method::GET, "/api/v1/document-kinds", None).await;
        assert_eq!(status, 200, "{kinds}");
        let codes: Vec<&str> = kinds["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["code"].as_str().unwrap())
            .collect();
        assert_eq!(
            codes,
            [
                "preliminary_kp",
                "kp",
                "contract",
                "specification",
                "contract_and_specification",
                "invoice",
                "info_letter"
            ],
            "{}",
            app.label
        );
        for kind in codes {
            let pdf = post(
                &app,
                &format!("/api/v1/sales/{sale_id}/documents"),
                json!({"kind": kind, "format": "pdf"}),
            )
            .await;
            assert_eq!(pdf["kind"], kind);
            assert_eq!(pdf["version"], 1);
            let (content_type, disposition, bytes) = download(&app, &pdf).await;
            assert_eq!(content_type, "application/pdf");
            assert!(disposition.starts_with("attachment"), "{disposition}");
            assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");
            assert!(bytes.starts_with(b"%PDF"), "{} {kind}", app.label);
            if let Some(text) = pdf_text(&bytes) {
                assert_holds(app.label, kind, &text);
                assert!(
                    squeeze(&text).contains(pdf["number"].as_str().unwrap()),
                    "{} {kind}: the number {} is missing",
                    app.label,
                    pdf["number"]
                );
            }
            let docx = post(
                &app,
                &format!("/api/v1/sales/{sale_id}/documents"),
                json!({"kind": kind, "format": "docx"}),
            )
            .await;
            assert_eq!(
                docx["number"], pdf["number"],
                "PDF and DOCX share the number"
            );
            let (content_type, _, bytes) = download(&app, &docx).await;
            assert_eq!(
                content_type,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            );
            assert!(bytes.starts_with(b"PK"), "{} {kind}: not a zip", app.label);
            if let Some(text) = docx_text(&bytes) {
                assert_holds(app.label, kind, &text);
            }
        }
        // The invoice carries the company's bank details and the words of the sum.
        let (_, list) = app
            .json(
                Method::GET,
                &format!("/api/v1/sales/{sale_id}/documents"),
                None,
            )
            .await;
        assert_eq!(list["items"].as_array().unwrap().len(), 14);
        let (_, on_client) = app
            .json(
                Method::GET,
                &format!("/api/v1/counterparties/{client_id}/documents"),
                None,
            )
            .await;
        assert_eq!(on_client["items"].as_array().unwrap().len(), 14);
        let invoice = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["kind"] == "invoice" && d["format"] == "pdf")
            .unwrap()
            .clone();
        let (_, _, bytes) = download(&app, &invoice).await;
        if let Some(text) = pdf_text(&bytes) {
            let text = squeeze(&text);
            for expected in [
                "ООО «Ферментум»",
                "7707083893",
                "044525225",
                "40702810938000012345",
            ] {
                assert!(
                    text.contains(expected),
                    "invoice: «{expected}» missing in:\n{text}"
                );
            }
        }
    }
}

#[tokio::test]
async fn numbers_are_kept_by_new_versions_and_never_skip_or_repeat() {
    for app in spawn_apps().await {
        let (sale_id, _) = sale(&app).await;
        let path = format!("/api/v1/sales/{sale_id}/documents");
        let first = post(&app, &path, json!({"kind": "kp", "format": "pdf"})).await;
        let year = chrono::Datelike::year(&chrono::Utc::now());
        assert_eq!(first["number"], format!("КП-{year}-1"), "{}", app.label);
        let again = post(&app, &path, json!({"kind": "kp", "format": "pdf"})).await;
        assert_eq!(again["number"], first["number"]);
        assert_eq!(again["version"], 2);
        assert_ne!(again["id"], first["id"]);
        let fresh = post(
            &app,
            &path,
            json!({"kind": "kp", "format": "pdf", "new_number": true}),
        )
        .await;
        assert_eq!(fresh["number"], format!("КП-{year}-2"));
        assert_eq!(fresh["version"], 1);

        // Twelve invoices at once: twelve numbers, 1 to 12.
        let mut handles = Vec::new();
        for _ in 0..12 {
            let client = app.client.clone();
            let url = format!("{}{path}", app.base);
            let token = app.admin_token.clone();
            handles.push(tokio::spawn(async move {
                let response = client
                    .post(url)
                    .bearer_auth(token)
                    .json(&json!({"kind": "invoice", "format": "pdf", "new_number": true}))
                    .send()
                    .await
                    .expect("request");
                let status = response.status().as_u16();
                let body: Value = response.json().await.unwrap_or(Value::Null);
                (status, body)
            }));
        }
        let mut numbers = Vec::new();
        for handle in handles {
            let (status, body) = handle.await.unwrap();
            assert_eq!(status, 201, "{} {body}", app.label);
            numbers.push(body["number"].as_str().unwrap().parse::<i64>().unwrap());
        }
        numbers.sort();
        assert_eq!(numbers, (1..=12).collect::<Vec<_>>(), "{}", app.label);

        // A refused generation uses no number.
        let (status, problem) = app
            .json(
                Method::POST,
                &path,
                Some(json!({"kind": "invoice", "format": "odt"})),
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), ["format"]);
        let (status, problem) = app
            .json(
                Method::POST,
                &path,
                Some(json!({"kind": "nonsense", "format": "pdf"})),
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), ["kind"]);
        let next = post(
            &app,
            &path,
            json!({"kind": "invoice", "format": "pdf", "new_number": true}),
        )
        .await;
        assert_eq!(next["number"], "13");

        // The prefix is the administrator's.
        let (status, kind) = app
            .json(
                Method::PATCH,
                "/api/v1/document-kinds/invoice",
                Some(json!({"name_ru": "Счет на оплату", "prefix": "СЧ/{year}/", "version": 1})),
            )
            .await;
        assert_eq!(status, 200, "{kind}");
        let prefixed = post(
            &app,
            &path,
            json!({"kind": "invoice", "format": "pdf", "new_number": true}),
        )
        .await;
        assert_eq!(prefixed["number"], format!("СЧ/{year}/14"));
        let (status, _) = app
            .json(
                Method::PATCH,
                "/api/v1/document-kinds/invoice",
                Some(json!({"name_ru": "Счет", "prefix": "", "version": 1})),
            )
            .await;
        assert_eq!(status, 409, "a stale version changes nothing");
    }
}

#[tokio::test]
async fn templates_are_checked_versioned_and_used_at_once() {
    for app in spawn_apps().await {
        let (sale_id, _) = sale(&app).await;
        let (status, versions) = app
            .json(
                Method::GET,
                "/api/v1/document-kinds/kp/templates/text",
                None,
            )
            .await;
        assert_eq!(status, 200, "{versions}");
        let shipped = versions["items"][0]["source"].as_str().unwrap().to_string();
        assert_eq!(versions["items"][0]["version"], 1);

        // An unknown field and a syntax error are refused with their line.
        let bad = "= Предложение\n\nИНН: {{ client.innn }}\n";
        let (status, problem) = app
            .json(
                Method::POST,
                "/api/v1/document-kinds/kp/templates/text",
                Some(json!({"source": bad})),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(fields(&problem), ["source:3"], "{problem}");
        assert!(messages(&problem).contains("client.innn"), "{problem}");
        let broken = "= Предложение\n{% for line in lines %}\n{{ line.product }}\n";
        let (status, problem) = app
            .json(
                Method::POST,
                "/api/v1/document-kinds/kp/check",
                Some(json!({"source": broken})),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        assert!(fields(&problem)[0].starts_with("source"), "{problem}");

        // No file, no environment: the sandbox refuses.
        for escape in [
            "{% include \"/etc/passwd\" %}",
            "#read(\"/etc/passwd\")",
            "#image(\"/etc/passwd\")",
            "{{ env.HOME }}",
        ] {
            let (status, problem) = app
                .json(
                    Method::POST,
                    "/api/v1/document-kinds/kp/check",
                    Some(json!({"source": escape})),
                )
                .await;
            assert_eq!(status, 422, "{escape}: {problem}");
        }
        let (_, still) = app
            .json(
                Method::GET,
                "/api/v1/document-kinds/kp/templates/text",
                None,
            )
            .await;
        assert_eq!(still["items"].as_array().unwrap().len(), 1, "nothing saved");

        // A changed heading is used by the next generation.
        let source = format!("= Особое предложение для {{{{ client.name }}}}\n\n{shipped}");
        let saved = post(
            &app,
            "/api/v1/document-kinds/kp/templates/text",
            json!({"source": source, "comment": "заголовок"}),
        )
        .await;
        assert_eq!(saved["version"], 2);
        // The kinds list names each kind's template in use: the newest version of each format.
        let (_, kinds) = app.json(Method::GET, "/api/v1/document-kinds", None).await;
        let kp = kinds["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["code"] == "kp")
            .unwrap();
        assert_eq!(kp["text_template"]["version"], 2, "{kp}");
        assert_eq!(kp["text_template"]["id"], saved["id"], "{kp}");
        assert_eq!(kp["docx_template"]["version"], 1, "{kp}");
        let document = post(
            &app,
            &format!("/api/v1/sales/{sale_id}/documents"),
            json!({"kind": "kp", "format": "pdf"}),
        )
        .await;
        assert_eq!(document["template_id"], saved["id"]);
        let (_, _, bytes) = download(&app, &document).await;
        if let Some(text) = pdf_text(&bytes) {
            assert!(
                squeeze(&text).contains("Особое предложение для Молочный комбинат «Заря»"),
                "{text}"
            );
        }

        // The preview renders a draft for the sale without storing anything.
        let response = app
            .send(
                Method::POST,
                "/api/v1/document-kinds/kp/preview",
                Some(json!({"source": "= Черновик {{ document.number }} для {{ client.inn }}", "sale_id": sale_id})),
            )
            .await;
        assert_eq!(response.status(), 200);
        let bytes = response.bytes().await.unwrap();
        if let Some(text) = pdf_text(&bytes) {
            assert!(squeeze(&text).contains("для 5003052454"), "{text}");
        }
        let (_, list) = app
            .json(
                Method::GET,
                &format!("/api/v1/sales/{sale_id}/documents"),
                None,
            )
            .await;
        assert_eq!(list["items"].as_array().unwrap().len(), 1);

        // A Word template: the shipped one can be downloaded and uploaded back as a new version;
        // something that is not a .docx is refused.
        let (_, docx_versions) = app
            .json(
                Method::GET,
                "/api/v1/document-kinds/kp/templates/docx",
                None,
            )
            .await;
        let file_url = docx_versions["items"][0]["file_url"].as_str().unwrap();
        let response = app.send(Method::GET, file_url, None).await;
        assert_eq!(response.status(), 200);
        let template = response.bytes().await.unwrap().to_vec();
        let upload = |bytes: Vec<u8>| {
            app.client
                .post(format!(
                    "{}/api/v1/document-kinds/kp/templates/docx?file_name=kp.docx&comment=test",
                    app.base
                ))
                .bearer_auth(&app.admin_token)
                .header(
                    "content-type",
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                )
                .body(bytes)
                .send()
        };
        let response = upload(b"not a word file".to_vec()).await.unwrap();
        assert_eq!(response.status(), 422);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(fields(&problem)[0], "file", "{problem}");
        let response = upload(template).await.unwrap();
        assert_eq!(response.status(), 201);
        let (_, docx_versions) = app
            .json(
                Method::GET,
                "/api/v1/document-kinds/kp/templates/docx",
                None,
            )
            .await;
        assert_eq!(docx_versions["items"].as_array().unwrap().len(), 2);

        // A custom kind: added, templated, generated.
        let kind = post(
            &app,
            "/api/v1/document-kinds",
            json!({"code": "quality_letter", "name_ru": "Письмо о качестве", "prefix": "ПК-"}),
        )
        .await;
        assert_eq!(kind["shipped"], false);
        let (status, problem) = app
            .json(
                Method::POST,
                &format!("/api/v1/sales/{sale_id}/documents"),
                Some(json!({"kind": "quality_letter", "format": "pdf"})),
            )
            .await;
        assert_eq!(status, 422, "no template yet: {problem}");
        post(
            &app,
            "/api/v1/document-kinds/quality_letter/templates/text",
            json!({"source": "= {{ document.title }} № {{ document.number }}\n\nДля {{ client.name }}: {{ totals.amount_words }}"}),
        )
        .await;
        let letter = post(
            &app,
            &format!("/api/v1/sales/{sale_id}/documents"),
            json!({"kind": "quality_letter", "format": "pdf"}),
        )
        .await;
        assert_eq!(letter["number"], "ПК-1");
        let (status, problem) = app
            .json(
                Method::POST,
                "/api/v1/document-kinds",
                Some(json!({"code": "quality_letter", "name_ru": "Дубль"})),
            )
            .await;
        assert_eq!(status, 409, "{problem}");
        let (status, problem) = app
            .json(
                Method::POST,
                "/api/v1/document-kinds",
                Some(json!({"code": "Плохой код", "name_ru": ""})),
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), ["code", "name_ru"]);
    }
}

#[tokio::test]
async fn the_company_is_validated_and_documents_follow_access() {
    for app in spawn_apps().await {
        let (sale_id, client_id) = sale(&app).await;
        let (status, problem) = app
            .json(
                Method::PUT,
                "/api/v1/company",
                Some(
                    json!({"name": "ООО «Ферментум»", "inn": "7707083890", "bik": "044525225",
                            "bank_name": "Банк", "account": "40702810938000012346"}),
                ),
            )
            .await;
        assert_eq!(status, 422);
        let mut found = fields(&problem);
        found.sort();
        assert_eq!(found, ["account", "inn"], "{problem}");
        let (_, company) = app.json(Method::GET, "/api/v1/company", None).await;
        assert_eq!(company["inn"], "7707083893", "nothing changed");

        // An image must be PNG or JPEG.
        let response = app
            .client
            .put(format!("{}/api/v1/company/images/logo", app.base))
            .bearer_auth(&app.admin_token)
            .body("<svg/>")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422);
        let png: &[u8] = &[
            0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48,
            0x44, 0x52, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00,
            0x00, 0xFD, 0xD4, 0x9A, 0x73, 0x00, 0x00, 0x00, 0x11, 0x49, 0x44, 0x41, 0x54, 0x78,
            0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xC0, 0xF0, 0x1F, 0x8C, 0x80, 0x18, 0x00, 0x1D, 0xF0,
            0x03, 0xFD, 0xD3, 0xD0, 0x7D, 0x26, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44,
            0xAE, 0x42, 0x60, 0x82,
        ];
        // Too large: refused with the reason, not cut off by the server.
        let mut large = png.to_vec();
        large.resize(2 * 1024 * 1024 + 10, 0);
        let response = app
            .client
            .put(format!("{}/api/v1/company/images/stamp", app.base))
            .bearer_auth(&app.admin_token)
            .body(large)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(fields(&problem), ["stamp"], "{problem}");
        // A PNG whose data is damaged is refused too (it would break every document).
        let mut damaged = png.to_vec();
        damaged[45] ^= 0xFF;
        let response = app
            .client
            .put(format!("{}/api/v1/company/images/logo", app.base))
            .bearer_auth(&app.admin_token)
            .body(damaged)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422);
        let response = app
            .client
            .put(format!("{}/api/v1/company/images/logo", app.base))
            .bearer_auth(&app.admin_token)
            .body(png.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        // The logo is placed on the proposal, which still renders.
        post(
            &app,
            &format!("/api/v1/sales/{sale_id}/documents"),
            json!({"kind": "kp", "format": "pdf"}),
        )
        .await;
        post(
            &app,
            &format!("/api/v1/sales/{sale_id}/documents"),
            json!({"kind": "kp", "format": "docx"}),
        )
        .await;

        // A regional manager of another territory sees neither the sale's documents nor the files.
        let volga = app.territory("RU-VFD").await;
        let (_, stranger) = app
            .api_user(
                "rm.volga",
                json!({"roles": ["regional_manager"], "territory_id": volga}),
            )
            .await;
        let (_, list) = app
            .json(
                Method::GET,
                &format!("/api/v1/sales/{sale_id}/documents"),
                None,
            )
            .await;
        let url = list["items"][0]["url"].as_str().unwrap().to_string();
        let (status, _) = app
            .json_as(
                &stranger,
                Method::GET,
                &format!("/api/v1/sales/{sale_id}/documents"),
                None,
            )
            .await;
        assert_eq!(status, 404);
        let (status, _) = app.json_as(&stranger, Method::GET, &url, None).await;
        assert_eq!(status, 404);
        let (status, _) = app
            .json_as(
                &stranger,
                Method::POST,
                &format!("/api/v1/sales/{sale_id}/documents"),
                Some(json!({"kind": "kp", "format": "pdf"})),
            )
            .await;
        assert_eq!(status, 404);
        let (status, _) = app
            .json_as(
                &stranger,
                Method::GET,
                &format!("/api/v1/counterparties/{client_id}/documents"),
                None,
            )
            .await;
        assert_eq!(status, 404);
        // A technologist reads documents but does not make them.
        let technologist = app.token_for("tech", &["technologist"]).await;
        let (status, _) = app.json_as(&technologist, Method::GET, &url, None).await;
        assert_eq!(status, 200);
        let (status, _) = app
            .json_as(
                &technologist,
                Method::POST,
                &format!("/api/v1/sales/{sale_id}/documents"),
                Some(json!({"kind": "kp", "format": "pdf"})),
            )
            .await;
        assert_eq!(status, 403);
        // Nor may a manager change templates or the company.
        let (status, _) = app
            .json_as(
                &stranger,
                Method::POST,
                "/api/v1/document-kinds/kp/templates/text",
                Some(json!({"source": "= x"})),
            )
            .await;
        assert_eq!(status, 403);
        let (status, _) = app
            .json_as(
                &stranger,
                Method::PUT,
                "/api/v1/company",
                Some(json!({"name": "x"})),
            )
            .await;
        assert_eq!(status, 403);
        // The palette lists the fields.
        let (status, palette) = app
            .json_as(&stranger, Method::GET, "/api/v1/document-fields", None)
            .await;
        assert_eq!(status, 200);
        let paths: Vec<&str> = palette["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap())
            .collect();
        for path in ["client.inn", "totals.amount_words", "document.date_words"] {
            assert!(paths.contains(&path), "{path} not in {paths:?}");
        }
    }
}
