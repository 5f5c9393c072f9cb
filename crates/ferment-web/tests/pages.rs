//! The pages through the real server, as a browser without JavaScript uses them
//! ([`common::pages::Browser`]). Every test runs on SQLite and, when configured, on PostgreSQL.

mod common;

use common::pages::Browser;
use common::{PASSWORD, TestApp, spawn_apps};
use reqwest::header::COOKIE;
use reqwest::{Method, redirect};

/// A counterparty form as a user fills it in.
fn counterparty_form<'a>(csrf: &'a str, name: &'a str, inn: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("_csrf", csrf),
        ("kind", "legal_entity"),
        ("name", name),
        ("inn", inn),
        ("kpp", "773601001"),
        ("segment", "A"),
        ("industry", "dairy"),
        ("tags", "молоко, сыр"),
        ("bank_accounts[0].bik", ""),
        ("bank_accounts[0].bank_name", ""),
        ("bank_accounts[0].correspondent_account", ""),
        ("bank_accounts[0].account", ""),
    ]
}

async fn counterparty_count(app: &TestApp) -> usize {
    let (_, list) = app.json(Method::GET, "/api/v1/counterparties", None).await;
    list["items"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn an_anonymous_visitor_is_sent_to_the_login_page() {
    for app in spawn_apps().await {
        let browser = Browser::new(&app);
        let page = browser.get("/counterparties?q=milk").await;
        assert_eq!(page.status, 303, "{}", app.label);
        assert_eq!(page.location, "/login?next=%2Fcounterparties%3Fq%3Dmilk");
        let login = browser.get(&page.location).await;
        assert_eq!(login.status, 200);
        assert!(login.body.contains("name=\"password\""));
        assert_eq!(browser.get("/").await.location, "/tasks");
    }
}

#[tokio::test]
async fn a_wrong_password_shows_a_message_and_opens_no_session() {
    for app in spawn_apps().await {
        let browser = Browser::new(&app);
        let page = browser
            .post(
                "/login",
                &[
                    ("login", "admin"),
                    ("password", "wrong"),
                    ("next", "/contacts"),
                ],
            )
            .await;
        assert_eq!(page.status, 401, "{}", app.label);
        assert_eq!(
            page.element("login-error").as_deref(),
            Some("Неверный логин или пароль")
        );
        assert!(page.body.contains("value=\"admin\""), "the login is kept");
        assert!(
            page.cookies
                .iter()
                .all(|c| !c.starts_with("ferment_session="))
        );
        assert_eq!(browser.get("/counterparties").await.status, 303);
    }
}

#[tokio::test]
async fn signing_in_opens_a_session_and_goes_back_only_to_local_pages() {
    for app in spawn_apps().await {
        let browser = Browser::new(&app);
        let page = browser
            .post(
                "/login",
                &[
                    ("login", "admin"),
                    ("password", PASSWORD),
                    ("next", "/contacts?q=x"),
                ],
            )
            .await;
        assert_eq!(page.status, 303, "{}", app.label);
        assert_eq!(page.location, "/contacts?q=x");
        let cookie = page
            .cookies
            .iter()
            .find(|c| c.starts_with("ferment_session="))
            .expect("a session cookie");
        assert!(
            cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Lax")
                && cookie.contains("Path=/")
        );
        let list = browser.get("/counterparties").await;
        assert_eq!(list.status, 200);
        assert!(
            list.body.contains("Тестовый admin"),
            "the user's name is shown"
        );

        let other = Browser::new(&app);
        let page = other
            .post(
                "/login",
                &[
                    ("login", "admin"),
                    ("password", PASSWORD),
                    ("next", "//evil.example/x"),
                ],
            )
            .await;
        assert_eq!(page.location, "/tasks", "never to another host");
    }
}

#[tokio::test]
async fn a_post_without_the_csrf_token_is_refused() {
    for app in spawn_apps().await {
        let browser = Browser::new(&app);
        browser.sign_in().await;
        let form = counterparty_form("", "Без токена", "7707083893");
        let without: Vec<_> = form.into_iter().filter(|(k, _)| *k != "_csrf").collect();
        assert_eq!(
            browser.post("/counterparties", &without).await.status,
            403,
            "{}",
            app.label
        );
        let wrong = counterparty_form("not-the-token", "Чужой токен", "7707083893");
        let refused = browser.post("/counterparties", &wrong).await;
        assert_eq!(refused.status, 403);
        assert!(
            refused.body.contains("<html") && refused.body.contains("Обновите страницу"),
            "a page user gets a page that says what to do, not JSON: {}",
            refused.body
        );
        assert_eq!(counterparty_count(&app).await, 0, "nothing was written");
    }
}

#[tokio::test]
async fn a_wrong_inn_is_shown_beside_its_field_then_the_fixed_form_creates_the_card() {
    for app in spawn_apps().await {
        let browser = Browser::new(&app);
        browser.sign_in().await;
        let form = browser.get("/counterparties/new").await;
        assert_eq!(form.status, 200, "{}", app.label);
        let csrf = form.csrf();

        let refused = browser
            .post(
                "/counterparties",
                &counterparty_form(&csrf, "Молзавод «Вятушка»", "7707083894"),
            )
            .await;
        assert_eq!(refused.status, 422, "{}", app.label);
        let message = refused
            .element("error-inn")
            .expect("a message beside the ИНН");
        assert!(message.contains("контрольное число"), "{message}");
        assert!(
            refused.body.contains("value=\"Молзавод «Вятушка»\""),
            "the typed name is kept"
        );
        assert!(
            refused.body.contains("value=\"7707083894\""),
            "the typed ИНН is kept"
        );
        assert!(
            refused.body.contains("value=\"молоко, сыр\""),
            "the typed tags are kept"
        );
        assert_eq!(counterparty_count(&app).await, 0, "nothing was written");

        let created = browser
            .post(
                "/counterparties",
                &counterparty_form(&csrf, "Молзавод «Вятушка»", "7707083893"),
            )
            .await;
        assert_eq!(created.status, 303);
        assert!(
            created.location.starts_with("/counterparties/"),
            "{}",
            created.location
        );
        let card = browser.get(&created.location).await;
        assert_eq!(card.status, 200);
        assert!(card.body.contains("Молзавод «Вятушка»"));
        assert!(card.body.contains("История изменений"));
        assert!(
            card.body.contains("Создание"),
            "the creation is in the history"
        );
        assert!(card.body.contains("Тестовый admin"), "with who made it");
        assert_eq!(counterparty_count(&app).await, 1);
    }
}

#[tokio::test]
async fn an_edit_is_recorded_in_the_history_and_a_stale_one_is_explained() {
    for app in spawn_apps().await {
        let browser = Browser::new(&app);
        browser.sign_in().await;
        let csrf = browser.get("/counterparties/new").await.csrf();
        let card_url = browser
            .post(
                "/counterparties",
                &counterparty_form(&csrf, "Хлебозавод №1", "7707083893"),
            )
            .await
            .location;
        let id = card_url
            .trim_start_matches("/counterparties/")
            .split('?')
            .next()
            .unwrap()
            .to_string();
        let edit = browser.get(&format!("/counterparties/{id}/edit")).await;
        assert!(
            edit.body.contains("name=\"version\" value=\"1\""),
            "{}",
            app.label
        );
        let mut form = counterparty_form(&csrf, "Хлебозавод №1", "7707083893");
        form.push(("version", "1"));
        form.push(("phone", "+7 495 500-55-50"));
        let saved = browser.post(&format!("/counterparties/{id}"), &form).await;
        assert_eq!(saved.status, 303, "{}", app.label);
        let card = browser.get(&saved.location).await;
        assert!(
            card.body.contains("data-field=\"phone\""),
            "the change is listed"
        );
        assert!(card.body.contains("Изменения сохранены"));

        let mut stale = counterparty_form(&csrf, "Хлебозавод №2", "7707083893");
        stale.push(("version", "1"));
        let page = browser.post(&format!("/counterparties/{id}"), &stale).await;
        assert_eq!(page.status, 409);
        assert!(page.body.contains("Запись уже изменил кто-то другой"));
        assert!(
            page.body.contains("name=\"version\" value=\"2\""),
            "the current version"
        );
        assert!(
            page.body.contains("value=\"Хлебозавод №1\""),
            "the current values"
        );
        assert!(
            page.body.contains("Хлебозавод №2"),
            "and what the user typed"
        );
    }
}

#[tokio::test]
async fn the_list_searches_filters_and_names_a_wrong_parameter() {
    for app in spawn_apps().await {
        let browser = Browser::new(&app);
        browser.sign_in().await;
        let csrf = browser.get("/counterparties/new").await.csrf();
        for (name, inn) in [
            ("Молзавод Вятушка", "7707083893"),
            ("Хлебозавод Колос", "7736050003"),
        ] {
            let page = browser
                .post("/counterparties", &counterparty_form(&csrf, name, inn))
                .await;
            assert_eq!(page.status, 303, "{}: {name}", app.label);
        }
        let found = browser
            .get("/counterparties?q=%D0%BA%D0%BE%D0%BB%D0%BE%D1%81")
            .await;
        assert!(found.body.contains("Хлебозавод Колос"), "{}", app.label);
        assert!(!found.body.contains("Молзавод Вятушка"));
        let by_inn = browser.get("/counterparties?q=7707").await;
        assert!(by_inn.body.contains("Молзавод Вятушка"));
        assert!(!by_inn.body.contains("Хлебозавод Колос"));

        let page = browser
            .get("/counterparties?segment=Z&sort=bogus&limit=1")
            .await;
        assert_eq!(page.status, 200);
        let start = page
            .body
            .find("id=\"list-problems\"")
            .expect("the problems are named");
        let problems = &page.body[start..];
        assert!(problems.contains("Фильтр не применён"));
        assert!(problems.contains("<li>Сегмент: Допустимые значения: A, B, C</li>"));
        assert!(problems.contains("<li>Сортировка: Допустимые значения:"));
        assert!(
            page.body.contains("rel=\"next\""),
            "one row per page leaves a next page"
        );
    }
}

#[tokio::test]
async fn the_english_switch_changes_the_messages() {
    for app in spawn_apps().await {
        let browser = Browser::new(&app);
        browser.sign_in().await;
        let switched = browser.get("/lang/en?next=%2Fcounterparties%2Fnew").await;
        assert_eq!(switched.status, 303, "{}", app.label);
        assert_eq!(switched.location, "/counterparties/new");
        assert!(switched.cookies.iter().any(|c| c.starts_with("lang=en")));
        let form = browser.get("/counterparties/new").await;
        assert!(form.body.contains("New counterparty"));
        let refused = browser
            .post(
                "/counterparties",
                &counterparty_form(&form.csrf(), "Dairy", "7707083894"),
            )
            .await;
        assert_eq!(refused.status, 422);
        let message = refused.element("error-inn").unwrap_or_default();
        assert!(message.contains("control digit"), "{message}");
        assert!(refused.body.contains("Short name"));
        assert_eq!(browser.get("/lang/xx").await.status, 404);
    }
}

#[tokio::test]
async fn signing_out_revokes_the_session() {
    for app in spawn_apps().await {
        let browser = Browser::new(&app);
        let signed_in = browser.sign_in().await;
        let session = signed_in
            .cookies
            .iter()
            .find_map(|c| c.strip_prefix("ferment_session="))
            .and_then(|c| c.split(';').next())
            .expect("session cookie")
            .to_string();
        let list = browser.get("/counterparties").await;
        let page = browser.post("/logout", &[("_csrf", &list.csrf())]).await;
        assert_eq!(page.status, 303, "{}", app.label);
        assert_eq!(page.location, "/login");
        assert!(
            page.cookies
                .iter()
                .any(|c| c.starts_with("ferment_session=;"))
        );

        let old_cookie = reqwest::Client::builder()
            .redirect(redirect::Policy::none())
            .build()
            .unwrap()
            .get(format!("{}/counterparties", app.base))
            .header(COOKIE, format!("ferment_session={session}"))
            .send()
            .await
            .unwrap();
        assert_eq!(old_cookie.status(), 303, "the old cookie no longer works");
    }
}

#[tokio::test]
async fn contacts_and_products_have_lists_cards_and_forms() {
    for app in spawn_apps().await {
        let browser = Browser::new(&app);
        browser.sign_in().await;
        let csrf = browser.get("/counterparties/new").await.csrf();
        let card_url = browser
            .post(
                "/counterparties",
                &counterparty_form(&csrf, "Сыроварня", "7707083893"),
            )
            .await
            .location;
        let id = card_url
            .trim_start_matches("/counterparties/")
            .split('?')
            .next()
            .unwrap()
            .to_string();

        let form = browser
            .get(&format!("/contacts/new?counterparty_id={id}"))
            .await;
        assert!(
            form.body
                .contains(&format!("<option value=\"{id}\" selected>Сыроварня")),
            "{}",
            app.label
        );
        let refused = browser
            .post(
                "/contacts",
                &[
                    ("_csrf", &csrf),
                    ("full_name", "Иванова"),
                    ("counterparty_id", &id),
                    ("emails", "ivanova@\nok@molzavod.ru"),
                ],
            )
            .await;
        assert_eq!(refused.status, 422);
        assert!(refused.element("error-emails").is_some());
        let created = browser
            .post(
                "/contacts",
                &[
                    ("_csrf", &csrf),
                    ("full_name", "Иванова Мария"),
                    ("position", "технолог"),
                    ("counterparty_id", &id),
                    ("emails", "m.ivanova@molzavod.ru"),
                ],
            )
            .await;
        assert_eq!(created.status, 303);
        let contact = browser.get(&created.location).await;
        assert!(contact.body.contains("Иванова Мария") && contact.body.contains("Создание"));
        let card = browser.get(&format!("/counterparties/{id}")).await;
        assert!(
            card.body.contains("Иванова Мария"),
            "the card lists its contacts"
        );
        assert!(
            browser
                .get("/contacts?q=%D0%B8%D0%B2%D0%B0%D0%BD%D0%BE%D0%B2%D0%B0")
                .await
                .body
                .contains("Иванова Мария")
        );

        let product = browser
            .post(
                "/products",
                &[
                    ("_csrf", &csrf),
                    ("code", "00-001"),
                    ("name", "Крахмал кукурузный"),
                    ("unit", "kg"),
                    ("vat_rate", "22"),
                    ("price", "1 234,50"),
                    ("currency", "RUB"),
                ],
            )
            .await;
        assert_eq!(product.status, 303, "{}", product.body);
        let card = browser.get(&product.location).await;
        assert!(
            card.body.contains("1\u{a0}234,50\u{a0}₽"),
            "price the Russian way"
        );
        assert!(card.body.contains("22\u{a0}%"));
        let list = browser.get("/products").await;
        assert!(list.body.contains("Крахмал кукурузный"));
        let bad = browser
            .post(
                "/products",
                &[
                    ("_csrf", &csrf),
                    ("code", "00-002"),
                    ("name", "Пектин"),
                    ("unit", "kg"),
                    ("vat_rate", "22"),
                    ("price", "12,345"),
                ],
            )
            .await;
        assert_eq!(bad.status, 422);
        assert!(bad.element("error-price").is_some());
    }
}

#[tokio::test]
async fn the_language_chosen_before_signing_in_stays_after() {
    for app in spawn_apps().await {
        let browser = Browser::new(&app);
        let switched = browser.get("/lang/en?next=%2Flogin").await;
        assert_eq!(switched.location, "/login", "{}", app.label);
        assert!(
            browser
                .get("/login")
                .await
                .body
                .contains("<html lang=\"en\">")
        );
        browser.sign_in().await;
        let list = browser.get("/counterparties").await;
        assert!(list.body.contains("<html lang=\"en\">"), "{}", list.body);
    }
}

#[tokio::test]
async fn a_card_that_does_not_exist_is_an_error_page() {
    for app in spawn_apps().await {
        let browser = Browser::new(&app);
        browser.sign_in().await;
        for path in [
            "/counterparties/00000000-0000-0000-0000-000000000000",
            "/counterparties/not-an-id/edit",
            "/contacts/00000000-0000-0000-0000-000000000000",
            "/products/00000000-0000-0000-0000-000000000000/edit",
        ] {
            let page = browser.get(path).await;
            assert_eq!(page.status, 404, "{}: {path}", app.label);
            assert!(page.body.contains("Запись не найдена"), "{path}");
            assert!(page.body.contains("Выйти"), "inside the usual frame");
        }
    }
}
