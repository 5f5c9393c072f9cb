//! The timed part: the real application on `127.0.0.1:0`, one keep-alive HTTP client, one request at
//! a time, wall-clock time from sending the request to the last byte of the answer.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use ferment_web::auth::SESSION_COOKIE;
use ferment_web::{App, WebConfig};
use reqwest::Client;
use reqwest::header::{AUTHORIZATION, COOKIE, HeaderValue};
use serde_json::Value;
use uuid::Uuid;

use crate::inputs::{Inputs, Sample};
use crate::load::{Kind, LoadReport, Loaded};

/// How a request reaches the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Via {
    /// `/api/v1/…` with an API token; JSON.
    Api,
    /// The server-rendered pages with a session cookie; HTML.
    Page,
}

impl Via {
    fn label(self) -> &'static str {
        match self {
            Via::Api => "API",
            Via::Page => "page",
        }
    }

    /// The p99 target, in milliseconds.
    fn target_ms(self) -> f64 {
        match self {
            Via::Api => 5.0,
            Via::Page => 10.0,
        }
    }
}

/// What is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// A region's counterparties sorted by name, first page of 50.
    RegionList,
    /// The same, second page (through the first page's cursor).
    RegionListNext,
    /// Search by the first 4–6 digits of an ИНН.
    InnPrefix,
    /// Search by a word of the name.
    NameWord,
    /// A counterparty's card.
    Card,
    /// The sales kanban board (`GET /api/v1/sales/board`).
    Board,
    /// A manager's open tasks (`GET /api/v1/tasks?assignee=me&status=open`).
    MyTasks,
    /// Completing an open process task (`POST /api/v1/tasks/{id}/complete`): the engine runs and
    /// sets the follow-up task.
    Complete,
}

impl Scenario {
    /// The letter `--only` names it by.
    pub fn letter(self) -> char {
        match self {
            Scenario::RegionList | Scenario::RegionListNext => 'a',
            Scenario::InnPrefix => 'b',
            Scenario::NameWord => 'c',
            Scenario::Card => 'd',
            Scenario::Board => 'e',
            Scenario::MyTasks => 'f',
            Scenario::Complete => 'g',
        }
    }

    fn label(self) -> &'static str {
        match self {
            Scenario::RegionList => "(a) region list, by name, page 1",
            Scenario::RegionListNext => "(a) region list, by name, page 2 (cursor)",
            Scenario::InnPrefix => "(b) search by ИНН prefix (4–6 digits)",
            Scenario::NameWord => "(c) search by a word of the name",
            Scenario::Card => "(d) counterparty card",
            Scenario::Board => "(e) sales board (kanban)",
            Scenario::MyTasks => "(f) my open tasks (as the manager with the most)",
            Scenario::Complete => "(g) complete a task (engine + follow-up task)",
        }
    }

    /// The p99 target, in milliseconds: the sales scenarios' is issue 4's (30 ms), the others'
    /// depends on the way in.
    pub fn target_ms(self, via: Via) -> f64 {
        match self {
            Scenario::Board | Scenario::MyTasks | Scenario::Complete => 30.0,
            _ => via.target_ms(),
        }
    }

    /// The path and query of the request about `sample` (`cursor`: the second page's).
    fn path(self, via: Via, sample: &Sample, cursor: Option<&str>) -> String {
        let prefix = match via {
            Via::Api => "/api/v1/counterparties",
            Via::Page => "/counterparties",
        };
        let region = |extra: &str| match via {
            Via::Api => format!(
                "{prefix}?territory_id={}&sort=name&limit=50{extra}",
                sample.region
            ),
            Via::Page => format!("{prefix}?territory_id={}{extra}", sample.region),
        };
        match self {
            Scenario::RegionList => region(""),
            Scenario::RegionListNext => region(&format!(
                "&cursor={}",
                urlencode(cursor.unwrap_or_default())
            )),
            Scenario::InnPrefix => format!("{prefix}?q={}", sample.inn_prefix),
            Scenario::NameWord => format!("{prefix}?q={}", urlencode(&sample.word)),
            Scenario::Card => format!("{prefix}/{}", sample.id),
            Scenario::Board | Scenario::MyTasks | Scenario::Complete => {
                unreachable!("the sales scenarios do not ask about a counterparty")
            }
        }
    }
}

