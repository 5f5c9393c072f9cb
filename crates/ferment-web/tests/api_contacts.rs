//! The contact API through the real router, on SQLite and PostgreSQL.

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

fn ids(list: &Value) -> Vec<&str> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_str().unwrap())
        .collect()
}

async fn counterparty(app: &TestApp, name: &str) -> String {
    let (status, created) = app
        .json(
            Method::POST,
            "/api/v1/counterparties",
            Some(json!({"name": name})),
        )
        .await;
    assert_eq!(status, 201, "{}: {created}", app.label);
    created["id"].as_str().unwrap().to_string()
}

async fn stored_history(app: &TestApp, id: &str) -> Vec<ferment_store::history::HistoryEntry> {
    let mut connection = app.store.reader().await.unwrap();
    ferment_store::history::list(&mut connection, id.parse().unwrap(), 100)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_contact_is_created_read_searched_patched_and_deleted_with_its_history_kept() {
    for app in spawn_apps().await {
        let dairy = counterparty(&app, "Молочный завод «Заря»").await;
        let bakery = counterparty(&app, "Хлебозавод №1").await;
        let (status, created) = app
            .json(
                Method::POST,
                "/api/v1/contacts",
                Some(json!({"full_name": "Иванова Мария Петровна", "position": "главный технолог",
                    "counterparty_id": dairy, "emails": ["m.ivanova@zarya.ru"], "phones": ["+7 495 111-22-33"]})),
            )
            .await;
        assert_eq!(status, 201, "{}: {created}", app.label);
        assert_eq!(created["version"], 1);
        assert_eq!(created["emails"], json!(["m.ivanova@zarya.ru"]));
        let id = created["id"].as_str().unwrap().to_string();
        let (_, other) = app
            .json(
                Method::POST,
                "/api/v1/contacts",
                Some(json!({"full_name": "Петров Олег", "counterparty_id": bakery})),
            )
            .await;

        let (status, read) = app
            .json(Method::GET, &format!("/api/v1/contacts/{id}"), None)
            .await;
        assert_eq!(status, 200);
        assert_eq!(read["full_name"], "Иванова Мария Петровна");
        assert_eq!(read["counterparty_id"], json!(dairy));

        let (status, found) = app
            .json(Method::GET, "/api/v1/contacts?q=Иванова", None)
            .await;
        assert_eq!(status, 200, "{found}");
        assert_eq!(ids(&found), vec![id.as_str()]);
        assert_eq!(
            found["items"][0]["counterparty_name"],
            "Молочный завод «Заря»"
        );
        let (_, of_bakery) = app
            .json(
                Method::GET,
                &format!("/api/v1/contacts?counterparty_id={bakery}"),
                None,
            )
            .await;
        assert_eq!(ids(&of_bakery), vec![other["id"].as_str().unwrap()]);
        let (_, first_page) = app
            .json(Method::GET, "/api/v1/contacts?limit=1", None)
            .await;
        assert_eq!(ids(&first_page).len(), 1);
        let cursor = first_page["next_cursor"].as_str().unwrap();
        let (_, second_page) = app
            .json(
                Method::GET,
                &format!("/api/v1/contacts?limit=1&cursor={cursor}"),
                None,
            )
            .await;
        assert_eq!(ids(&second_page).len(), 1);
        assert_ne!(ids(&first_page), ids(&second_page));

        let (status, patched) = app
            .json(
                Method::PATCH,
                &format!("/api/v1/contacts/{id}"),
                Some(json!({"version": 1, "position": "директор по качеству"})),
            )
            .await;
        assert_eq!(status, 200, "{patched}");
        assert_eq!(patched["version"], 2);
        assert_eq!(patched["emails"], json!(["m.ivanova@zarya.ru"]));

        let (status, stale) = app
            .json(
                Method::PATCH,
                &format!("/api/v1/contacts/{id}"),
                Some(json!({"version": 1, "position": "уволена"})),
            )
            .await;
        assert_eq!(status, 409, "{stale}");
        assert_eq!(stale["current_version"], 2);
        let (_, current) = app
            .json(Method::GET, &format!("/api/v1/contacts/{id}"), None)
            .await;
        assert_eq!(
            current["position"], "директор по качеству",
            "a stale PATCH changes nothing"
        );

        let (status, history) = app
            .json(Method::GET, &format!("/api/v1/contacts/{id}/history"), None)
            .await;
        assert_eq!(status, 200);
        assert_eq!(history["items"].as_array().unwrap().len(), 2);
        assert_eq!(history["items"][0]["changes"][0]["field"], "position");

        let response = app
            .send(
                Method::DELETE,
                &format!("/api/v1/contacts/{id}?version=2"),
                None,
            )
            .await;
        assert_eq!(response.status(), 204);
        let (status, _) = app
            .json(Method::GET, &format!("/api/v1/contacts/{id}"), None)
            .await;
        assert_eq!(status, 404);
        let (_, list) = app.json(Method::GET, "/api/v1/contacts", None).await;
        assert!(!ids(&list).contains(&id.as_str()));
        let kept = stored_history(&app, &id).await;
        assert_eq!(kept.len(), 3, "{}", app.label);
        assert_eq!(
            serde_json::to_value(kept[0].action).unwrap(),
            json!("delete")
        );
    }
}

#[tokio::test]
async fn invalid_contact_input_is_refused_field_by_field_and_nothing_is_written() {
    for app in spawn_apps().await {
        let (status, problem) = app
            .json(
                Method::POST,
                "/api/v1/contacts",
                Some(json!({"full_name": " ", "counterparty_id": "not-an-id", "emails": ["ivanova@"]})),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(
            fields(&problem),
            vec!["full_name", "counterparty_id", "emails[0]"]
        );

        let (status, problem) = app
            .json(
                Method::POST,
                "/api/v1/contacts",
                Some(json!({"full_name": "Иванова", "colour": "red", "emails": "a@b.ru"})),
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), vec!["colour", "emails"]);

        let (status, problem) = app
            .json(
                Method::POST,
                "/api/v1/contacts",
                Some(json!({"full_name": "Иванова", "counterparty_id": uuid::Uuid::new_v4()})),
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), vec!["counterparty_id"]);

        let (status, problem) = app
            .json(
                Method::GET,
                "/api/v1/contacts?counterparty_id=zzz&limit=0&cursor=@@",
                None,
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), vec!["counterparty_id", "limit", "cursor"]);

        let (_, list) = app.json(Method::GET, "/api/v1/contacts", None).await;
        assert_eq!(list["items"], json!([]), "nothing was written");

        let (_, created) = app
            .json(
                Method::POST,
                "/api/v1/contacts",
                Some(json!({"full_name": "Иванова"})),
            )
            .await;
        let id = created["id"].as_str().unwrap();
        let (status, problem) = app
            .json(
                Method::PATCH,
                &format!("/api/v1/contacts/{id}"),
                Some(json!({"full_name": "Петрова"})),
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), vec!["version"]);
    }
}

