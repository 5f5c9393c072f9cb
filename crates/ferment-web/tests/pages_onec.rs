//! The 1C administration pages as forms (no JavaScript), on both databases: a connection is added
//! through the form (a wrong address is refused beside its input with the typed values kept and
//! the password never echoed), checked against the 1C emulator, synchronised from its page (the
//! run page reloads itself until the run ends with its counts; a second start while one runs is
//! refused), a conflict is resolved with its button, the mapping refuses text that is not JSON and
//! fields the profile does not know, and a manager is refused every page.

mod common;

use std::time::Duration;

use common::pages::{Browser, Page};
use common::{TestApp, spawn_apps};
use ferment_onec_emulator::{Config, Handle, Profile};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

async fn emulator() -> Handle {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("port");
    ferment_onec_emulator::start(Config::new(Profile::Ut11), listener)
        .await
        .expect("emulator")
}

/// The connection form's fields with `url` and the tests' other values.
fn connection_form<'a>(csrf: &'a str, name: &'a str, url: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("_csrf", csrf),
        ("name", name),
        ("url", url),
        ("login", "odata"),
        ("password", "odata"),
        ("profile", "ut11"),
        ("schedule_minutes", ""),
        ("full_every_hours", "24"),
        ("document_days", "365"),
        ("products", "from_onec"),
        ("stock", "from_onec"),
        ("counterparties", "both"),
        ("documents", "both"),
        ("active", "true"),
    ]
}

/// The HTML of the `<section>` with `id` (up to its end).
fn section(page: &Page, id: &str) -> String {
    let start = page
        .body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let end = page.body[start..]
        .find("</section>")
        .map_or(page.body.len(), |end| start + end);
    page.body[start..end].to_string()
}

