//! Bulk-loaded sales are what the normal path makes: on SQLite and PostgreSQL, a script played
//! through the API and the same script replayed by `ferment_store::bulk_sales` and bulk-written end
//! in the same rows — the sale's state and version, its tasks (kind, title, stage, product,
//! assignee, status, outcome, due date), its event log, and its change history (the normal path's
//! entries add up to the bulk `create` entry) — and the engine continues from both alike.

mod common;

use std::collections::HashMap;

use chrono::{Duration, Utc};
use common::{TestApp, spawn_apps, user};
use ferment_domain::access::Scope;
use ferment_domain::process::engine::LineFacts;
use ferment_domain::process::{ContractKind, ProcessType, default_definition};
use ferment_store::bulk_sales::{self, People, Script, Step};
use ferment_store::history::{self, Action};
use ferment_store::sales::{self, Event, SaleRecord};
use ferment_store::tasks::{self, TaskRecord};
use ferment_store::{territories, warehouses};
use reqwest::Method;
use serde_json::{Map, Value, json};
use uuid::Uuid;

/// Moscow's date, the calendar due dates count in.
fn moscow_today() -> chrono::NaiveDate {
    (Utc::now() + Duration::hours(3)).date_naive()
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

fn id(value: &Value) -> Uuid {
    Uuid::parse_str(value["id"].as_str().expect("an id")).expect("a uuid")
}

/// A client in a region, three products (in the office sample store, only in a warehouse,
/// nowhere), a technologist and a logistician.
struct World {
    counterparty_id: Uuid,
    products: Vec<Uuid>,
    names: HashMap<Uuid, String>,
    people: People,
}

async fn world(app: &TestApp) -> World {
    let mut reader = app.store.reader().await.unwrap();
    let region = territories::find_by_code(&mut reader, "RU-NIZ")
        .await
        .unwrap()
        .unwrap()
        .record
        .meta
        .id;
    drop(reader);
    let client = post(
        app,
        "/api/v1/counterparties",
        json!({"kind": "legal_entity", "name": "Молочный комбинат «Заря»", "inn": "7707083893",
               "kpp": "773601001", "territory_id": region.to_string()}),
    )
    .await;
    let mut products = Vec::new();
    let mut names = HashMap::new();
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
        products.push(id(&product));
        names.insert(id(&product), name.to_string());
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
    for (store, product) in [(&office, products[0]), (&warehouse, products[1])] {
        let (status, body) = app
            .json(
                Method::PUT,
                &format!("/api/v1/warehouses/{}/stock/{product}", id(store)),
                Some(json!({"quantity": "2.5"})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let mut people = People::default();
    for (login, role) in [("tech", "technologist"), ("logist", "logistics")] {
        let id = ferment_web::auth::ensure_user(&app.store, &user(login, &[role]), "x")
            .await
            .unwrap();
        people.by_role.insert(role.to_string(), id);
    }
    World {
        counterparty_id: id(&client),
        products,
        names,
        people,
    }
}

/// Plays `steps` through the API on a new sale with `lines`; returns the sale's id.
async fn through_the_api(app: &TestApp, world: &World, lines: &Value, steps: &[Step]) -> Uuid {
    let sale = post(
        app,
        "/api/v1/sales",
        json!({"counterparty_id": world.counterparty_id.to_string(), "title": "Стабилизация йогурта",
               "lines": lines, "delivery_terms": "FCA Подольск"}),
    )
    .await;
    let sale_id = id(&sale);
    for step in steps {
        match step {
            Step::Enter {
                stage,
                process_type,
                contract_kind,
                reason,
            } => {
                post(
                    app,
                    &format!("/api/v1/sales/{sale_id}/stage"),
                    json!({"stage": stage, "process_type": process_type.map(|t| t.code()),
                           "contract_kind": contract_kind.map(|k| k.code()), "reason": reason}),
                )
                .await;
            }
            Step::Skip { stage } => {
                post(
                    app,
                    &format!("/api/v1/sales/{sale_id}/stage"),
                    json!({"stage": stage, "skip": true}),
                )
                .await;
            }
            Step::Complete {
                kind,
                outcome,
                data,
            } => {
                let mut reader = app.store.reader().await.unwrap();
                let open: Vec<Uuid> = tasks::of_sale(&mut reader, sale_id)
                    .await
                    .unwrap()
                    .into_iter()
                    .filter(|t| t.kind == *kind && t.status.code() == "open")
                    .map(|t| t.meta.id)
                    .collect();
                drop(reader);
                assert!(!open.is_empty(), "{}: no open {kind}", app.label);
                for task in open {
                    post(
                        app,
                        &format!("/api/v1/tasks/{task}/complete"),
                        json!({"outcome": outcome, "data": data}),
                    )
                    .await;
                }
            }
            Step::Manual {
                kind,
                title,
                due_days,
            } => {
                let due =
                    ferment_domain::process::calendar::add_working_days(moscow_today(), *due_days);
                post(
                    app,
                    "/api/v1/tasks",
                    json!({"kind": kind, "title": title, "sale_id": sale_id.to_string(),
                           "due_on": due.format("%Y-%m-%d").to_string()}),
                )
                .await;
            }
        }
    }
    sale_id
}

/// Replays `steps` on the deal the API made (`normal`) and bulk-writes the result; returns the new
/// sale's id.
async fn in_bulk(app: &TestApp, world: &World, normal: &SaleRecord, steps: &[Step]) -> Uuid {
    let definition = default_definition();
    let mut reader = app.store.reader().await.unwrap();
    let ids: Vec<Uuid> = normal.data.lines.iter().map(|l| l.product_id).collect();
    let presence = warehouses::presence(&mut reader, &ids).await.unwrap();
    drop(reader);
    let lines: Vec<LineFacts> = normal
        .data
        .lines
        .iter()
        .map(|line| {
            let stock = presence.get(&line.product_id).copied().unwrap_or_default();
            LineFacts {
                product_id: line.product_id,
                needs_sample: line.needs_sample,
                sample_paid: line.sample_paid,
                in_office_stock: stock.in_office,
                in_warehouse_stock: stock.in_warehouse,
            }
        })
        .collect();
    let planned = bulk_sales::plan(
        Script {
            definition: &definition,
            process_id: normal.state.process_id,
            sale: &normal.data,
            territory_id: normal.territory_id,
            lead_id: normal.lead_id,
            lines: &lines,
            people: &world.people,
            product_names: &world.names,
            // The contract as the normal path drew it (drawing is the caller's part).
            contract: normal.state.contract.as_ref(),
            actor: Some(app.admin_id),
            started_at: Utc::now(),
            interval: Duration::zero(),
        },
        steps,
    )
    .unwrap_or_else(|error| panic!("{}: {error}", app.label));
    let mut tx = app.store.begin().await.unwrap();
    bulk_sales::insert_sales(&mut tx, std::slice::from_ref(&planned))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    planned.sale.meta.id
}

/// A record's fields as its history adds them up, oldest entry first; empty values dropped.
async fn folded(app: &TestApp, record_id: Uuid) -> (Vec<Action>, Map<String, Value>) {
    let mut reader = app.store.reader().await.unwrap();
    let mut entries = history::list(&mut reader, record_id, 500).await.unwrap();
    entries.reverse();
    let mut fields = Map::new();
    for entry in &entries {
        for change in &entry.changes {
            fields.insert(change.field.clone(), change.new.clone());
        }
        assert_eq!(entry.user_id, Some(app.admin_id), "{}", app.label);
    }
    fields.retain(|_, value| match value {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(items) => !items.is_empty(),
        _ => true,
    });
    (entries.iter().map(|e| e.action).collect(), fields)
}

/// Everything of a sale that must not depend on how it was written.
struct Rows {
    sale: SaleRecord,
    tasks: Vec<TaskRecord>,
    events: Vec<Event>,
    /// The sale's search postings, without its id: word, sort key, owner, territory, area.
    postings: Vec<Vec<Option<String>>>,
}

async fn rows(app: &TestApp, sale_id: Uuid) -> Rows {
    use sqlx::Row;
    let mut reader = app.store.reader().await.unwrap();
    let postings = sqlx::query(
        "SELECT term, sort_key, owner_id, territory_id, area_path FROM search_terms \
         WHERE record_id = $1 ORDER BY term",
    )
    .bind(sale_id.to_string())
    .fetch_all(&mut *reader)
    .await
    .unwrap()
    .iter()
    .map(|row| (0..5).map(|i| row.get::<Option<String>, _>(i)).collect())
    .collect();
    Rows {
        sale: sales::get(&mut reader, sale_id).await.unwrap(),
        tasks: tasks::of_sale(&mut reader, sale_id).await.unwrap(),
        events: sales::events(&mut reader, sale_id).await.unwrap(),
        postings,
    }
}

/// The two sales' rows agree; `written` says whether the bulk sale is as written (one history
/// entry per record) or was worked on through the API since.
async fn assert_same(
    app: &TestApp,
    (normal_id, bulk_id): (Uuid, Uuid),
    same_day: bool,
    written: bool,
    what: &str,
) {
    let label = format!("{} {what}", app.label);
    let normal = rows(app, normal_id).await;
    let bulk = rows(app, bulk_id).await;

    assert_eq!(bulk.sale.data, normal.sale.data, "{label}: the deal");
    assert_eq!(bulk.sale.amount, normal.sale.amount, "{label}");
    assert_eq!(bulk.sale.territory_id, normal.sale.territory_id, "{label}");
    assert_eq!(bulk.postings, normal.postings, "{label}: the search words");
    assert!(
        normal.postings.iter().all(|posting| posting[4].is_some()),
        "{label}: the postings of a sale in a region carry its area: {:?}",
        normal.postings
    );
    assert_eq!(
        bulk.sale.meta.version, normal.sale.meta.version,
        "{label}: one version per state change"
    );
    let mut state = bulk.sale.state.clone();
    assert_eq!(
        state.closed_at.is_some(),
        normal.sale.state.closed_at.is_some(),
        "{label}"
    );
    state.closed_at = normal.sale.state.closed_at;
    assert_eq!(state, normal.sale.state, "{label}: the process state");

    let shape = |t: &TaskRecord| {
        (
            (
                t.kind.clone(),
                t.title.clone(),
                t.stage.clone(),
                t.product_id,
                t.assignee_id,
                t.status,
                t.outcome.clone(),
            ),
            (
                t.outcome_data.clone(),
                t.comment.clone(),
                t.created_by,
                t.completed_by,
                t.counterparty_id,
                t.territory_id,
                t.meta.version,
                t.completed_at.is_some(),
            ),
        )
    };
    assert_eq!(
        bulk.tasks.iter().map(shape).collect::<Vec<_>>(),
        normal.tasks.iter().map(shape).collect::<Vec<_>>(),
        "{label}: the tasks, in the order they were set"
    );
    if same_day {
        let due = |rows: &Rows| rows.tasks.iter().map(|t| t.due_on).collect::<Vec<_>>();
        assert_eq!(due(&bulk), due(&normal), "{label}: due dates");
    }

    let position = |rows: &Rows, task: Option<Uuid>| {
        task.map(|id| rows.tasks.iter().position(|t| t.meta.id == id))
    };
    let event = |rows: &Rows, e: &Event| {
        (
            e.seq,
            e.kind.clone(),
            e.stage.clone(),
            position(rows, e.task_id),
            e.task_kind.clone(),
            e.product_id,
            e.outcome.clone(),
            e.comment.clone(),
            e.data.clone(),
            e.user_id,
        )
    };
    assert_eq!(
        bulk.events
            .iter()
            .map(|e| event(&bulk, e))
            .collect::<Vec<_>>(),
        normal
            .events
            .iter()
            .map(|e| event(&normal, e))
            .collect::<Vec<_>>(),
        "{label}: the event log"
    );

    let (actions, bulk_fields) = folded(app, bulk_id).await;
    assert!(
        !written || actions == [Action::Create],
        "{label}: one create entry: {actions:?}"
    );
    let (_, normal_fields) = folded(app, normal_id).await;
    assert_eq!(bulk_fields, normal_fields, "{label}: the sale's history");
    for (b, n) in bulk.tasks.iter().zip(&normal.tasks) {
        let (actions, bulk_fields) = folded(app, b.meta.id).await;
        assert!(
            !written || actions == [Action::Create],
            "{label}: {}: {actions:?}",
            b.kind
        );
        let (_, normal_fields) = folded(app, n.meta.id).await;
        assert_eq!(bulk_fields, normal_fields, "{label}: history of {}", b.kind);
    }

    // The engine sees both alike: the same stage bar and moves.
    let view = |id: Uuid| async move {
        let (status, sale) = app
            .json(Method::GET, &format!("/api/v1/sales/{id}"), None)
            .await;
        assert_eq!(status, 200, "{sale}");
        (sale["stage_bar"].clone(), sale["allowed_stages"].clone())
    };
    assert_eq!(view(bulk_id).await, view(normal_id).await, "{label}");
}

fn complete(kind: &str, outcome: Option<&str>) -> Step {
    Step::complete(kind, outcome)
}

fn enter_with(stage: &str, process_type: Option<ProcessType>, kind: Option<ContractKind>) -> Step {
    Step::Enter {
        stage: stage.into(),
        process_type,
        contract_kind: kind,
        reason: None,
    }
}

#[tokio::test]
async fn a_bulk_written_sale_ends_in_the_rows_of_the_same_script_through_the_api() {
    for app in spawn_apps().await {
        let world = world(&app).await;
        let p = &world.products;
        let three_lines = json!([
            {"product_id": p[0].to_string(), "quantity": "10", "needs_sample": true},
            {"product_id": p[1].to_string(), "quantity": "20", "needs_sample": true, "sample_paid": true},
            {"product_id": p[2].to_string(), "quantity": "5", "needs_sample": true},
        ]);
        let scripts: Vec<(&str, Value, Vec<Step>)> = vec![
            ("a new sale", json!([]), vec![]),
            (
                "the full process, every stage, a correction and a manual call",
                three_lines.clone(),
                vec![
                    Step::enter("preliminary_kp"),
                    complete("send_preliminary_kp", Some("full")),
                    Step::enter("recipe"),
                    complete("choose_recipe", Some("from_partner")),
                    complete("write_tech_spec", None),
                    Step::Manual {
                        kind: "call".into(),
                        title: "Созвониться с технологом".into(),
                        due_days: 2,
                    },
                    complete("obtain_recipe_from_partner", None),
                    complete("send_recipe", None),
                    Step::enter("samples"),
                    complete("send_sample", None),
                    complete("order_sample_from_warehouse", None),
                    complete("call", None),
                    complete("receive_sample", None),
                    complete("send_sample", None),
                    complete("get_test_conclusion", Some("positive")),
                    // Leaving with the supplier's sample still open cancels it.
                    Step::enter("pilot_visit"),
                    complete("arrange_business_trip", None),
                    complete("record_visit_results", None),
                    Step::enter("industrial_trial"),
                    complete("send_trial_sample", None),
                    complete("get_trial_feedback", Some("success")),
                    Step::enter("kp"),
                    complete("check_delivery_terms", None),
                    complete("prepare_kp", None),
                    complete("send_kp", None),
                    complete("get_kp_feedback", Some("correction")),
                    complete("prepare_kp", None),
                    enter_with("contract", None, Some(ContractKind::Specification)),
                    Step::enter("awaiting_order"),
                    Step::Manual {
                        kind: "meeting".into(),
                        title: "Встреча по заказу".into(),
                        due_days: 0,
                    },
                ],
            ),
            (
                "skips, a direct proposal and a loss",
                json!([{"product_id": p[0].to_string(), "quantity": "1", "needs_sample": false}]),
                vec![
                    Step::enter("preliminary_kp"),
                    complete("send_preliminary_kp", Some("full")),
                    Step::Skip {
                        stage: "recipe".into(),
                    },
                    enter_with("kp", None, None),
                    complete("check_delivery_terms", None),
                    Step::Enter {
                        stage: "lost".into(),
                        process_type: None,
                        contract_kind: None,
                        reason: Some("  Выбрали другого поставщика ".into()),
                    },
                ],
            ),
            (
                "a proposal under way",
                json!([{"product_id": p[2].to_string(), "quantity": "7"}]),
                vec![
                    Step::enter("preliminary_kp"),
                    complete("send_preliminary_kp", Some("short")),
                    Step::enter("kp"),
                    complete("check_delivery_terms", None),
                ],
            ),
            (
                "the short process to won",
                json!([{"product_id": p[1].to_string(), "quantity": "3"}]),
                vec![
                    enter_with("kp", Some(ProcessType::Short), None),
                    complete("check_delivery_terms", None),
                    enter_with("contract", None, Some(ContractKind::Contract)),
                    Step::enter("awaiting_order"),
                    Step::enter("won"),
                ],
            ),
        ];
        let mut pairs = Vec::new();
        for (what, lines, steps) in &scripts {
            let day = moscow_today();
            let normal_id = through_the_api(&app, &world, lines, steps).await;
            let mut reader = app.store.reader().await.unwrap();
            let normal = sales::get(&mut reader, normal_id).await.unwrap();
            drop(reader);
            let bulk_id = in_bulk(&app, &world, &normal, steps).await;
            let same_day = moscow_today() == day;
            assert_same(&app, (normal_id, bulk_id), same_day, true, what).await;
            pairs.push((normal_id, bulk_id));
        }

        // Both are found and counted like any sale.
        let (status, found) = app
            .json(Method::GET, "/api/v1/sales?q=йогурта&limit=100", None)
            .await;
        assert_eq!(status, 200, "{found}");
        assert_eq!(
            found["items"].as_array().unwrap().len(),
            2 * scripts.len(),
            "{}: {found}",
            app.label
        );
        let (_, board) = app.json(Method::GET, "/api/v1/sales/board", None).await;
        let count = |stage: &str| {
            board["columns"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["stage"] == stage)
                .map(|c| c["count"].as_i64().unwrap())
                .unwrap()
        };
        assert_eq!(count("qualification"), 2, "{}: {board}", app.label);
        assert_eq!(count("awaiting_order"), 2, "{}", app.label);

        // The engine continues a bulk-written sale as it continues the other: the proposal's next
        // task, then a move on.
        let (normal_id, bulk_id) = pairs[3];
        let day = moscow_today();
        let more = [
            complete("prepare_kp", None),
            enter_with("contract", None, Some(ContractKind::Contract)),
        ];
        for sale_id in [normal_id, bulk_id] {
            for step in &more {
                match step {
                    Step::Complete { kind, .. } => {
                        let (_, page) = app
                            .json(
                                Method::GET,
                                &format!("/api/v1/tasks?sale_id={sale_id}&status=open&kind={kind}"),
                                None,
                            )
                            .await;
                        let task = &page["items"][0];
                        let answer = post(
                            &app,
                            &format!("/api/v1/tasks/{}/complete", task["id"].as_str().unwrap()),
                            json!({}),
                        )
                        .await;
                        assert_eq!(answer["created_tasks"][0]["kind"], "send_kp", "{answer}");
                    }
                    _ => {
                        post(
                            &app,
                            &format!("/api/v1/sales/{sale_id}/stage"),
                            json!({"stage": "contract", "contract_kind": "contract"}),
                        )
                        .await;
                    }
                }
            }
        }
        let same_day = moscow_today() == day;
        assert_same(
            &app,
            (normal_id, bulk_id),
            same_day,
            false,
            "continued through the API",
        )
        .await;

        // The board's counts and sums (kept by migration 0008's triggers) follow new lines and
        // deletions, for bulk-written sales as for the others.
        let (normal_id, _) = pairs[1];
        let (_, sale) = app
            .json(Method::GET, &format!("/api/v1/sales/{normal_id}"), None)
            .await;
        let (status, body) = app
            .json(
                Method::PATCH,
                &format!("/api/v1/sales/{normal_id}"),
                Some(json!({"version": sale["version"],
                    "lines": [{"product_id": p[0].to_string(), "quantity": "3", "needs_sample": true}]})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let (_, bulk_new) = pairs[0];
        let (status, body) = app
            .json(Method::DELETE, &format!("/api/v1/sales/{bulk_new}"), None)
            .await;
        assert!(status == 204 || status == 200, "{status} {body}");
        let stages: Vec<String> = default_definition()
            .stages
            .iter()
            .map(|s| s.code.clone())
            .collect();
        let mut reader = app.store.reader().await.unwrap();
        let board = sales::board(&mut reader, &Scope::All, &stages, None, 1)
            .await
            .unwrap();
        for column in board {
            let page = sales::list(
                &mut reader,
                &Scope::All,
                &sales::ListQuery {
                    stage: Some(column.stage.clone()),
                    limit: 100,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            let amount: i64 = page.items.iter().map(|card| card.amount).sum();
            assert_eq!(
                (column.count, column.amount),
                (page.items.len() as i64, amount),
                "{}: column {}",
                app.label,
                column.stage
            );
        }
    }
}
