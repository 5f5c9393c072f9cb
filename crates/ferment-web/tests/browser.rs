//! Journeys in real headless Chromium over WebDriver. The first: sign in, find a client by a word of
//! its name, open its card, try to save a wrong ИНН, read the message beside the field, fix it, and
//! see the change in the card's history. The second: a regional manager signs in and sees only the
//! clients of their territory (another territory's card is "not found"), then the head of sales
//! signs in and sees them all; an administrator's pages are photographed on the way out.
//!
//! WebDriver comes from `FERMENT_TEST_WEBDRIVER` (chromedriver on 127.0.0.1) and the browser from
//! `FERMENT_TEST_CHROMIUM`. Without a WebDriver the test says so and passes, unless
//! `FERMENT_REQUIRE_SERVICES=1` (the README's test command and CI), where it fails. Screenshots of the
//! pages go to `target/screenshots/` for review.

mod common;

use anyhow::ensure;
use common::browser::{open_browser, screenshot, wait_for, webdriver_url};
use fantoccini::{Client, Locator};
use reqwest::Method;
use serde_json::json;

/// Three clients, one with a full card (territory, addresses, a bank account, two contacts),
/// created through the API as any integration would.
async fn seed(app: &common::TestApp) {
    let (_, territories) = app.json(Method::GET, "/api/v1/territories", None).await;
    let kirov = territories["items"]
        .as_array()
        .and_then(|items| items.iter().find(|t| t["code"] == "RU-KIR"))
        .map(|t| t["id"].clone())
        .unwrap_or(serde_json::Value::Null);
    let (status, product) = app
        .json(
            Method::POST,
            "/api/v1/products",
            Some(json!({"code": "00-0417", "article": "ST-417", "name": "Крахмал кукурузный нативный",
                "unit": "kg", "vat_rate": "22", "price": "1234.5", "needs_sample": true,
                "description": "Загуститель для молочных десертов и соусов."})),
        )
        .await;
    assert_eq!(status, 201, "seeding a product: {product}");
    let clients = [
        ("Молзавод «Вятушка»", "7736050003", "dairy", "A"),
        ("Хлебозавод «Колос»", "7702070139", "bakery", "B"),
        ("Мясокомбинат «Заря»", "7728168971", "meat", "C"),
    ];
    for (index, (name, inn, industry, segment)) in clients.into_iter().enumerate() {
        let mut body = json!({"name": name, "inn": inn, "kpp": "773601001", "industry": industry,
            "segment": segment, "phone": "+7 495 500-55-50", "email": "info@example.ru"});
        if index == 0 {
            body["full_name"] = json!("Акционерное общество «Молочный завод „Вятушка“»");
            body["territory_id"] = kirov.clone();
            body["legal_address"] = json!("610000, г. Киров, ул. Молодой Гвардии, д. 84");
            body["actual_address"] = json!("610035, г. Киров, ул. Солнечная, д. 7");
            body["site"] = json!("vyatushka.example");
            body["tags"] = json!(["сыр", "йогурты", "опт"]);
            body["bank_accounts"] = json!([{"bik": "044525225", "bank_name": "ПАО Сбербанк",
                "correspondent_account": "30101810400000000225", "account": "30301810000006000001"}]);
        }
        let (status, created) = app
            .json(Method::POST, "/api/v1/counterparties", Some(body))
            .await;
        assert_eq!(status, 201, "seeding {name}: {created}");
        if index == 0 {
            for (full_name, position, email) in [
                (
                    "Иванова Мария Петровна",
                    "главный технолог",
                    "m.ivanova@vyatushka.example",
                ),
                (
                    "Петров Олег Игоревич",
                    "начальник отдела закупок",
                    "o.petrov@vyatushka.example",
                ),
            ] {
                let (status, contact) = app
                    .json(
                        Method::POST,
                        "/api/v1/contacts",
                        Some(json!({"full_name": full_name, "position": position,
                            "counterparty_id": created["id"], "emails": [email],
                            "phones": ["+7 833 222-11-00"]})),
                    )
                    .await;
                assert_eq!(status, 201, "seeding {full_name}: {contact}");
            }
        }
    }
}

