//! The server side of the protocol, driven as the `/exchange/1c` glue would drive it.

use std::collections::HashMap;
use std::io::{Cursor, Write};

use chrono::NaiveDate;
use ferment_commerceml::exchange::{Answer, Exchange, ImportBatch, Settings, Step};
use ferment_commerceml::order::Order;
use ferment_commerceml::{Document, ExchangeError, Item};
use zip::write::SimpleFileOptions;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn key(item: &Item) -> String {
    match item {
        Item::Classifier(c) => format!("classifier:{}", c.id),
        Item::Group(g) => format!("group:{}", g.id),
        Item::Property(p) => format!("property:{}", p.id),
        Item::Catalog(c) => format!("catalog:{}", c.id),
        Item::Product(p) => format!("product:{}", p.id),
        Item::Offers(o) => format!("offers:{}", o.id),
        Item::PriceType(p) => format!("price-type:{}", p.id),
        Item::Warehouse(w) => format!("warehouse:{}", w.id),
        Item::Offer(o) => format!("offer:{}", o.id),
        Item::Order(o) => format!("order:{}", o.id),
    }
}

/// Counts how many times each item was applied, as a database would see it.
#[derive(Default)]
struct Applied(HashMap<String, usize>);

impl Applied {
    fn apply(&mut self, batch: &ImportBatch) {
        for item in &batch.items {
            *self
                .0
                .entry(format!("{}/{}", batch.file, key(item)))
                .or_default() += 1;
        }
    }
}

fn settings() -> Settings {
    Settings {
        file_limit: 1024,
        ..Settings::default()
    }
}

#[test]
fn checkauth_and_init_answer_the_lines_1c_reads() {
    let dir = tempfile::tempdir().unwrap();
    let exchange = Exchange::new(dir.path(), settings()).unwrap();
    let session = exchange.checkauth().unwrap();
    let answer = session.checkauth_answer().into_body();
    let lines: Vec<&str> = answer.lines().collect();
    assert_eq!(lines[0], "success");
    assert_eq!(lines[1], "ferment_exchange");
    assert_eq!(lines[2], session.id());
    assert_eq!(lines[3], format!("sessid={}", session.id()));
    assert_eq!(
        exchange.init(&session).body(),
        format!(
            "zip=yes\nfile_limit=1024\nsessid={}\nversion=3.1\n",
            session.id()
        )
    );
    assert_eq!(exchange.session(session.id()).unwrap(), session);
    assert!(matches!(
        exchange.session("0123456789abcdef0123456789abcdef"),
        Err(ExchangeError::UnknownSession)
    ));
    assert!(matches!(
        exchange.session("../../etc"),
        Err(ExchangeError::UnknownSession)
    ));
}

#[test]
fn answers_are_success_progress_and_failure_with_one_line_messages() {
    assert_eq!(Answer::success().body(), "success\n");
    assert_eq!(
        Answer::progress("import.xml: 3 items").body(),
        "progress\nimport.xml: 3 items\n"
    );
    assert_eq!(Answer::failure("bad\nthing").body(), "failure\nbad thing\n");
    let error = ExchangeError::NotFound("offers.xml".into());
    assert_eq!(
        Answer::from(&error).body(),
        "failure\nfile \"offers.xml\" was not uploaded\n"
    );
}

#[test]
fn chunks_of_one_file_are_appended_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let exchange = Exchange::new(dir.path(), settings()).unwrap();
    let session = exchange.checkauth().unwrap();
    let bytes = fixture("import_2_08.xml");
    assert!(bytes.len() > 3 * 1024, "the fixture needs several chunks");
    for chunk in bytes.chunks(1024) {
        let answer = exchange
            .receive_file(&session, "import.xml", chunk)
            .unwrap();
        assert_eq!(answer, Answer::success());
    }
    let stored = std::fs::read(exchange.uploaded_file(&session, "import.xml").unwrap()).unwrap();
    assert_eq!(stored, bytes);

    exchange
        .receive_file(&session, "import_files/9a/picture.jpg", b"\xff\xd8jpeg")
        .unwrap();
    let picture = exchange
        .uploaded_file(&session, "import_files/9a/picture.jpg")
        .unwrap();
    assert_eq!(std::fs::read(picture).unwrap(), b"\xff\xd8jpeg");

    let too_big = vec![b'x'; 1025];
    assert!(matches!(
        exchange.receive_file(&session, "import.xml", &too_big),
        Err(ExchangeError::TooLarge {
            size: 1025,
            limit: 1024
        })
    ));
}

