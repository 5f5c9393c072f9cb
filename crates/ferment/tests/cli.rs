//! The `ferment` binary as an operator runs it: the real executable, a fresh data directory or
//! database per test, the server on port 0 and HTTP requests against the address it prints.
//!
//! SQLite always; the database commands also run on PostgreSQL when `FERMENT_TEST_PG_URL` is set
//! (and must, under `FERMENT_REQUIRE_SERVICES=1`).

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{ferment, fresh_dir};

use ferment_store::testing::databases;
use serde_json::{Value, json};

/// How long a server may take to print its address (a debug build loading the demo is the slowest).
const START_TIMEOUT: Duration = Duration::from_secs(180);

/// Runs a command to its end, feeding `stdin`.
fn run(mut command: Command, stdin: &str) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting ferment");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("writing stdin");
    child.wait_with_output().expect("waiting for ferment")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs a command that must succeed; returns its standard output.
fn succeed(command: Command, stdin: &str) -> String {
    let description = format!("{command:?}");
    let output = run(command, stdin);
    assert!(
        output.status.success(),
        "{description} failed with {}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        text(&output.stdout),
        text(&output.stderr)
    );
    text(&output.stdout)
}

/// A running server, killed when dropped (also when the test panics).
struct Server {
    child: Child,
    base: String,
    stdout: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts a long-running command and waits until it prints the address it listens on.
fn start(mut command: Command) -> Server {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting ferment");
    let stdout = child.stdout.take().expect("stdout");
    let (lines_tx, lines): (_, Receiver<String>) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let stderr_text = Arc::new(Mutex::new(String::new()));
    let mut stderr = child.stderr.take().expect("stderr");
    let sink = Arc::clone(&stderr_text);
    std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(n) = stderr.read(&mut buffer) {
            if n == 0 {
                break;
            }
            sink.lock()
                .expect("stderr buffer")
                .push_str(&String::from_utf8_lossy(&buffer[..n]));
        }
    });
    let mut server = Server {
        child,
        base: String::new(),
        stdout: String::new(),
    };
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => {
                server.stdout.push_str(&line);
                server.stdout.push('\n');
                if let Some((_, rest)) = line.split_once("listening on http://") {
                    let address = rest.split_whitespace().next().expect("an address");
                    server.base = format!("http://{address}");
                    return server;
                }
            }
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                let status = server.child.try_wait().ok().flatten();
                panic!(
                    "ferment did not print its address (exit: {status:?})\nstdout:\n{}\nstderr:\n{}",
                    server.stdout,
                    stderr_text.lock().expect("stderr buffer")
                );
            }
        }
    }
}

/// Signs in through the API; the token.
async fn log_in(client: &reqwest::Client, base: &str, login: &str, password: &str) -> String {
    let response = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({ "login": login, "password": password }))
        .send()
        .await
        .expect("login request");
    assert_eq!(response.status().as_u16(), 201, "login of {login}");
    let body: Value = response.json().await.expect("login JSON");
    body["token"].as_str().expect("a token").to_string()
}