async fn journey(browser: &Client, base: &str) -> anyhow::Result<()> {
    // Sign in; the login page sends us on to the counterparty list. Headless Chromium asks for
    // English, so the journey first switches to Russian, as a Russian user's browser would ask.
    browser.goto(&format!("{base}/counterparties")).await?;
    wait_for(browser, "a[hreflang=ru]").await?.click().await?;
    wait_for(browser, "html[lang=ru] input[name=login]")
        .await?
        .send_keys("admin")
        .await?;
    browser
        .find(Locator::Css("input[name=password]"))
        .await?
        .send_keys(common::PASSWORD)
        .await?;
    browser
        .find(Locator::Css("form button[type=submit]"))
        .await?
        .click()
        .await?;
    wait_for(browser, "table#counterparties tbody tr").await?;
    screenshot(browser, "counterparties-list").await;

    // Search by a word of the name.
    let search = browser.find(Locator::Css("input[name=q]")).await?;
    search.send_keys("вятушка").await?;
    browser
        .find(Locator::Css("form.filters button[type=submit]"))
        .await?
        .click()
        .await?;
    wait_for(browser, "input[name=q][value='вятушка']").await?;
    let rows = browser
        .find_all(Locator::Css("table#counterparties tbody td.name-cell a"))
        .await?;
    ensure!(rows.len() == 1, "one client found, not {}", rows.len());
    ensure!(
        rows[0].text().await?.contains("Вятушка"),
        "the right client is found"
    );

    // Open the card, then its edit form.
    rows[0].click().await?;
    wait_for(browser, "a#edit").await?.click().await?;

    // A wrong ИНН: the form comes back with the message beside the field.
    let inn = wait_for(browser, "input[name=inn]").await?;
    inn.clear().await?;
    inn.send_keys("7736050004").await?;
    browser
        .find(Locator::Css(".form-actions button[type=submit]"))
        .await?
        .click()
        .await?;
    let message = wait_for(browser, "#error-inn").await?.text().await?;
    ensure!(
        message.contains("контрольное число"),
        "the message says what is wrong: {message}"
    );
    let beside = browser
        .execute(
            "const e = document.getElementById('error-inn');\
             return e.parentElement.querySelector('input[name=inn]').value;",
            vec![],
        )
        .await?;
    ensure!(
        beside == json!("7736050004"),
        "the message sits beside the typed ИНН: {beside}"
    );
    screenshot(browser, "counterparty-form-error").await;

    // Fix it and save: the card shows the change in its history.
    let inn = browser.find(Locator::Css("input[name=inn]")).await?;
    inn.clear().await?;
    inn.send_keys("7707083893").await?;
    browser
        .find(Locator::Css(".form-actions button[type=submit]"))
        .await?
        .click()
        .await?;
    let change = wait_for(browser, ".timeline li[data-field=inn]")
        .await?
        .text()
        .await?;
    ensure!(
        change.contains("7736050003") && change.contains("7707083893"),
        "the history shows the ИНН change: {change}"
    );
    ensure!(
        !change.contains("7736050004"),
        "the refused value was never saved: {change}"
    );
    screenshot(browser, "counterparty-card").await;
    Ok(())
}

/// Pictures of the other pages, for review only: nothing here is checked.
async fn tour(browser: &Client, base: &str) {
    for (path, name, ready) in [
        ("/contacts", "contacts-list", "table#contacts"),
        ("/products", "products-list", "table#products"),
    ] {
        if browser.goto(&format!("{base}{path}")).await.is_ok()
            && wait_for(browser, ready).await.is_ok()
        {
            screenshot(browser, name).await;
        }
    }
    if let Ok(link) = browser
        .find(Locator::Css("table#products td.name-cell a"))
        .await
        && link.click().await.is_ok()
        && wait_for(browser, "a#edit").await.is_ok()
    {
        screenshot(browser, "product-card").await;
    }
}

