//! The counterparty API through the real router, on SQLite and PostgreSQL.

mod common;

use common::spawn_apps;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn health_answers_ok_when_the_database_does() {
    for app in spawn_apps().await {
        let response = app.send_as("", Method::GET, "/health", None).await;
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.json::<serde_json::Value>().await.unwrap(),
            json!({"status": "ok"})
        );
    }
}

#[tokio::test]
async fn a_counterparty_is_created_read_patched_and_its_history_kept() {
    for app in spawn_apps().await {
        let (status, created) = app
            .json(
                Method::POST,
                "/api/v1/counterparties",
                Some(json!({"kind": "legal_entity", "name": "Сбербанк", "inn": "7707083893", "kpp": "773601001",
                    "ogrn": "1027700132195", "segment": "A", "industry": "dairy",
                    "bank_accounts": [{"bik": "044525225", "bank_name": "ПАО Сбербанк",
                        "correspondent_account": "30101810400000000225", "account": "30301810000006000001"}]})),
            )
            .await;
        assert_eq!(status, 201, "{}: {created}", app.label);
        assert_eq!(created["version"], 1);
        assert_eq!(
            created["owner_id"],
            json!(app.admin_id),
            "the creator owns a new client"
        );
        let id = created["id"].as_str().unwrap().to_string();

        let (status, patched) = app
            .json(
                Method::PATCH,
                &format!("/api/v1/counterparties/{id}"),
                Some(json!({"version": 1, "phone": "+7 495 500-55-50"})),
            )
            .await;
        assert_eq!(status, 200, "{patched}");
        assert_eq!(patched["version"], 2);
        assert_eq!(patched["inn"], "7707083893");

        let (status, stale) = app
            .json(
                Method::PATCH,
                &format!("/api/v1/counterparties/{id}"),
                Some(json!({"version": 1, "phone": "+7 000"})),
            )
            .await;
        assert_eq!(status, 409, "{stale}");
        assert_eq!(stale["current_version"], 2);
        let (_, current) = app
            .json(Method::GET, &format!("/api/v1/counterparties/{id}"), None)
            .await;
        assert_eq!(
            current["phone"], "+7 495 500-55-50",
            "a stale PATCH changes nothing"
        );

        let (status, history) = app
            .json(
                Method::GET,
                &format!("/api/v1/counterparties/{id}/history"),
                None,
            )
            .await;
        assert_eq!(status, 200);
        let items = history["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0]["changes"][0]["field"], "phone");
        assert_eq!(items[0]["user_id"], json!(app.admin_id));
    }
}

#[tokio::test]
async fn invalid_requisites_are_refused_field_by_field_in_the_requested_language() {
    for app in spawn_apps().await {
        let response = app
            .client
            .post(format!("{}/api/v1/counterparties", app.base))
            .bearer_auth(&app.admin_token)
            .header("Accept-Language", "ru-RU")
            .json(
                &json!({"name": "", "inn": "7707083894", "kpp": "12", "segment": "Z", "bogus": 1}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422);
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: serde_json::Value = response.json().await.unwrap();
        assert_eq!(
            problem["errors"],
            json!([{"field": "bogus", "message": "Такого поля нет"}])
        );

        let response = app
            .client
            .post(format!("{}/api/v1/counterparties", app.base))
            .bearer_auth(&app.admin_token)
            .header("Accept-Language", "en")
            .json(&json!({"name": "", "inn": "7707083894", "kpp": "12", "segment": "Z"}))
            .send()
            .await
            .unwrap();
        let problem: serde_json::Value = response.json().await.unwrap();
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(
            fields,
            vec!["name", "inn", "kpp", "segment"],
            "{}",
            app.label
        );
        assert_eq!(
            problem["errors"][1]["message"],
            "The control digit does not match — check the digits"
        );
        let (_, list) = app.json(Method::GET, "/api/v1/counterparties", None).await;
        assert_eq!(list["items"], json!([]), "nothing was written");
    }
}

#[tokio::test]
async fn a_duplicate_inn_and_kpp_is_refused_naming_the_existing_record() {
    for app in spawn_apps().await {
        let body = json!({"name": "Сбербанк", "inn": "7707083893", "kpp": "773601001"});
        let (_, first) = app
            .json(Method::POST, "/api/v1/counterparties", Some(body.clone()))
            .await;
        let (status, problem) = app
            .json(
                Method::POST,
                "/api/v1/counterparties",
                Some(json!({"name": "Другой", "inn": "7707083893", "kpp": "773601001"})),
            )
            .await;
        assert_eq!(status, 409);
        assert_eq!(problem["existing_id"], first["id"]);
        assert!(
            problem["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("Сбербанк"),
            "{problem}"
        );
        // Another КПП of the same company (a branch) is a different counterparty.
        let (status, _) = app
            .json(
                Method::POST,
                "/api/v1/counterparties",
                Some(json!({"name": "Филиал", "inn": "7707083893", "kpp": "784201001"})),
            )
            .await;
        assert_eq!(status, 201);
    }
}

#[tokio::test]
async fn requests_without_a_valid_token_are_refused() {
    for app in spawn_apps().await {
        let response = app
            .send_as("", Method::GET, "/api/v1/counterparties", None)
            .await;
        assert_eq!(response.status(), 401);
        let response = app
            .send_as("not-a-token", Method::GET, "/api/v1/counterparties", None)
            .await;
        assert_eq!(response.status(), 401);
        let response = app
            .client
            .post(format!("{}/api/v1/auth/login", app.base))
            .json(&json!({"login": "admin", "password": common::PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let token = response.json::<serde_json::Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            app.send_as(&token, Method::GET, "/api/v1/users/me", None)
                .await
                .status(),
            200
        );
        assert_eq!(
            app.send_as(&token, Method::POST, "/api/v1/auth/logout", None)
                .await
                .status(),
            204
        );
        assert_eq!(
            app.send_as(&token, Method::GET, "/api/v1/users/me", None)
                .await
                .status(),
            401,
            "a revoked token stops working"
        );
        let response = app
            .client
            .post(format!("{}/api/v1/auth/login", app.base))
            .json(&json!({"login": "admin", "password": "wrong password"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
    }
}
