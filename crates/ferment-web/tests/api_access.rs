//! Access rights through the API: territory scopes in lists, search and cards (404 for what the
//! user may not see, 403 for what they see but may not do), hidden fields, the role editor's API,
//! the effective-access view, IP allow-lists from several loopback addresses and through a
//! trusted proxy, and the audit log.

mod common;

use common::{PASSWORD, TestApp, spawn_apps};
use reqwest::{Client, Method};
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

/// Creates a user through the API and returns (id, token).
async fn user_with(app: &TestApp, login: &str, body: Value) -> (String, String) {
    user_from(app, &app.client, login, body).await
}

/// Creates a user through the API and signs it in with `client`; returns (id, token).
async fn user_from(app: &TestApp, client: &Client, login: &str, body: Value) -> (String, String) {
    let mut body = body;
    body["login"] = json!(login);
    body["full_name"] = json!(format!("Пользователь {login}"));
    body["password"] = json!(PASSWORD);
    let (status, created) = app.json(Method::POST, "/api/v1/users", Some(body)).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let response = client
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({"login": login, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let token: Value = response.json().await.unwrap();
    assert_eq!(status, 201, "{token}");
    (id, token["token"].as_str().unwrap().to_string())
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

fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_regional_manager_sees_and_works_only_their_territory() {
    for app in spawn_apps().await {
        let tatarstan = territory(&app, "RU-TA").await;
        let volga = territory(&app, "RU-VFD").await;
        let moscow = territory(&app, "RU-MOW").await;
        let near = counterparty(&app, "Казанский молочный комбинат", &tatarstan).await;
        let far = counterparty(&app, "Московский молочный завод", &moscow).await;
        let (manager_id, manager) = user_with(
            &app,
            "regional",
            json!({"roles": ["regional_manager"], "territory_id": volga}),
        )
        .await;

        let (status, list) = app
            .json_as(&manager, Method::GET, "/api/v1/counterparties", None)
            .await;
        assert_eq!(status, 200);
        assert_eq!(
            names(&list),
            ["Казанский молочный комбинат"],
            "{}",
            app.label
        );
        let (_, found) = app
            .json_as(
                &manager,
                Method::GET,
                "/api/v1/counterparties?q=молочный",
                None,
            )
            .await;
        assert_eq!(
            names(&found),
            ["Казанский молочный комбинат"],
            "search hides the rest"
        );
        let (_, by_region) = app
            .json_as(
                &manager,
                Method::GET,
                &format!("/api/v1/counterparties?territory_id={moscow}"),
                None,
            )
            .await;
        assert!(
            names(&by_region).is_empty(),
            "a filter can't reach past the scope"
        );

        let (status, _) = app
            .json_as(
                &manager,
                Method::GET,
                &format!("/api/v1/counterparties/{near}"),
                None,
            )
            .await;
        assert_eq!(status, 200);
        for (method, body) in [
            (Method::GET, None),
            (Method::PATCH, Some(json!({"notes": "x", "version": 1}))),
            (Method::DELETE, None),
        ] {
            let (status, problem) = app
                .json_as(
                    &manager,
                    method.clone(),
                    &format!("/api/v1/counterparties/{far}"),
                    body,
                )
                .await;
            assert_eq!(status, 404, "{method} of a hidden record: {problem}");
        }
        // visible, but deleting takes ownership (the admin owns it)
        let (status, problem) = app
            .json_as(
                &manager,
                Method::DELETE,
                &format!("/api/v1/counterparties/{near}"),
                None,
            )
            .await;
        assert_eq!(status, 403, "{problem}");
        assert_eq!(
            problem["type"].as_str().map(|t| t.ends_with("forbidden")),
            Some(true),
            "{problem}"
        );
        // creating in another territory is refused, in their own accepted and owned by them
        let (status, _) = app
            .json_as(
                &manager,
                Method::POST,
                "/api/v1/counterparties",
                Some(json!({"name": "Чужой", "territory_id": moscow})),
            )
            .await;
        assert_eq!(status, 403);
        let (status, own) = app
            .json_as(
                &manager,
                Method::POST,
                "/api/v1/counterparties",
                Some(json!({"name": "Свой", "territory_id": tatarstan})),
            )
            .await;
        assert_eq!(status, 201, "{own}");
        assert_eq!(own["owner_id"], json!(manager_id));
        let own_id = own["id"].as_str().unwrap();
        let (status, _) = app
            .json_as(
                &manager,
                Method::DELETE,
                &format!("/api/v1/counterparties/{own_id}"),
                None,
            )
            .await;
        assert_eq!(status, 204);
        // the manager may not manage users or roles
        let (status, _) = app
            .json_as(
                &manager,
                Method::PATCH,
                &format!("/api/v1/users/{manager_id}"),
                Some(json!({"roles": ["admin"], "version": 1})),
            )
            .await;
        assert_eq!(status, 403);
        let (status, _) = app
            .json_as(
                &manager,
                Method::POST,
                "/api/v1/roles",
                Some(json!({"code": "x", "name": "X"})),
            )
            .await;
        assert_eq!(status, 403);

        // the refusals are in the audit log, readable by the administrator only
        let (status, audit) = app
            .json(
                Method::GET,
                &format!("/api/v1/audit?event=denied&user={manager_id}"),
                None,
            )
            .await;
        assert_eq!(status, 200);
        assert!(audit["items"].as_array().unwrap().len() >= 4, "{audit}");
        let (status, _) = app
            .json_as(&manager, Method::GET, "/api/v1/audit", None)
            .await;
        assert_eq!(status, 403);

        // the effective-access view names the rule
        let (status, effective) = app
            .json(
                Method::GET,
                &format!("/api/v1/access/effective?user={manager_id}&record={near}"),
                None,
            )
            .await;
        assert_eq!(status, 200, "{effective}");
        let read = &effective["operations"][0];
        assert_eq!(read["operation"], "read");
        assert_eq!(read["allowed"], true);
        assert_eq!(read["rule"]["level"], "territory");
        assert_eq!(read["rule"]["source"]["code"], "regional_manager");
        let delete = effective["operations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["operation"] == "delete")
            .unwrap();
        assert_eq!(delete["allowed"], false);
        let (status, problem) = app
            .json(Method::GET, "/api/v1/access/effective?user=nope", None)
            .await;
        assert_eq!(status, 422);
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["user", "record"]);

        // an override widens one cell for one user
        let (_, me) = app
            .json(Method::GET, &format!("/api/v1/users/{manager_id}"), None)
            .await;
        let (status, changed) = app
            .json(
                Method::PATCH,
                &format!("/api/v1/users/{manager_id}"),
                Some(json!({"overrides": {"counterparty": {"read": "all"}}, "version": me["version"]})),
            )
            .await;
        assert_eq!(status, 200, "{changed}");
        let (_, list) = app
            .json_as(&manager, Method::GET, "/api/v1/counterparties", None)
            .await;
        assert_eq!(names(&list).len(), 2);
        let (_, audit) = app
            .json(Method::GET, "/api/v1/audit?event=user_access_changed", None)
            .await;
        assert!(!audit["items"].as_array().unwrap().is_empty());
    }
}

#[tokio::test]
async fn contacts_follow_their_counterpartys_territory() {
    for app in spawn_apps().await {
        let tatarstan = territory(&app, "RU-TA").await;
        let volga = territory(&app, "RU-VFD").await;
        let moscow = territory(&app, "RU-MOW").await;
        let near = counterparty(&app, "Казанский хлебозавод", &tatarstan).await;
        let far = counterparty(&app, "Московский хлебозавод", &moscow).await;
        let mut contact_ids = Vec::new();
        for (name, counterparty_id) in [("Иванова Анна", &near), ("Петров Олег", &far)]
        {
            let (status, contact) = app
                .json(
                    Method::POST,
                    "/api/v1/contacts",
                    Some(json!({"full_name": name, "counterparty_id": counterparty_id})),
                )
                .await;
            assert_eq!(status, 201, "{contact}");
            contact_ids.push(contact["id"].as_str().unwrap().to_string());
        }
        let (_, manager) = user_with(
            &app,
            "regional",
            json!({"roles": ["regional_manager"], "territory_id": volga}),
        )
        .await;
        let (status, list) = app
            .json_as(&manager, Method::GET, "/api/v1/contacts", None)
            .await;
        assert_eq!(status, 200);
        let names: Vec<&str> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["full_name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Иванова Анна"], "{}", app.label);
        let (_, found) = app
            .json_as(&manager, Method::GET, "/api/v1/contacts?q=петров", None)
            .await;
        assert_eq!(found["items"], json!([]), "search hides it too");
        let (status, _) = app
            .json_as(
                &manager,
                Method::GET,
                &format!("/api/v1/contacts/{}", contact_ids[1]),
                None,
            )
            .await;
        assert_eq!(status, 404);
        let (status, _) = app
            .json_as(
                &manager,
                Method::GET,
                &format!("/api/v1/contacts/{}", contact_ids[0]),
                None,
            )
            .await;
        assert_eq!(status, 200);
        // attaching a contact to a client the manager can't see is an unknown reference
        let (status, problem) = app
            .json_as(
                &manager,
                Method::POST,
                "/api/v1/contacts",
                Some(json!({"full_name": "Новый", "counterparty_id": far})),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "counterparty_id");
    }
}

#[tokio::test]
async fn a_technologist_never_sees_prices() {
    for app in spawn_apps().await {
        let (status, product) = app
            .json(
                Method::POST,
                "/api/v1/products",
                Some(json!({"code": "P-1", "name": "Закваска", "unit": "kg", "vat_rate": "22", "price": "1500"})),
            )
            .await;
        assert_eq!(status, 201, "{product}");
        let id = product["id"].as_str().unwrap();
        let (_, technologist) = user_with(&app, "techno", json!({"roles": ["technologist"]})).await;
        let (status, seen) = app
            .json_as(
                &technologist,
                Method::GET,
                &format!("/api/v1/products/{id}"),
                None,
            )
            .await;
        assert_eq!(status, 200);
        assert!(seen.get("price").is_none(), "{seen}");
        assert_eq!(seen["name"], "Закваска");
        let (_, list) = app
            .json_as(&technologist, Method::GET, "/api/v1/products", None)
            .await;
        assert!(list["items"][0].get("price").is_none());
        let (_, history) = app
            .json_as(
                &technologist,
                Method::GET,
                &format!("/api/v1/products/{id}/history"),
                None,
            )
            .await;
        assert!(!history.to_string().contains("\"price\""), "{history}");
        let (status, problem) = app
            .json_as(
                &technologist,
                Method::PATCH,
                &format!("/api/v1/products/{id}"),
                Some(json!({"price": "1", "version": 1})),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "price");
        let (_, admin_view) = app
            .json(Method::GET, &format!("/api/v1/products/{id}"), None)
            .await;
        assert_eq!(admin_view["price"], "1500");
    }
}

#[tokio::test]
async fn roles_are_edited_through_the_api_with_validation_versions_and_audit() {
    for app in spawn_apps().await {
        let (status, created) = app
            .json(
                Method::POST,
                "/api/v1/roles",
                Some(json!({"code": "warehouse_clerk", "name": "Кладовщик",
                    "permissions": {"task": {"read": "own", "edit": "own"}, "counterparty": {"read": "all"}},
                    "ip_allow": ["10.1.0.0/16"]})),
            )
            .await;
        assert_eq!(status, 201, "{created}");
        assert_eq!(created["permissions"]["task"]["edit"], "own");
        let (status, problem) = app
            .json(
                Method::PATCH,
                "/api/v1/roles/warehouse_clerk",
                Some(json!({"permissions": {"lead": {"read": "everything"}}, "ip_allow": ["10.0.0.0/99"], "version": 1})),
            )
            .await;
        assert_eq!(status, 422);
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(
            fields,
            ["permissions.lead.read", "ip_allow[0]"],
            "{problem}"
        );
        let (_, unchanged) = app
            .json(Method::GET, "/api/v1/roles/warehouse_clerk", None)
            .await;
        assert_eq!(unchanged["version"], 1);
        let (status, _) = app
            .json(
                Method::PATCH,
                "/api/v1/roles/warehouse_clerk",
                Some(json!({"name": "Логистика", "version": 7})),
            )
            .await;
        assert_eq!(status, 409);
        let (status, changed) = app
            .json(
                Method::PATCH,
                "/api/v1/roles/warehouse_clerk",
                Some(json!({"ip_allow": [], "version": 1})),
            )
            .await;
        assert_eq!(status, 200, "{changed}");
        assert_eq!(changed["ip_allow"], json!([]));
        assert_eq!(
            changed["permissions"]["task"]["edit"], "own",
            "untouched cells stay"
        );
        let (status, _) = app
            .json(
                Method::POST,
                "/api/v1/roles",
                Some(json!({"code": "warehouse_clerk", "name": "Дубль"})),
            )
            .await;
        assert_eq!(status, 422);
        let (status, _) = app.json(Method::DELETE, "/api/v1/roles/admin", None).await;
        assert_eq!(status, 409, "a role someone holds stays");
        let (status, _) = app
            .json(Method::DELETE, "/api/v1/roles/warehouse_clerk", None)
            .await;
        assert_eq!(status, 204);
        let (_, audit) = app.json(Method::GET, "/api/v1/audit", None).await;
        let events: Vec<&str> = audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["event"].as_str().unwrap())
            .collect();
        for event in ["role_created", "role_changed", "role_deleted"] {
            assert!(events.contains(&event), "{event} in {events:?}");
        }
    }
}

/// A client whose connections come from one loopback address.
#[derive(Clone, Copy)]
struct From([u8; 4]);

/// Sends one HTTP/1.1 request from `from` over a socket bound to that address (the test needs the
/// source address under its control) and returns the status and the body.
async fn raw(
    app: &TestApp,
    from: From,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (u16, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server: std::net::SocketAddr = app.base.trim_start_matches("http://").parse().unwrap();
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket
        .bind(std::net::SocketAddr::from((from.0, 0)))
        .unwrap();
    let mut stream = socket.connect(server).await.unwrap();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {server}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(&body);
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8_lossy(&response);
    let status = text[9..12].parse().unwrap();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    // chunked bodies: take the JSON between the first '{' and the last '}'
    let json = match (rest.find('{'), rest.rfind('}')) {
        (Some(start), Some(end)) if !head.is_empty() => {
            serde_json::from_str(&rest[start..=end]).unwrap_or(Value::Null)
        }
        _ => Value::Null,
    };
    (status, json)
}

/// Posts a form from `from` and returns the status and the HTML.
async fn form_from(app: &TestApp, from: From, path: &str, form: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server: std::net::SocketAddr = app.base.trim_start_matches("http://").parse().unwrap();
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket
        .bind(std::net::SocketAddr::from((from.0, 0)))
        .unwrap();
    let mut stream = socket.connect(server).await.unwrap();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {server}\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
        form.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8_lossy(&response).to_string();
    (text[9..12].parse().unwrap(), text)
}

async fn status_from(app: &TestApp, from: From, token: &str, forwarded: Option<&str>) -> u16 {
    let bearer = format!("Bearer {token}");
    let mut headers = vec![("Authorization", bearer.as_str())];
    if let Some(forwarded) = forwarded {
        headers.push(("X-Forwarded-For", forwarded));
    }
    raw(
        app,
        from,
        "GET",
        "/api/v1/counterparties?limit=1",
        &headers,
        None,
    )
    .await
    .0
}

#[tokio::test]
async fn ip_allow_lists_are_enforced_by_client_address_and_through_a_trusted_proxy() {
    for app in spawn_apps().await {
        let from_2 = From([127, 0, 0, 2]);
        let from_3 = From([127, 0, 0, 3]);
        let from_4 = From([127, 0, 0, 4]);
        let body = json!({"login": "office", "full_name": "Офис", "password": PASSWORD,
            "roles": ["manager"], "ip_allow": ["127.0.0.2/32"]});
        let (status, created) = app.json(Method::POST, "/api/v1/users", Some(body)).await;
        assert_eq!(status, 201, "{created}");
        let id = created["id"].as_str().unwrap().to_string();
        let credentials = json!({"login": "office", "password": PASSWORD});
        // signing in from outside the list is refused and recorded; from inside it works
        let (status, problem) = raw(
            &app,
            from_3,
            "POST",
            "/api/v1/auth/login",
            &[],
            Some(credentials.clone()),
        )
        .await;
        assert_eq!(status, 403, "{problem}");
        let (status, signed_in) = raw(
            &app,
            from_2,
            "POST",
            "/api/v1/auth/login",
            &[],
            Some(credentials),
        )
        .await;
        assert_eq!(status, 201, "{signed_in}");
        let token = signed_in["token"].as_str().unwrap().to_string();
        assert_eq!(
            status_from(&app, from_2, &token, None).await,
            200,
            "{}",
            app.label
        );
        let bearer = format!("Bearer {token}");
        let (status, problem) = raw(
            &app,
            from_3,
            "GET",
            "/api/v1/counterparties",
            &[("Authorization", &bearer)],
            None,
        )
        .await;
        assert_eq!(status, 403);
        assert!(
            problem["type"]
                .as_str()
                .unwrap()
                .ends_with("address-refused"),
            "{problem}"
        );
        assert!(
            problem["detail"].as_str().unwrap().contains("127.0.0.3"),
            "{problem}"
        );
        // a spoofed header from an untrusted peer changes nothing
        assert_eq!(
            status_from(&app, from_3, &token, Some("127.0.0.2")).await,
            403
        );
        // behind a trusted proxy (127.0.0.3) the forwarded address counts
        let (status, body) = app
            .json(
                Method::PUT,
                "/api/v1/settings/trusted-proxies",
                Some(json!({"trusted_proxies": ["127.0.0.3"]})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["trusted_proxies"], json!(["127.0.0.3/32"]));
        assert_eq!(
            status_from(&app, from_3, &token, Some("127.0.0.2")).await,
            200
        );
        assert_eq!(
            status_from(&app, from_3, &token, Some("127.0.0.9")).await,
            403
        );
        assert_eq!(
            status_from(&app, from_3, &token, Some("10.9.9.9, 127.0.0.2")).await,
            200
        );
        assert_eq!(
            status_from(&app, from_4, &token, Some("127.0.0.2")).await,
            403,
            "127.0.0.4 is no proxy"
        );
        let (status, problem) = app
            .json(
                Method::PUT,
                "/api/v1/settings/trusted-proxies",
                Some(json!({"trusted_proxies": ["proxy.local"]})),
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(problem["errors"][0]["field"], "trusted_proxies[0]");
        // the login page says why, beside the form, and opens no session
        let (status, html) = form_from(
            &app,
            from_3,
            "/login",
            &format!(
                "login=office&password={}&next=%2F",
                PASSWORD.replace(' ', "+")
            ),
        )
        .await;
        assert_eq!(status, 403, "{html}");
        assert!(html.contains("id=\"login-error\""), "{html}");
        assert!(html.contains("127.0.0.3"));
        assert!(!html.to_lowercase().contains("set-cookie: ferment_session"));
        let (status, html) = form_from(
            &app,
            from_2,
            "/login",
            &format!(
                "login=office&password={}&next=%2F",
                PASSWORD.replace(' ', "+")
            ),
        )
        .await;
        assert_eq!(status, 303, "{html}");
        // a role's list applies too: the user may come from either list
        let (_, role) = app.json(Method::GET, "/api/v1/roles/manager", None).await;
        let (status, _) = app
            .json(
                Method::PATCH,
                "/api/v1/roles/manager",
                Some(json!({"ip_allow": ["127.0.0.4/32"], "version": role["version"]})),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(status_from(&app, from_4, &token, None).await, 200);
        assert_eq!(status_from(&app, from_2, &token, None).await, 200);
        let (_, audit) = app
            .json(
                Method::GET,
                &format!("/api/v1/audit?event=ip_refused&user={id}"),
                None,
            )
            .await;
        let entries = audit["items"].as_array().unwrap();
        assert!(entries.len() >= 3, "{audit}");
        assert!(entries.iter().any(|e| e["ip"] == "127.0.0.3"));
        let (_, logins) = app
            .json(
                Method::GET,
                &format!("/api/v1/audit?event=login&user={id}"),
                None,
            )
            .await;
        assert!(
            logins["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["ip"] == "127.0.0.2"),
            "{logins}"
        );
    }
}

/// The value of a hidden input in a page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("{name} in the page"))
        + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

#[tokio::test]
async fn a_role_that_hides_prices_edits_products_without_seeing_or_losing_the_price() {
    for app in spawn_apps().await {
        let (status, product) = app
            .json(
                Method::POST,
                "/api/v1/products",
                Some(json!({"code": "P-7", "name": "Пектин", "unit": "kg", "vat_rate": "22", "price": "980"})),
            )
            .await;
        assert_eq!(status, 201, "{product}");
        let id = product["id"].as_str().unwrap();
        let (status, _) = app
            .json(
                Method::POST,
                "/api/v1/roles",
                Some(
                    json!({"code": "catalog_keeper", "name": "Ведение номенклатуры",
                    "permissions": {"product": {"read": "all", "edit": "all"}},
                    "hidden_fields": ["product.price"]}),
                ),
            )
            .await;
        assert_eq!(status, 201);
        user_with(&app, "keeper", json!({"roles": ["catalog_keeper"]})).await;
        let browser = Client::builder().cookie_store(true).build().unwrap();
        let signed_in = browser
            .post(format!("{}/login", app.base))
            .form(&[
                ("login", "keeper"),
                ("password", PASSWORD),
                ("next", "/products"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(
            signed_in.status().as_u16(),
            200,
            "followed to the product list"
        );
        let list = signed_in.text().await.unwrap();
        assert!(list.contains("Пектин") && !list.contains("980"), "{list}");
        let form = browser
            .get(format!("{}/products/{id}/edit", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!form.contains("name=\"price\""), "no price field: {form}");
        let saved = browser
            .post(format!("{}/products/{id}", app.base))
            .form(&[
                ("_csrf", hidden(&form, "_csrf").as_str()),
                ("version", hidden(&form, "version").as_str()),
                ("code", "P-7"),
                ("name", "Пектин яблочный"),
                ("unit", "kg"),
                ("vat_rate", "22"),
                ("currency", "RUB"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(
            saved.status().as_u16(),
            200,
            "{}",
            saved.text().await.unwrap()
        );
        let (_, after) = app
            .json(Method::GET, &format!("/api/v1/products/{id}"), None)
            .await;
        assert_eq!(after["name"], "Пектин яблочный");
        assert_eq!(after["price"], "980", "the hidden price is kept");
    }
}

#[tokio::test]
async fn managing_users_is_not_a_way_to_raise_ones_own_rights() {
    for app in spawn_apps().await {
        let (status, _) = app
            .json(
                Method::POST,
                "/api/v1/roles",
                Some(json!({"code": "hr", "name": "Кадры", "system": ["manage_users"]})),
            )
            .await;
        assert_eq!(status, 201);
        let (hr_id, hr) = user_with(&app, "hr", json!({"roles": ["hr"]})).await;
        // accounts without rights: allowed
        let (status, created) = app
            .json_as(
                &hr,
                Method::POST,
                "/api/v1/users",
                Some(json!({"login": "newbie", "full_name": "Новичок", "password": PASSWORD})),
            )
            .await;
        assert_eq!(status, 201, "{created}");
        let newbie = created["id"].as_str().unwrap();
        // granting a role or an override: refused, for others and for oneself, and nothing changes
        let (status, _) = app
            .json_as(
                &hr,
                Method::PATCH,
                &format!("/api/v1/users/{newbie}"),
                Some(json!({"roles": ["manager"], "version": 1})),
            )
            .await;
        assert_eq!(status, 403, "{}", app.label);
        let (_, me) = app
            .json_as(&hr, Method::GET, &format!("/api/v1/users/{hr_id}"), None)
            .await;
        for body in [
            json!({"roles": ["hr", "admin"], "version": me["version"]}),
            json!({"overrides": {"counterparty": {"read": "all"}}, "version": me["version"]}),
        ] {
            let (status, _) = app
                .json_as(
                    &hr,
                    Method::PATCH,
                    &format!("/api/v1/users/{hr_id}"),
                    Some(body),
                )
                .await;
            assert_eq!(status, 403);
        }
        let (status, _) = app
            .json_as(
                &hr,
                Method::POST,
                "/api/v1/users",
                Some(json!({"login": "boss", "full_name": "Босс", "password": PASSWORD, "roles": ["admin"]})),
            )
            .await;
        assert_eq!(status, 403);
        let (_, after) = app
            .json(Method::GET, &format!("/api/v1/users/{hr_id}"), None)
            .await;
        assert_eq!(after["roles"], json!(["hr"]));
        assert_eq!(after["version"], me["version"]);
        // a name change is still theirs to make
        let (status, _) = app
            .json_as(
                &hr,
                Method::PATCH,
                &format!("/api/v1/users/{newbie}"),
                Some(json!({"full_name": "Новичков Иван", "version": 1})),
            )
            .await;
        assert_eq!(status, 200);
    }
}