#[tokio::test]
async fn a_user_finds_a_client_fixes_a_wrong_inn_and_sees_the_change_in_the_history() {
    let Some(webdriver) = webdriver_url() else {
        return;
    };
    let app = common::spawn(&ferment_store::testing::sqlite()).await;
    seed(&app).await;
    let browser = open_browser(&webdriver).await.expect("a browser");
    let outcome = journey(&browser, &app.base).await;
    if outcome.is_err() {
        screenshot(&browser, "failure").await;
    } else {
        tour(&browser, &app.base).await;
    }
    // Close the session whatever happened, so no browser is left running.
    let closed = browser.close().await;
    outcome.expect("the journey");
    closed.expect("closing the browser");
}

/// What the access journey needs: ids of the two clients and of the regional manager.
struct AccessSeed {
    kazan: String,
    moscow: String,
    regional: String,
}

fn id_of(list: &serde_json::Value, code: &str) -> serde_json::Value {
    list["items"]
        .as_array()
        .and_then(|items| items.iter().find(|t| t["code"] == code))
        .map(|t| t["id"].clone())
        .unwrap_or_else(|| panic!("territory {code}"))
}

/// A client in Tatarstan (in the Volga district) and one in Moscow, a regional manager of the
/// Volga district and a head of sales, created through the API as the admin.
async fn seed_access(app: &common::TestApp) -> AccessSeed {
    let (_, territories) = app.json(Method::GET, "/api/v1/territories", None).await;
    let mut ids = Vec::new();
    for (name, territory) in [
        ("Казанский хлебозавод", "RU-TA"),
        ("Московский молкомбинат", "RU-MOW"),
    ] {
        let (status, created) = app
            .json(
                Method::POST,
                "/api/v1/counterparties",
                Some(json!({"name": name, "territory_id": id_of(&territories, territory)})),
            )
            .await;
        assert_eq!(status, 201, "seeding {name}: {created}");
        ids.push(created["id"].as_str().unwrap_or_default().to_string());
    }
    let mut users = Vec::new();
    for (login, full_name, role, territory) in [
        (
            "regional",
            "Гарипов Тимур",
            "regional_manager",
            Some("RU-VFD"),
        ),
        ("head", "Соколова Елена", "head_of_sales", None),
    ] {
        let (status, created) = app
            .json(
                Method::POST,
                "/api/v1/users",
                Some(
                    json!({"login": login, "full_name": full_name, "password": common::PASSWORD,
                    "roles": [role],
                    "territory_id": territory.map(|code| id_of(&territories, code))}),
                ),
            )
            .await;
        assert_eq!(status, 201, "seeding {login}: {created}");
        users.push(created["id"].as_str().unwrap_or_default().to_string());
    }
    AccessSeed {
        kazan: ids[0].clone(),
        moscow: ids[1].clone(),
        regional: users[0].clone(),
    }
}

/// Signs in through the login page (the browser is on it) and opens the counterparty list.
async fn sign_in_as(browser: &Client, login: &str) -> anyhow::Result<()> {
    wait_for(browser, "html[lang=ru] input[name=login]")
        .await?
        .send_keys(login)
        .await?;
    browser
        .find(Locator::Css("input[name=password]"))
        .await?
        .send_keys(common::PASSWORD)
        .await?;
    browser
        .find(Locator::Css("form button[type=submit]"))
        .await?
        .click()
        .await?;
    // Without a page to go back to, signing in opens «my tasks», the start page.
    wait_for(browser, "#nav-tasks").await?;
    let here = browser.current_url().await?;
    if !here.path().starts_with("/counterparties") {
        browser.goto(here.join("/counterparties")?.as_str()).await?;
    }
    wait_for(browser, "table#counterparties tbody tr").await?;
    Ok(())
}