/// Follows a run page until the run has ended; returns the last page.
async fn finished_run(browser: &Browser<'_>, path: &str) -> Page {
    for _ in 0..600 {
        let page = browser.get(path).await;
        assert_eq!(page.status, 200, "{}", page.body);
        if !page.body.contains("http-equiv=\"refresh\"") {
            return page;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("the run did not end");
}

/// Starts a sync from the connection page and waits for its run page to show the end.
async fn sync(browser: &Browser<'_>, connection: &str, csrf: &str) -> Page {
    let started = browser
        .post(
            &format!("/admin/integrations/{connection}/sync"),
            &[("_csrf", csrf), ("full", "false")],
        )
        .await;
    assert_eq!(started.status, 303, "{}", started.body);
    assert!(
        started.location.starts_with("/admin/integrations/runs/"),
        "{}",
        started.location
    );
    let page = finished_run(browser, &started.location).await;
    assert!(
        page.element("run-status").as_deref() == Some("Успешно"),
        "{}",
        page.body
    );
    page
}

#[tokio::test]
async fn a_connection_is_added_through_the_form_and_a_manager_is_refused() {
    for app in spawn_apps().await {
        let browser = Browser::new(&app);
        browser.sign_in().await;
        let list = browser.get("/admin/integrations").await;
        assert_eq!(list.status, 200, "{}", list.body);
        assert!(list.body.contains("Добавить подключение"));
        assert!(list.body.contains("1С:Бухгалтерия предприятия 3.0"));
        let csrf = list.csrf();

        let mut form = connection_form(&csrf, "Бухгалтерия офиса", "http://1c.local/buh");
        form.retain(|(name, _)| *name != "password");
        form.push(("password", "секрет-пароль"));
        let refused = browser.post("/admin/integrations", &form).await;
        assert_eq!(refused.status, 422, "{}: {}", app.label, refused.body);
        let message = refused
            .element("error-url")
            .expect("the message beside the URL");
        assert!(message.contains("standard.odata"), "{message}");
        assert!(refused.body.contains("value=\"Бухгалтерия офиса\""));
        assert!(refused.body.contains("value=\"http://1c.local/buh\""));
        assert!(
            !refused.body.contains("секрет-пароль"),
            "the password is not echoed"
        );

        let url = "http://127.0.0.1:9/buh/odata/standard.odata/";
        let created = browser
            .post(
                "/admin/integrations",
                &connection_form(&csrf, "Бухгалтерия офиса", url),
            )
            .await;
        assert_eq!(created.status, 303, "{}", created.body);
        assert!(created.location.contains("done=created"));
        let id = created
            .location
            .trim_start_matches("/admin/integrations/")
            .split('?')
            .next()
            .unwrap()
            .to_string();
        let page = browser.get(&created.location).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Запись создана"));
        // Nobody answers on port 9: the check says why in words.
        let tested = browser
            .post(
                &format!("/admin/integrations/{id}/test"),
                &[("_csrf", &csrf)],
            )
            .await;
        let error = tested.element("test-error").unwrap_or_default();
        assert!(tested.body.contains("недоступна"), "{error}");
        let list = browser.get("/admin/integrations").await;
        assert!(list.body.contains("Бухгалтерия офиса"));
        assert!(list.body.contains("ещё не запускалась"));

        // The same page in English.
        browser.get("/lang/en?next=%2Fadmin%2Fintegrations").await;
        let english = browser.get("/admin/integrations").await;
        assert!(english.body.contains("Add a connection"));
        assert!(english.body.contains("never run"));
        browser.get("/lang/ru?next=%2Fadmin%2Fintegrations").await;

        // A manager sees none of it and changes nothing.
        app.token_for("manager1", &["manager"]).await;
        let manager = Browser::new(&app);
        manager.sign_in_as("manager1").await;
        let tasks = manager.get("/tasks").await;
        let manager_csrf = tasks.csrf();
        for path in [
            "/admin/integrations".to_string(),
            format!("/admin/integrations/{id}"),
        ] {
            assert_eq!(manager.get(&path).await.status, 403, "{path}");
        }
        let posted = manager
            .post(
                "/admin/integrations",
                &connection_form(&manager_csrf, "Чужое", url),
            )
            .await;
        assert_eq!(posted.status, 403);
        let posted = manager
            .post(
                &format!("/admin/integrations/{id}/sync"),
                &[("_csrf", &manager_csrf)],
            )
            .await;
        assert_eq!(posted.status, 403);

        // Deleted through its page.
        let deleted = browser
            .post(
                &format!("/admin/integrations/{id}/delete"),
                &[("_csrf", &csrf)],
            )
            .await;
        assert_eq!(deleted.status, 303);
        let list = browser.get(&deleted.location).await;
        assert!(!list.body.contains("Бухгалтерия офиса"), "{}", app.label);
    }
}

async fn counterparty(app: &TestApp, id: &str) -> Value {
    let (status, record) = app
        .json(Method::GET, &format!("/api/v1/counterparties/{id}"), None)
        .await;
    assert_eq!(status, 200, "{record}");
    record
}

#[tokio::test]
async fn a_sync_is_run_from_the_pages_and_a_conflict_and_the_mapping_are_handled() {
    for app in spawn_apps().await {
        let onec = emulator().await;
        let browser = Browser::new(&app);
        browser.sign_in().await;
        let csrf = browser.get("/admin/integrations").await.csrf();
        let created = browser
            .post(
                "/admin/integrations",
                &connection_form(&csrf, "Торговля", &onec.url()),
            )
            .await;
        assert_eq!(created.status, 303, "{}", created.body);
        let id = created
            .location
            .trim_start_matches("/admin/integrations/")
            .split('?')
            .next()
            .unwrap()
            .to_string();
        let page_path = format!("/admin/integrations/{id}");

        // The check finds everything the profile needs.
        let tested = browser
            .post(&format!("{page_path}/test"), &[("_csrf", &csrf)])
            .await;
        assert_eq!(tested.status, 200);
        assert!(tested.element("test-complete").is_some(), "{}", tested.body);
        assert!(tested.body.contains("Catalog_Номенклатура"));

        // The first run loads everything; its page shows the counts in Russian.
        let run = sync(&browser, &id, &csrf).await;
        let counts = section(&run, "run-counts");
        for name in ["Номенклатура", "Контрагенты", "Склады", "Остатки"]
        {
            assert!(run.body.contains(name), "{name}: {counts}");
        }
        assert!(run.body.contains("data-object=\"product\""));
        let connection_page = browser.get(&page_path).await;
        assert!(section(&connection_page, "runs").contains("Успешно"));

        // A client that came from 1C shows its contracts and documents on its card.
        let contract = onec
            .list("Catalog_ДоговорыКонтрагентов")
            .into_iter()
            .find(|c| c["DeletionMark"] != true)
            .expect("a contract in 1C");
        let owner_key = Uuid::parse_str(contract["Контрагент_Key"].as_str().unwrap()).unwrap();
        let owner = onec
            .get("Catalog_Контрагенты", owner_key)
            .expect("its client");
        let text = |value: &Value, field: &str| {
            value[field].as_str().unwrap_or_default().trim().to_string()
        };
        let kpp = text(&owner, "КПП");
        let mut reader = app.store.reader().await.unwrap();
        let (client_id, _) = ferment_store::counterparties::find_duplicate(
            &mut reader,
            &text(&owner, "ИНН"),
            (!kpp.is_empty()).then_some(kpp.as_str()),
            None,
        )
        .await
        .unwrap()
        .expect("the 1C client in Ferment");
        drop(reader);
        let card = browser.get(&format!("/counterparties/{client_id}")).await;
        let panel = section(&card, "onec");
        assert!(panel.contains("Договоры 1С"), "{panel}");
        assert!(panel.contains(&text(&contract, "Номер")), "{panel}");

        // A second start while a run goes on is refused with a message.
        onec.set_delay(Duration::from_millis(50));
        let first = browser
            .post(
                &format!("{page_path}/sync"),
                &[("_csrf", &csrf), ("full", "true")],
            )
            .await;
        assert_eq!(first.status, 303);
        let running = browser.get(&first.location).await;
        assert!(
            running
                .body
                .contains("http-equiv=\"refresh\" content=\"2\"")
        );
        assert!(running.body.contains("Идёт"));
        let second = browser
            .post(
                &format!("{page_path}/sync"),
                &[("_csrf", &csrf), ("full", "false")],
            )
            .await;
        assert_eq!(second.status, 409, "{}", second.body);
        let alert = second.element("sync-alert").unwrap_or_default();
        assert!(second.body.contains("уже идёт"), "{alert}: {}", second.body);
        let page = browser.get(&page_path).await;
        assert!(
            page.element("sync-running").is_some(),
            "the page says a run goes on"
        );
        onec.set_delay(Duration::ZERO);
        finished_run(&browser, &first.location).await;

        // A client changed on both sides becomes a conflict with a button per side.
        let ours = app
            .created(
                &app.admin_token,
                "/api/v1/counterparties",
                json!({"kind": "legal_entity", "name": "Сбер", "full_name": "ПАО Сбербанк", "inn": "7707083893", "kpp": "773601001"}),
            )
            .await;
        let ours_id = ours["id"].as_str().unwrap().to_string();
        let pushed = sync(&browser, &id, &csrf).await;
        let log = section(&pushed, "run-log");
        assert!(log.contains("в 1С"), "the log shows the push: {log}");
        assert!(
            log.contains(&format!("href=\"/counterparties/{ours_id}\"")),
            "the log links the record: {log}"
        );
        let in_onec = onec.find("Catalog_Контрагенты", "ИНН", &json!("7707083893"));
        assert_eq!(in_onec.len(), 1, "{}: pushed to 1C", app.label);
        let key = Uuid::parse_str(in_onec[0]["Ref_Key"].as_str().unwrap()).unwrap();
        onec.update(
            "Catalog_Контрагенты",
            key,
            json!({"НаименованиеПолное": "ПАО «Сбербанк России» (1С)"}),
        )
        .unwrap();
        let current = counterparty(&app, &ours_id).await;
        let (status, _) = app
            .json(
                Method::PATCH,
                &format!("/api/v1/counterparties/{ours_id}"),
                Some(json!({"version": current["version"], "full_name": "ПАО Сбербанк (Ferment)"})),
            )
            .await;
        assert_eq!(status, 200);
        sync(&browser, &id, &csrf).await;
        let page = browser.get(&page_path).await;
        let conflicts = section(&page, "conflicts");
        assert!(conflicts.contains("Полное наименование"), "{conflicts}");
        assert!(conflicts.contains("ПАО Сбербанк (Ferment)"), "{conflicts}");
        assert!(conflicts.contains("ПАО «Сбербанк России» (1С)"));
        assert!(conflicts.contains("value=\"onec\">Взять из 1С"));
        assert!(conflicts.contains("value=\"ferment\">Оставить значение Ferment"));
        let conflict_id = page
            .body
            .split("data-conflict=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a conflict")
            .to_string();
        let resolved = browser
            .post(
                &format!("/admin/integrations/conflicts/{conflict_id}/resolve"),
                &[("_csrf", &csrf), ("resolution", "onec")],
            )
            .await;
        assert_eq!(resolved.status, 303, "{}", resolved.body);
        let page = browser.get(&resolved.location).await;
        assert!(page.body.contains("Конфликт разрешён"));
        assert!(section(&page, "conflicts").contains("взято из 1С"));
        assert_eq!(
            counterparty(&app, &ours_id).await["full_name"],
            "ПАО «Сбербанк России» (1С)"
        );

        // The mapping refuses text that is not JSON and fields the profile does not know.
        let refused = browser
            .post(
                &format!("{page_path}/mapping"),
                &[("_csrf", &csrf), ("changes", "{\"products\": ")],
            )
            .await;
        assert_eq!(refused.status, 422);
        let message = refused.element("error-changes").unwrap_or_default();
        assert!(message.contains("Это не JSON"), "{message}");
        assert!(
            refused.body.contains("{&quot;products&quot;: ")
                || refused.body.contains("{&#34;products&#34;: "),
            "the typed text is kept"
        );
        let refused = browser
            .post(
                &format!("{page_path}/mapping"),
                &[("_csrf", &csrf), ("changes", "{\"colour\": \"red\"}")],
            )
            .await;
        assert_eq!(refused.status, 422);
        let message = refused.element("error-changes").unwrap_or_default();
        assert!(message.contains("Сопоставление не подходит"), "{message}");
        assert!(message.contains("colour"), "{message}");
        // A change the base cannot serve shows up in the check as the set and field missing.
        let saved = browser
            .post(
                &format!("{page_path}/mapping"),
                &[
                    ("_csrf", &csrf),
                    (
                        "changes",
                        "{\"products\": {\"article\": \"АртикулПоставщика\"}}",
                    ),
                ],
            )
            .await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let page = browser.get(&saved.location).await;
        let effective = page.element("mapping-effective").unwrap_or_default();
        assert!(effective.contains("АртикулПоставщика"), "{effective}");
        let tested = browser
            .post(&format!("{page_path}/test"), &[("_csrf", &csrf)])
            .await;
        let missing = section(&tested, "actions");
        assert!(missing.contains("id=\"test-missing\""), "{missing}");
        assert!(
            missing
                .contains("Catalog_Номенклатура</span> — <span class=\"mono\">АртикулПоставщика"),
            "{missing}"
        );
        let saved = browser
            .post(
                &format!("{page_path}/mapping"),
                &[("_csrf", &csrf), ("changes", "{}")],
            )
            .await;
        assert_eq!(saved.status, 303, "{}", saved.body);

        // Settings saved with a blank password keep the stored one.
        let page = browser.get(&page_path).await;
        let version = page
            .body
            .split("name=\"version\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_string();
        let url = onec.url();
        let mut form = connection_form(&csrf, "Торговля (УТ)", &url);
        form.retain(|(name, _)| *name != "password");
        form.push(("password", ""));
        form.push(("version", &version));
        let saved = browser.post(&page_path, &form).await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let tested = browser
            .post(&format!("{page_path}/test"), &[("_csrf", &csrf)])
            .await;
        assert!(tested.body.contains("Торговля (УТ)"));
        assert!(
            tested.element("test-complete").is_some(),
            "the stored password still works: {}",
            tested.body
        );
        onec.shutdown().await;
    }
}

#[tokio::test]
async fn the_sale_card_offers_the_order_when_a_connection_takes_orders_and_says_why_it_is_refused()
{
    for app in spawn_apps().await {
        let client = app
            .created(
                &app.admin_token,
                "/api/v1/counterparties",
                json!({"name": "Кондитерская «Ласточка»", "inn": "5003052454", "kpp": "500301001"}),
            )
            .await;
        let empty = app
            .created(
                &app.admin_token,
                "/api/v1/sales",
                json!({"counterparty_id": client["id"], "title": "Пока без товаров", "lines": []}),
            )
            .await;
        let empty_id = empty["id"].as_str().unwrap().to_string();
        let browser = Browser::new(&app);
        browser.sign_in().await;

        // Without 1C the card has no «1С» panel.
        let card = browser.get(&format!("/sales/{empty_id}")).await;
        assert_eq!(card.status, 200);
        assert!(!card.body.contains("id=\"onec\""), "{}", app.label);

        // One connection taking orders: the form, without a choice of base.
        let connection = |name: &str| {
            json!({"name": name, "url": "http://127.0.0.1:9/base/odata/standard.odata/",
                   "login": "odata", "password": "odata", "profile": "bp30"})
        };
        app.created(
            &app.admin_token,
            "/api/v1/integrations/onec",
            connection("Бухгалтерия"),
        )
        .await;
        let card = browser.get(&format!("/sales/{empty_id}")).await;
        let panel = section(&card, "onec");
        assert!(panel.contains("Отправить заказ в 1С"), "{panel}");
        assert!(panel.contains("name=\"post\""));
        assert!(!panel.contains("id=\"order-connection\""));

        // A sale without products is refused, and the card says why.
        let refused = browser
            .post(
                &format!("/sales/{empty_id}/onec/orders"),
                &[("_csrf", &card.csrf()), ("post", "true")],
            )
            .await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(
            refused.body.contains("В продаже нет товаров"),
            "{}",
            refused.body
        );

        // Two connections: the card asks which base takes the order.
        app.created(
            &app.admin_token,
            "/api/v1/integrations/onec",
            connection("Вторая база"),
        )
        .await;
        let card = browser.get(&format!("/sales/{empty_id}")).await;
        let panel = section(&card, "onec");
        assert!(panel.contains("id=\"order-connection\""), "{panel}");
        assert!(panel.contains("Вторая база"));
    }
}