fn urlencode(text: &str) -> String {
    ferment_web::auth::urlencode(text)
}

/// The timings of one scenario.
#[derive(Debug, Clone)]
pub struct Timing {
    /// What.
    pub scenario: Scenario,
    /// How.
    pub via: Via,
    /// Timed requests.
    pub requests: usize,
    /// Median, ms.
    pub median: f64,
    /// 90th percentile (nearest rank), ms.
    pub p90: f64,
    /// 99th percentile (nearest rank), ms.
    pub p99: f64,
    /// Mean, ms.
    pub mean: f64,
    /// Slowest, ms.
    pub max: f64,
}

impl Timing {
    /// The percentiles of `times` (at least one).
    pub fn of(scenario: Scenario, via: Via, mut times: Vec<Duration>) -> Timing {
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let rank = |q: f64| {
            let index = ((q * times.len() as f64).ceil() as usize).clamp(1, times.len()) - 1;
            ms(times[index])
        };
        Timing {
            scenario,
            via,
            requests: times.len(),
            median: rank(0.5),
            p90: rank(0.9),
            p99: rank(0.99),
            mean: times.iter().map(|d| ms(*d)).sum::<f64>() / times.len() as f64,
            max: ms(*times.last().expect("at least one request")),
        }
    }

    fn target_ms(&self) -> f64 {
        self.scenario.target_ms(self.via)
    }

    fn met(&self) -> bool {
        self.p99 < self.target_ms()
    }

    /// One line for the log.
    pub fn log_line(&self) -> String {
        format!(
            "   {:<44} {:<4} median {:>7.2} ms  p90 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.1} ms",
            self.scenario.label(),
            self.via.label(),
            self.median,
            self.p90,
            self.p99,
            self.max
        )
    }
}

/// The results of one database.
#[derive(Debug, Clone)]
pub struct Report {
    /// Which database.
    pub kind: Kind,
    /// Counterparties loaded.
    pub rows: u64,
    /// Sales and tasks, when the sales scenarios ran.
    pub sales: Option<crate::sales::SalesReport>,
    /// How they were loaded.
    pub load: LoadReport,
    /// The timings, and whether pages were left out.
    pub results: Results,
    /// The system's load average (1, 5, 15 minutes) just before the timed requests.
    pub load_average: String,
    /// Whom the requests were made as.
    pub principal: &'static str,
    /// Whether the inputs were drawn from the regional manager's district.
    pub within_district: bool,
}

/// The timings of one database.
#[derive(Debug, Clone)]
pub struct Results {
    /// Every scenario measured.
    pub timings: Vec<Timing>,
    /// Why pages were left out, when they were.
    pub pages_skipped: Option<String>,
}

impl Report {
    /// The results as Markdown.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let sales = self.sales.as_ref().map_or(String::new(), |s| {
            format!(
                ", {} sales, {} tasks",
                thousands(s.sales),
                thousands(s.tasks)
            )
        });
        let _ = writeln!(
            out,
            "### {}, {} counterparties{sales}, as {}{}\n",
            self.kind.label(),
            thousands(self.rows),
            self.principal,
            if self.within_district {
                " (inputs from Приволжский ФО)"
            } else {
                ""
            }
        );
        if self.load.reused {
            let _ = writeln!(
                out,
                "Data loaded by an earlier run (reused); database {}.\n",
                megabytes(self.load.size_bytes)
            );
        } else {
            let _ = writeln!(
                out,
                "Load: {:.0} s ({} rows/s), then {} {:.0} s; database {}.\n",
                self.load.load_seconds,
                thousands((self.rows as f64 / self.load.load_seconds.max(1e-9)) as u64),
                match self.kind {
                    Kind::Sqlite => "ANALYZE",
                    Kind::Postgres => "VACUUM ANALYZE",
                },
                self.load.analyze_seconds,
                megabytes(self.load.size_bytes)
            );
        }
        if let Some(sales) = &self.sales {
            let _ = writeln!(out, "{}\n", sales.describe());
        }
        let _ = writeln!(out, "Load average before timing: {}.\n", self.load_average);
        let _ = writeln!(
            out,
            "| Scenario | Via | Requests | Median, ms | p90, ms | p99, ms | Mean, ms | Max, ms | p99 target |"
        );
        let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|---|");
        for t in &self.results.timings {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.1} | < {:.0} ms {} |",
                t.scenario.label(),
                t.via.label(),
                t.requests,
                t.median,
                t.p90,
                t.p99,
                t.mean,
                t.max,
                t.target_ms(),
                if t.met() { "✓" } else { "✗" }
            );
        }
        if let Some(reason) = &self.results.pages_skipped {
            let _ = writeln!(out, "\nPages not measured: {reason}");
        }
        out
    }

    /// One line per scenario over its target.
    pub fn missed_targets(&self) -> Vec<String> {
        self.results
            .timings
            .iter()
            .filter(|t| !t.met())
            .map(|t| {
                format!(
                    "{} as {}: {} via {}: p99 {:.2} ms (target < {:.0} ms)",
                    self.kind.label(),
                    self.principal,
                    t.scenario.label(),
                    t.via.label(),
                    t.p99,
                    t.target_ms()
                )
            })
            .collect()
    }
}

