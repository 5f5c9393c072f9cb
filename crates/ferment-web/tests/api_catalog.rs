//! The product, product group, warehouse and stock API through the real router, on SQLite and
//! PostgreSQL.

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

async fn stored_history(app: &TestApp, id: &str) -> Vec<ferment_store::history::HistoryEntry> {
    let mut connection = app.store.reader().await.unwrap();
    ferment_store::history::list(&mut connection, id.parse().unwrap(), 100)
        .await
        .unwrap()
}

async fn product(app: &TestApp, body: Value) -> Value {
    let (status, created) = app.json(Method::POST, "/api/v1/products", Some(body)).await;
    assert_eq!(status, 201, "{}: {created}", app.label);
    created
}

#[tokio::test]
async fn a_product_is_created_with_decimal_money_read_searched_patched_and_deleted() {
    for app in spawn_apps().await {
        let (status, group) = app
            .json(
                Method::POST,
                "/api/v1/product-groups",
                Some(json!({"name": "Крахмалы"})),
            )
            .await;
        assert_eq!(status, 201, "{group}");
        let group_id = group["id"].as_str().unwrap().to_string();
        let (status, subgroup) = app
            .json(
                Method::POST,
                "/api/v1/product-groups",
                Some(json!({"name": "Модифицированные крахмалы", "parent_id": group_id})),
            )
            .await;
        assert_eq!(status, 201, "{subgroup}");
        let (_, groups) = app.json(Method::GET, "/api/v1/product-groups", None).await;
        assert_eq!(groups["items"].as_array().unwrap().len(), 2);

        let created = product(
            &app,
            json!({"code": "00-001", "name": "Крахмал кукурузный", "unit": "kg", "vat_rate": 22,
                "price": "150,50", "group_id": group_id, "needs_sample": true}),
        )
        .await;
        assert_eq!(created["price"], "150.5", "money is a decimal string");
        assert_eq!(created["vat_rate"], "22");
        assert_eq!(created["unit"], "kg");
        assert_eq!(created["currency"], "RUB");
        assert_eq!(created["needs_sample"], true);
        assert_eq!(created["group_name"], "Крахмалы");
        assert_eq!(created["version"], 1);
        let id = created["id"].as_str().unwrap().to_string();
        let other = product(
            &app,
            json!({"code": "00-002", "name": "Пектин яблочный", "unit": "kg", "vat_rate": "10",
                "price": 99.99, "group_id": subgroup["id"]}),
        )
        .await;
        assert_eq!(other["price"], "99.99");
        assert_eq!(other["vat_rate"], "10");

        let (status, read) = app
            .json(Method::GET, &format!("/api/v1/products/{id}"), None)
            .await;
        assert_eq!(status, 200);
        assert_eq!(read["price"], "150.5");
        assert_eq!(read["group_name"], "Крахмалы");

        let (status, found) = app
            .json(Method::GET, "/api/v1/products?q=кукурузный", None)
            .await;
        assert_eq!(status, 200, "{found}");
        assert_eq!(ids(&found), vec![id.as_str()]);
        assert_eq!(found["items"][0]["price"], "150.5");
        let (_, in_group) = app
            .json(
                Method::GET,
                &format!("/api/v1/products?group_id={group_id}"),
                None,
            )
            .await;
        assert_eq!(
            ids(&in_group).len(),
            2,
            "a group's list includes its subgroups"
        );
        let (_, no_sample) = app
            .json(Method::GET, "/api/v1/products?needs_sample=false", None)
            .await;
        assert_eq!(ids(&no_sample), vec![other["id"].as_str().unwrap()]);

        let (status, patched) = app
            .json(
                Method::PATCH,
                &format!("/api/v1/products/{id}"),
                Some(json!({"version": 1, "price": 160})),
            )
            .await;
        assert_eq!(status, 200, "{patched}");
        assert_eq!(patched["version"], 2);
        assert_eq!(patched["price"], "160");
        assert_eq!(patched["code"], "00-001");

        let (status, stale) = app
            .json(
                Method::PATCH,
                &format!("/api/v1/products/{id}"),
                Some(json!({"version": 1, "price": "1"})),
            )
            .await;
        assert_eq!(status, 409, "{stale}");
        let (_, current) = app
            .json(Method::GET, &format!("/api/v1/products/{id}"), None)
            .await;
        assert_eq!(current["price"], "160", "a stale PATCH changes nothing");

        let (status, history) = app
            .json(Method::GET, &format!("/api/v1/products/{id}/history"), None)
            .await;
        assert_eq!(status, 200);
        assert_eq!(
            history["items"][0]["changes"],
            json!([{"field": "price", "old": "150.5", "new": "160"}]),
            "kopecks never leak as integers"
        );

        let response = app
            .send(Method::DELETE, &format!("/api/v1/products/{id}"), None)
            .await;
        assert_eq!(response.status(), 204);
        let (status, _) = app
            .json(Method::GET, &format!("/api/v1/products/{id}"), None)
            .await;
        assert_eq!(status, 404);
        let (_, list) = app.json(Method::GET, "/api/v1/products", None).await;
        assert_eq!(ids(&list), vec![other["id"].as_str().unwrap()]);
        let kept = stored_history(&app, &id).await;
        assert_eq!(kept.len(), 3, "{}", app.label);
        assert_eq!(
            serde_json::to_value(kept[0].action).unwrap(),
            json!("delete")
        );
    }
}

