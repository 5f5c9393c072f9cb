//! The 1C integration end to end: a real sync against the 1C emulator (both profiles, both
//! databases) through the API — first full load, an incremental run after changes and deletion
//! marks in 1C, a counterparty and an order pushed back, a conflict shown and resolved, a transient
//! failure retried, a sale's facts read from 1C's documents.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::{TestApp, fields, spawn_apps};
use ferment_domain::requisites::{correspondent_account_with_key, settlement_account_with_key};
use ferment_onec_emulator::{Config, Failure, Handle, Profile};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

async fn emulator(profile: Profile) -> Handle {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("port");
    ferment_onec_emulator::start(Config::new(profile), listener)
        .await
        .expect("emulator")
}

fn code(profile: Profile) -> &'static str {
    match profile {
        Profile::Bp30 => "bp30",
        Profile::Ut11 => "ut11",
    }
}

const SBER_BIK: &str = "044525225";

/// 1C's banks with this БИК (the bank list differs by profile).
fn bank_keys(onec: &Handle, profile: Profile, bik: &str) -> Vec<Uuid> {
    let set = match profile {
        Profile::Bp30 => "Catalog_Банки",
        Profile::Ut11 => "Catalog_КлассификаторБанков",
    };
    onec.find(set, "Code", &json!(bik))
        .iter()
        .map(|bank| Uuid::parse_str(bank["Ref_Key"].as_str().unwrap()).unwrap())
        .collect()
}

/// 1C's bank accounts of the counterparty `owner`.
fn accounts_of(onec: &Handle, profile: Profile, owner: Uuid) -> Vec<Value> {
    let (set, field) = match profile {
        Profile::Bp30 => ("Catalog_БанковскиеСчета", "Owner"),
        Profile::Ut11 => ("Catalog_БанковскиеСчетаКонтрагентов", "Owner_Key"),
    };
    onec.find(set, field, &json!(owner.to_string()))
}

fn trimmed(value: &Value, field: &str) -> String {
    value[field].as_str().unwrap_or_default().trim().to_string()
}

/// Starts a run and waits for it to end; returns the finished run.
async fn sync(app: &TestApp, connection: &str, full: bool) -> Value {
    let (status, run) = app
        .json(
            Method::POST,
            &format!("/api/v1/integrations/onec/{connection}/sync"),
            Some(json!({"full": full})),
        )
        .await;
    assert_eq!(status, 202, "{run}");
    assert_eq!(run["status"], "running");
    let id = run["id"].as_str().expect("run id").to_string();
    wait_for(app, &id).await
}