/// The second report's figures against the first's, scenario by scenario (ratios of median and
/// p99): how much a principal's scope costs.
pub fn compare(base: &Report, other: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### {}: {} against {}\n",
        base.kind.label(),
        other.principal,
        base.principal
    );
    let _ = writeln!(out, "| Scenario | Via | Median × | p99 × |");
    let _ = writeln!(out, "|---|---|---:|---:|");
    for t in &other.results.timings {
        let Some(b) = base
            .results
            .timings
            .iter()
            .find(|b| b.scenario == t.scenario && b.via == t.via)
        else {
            continue;
        };
        let _ = writeln!(
            out,
            "| {} | {} | {:.2} | {:.2} |",
            t.scenario.label(),
            t.via.label(),
            t.median / b.median.max(1e-9),
            t.p99 / b.p99.max(1e-9)
        );
    }
    out
}

/// The load average, as `/proc/loadavg` gives it (empty elsewhere).
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

/// Cores, processor and memory of this machine, for the report.
pub fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split_once(':'))
                .map(|(_, model)| model.trim().to_string())
        })
        .unwrap_or_else(|| "unknown processor".into());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|line| line.starts_with("MemTotal:"))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or_else(String::new, |kb| {
            format!(", {:.0} GB RAM", kb as f64 / 1024.0 / 1024.0)
        });
    format!("{cores} cores ({cpu}){memory}")
}

/// `1 234 567` (narrow no-break spaces between thousands).
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

/// Bytes as whole megabytes.
pub fn megabytes(bytes: u64) -> String {
    format!("{} MB", thousands(bytes / 1_000_000))
}

/// A client signed in both ways.
pub struct Session {
    /// The keep-alive client.
    pub client: Client,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// `Bearer …` of the principal's API token.
    pub token: HeaderValue,
    /// The principal's session cookie.
    pub cookie: HeaderValue,
}

impl Session {
    /// Sends a GET; returns the time to the last byte and the body. Anything but 200 is an error.
    pub async fn get(&self, via: Via, path: &str) -> anyhow::Result<(Duration, Vec<u8>)> {
        let request = self.client.get(format!("{}{path}", self.base));
        let request = match via {
            Via::Api => request.header(AUTHORIZATION, self.token.clone()),
            Via::Page => request.header(COOKIE, self.cookie.clone()),
        };
        let started = Instant::now();
        let response = request
            .send()
            .await
            .with_context(|| format!("GET {path}"))?;
        let status = response.status();
        let body = response.bytes().await?;
        let elapsed = started.elapsed();
        if status != reqwest::StatusCode::OK {
            bail!(
                "GET {path} answered {status}: {}",
                String::from_utf8_lossy(&body[..body.len().min(500)])
            );
        }
        Ok((elapsed, body.to_vec()))
    }

    /// Sends a POST with a JSON body through the API; returns the time to the last byte and the
    /// body. Anything but 200 is an error.
    pub async fn post(&self, path: &str, body: &Value) -> anyhow::Result<(Duration, Vec<u8>)> {
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .header(AUTHORIZATION, self.token.clone())
            .json(body);
        let started = Instant::now();
        let response = request
            .send()
            .await
            .with_context(|| format!("POST {path}"))?;
        let status = response.status();
        let body = response.bytes().await?;
        let elapsed = started.elapsed();
        if status != reqwest::StatusCode::OK {
            bail!(
                "POST {path} answered {status}: {}",
                String::from_utf8_lossy(&body[..body.len().min(500)])
            );
        }
        Ok((elapsed, body.to_vec()))
    }