#[tokio::test]
async fn a_duplicate_product_code_is_refused_with_409_until_the_other_is_deleted() {
    for app in spawn_apps().await {
        let body = json!({"code": "00-001", "name": "Крахмал", "unit": "kg", "vat_rate": "22", "price": "150"});
        let first = product(&app, body.clone()).await;
        let (status, problem) = app
            .json(
                Method::POST,
                "/api/v1/products",
                Some(json!({"code": "00-001", "name": "Другой", "unit": "l", "vat_rate": "22", "price": "1"})),
            )
            .await;
        assert_eq!(status, 409, "{problem}");
        assert_eq!(problem["existing_id"], first["id"]);
        assert_eq!(fields(&problem), vec!["code"]);

        let second = product(
            &app,
            json!({"code": "00-002", "name": "Пектин", "unit": "kg", "vat_rate": "22", "price": "1"}),
        )
        .await;
        let (status, _) = app
            .json(
                Method::PATCH,
                &format!("/api/v1/products/{}", second["id"].as_str().unwrap()),
                Some(json!({"version": 1, "code": "00-001"})),
            )
            .await;
        assert_eq!(status, 409, "a PATCH can't take another product's code");

        let first_id = first["id"].as_str().unwrap();
        let (status, _) = app
            .json(
                Method::DELETE,
                &format!("/api/v1/products/{first_id}?version=1"),
                None,
            )
            .await;
        assert_eq!(status, 204);
        product(&app, body).await;
    }
}

#[tokio::test]
async fn invalid_product_input_is_refused_field_by_field_and_nothing_is_written() {
    for app in spawn_apps().await {
        let (status, problem) = app
            .json(
                Method::POST,
                "/api/v1/products",
                Some(json!({"unit": "bucket", "vat_rate": "120", "price": "-1"})),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(
            fields(&problem),
            vec!["code", "name", "unit", "vat_rate", "price"]
        );

        let (status, problem) = app
            .json(
                Method::POST,
                "/api/v1/products",
                Some(
                    json!({"code": "1", "name": "Крахмал", "unit": "kg", "vat_rate": "22",
                    "price": "1.234", "colour": "red", "needs_sample": "yes"}),
                ),
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), vec!["colour", "needs_sample"]);

        let (status, problem) = app
            .json(
                Method::POST,
                "/api/v1/products",
                Some(
                    json!({"code": "1", "name": "Крахмал", "unit": "kg", "vat_rate": "22",
                    "price": "1.234", "group_id": uuid::Uuid::new_v4()}),
                ),
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), vec!["price"]);

        let (status, problem) = app
            .json(
                Method::POST,
                "/api/v1/products",
                Some(
                    json!({"code": "1", "name": "Крахмал", "unit": "kg", "vat_rate": "22",
                    "price": "1.23", "group_id": uuid::Uuid::new_v4()}),
                ),
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), vec!["group_id"]);

        let (status, problem) = app
            .json(
                Method::POST,
                "/api/v1/product-groups",
                Some(json!({"name": "", "parent_id": uuid::Uuid::new_v4(), "kind": "x"})),
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), vec!["kind"]);
        let (status, problem) = app
            .json(
                Method::POST,
                "/api/v1/product-groups",
                Some(json!({"name": "Крахмалы", "parent_id": uuid::Uuid::new_v4()})),
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), vec!["parent_id"]);

        let (status, problem) = app
            .json(
                Method::GET,
                "/api/v1/products?group_id=x&needs_sample=maybe&limit=500",
                None,
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), vec!["group_id", "needs_sample", "limit"]);

        let (_, list) = app.json(Method::GET, "/api/v1/products", None).await;
        assert_eq!(list["items"], json!([]), "nothing was written");
        let (_, groups) = app.json(Method::GET, "/api/v1/product-groups", None).await;
        assert_eq!(groups["items"], json!([]));
    }
}

