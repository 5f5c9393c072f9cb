//! Documents in the pages (no JavaScript): the sale card generates and lists documents, the task
//! that asks for a proposal offers it, the client's card lists them; the administration pages
//! edit kinds, check and save templates (with the line of a problem beside the text), upload Word
//! templates and the company's images as forms with their CSRF token, and refuse users without
//! the `edit_templates` right.

mod common;

use common::pages::Browser;
use common::spawn_apps;
use reqwest::Method;
use serde_json::{Value, json};

async fn sale(app: &common::TestApp) -> (String, String) {
    let post = |path: &'static str, body: Value| async move {
        let (status, answer) = app.json(Method::POST, path, Some(body)).await;
        assert_eq!(status, 201, "{path}: {answer}");
        answer
    };
    let client = post(
        "/api/v1/counterparties",
        json!({"name": "Кондитерская фабрика «Ласточка»", "inn": "5003052454", "kpp": "500301001"}),
    )
    .await;
    let product = post(
        "/api/v1/products",
        json!({"code": "PC-1", "name": "Пектин яблочный", "unit": "kg", "vat_rate": "20", "price": "900"}),
    )
    .await;
    let sale = post(
        "/api/v1/sales",
        json!({"counterparty_id": client["id"], "title": "Пектин для мармелада",
               "lines": [{"product_id": product["id"], "quantity": "50", "unit_price": "900", "vat_rate": "20"}]}),
    )
    .await;
    (
        sale["id"].as_str().unwrap().to_string(),
        client["id"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn the_sale_card_generates_documents_and_the_client_card_lists_them() {
    for app in spawn_apps().await {
        let (sale_id, client_id) = sale(&app).await;
        let browser = Browser::new(&app);
        browser.sign_in().await;
        let card = browser.get(&format!("/sales/{sale_id}")).await;
        assert_eq!(card.status, 200);
        assert!(card.body.contains("id=\"generate-form\""), "{}", app.label);
        assert!(
            card.body
                .contains("<option value=\"invoice\">Счет на оплату</option>")
        );
        let csrf = card.csrf();

        let done = browser
            .post(
                &format!("/sales/{sale_id}/documents"),
                &[("_csrf", &csrf), ("kind", "invoice"), ("format", "pdf")],
            )
            .await;
        assert_eq!(done.status, 303, "{}", done.body);
        assert!(
            done.location.contains("done=generated"),
            "{}",
            done.location
        );
        let card = browser.get(&done.location).await;
        let list = card.element("document-list").unwrap_or_default();
        assert!(card.body.contains("Документ сформирован"));
        assert!(card.body.contains("Счет на оплату"), "{list}");
        let link = card
            .body
            .split("href=\"/documents/")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .map(|rest| format!("/documents/{rest}"))
            .expect("a download link");
        let anonymous = Browser::new(&app).get(&link).await;
        assert_eq!(anonymous.status, 303, "not without a session");
        assert!(
            anonymous.location.starts_with("/login"),
            "{}",
            anonymous.location
        );
        let response = app
            .client
            .get(format!("{}{link}", app.base))
            .bearer_auth(&app.admin_token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/pdf");

        // A refused generation comes back on the card with the reason.
        let refused = browser
            .post(
                &format!("/sales/{sale_id}/documents"),
                &[("_csrf", &csrf), ("kind", "nonsense"), ("format", "pdf")],
            )
            .await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("id=\"form-notice\""));
        // Without the CSRF token nothing happens.
        let forged = browser
            .post(
                &format!("/sales/{sale_id}/documents"),
                &[("kind", "invoice"), ("format", "pdf")],
            )
            .await;
        assert_eq!(forged.status, 403);

        // The task that asks for the preliminary proposal offers it.
        let (status, moved) = app
            .json(
                Method::POST,
                &format!("/api/v1/sales/{sale_id}/stage"),
                Some(json!({"stage": "preliminary_kp"})),
            )
            .await;
        assert_eq!(status, 200, "{moved}");
        let card = browser.get(&format!("/sales/{sale_id}")).await;
        assert!(
            card.body.contains("data-generate=\"preliminary_kp\""),
            "{}: the task's document button",
            app.label
        );

        let client = browser.get(&format!("/counterparties/{client_id}")).await;
        let documents = client.element("documents").unwrap_or_default();
        assert!(client.body.contains("Счет на оплату № 1"), "{documents}");
    }
}

#[tokio::test]
async fn templates_kinds_and_the_company_are_edited_in_the_pages() {
    for app in spawn_apps().await {
        let browser = Browser::new(&app);
        browser.sign_in().await;
        let kinds = browser.get("/admin/documents").await;
        assert_eq!(kinds.status, 200);
        assert!(
            kinds
                .body
                .contains("data-kind=\"contract_and_specification\"")
        );
        let csrf = kinds.csrf();

        // A prefix change, and a new kind.
        let saved = browser
            .post(
                "/admin/documents/kp",
                &[
                    ("_csrf", &csrf),
                    ("version", "1"),
                    ("name_ru", "Коммерческое предложение"),
                    ("prefix", "К/{year}/"),
                ],
            )
            .await;
        assert_eq!(saved.status, 303);
        let kinds = browser.get("/admin/documents").await;
        assert!(kinds.body.contains("value=\"К/{year}/\""));
        let refused = browser
            .post(
                "/admin/documents",
                &[("_csrf", &csrf), ("code", "Письмо"), ("name_ru", "")],
            )
            .await;
        assert_eq!(refused.status, 422);
        assert!(
            refused.body.contains("id=\"error-code\""),
            "beside the field"
        );
        assert!(refused.body.contains("id=\"error-name_ru\""));
        let created = browser
            .post(
                "/admin/documents",
                &[
                    ("_csrf", &csrf),
                    ("code", "price_list"),
                    ("name_ru", "Прайс-лист"),
                ],
            )
            .await;
        assert_eq!(created.status, 303);
        assert_eq!(
            created.location,
            "/admin/documents/price_list/text?done=created"
        );

        // The editor: the palette, a refused template with its line, a saved one.
        let editor = browser.get("/admin/documents/invoice/text").await;
        assert_eq!(editor.status, 200);
        assert!(
            editor.body.contains("data-insert=\"{{ client.inn }}\""),
            "the palette"
        );
        let bad = browser
            .post(
                "/admin/documents/invoice/text",
                &[
                    ("_csrf", &csrf),
                    ("action", "save"),
                    ("source", "= Счёт\n\n{{ client.innn }}"),
                ],
            )
            .await;
        assert_eq!(bad.status, 422);
        assert!(
            bad.body.contains("data-line=\"3\""),
            "{}",
            bad.element("template-errors").unwrap_or_default()
        );
        assert!(bad.body.contains("client.innn"));
        let checked = browser
            .post(
                "/admin/documents/price_list/text",
                &[
                    ("_csrf", &csrf),
                    ("action", "check"),
                    ("source", "= Прайс-лист для {{ client.name }}"),
                ],
            )
            .await;
        assert_eq!(checked.status, 200);
        assert!(checked.body.contains("id=\"template-valid\""));
        let saved = browser
            .post(
                "/admin/documents/price_list/text",
                &[
                    ("_csrf", &csrf),
                    ("action", "save"),
                    ("source", "= Прайс-лист для {{ client.name }}"),
                    ("comment", "первая версия"),
                ],
            )
            .await;
        assert_eq!(saved.status, 303);
        let preview = browser
            .post(
                "/admin/documents/price_list/preview",
                &[
                    ("_csrf", &csrf),
                    ("source", "= Прайс-лист для {{ client.name }}"),
                ],
            )
            .await;
        assert_eq!(preview.status, 200);
        assert!(preview.body.starts_with("%PDF"));

        // A Word template upload: the CSRF token travels in the form; a broken file is refused
        // beside the file input.
        let broken = browser
            .post_multipart(
                "/admin/documents/price_list/docx",
                &[("_csrf", &csrf), ("comment", "")],
                Some(("file", "price.docx", b"not a docx")),
            )
            .await;
        assert_eq!(broken.status, 422);
        assert!(broken.body.contains("id=\"error-file\""));
        // A file larger than axum's default body limit still reaches the check.
        let large = vec![b'x'; 3 * 1024 * 1024];
        let refused = browser
            .post_multipart(
                "/admin/documents/price_list/docx",
                &[("_csrf", &csrf), ("comment", "")],
                Some(("file", "big.docx", &large)),
            )
            .await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("id=\"error-file\""));
        let forged = browser
            .post_multipart(
                "/admin/documents/price_list/docx",
                &[("comment", "")],
                Some(("file", "price.docx", b"not a docx")),
            )
            .await;
        assert_eq!(forged.status, 403, "no CSRF token, no upload");
        let shipped = app
            .send(
                Method::GET,
                "/api/v1/document-kinds/invoice/templates/docx",
                None,
            )
            .await
            .json::<Value>()
            .await
            .unwrap();
        let file_url = shipped["items"][0]["file_url"].as_str().unwrap();
        let template = app
            .send(Method::GET, file_url, None)
            .await
            .bytes()
            .await
            .unwrap();
        let uploaded = browser
            .post_multipart(
                "/admin/documents/price_list/docx",
                &[("_csrf", &csrf), ("comment", "из счёта")],
                Some(("file", "price.docx", &template)),
            )
            .await;
        assert_eq!(uploaded.status, 303, "{}", uploaded.body);
        let page = browser.get("/admin/documents/price_list/docx").await;
        assert!(page.body.contains("price.docx"));

        // The company: a bad ИНН is shown beside its field and nothing is saved.
        let company = browser.get("/admin/company").await;
        assert_eq!(company.status, 200);
        let refused = browser
            .post(
                "/admin/company",
                &[
                    ("_csrf", &csrf),
                    ("name", "ООО «Ферментум»"),
                    ("inn", "7707083890"),
                ],
            )
            .await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("id=\"error-inn\""));
        let saved = browser
            .post(
                "/admin/company",
                &[
                    ("_csrf", &csrf),
                    ("name", "ООО «Ферментум»"),
                    ("inn", "7707083893"),
                    ("kpp", "770701001"),
                ],
            )
            .await;
        assert_eq!(saved.status, 303);
        let image = browser
            .post_multipart(
                "/admin/company/images",
                &[("_csrf", &csrf), ("slot", "logo")],
                Some(("file", "logo.svg", b"<svg/>")),
            )
            .await;
        assert_eq!(image.status, 422);
        assert!(image.body.contains("id=\"error-image\""));

        // Without edit_templates: refused.
        app.token_for("manager1", &["manager"]).await;
        let manager = Browser::new(&app);
        manager.sign_in_as("manager1").await;
        assert_eq!(manager.get("/admin/documents").await.status, 403);
        assert_eq!(manager.get("/admin/company").await.status, 403);
    }
}
