//! Who sees and works which sales, tasks and leads, through the API on SQLite and PostgreSQL: a
//! regional manager their territory's, a technologist and a logistician the tasks the process gives
//! them, nobody without `see_costs` the money behind a deal.

mod common;

use common::spawn_apps;
use reqwest::Method;
use serde_json::{Value, json};

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn each_role_sees_and_works_its_part_of_the_process() {
    for app in spawn_apps().await {
        let admin = app.admin_token.clone();
        let volga = app.territory("RU-VFD").await;
        let tatarstan = app.territory("RU-TA").await;
        let moscow = app.territory("RU-MOW").await;
        let (rm_id, rm) = app
            .api_user(
                "rm.volga",
                json!({"roles": ["regional_manager"], "territory_id": volga}),
            )
            .await;
        let (tech_id, tech) = app
            .api_user("tech", json!({"roles": ["technologist"]}))
            .await;
        let (logist_id, logist) = app
            .api_user("logist", json!({"roles": ["logistics"]}))
            .await;

        let kazan = app.created(&admin,
            "/api/v1/counterparties",
            json!({"name": "Казанский молкомбинат", "territory_id": tatarstan, "owner_id": rm_id}),
        )
        .await;
        let moscow_client = app
            .created(
                &admin,
                "/api/v1/counterparties",
                json!({"name": "Московская пекарня", "territory_id": moscow}),
            )
            .await;
        let product = app.created(&admin,
            "/api/v1/products",
            json!({"code": "P-1", "name": "Пектин", "unit": "kg", "vat_rate": "22", "price": "900"}),
        )
        .await;

        // The regional manager makes a sale for their client; one for Moscow is not theirs to make.
        let own = app.created(&rm,
            "/api/v1/sales",
            json!({"counterparty_id": kazan["id"], "title": "Пектин для йогурта",
                   "lines": [{"product_id": product["id"], "quantity": "10", "needs_sample": true, "unit_cost": "500"}]}),
        )
        .await;
        assert_eq!(own["owner_id"], rm_id.as_str());
        assert!(own["lines"][0].get("unit_cost").is_none(), "{own}");
        let (status, _) = app
            .json_as(
                &rm,
                Method::POST,
                "/api/v1/sales",
                Some(json!({"counterparty_id": moscow_client["id"], "title": "Чужая"})),
            )
            .await;
        assert_eq!(status, 422, "a client they cannot see is no reference");
        let foreign = app
            .created(
                &admin,
                "/api/v1/sales",
                json!({"counterparty_id": moscow_client["id"], "title": "Батоны"}),
            )
            .await;

        let (_, list) = app.json_as(&rm, Method::GET, "/api/v1/sales", None).await;
        assert_eq!(ids(&list), vec![own["id"].as_str().unwrap().to_string()]);
        let (_, found) = app
            .json_as(&rm, Method::GET, "/api/v1/sales?q=Батоны", None)
            .await;
        assert!(ids(&found).is_empty(), "search is scoped too: {found}");
        let (status, _) = app
            .json_as(
                &rm,
                Method::GET,
                &format!("/api/v1/sales/{}", foreign["id"].as_str().unwrap()),
                None,
            )
            .await;
        assert_eq!(status, 404);
        let (status, _) = app
            .json_as(
                &rm,
                Method::POST,
                &format!("/api/v1/sales/{}/stage", foreign["id"].as_str().unwrap()),
                Some(json!({"stage": "preliminary_kp"})),
            )
            .await;
        assert_eq!(status, 404);
        let (_, board) = app
            .json_as(&rm, Method::GET, "/api/v1/sales/board", None)
            .await;
        let total: i64 = board["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["count"].as_i64().unwrap())
            .sum();
        assert_eq!(
            total, 1,
            "the board counts only what the user sees: {board}"
        );

        // Through the preliminary proposal to recipe and samples: the technologist and the
        // logistician get their tasks.
        let sale_path = format!("/api/v1/sales/{}", own["id"].as_str().unwrap());
        app.created(
            &rm,
            &format!("{sale_path}/stage"),
            json!({"stage": "preliminary_kp"}),
        )
        .await;
        let (_, tasks) = app
            .json_as(
                &rm,
                Method::GET,
                "/api/v1/tasks?assignee=me&status=open",
                None,
            )
            .await;
        let kp_task = tasks["items"][0]["id"].as_str().unwrap().to_string();
        app.created(
            &rm,
            &format!("/api/v1/tasks/{kp_task}/complete"),
            json!({"outcome": "full"}),
        )
        .await;
        app.created(
            &rm,
            &format!("{sale_path}/stage"),
            json!({"stage": "recipe"}),
        )
        .await;

        let (_, mine) = app
            .json_as(
                &tech,
                Method::GET,
                "/api/v1/tasks?assignee=me&status=open",
                None,
            )
            .await;
        assert_eq!(mine["items"].as_array().unwrap().len(), 1, "{mine}");
        assert_eq!(mine["items"][0]["kind"], "choose_recipe");
        assert_eq!(mine["items"][0]["assignee_id"], tech_id.as_str());
        let (_, all) = app.json_as(&tech, Method::GET, "/api/v1/tasks", None).await;
        assert_eq!(
            all["items"].as_array().unwrap().len(),
            1,
            "a technologist sees only the tasks given to them: {all}"
        );
        let (status, _) = app.json_as(&tech, Method::GET, &sale_path, None).await;
        assert_eq!(
            status, 200,
            "the technologist reads the sale behind the task"
        );
        let (status, _) = app
            .json_as(
                &tech,
                Method::POST,
                &format!("{sale_path}/stage"),
                Some(json!({"stage": "samples"})),
            )
            .await;
        assert_eq!(status, 403, "but does not move it");
        let recipe_task = mine["items"][0]["id"].as_str().unwrap().to_string();
        app.created(
            &tech,
            &format!("/api/v1/tasks/{recipe_task}/complete"),
            json!({"outcome": "in_house", "comment": "Сделаем на пектине LM"}),
        )
        .await;
        let (_, mine) = app
            .json_as(
                &tech,
                Method::GET,
                "/api/v1/tasks?assignee=me&status=open",
                None,
            )
            .await;
        assert_eq!(mine["items"][0]["kind"], "develop_recipe");

        app.created(
            &rm,
            &format!("{sale_path}/stage"),
            json!({"stage": "samples"}),
        )
        .await;
        let (_, mine) = app
            .json_as(
                &logist,
                Method::GET,
                "/api/v1/tasks?assignee=me&status=open",
                None,
            )
            .await;
        assert_eq!(
            mine["items"][0]["kind"], "request_sample_from_supplier",
            "{mine}"
        );
        assert_eq!(mine["items"][0]["assignee_id"], logist_id.as_str());
        assert_eq!(mine["items"][0]["product_id"], product["id"]);

        // Money: the head of sales sees costs and margin, the others do not.
        let (_, head) = app
            .api_user("head", json!({"roles": ["head_of_sales"]}))
            .await;
        app.created(
            &head,
            &format!("{sale_path}/costs"),
            json!({"category": "samples", "amount": "1220", "vat_rate": "22"}),
        )
        .await;
        let (_, seen) = app.json_as(&head, Method::GET, &sale_path, None).await;
        assert_eq!(seen["margin"]["costs"], "1000", "{seen}");
        assert_eq!(seen["lines"][0]["unit_cost"], "500");
        for token in [&rm, &tech, &logist] {
            let (_, seen) = app.json_as(token, Method::GET, &sale_path, None).await;
            assert!(seen.get("margin").is_none() && seen.get("costs_total").is_none());
            let (status, _) = app
                .json_as(token, Method::GET, &format!("{sale_path}/costs"), None)
                .await;
            assert_eq!(status, 403);
        }
        let (_, history) = app
            .json_as(&rm, Method::GET, &format!("{sale_path}/history"), None)
            .await;
        assert!(
            !history.to_string().contains("unit_cost"),
            "unit costs stay out of the history too: {history}"
        );

        // A PATCH by the manager keeps the unit cost they cannot see.
        let (_, current) = app.json_as(&rm, Method::GET, &sale_path, None).await;
        let (status, patched) = app
            .json_as(
                &rm,
                Method::PATCH,
                &sale_path,
                Some(json!({"version": current["version"], "lines": [{"product_id": product["id"], "quantity": "12"}]})),
            )
            .await;
        assert_eq!(status, 200, "{patched}");
        let (_, seen) = app.json_as(&head, Method::GET, &sale_path, None).await;
        assert_eq!(seen["lines"][0]["quantity"], "12");
        assert_eq!(seen["lines"][0]["unit_cost"], "500");

        // Leads follow their owner and territory.
        let (_, lead) = app
            .json_as(
                &rm,
                Method::POST,
                "/api/v1/leads",
                Some(json!({"company_name": "Булочная №1", "need": "Улучшитель", "territory_id": tatarstan})),
            )
            .await;
        let moscow_lead = app
            .created(
                &admin,
                "/api/v1/leads",
                json!({"company_name": "Столичный хлеб", "territory_id": moscow}),
            )
            .await;
        let (_, leads) = app.json_as(&rm, Method::GET, "/api/v1/leads", None).await;
        assert_eq!(ids(&leads), vec![lead["id"].as_str().unwrap().to_string()]);
        let (status, _) = app
            .json_as(
                &rm,
                Method::POST,
                &format!(
                    "/api/v1/leads/{}/convert",
                    moscow_lead["id"].as_str().unwrap()
                ),
                None,
            )
            .await;
        assert_eq!(status, 404);
    }
}