    /// The status of a GET (for probing which routes exist).
    pub async fn status(&self, via: Via, path: &str) -> anyhow::Result<u16> {
        let request = self.client.get(format!("{}{path}", self.base));
        let request = match via {
            Via::Api => request.header(AUTHORIZATION, self.token.clone()),
            Via::Page => request.header(COOKIE, self.cookie.clone()),
        };
        Ok(request.send().await?.status().as_u16())
    }
}

/// Starts the real application on `127.0.0.1:0`; returns its base URL and the server task (abort it
/// when done).
pub async fn serve(
    store: &ferment_store::Store,
) -> anyhow::Result<(String, tokio::task::JoinHandle<std::io::Result<()>>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let router = App::router(
        store.clone(),
        WebConfig {
            files_dir: std::env::temp_dir().join("ferment-bench-files"),
            ..WebConfig::default()
        },
    );
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    Ok((base, server))
}

impl Session {
    /// A client signed in as `user_id` (an API token and a session) on the application at `base`.
    pub async fn open(
        store: &ferment_store::Store,
        base: &str,
        user_id: Uuid,
    ) -> anyhow::Result<Session> {
        let token = ferment_web::auth::issue_api_token(store, user_id, Some("bench")).await?;
        let cookie = ferment_web::auth::open_session(store, user_id, 12).await?;
        Ok(Session {
            client: Client::builder()
                .no_proxy()
                .pool_max_idle_per_host(4)
                .build()?,
            base: base.to_string(),
            token: HeaderValue::from_str(&format!("Bearer {token}"))?,
            cookie: HeaderValue::from_str(&format!("{SESSION_COOKIE}={cookie}"))?,
        })
    }
}

/// What [`run`] times and how.
pub struct Plan<'a> {
    /// Timed requests per scenario.
    pub requests: usize,
    /// The scenarios' letters.
    pub only: &'a [char],
    /// Through the API, the pages, or both.
    pub via: &'a [Via],
    /// Request every timed input once, untimed, first.
    pub warm: bool,
    /// Print this many slowest requests per scenario.
    pub slowest: usize,
}

/// Starts the application and times every scenario through the API and, when asked for and the
/// routes exist, the pages.
pub async fn run(
    loaded: &Loaded,
    user_id: uuid::Uuid,
    inputs: &Inputs,
    plan: &Plan<'_>,
) -> anyhow::Result<Results> {
    let Plan {
        requests,
        only,
        via,
        warm,
        slowest,
    } = *plan;
    let (base, server) = serve(&loaded.store).await?;
    let session = Session::open(&loaded.store, &base, user_id).await?;

    let mut vias = Vec::new();
    if via.contains(&Via::Api) {
        vias.push(Via::Api);
    }
    let probe = &inputs.samples[0];
    let mut pages_skipped = None;
    let mut missing = Vec::new();
    for scenario in [Scenario::RegionList, Scenario::Card] {
        let path = scenario.path(Via::Page, probe, None);
        let status = session.status(Via::Page, &path).await?;
        if status == 404 {
            missing.push(format!("GET {} answers 404", path));
        }
    }
    // The second page through the pages only when the list page links to it with a cursor.
    let mut page_cursor = false;
    if !missing.is_empty() {
        let reason = format!("the page routes are not there yet ({})", missing.join("; "));
        eprintln!("   pages skipped: {reason}");
        pages_skipped = Some(reason);
    } else if via.contains(&Via::Page) {
        vias.push(Via::Page);
        if let Some(big) = inputs.samples.iter().find(|s| s.region_rows > 50) {
            let path = Scenario::RegionList.path(Via::Page, big, None);
            let (_, body) = session.get(Via::Page, &path).await?;
            page_cursor = String::from_utf8_lossy(&body).contains("cursor=");
        }
    }

    let mut timings = Vec::new();
    for via in vias {
        for scenario in [
            Scenario::RegionList,
            Scenario::RegionListNext,
            Scenario::InnPrefix,
            Scenario::NameWord,
            Scenario::Card,
        ] {
            if !only.contains(&scenario.letter())
                || (scenario == Scenario::RegionListNext && via == Via::Page && !page_cursor)
            {
                continue;
            }
            let cursors = if scenario == Scenario::RegionListNext {
                Some(first_cursors(&session, inputs).await?)
            } else {
                None
            };
            // Warm-up on other samples, then (with `--warm`) once untimed over the timed inputs,
            // then the timed requests.
            let samples = &inputs.samples[..requests.min(inputs.samples.len())];
            timed(&session, scenario, via, &inputs.warmup, cursors.as_ref()).await?;
            let warm_times = if warm {
                timed(&session, scenario, via, samples, cursors.as_ref()).await?
            } else {
                Vec::new()
            };
            let times = timed(&session, scenario, via, samples, cursors.as_ref()).await?;
            let timing = Timing::of(scenario, via, times.iter().map(|(t, _)| *t).collect());
            eprintln!("{}", timing.log_line());
            print_slowest(&times, &warm_times, slowest);
            timings.push(timing);
        }
    }
    server.abort();
    Ok(Results {
        timings,
        pages_skipped,
    })
}

