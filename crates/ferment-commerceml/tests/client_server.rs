//! The client (1C's side) against the server side over a real socket: a tiny axum handler stands in
//! for Ferment's `/exchange/1c` glue, and shows how thin that glue is.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use chrono::NaiveDate;
use ferment_commerceml::client::{ClientOptions, run_exchange};
use ferment_commerceml::exchange::{Answer, Exchange, Session, Settings, Step};
use ferment_commerceml::order::Order;
use ferment_commerceml::{Document, Item};

/// `Basic` of `1c:secret`.
const AUTHORIZATION: &str = "Basic MWM6c2VjcmV0";

struct Glue {
    exchange: Exchange,
    /// What the "database" received: file/item key → times applied.
    applied: Mutex<HashMap<String, usize>>,
    /// Orders waiting for 1C.
    orders: Vec<Order>,
    exported: Mutex<Vec<String>>,
    statuses: Mutex<Vec<Order>>,
}

/// The record key a database would upsert by.
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

fn text(answer: Answer) -> Response {
    (
        [(header::CONTENT_TYPE, Answer::CONTENT_TYPE)],
        answer.into_body(),
    )
        .into_response()
}

fn session_from(glue: &Glue, headers: &HeaderMap) -> Option<Session> {
    let cookies = headers.get(header::COOKIE)?.to_str().ok()?;
    let name = &glue.exchange.settings().cookie_name;
    cookies
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find(|(n, _)| n == name)
        .and_then(|(_, value)| glue.exchange.session(value).ok())
}