#[tokio::test]
async fn a_warehouse_is_created_read_patched_and_deleted_with_its_history_kept() {
    for app in spawn_apps().await {
        let (status, created) = app
            .json(
                Method::POST,
                "/api/v1/warehouses",
                Some(json!({"name": "Офис (образцы)", "kind": "office_samples"})),
            )
            .await;
        assert_eq!(status, 201, "{}: {created}", app.label);
        assert_eq!(created["kind"], "office_samples");
        assert_eq!(created["version"], 1);
        let id = created["id"].as_str().unwrap().to_string();
        let (status, main) = app
            .json(
                Method::POST,
                "/api/v1/warehouses",
                Some(json!({"name": "Склад Подольск", "kind": "warehouse", "address": "Подольск"})),
            )
            .await;
        assert_eq!(status, 201);

        let (status, read) = app
            .json(Method::GET, &format!("/api/v1/warehouses/{id}"), None)
            .await;
        assert_eq!(status, 200);
        assert_eq!(read["name"], "Офис (образцы)");
        let (_, list) = app.json(Method::GET, "/api/v1/warehouses", None).await;
        assert_eq!(ids(&list).len(), 2);

        let (status, patched) = app
            .json(
                Method::PATCH,
                &format!("/api/v1/warehouses/{id}"),
                Some(json!({"version": 1, "address": "Москва, ул. Летняя, 1"})),
            )
            .await;
        assert_eq!(status, 200, "{patched}");
        assert_eq!(patched["version"], 2);
        assert_eq!(patched["kind"], "office_samples");

        let (status, _) = app
            .json(
                Method::PATCH,
                &format!("/api/v1/warehouses/{id}"),
                Some(json!({"version": 1, "name": "Другое"})),
            )
            .await;
        assert_eq!(status, 409);
        let (_, current) = app
            .json(Method::GET, &format!("/api/v1/warehouses/{id}"), None)
            .await;
        assert_eq!(
            current["name"], "Офис (образцы)",
            "a stale PATCH changes nothing"
        );

        let (status, history) = app
            .json(
                Method::GET,
                &format!("/api/v1/warehouses/{id}/history"),
                None,
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(history["items"][0]["changes"][0]["field"], "address");

        let (status, _) = app
            .json(
                Method::DELETE,
                &format!("/api/v1/warehouses/{id}?version=1"),
                None,
            )
            .await;
        assert_eq!(status, 409, "a delete with a stale version changes nothing");
        let (status, _) = app
            .json(Method::DELETE, &format!("/api/v1/warehouses/{id}"), None)
            .await;
        assert_eq!(status, 204);
        let (status, _) = app
            .json(Method::GET, &format!("/api/v1/warehouses/{id}"), None)
            .await;
        assert_eq!(status, 404);
        let (_, list) = app.json(Method::GET, "/api/v1/warehouses", None).await;
        assert_eq!(ids(&list), vec![main["id"].as_str().unwrap()]);
        let kept = stored_history(&app, &id).await;
        assert_eq!(kept.len(), 3);
        assert_eq!(
            serde_json::to_value(kept[0].action).unwrap(),
            json!("delete")
        );
    }
}

#[tokio::test]
async fn invalid_warehouse_input_is_refused_field_by_field() {
    for app in spawn_apps().await {
        let (status, problem) = app
            .json(
                Method::POST,
                "/api/v1/warehouses",
                Some(json!({"name": "", "kind": "office"})),
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), vec!["name", "kind"]);
        let (status, problem) = app
            .json(
                Method::POST,
                "/api/v1/warehouses",
                Some(json!({"name": "Склад", "kind": "warehouse", "capacity": 10})),
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), vec!["capacity"]);
        let (_, list) = app.json(Method::GET, "/api/v1/warehouses", None).await;
        assert_eq!(list["items"], json!([]), "nothing was written");
    }
}

