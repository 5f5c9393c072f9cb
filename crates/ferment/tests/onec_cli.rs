//! `ferment onec sync` as an operator runs it, against the 1C emulator: a run killed half-way
//! (SIGKILL) and run again loses nothing and duplicates nothing, on both databases.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{ferment, fresh_dir};
use ferment_domain::onec::ConnectionInput;
use ferment_onec::secret::Sealer;
use ferment_onec_emulator::{Config, Profile};
use ferment_store::testing::{databases, open};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_killed_half_way_and_run_again_loses_and_duplicates_nothing() {
    for database in databases().await {
        let label = database.label;
        let dir = fresh_dir();
        let store = open(&database).await;
        store.seed_reference_data().await.expect("reference data");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("port");
        let onec = ferment_onec_emulator::start(Config::new(Profile::Ut11), listener)
            .await
            .expect("emulator");
        let sealer = Sealer::load_or_create(&dir.join("secret.key")).expect("key");
        let input = ConnectionInput {
            name: "УТ".into(),
            url: onec.url(),
            login: "odata".into(),
            password: "odata".into(),
            profile: "ut11".into(),
            ..ConnectionInput::default()
        };
        let connection = input.validate(true).expect("valid");
        let id = {
            let mut tx = store.begin().await.expect("tx");
            let record =
                ferment_store::onec::insert_connection(&mut tx, &connection, &sealer.seal("odata"))
                    .await
                    .expect("connection");
            tx.commit().await.expect("commit");
            record.meta.id
        };
        let args = [
            "onec",
            "sync",
            "--data-dir",
            dir.to_str().unwrap(),
            "--database-url",
            database.url.as_str(),
        ];

        let clients_in_onec = onec.list("Catalog_Контрагенты").len();
        // Slow 1C down, start a sync, kill it half-way.
        onec.set_delay(Duration::from_millis(30));
        onec.clear_requests();
        let mut child = ferment(&dir, &args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting ferment onec sync");
        let deadline = Instant::now() + Duration::from_secs(120);
        while onec.request_count() < 10 {
            assert!(
                Instant::now() < deadline,
                "{label}: the sync made no requests"
            );
            assert!(
                child.try_wait().expect("child").is_none(),
                "{label}: the sync ended before it was killed"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        child.kill().expect("kill");
        child.wait().expect("wait");
        let killed = {
            let mut reader = store.reader().await.expect("reader");
            ferment_store::onec::list_runs(&mut reader, id, 5)
                .await
                .expect("runs")
        };
        assert_eq!(killed.len(), 1, "{label}");
        assert_eq!(
            killed[0].status, "running",
            "{label}: the killed run never finished"
        );

        // Run again: it takes over the dead run and finishes.
        onec.set_delay(Duration::ZERO);
        let mut second = ferment(&dir, &args);
        let output = tokio::task::spawn_blocking(move || second.output())
            .await
            .expect("join")
            .expect("second sync");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{label}: {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(stdout.contains("УТ: succeeded"), "{label}: {stdout}");
        let runs = {
            let mut reader = store.reader().await.expect("reader");
            ferment_store::onec::list_runs(&mut reader, id, 5)
                .await
                .expect("runs")
        };
        assert_eq!(runs.len(), 2, "{label}");
        assert_eq!(runs[0].status, "succeeded", "{label}");
        assert_eq!(runs[1].status, "failed", "{label}");
        assert!(
            runs[1].error.as_deref().unwrap_or("").contains("прервана"),
            "{label}: {:?}",
            runs[1].error
        );

        // Everything 1C has is in Ferment exactly once.
        let mut reader = store.reader().await.expect("reader");
        let items: Vec<_> = onec
            .list("Catalog_Номенклатура")
            .into_iter()
            .filter(|p| p["IsFolder"] != true && p["DeletionMark"] != true)
            .collect();
        let mut product_ids = std::collections::HashSet::new();
        for item in &items {
            let code = item["Code"].as_str().unwrap().trim();
            let (product, _) = ferment_store::products::find_by_code(&mut reader, code, None)
                .await
                .expect("query")
                .unwrap_or_else(|| panic!("{label}: {code} lost"));
            assert!(product_ids.insert(product), "{label}: {code} twice");
        }
        let listed = ferment_store::products::list(
            &mut reader,
            &ferment_store::products::ListQuery {
                limit: 10_000,
                ..Default::default()
            },
        )
        .await
        .expect("products");
        assert_eq!(
            listed.items.len(),
            items.len(),
            "{label}: no extra products"
        );
        let clients: Vec<_> = onec
            .list("Catalog_Контрагенты")
            .into_iter()
            .filter(|c| c["IsFolder"] != true && c["DeletionMark"] != true)
            .collect();
        let mut client_ids = std::collections::HashSet::new();
        for client in &clients {
            let inn = client["ИНН"].as_str().unwrap().trim();
            let kpp = client["КПП"].as_str().unwrap_or("").trim();
            let (found, _) = ferment_store::counterparties::find_duplicate(
                &mut reader,
                inn,
                (!kpp.is_empty()).then_some(kpp),
                None,
            )
            .await
            .expect("query")
            .unwrap_or_else(|| panic!("{label}: client {inn} lost"));
            assert!(client_ids.insert(found), "{label}: {inn} twice");
        }
        // Nothing was sent to 1C (every client came from there).
        assert_eq!(
            onec.list("Catalog_Контрагенты").len(),
            clients_in_onec,
            "{label}"
        );
        drop(reader);
        onec.shutdown().await;
        store.close().await;
    }
}