async fn get_json(client: &reqwest::Client, url: String, token: &str) -> (u16, Value) {
    let response = client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn migrate_then_demo_serves_the_demo_clients_to_the_demo_manager() {
    let dir = fresh_dir();
    let out = succeed(ferment(&dir, &["migrate", "--data-dir", "data"]), "");
    assert!(out.contains("migrated"), "{out}");
    assert!(dir.join("data/ferment.sqlite").is_file());

    let password = "demo password 2026";
    let mut command = ferment(
        &dir,
        &["demo", "--listen", "127.0.0.1:0", "--data-dir", "data"],
    );
    command.env("FERMENT_ADMIN_PASSWORD", password);
    let server = start(command);
    assert!(
        server.stdout.contains("300 counterparties"),
        "{}",
        server.stdout
    );
    assert!(server.stdout.contains(password), "{}", server.stdout);

    let client = reqwest::Client::new();
    let health: Value = client
        .get(format!("{}/health", server.base))
        .send()
        .await
        .expect("health")
        .json()
        .await
        .expect("health JSON");
    assert_eq!(health, json!({"status": "ok"}));

    let token = log_in(&client, &server.base, "manager", password).await;
    let (status, page) = get_json(
        &client,
        format!("{}/api/v1/counterparties?limit=5", server.base),
        &token,
    )
    .await;
    assert_eq!(status, 200, "{page}");
    let items = page["items"].as_array().expect("items");
    assert!(!items.is_empty(), "the manager sees clients: {page}");
    // The demo's roles: the regional manager sees the Volga district's clients only, the head of
    // sales every client, as the administrator does.
    let admin = log_in(&client, &server.base, "admin", password).await;
    let head = log_in(&client, &server.base, "head", password).await;
    let everyone = count_counterparties(&client, &server.base, &admin).await;
    let regional = count_counterparties(&client, &server.base, &token).await;
    assert_eq!(everyone, 300);
    assert!(
        regional > 0 && regional < everyone,
        "the manager sees {regional} of {everyone}"
    );
    assert_eq!(
        count_counterparties(&client, &server.base, &head).await,
        everyone
    );
    // The demo's deals stand at every stage, with the engine's tasks open on them.
    assert!(server.stdout.contains("55 sales"), "{}", server.stdout);
    let (status, board) = get_json(
        &client,
        format!("{}/api/v1/sales/board?closed=true", server.base),
        &head,
    )
    .await;
    assert_eq!(status, 200, "{board}");
    for column in board["columns"].as_array().expect("columns") {
        assert!(
            column["count"].as_i64().unwrap_or(0) > 0,
            "the demo has sales at {}: {board}",
            column["stage"]
        );
    }
    // Every shipped document comes out for a demo sale, with the demo company and its logo.
    let contract_column = board["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .find(|c| c["stage"] == "contract")
        .expect("a contract column");
    let sale_id = contract_column["cards"][0]["id"]
        .as_str()
        .expect("a sale at the contract stage");
    for kind in [
        "preliminary_kp",
        "kp",
        "contract",
        "specification",
        "contract_and_specification",
        "invoice",
        "info_letter",
    ] {
        let response = client
            .post(format!("{}/api/v1/sales/{sale_id}/documents", server.base))
            .bearer_auth(&head)
            .json(&json!({"kind": kind, "format": "pdf"}))
            .send()
            .await
            .expect("generating");
        assert_eq!(response.status(), 201, "{kind}");
        let document: Value = response.json().await.expect("document JSON");
        let pdf = client
            .get(format!(
                "{}{}",
                server.base,
                document["url"].as_str().unwrap()
            ))
            .bearer_auth(&head)
            .send()
            .await
            .expect("download")
            .bytes()
            .await
            .expect("bytes");
        assert!(pdf.starts_with(b"%PDF"), "{kind}");
        if kind == "kp" {
            let path = dir.join("kp.pdf");
            std::fs::write(&path, &pdf).expect("writing the proposal");
            match Command::new("pdfimages").arg("-list").arg(&path).output() {
                Ok(listed) => {
                    let images = text(&listed.stdout).lines().skip(2).count();
                    assert!(
                        images >= 1,
                        "the proposal carries the logo: {}",
                        text(&listed.stdout)
                    );
                    let words = Command::new("pdftotext")
                        .arg(&path)
                        .arg("-")
                        .output()
                        .expect("pdftotext");
                    assert!(
                        text(&words.stdout).contains("ООО «Ферментум»"),
                        "{}",
                        text(&words.stdout)
                    );
                }
                Err(_) => assert!(
                    std::env::var("FERMENT_REQUIRE_SERVICES").as_deref() != Ok("1"),
                    "poppler-utils missing but FERMENT_REQUIRE_SERVICES=1"
                ),
            }
        }
    }
    let (_, technologist_tasks) = get_json(
        &client,
        format!(
            "{}/api/v1/tasks?status=open&kind=choose_recipe",
            server.base
        ),
        &admin,
    )
    .await;
    assert!(
        !technologist_tasks["items"]
            .as_array()
            .expect("items")
            .is_empty(),
        "recipe choices wait for the technologist: {technologist_tasks}"
    );

    // The demo's 1C emulator: a sync finds the demo's clients in 1C instead of duplicating them,
    // and brings the 30 clients only 1C has.
    assert!(server.stdout.contains("1C emulator"), "{}", server.stdout);
    let (_, connections) = get_json(
        &client,
        format!("{}/api/v1/integrations/onec", server.base),
        &admin,
    )
    .await;
    let connection = connections["items"][0]["id"]
        .as_str()
        .expect("the demo connection");
    let started: Value = client
        .post(format!(
            "{}/api/v1/integrations/onec/{connection}/sync",
            server.base
        ))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("sync")
        .json()
        .await
        .expect("run");
    let run_id = started["id"].as_str().expect("run id").to_string();
    let mut run = Value::Null;
    for _ in 0..600 {
        let (_, current) = get_json(
            &client,
            format!("{}/api/v1/integrations/onec/runs/{run_id}", server.base),
            &admin,
        )
        .await;
        if current["status"] != "running" {
            run = current;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(run["status"], "succeeded", "{run}");
    let only_in_onec = run["counts"]["counterparty"]["created"]
        .as_u64()
        .unwrap_or(0) as usize;
    assert!((25..=30).contains(&only_in_onec), "{}", run["counts"]);
    assert_eq!(
        count_counterparties(&client, &server.base, &admin).await,
        300 + only_in_onec,
        "the demo's own clients were matched, not duplicated"
    );
    assert_eq!(
        run["counts"]["counterparty_out"]["created"], 100,
        "the clients 1C lacked went there: {}",
        run["counts"]
    );
    drop(server);

    // A second start finds the data loaded and, without a password in the environment, prints a
    // new one that works for the demo users.
    let server = start(ferment(
        &dir,
        &["demo", "--listen", "127.0.0.1:0", "--data-dir", "data"],
    ));
    assert!(
        server.stdout.contains("not loaded again"),
        "{}",
        server.stdout
    );
    let generated = server
        .stdout
        .lines()
        .map(str::trim)
        .find(|line| line.len() == 20 && line.chars().all(|c| c.is_ascii_alphanumeric()))
        .unwrap_or_else(|| panic!("a generated password in:\n{}", server.stdout))
        .to_string();
    log_in(&client, &server.base, "technologist", &generated).await;
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

/// How many counterparties the token's user sees, paging through the whole list.
async fn count_counterparties(client: &reqwest::Client, base: &str, token: &str) -> usize {
    let mut count = 0;
    let mut cursor = String::new();
    loop {
        let (status, page) = get_json(
            client,
            format!("{base}/api/v1/counterparties?limit=200&cursor={cursor}"),
            token,
        )
        .await;
        assert_eq!(status, 200, "{page}");
        count += page["items"].as_array().expect("items").len();
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => return count,
        }
    }
}

#[tokio::test]
async fn users_made_on_the_command_line_work_through_the_api_on_every_database() {
    for database in databases().await {
        let label = database.label;
        let dir = fresh_dir();
        let db = ["--database-url", database.url.as_str()];
        let migrated = succeed(ferment(&dir, &[&["migrate"][..], &db].concat()), "");
        if label == "postgres" {
            assert!(
                !migrated.contains(":ferment@"),
                "the database password is masked: {migrated}"
            );
        }

        let add = [
            &["user", "add", "o.kuznetsova", "--name", "Кузнецова Ольга"][..],
            &[
                "--email",
                "o.kuznetsova@example.ru",
                "--territory",
                "RU-VFD",
            ],
            &["--password-stdin"],
            &db,
        ]
        .concat();
        let out = succeed(ferment(&dir, &add), "пароль-из-stdin\n");
        assert!(out.contains("o.kuznetsova"), "{label}: {out}");
        assert!(!out.contains("пароль-из-stdin"), "{label}: {out}");

        let token_args = [
            &["user", "token", "o.kuznetsova", "--name", "script"][..],
            &db,
        ]
        .concat();
        let token = succeed(ferment(&dir, &token_args), "");
        let token = token.trim().to_string();
        assert_eq!(token.lines().count(), 1, "{label}: only the token: {token}");

        let passwd = [&["user", "passwd", "admin"][..], &db].concat();
        // `admin` does not exist until the server starts: a clear error, exit code 1.
        let output = run(ferment(&dir, &passwd), "");
        assert_eq!(output.status.code(), Some(1), "{label}");
        assert!(
            text(&output.stderr).contains("no user with the login \"admin\""),
            "{label}: {}",
            text(&output.stderr)
        );

        let serve = [&["serve", "--listen", "127.0.0.1:0"][..], &db].concat();
        let server = start(ferment(&dir, &serve));
        assert!(
            server.stdout.contains("password:"),
            "{label}: the generated admin password is shown: {}",
            server.stdout
        );
        let client = reqwest::Client::new();
        let (status, me) =
            get_json(&client, format!("{}/api/v1/users/me", server.base), &token).await;
        assert_eq!(status, 200, "{label}: {me}");
        assert_eq!(me["login"], "o.kuznetsova", "{label}: {me}");
        assert_eq!(me["roles"], json!(["manager"]), "{label}: {me}");
        log_in(&client, &server.base, "o.kuznetsova", "пароль-из-stdin").await;
        drop(server);

        // A new password revokes the token.
        let passwd = [
            &["user", "passwd", "o.kuznetsova", "--password-stdin"][..],
            &db,
        ]
        .concat();
        succeed(ferment(&dir, &passwd), "новый-пароль-2026\n");
        let server = start(ferment(&dir, &serve));
        assert!(
            !server.stdout.contains("password:"),
            "{label}: an existing admin keeps its password: {}",
            server.stdout
        );
        let (status, _) =
            get_json(&client, format!("{}/api/v1/users/me", server.base), &token).await;
        assert_eq!(status, 401, "{label}: the old token is revoked");
        log_in(&client, &server.base, "o.kuznetsova", "новый-пароль-2026").await;
        drop(server);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn bad_user_input_fails_with_a_clear_message_and_exit_code_1() {
    let dir = fresh_dir();
    let cases: [(&[&str], &str, &str); 7] = [
        (
            &["user", "add", "ольга", "--name", "Ольга"],
            "",
            "LOGIN \"ольга\": Allowed values",
        ),
        (
            &["user", "add", "o", "--name", "Ольга"],
            "",
            "a login has 2 to 50 characters",
        ),
        (
            &["user", "add", "olga", "--name", " "],
            "",
            "--name: This field is required",
        ),
        (
            &["user", "add", "olga", "--name", "Ольга", "--role", "boss"],
            "",
            "unknown role \"boss\"",
        ),
        (
            &["user", "add", "olga", "--name", "Ольга", "--password-stdin"],
            "short\n",
            "at least 10",
        ),
        (
            &["user", "token", "nobody"],
            "",
            "no user with the login \"nobody\"",
        ),
        (
            &["serve", "--listen", "999.1.1.1:80", "--data-dir", "never"],
            "",
            "listening on 999.1.1.1:80",
        ),
    ];
    for (args, stdin, expected) in cases {
        let output = run(ferment(&dir, args), stdin);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("error: ") && stderr.contains(expected),
            "{args:?}: expected {expected:?} in:\n{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    assert!(
        !dir.join("never").exists(),
        "a wrong address fails before the database is created"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