#[tokio::test]
async fn stock_set_by_hand_reads_back_as_a_decimal_string() {
    for app in spawn_apps().await {
        let (_, warehouse) = app
            .json(
                Method::POST,
                "/api/v1/warehouses",
                Some(json!({"name": "Офис", "kind": "office_samples"})),
            )
            .await;
        let warehouse = warehouse["id"].as_str().unwrap().to_string();
        let product = product(
            &app,
            json!({"code": "00-001", "name": "Крахмал", "unit": "kg", "vat_rate": "22", "price": "150"}),
        )
        .await;
        let product = product["id"].as_str().unwrap().to_string();
        let path = format!("/api/v1/warehouses/{warehouse}/stock/{product}");

        let (status, line) = app
            .json(Method::PUT, &path, Some(json!({"quantity": "12.5"})))
            .await;
        assert_eq!(status, 200, "{}: {line}", app.label);
        assert_eq!(line["quantity"], "12.5");
        assert_eq!(line["warehouse_kind"], "office_samples");

        let (status, stock) = app
            .json(
                Method::GET,
                &format!("/api/v1/warehouses/{warehouse}/stock"),
                None,
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(stock["items"].as_array().unwrap().len(), 1);
        assert_eq!(stock["items"][0]["quantity"], "12.5");
        assert_eq!(stock["items"][0]["product_id"], json!(product));
        let (status, stock) = app
            .json(
                Method::GET,
                &format!("/api/v1/products/{product}/stock"),
                None,
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(stock["items"][0]["quantity"], "12.5");
        assert_eq!(stock["items"][0]["warehouse_id"], json!(warehouse));

        let (status, line) = app
            .json(Method::PUT, &path, Some(json!({"quantity": 7})))
            .await;
        assert_eq!(status, 200);
        assert_eq!(line["quantity"], "7", "a number is accepted too");
        let (status, line) = app
            .json(Method::PUT, &path, Some(json!({"quantity": "1 000,25"})))
            .await;
        assert_eq!(status, 200);
        assert_eq!(line["quantity"], "1000.25");

        for (body, field) in [
            (json!({"quantity": "abc"}), "quantity"),
            (json!({"quantity": "-1"}), "quantity"),
            (json!({"quantity": "0.0001"}), "quantity"),
            (json!({}), "quantity"),
            (json!({"quantity": [1]}), "quantity"),
            (json!({"quantity": "1", "unit": "kg"}), "unit"),
        ] {
            let (status, problem) = app.json(Method::PUT, &path, Some(body.clone())).await;
            assert_eq!(status, 422, "{body}: {problem}");
            assert_eq!(fields(&problem), vec![field], "{body}");
        }
        let unknown = uuid::Uuid::new_v4();
        let (status, _) = app
            .json(
                Method::PUT,
                &format!("/api/v1/warehouses/{warehouse}/stock/{unknown}"),
                Some(json!({"quantity": "1"})),
            )
            .await;
        assert_eq!(status, 404, "an unknown product");
        let (status, _) = app
            .json(
                Method::PUT,
                &format!("/api/v1/warehouses/{unknown}/stock/{product}"),
                Some(json!({"quantity": "1"})),
            )
            .await;
        assert_eq!(status, 404, "an unknown warehouse");
        let (_, stock) = app
            .json(
                Method::GET,
                &format!("/api/v1/products/{product}/stock"),
                None,
            )
            .await;
        assert_eq!(
            stock["items"][0]["quantity"], "1000.25",
            "refusals change nothing"
        );

        let history = stored_history(&app, &product).await;
        assert_eq!(
            history.len(),
            4,
            "the product's creation and three stock changes"
        );
        assert_eq!(history[0].changes[0].new, json!("1000.25"));
    }
}

#[tokio::test]
async fn a_user_without_roles_sees_no_catalog_and_may_not_change_it() {
    for app in spawn_apps().await {
        let created = product(
            &app,
            json!({"code": "00-001", "name": "Крахмал", "unit": "kg", "vat_rate": "22", "price": "150"}),
        )
        .await;
        let id = created["id"].as_str().unwrap();
        let nobody = app.token_for("nobody", &[]).await;
        let (status, list) = app
            .json_as(&nobody, Method::GET, "/api/v1/products", None)
            .await;
        assert_eq!((status, list["items"].clone()), (200, json!([])));
        let (status, _) = app
            .json_as(
                &nobody,
                Method::GET,
                &format!("/api/v1/products/{id}"),
                None,
            )
            .await;
        assert_eq!(status, 404);
        let (status, _) = app
            .json_as(
                &nobody,
                Method::POST,
                "/api/v1/warehouses",
                Some(json!({"name": "Склад", "kind": "warehouse"})),
            )
            .await;
        assert_eq!(status, 403);

        let manager = app.token_for("m1", &["manager"]).await;
        let (status, _) = app
            .json_as(
                &manager,
                Method::PATCH,
                &format!("/api/v1/products/{id}"),
                Some(json!({"version": 1, "price": "155"})),
            )
            .await;
        assert_eq!(status, 200, "a manager works the catalog");
    }
}