#[tokio::test]
async fn a_user_without_roles_sees_no_contacts_and_may_not_add_any() {
    for app in spawn_apps().await {
        let dairy = counterparty(&app, "Молочный завод «Заря»").await;
        let (_, created) = app
            .json(
                Method::POST,
                "/api/v1/contacts",
                Some(json!({"full_name": "Иванова", "counterparty_id": dairy})),
            )
            .await;
        let id = created["id"].as_str().unwrap();
        let nobody = app.token_for("nobody", &[]).await;
        let (status, _) = app
            .json_as(
                &nobody,
                Method::GET,
                &format!("/api/v1/contacts/{id}"),
                None,
            )
            .await;
        assert_eq!(status, 404);
        let (status, list) = app
            .json_as(&nobody, Method::GET, "/api/v1/contacts", None)
            .await;
        assert_eq!(status, 200);
        assert_eq!(list["items"], json!([]));
        let (status, _) = app
            .json_as(
                &nobody,
                Method::POST,
                "/api/v1/contacts",
                Some(json!({"full_name": "Петров"})),
            )
            .await;
        assert_eq!(status, 403);
        let (status, _) = app
            .json_as(
                &nobody,
                Method::PATCH,
                &format!("/api/v1/contacts/{id}"),
                Some(json!({"version": 1, "full_name": "Петров"})),
            )
            .await;
        assert_eq!(status, 404, "a hidden contact is not found, not forbidden");

        let manager = app.token_for("m1", &["manager"]).await;
        let (status, read) = app
            .json_as(
                &manager,
                Method::GET,
                &format!("/api/v1/contacts/{id}"),
                None,
            )
            .await;
        assert_eq!(status, 200, "{read}");
    }
}