async fn wait_for(app: &TestApp, run_id: &str) -> Value {
    for _ in 0..600 {
        let (status, run) = app
            .json(
                Method::GET,
                &format!("/api/v1/integrations/onec/runs/{run_id}"),
                None,
            )
            .await;
        assert_eq!(status, 200, "{run}");
        if run["status"] != "running" {
            return run;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("the run did not finish");
}

fn count(run: &Value, object: &str, what: &str) -> i64 {
    run["counts"][object][what].as_i64().unwrap_or(0)
}

#[tokio::test]
async fn connections_are_validated_and_never_show_the_password() {
    for app in spawn_apps().await {
        let (status, problem) = app
            .json(
                Method::POST,
                "/api/v1/integrations/onec",
                Some(json!({"name": "", "url": "http://1c/base", "login": "", "profile": "erp", "color": 1})),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(fields(&problem), ["color"]);
        let (status, problem) = app
            .json(
                Method::POST,
                "/api/v1/integrations/onec",
                Some(json!({"name": "", "url": "http://1c/base", "login": "", "profile": "erp"})),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(
            fields(&problem),
            ["name", "url", "login", "password", "profile"]
        );
        let body = json!({"name": "Бухгалтерия", "url": "http://127.0.0.1:9/buh/odata/standard.odata/", "login": "odata", "password": "секрет-1С", "profile": "bp30"});
        let (status, created) = app
            .json(
                Method::POST,
                "/api/v1/integrations/onec",
                Some(body.clone()),
            )
            .await;
        assert_eq!(status, 201, "{created}");
        assert!(!created.to_string().contains("секрет"), "{created}");
        let (status, problem) = app
            .json(Method::POST, "/api/v1/integrations/onec", Some(body))
            .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(fields(&problem), ["name"]);
        // Test connection names what is wrong instead of failing.
        let id = created["id"].as_str().unwrap();
        let (status, report) = app
            .json(
                Method::POST,
                &format!("/api/v1/integrations/onec/{id}/test"),
                None,
            )
            .await;
        assert_eq!(status, 200, "{report}");
        assert_eq!(report["ok"], false);
        assert!(
            report["error"].as_str().unwrap().contains("недоступна"),
            "{report}"
        );
        // A manager may not see connections.
        let manager = app.token_for("manager1", &["manager"]).await;
        let (status, _) = app
            .json_as(&manager, Method::GET, "/api/v1/integrations/onec", None)
            .await;
        assert_eq!(status, 403);
    }
}

#[tokio::test]
async fn a_full_load_an_incremental_run_pushes_and_a_conflict_on_both_profiles() {
    for app in spawn_apps().await {
        for profile in [Profile::Bp30, Profile::Ut11] {
            full_cycle(&app, profile).await;
        }
    }
}

async fn full_cycle(app: &TestApp, profile: Profile) {
    let onec = emulator(profile).await;
    let label = format!("{} {}", app.label, code(profile));
    let created = app
        .created(
            &app.admin_token,
            "/api/v1/integrations/onec",
            json!({"name": format!("1С {}", code(profile)), "url": onec.url(), "login": "odata", "password": "odata", "profile": code(profile)}),
        )
        .await;
    let connection = created["id"].as_str().unwrap().to_string();

    // Test connection: everything the profile needs is published.
    let (_, report) = app
        .json(
            Method::POST,
            &format!("/api/v1/integrations/onec/{connection}/test"),
            None,
        )
        .await;
    assert_eq!(report["ok"], true, "{label}: {report}");
    assert_eq!(report["missing"], json!([]), "{label}: {report}");

    // The first run is a full load.
    let run = sync(app, &connection, false).await;
    assert_eq!(run["status"], "succeeded", "{label}: {run}");
    assert_eq!(run["full"], true, "{label}");
    let items: Vec<Value> = onec
        .list("Catalog_Номенклатура")
        .into_iter()
        .filter(|p| p["IsFolder"] != true && p["DeletionMark"] != true && p["Услуга"] != true)
        .collect();
    assert_eq!(count(&run, "product", "failed"), 0, "{label}: {run}");
    let non_folders = onec
        .list("Catalog_Номенклатура")
        .iter()
        .filter(|p| p["IsFolder"] != true)
        .count();
    assert_eq!(
        count(&run, "product", "received"),
        non_folders as i64,
        "{label}: {run}"
    );
    let mut reader = app.store.reader().await.unwrap();
    let mut seen = HashSet::new();
    for item in &items {
        let found =
            ferment_store::products::find_by_code(&mut reader, &trimmed(item, "Code"), None)
                .await
                .unwrap();
        let failures: Vec<&Value> = run["log"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["outcome"] == "failed")
            .take(5)
            .collect();
        let (id, name) = found.unwrap_or_else(|| {
            panic!(
                "{label}: product {} not loaded: {item} {failures:?} {}",
                trimmed(item, "Code"),
                run["counts"]
            )
        });
        assert_eq!(name, trimmed(item, "Description"));
        assert!(seen.insert(id), "{label}: two 1C products became one");
    }
    // Products loaded from 1C are found by the search like any other (by code and by a word).
    for item in items.iter().step_by(97) {
        let code = trimmed(item, "Code");
        let name = trimmed(item, "Description");
        let word = name
            .split_whitespace()
            .max_by_key(|w| w.chars().count())
            .unwrap();
        for q in [code.as_str(), word] {
            let (status, page) = app
                .json(
                    Method::GET,
                    &format!("/api/v1/products?q={q}&limit=200"),
                    None,
                )
                .await;
            assert_eq!(status, 200, "{page}");
            assert!(
                page["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p["code"] == code.as_str()),
                "{label}: {code} «{name}» not found by «{q}»: {page}"
            );
        }
    }
    let clients: Vec<Value> = onec
        .list("Catalog_Контрагенты")
        .into_iter()
        .filter(|c| c["IsFolder"] != true && c["DeletionMark"] != true)
        .collect();
    for client in &clients {
        let kpp = trimmed(client, "КПП");
        let found = ferment_store::counterparties::find_duplicate(
            &mut reader,
            &trimmed(client, "ИНН"),
            (!kpp.is_empty()).then_some(kpp.as_str()),
            None,
        )
        .await
        .unwrap();
        assert!(
            found.is_some(),
            "{label}: counterparty {} not loaded: {run}",
            trimmed(client, "ИНН")
        );
    }
    let warehouses = ferment_store::warehouses::list(&mut reader).await.unwrap();
    assert!(
        warehouses
            .iter()
            .any(|w| w.data.name == "Склад образцов (офис)"
                && w.data.kind.code() == "office_samples"),
        "{label}: the office sample store"
    );
    assert!(count(&run, "stock", "created") > 0, "{label}: {run}");
    let documents = count(&run, "invoice", "created") + count(&run, "shipment", "created");
    assert!(documents > 0, "{label}: {run}");
    drop(reader);

    // Nothing changed in 1C: nothing is written, only keys are read.
    onec.clear_requests();
    let again = sync(app, &connection, false).await;
    assert_eq!(again["status"], "succeeded", "{label}: {again}");
    assert_eq!(
        count(&again, "product", "created") + count(&again, "product", "updated"),
        0,
        "{label}: {again}"
    );
    assert_eq!(
        count(&again, "counterparty", "created"),
        0,
        "{label}: {again}"
    );
    let full_reads = onec
        .requests()
        .iter()
        .filter(|r| {
            r.path.ends_with("Catalog_Номенклатура")
                && r.option("$select").is_none()
                && r.option("$filter")
                    .is_some_and(|f| f.contains("IsFolder eq false"))
        })
        .count();
    assert_eq!(
        full_reads, 0,
        "{label}: an unchanged catalog is not read in full"
    );

    // Changes and a deletion mark in 1C come in.
    let renamed = &items[0];
    let renamed_key = Uuid::parse_str(renamed["Ref_Key"].as_str().unwrap()).unwrap();
    onec.update(
        "Catalog_Номенклатура",
        renamed_key,
        json!({"Description": "Пектин яблочный (новое название)"}),
    )
    .unwrap();
    let marked = &items[1];
    let marked_key = Uuid::parse_str(marked["Ref_Key"].as_str().unwrap()).unwrap();
    onec.set_deletion_mark("Catalog_Номенклатура", marked_key, true)
        .unwrap();
    let client = &clients[0];
    let client_key = Uuid::parse_str(client["Ref_Key"].as_str().unwrap()).unwrap();
    onec.update(
        "Catalog_Контрагенты",
        client_key,
        json!({"НаименованиеПолное": "Общество с ограниченной ответственностью «Обновлено в 1С»"}),
    )
    .unwrap();
    let run = sync(app, &connection, false).await;
    assert_eq!(run["status"], "succeeded", "{label}: {run}");
    assert_eq!(count(&run, "product", "updated"), 2, "{label}: {run}");
    let mut reader = app.store.reader().await.unwrap();
    let renamed_now =
        ferment_store::products::find_by_code(&mut reader, &trimmed(renamed, "Code"), None)
            .await
            .unwrap();
    assert_eq!(
        renamed_now.map(|(_, name)| name).as_deref(),
        Some("Пектин яблочный (новое название)"),
        "{label}"
    );
    assert!(
        ferment_store::products::find_by_code(&mut reader, &trimmed(marked, "Code"), None)
            .await
            .unwrap()
            .is_none(),
        "{label}: the marked product is hidden"
    );
    let kpp = trimmed(client, "КПП");
    let (client_id, _) = ferment_store::counterparties::find_duplicate(
        &mut reader,
        &trimmed(client, "ИНН"),
        (!kpp.is_empty()).then_some(kpp.as_str()),
        None,
    )
    .await
    .unwrap()
    .unwrap();
    let record = ferment_store::counterparties::get(&mut reader, client_id)
        .await
        .unwrap();
    assert_eq!(
        record.data.full_name.as_deref(),
        Some("Общество с ограниченной ответственностью «Обновлено в 1С»"),
        "{label}"
    );
    drop(reader);

    // A counterparty made in Ferment goes to 1C once.
    let (inn, kpp) = match profile {
        Profile::Bp30 => ("7707083893", "773601001"),
        Profile::Ut11 => ("7736050003", "772801001"),
    };
    // Its bank account goes with it, at the bank 1C already lists under that БИК.
    let sber_account = settlement_account_with_key(SBER_BIK, "40702810000000070001");
    let ours = app
        .created(&app.admin_token, "/api/v1/counterparties", json!({"kind": "legal_entity", "name": format!("Сбер {}", code(profile)), "full_name": "ПАО Сбербанк", "inn": inn, "kpp": kpp,
            "bank_accounts": [{"bik": SBER_BIK, "bank_name": "ПАО Сбербанк", "correspondent_account": "30101810400000000225", "account": sber_account}]}))
        .await;
    let ours_id = ours["id"].as_str().unwrap().to_string();
    let run = sync(app, &connection, false).await;
    assert_eq!(run["status"], "succeeded", "{label}: {run}");
    let in_onec = onec.find("Catalog_Контрагенты", "ИНН", &json!(inn));
    assert_eq!(in_onec.len(), 1, "{label}: {run}");
    assert_eq!(
        trimmed(&in_onec[0], "Description"),
        format!("Сбер {}", code(profile))
    );
    let owner_key = Uuid::parse_str(in_onec[0]["Ref_Key"].as_str().unwrap()).unwrap();
    let sber_banks = bank_keys(&onec, profile, SBER_BIK);
    assert_eq!(sber_banks.len(), 1, "{label}: 1C's bank list had Sberbank");
    let sent = accounts_of(&onec, profile, owner_key);
    assert_eq!(sent.len(), 1, "{label}: {run}");
    assert_eq!(trimmed(&sent[0], "НомерСчета"), sber_account);
    assert_eq!(trimmed(&sent[0], "Банк_Key"), sber_banks[0].to_string());
    if profile == Profile::Bp30 {
        assert_eq!(
            trimmed(&sent[0], "Owner_Type"),
            "StandardODATA.Catalog_Контрагенты"
        );
    }
    assert_eq!(
        count(&run, "bank_account_out", "created"),
        1,
        "{label}: {run}"
    );
    let run = sync(app, &connection, false).await;
    assert_eq!(
        onec.find("Catalog_Контрагенты", "ИНН", &json!(inn)).len(),
        1,
        "{label}: no duplicate: {run}"
    );
    assert_eq!(
        accounts_of(&onec, profile, owner_key).len(),
        1,
        "{label}: {run}"
    );

    // An account added in Ferment at a bank 1C does not list: the bank is added, then the account;
    // the account 1C has is not sent again.
    // (Each profile its own bank: the second profile's first run sends the first one's client too.)
    let (new_bank_bik, new_bank_name) = match profile {
        Profile::Bp30 => ("044525823", "Банк ГПБ (АО)"),
        Profile::Ut11 => ("044525700", "АО «Райффайзенбанк»"),
    };
    let new_bank_account = settlement_account_with_key(new_bank_bik, "40702810000000070002");
    let (_, current) = app
        .json(
            Method::GET,
            &format!("/api/v1/counterparties/{ours_id}"),
            None,
        )
        .await;
    let mut accounts = current["bank_accounts"].as_array().unwrap().clone();
    accounts.push(json!({"bik": new_bank_bik, "bank_name": new_bank_name,
        "correspondent_account": correspondent_account_with_key(new_bank_bik, &format!("30101810000000000{}", &new_bank_bik[6..])),
        "account": new_bank_account}));
    let (status, patched) = app
        .json(
            Method::PATCH,
            &format!("/api/v1/counterparties/{ours_id}"),
            Some(json!({"version": current["version"], "bank_accounts": accounts})),
        )
        .await;
    assert_eq!(status, 200, "{patched}");
    assert!(
        bank_keys(&onec, profile, new_bank_bik).is_empty(),
        "{label}"
    );
    let run = sync(app, &connection, false).await;
    assert_eq!(run["status"], "succeeded", "{label}: {run}");
    let new_bank = bank_keys(&onec, profile, new_bank_bik);
    assert_eq!(new_bank.len(), 1, "{label}: the bank is added: {run}");
    let sent = accounts_of(&onec, profile, owner_key);
    assert_eq!(sent.len(), 2, "{label}: {run}");
    let added = sent
        .iter()
        .find(|a| trimmed(a, "НомерСчета") == new_bank_account)
        .expect("the new account in 1C");
    assert_eq!(trimmed(added, "Банк_Key"), new_bank[0].to_string());
    assert_eq!(
        count(&run, "bank_account_out", "created"),
        1,
        "{label}: {run}"
    );
    let run = sync(app, &connection, false).await;
    assert_eq!(
        accounts_of(&onec, profile, owner_key).len(),
        2,
        "{label}: {run}"
    );
    assert_eq!(
        bank_keys(&onec, profile, new_bank_bik).len(),
        1,
        "{label}: {run}"
    );

    // A change on both sides is a conflict: nothing is overwritten until a person decides.
    let theirs_key = Uuid::parse_str(in_onec[0]["Ref_Key"].as_str().unwrap()).unwrap();
    onec.update(
        "Catalog_Контрагенты",
        theirs_key,
        json!({"НаименованиеПолное": "ПАО «Сбербанк России» (1С)"}),
    )
    .unwrap();
    let (_, current) = app
        .json(
            Method::GET,
            &format!("/api/v1/counterparties/{ours_id}"),
            None,
        )
        .await;
    let (status, patched) = app
        .json(
            Method::PATCH,
            &format!("/api/v1/counterparties/{ours_id}"),
            Some(json!({"version": current["version"], "full_name": "ПАО Сбербанк (Ferment)"})),
        )
        .await;
    assert_eq!(status, 200, "{patched}");
    let run = sync(app, &connection, false).await;
    let (_, conflicts) = app
        .json(
            Method::GET,
            &format!("/api/v1/integrations/onec/{connection}/conflicts"),
            None,
        )
        .await;
    let open: Vec<&Value> = conflicts["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["resolved_at"].is_null() && c["record_id"] == ours_id.as_str())
        .collect();
    assert_eq!(open.len(), 1, "{label}: {conflicts} {run}");
    assert_eq!(open[0]["fields"][0]["field"], "full_name");
    let (_, after) = app
        .json(
            Method::GET,
            &format!("/api/v1/counterparties/{ours_id}"),
            None,
        )
        .await;
    assert_eq!(
        after["full_name"], "ПАО Сбербанк (Ferment)",
        "{label}: Ferment's value stays"
    );
    let theirs = onec.get("Catalog_Контрагенты", theirs_key).unwrap();
    assert_eq!(
        trimmed(&theirs, "НаименованиеПолное"),
        "ПАО «Сбербанк России» (1С)",
        "{label}: 1C's value stays"
    );
    let conflict_id = open[0]["id"].as_str().unwrap();
    let (status, resolved) = app
        .json(
            Method::POST,
            &format!("/api/v1/integrations/onec/conflicts/{conflict_id}/resolve"),
            Some(json!({"resolution": "onec"})),
        )
        .await;
    assert_eq!(status, 200, "{resolved}");
    let (_, after) = app
        .json(
            Method::GET,
            &format!("/api/v1/counterparties/{ours_id}"),
            None,
        )
        .await;
    assert_eq!(after["full_name"], "ПАО «Сбербанк России» (1С)", "{label}");

    // 1C briefly unavailable: the run retries and succeeds.
    onec.fail_next(2, Failure::Unavailable);
    let run = sync(app, &connection, false).await;
    assert_eq!(run["status"], "succeeded", "{label}: {run}");

    // An order of a sale goes to 1C, posted; 1C's shipment and payment then fill the sale's facts.
    let product = &items[2];
    let mut reader = app.store.reader().await.unwrap();
    let (product_id, _) =
        ferment_store::products::find_by_code(&mut reader, &trimmed(product, "Code"), None)
            .await
            .unwrap()
            .unwrap();
    drop(reader);
    let sale = app
        .created(&app.admin_token, "/api/v1/sales", json!({"counterparty_id": ours_id, "title": "Пектин для джема", "lines": [{"product_id": product_id, "quantity": "100", "unit_price": "500"}]}))
        .await;
    let sale_id = sale["id"].as_str().unwrap().to_string();
    let (status, outgoing) = app
        .json(
            Method::POST,
            &format!("/api/v1/sales/{sale_id}/onec/orders"),
            Some(json!({"post": true, "connection_id": connection})),
        )
        .await;
    assert_eq!(status, 202, "{outgoing}");
    let outgoing_id = outgoing["id"].as_str().unwrap().to_string();
    let mut sent = Value::Null;
    for _ in 0..300 {
        let (_, state) = app
            .json(Method::GET, &format!("/api/v1/sales/{sale_id}/onec"), None)
            .await;
        if state["outgoing"][0]["status"] != "pending" {
            sent = state;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    if sent.is_null() {
        let (_, runs) = app
            .json(
                Method::GET,
                &format!("/api/v1/integrations/onec/{connection}/runs?limit=1"),
                None,
            )
            .await;
        let run_id = runs["items"][0]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let (_, run) = app
            .json(
                Method::GET,
                &format!("/api/v1/integrations/onec/runs/{run_id}"),
                None,
            )
            .await;
        panic!("{label}: the order was not sent: {run}");
    }
    assert_eq!(sent["outgoing"][0]["status"], "sent", "{label}: {sent}");
    // The run the order started may still be finishing its later stages: let it end first.
    let (_, runs) = app
        .json(
            Method::GET,
            &format!("/api/v1/integrations/onec/{connection}/runs?limit=1"),
            None,
        )
        .await;
    let order_run = runs["items"][0]["id"]
        .as_str()
        .expect("the order's run")
        .to_string();
    assert_eq!(
        wait_for(app, &order_run).await["status"],
        "succeeded",
        "{label}"
    );
    let order_set = if profile == Profile::Ut11 {
        "Document_ЗаказКлиента"
    } else {
        "Document_СчетНаОплатуПокупателю"
    };
    let orders: Vec<Value> = onec
        .list(order_set)
        .into_iter()
        .filter(|o| {
            o["Комментарий"]
                .as_str()
                .is_some_and(|c| c.contains(&outgoing_id))
        })
        .collect();
    assert_eq!(orders.len(), 1, "{label}");
    assert_eq!(orders[0]["Posted"], true, "{label}");
    assert_eq!(orders[0]["Товары"].as_array().map(Vec::len), Some(1));
    let order_key = orders[0]["Ref_Key"].as_str().unwrap().to_string();
    // 1C ships it (and, in УТ, takes the payment; in БП marks the invoice paid).
    let client_ref = orders[0]["Контрагент_Key"].clone();
    match profile {
        Profile::Ut11 => {
            let shipment = onec.create("Document_РеализацияТоваровУслуг", json!({"Date": "2026-11-26T10:00:00", "Контрагент_Key": client_ref, "ЗаказКлиента": order_key, "ЗаказКлиента_Type": "StandardODATA.Document_ЗаказКлиента", "СуммаДокумента": 50000})).unwrap();
            onec.post(
                "Document_РеализацияТоваровУслуг",
                Uuid::parse_str(shipment["Ref_Key"].as_str().unwrap()).unwrap(),
                true,
            )
            .unwrap();
            let payment = onec.create("Document_ПоступлениеБезналичныхДенежныхСредств", json!({"Date": "2026-11-25T10:00:00", "Контрагент_Key": client_ref, "СуммаДокумента": 50000, "РасшифровкаПлатежа": [{"LineNumber": "1", "Заказ": order_key, "Заказ_Type": "StandardODATA.Document_ЗаказКлиента", "Сумма": 50000}]})).unwrap();
            onec.post(
                "Document_ПоступлениеБезналичныхДенежныхСредств",
                Uuid::parse_str(payment["Ref_Key"].as_str().unwrap()).unwrap(),
                true,
            )
            .unwrap();
        }
        Profile::Bp30 => {
            let shipment = onec.create("Document_РеализацияТоваровУслуг", json!({"Date": "2026-11-26T10:00:00", "Контрагент_Key": client_ref, "Сделка": order_key, "Сделка_Type": "StandardODATA.Document_СчетНаОплатуПокупателю", "СуммаДокумента": 50000})).unwrap();
            onec.post(
                "Document_РеализацияТоваровУслуг",
                Uuid::parse_str(shipment["Ref_Key"].as_str().unwrap()).unwrap(),
                true,
            )
            .unwrap();
            onec.create("InformationRegister_СтатусыДокументов", json!({"Документ": order_key, "Документ_Type": "StandardODATA.Document_СчетНаОплатуПокупателю", "Статус": "Оплачен"})).unwrap();
        }
    }
    let run = sync(app, &connection, false).await;
    assert_eq!(run["status"], "succeeded", "{label}: {run}");
    let (_, sale) = app
        .json(Method::GET, &format!("/api/v1/sales/{sale_id}"), None)
        .await;
    assert!(sale["order_placed_on"].is_string(), "{label}: {sale}");
    assert_eq!(sale["delivered_on"], "2026-11-26", "{label}: {sale}");
    assert!(sale["invoice_paid_on"].is_string(), "{label}: {sale}");
    let (_, state) = app
        .json(Method::GET, &format!("/api/v1/sales/{sale_id}/onec"), None)
        .await;
    let kinds: Vec<&str> = state["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"shipment"), "{label}: {state}");
    onec.shutdown().await;
}

/// An incremental run compares only the documents of its window; a document that 1C moved into the
/// window from before it is the document Ferment already has (updated, kept under its id), not a
/// new one.
#[tokio::test]
async fn a_document_moved_into_the_window_is_updated_not_taken_for_a_new_one() {
    for app in spawn_apps().await {
        let onec = emulator(Profile::Ut11).await;
        let label = app.label;
        let created = app
            .created(
                &app.admin_token,
                "/api/v1/integrations/onec",
                json!({"name": "1С окно", "url": onec.url(), "login": "odata", "password": "odata", "profile": "ut11"}),
            )
            .await;
        let connection = created["id"].as_str().unwrap().to_string();
        let connection_id = Uuid::parse_str(&connection).unwrap();
        let run = sync(&app, &connection, false).await;
        assert_eq!(run["status"], "succeeded", "{label}: {run}");

        // An order from half a year ago (before the 90-day window) is re-dated to yesterday.
        let before_window = (chrono::Utc::now() - chrono::Duration::days(120))
            .format("%Y-%m-%dT%H:%M:%S")
            .to_string();
        let old = onec
            .list("Document_ЗаказКлиента")
            .into_iter()
            .find(|d| {
                d["Date"]
                    .as_str()
                    .is_some_and(|date| date < before_window.as_str())
            })
            .expect("an order from before the window");
        let key = Uuid::parse_str(old["Ref_Key"].as_str().unwrap()).unwrap();
        let stored = {
            let mut reader = app.store.reader().await.unwrap();
            ferment_store::onec::document_by_ref(&mut reader, connection_id, key)
                .await
                .unwrap()
                .expect("the old order was loaded")
        };
        let yesterday = (chrono::Utc::now() - chrono::Duration::days(1))
            .format("%Y-%m-%dT10:00:00")
            .to_string();
        onec.update(
            "Document_ЗаказКлиента",
            key,
            json!({"Date": yesterday, "Комментарий": "Перенесён"}),
        )
        .unwrap();

        let run = sync(&app, &connection, false).await;
        assert_eq!(run["status"], "succeeded", "{label}: {run}");
        assert_eq!(run["full"], false, "{label}");
        assert_eq!(count(&run, "order", "updated"), 1, "{label}: {run}");
        assert_eq!(count(&run, "order", "created"), 0, "{label}: {run}");
        let in_window = onec
            .list("Document_ЗаказКлиента")
            .iter()
            .filter(|d| {
                d["Date"].as_str().is_some_and(|date| {
                    date >= (chrono::Utc::now() - chrono::Duration::days(90))
                        .format("%Y-%m-%dT%H:%M:%S")
                        .to_string()
                        .as_str()
                })
            })
            .count();
        assert_eq!(
            count(&run, "order", "received"),
            in_window as i64,
            "{label}: only the window is read: {run}"
        );
        let mut reader = app.store.reader().await.unwrap();
        let now = ferment_store::onec::document_by_ref(&mut reader, connection_id, key)
            .await
            .unwrap()
            .expect("still there");
        assert_eq!(now.id, stored.id, "{label}: the same document");
        assert_eq!(
            now.date.format("%Y-%m-%dT%H:%M:%S").to_string(),
            yesterday,
            "{label}"
        );
        drop(reader);
        onec.shutdown().await;
    }
}