#[test]
fn file_names_leaving_the_session_directory_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let exchange = Exchange::new(dir.path(), settings()).unwrap();
    let session = exchange.checkauth().unwrap();
    for name in [
        "../escape.xml",
        "import_files/../../escape.xml",
        "/tmp/escape.xml",
        "C:\\escape.xml",
    ] {
        let result = exchange.receive_file(&session, name, b"x");
        assert!(
            matches!(result, Err(ExchangeError::UnsafePath(_))),
            "{name}"
        );
        assert!(matches!(
            exchange.import_step(&session, name, 10),
            Err(ExchangeError::UnsafePath(_))
        ));
    }
    assert!(!dir.path().join("escape.xml").exists());
    assert!(!dir.path().join("sessions/escape.xml").exists());
}

fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in files {
        writer
            .start_file(*name, SimpleFileOptions::default())
            .unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn import_all(exchange: &Exchange, session_id: &str, file: &str, applied: &mut Applied) -> usize {
    let session = exchange.session(session_id).unwrap();
    let mut steps = 0;
    loop {
        match exchange.import_step(&session, file, 4).unwrap() {
            Step::Batch(batch) => {
                applied.apply(&batch);
                exchange.commit_step(&session, &batch).unwrap();
                steps += 1;
            }
            Step::Done => return steps,
        }
    }
}

#[test]
fn a_zipped_upload_sent_in_chunks_is_unpacked_before_import() {
    let dir = tempfile::tempdir().unwrap();
    let exchange = Exchange::new(dir.path(), settings()).unwrap();
    let session = exchange.checkauth().unwrap();
    let archive = zip_of(&[
        ("import.xml", &fixture("import_2_08.xml")),
        ("offers.xml", &fixture("offers_2_08_changes.xml")),
        ("import_files/9a/p.jpg", b"jpeg"),
    ]);
    // Named without .zip: detected by its PK signature.
    for chunk in archive.chunks(1000) {
        exchange
            .receive_file(&session, "exchange_1", chunk)
            .unwrap();
    }
    let mut applied = Applied::default();
    import_all(&exchange, session.id(), "import.xml", &mut applied);
    import_all(&exchange, session.id(), "offers.xml", &mut applied);
    assert_eq!(applied.0.len(), 10 + 6);
    assert!(applied.0.values().all(|&n| n == 1));
    assert!(
        exchange
            .uploaded_file(&session, "import_files/9a/p.jpg")
            .is_ok()
    );
    assert!(
        exchange.uploaded_file(&session, "exchange_1").is_err(),
        "the archive is removed"
    );
    assert!(matches!(
        exchange.import_step(&session, "rests.xml", 4),
        Err(ExchangeError::NotFound(_))
    ));
}

#[test]
fn a_zip_with_an_escaping_entry_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let exchange = Exchange::new(dir.path(), settings()).unwrap();
    let session = exchange.checkauth().unwrap();
    let archive = zip_of(&[("../../evil.xml", b"<x/>")]);
    exchange
        .receive_file(&session, "upload.zip", &archive)
        .unwrap();
    let error = exchange.import_step(&session, "import.xml", 4).unwrap_err();
    assert!(
        matches!(
            error,
            ExchangeError::UnsafePath(_) | ExchangeError::BadArchive { .. }
        ),
        "{error:?}"
    );
    assert!(!dir.path().join("evil.xml").exists());
}

#[test]
fn import_resumes_after_a_restart_and_applies_every_item_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut applied = Applied::default();
    let session_id;
    {
        let exchange = Exchange::new(dir.path(), settings()).unwrap();
        let session = exchange.checkauth().unwrap();
        session_id = session.id().to_owned();
        for chunk in fixture("import_2_08.xml").chunks(1024) {
            exchange
                .receive_file(&session, "import.xml", chunk)
                .unwrap();
        }
        // Two batches applied and committed, then the process "dies".
        for _ in 0..2 {
            let Step::Batch(batch) = exchange.import_step(&session, "import.xml", 4).unwrap()
            else {
                panic!("a batch");
            };
            applied.apply(&batch);
            exchange.commit_step(&session, &batch).unwrap();
        }
    }
    // A new process on the same work directory continues where the last one stopped.
    let exchange = Exchange::new(dir.path(), settings()).unwrap();
    let steps = import_all(&exchange, &session_id, "import.xml", &mut applied);
    assert_eq!(
        steps, 1,
        "10 items in batches of 4: 2 before the restart, 1 after"
    );
    assert_eq!(applied.0.len(), 10);
    assert!(applied.0.values().all(|&n| n == 1), "{:?}", applied.0);
    // 1C repeating `import` after success gets success again, with nothing re-applied.
    let session = exchange.session(&session_id).unwrap();
    assert!(matches!(
        exchange.import_step(&session, "import.xml", 4).unwrap(),
        Step::Done
    ));
}

