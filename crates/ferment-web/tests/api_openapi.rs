//! The OpenAPI document describes the routes that exist, and only those.

mod common;

use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn every_documented_operation_is_routed() {
    let apps = common::spawn_apps().await;
    let app = &apps[0];
    let response = app
        .send_as("", Method::GET, "/api/v1/openapi.json", None)
        .await;
    assert_eq!(response.status(), 200, "the description is public");
    let document: Value = response.json().await.unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    let paths = document["paths"].as_object().unwrap();
    assert!(paths.len() >= 20, "{} paths", paths.len());
    let unknown = uuid::Uuid::new_v4().to_string();
    for (path, operations) in paths {
        let concrete = path
            .replace("{id}", &unknown)
            .replace("{product_id}", &unknown);
        for method in operations.as_object().unwrap().keys() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body = (method != Method::GET && method != Method::DELETE).then(|| json!({}));
            // A fresh token per call: the walk includes /auth/logout, which revokes the token it is sent with.
            let token = ferment_web::auth::issue_api_token(&app.store, app.admin_id, None)
                .await
                .unwrap();
            let response = app
                .send_as(&token, method.clone(), &format!("/api/v1{concrete}"), body)
                .await;
            let status = response.status().as_u16();
            let content_type = response
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap_or("").to_string());
            assert_ne!(status, 401, "{method} {path}: the token was refused");
            assert_ne!(status, 405, "{method} {path} is documented but not routed");
            if status == 404 {
                assert_eq!(
                    content_type.as_deref(),
                    Some("application/problem+json"),
                    "{method} {path} is documented but the router does not know it"
                );
            }
        }
    }
}

#[tokio::test]
async fn the_schemas_come_from_the_domain_inputs() {
    let apps = common::spawn_apps().await;
    let (_, document) = apps[0]
        .json(Method::GET, "/api/v1/openapi.json", None)
        .await;
    let counterparty = &document["components"]["schemas"]["Counterparty"]["properties"];
    for field in [
        "kind",
        "name",
        "full_name",
        "inn",
        "kpp",
        "ogrn",
        "bank_accounts",
        "territory_id",
        "owner_id",
        "segment",
        "industry",
    ] {
        assert!(
            counterparty.get(field).is_some(),
            "Counterparty.{field} is described"
        );
    }
    assert!(
        document["components"]["schemas"]["Product"]["properties"]
            .get("vat_rate")
            .is_some()
    );
    let schemas = &document["components"]["schemas"];
    for (schema, field) in [
        ("Sale", "lines"),
        ("Sale", "counterparty_id"),
        ("Lead", "company_name"),
        ("Lead", "need"),
        ("Task", "due_on"),
        ("Recipe", "composition"),
        ("Cost", "category"),
    ] {
        assert!(
            schemas[schema]["properties"].get(field).is_some(),
            "{schema}.{field} is described"
        );
    }
    assert!(document["paths"].get("/sales/{id}/stage").is_some());
    assert!(document["paths"].get("/tasks/{id}/complete").is_some());
}