/// The cursor of the second page of every region that has one (from the API's first page).
async fn first_cursors(
    session: &Session,
    inputs: &Inputs,
) -> anyhow::Result<HashMap<Uuid, String>> {
    let mut cursors = HashMap::new();
    for sample in inputs.warmup.iter().chain(&inputs.samples) {
        if sample.region_rows <= 50 || cursors.contains_key(&sample.region) {
            continue;
        }
        let path = Scenario::RegionList.path(Via::Api, sample, None);
        let (_, body) = session.get(Via::Api, &path).await?;
        let cursor = serde_json::from_slice::<Value>(&body)?["next_cursor"]
            .as_str()
            .with_context(|| format!("no next_cursor from {path}"))?
            .to_string();
        cursors.insert(sample.region, cursor);
    }
    Ok(cursors)
}

/// The `count` slowest requests of `times`, each with the time the same request took in the
/// untimed `--warm` pass (when there was one): a request slow both times is slow for its input, one
/// slow only once met a busy machine.
fn print_slowest(times: &[(Duration, String)], warm: &[(Duration, String)], count: usize) {
    if count == 0 {
        return;
    }
    let warm: HashMap<&str, Duration> = warm.iter().map(|(t, p)| (p.as_str(), *t)).collect();
    let mut sorted: Vec<&(Duration, String)> = times.iter().collect();
    sorted.sort_by_key(|(time, _)| std::cmp::Reverse(*time));
    for (time, path) in sorted.into_iter().take(count) {
        let before = warm.get(path.as_str()).map_or(String::from("-"), |t| {
            format!("{:.2}", t.as_secs_f64() * 1000.0)
        });
        eprintln!(
            "      {:>7.2} ms (warm pass {before} ms)  {path}",
            time.as_secs_f64() * 1000.0
        );
    }
}

/// Sends the scenario's request for each sample in turn; returns each time with the path asked.
async fn timed(
    session: &Session,
    scenario: Scenario,
    via: Via,
    samples: &[Sample],
    cursors: Option<&HashMap<Uuid, String>>,
) -> anyhow::Result<Vec<(Duration, String)>> {
    let mut times = Vec::with_capacity(samples.len());
    for sample in samples {
        let cursor = match cursors {
            Some(cursors) => match cursors.get(&sample.region) {
                Some(cursor) => Some(cursor.as_str()),
                // A region of 50 or fewer has no second page.
                None => continue,
            },
            None => None,
        };
        let path = scenario.path(via, sample, cursor);
        let (time, body) = session.get(via, &path).await?;
        if via == Via::Api {
            check_api(
                scenario,
                sample,
                &path,
                &serde_json::from_slice::<Value>(&body)?,
            )?;
        }
        times.push((time, path));
    }
    if times.is_empty() {
        bail!("no request for {}", scenario.label());
    }
    Ok(times)
}

/// The API's answer is about the sample: lists are not empty, the card is the one asked for.
fn check_api(scenario: Scenario, sample: &Sample, path: &str, body: &Value) -> anyhow::Result<()> {
    let ok = match scenario {
        Scenario::Card => body["id"].as_str() == Some(&sample.id.to_string()),
        _ => body["items"]
            .as_array()
            .is_some_and(|items| !items.is_empty()),
    };
    if !ok {
        bail!("GET {path}: unexpected answer {body}");
    }
    Ok(())
}
