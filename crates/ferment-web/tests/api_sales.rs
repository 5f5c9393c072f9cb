//! The regulated sales process end to end through the API, on SQLite and PostgreSQL: each scenario
//! checks the exact task codes the process sets at each step.

mod common;

use common::{TestApp, fields, spawn_apps};
use reqwest::Method;
use serde_json::{Value, json};

/// A client, three products and stock: one in the office sample store, one only in a warehouse,
/// one nowhere.
struct World {
    counterparty_id: String,
    office_product: String,
    warehouse_product: String,
    missing_product: String,
}

async fn post(app: &TestApp, path: &str, body: Value) -> Value {
    let (status, answer) = app.json(Method::POST, path, Some(body)).await;
    assert!(
        status == 201 || status == 200,
        "{} POST {path}: {status} {answer}",
        app.label
    );
    answer
}

async fn world(app: &TestApp) -> World {
    let client = post(
        app,
        "/api/v1/counterparties",
        json!({"kind": "legal_entity", "name": "Молочный комбинат «Заря»", "inn": "7707083893", "kpp": "773601001"}),
    )
    .await;
    let mut products = Vec::new();
    for (code, name) in [
        ("ST-001", "Стабилизатор Э-1"),
        ("ST-002", "Каррагинан К-2"),
        ("ST-003", "Пектин П-3"),
    ] {
        let product = post(
            app,
            "/api/v1/products",
            json!({"code": code, "name": name, "unit": "kg", "vat_rate": "22", "price": "1220", "needs_sample": true}),
        )
        .await;
        products.push(product["id"].as_str().unwrap().to_string());
    }
    let office = post(
        app,
        "/api/v1/warehouses",
        json!({"name": "Офис, образцы", "kind": "office_samples"}),
    )
    .await;
    let warehouse = post(
        app,
        "/api/v1/warehouses",
        json!({"name": "Склад Подольск", "kind": "warehouse"}),
    )
    .await;
    for (warehouse_id, product) in [(&office, &products[0]), (&warehouse, &products[1])] {
        let (status, body) = app
            .json(
                Method::PUT,
                &format!(
                    "/api/v1/warehouses/{}/stock/{product}",
                    warehouse_id["id"].as_str().unwrap()
                ),
                Some(json!({"quantity": "2.5"})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    World {
        counterparty_id: client["id"].as_str().unwrap().to_string(),
        office_product: products[0].clone(),
        warehouse_product: products[1].clone(),
        missing_product: products[2].clone(),
    }
}

/// A sale under test.
struct Deal<'a> {
    app: &'a TestApp,
    id: String,
}

impl<'a> Deal<'a> {
    async fn direct(app: &'a TestApp, world: &World, lines: Value) -> Deal<'a> {
        let sale = post(
            app,
            "/api/v1/sales",
            json!({"counterparty_id": world.counterparty_id, "title": "Стабилизация йогурта", "lines": lines}),
        )
        .await;
        assert_eq!(sale["stage"], "qualification", "{sale}");
        assert_eq!(sale["process_type"], Value::Null);
        Deal {
            app,
            id: sale["id"].as_str().unwrap().to_string(),
        }
    }

    async fn get(&self) -> Value {
        let (status, sale) = self
            .app
            .json(Method::GET, &format!("/api/v1/sales/{}", self.id), None)
            .await;
        assert_eq!(status, 200, "{sale}");
        sale
    }

    /// Open tasks of the sale: `(code, product_id)` sorted.
    async fn open(&self) -> Vec<(String, String)> {
        let (status, page) = self
            .app
            .json(
                Method::GET,
                &format!("/api/v1/tasks?sale_id={}&status=open&limit=200", self.id),
                None,
            )
            .await;
        assert_eq!(status, 200, "{page}");
        let mut codes: Vec<(String, String)> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["kind"].as_str().unwrap().to_string(),
                    t["product_id"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        codes.sort();
        codes
    }

    /// Open task codes, sorted (products ignored).
    async fn codes(&self) -> Vec<String> {
        self.open()
            .await
            .into_iter()
            .map(|(code, _)| code)
            .collect()
    }

    async fn stage(&self, body: Value) -> (u16, Value) {
        self.app
            .json(
                Method::POST,
                &format!("/api/v1/sales/{}/stage", self.id),
                Some(body),
            )
            .await
    }

    async fn enter(&self, body: Value) -> Value {
        let (status, sale) = self.stage(body.clone()).await;
        assert_eq!(status, 200, "{} entering {body}: {sale}", self.app.label);
        sale
    }

    async fn task_id(&self, code: &str, product: Option<&str>) -> String {
        let (_, page) = self
            .app
            .json(
                Method::GET,
                &format!(
                    "/api/v1/tasks?sale_id={}&status=open&kind={code}&limit=200",
                    self.id
                ),
                None,
            )
            .await;
        let found = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| product.is_none_or(|p| t["product_id"] == p))
            .unwrap_or_else(|| panic!("no open task {code} {product:?}: {page}"));
        found["id"].as_str().unwrap().to_string()
    }

    async fn try_complete(&self, code: &str, body: Value) -> (u16, Value) {
        let id = self.task_id(code, None).await;
        self.app
            .json(
                Method::POST,
                &format!("/api/v1/tasks/{id}/complete"),
                Some(body),
            )
            .await
    }

    async fn complete(&self, code: &str, body: Value) -> Value {
        let (status, answer) = self.try_complete(code, body).await;
        assert_eq!(
            status, 200,
            "{} completing {code}: {answer}",
            self.app.label
        );
        assert_eq!(answer["status"], "done");
        answer
    }

    async fn complete_for(&self, code: &str, product: &str, body: Value) -> Value {
        let id = self.task_id(code, Some(product)).await;
        let (status, answer) = self
            .app
            .json(
                Method::POST,
                &format!("/api/v1/tasks/{id}/complete"),
                Some(body),
            )
            .await;
        assert_eq!(
            status, 200,
            "{} completing {code}: {answer}",
            self.app.label
        );
        answer
    }

    async fn timeline(&self) -> Vec<Value> {
        let (status, body) = self
            .app
            .json(
                Method::GET,
                &format!("/api/v1/sales/{}/timeline", self.id),
                None,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["items"].as_array().unwrap().clone()
    }
}

fn strings(codes: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
    v.sort();
    v
}

async fn through_preliminary(deal: &Deal<'_>, process_type: &str) {
    assert!(deal.codes().await.is_empty());
    let sale = deal.enter(json!({"stage": "preliminary_kp"})).await;
    assert_eq!(sale["created_tasks"][0]["kind"], "send_preliminary_kp");
    assert_eq!(deal.codes().await, strings(&["send_preliminary_kp"]));
    let (status, problem) = deal.try_complete("send_preliminary_kp", json!({})).await;
    assert_eq!(status, 422, "an outcome is required: {problem}");
    assert_eq!(fields(&problem), ["outcome"]);
    let (status, problem) = deal
        .try_complete("send_preliminary_kp", json!({"outcome": "medium"}))
        .await;
    assert_eq!(status, 422, "{problem}");
    deal.complete("send_preliminary_kp", json!({"outcome": process_type}))
        .await;
    assert_eq!(deal.get().await["process_type"], process_type);
    assert!(deal.codes().await.is_empty());
}

async fn through_kp(deal: &Deal<'_>) {
    deal.enter(json!({"stage": "kp"})).await;
    assert_eq!(deal.codes().await, strings(&["check_delivery_terms"]));
    deal.complete("check_delivery_terms", json!({})).await;
    assert_eq!(deal.codes().await, strings(&["prepare_kp"]));
    deal.complete("prepare_kp", json!({})).await;
    assert_eq!(deal.codes().await, strings(&["send_kp"]));
    deal.complete("send_kp", json!({})).await;
    assert_eq!(deal.codes().await, strings(&["get_kp_feedback"]));
    let answer = deal
        .complete("get_kp_feedback", json!({"outcome": "accepted"}))
        .await;
    assert_eq!(answer["suggest"], "contract");
    assert!(deal.codes().await.is_empty());
}

async fn through_contract_to_won(deal: &Deal<'_>) {
    let (status, problem) = deal.stage(json!({"stage": "contract"})).await;
    assert_eq!(status, 422, "the contract kind is needed: {problem}");
    assert_eq!(fields(&problem), ["contract_kind"]);
    let sale = deal
        .enter(json!({"stage": "contract", "contract_kind": "contract_and_specification"}))
        .await;
    assert!(deal.codes().await.is_empty());
    assert_eq!(sale["contract"]["kind"], "contract_and_specification");
    assert_eq!(
        sale["contract"]["client"]["name"],
        sale["counterparty_name"]
    );
    assert_eq!(
        sale["contract"]["lines"].as_array().unwrap().len(),
        sale["lines"].as_array().unwrap().len(),
        "the specification is drawn from the sale's lines: {sale}"
    );
    deal.enter(json!({"stage": "awaiting_order"})).await;
    assert!(deal.codes().await.is_empty());
    let version = deal.get().await["version"].as_i64().unwrap();
    let (status, patched) = deal
        .app
        .json(
            Method::PATCH,
            &format!("/api/v1/sales/{}", deal.id),
            Some(json!({"version": version, "order_placed_on": "2026-12-01", "invoice_paid_on": "03.12.2026", "delivered_on": "2026-12-10"})),
        )
        .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["invoice_paid_on"], "2026-12-03");
    let won = deal.enter(json!({"stage": "won"})).await;
    assert_eq!(won["closed"], true);
    assert_eq!(won["stage"], "won");
    let (status, problem) = deal.stage(json!({"stage": "kp"})).await;
    assert_eq!(status, 409, "a closed sale stays closed: {problem}");
}

#[tokio::test]
async fn the_full_process_with_every_optional_stage() {
    for app in spawn_apps().await {
        let w = world(&app).await;
        let deal = Deal::direct(
            &app,
            &w,
            json!([
                {"product_id": w.office_product, "quantity": "100", "unit_price": "1220", "needs_sample": true},
                {"product_id": w.warehouse_product, "quantity": 50, "needs_sample": false, "sample_paid": true}
            ]),
        )
        .await;
        through_preliminary(&deal, "full").await;

        // recipe: from a partner → the tech spec and the partner's recipe, then send it.
        deal.enter(json!({"stage": "recipe"})).await;
        assert_eq!(deal.codes().await, strings(&["choose_recipe"]));
        deal.complete("choose_recipe", json!({"outcome": "from_partner"}))
            .await;
        assert_eq!(
            deal.codes().await,
            strings(&["obtain_recipe_from_partner", "write_tech_spec"])
        );
        deal.complete("write_tech_spec", json!({})).await;
        assert_eq!(deal.codes().await, strings(&["obtain_recipe_from_partner"]));
        deal.complete("obtain_recipe_from_partner", json!({})).await;
        assert_eq!(deal.codes().await, strings(&["send_recipe"]));
        deal.complete("send_recipe", json!({})).await;

        // samples: only the flagged line, which is in office stock.
        deal.enter(json!({"stage": "samples"})).await;
        assert_eq!(
            deal.open().await,
            vec![("send_sample".to_string(), w.office_product.clone())]
        );
        deal.complete("send_sample", json!({})).await;
        assert_eq!(deal.codes().await, strings(&["get_test_conclusion"]));
        deal.complete("get_test_conclusion", json!({"outcome": "positive"}))
            .await;

        deal.enter(json!({"stage": "pilot_visit"})).await;
        assert_eq!(deal.codes().await, strings(&["arrange_business_trip"]));
        deal.complete("arrange_business_trip", json!({})).await;
        assert_eq!(deal.codes().await, strings(&["record_visit_results"]));
        deal.complete("record_visit_results", json!({"comment": "Линия готова"}))
            .await;

        // industrial trial: a paid sample line starts the contract approval.
        deal.enter(json!({"stage": "industrial_trial"})).await;
        assert_eq!(
            deal.codes().await,
            strings(&["approve_trial_contract", "send_trial_sample"])
        );
        deal.complete("send_trial_sample", json!({})).await;
        deal.complete("approve_trial_contract", json!({})).await;
        assert_eq!(deal.codes().await, strings(&["get_trial_feedback"]));
        deal.complete("get_trial_feedback", json!({"outcome": "success"}))
            .await;
        assert_eq!(deal.codes().await, strings(&["draw_purchase_plan"]));
        deal.complete("draw_purchase_plan", json!({})).await;

        through_kp(&deal).await;
        through_contract_to_won(&deal).await;

        let sale = deal.get().await;
        let marks: Vec<(String, String)> = sale["stage_bar"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["stage"].as_str().unwrap().to_string(),
                    s["mark"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert!(
            marks
                .iter()
                .filter(|(s, _)| s != "won" && s != "lost")
                .all(|(_, m)| m == "entered"),
            "every stage entered: {marks:?}"
        );
        let timeline = deal.timeline().await;
        let entered: Vec<&str> = timeline
            .iter()
            .filter(|e| e["kind"] == "stage_entered")
            .map(|e| e["stage"].as_str().unwrap())
            .collect();
        assert_eq!(
            entered,
            [
                "qualification",
                "preliminary_kp",
                "recipe",
                "samples",
                "pilot_visit",
                "industrial_trial",
                "kp",
                "contract",
                "awaiting_order",
                "won"
            ]
        );
        let outcomes: Vec<&str> = timeline
            .iter()
            .filter(|e| e["kind"] == "task_done" && !e["outcome"].is_null())
            .map(|e| e["outcome"].as_str().unwrap())
            .collect();
        assert_eq!(
            outcomes,
            ["full", "from_partner", "positive", "success", "accepted"]
        );
        let (_, history) = app
            .json(
                Method::GET,
                &format!("/api/v1/sales/{}/history", deal.id),
                None,
            )
            .await;
        let changed_stage = history["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| {
                h["changes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| c["field"] == "stage")
            })
            .count();
        assert!(
            changed_stage >= 9,
            "stage moves are in the history: {history}"
        );
    }
}

#[tokio::test]
async fn the_recipe_branches_existing_and_in_house() {
    for app in spawn_apps().await {
        let w = world(&app).await;
        let recipe = post(
            &app,
            "/api/v1/recipes",
            json!({"name": "Йогурт питьевой 2,5 %", "status": "in_house",
                   "composition": [{"product_id": w.office_product, "share": "0,4"}]}),
        )
        .await;
        for branch in ["existing", "in_house"] {
            let deal = Deal::direct(&app, &w, json!([])).await;
            through_preliminary(&deal, "full").await;
            deal.enter(json!({"stage": "recipe"})).await;
            if branch == "existing" {
                let (status, problem) = deal
                    .try_complete("choose_recipe", json!({"outcome": "existing"}))
                    .await;
                assert_eq!(status, 422, "the recipe is needed: {problem}");
                let (status, problem) = deal
                    .try_complete(
                        "choose_recipe",
                        json!({"outcome": "existing", "data": {"recipe_id": w.office_product}}),
                    )
                    .await;
                assert_eq!(status, 422, "not a recipe: {problem}");
                assert_eq!(fields(&problem), ["data.recipe_id"]);
                deal.complete(
                    "choose_recipe",
                    json!({"outcome": "existing", "data": {"recipe_id": recipe["id"]}}),
                )
                .await;
            } else {
                deal.complete("choose_recipe", json!({"outcome": "in_house"}))
                    .await;
                assert_eq!(deal.codes().await, strings(&["develop_recipe"]));
                deal.complete("develop_recipe", json!({})).await;
            }
            assert_eq!(deal.codes().await, strings(&["send_recipe"]), "{branch}");
        }
    }
}

#[tokio::test]
async fn the_full_process_with_every_optional_stage_skipped() {
    for app in spawn_apps().await {
        let w = world(&app).await;
        let deal = Deal::direct(
            &app,
            &w,
            json!([{"product_id": w.missing_product, "quantity": "10", "needs_sample": true}]),
        )
        .await;
        through_preliminary(&deal, "full").await;
        // Skip recipe explicitly, then jump to awaiting_order over every other optional stage.
        let sale = deal.enter(json!({"stage": "recipe", "skip": true})).await;
        assert_eq!(sale["stage"], "preliminary_kp");
        let (status, sale) = app
            .json(
                Method::POST,
                &format!("/api/v1/sales/{}/skip", deal.id),
                Some(json!({"stage": "samples"})),
            )
            .await;
        assert_eq!(status, 200, "{sale}");
        assert_eq!(sale["stage"], "preliminary_kp");
        assert!(deal.codes().await.is_empty());
        let sale = deal.enter(json!({"stage": "awaiting_order"})).await;
        assert_eq!(sale["stage"], "awaiting_order");
        assert!(deal.codes().await.is_empty(), "skipped stages set no tasks");
        let skipped: Vec<&str> = sale["stage_bar"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["mark"] == "skipped")
            .map(|s| s["stage"].as_str().unwrap())
            .collect();
        assert_eq!(
            skipped,
            [
                "recipe",
                "samples",
                "pilot_visit",
                "industrial_trial",
                "kp",
                "contract"
            ]
        );
        deal.enter(json!({"stage": "won"})).await;
    }
}

#[tokio::test]
async fn the_short_process_and_a_correction_loop_on_the_proposal() {
    for app in spawn_apps().await {
        let w = world(&app).await;
        let deal = Deal::direct(
            &app,
            &w,
            json!([{"product_id": w.office_product, "quantity": "1000"}]),
        )
        .await;
        through_preliminary(&deal, "short").await;
        let (status, problem) = deal.stage(json!({"stage": "recipe"})).await;
        assert_eq!(status, 409, "recipe is not in the short process: {problem}");
        assert_eq!(fields(&problem), ["stage"]);
        let (status, problem) = deal
            .stage(json!({"stage": "contract", "contract_kind": "contract"}))
            .await;
        assert_eq!(
            status, 409,
            "kp is not optional in the short process: {problem}"
        );

        deal.enter(json!({"stage": "kp"})).await;
        deal.complete("check_delivery_terms", json!({})).await;
        deal.complete("prepare_kp", json!({})).await;
        deal.complete("send_kp", json!({})).await;
        deal.complete("get_kp_feedback", json!({"outcome": "correction"}))
            .await;
        assert_eq!(
            deal.codes().await,
            strings(&["prepare_kp"]),
            "back to the proposal"
        );
        deal.complete("prepare_kp", json!({})).await;
        assert_eq!(deal.codes().await, strings(&["send_kp"]));
        deal.complete("send_kp", json!({})).await;
        deal.complete("get_kp_feedback", json!({"outcome": "accepted"}))
            .await;
        through_contract_to_won(&deal).await;
        let timeline = deal.timeline().await;
        let prepared = timeline
            .iter()
            .filter(|e| e["kind"] == "task_created" && e["task_kind"] == "prepare_kp")
            .count();
        assert_eq!(prepared, 2);
    }
}

#[tokio::test]
async fn a_sale_is_lost_from_any_open_stage_with_a_reason() {
    for app in spawn_apps().await {
        let w = world(&app).await;
        let deal = Deal::direct(&app, &w, json!([])).await;
        through_preliminary(&deal, "full").await;
        deal.enter(json!({"stage": "pilot_visit"})).await;
        assert_eq!(deal.codes().await, strings(&["arrange_business_trip"]));
        let (status, problem) = deal.stage(json!({"stage": "lost"})).await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(fields(&problem), ["reason"]);
        let (status, problem) = deal.stage(json!({"stage": "lost", "reason": "  "})).await;
        assert_eq!(status, 422, "{problem}");
        let lost = deal
            .enter(json!({"stage": "lost", "reason": "Выбрали поставщика дешевле"}))
            .await;
        assert_eq!(lost["closed"], true);
        assert_eq!(lost["lost_reason"], "Выбрали поставщика дешевле");
        assert!(deal.codes().await.is_empty(), "open tasks are cancelled");
        let (_, page) = app
            .json(
                Method::GET,
                &format!("/api/v1/tasks?sale_id={}&status=cancelled", deal.id),
                None,
            )
            .await;
        assert_eq!(page["items"][0]["kind"], "arrange_business_trip");
    }
}

#[tokio::test]
async fn sample_rules_follow_office_and_warehouse_stock() {
    for app in spawn_apps().await {
        let w = world(&app).await;
        let deal = Deal::direct(
            &app,
            &w,
            json!([
                {"product_id": w.office_product, "quantity": "5", "needs_sample": true},
                {"product_id": w.warehouse_product, "quantity": "5", "needs_sample": true},
                {"product_id": w.missing_product, "quantity": "5", "needs_sample": true}
            ]),
        )
        .await;
        through_preliminary(&deal, "full").await;
        deal.enter(json!({"stage": "samples"})).await;
        let mut expected = vec![
            (
                "order_sample_from_warehouse".to_string(),
                w.warehouse_product.clone(),
            ),
            (
                "request_sample_from_supplier".to_string(),
                w.missing_product.clone(),
            ),
            ("send_sample".to_string(), w.office_product.clone()),
        ];
        expected.sort();
        assert_eq!(deal.open().await, expected);

        deal.complete_for(
            "order_sample_from_warehouse",
            &w.warehouse_product,
            json!({}),
        )
        .await;
        deal.complete_for(
            "request_sample_from_supplier",
            &w.missing_product,
            json!({}),
        )
        .await;
        let mut expected = vec![
            ("receive_sample".to_string(), w.warehouse_product.clone()),
            ("receive_sample".to_string(), w.missing_product.clone()),
            ("send_sample".to_string(), w.office_product.clone()),
        ];
        expected.sort();
        assert_eq!(deal.open().await, expected);
        for product in [&w.warehouse_product, &w.missing_product] {
            deal.complete_for("receive_sample", product, json!({}))
                .await;
        }
        for product in [&w.office_product, &w.warehouse_product, &w.missing_product] {
            deal.complete_for("send_sample", product, json!({})).await;
        }
        let mut expected: Vec<(String, String)> =
            [&w.office_product, &w.warehouse_product, &w.missing_product]
                .iter()
                .map(|p| ("get_test_conclusion".to_string(), p.to_string()))
                .collect();
        expected.sort();
        assert_eq!(
            deal.open().await,
            expected,
            "each sample gets its conclusion"
        );
        let (_, page) = app
            .json(
                Method::GET,
                &format!("/api/v1/tasks?sale_id={}&kind=send_sample", deal.id),
                None,
            )
            .await;
        assert!(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|t| t["title"].as_str().unwrap().contains(':')),
            "sample tasks name their product: {page}"
        );
    }
}

#[tokio::test]
async fn a_sale_from_a_lead_matches_or_creates_the_client() {
    for app in spawn_apps().await {
        let w = world(&app).await;
        let lead = post(
            &app,
            "/api/v1/leads",
            json!({"company_name": "ООО «Хлебный дом»", "contact_name": "Петров Игорь", "email": "i.petrov@hleb.ru",
                   "phone": "+7 912 000-11-22", "need": "Улучшитель для батонов", "source": "выставка"}),
        )
        .await;
        assert_eq!(lead["status"], "new");
        let (status, problem) = app
            .json(
                Method::POST,
                "/api/v1/leads",
                Some(json!({"contact_name": "x", "email": "bad"})),
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), ["company_name", "email"]);

        let converted = post(
            &app,
            &format!("/api/v1/leads/{}/convert", lead["id"].as_str().unwrap()),
            json!({"lines": [{"product_id": w.office_product, "quantity": "20"}]}),
        )
        .await;
        assert_eq!(converted["counterparty_created"], true);
        assert_eq!(converted["contact_created"], true);
        let sale_id = converted["sale_id"].as_str().unwrap();
        let (_, sale) = app
            .json(Method::GET, &format!("/api/v1/sales/{sale_id}"), None)
            .await;
        assert_eq!(sale["lead_id"], lead["id"]);
        assert_eq!(sale["stage"], "qualification");
        assert_eq!(sale["counterparty_name"], "ООО «Хлебный дом»");
        assert_eq!(sale["contact_name"], "Петров Игорь");
        let (_, lead_now) = app
            .json(
                Method::GET,
                &format!("/api/v1/leads/{}", lead["id"].as_str().unwrap()),
                None,
            )
            .await;
        assert_eq!(lead_now["status"], "qualified");
        assert_eq!(lead_now["sale_id"], sale_id);
        let (status, _) = app
            .json(
                Method::POST,
                &format!("/api/v1/leads/{}/convert", lead["id"].as_str().unwrap()),
                None,
            )
            .await;
        assert_eq!(status, 409, "a lead converts once");

        // A second lead from a known client (by ИНН) reuses the counterparty.
        let known = post(
            &app,
            "/api/v1/leads",
            json!({"company_name": "Заря", "inn": "7707083893", "need": "Новый йогурт"}),
        )
        .await;
        let converted = post(
            &app,
            &format!("/api/v1/leads/{}/convert", known["id"].as_str().unwrap()),
            json!({}),
        )
        .await;
        assert_eq!(converted["counterparty_created"], false);
        assert_eq!(converted["counterparty_id"], w.counterparty_id.as_str());

        // The lead's sale runs the process like a direct one.
        let deal = Deal {
            app: &app,
            id: sale_id.to_string(),
        };
        through_preliminary(&deal, "short").await;
        through_kp(&deal).await;
        through_contract_to_won(&deal).await;

        // A disqualified lead needs its reason and does not convert.
        let cold = post(
            &app,
            "/api/v1/leads",
            json!({"company_name": "ИП Сидоров", "need": "?"}),
        )
        .await;
        let (status, problem) = app
            .json(
                Method::PATCH,
                &format!("/api/v1/leads/{}", cold["id"].as_str().unwrap()),
                Some(json!({"version": cold["version"], "status": "disqualified"})),
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), ["disqualify_reason"]);
        let (status, cold) = app
            .json(
                Method::PATCH,
                &format!("/api/v1/leads/{}", cold["id"].as_str().unwrap()),
                Some(json!({"version": cold["version"], "status": "disqualified", "disqualify_reason": "Нет бюджета"})),
            )
            .await;
        assert_eq!(status, 200, "{cold}");
        let (status, _) = app
            .json(
                Method::POST,
                &format!("/api/v1/leads/{}/convert", cold["id"].as_str().unwrap()),
                None,
            )
            .await;
        assert_eq!(status, 409);
    }
}

#[tokio::test]
async fn stage_moves_are_refused_with_the_reason_and_change_nothing() {
    for app in spawn_apps().await {
        let w = world(&app).await;
        let deal = Deal::direct(&app, &w, json!([])).await;
        let before = deal.get().await;
        let (status, problem) = deal
            .stage(json!({"stage": "contract", "contract_kind": "contract"}))
            .await;
        assert_eq!(status, 409, "{problem}");
        assert_eq!(fields(&problem), ["stage"]);
        let message = problem["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains("contract") || message.contains("Договор"),
            "{message}"
        );
        let (status, problem) = deal.stage(json!({"stage": "kpp"})).await;
        assert_eq!(status, 422, "{problem}");
        let (status, problem) = deal.stage(json!({"stage": "kp", "bogus": 1})).await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(fields(&problem), ["bogus"]);
        let (status, problem) = app
            .json(
                Method::PATCH,
                &format!("/api/v1/sales/{}", deal.id),
                Some(json!({"version": before["version"], "stage": "won"})),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(deal.get().await["version"], before["version"]);
        assert_eq!(deal.get().await["stage"], "qualification");

        let (status, problem) = app
            .json(
                Method::POST,
                "/api/v1/sales",
                Some(
                    json!({"title": "", "counterparty_id": "00000000-0000-0000-0000-000000000000",
                            "lines": [{"product_id": w.office_product, "quantity": "abc"}]}),
                ),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(fields(&problem), ["title", "lines[0].quantity"]);
        let (status, problem) = app
            .json(
                Method::POST,
                "/api/v1/sales",
                Some(json!({"title": "x", "counterparty_id": "00000000-0000-0000-0000-000000000000"})),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(fields(&problem), ["counterparty_id"]);
    }
}

#[tokio::test]
async fn my_tasks_manual_tasks_and_costs_with_margin() {
    for app in spawn_apps().await {
        let w = world(&app).await;
        let deal = Deal::direct(
            &app,
            &w,
            json!([{"product_id": w.office_product, "quantity": "100", "unit_price": "1220", "unit_cost": "600"}]),
        )
        .await;
        deal.enter(json!({"stage": "preliminary_kp"})).await;
        let (status, mine) = app
            .json(Method::GET, "/api/v1/tasks?assignee=me&status=open", None)
            .await;
        assert_eq!(status, 200);
        assert!(
            mine["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["kind"] == "send_preliminary_kp"),
            "{mine}"
        );
        let task = post(
            &app,
            "/api/v1/tasks",
            json!({"title": "Позвонить главному технологу", "kind": "call", "sale_id": deal.id, "due_on": "2026-12-01"}),
        )
        .await;
        assert_eq!(task["counterparty_id"], w.counterparty_id.as_str());
        let (status, problem) = app
            .json(
                Method::POST,
                &format!("/api/v1/tasks/{}/complete", task["id"].as_str().unwrap()),
                Some(json!({"outcome": "full"})),
            )
            .await;
        assert_eq!(status, 422, "a manual task has no outcomes: {problem}");
        let (status, done) = app
            .json(
                Method::POST,
                &format!("/api/v1/tasks/{}/complete", task["id"].as_str().unwrap()),
                None,
            )
            .await;
        assert_eq!(status, 200, "{done}");
        let (status, _) = app
            .json(
                Method::POST,
                &format!("/api/v1/tasks/{}/complete", task["id"].as_str().unwrap()),
                None,
            )
            .await;
        assert_eq!(status, 409, "done once");

        let cost = post(
            &app,
            &format!("/api/v1/sales/{}/costs", deal.id),
            json!({"category": "samples", "amount": "12200", "vat_rate": "22"}),
        )
        .await;
        assert_eq!(cost["amount"], "12200");
        let (status, problem) = app
            .json(
                Method::POST,
                &format!("/api/v1/sales/{}/costs", deal.id),
                Some(json!({"category": "party", "amount": "-1"})),
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), ["category", "amount"]);
        let sale = deal.get().await;
        // Revenue 122 000 with VAT → 100 000 net; goods 60 000; costs 10 000 net.
        assert_eq!(sale["margin"]["revenue"], "100000");
        assert_eq!(sale["margin"]["cost_of_goods"], "60000");
        assert_eq!(sale["margin"]["costs"], "10000");
        assert_eq!(sale["margin"]["margin"], "30000");
        assert_eq!(sale["totals"]["vat"], "22000");

        // A regional manager sees the sale but not its costs.
        let token = app.token_for("rm", &["manager"]).await;
        let (status, seen) = app
            .json_as(
                &token,
                Method::GET,
                &format!("/api/v1/sales/{}", deal.id),
                None,
            )
            .await;
        assert_eq!(status, 200, "{seen}");
        assert!(seen.get("margin").is_none(), "{seen}");
        assert!(seen["lines"][0].get("unit_cost").is_none(), "{seen}");
        let (status, _) = app
            .json_as(
                &token,
                Method::GET,
                &format!("/api/v1/sales/{}/costs", deal.id),
                None,
            )
            .await;
        assert_eq!(status, 403);
    }
}

async fn first_title(deal: &Deal<'_>) -> String {
    let (_, page) = deal
        .app
        .json(
            Method::GET,
            &format!("/api/v1/tasks?sale_id={}", deal.id),
            None,
        )
        .await;
    page["items"][0]["title"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_running_sale_keeps_its_process_version() {
    for app in spawn_apps().await {
        let w = world(&app).await;
        let old = Deal::direct(&app, &w, json!([])).await;
        let (status, active) = app.json(Method::GET, "/api/v1/process", None).await;
        assert_eq!(status, 200, "{active}");
        let source = active["source"].as_str().unwrap();
        // The new version renames the preliminary proposal task.
        let changed = source.replacen(
            "Подготовить и отправить предварительное КП",
            "Отправить клиенту предварительное КП",
            1,
        );
        assert_ne!(changed, source, "the default names the task");
        let broken = source.replacen("next = [", "next = [\"nowhere\", ", 1);
        let (status, problem) = app
            .json(
                Method::POST,
                "/api/v1/process",
                Some(json!({"source": broken})),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        assert!(
            problem["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("nowhere")
        );
        let (status, saved) = app
            .json(
                Method::POST,
                "/api/v1/process",
                Some(json!({"source": changed, "comment": "rename"})),
            )
            .await;
        assert_eq!(status, 201, "{saved}");
        assert_eq!(saved["version"], active["version"].as_i64().unwrap() + 1);

        let new = Deal::direct(&app, &w, json!([])).await;
        old.enter(json!({"stage": "preliminary_kp"})).await;
        new.enter(json!({"stage": "preliminary_kp"})).await;
        assert_eq!(
            first_title(&old).await,
            "Подготовить и отправить предварительное КП"
        );
        assert_eq!(
            first_title(&new).await,
            "Отправить клиенту предварительное КП"
        );

        let token = app.token_for("mgr", &["manager"]).await;
        let (status, _) = app
            .json_as(
                &token,
                Method::POST,
                "/api/v1/process",
                Some(json!({"source": source})),
            )
            .await;
        assert_eq!(status, 403, "editing the process needs edit_process");
    }
}

#[tokio::test]
async fn the_board_counts_and_sums_each_stage() {
    for app in spawn_apps().await {
        let w = world(&app).await;
        for _ in 0..3 {
            Deal::direct(
                &app,
                &w,
                json!([{"product_id": w.office_product, "quantity": "1", "unit_price": "100"}]),
            )
            .await;
        }
        let moved = Deal::direct(&app, &w, json!([])).await;
        moved.enter(json!({"stage": "preliminary_kp"})).await;
        let (status, board) = app.json(Method::GET, "/api/v1/sales/board", None).await;
        assert_eq!(status, 200, "{board}");
        let column = |stage: &str| {
            board["columns"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["stage"] == stage)
                .cloned()
                .unwrap()
        };
        assert_eq!(column("qualification")["count"], 3);
        assert_eq!(column("qualification")["amount"], "300");
        assert_eq!(column("qualification")["name"], "Квалификация");
        assert_eq!(column("preliminary_kp")["count"], 1);
        assert_eq!(
            column("preliminary_kp")["cards"][0]["id"],
            moved.id.as_str()
        );
        assert!(
            board["columns"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["stage"] != "won"),
            "closed columns only on request"
        );
        let (_, list) = app
            .json(
                Method::GET,
                "/api/v1/sales?stage=qualification&limit=2",
                None,
            )
            .await;
        assert_eq!(list["items"].as_array().unwrap().len(), 2);
        assert!(list["next_cursor"].is_string());
    }
}
