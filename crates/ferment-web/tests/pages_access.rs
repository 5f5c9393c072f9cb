//! The access administration pages through the real server, as a browser without JavaScript uses
//! them: the role editor's matrix saved and read back through the API, an invalid address named
//! beside the allow-list, the user editor, departments, the effective-access view, the audit log,
//! and a regional manager refused all of it. Every test runs on SQLite and, when configured, on
//! PostgreSQL.

mod common;

use common::pages::{Browser, Page};
use common::{PASSWORD, TestApp, spawn_apps};
use ferment_domain::access::{Operation, RecordKind};
use reqwest::Method;
use serde_json::{Value, json};

async fn territory(app: &TestApp, code: &str) -> String {
    let (_, list) = app.json(Method::GET, "/api/v1/territories", None).await;
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == code)
        .unwrap_or_else(|| panic!("territory {code}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Creates a user through the API (with the tests' password); returns its id.
async fn create_user(app: &TestApp, login: &str, roles: &[&str], territory_id: &str) -> String {
    let (status, created) = app
        .json(
            Method::POST,
            "/api/v1/users",
            Some(
                json!({"login": login, "full_name": format!("Пользователь {login}"),
                "password": PASSWORD, "roles": roles, "territory_id": territory_id}),
            ),
        )
        .await;
    assert_eq!(status, 201, "{}: {created}", app.label);
    created["id"].as_str().unwrap().to_string()
}

async fn counterparty(app: &TestApp, name: &str, territory_id: &str) -> String {
    let (status, created) = app
        .json(
            Method::POST,
            "/api/v1/counterparties",
            Some(json!({"name": name, "territory_id": territory_id})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_str().unwrap().to_string()
}

async fn role(app: &TestApp, code: &str) -> Value {
    let (status, role) = app
        .json(Method::GET, &format!("/api/v1/roles/{code}"), None)
        .await;
    assert_eq!(status, 200, "{role}");
    role
}

/// The level of one cell of a role as the API gives it (`none` when absent).
fn level(role: &Value, kind: RecordKind, operation: Operation) -> String {
    role["permissions"][kind.code()][operation.code()]
        .as_str()
        .unwrap_or("none")
        .to_string()
}

/// The role editor's form filled in with the role as stored, as the browser would post it.
fn role_form(role: &Value, csrf: &str) -> Vec<(String, String)> {
    let mut form = vec![
        ("_csrf".to_string(), csrf.to_string()),
        ("version".into(), role["version"].to_string()),
        ("name".into(), role["name"].as_str().unwrap().into()),
        ("name_en".into(), role["name_en"].as_str().unwrap().into()),
    ];
    for kind in RecordKind::ALL {
        for operation in Operation::ALL {
            form.push((
                format!("permissions.{}.{}", kind.code(), operation.code()),
                level(role, *kind, *operation),
            ));
        }
    }
    for list in ["system", "hidden_fields"] {
        for code in role[list].as_array().unwrap() {
            form.push((list.to_string(), code.as_str().unwrap().to_string()));
        }
    }
    let nets: Vec<&str> = role["ip_allow"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    form.push(("ip_allow".into(), nets.join("\n")));
    form
}

/// Replaces (or adds) a field of a form.
fn set(form: &mut Vec<(String, String)>, name: &str, value: &str) {
    form.retain(|(key, _)| key != name);
    form.push((name.to_string(), value.to_string()));
}

async fn post(browser: &Browser<'_>, path: &str, form: &[(String, String)]) -> Page {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    browser.post(path, &pairs).await
}

/// The value selected in the `<select name="{name}">` of a page.
fn selected(page: &Page, name: &str) -> Option<String> {
    let start = page.body.find(&format!("name=\"{name}\""))?;
    let end = page.body[start..].find("</select>")? + start;
    let select = &page.body[start..end];
    let option = select.find(" selected>")?;
    let value_start = select[..option].rfind("value=\"")? + "value=\"".len();
    let value_end = select[value_start..].find('"')? + value_start;
    Some(select[value_start..value_end].to_string())
}

#[tokio::test]
async fn an_admin_changes_a_role_cell_in_the_editor_and_the_api_shows_it() {
    for app in spawn_apps().await {
        let browser = Browser::new(&app);
        browser.sign_in().await;
        let list = browser.get("/admin/roles").await;
        assert_eq!(list.status, 200, "{}", app.label);
        assert!(list.body.contains("href=\"/admin/roles/regional_manager\""));
        assert!(
            list.body.contains("id=\"nav-admin\""),
            "the admin sees the link"
        );

        let before = role(&app, "regional_manager").await;
        let editor = browser.get("/admin/roles/regional_manager").await;
        assert_eq!(editor.status, 200);
        for kind in RecordKind::ALL {
            for operation in Operation::ALL {
                let name = format!("permissions.{}.{}", kind.code(), operation.code());
                assert_eq!(
                    selected(&editor, &name),
                    Some(level(&before, *kind, *operation)),
                    "{}: the matrix shows {name} as stored",
                    app.label
                );
            }
        }
        assert!(
            editor
                .body
                .contains("name=\"system\" value=\"export_lists\" checked")
        );

        let mut form = role_form(&before, &editor.csrf());
        assert_eq!(level(&before, RecordKind::Lead, Operation::Delete), "own");
        set(&mut form, "permissions.lead.delete", "team");
        let saved = post(&browser, "/admin/roles/regional_manager", &form).await;
        assert_eq!(saved.status, 303, "{}: {}", app.label, saved.body);
        assert_eq!(saved.location, "/admin/roles/regional_manager?done=saved");

        let after = role(&app, "regional_manager").await;
        assert_eq!(level(&after, RecordKind::Lead, Operation::Delete), "team");
        assert_eq!(
            after["version"],
            json!(before["version"].as_i64().unwrap() + 1)
        );
        let mut expected = before["permissions"].clone();
        expected["lead"]["delete"] = json!("team");
        assert_eq!(after["permissions"], expected, "nothing else changed");
        assert_eq!(after["system"], before["system"]);

        let shown = browser.get(&saved.location).await;
        assert!(shown.body.contains("Изменения сохранены"));
        assert_eq!(
            selected(&shown, "permissions.lead.delete").as_deref(),
            Some("team")
        );

        // The same form again is stale now: a notice, the current values, nothing saved.
        set(&mut form, "permissions.lead.delete", "all");
        let stale = post(&browser, "/admin/roles/regional_manager", &form).await;
        assert_eq!(stale.status, 409);
        assert!(stale.body.contains("Запись уже изменил кто-то другой"));
        assert_eq!(
            selected(&stale, "permissions.lead.delete").as_deref(),
            Some("team")
        );
        assert_eq!(
            role(&app, "regional_manager").await["version"],
            after["version"]
        );

        let audit = browser.get("/admin/audit?event=role_changed").await;
        assert_eq!(audit.status, 200);
        assert!(
            audit.body.contains("data-event=\"role_changed\""),
            "the change is audited"
        );
    }
}

#[tokio::test]
async fn an_invalid_address_is_shown_beside_the_allow_list_and_nothing_changes() {
    for app in spawn_apps().await {
        let browser = Browser::new(&app);
        browser.sign_in().await;
        let before = role(&app, "technologist").await;
        let editor = browser.get("/admin/roles/technologist").await;
        let mut form = role_form(&before, &editor.csrf());
        set(&mut form, "ip_allow", "10.0.0.0/8\r\n10.0.0.300/8\r\n");
        set(&mut form, "permissions.lead.read", "all");
        let refused = post(&browser, "/admin/roles/technologist", &form).await;
        assert_eq!(refused.status, 422, "{}", app.label);
        let message = refused
            .element("error-ip_allow")
            .expect("a message beside the allow-list");
        assert!(
            message.contains("Строка 2 (10.0.0.300/8)") && message.contains("Неверный адрес"),
            "{message}"
        );
        assert!(
            refused.body.contains("10.0.0.0/8\r\n10.0.0.300/8"),
            "the typed list is kept"
        );
        assert_eq!(
            selected(&refused, "permissions.lead.read").as_deref(),
            Some("all"),
            "and so is the typed matrix"
        );
        assert!(refused.body.contains("name=\"version\" value=\"1\""));
        assert_eq!(
            role(&app, "technologist").await,
            before,
            "nothing was saved"
        );
    }
}

#[tokio::test]
async fn a_regional_manager_is_refused_the_administration_pages() {
    for app in spawn_apps().await {
        let volga = territory(&app, "RU-VFD").await;
        create_user(&app, "regional", &["regional_manager"], &volga).await;
        let browser = Browser::new(&app);
        browser.sign_in_as("regional").await;
        let list = browser.get("/counterparties").await;
        assert_eq!(list.status, 200, "{}", app.label);
        assert!(
            !list.body.contains("id=\"nav-admin\""),
            "no administration link"
        );
        for path in [
            "/admin",
            "/admin/roles",
            "/admin/roles/regional_manager",
            "/admin/users",
            "/admin/access",
            "/admin/audit",
        ] {
            let page = browser.get(path).await;
            assert_eq!(page.status, 403, "{}: {path}", app.label);
            assert!(page.body.contains("Недостаточно прав"), "{path}");
            assert!(
                page.body.contains("href=\"/counterparties\""),
                "{path}: a way back"
            );
        }
        let before = role(&app, "regional_manager").await;
        let mut form = role_form(&before, &list.csrf());
        set(&mut form, "permissions.counterparty.read", "all");
        let refused = post(&browser, "/admin/roles/regional_manager", &form).await;
        assert_eq!(refused.status, 403);
        assert_eq!(
            role(&app, "regional_manager").await,
            before,
            "nothing changed"
        );
        let (_, denied) = app
            .json(Method::GET, "/api/v1/audit?event=denied", None)
            .await;
        assert!(
            denied["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["login"] == "regional"),
            "the refusals are audited: {denied}"
        );
    }
}

#[tokio::test]
async fn the_effective_view_names_the_rule_behind_each_answer() {
    for app in spawn_apps().await {
        let volga = territory(&app, "RU-VFD").await;
        let tatarstan = territory(&app, "RU-TA").await;
        let user = create_user(&app, "regional", &["regional_manager"], &volga).await;
        let client = counterparty(&app, "Казанский молкомбинат", &tatarstan).await;
        let browser = Browser::new(&app);
        browser.sign_in().await;

        let empty = browser.get("/admin/access").await;
        assert_eq!(empty.status, 200, "{}", app.label);
        assert!(
            empty.body.contains("Пользователь regional"),
            "users to choose from"
        );

        let page = browser
            .get(&format!("/admin/access?user={user}&record={client}"))
            .await;
        assert_eq!(page.status, 200, "{}", app.label);
        let result = &page.body[page.body.find("id=\"verdicts\"").expect("the verdicts")..];
        let row = |operation: &str| -> String {
            let start = result.find(&format!(">{operation}</th>")).expect(operation);
            result[start..start + result[start..].find("</tr>").unwrap()].to_string()
        };
        let read = row("Чтение");
        assert!(
            read.contains("Разрешено")
                && read.contains("<code>regional_manager</code>")
                && read.contains("Территории")
                && read.contains("территория записи — в территории пользователя"),
            "{read}"
        );
        let delete = row("Удаление");
        assert!(
            delete.contains("Запрещено") && delete.contains("Свои (regional_manager)"),
            "{delete}"
        );
        assert!(page.body.contains("Казанский молкомбинат"));

        let wrong = browser.get("/admin/access?user=nobody&record=").await;
        assert_eq!(wrong.status, 422);
        assert!(
            wrong.element("error-user").is_some(),
            "beside the user select"
        );
        assert!(
            wrong.element("error-record").is_some(),
            "beside the record id"
        );
    }
}

#[tokio::test]
async fn an_admin_edits_a_user_adds_a_department_and_reads_the_audit_log() {
    for app in spawn_apps().await {
        let moscow = territory(&app, "RU-MOW").await;
        let id = create_user(&app, "manager1", &["manager"], &moscow).await;
        let browser = Browser::new(&app);
        browser.sign_in().await;

        let list = browser.get("/admin/users").await;
        assert_eq!(list.status, 200, "{}", app.label);
        assert!(list.body.contains(&format!("href=\"/admin/users/{id}\"")));
        let csrf = list.csrf();
        let blank = browser
            .post("/admin/departments", &[("_csrf", &csrf), ("name", " ")])
            .await;
        assert_eq!(blank.status, 422);
        assert!(blank.element("error-name").is_some());
        let added = browser
            .post(
                "/admin/departments",
                &[("_csrf", &csrf), ("name", "Отдел продаж Москва")],
            )
            .await;
        assert_eq!(added.status, 303);
        let (_, departments) = app.json(Method::GET, "/api/v1/departments", None).await;
        let department = departments["items"][0]["id"].as_str().unwrap().to_string();

        let editor = browser.get(&format!("/admin/users/{id}")).await;
        assert_eq!(editor.status, 200);
        assert_eq!(selected(&editor, "territory_id"), Some(moscow.clone()));
        assert_eq!(
            selected(&editor, "overrides.counterparty.read").as_deref(),
            Some(""),
            "no override yet"
        );
        assert!(
            editor.body.contains("— (Все)"),
            "the roles' level is the hint"
        );
        let mut form: Vec<(String, String)> = vec![
            ("_csrf".into(), csrf.clone()),
            ("version".into(), "1".into()),
            ("full_name".into(), "Сидорова Анна".into()),
            ("email".into(), "a.sidorova@example.ru".into()),
            ("territory_id".into(), moscow.clone()),
            ("department_id".into(), department.clone()),
            ("roles".into(), "manager".into()),
            ("roles".into(), "technologist".into()),
            ("active".into(), "true".into()),
            ("overrides.counterparty.delete".into(), "none".into()),
            ("ip_allow".into(), "127.0.0.1\nnot-an-address".into()),
        ];
        let refused = post(&browser, &format!("/admin/users/{id}"), &form).await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(
            refused
                .element("error-ip_allow")
                .is_some_and(|m| m.contains("Строка 2 (not-an-address)")),
            "{}",
            refused.body
        );
        assert!(refused.body.contains("value=\"Сидорова Анна\""));
        set(&mut form, "ip_allow", "127.0.0.1\n::1");
        let saved = post(&browser, &format!("/admin/users/{id}"), &form).await;
        assert_eq!(saved.status, 303, "{}", saved.body);

        let (_, user) = app
            .json(Method::GET, &format!("/api/v1/users/{id}"), None)
            .await;
        assert_eq!(user["full_name"], "Сидорова Анна");
        assert_eq!(user["department_id"], json!(department));
        assert_eq!(user["roles"], json!(["manager", "technologist"]));
        assert_eq!(
            user["overrides"],
            json!({"counterparty": {"delete": "none"}})
        );
        assert_eq!(user["ip_allow"], json!(["127.0.0.1/32", "::1/128"]));
        assert_eq!(user["login"], "manager1", "the login stays");

        let audit = browser.get("/admin/audit?event=user_access_changed").await;
        assert!(audit.body.contains("data-event=\"user_access_changed\""));
        assert!(
            !audit.body.contains("data-event=\"login\""),
            "the filter applies"
        );
        let paged = browser.get("/admin/audit?limit=1").await;
        assert!(
            paged.body.contains("rel=\"next\""),
            "one row per page leaves a next page"
        );
    }
}

#[tokio::test]
async fn a_new_role_is_created_from_the_list_and_a_held_role_is_not_deleted() {
    for app in spawn_apps().await {
        let browser = Browser::new(&app);
        browser.sign_in().await;
        let csrf = browser.get("/admin/roles").await.csrf();
        let refused = browser
            .post(
                "/admin/roles",
                &[("_csrf", &csrf), ("code", "Bad Code"), ("name", "")],
            )
            .await;
        assert_eq!(refused.status, 422, "{}", app.label);
        assert!(refused.element("error-code").is_some());
        assert!(refused.element("error-name").is_some());
        assert!(refused.body.contains("value=\"Bad Code\""));

        let created = browser
            .post(
                "/admin/roles",
                &[
                    ("_csrf", &csrf),
                    ("code", "auditor"),
                    ("name", "Аудитор"),
                    ("name_en", ""),
                ],
            )
            .await;
        assert_eq!(created.status, 303);
        assert_eq!(created.location, "/admin/roles/auditor?done=created");
        let editor = browser.get(&created.location).await;
        assert!(editor.body.contains("Запись создана"));
        assert_eq!(
            selected(&editor, "permissions.counterparty.read").as_deref(),
            Some("none")
        );

        let held = browser
            .post("/admin/roles/admin/delete", &[("_csrf", &csrf)])
            .await;
        assert_eq!(held.status, 409);
        assert!(held.body.contains("назначена пользователям"));
        let deleted = browser
            .post("/admin/roles/auditor/delete", &[("_csrf", &csrf)])
            .await;
        assert_eq!(deleted.status, 303);
        assert_eq!(
            app.json(Method::GET, "/api/v1/roles/auditor", None).await.0,
            404
        );

        browser.get("/lang/en?next=%2Fadmin%2Froles").await;
        let english = browser.get("/admin/roles/regional_manager").await;
        assert!(
            english.body.contains("Record permissions")
                && english.body.contains(">Territory</option>")
                && english.body.contains(">Administration</a>"),
            "the editor speaks English too"
        );
    }
}

#[tokio::test]
async fn the_trusted_proxies_are_set_on_the_network_page() {
    for app in spawn_apps().await {
        let browser = Browser::new(&app);
        browser.sign_in().await;
        let page = browser.get("/admin/network").await;
        assert_eq!(page.status, 200, "{}", app.label);
        assert!(
            page.element("seen-as").unwrap().contains("127.0.0.1"),
            "the admin's own address is shown"
        );
        let csrf = page.csrf();
        let refused = browser
            .post(
                "/admin/network",
                &[
                    ("_csrf", csrf.as_str()),
                    ("trusted_proxies", "10.0.0.5\r\nproxy.local\r\n"),
                ],
            )
            .await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("proxy.local"), "the line is named");
        let (_, unchanged) = app
            .json(Method::GET, "/api/v1/settings/trusted-proxies", None)
            .await;
        assert_eq!(unchanged["trusted_proxies"], json!([]));
        let saved = browser
            .post(
                "/admin/network",
                &[
                    ("_csrf", csrf.as_str()),
                    ("trusted_proxies", "10.0.0.5\r\n10.1.0.0/16"),
                ],
            )
            .await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let (_, stored) = app
            .json(Method::GET, "/api/v1/settings/trusted-proxies", None)
            .await;
        assert_eq!(
            stored["trusted_proxies"],
            json!(["10.0.0.5/32", "10.1.0.0/16"])
        );
        let (_, audit) = app
            .json(Method::GET, "/api/v1/audit?event=settings_changed", None)
            .await;
        assert_eq!(audit["items"].as_array().unwrap().len(), 1);
    }
}
