//! The territory API through the real router, on SQLite and PostgreSQL.

mod common;

use common::{TestApp, spawn_apps};
use reqwest::Method;
use serde_json::{Value, json};

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

async fn tree(app: &TestApp) -> Vec<Value> {
    let (status, list) = app.json(Method::GET, "/api/v1/territories", None).await;
    assert_eq!(status, 200, "{list}");
    list["items"].as_array().unwrap().clone()
}

async fn by_code(app: &TestApp, code: &str) -> Value {
    tree(app)
        .await
        .into_iter()
        .find(|t| t["code"] == code)
        .unwrap_or_else(|| panic!("{code} is not in the tree"))
}

async fn stored_history(app: &TestApp, id: &str) -> Vec<ferment_store::history::HistoryEntry> {
    let mut connection = app.store.reader().await.unwrap();
    ferment_store::history::list(&mut connection, id.parse().unwrap(), 100)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_territory_tree_is_listed_parents_first_with_depth_and_path() {
    for app in spawn_apps().await {
        let items = tree(&app).await;
        assert!(
            items.len() > 90,
            "{}: {} territories",
            app.label,
            items.len()
        );
        let mut seen = std::collections::HashSet::new();
        for item in &items {
            if let Some(parent) = item["parent_id"].as_str() {
                assert!(
                    seen.contains(parent),
                    "{} comes after its parent",
                    item["code"]
                );
            }
            seen.insert(item["id"].as_str().unwrap().to_string());
        }
        let russia = by_code(&app, "RU").await;
        assert_eq!(
            (russia["kind"].clone(), russia["depth"].clone()),
            (json!("country"), json!(0))
        );
        let centre = by_code(&app, "RU-CFD").await;
        let moscow = by_code(&app, "RU-MOW").await;
        assert_eq!(moscow["kind"], "region");
        assert_eq!(moscow["depth"], 2);
        assert_eq!(moscow["path"], "/RU/RU-CFD/RU-MOW/");
        assert_eq!(moscow["parent_id"], centre["id"]);
        assert_eq!(moscow["tax_region"], "77");
        assert!(moscow["name_en"].as_str().unwrap().contains("Moscow"));

        let id = moscow["id"].as_str().unwrap();
        let (status, read) = app
            .json(Method::GET, &format!("/api/v1/territories/{id}"), None)
            .await;
        assert_eq!(status, 200);
        assert_eq!(read["code"], "RU-MOW");
        assert_eq!(read["depth"], 2);
    }
}

#[tokio::test]
async fn an_admin_creates_patches_and_deletes_a_territory_with_its_history_kept() {
    for app in spawn_apps().await {
        let centre = by_code(&app, "RU-CFD").await;
        let (status, created) = app
            .json(
                Method::POST,
                "/api/v1/territories",
                Some(
                    json!({"code": "ru-test", "name": "Тестовая область", "kind": "region",
                    "parent_id": centre["id"]}),
                ),
            )
            .await;
        assert_eq!(status, 201, "{}: {created}", app.label);
        assert_eq!(created["code"], "RU-TEST");
        assert_eq!(created["name_en"], "Тестовая область");
        assert_eq!(created["path"], "/RU/RU-CFD/RU-TEST/");
        assert_eq!(created["depth"], 2);
        let id = created["id"].as_str().unwrap().to_string();

        let (status, patched) = app
            .json(
                Method::PATCH,
                &format!("/api/v1/territories/{id}"),
                Some(json!({"version": 1, "name_en": "Test oblast"})),
            )
            .await;
        assert_eq!(status, 200, "{patched}");
        assert_eq!(patched["version"], 2);
        assert_eq!(patched["name"], "Тестовая область");

        let (status, stale) = app
            .json(
                Method::PATCH,
                &format!("/api/v1/territories/{id}"),
                Some(json!({"version": 1, "name": "Другая"})),
            )
            .await;
        assert_eq!(status, 409, "{stale}");
        let (_, current) = app
            .json(Method::GET, &format!("/api/v1/territories/{id}"), None)
            .await;
        assert_eq!(
            current["name"], "Тестовая область",
            "a stale PATCH changes nothing"
        );

        let north_west = by_code(&app, "RU-NWFD").await;
        let (status, moved) = app
            .json(
                Method::PATCH,
                &format!("/api/v1/territories/{id}"),
                Some(json!({"version": 2, "parent_id": north_west["id"]})),
            )
            .await;
        assert_eq!(status, 200, "{moved}");
        assert_eq!(moved["path"], "/RU/RU-NWFD/RU-TEST/");

        let (status, history) = app
            .json(
                Method::GET,
                &format!("/api/v1/territories/{id}/history"),
                None,
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(history["items"].as_array().unwrap().len(), 3);
        assert_eq!(history["items"][0]["changes"][0]["field"], "parent_id");

        let (status, _) = app
            .json(Method::DELETE, &format!("/api/v1/territories/{id}"), None)
            .await;
        assert_eq!(status, 204);
        let (status, _) = app
            .json(Method::GET, &format!("/api/v1/territories/{id}"), None)
            .await;
        assert_eq!(status, 404);
        assert!(tree(&app).await.iter().all(|t| t["id"] != json!(id)));
        let kept = stored_history(&app, &id).await;
        assert_eq!(kept.len(), 4);
        assert_eq!(
            serde_json::to_value(kept[0].action).unwrap(),
            json!("delete")
        );

        let (status, again) = app
            .json(
                Method::POST,
                "/api/v1/territories",
                Some(json!({"code": "RU-TEST", "name": "Снова", "kind": "region"})),
            )
            .await;
        assert_eq!(
            status, 201,
            "a deleted territory's code is free again: {again}"
        );
    }
}

#[tokio::test]
async fn a_duplicate_territory_code_is_refused_with_409() {
    for app in spawn_apps().await {
        let moscow = by_code(&app, "RU-MOW").await;
        let (status, problem) = app
            .json(
                Method::POST,
                "/api/v1/territories",
                Some(json!({"code": "ru-mow", "name": "Москва-2", "kind": "region"})),
            )
            .await;
        assert_eq!(status, 409, "{problem}");
        assert_eq!(problem["existing_id"], moscow["id"]);
        assert_eq!(fields(&problem), vec!["code"]);

        let spb = by_code(&app, "RU-SPE").await;
        let (status, _) = app
            .json(
                Method::PATCH,
                &format!("/api/v1/territories/{}", spb["id"].as_str().unwrap()),
                Some(json!({"version": spb["version"], "code": "RU-MOW"})),
            )
            .await;
        assert_eq!(status, 409);
    }
}

#[tokio::test]
async fn a_territory_in_use_cannot_be_deleted() {
    for app in spawn_apps().await {
        let centre = by_code(&app, "RU-CFD").await;
        let (status, problem) = app
            .json(
                Method::DELETE,
                &format!("/api/v1/territories/{}", centre["id"].as_str().unwrap()),
                None,
            )
            .await;
        assert_eq!(status, 409, "a territory with regions inside is in use");
        assert_eq!(problem["type"], "https://ferment.local/problems/in-use");

        let tver = by_code(&app, "RU-TVE").await;
        let (status, _) = app
            .json(
                Method::POST,
                "/api/v1/counterparties",
                Some(json!({"name": "Тверской молзавод", "territory_id": tver["id"]})),
            )
            .await;
        assert_eq!(status, 201);
        let (status, _) = app
            .json(
                Method::DELETE,
                &format!("/api/v1/territories/{}", tver["id"].as_str().unwrap()),
                None,
            )
            .await;
        assert_eq!(status, 409, "a territory with clients is in use");
        by_code(&app, "RU-TVE").await;
    }
}

#[tokio::test]
async fn invalid_territory_input_is_refused_field_by_field() {
    for app in spawn_apps().await {
        let before = tree(&app).await.len();
        let (status, problem) = app
            .json(
                Method::POST,
                "/api/v1/territories",
                Some(json!({"code": "RU MOW!", "name": "", "kind": "planet", "parent_id": "x"})),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(fields(&problem), vec!["code", "name", "kind", "parent_id"]);

        let (status, problem) = app
            .json(
                Method::POST,
                "/api/v1/territories",
                Some(json!({"code": "X1", "name": "Икс", "kind": "region",
                    "parent_id": uuid::Uuid::new_v4(), "population": 5})),
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), vec!["population"]);
        let (status, problem) = app
            .json(
                Method::POST,
                "/api/v1/territories",
                Some(json!({"code": "X1", "name": "Икс", "kind": "region",
                    "parent_id": uuid::Uuid::new_v4()})),
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), vec!["parent_id"]);

        let centre = by_code(&app, "RU-CFD").await;
        let moscow = by_code(&app, "RU-MOW").await;
        let (status, problem) = app
            .json(
                Method::PATCH,
                &format!("/api/v1/territories/{}", centre["id"].as_str().unwrap()),
                Some(json!({"version": centre["version"], "parent_id": moscow["id"]})),
            )
            .await;
        assert_eq!(status, 422, "a territory can't move inside itself");
        assert_eq!(fields(&problem), vec!["parent_id"]);
        assert_eq!(tree(&app).await.len(), before, "nothing was written");
        assert_eq!(by_code(&app, "RU-CFD").await["path"], "/RU/RU-CFD/");
    }
}

#[tokio::test]
async fn a_manager_may_not_change_territories() {
    for app in spawn_apps().await {
        let manager = app.token_for("m1", &["manager"]).await;
        let moscow = by_code(&app, "RU-MOW").await;
        let id = moscow["id"].as_str().unwrap();
        let (status, _) = app
            .json_as(
                &manager,
                Method::POST,
                "/api/v1/territories",
                Some(json!({"code": "RU-NEW", "name": "Новая", "kind": "region"})),
            )
            .await;
        assert_eq!(status, 403, "{}", app.label);
        let (status, _) = app
            .json_as(
                &manager,
                Method::PATCH,
                &format!("/api/v1/territories/{id}"),
                Some(json!({"version": moscow["version"], "name": "Мск"})),
            )
            .await;
        assert_eq!(status, 403);
        let (status, _) = app
            .json_as(
                &manager,
                Method::DELETE,
                &format!("/api/v1/territories/{id}"),
                None,
            )
            .await;
        assert_eq!(status, 403);
        let after = by_code(&app, "RU-MOW").await;
        assert_eq!(after["name"], moscow["name"], "nothing changed");
        assert_eq!(after["version"], moscow["version"]);
    }
}