/// Signs out with the button in the top bar and waits for the login page.
async fn sign_out(browser: &Client) -> anyhow::Result<()> {
    browser
        .find(Locator::Css("form.logout button"))
        .await?
        .click()
        .await?;
    wait_for(browser, "input[name=login]").await?;
    Ok(())
}

/// The client names in the counterparty list.
async fn listed_names(browser: &Client) -> anyhow::Result<Vec<String>> {
    let mut names = Vec::new();
    for link in browser
        .find_all(Locator::Css("table#counterparties td.name-cell a"))
        .await?
    {
        names.push(link.text().await?);
    }
    Ok(names)
}

async fn access_journey(browser: &Client, base: &str, seed: &AccessSeed) -> anyhow::Result<()> {
    browser.goto(&format!("{base}/counterparties")).await?;
    wait_for(browser, "a[hreflang=ru]").await?.click().await?;

    // The regional manager of the Volga district sees the Kazan client only.
    sign_in_as(browser, "regional").await?;
    let names = listed_names(browser).await?;
    ensure!(
        names == ["Казанский хлебозавод"],
        "the regional manager sees only their territory: {names:?}"
    );
    ensure!(
        browser.find(Locator::Css("#nav-admin")).await.is_err(),
        "no administration link for a regional manager"
    );
    screenshot(browser, "regional-counterparties").await;

    // The Moscow client's card, opened by its address, does not exist for them.
    browser
        .goto(&format!("{base}/counterparties/{}", seed.moscow))
        .await?;
    let message = wait_for(browser, ".error-page h1").await?.text().await?;
    ensure!(
        message.contains("Запись не найдена"),
        "another territory's card is not found: {message}"
    );
    screenshot(browser, "regional-not-found").await;
    browser
        .goto(&format!("{base}/counterparties/{}", seed.kazan))
        .await?;
    wait_for(browser, "a#edit").await?;

    // The head of sales sees both.
    sign_out(browser).await?;
    sign_in_as(browser, "head").await?;
    let mut names = listed_names(browser).await?;
    names.sort();
    ensure!(
        names == ["Казанский хлебозавод", "Московский молкомбинат"],
        "the head of sales sees every client: {names:?}"
    );
    screenshot(browser, "head-counterparties").await;
    sign_out(browser).await?;
    Ok(())
}

/// Pictures of the administration pages, for review only: nothing here is checked.
async fn admin_tour(browser: &Client, base: &str, seed: &AccessSeed) {
    if sign_in_as(browser, "admin").await.is_err() {
        return;
    }
    for (path, name, ready) in [
        ("/admin/roles".to_string(), "admin-roles", "table#roles"),
        (
            "/admin/roles/regional_manager".to_string(),
            "admin-role-editor",
            "table#matrix",
        ),
        ("/admin/users".to_string(), "admin-users", "table#users"),
        (
            format!("/admin/users/{}", seed.regional),
            "admin-user-editor",
            "table#matrix",
        ),
        (
            format!("/admin/access?user={}&record={}", seed.regional, seed.kazan),
            "admin-access",
            "table#verdicts",
        ),
        ("/admin/audit".to_string(), "admin-audit", "table#audit"),
    ] {
        if browser.goto(&format!("{base}{path}")).await.is_ok()
            && wait_for(browser, ready).await.is_ok()
        {
            screenshot(browser, name).await;
        }
    }
}

#[tokio::test]
async fn a_regional_manager_sees_only_their_territory_and_the_head_of_sales_sees_every_client() {
    let Some(webdriver) = webdriver_url() else {
        return;
    };
    let app = common::spawn(&ferment_store::testing::sqlite()).await;
    let seed = seed_access(&app).await;
    let browser = open_browser(&webdriver).await.expect("a browser");
    let outcome = access_journey(&browser, &app.base, &seed).await;
    if outcome.is_err() {
        screenshot(&browser, "access-failure").await;
    } else {
        admin_tour(&browser, &app.base, &seed).await;
    }
    let closed = browser.close().await;
    outcome.expect("the access journey");
    closed.expect("closing the browser");
}
