//! The test harness: the real application on port 0 against a fresh database of each kind.
#![allow(dead_code)]

pub mod browser;
pub mod pages;
pub mod tools;

use ferment_domain::user::User;
use ferment_store::Store;
use ferment_store::testing::{TestDatabase, databases, open};
use ferment_web::{App, WebConfig};
use reqwest::{Client, Method, Response};
use serde_json::Value;
use uuid::Uuid;

/// The admin's password in tests.
pub const PASSWORD: &str = "correct horse battery";

/// A running application.
pub struct TestApp {
    /// `sqlite` or `postgres`.
    pub label: &'static str,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The store behind it.
    pub store: Store,
    /// An API token of the `admin` user.
    pub admin_token: String,
    /// The admin's id.
    pub admin_id: Uuid,
    /// An HTTP client.
    pub client: Client,
}

/// Starts the application once per configured database, each with an `admin` user.
pub async fn spawn_apps() -> Vec<TestApp> {
    let mut apps = Vec::new();
    for database in databases().await {
        apps.push(spawn(&database).await);
    }
    apps
}

/// Starts the application on `database`.
pub async fn spawn(database: &TestDatabase) -> TestApp {
    let store = open(database).await;
    store
        .seed_reference_data()
        .await
        .expect("seeding reference data");
    let admin_id = ferment_web::auth::ensure_user(&store, &user("admin", &["admin"]), PASSWORD)
        .await
        .expect("admin");
    let admin_token = ferment_web::auth::issue_api_token(&store, admin_id, Some("tests"))
        .await
        .expect("token");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binding port 0");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let files_dir =
        std::env::temp_dir().join(format!("ferment-test-files-{}", uuid::Uuid::new_v4()));
    let router = App::router(
        store.clone(),
        WebConfig {
            files_dir,
            ..WebConfig::default()
        },
    );
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .expect("serving");
    });
    TestApp {
        label: database.label,
        base,
        store,
        admin_token,
        admin_id,
        client: Client::new(),
    }
}

/// The fields a problem+json answer names, in order.
pub fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// A user record for tests.
pub fn user(login: &str, roles: &[&str]) -> User {
    User {
        login: login.into(),
        full_name: format!("Тестовый {login}"),
        email: None,
        phone: None,
        territory_id: None,
        active: true,
        roles: roles.iter().map(|r| r.to_string()).collect(),
        department_id: None,
        ip_allow: Vec::new(),
        overrides: Default::default(),
    }
}

impl TestApp {
    /// The id of the territory with `code` (`RU-VFD`, `RU-TA`, …).
    pub async fn territory(&self, code: &str) -> String {
        let (_, list) = self.json(Method::GET, "/api/v1/territories", None).await;
        list["items"]
            .as_array()
            .expect("territories")
            .iter()
            .find(|t| t["code"] == code)
            .unwrap_or_else(|| panic!("territory {code}"))["id"]
            .as_str()
            .expect("an id")
            .to_string()
    }

    /// Creates a user through the API (`body` holds roles, territory, …; login, name and the
    /// tests' password are added) and signs it in; returns (id, token).
    pub async fn api_user(&self, login: &str, body: Value) -> (String, String) {
        let mut body = body;
        body["login"] = serde_json::json!(login);
        body["full_name"] = serde_json::json!(format!("Пользователь {login}"));
        body["password"] = serde_json::json!(PASSWORD);
        let (status, created) = self.json(Method::POST, "/api/v1/users", Some(body)).await;
        assert_eq!(status, 201, "{created}");
        let (status, token) = self
            .json_as(
                "",
                Method::POST,
                "/api/v1/auth/login",
                Some(serde_json::json!({"login": login, "password": PASSWORD})),
            )
            .await;
        assert_eq!(status, 201, "{token}");
        (
            created["id"].as_str().expect("an id").to_string(),
            token["token"].as_str().expect("a token").to_string(),
        )
    }

    /// Posts `body` to `path` with `token` and returns the answer, which must be 200 or 201.
    pub async fn created(&self, token: &str, path: &str, body: Value) -> Value {
        let (status, answer) = self.json_as(token, Method::POST, path, Some(body)).await;
        assert!(
            status == 201 || status == 200,
            "POST {path}: {status} {answer}"
        );
        answer
    }

    /// Creates a user with `roles` and returns an API token for it.
    pub async fn token_for(&self, login: &str, roles: &[&str]) -> String {
        let id = ferment_web::auth::ensure_user(&self.store, &user(login, roles), PASSWORD)
            .await
            .expect("user");
        ferment_web::auth::issue_api_token(&self.store, id, None)
            .await
            .expect("token")
    }

    /// Sends a request as the admin.
    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Response {
        self.send_as(&self.admin_token, method, path, body).await
    }

    /// Sends a request with a token (empty: anonymous).
    pub async fn send_as(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Response {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if !token.is_empty() {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("request")
    }

    /// Sends a request with a token (empty: anonymous) and returns status and JSON body (null when
    /// empty).
    pub async fn json_as(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let response = self.send_as(token, method, path, body).await;
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Sends a request as the admin and returns status and JSON body (null when empty).
    pub async fn json(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let response = self.send(method, path, body).await;
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}