async fn exchange_1c(
    State(glue): State<Arc<Glue>>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        != Some(AUTHORIZATION)
    {
        return (StatusCode::UNAUTHORIZED, "failure\nwrong login\n").into_response();
    }
    let mode = params.get("mode").map(String::as_str).unwrap_or("");
    if mode == "checkauth" {
        return match glue.exchange.checkauth() {
            Ok(session) => text(session.checkauth_answer()),
            Err(e) => text(Answer::from(&e)),
        };
    }
    let Some(session) = session_from(&glue, &headers) else {
        return (StatusCode::UNAUTHORIZED, "failure\nno session\n").into_response();
    };
    let filename = params.get("filename").map(String::as_str).unwrap_or("");
    let result = match mode {
        "init" => Ok(glue.exchange.init(&session)),
        "file" => glue.exchange.receive_file(&session, filename, &body),
        "import" => match glue.exchange.import_step(&session, filename, 3) {
            Ok(Step::Batch(batch)) => {
                for item in &batch.items {
                    let key = match item {
                        Item::Order(order) => {
                            glue.statuses.lock().unwrap().push(order.clone());
                            format!("order:{}", order.id)
                        }
                        other => key(other),
                    };
                    *glue
                        .applied
                        .lock()
                        .unwrap()
                        .entry(format!("{}/{key}", batch.file))
                        .or_default() += 1;
                }
                glue.exchange
                    .commit_step(&session, &batch)
                    .map(|()| Answer::progress(&batch.progress_message()))
            }
            Ok(Step::Done) => Ok(Answer::success()),
            Err(e) => Err(e),
        },
        "query" => {
            let at = NaiveDate::from_ymd_opt(2025, 2, 5)
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap();
            return match glue.exchange.sale_query(&session, &glue.orders, at) {
                Ok(xml) => (
                    [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
                    xml,
                )
                    .into_response(),
                Err(e) => text(Answer::from(&e)),
            };
        }
        "success" => glue.exchange.sale_success(&session).map(|ids| {
            glue.exported.lock().unwrap().extend(ids);
            Answer::success()
        }),
        _ => Ok(Answer::failure("unknown mode")),
    };
    text(result.unwrap_or_else(|e| Answer::from(&e)))
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

async fn start_site(settings: Settings) -> (String, Arc<Glue>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let orders = Document::from_bytes(&fixture("orders_from_1c.xml"))
        .unwrap()
        .orders;
    let glue = Arc::new(Glue {
        exchange: Exchange::new(dir.path(), settings).unwrap(),
        applied: Mutex::default(),
        orders,
        exported: Mutex::default(),
        statuses: Mutex::default(),
    });
    let app = Router::new()
        .route("/exchange/1c", any(exchange_1c))
        .with_state(glue.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{address}/exchange/1c"), glue, dir)
}

fn catalog_files() -> Vec<(String, Vec<u8>)> {
    vec![
        ("import.xml".into(), fixture("import_2_08.xml")),
        ("offers.xml".into(), fixture("offers_2_08_changes.xml")),
        (
            "import_files/9a/9a1b2c3d-7c1e-11ee-b962-0242ac120002_1.jpg".into(),
            b"\xff\xd8 not really a jpeg".to_vec(),
        ),
    ]
}

async fn full_exchange(zip: bool) {
    let (url, glue, _dir) = start_site(Settings {
        zip: true,
        file_limit: 700,
        ..Settings::default()
    })
    .await;
    let options = ClientOptions {
        zip,
        chunk_size: 64 * 1024,
        max_import_calls: 100,
        orders_with_statuses: Some(("orders-1.xml".into(), fixture("orders_from_1c.xml"))),
    };
    let report = run_exchange(&url, "1c", "secret", catalog_files(), &options)
        .await
        .unwrap();

    assert_eq!(report.zipped, zip);
    assert_eq!(report.file_limit, 700);
    assert!(
        report
            .uploads
            .iter()
            .all(|u| u.chunks == u.bytes.div_ceil(700).max(1)),
        "{:?}",
        report.uploads
    );
    assert!(
        report.uploads.iter().any(|u| u.chunks > 1),
        "file_limit forces chunks"
    );
    let imported: Vec<&str> = report.imports.iter().map(|i| i.filename.as_str()).collect();
    assert_eq!(imported, ["import.xml", "offers.xml", "orders-1.xml"]);
    // 10 items in batches of 3: four progress answers, then success.
    assert_eq!(report.imports[0].calls, 5);
    assert_eq!(report.imports[0].progress.len(), 4);

    let applied = glue.applied.lock().unwrap();
    assert_eq!(
        applied
            .keys()
            .filter(|k| k.starts_with("import.xml/"))
            .count(),
        10
    );
    assert_eq!(
        applied
            .keys()
            .filter(|k| k.starts_with("offers.xml/"))
            .count(),
        6
    );
    assert!(applied.values().all(|&n| n == 1), "{applied:?}");

    assert_eq!(report.orders, glue.orders);
    assert_eq!(
        *glue.exported.lock().unwrap(),
        vec![
            "0195f3a2-1b2c-7d3e-8f40-5a6b7c8d9e01".to_owned(),
            "0195f3a2-1b2c-7d3e-8f40-5a6b7c8d9e02".to_owned()
        ]
    );
    assert!(report.statuses_imported);
    let statuses = glue.statuses.lock().unwrap();
    assert_eq!(statuses.len(), 2);
    assert_eq!(
        statuses[0].status_from_1c().number.as_deref(),
        Some("ЦБ-000417")
    );

    let session_dirs = std::fs::read_dir(_dir.path().join("sessions"))
        .unwrap()
        .count();
    assert_eq!(
        session_dirs, 2,
        "one session for the catalog, one for the orders"
    );
}

#[tokio::test]
async fn a_zipped_exchange_in_chunks_imports_everything_once_and_trades_orders() {
    full_exchange(true).await;
}

#[tokio::test]
async fn an_unzipped_exchange_in_chunks_imports_everything_once_and_trades_orders() {
    full_exchange(false).await;
}

#[tokio::test]
async fn the_client_stops_on_failure_and_on_wrong_credentials() {
    let (url, _glue, _dir) = start_site(Settings::default()).await;
    let broken = vec![(
        "import.xml".to_owned(),
        "<КоммерческаяИнформация><Каталог>".as_bytes().to_vec(),
    )];
    let error = run_exchange(&url, "1c", "secret", broken, &ClientOptions::default())
        .await
        .unwrap_err();
    assert!(error.to_string().contains("failure"), "{error}");

    let error = run_exchange(
        &url,
        "1c",
        "wrong",
        catalog_files(),
        &ClientOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(error.to_string().contains("401"), "{error}");
}
