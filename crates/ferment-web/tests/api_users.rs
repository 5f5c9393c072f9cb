//! The user account API through the real router, on SQLite and PostgreSQL, and what users without
//! rights get to see.

mod common;

use common::{TestApp, spawn_apps};
use reqwest::Method;
use serde_json::{Value, json};

const NEW_PASSWORD: &str = "молоко и кефир 2026";

fn fields(problem: &Value) -> Vec<&str> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["field"].as_str().unwrap_or_default())
                .collect()
        })
        .unwrap_or_default()
}

async fn territory_id(app: &TestApp, code: &str) -> Value {
    let (_, list) = app.json(Method::GET, "/api/v1/territories", None).await;
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == code)
        .map(|t| t["id"].clone())
        .unwrap()
}

async fn sign_in(app: &TestApp, login: &str, password: &str) -> u16 {
    app.client
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({"login": login, "password": password}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn an_admin_creates_a_user_with_a_password_who_can_then_sign_in() {
    for app in spawn_apps().await {
        let moscow = territory_id(&app, "RU-MOW").await;
        let (status, created) = app
            .json(
                Method::POST,
                "/api/v1/users",
                Some(json!({"login": "M.Petrova", "full_name": "Петрова Мария", "email": "m.petrova@ferment.ru",
                    "territory_id": moscow, "roles": ["manager"], "password": NEW_PASSWORD})),
            )
            .await;
        assert_eq!(status, 201, "{}: {created}", app.label);
        assert_eq!(created["login"], "m.petrova");
        assert_eq!(created["active"], true, "a new account is active");
        assert_eq!(created["roles"], json!(["manager"]));
        assert_eq!(created["territory_id"], moscow);
        assert!(created.get("password").is_none() && created.get("password_hash").is_none());
        let id = created["id"].as_str().unwrap().to_string();
        assert_eq!(sign_in(&app, "m.petrova", NEW_PASSWORD).await, 201);

        let (status, read) = app
            .json(Method::GET, &format!("/api/v1/users/{id}"), None)
            .await;
        assert_eq!(status, 200);
        assert_eq!(read["full_name"], "Петрова Мария");
        let (status, list) = app.json(Method::GET, "/api/v1/users", None).await;
        assert_eq!(status, 200);
        let logins: Vec<&str> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["login"].as_str().unwrap())
            .collect();
        assert_eq!(logins, vec!["m.petrova", "admin"], "by full name");

        let (status, patched) = app
            .json(
                Method::PATCH,
                &format!("/api/v1/users/{id}"),
                Some(json!({"version": 1, "phone": "+7 900 000-00-00", "roles": ["admin", "manager"]})),
            )
            .await;
        assert_eq!(status, 200, "{patched}");
        assert_eq!(patched["version"], 2);
        assert_eq!(patched["roles"], json!(["admin", "manager"]));

        let (status, _) = app
            .json(
                Method::PATCH,
                &format!("/api/v1/users/{id}"),
                Some(json!({"version": 1, "phone": "+7 000"})),
            )
            .await;
        assert_eq!(status, 409);
        let (_, current) = app
            .json(Method::GET, &format!("/api/v1/users/{id}"), None)
            .await;
        assert_eq!(
            current["phone"], "+7 900 000-00-00",
            "a stale PATCH changes nothing"
        );

        let response = app
            .send(Method::GET, &format!("/api/v1/users/{id}/history"), None)
            .await;
        assert_eq!(response.status(), 200);
        let text = response.text().await.unwrap();
        assert!(!text.contains("argon2"), "no password hash in the history");
        let history: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(history["items"].as_array().unwrap().len(), 2);

        let (status, _) = app
            .json(
                Method::PATCH,
                &format!("/api/v1/users/{id}"),
                Some(json!({"version": 2, "password": "another long password"})),
            )
            .await;
        assert_eq!(status, 422, "a password is not changed by a PATCH");

        let (status, _) = app
            .json(
                Method::PATCH,
                &format!("/api/v1/users/{id}"),
                Some(json!({"version": 2, "active": false})),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(
            sign_in(&app, "m.petrova", NEW_PASSWORD).await,
            401,
            "an inactive account can't sign in"
        );
    }
}

#[tokio::test]
async fn a_duplicate_login_is_refused_with_409() {
    for app in spawn_apps().await {
        let (status, problem) = app
            .json(
                Method::POST,
                "/api/v1/users",
                Some(json!({"login": "ADMIN", "full_name": "Второй админ", "password": NEW_PASSWORD})),
            )
            .await;
        assert_eq!(status, 409, "{problem}");
        assert_eq!(problem["existing_id"], json!(app.admin_id));
        assert_eq!(fields(&problem), vec!["login"]);

        let (_, created) = app
            .json(
                Method::POST,
                "/api/v1/users",
                Some(
                    json!({"login": "head", "full_name": "Руководитель", "password": NEW_PASSWORD}),
                ),
            )
            .await;
        let (status, _) = app
            .json(
                Method::PATCH,
                &format!("/api/v1/users/{}", created["id"].as_str().unwrap()),
                Some(json!({"version": 1, "login": "admin"})),
            )
            .await;
        assert_eq!(status, 409);
    }
}

#[tokio::test]
async fn invalid_user_input_is_refused_field_by_field_and_nothing_is_written() {
    for app in spawn_apps().await {
        let (status, problem) = app
            .json(
                Method::POST,
                "/api/v1/users",
                Some(json!({"login": "петрова", "full_name": "", "email": "petrova@", "password": "short"})),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(
            fields(&problem),
            vec!["login", "full_name", "email", "password"]
        );

        let valid = json!({"login": "petrova", "full_name": "Петрова"});
        let mut without_password = valid.clone();
        without_password["roles"] = json!(["manager"]);
        let (status, problem) = app
            .json(Method::POST, "/api/v1/users", Some(without_password))
            .await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), vec!["password"]);

        for (extra, field) in [
            (json!({"roles": ["wizard"]}), "roles"),
            (
                json!({"territory_id": uuid::Uuid::new_v4()}),
                "territory_id",
            ),
            (json!({"colour": "red"}), "colour"),
            (json!({"password": 1234567890}), "password"),
        ] {
            let mut body = valid.clone();
            body["password"] = json!(NEW_PASSWORD);
            for (key, value) in extra.as_object().unwrap() {
                body[key] = value.clone();
            }
            let (status, problem) = app.json(Method::POST, "/api/v1/users", Some(body)).await;
            assert_eq!(status, 422, "{extra}: {problem}");
            assert_eq!(fields(&problem), vec![field], "{extra}");
        }
        let (_, list) = app.json(Method::GET, "/api/v1/users", None).await;
        assert_eq!(
            list["items"].as_array().unwrap().len(),
            1,
            "nothing was written"
        );
    }
}

#[tokio::test]
async fn a_manager_reads_users_but_changes_only_the_details_of_its_own_account() {
    for app in spawn_apps().await {
        let manager = app.token_for("m1", &["manager"]).await;
        let (status, _) = app
            .json_as(
                &manager,
                Method::POST,
                "/api/v1/users",
                Some(json!({"login": "m2", "full_name": "Второй", "password": NEW_PASSWORD})),
            )
            .await;
        assert_eq!(status, 403, "{}", app.label);

        let (status, list) = app
            .json_as(&manager, Method::GET, "/api/v1/users", None)
            .await;
        assert_eq!(status, 200);
        assert_eq!(list["items"].as_array().unwrap().len(), 2);
        let admin = app.admin_id;
        let (status, admin_record) = app
            .json_as(
                &manager,
                Method::GET,
                &format!("/api/v1/users/{admin}"),
                None,
            )
            .await;
        assert_eq!(status, 200);
        let (status, _) = app
            .json_as(
                &manager,
                Method::PATCH,
                &format!("/api/v1/users/{admin}"),
                Some(json!({"version": admin_record["version"], "full_name": "Взломщик"})),
            )
            .await;
        assert_eq!(status, 403, "not another user's account");

        let (_, me) = app
            .json_as(&manager, Method::GET, "/api/v1/users/me", None)
            .await;
        let my_id = me["id"].as_str().unwrap();
        let (status, patched) = app
            .json_as(
                &manager,
                Method::PATCH,
                &format!("/api/v1/users/{my_id}"),
                Some(json!({"version": me["version"], "phone": "+7 916 123-45-67"})),
            )
            .await;
        assert_eq!(status, 200, "{patched}");
        assert_eq!(patched["phone"], "+7 916 123-45-67");
        for change in [
            json!({"roles": ["admin", "manager"]}),
            json!({"active": false}),
            json!({"login": "boss"}),
        ] {
            let mut body = change.clone();
            body["version"] = patched["version"].clone();
            let (status, _) = app
                .json_as(
                    &manager,
                    Method::PATCH,
                    &format!("/api/v1/users/{my_id}"),
                    Some(body),
                )
                .await;
            assert_eq!(status, 403, "{change}");
        }
        let (_, after) = app
            .json_as(&manager, Method::GET, "/api/v1/users/me", None)
            .await;
        assert_eq!(after["roles"], json!(["manager"]));
        assert_eq!(after["version"], patched["version"]);
    }
}

#[tokio::test]
async fn a_user_without_roles_sees_no_clients_and_no_accounts() {
    for app in spawn_apps().await {
        let (status, created) = app
            .json(
                Method::POST,
                "/api/v1/counterparties",
                Some(json!({"name": "Молочный завод «Заря»"})),
            )
            .await;
        assert_eq!(status, 201);
        let id = created["id"].as_str().unwrap();
        let nobody = app.token_for("nobody", &[]).await;
        let (status, _) = app
            .json_as(
                &nobody,
                Method::GET,
                &format!("/api/v1/counterparties/{id}"),
                None,
            )
            .await;
        assert_eq!(status, 404, "{}", app.label);
        let (status, list) = app
            .json_as(&nobody, Method::GET, "/api/v1/counterparties", None)
            .await;
        assert_eq!(status, 200);
        assert_eq!(list["items"], json!([]));
        let (status, list) = app
            .json_as(&nobody, Method::GET, "/api/v1/users", None)
            .await;
        assert_eq!((status, list["items"].clone()), (200, json!([])));
        let admin = app.admin_id;
        let (status, _) = app
            .json_as(
                &nobody,
                Method::GET,
                &format!("/api/v1/users/{admin}"),
                None,
            )
            .await;
        assert_eq!(status, 404);
        let (status, _) = app
            .json_as(&nobody, Method::GET, "/api/v1/users/me", None)
            .await;
        assert_eq!(status, 200, "everyone knows who they are");
    }
}

#[tokio::test]
async fn a_deleted_user_is_hidden_signed_out_and_its_login_freed_but_its_history_kept() {
    for app in spawn_apps().await {
        let body = json!({"login": "petrova", "full_name": "Петрова", "roles": ["manager"], "password": NEW_PASSWORD});
        let (status, created) = app
            .json(Method::POST, "/api/v1/users", Some(body.clone()))
            .await;
        assert_eq!(status, 201, "{}: {created}", app.label);
        let id = created["id"].as_str().unwrap().to_string();
        let token = ferment_web::auth::issue_api_token(&app.store, id.parse().unwrap(), None)
            .await
            .unwrap();

        let (status, _) = app
            .json_as(
                &token,
                Method::DELETE,
                &format!("/api/v1/users/{}", app.admin_id),
                None,
            )
            .await;
        assert_eq!(status, 403, "a manager deletes no accounts");
        let (status, _) = app
            .json(
                Method::DELETE,
                &format!("/api/v1/users/{}", app.admin_id),
                None,
            )
            .await;
        assert_eq!(status, 403, "nobody deletes their own account");

        let (status, _) = app
            .json_as(
                &token,
                Method::POST,
                "/api/v1/counterparties",
                Some(json!({"name": "Клиент Петровой"})),
            )
            .await;
        assert_eq!(status, 201);
        let (status, problem) = app
            .json(Method::DELETE, &format!("/api/v1/users/{id}"), None)
            .await;
        assert_eq!(status, 409, "an owner of clients is in use: {problem}");
        let (_, clients) = app.json(Method::GET, "/api/v1/counterparties", None).await;
        let client = &clients["items"][0];
        let (status, _) = app
            .json(
                Method::PATCH,
                &format!("/api/v1/counterparties/{}", client["id"].as_str().unwrap()),
                Some(json!({"version": client["version"], "owner_id": app.admin_id})),
            )
            .await;
        assert_eq!(status, 200);

        let (status, _) = app
            .json(
                Method::DELETE,
                &format!("/api/v1/users/{id}?version=1"),
                None,
            )
            .await;
        assert_eq!(status, 204);
        let (status, _) = app
            .json(Method::GET, &format!("/api/v1/users/{id}"), None)
            .await;
        assert_eq!(status, 404);
        let (_, list) = app.json(Method::GET, "/api/v1/users", None).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
        let (status, _) = app
            .json_as(&token, Method::GET, "/api/v1/users/me", None)
            .await;
        assert_eq!(status, 401, "a deleted account is signed out");
        assert_eq!(sign_in(&app, "petrova", NEW_PASSWORD).await, 401);

        let mut connection = app.store.reader().await.unwrap();
        let kept = ferment_store::history::list(&mut connection, id.parse().unwrap(), 100)
            .await
            .unwrap();
        drop(connection);
        assert_eq!(kept.len(), 2);
        assert_eq!(
            serde_json::to_value(kept[0].action).unwrap(),
            json!("delete")
        );
        let (status, again) = app.json(Method::POST, "/api/v1/users", Some(body)).await;
        assert_eq!(status, 201, "the login is free again: {again}");
    }
}