#[test]
fn a_batch_not_committed_is_handed_out_again_identically() {
    let dir = tempfile::tempdir().unwrap();
    let exchange = Exchange::new(dir.path(), settings()).unwrap();
    let session = exchange.checkauth().unwrap();
    for chunk in fixture("offers_2_05.xml").chunks(1024) {
        exchange
            .receive_file(&session, "offers.xml", chunk)
            .unwrap();
    }
    let Step::Batch(first) = exchange.import_step(&session, "offers.xml", 3).unwrap() else {
        panic!("a batch");
    };
    // The glue died while applying: no commit. Same process and a new one both repeat the batch.
    let Step::Batch(again) = exchange.import_step(&session, "offers.xml", 3).unwrap() else {
        panic!("a batch");
    };
    assert_eq!((again.start, again.end), (first.start, first.end));
    assert_eq!(again.items, first.items);
    let restarted = Exchange::new(dir.path(), settings()).unwrap();
    let Step::Batch(after_restart) = restarted.import_step(&session, "offers.xml", 3).unwrap()
    else {
        panic!("a batch");
    };
    assert_eq!(after_restart.items, first.items);
    restarted.commit_step(&session, &after_restart).unwrap();
    // A retried commit is harmless; committing a stale batch out of order is refused.
    restarted.commit_step(&session, &after_restart).unwrap();
    let Step::Batch(second) = restarted.import_step(&session, "offers.xml", 3).unwrap() else {
        panic!("a batch");
    };
    assert_eq!(second.start, 3);
    assert!(second.progress_message().contains("offers.xml"));
    let mut skipped = second;
    skipped.start = 5;
    skipped.end = 8;
    assert!(matches!(
        restarted.commit_step(&session, &skipped),
        Err(ExchangeError::OutOfOrderCommit { .. })
    ));
}

#[test]
fn a_malformed_file_fails_the_import_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let exchange = Exchange::new(dir.path(), settings()).unwrap();
    let session = exchange.checkauth().unwrap();
    exchange
        .receive_file(
            &session,
            "import.xml",
            "<КоммерческаяИнформация><Каталог>".as_bytes(),
        )
        .unwrap();
    let error = exchange
        .import_step(&session, "import.xml", 10)
        .unwrap_err();
    let answer = Answer::from(&error).into_body();
    assert!(answer.starts_with("failure\nimport.xml: "), "{answer}");
}

#[test]
fn sale_query_sends_orders_and_success_names_them_for_marking_exported() {
    let dir = tempfile::tempdir().unwrap();
    let exchange = Exchange::new(dir.path(), settings()).unwrap();
    let session = exchange.checkauth().unwrap();
    let orders = Document::from_bytes(&fixture("orders_from_1c.xml"))
        .unwrap()
        .orders;
    let at = NaiveDate::from_ymd_opt(2025, 2, 5)
        .unwrap()
        .and_hms_opt(8, 0, 0)
        .unwrap();
    let xml = exchange.sale_query(&session, &orders, at).unwrap();
    let back: Vec<Order> = Document::from_bytes(&xml).unwrap().orders;
    assert_eq!(back, orders);
    // The session survives a restart between query and success.
    let restarted = Exchange::new(dir.path(), settings()).unwrap();
    let session = restarted.session(session.id()).unwrap();
    assert_eq!(
        restarted.sale_success(&session).unwrap(),
        vec![
            "0195f3a2-1b2c-7d3e-8f40-5a6b7c8d9e01",
            "0195f3a2-1b2c-7d3e-8f40-5a6b7c8d9e02"
        ]
    );
    assert!(restarted.sale_success(&session).unwrap().is_empty());
}

#[test]
fn old_sessions_are_purged() {
    let dir = tempfile::tempdir().unwrap();
    let exchange = Exchange::new(dir.path(), settings()).unwrap();
    let session = exchange.checkauth().unwrap();
    assert_eq!(
        exchange
            .purge_sessions(std::time::Duration::from_secs(3600))
            .unwrap(),
        0
    );
    assert_eq!(
        exchange.purge_sessions(std::time::Duration::ZERO).unwrap(),
        1
    );
    assert!(exchange.session(session.id()).is_err());
}
