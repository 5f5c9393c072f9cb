//! A sync run: what it reads, in which order, and how it survives failures.
//!
//! A run is a row in `onec_runs` (the job). Stages run in a fixed order ([`STAGES`]); each reads 1C
//! page by page (`$top`/`$skip` ordered by `Ref_Key`) and writes each page in one transaction
//! together with the run's counts and cursor (stage and page). So a run killed at any point has
//! either written a page and its cursor or neither; the next run takes over the dead run's cursor,
//! and because every write is keyed by the 1C reference (the link) nothing is duplicated even if a
//! page is applied twice. Transient failures are retried with backoff by the client
//! ([`crate::odata::Retry`]); a stage that still fails is logged and the run ends `failed` after
//! the other stages ran.
//!
//! Incremental: catalogs are listed with `$select=Ref_Key,DataVersion` (`KEYS_PER_PAGE` pages'
//! worth of keys a request) and only new or changed objects fetched; documents are read in a
//! window of `document_days` days and compared with Ferment's documents of that window; a full
//! reconcile (every `full_every_hours`, or on demand) reads everything and finds what 1C deleted.
//! A page that brings nothing to write commits nothing (the progress is written every
//! `PROGRESS_EVERY` all the same), and the product links are read once a run, without their
//! agreed fields (`Context::product_links`).

mod catalog;
mod documents;
mod merge;
mod parties;
mod reference;
mod resolve;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use chrono::Utc;
use ferment_store::Store;
use ferment_store::onec::{self, Counts, LinkKey, LogEntry, Run, Started};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::odata::{Client, Object, Query, Retry, literal};
use crate::profile::Profile;
use crate::secret::Sealer;
use crate::{OnecError, OnecResult};

pub use merge::{FieldConflict, Merge, merge};
pub use resolve::resolve;

/// The stages of a run, in order.
pub const STAGES: &[&str] = &[
    "product_groups",
    "products",
    "prices",
    "warehouses",
    "stock",
    "counterparties",
    "bank_accounts",
    "contracts",
    "documents",
    "payment_status",
    "push_counterparties",
    "push_orders",
    "sale_facts",
];

/// How a run is started.
#[derive(Debug, Clone)]
pub struct Options {
    /// `manual`, `schedule`, `cli`.
    pub trigger: String,
    /// Force a full reconcile.
    pub full: bool,
    /// Who started it.
    pub started_by: Option<Uuid>,
    /// Retries of transient failures.
    pub retry: Retry,
    /// Objects per page.
    pub page: u64,
    /// A running run silent for this long is taken for dead.
    pub stale_after: chrono::Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            trigger: "manual".into(),
            full: false,
            started_by: None,
            retry: Retry::default(),
            page: 1000,
            stale_after: chrono::Duration::minutes(10),
        }
    }
}

/// What a run works with.
pub(crate) struct Context<'a> {
    pub store: &'a Store,
    pub client: Client,
    pub profile: Profile,
    pub connection: ferment_domain::onec::Connection,
    pub connection_id: Uuid,
    pub run: Run,
    pub full: bool,
    pub page: u64,
    pub reference: reference::Reference,
    /// Where a dead run stopped: (stage index, skip).
    pub resume: Option<(usize, u64)>,
    /// The stage running now.
    pub stage: usize,
    /// Log lines waiting for the page's transaction.
    pub pending_log: Vec<LogEntry>,
    /// Sets the base does not publish.
    pub missing_sets: HashSet<String>,
    /// The price list read this run (product reference → kopecks).
    pub prices: Option<Arc<HashMap<Uuid, i64>>>,
    /// The next whole page, already asked for (see [`Context::changed_page`]).
    pub prefetched: Option<Prefetched>,
    /// The product links read this run (see [`Context::product_links`]).
    pub product_links: Option<Arc<HashMap<Uuid, LinkKey>>>,
    /// When the run's progress was last written.
    pub last_commit: std::time::Instant,
}

/// Keys (`Ref_Key`, `DataVersion`: a few dozen bytes an object) are listed this many pages' worth
/// at a time: fewer, larger listings cost 1C less, which executes `$skip` by reading and dropping
/// the rows before it.
const KEYS_PER_PAGE: u64 = 5;

/// How often a stage writes its progress while its pages bring nothing to write: the run's
/// heartbeat, which tells a live run from a dead one, and its cursor.
const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// A page read ahead: which one, and the request on its way.
pub(crate) struct Prefetched {
    what: Ahead,
    page: tokio::task::JoinHandle<OnecResult<Vec<Object>>>,
}

/// Which page: of which set and filter, from where, whole objects or keys.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ahead {
    set: String,
    filter: Option<String>,
    skip: u64,
    whole: bool,
}

impl Context<'_> {
    /// The counts of an object kind.
    pub fn counts(&mut self, object: &str) -> &mut Counts {
        self.run.counts.entry(object.to_string()).or_default()
    }

    /// Queues a log line.
    pub fn log(
        &mut self,
        direction: &str,
        object: &str,
        ref_key: Option<Uuid>,
        record_id: Option<Uuid>,
        outcome: &str,
        message: impl Into<Option<String>>,
    ) {
        self.pending_log.push(LogEntry {
            at: Utc::now(),
            direction: direction.into(),
            object: object.into(),
            ref_key: ref_key.map(|k| k.to_string()),
            record_id,
            outcome: outcome.into(),
            message: message.into(),
        });
    }

    /// Where a stage starts: 0, or the page a dead run reached in it.
    pub fn start_skip(&self) -> u64 {
        match self.resume {
            Some((stage, skip)) if stage == self.stage => skip,
            _ => 0,
        }
    }

    /// Writes the queued log and the run's progress (cursor at `skip` of the current stage) in the
    /// page's transaction, and commits it.
    pub async fn commit(&mut self, mut tx: ferment_store::Tx, skip: u64) -> OnecResult<()> {
        for entry in self.pending_log.drain(..) {
            onec::log(&mut tx, self.run.id, &entry).await?;
        }
        self.run.cursor = json!({"stage": STAGES[self.stage], "skip": skip});
        onec::save_progress(&mut tx, &self.run).await?;
        tx.commit().await?;
        self.last_commit = std::time::Instant::now();
        Ok(())
    }

    /// Counts a listed page of `object`: every object on it received, the ones it did not have to
    /// read (known, same `DataVersion`) unchanged.
    pub fn count_page(&mut self, object: &str, page: &ChangedPage) {
        let counts = self.counts(object);
        counts.received += page.len as i64;
        counts.unchanged += (page.len - page.objects.len()) as i64;
    }

    /// Whether a page needs a transaction: it brought objects to write, or the run's progress is
    /// due (every [`PROGRESS_EVERY`]). Skipping the others keeps an incremental run, whose pages
    /// are mostly unchanged, from writing a transaction per page; a run killed meanwhile resumes
    /// from the last progress written and lists those pages again.
    pub fn needs_commit(&self, page: &ChangedPage) -> bool {
        !page.objects.is_empty() || self.last_commit.elapsed() >= PROGRESS_EVERY
    }

    /// The connection's product links (without their agreed fields), read once a run and shared:
    /// prices, stock and documents find the product of a 1C reference in them.
    pub async fn product_links(&mut self) -> OnecResult<Arc<HashMap<Uuid, LinkKey>>> {
        if let Some(links) = &self.product_links {
            return Ok(Arc::clone(links));
        }
        let mut reader = self.store.reader().await?;
        let links = Arc::new(onec::link_keys(&mut reader, self.connection_id, "product").await?);
        self.product_links = Some(Arc::clone(&links));
        Ok(links)
    }

    /// The product links for the products stage to change as it writes: taken out of the run's
    /// share until [`Context::keep_product_links`] gives them back after its last commit (a stage
    /// that fails in between drops them, and the next stage reads them again).
    pub async fn take_product_links(&mut self) -> OnecResult<HashMap<Uuid, LinkKey>> {
        let links = self.product_links().await?;
        self.product_links = None;
        Ok(Arc::unwrap_or_clone(links))
    }

    /// Gives back the product links taken with [`Context::take_product_links`].
    pub fn keep_product_links(&mut self, links: HashMap<Uuid, LinkKey>) {
        self.product_links = Some(Arc::new(links));
    }

    /// Whether 1C publishes a set (missing ones are named once in the log and skipped).
    pub fn published(&mut self, set: &str, object: &str) -> bool {
        if self.missing_sets.contains(set) {
            self.log(
                "in",
                object,
                None,
                None,
                "skipped",
                format!(
                    "1С не публикует {set}: добавьте его в состав стандартного интерфейса OData"
                ),
            );
            false
        } else {
            true
        }
    }

    /// One page of a catalog or document list with only the objects that are new or changed
    /// (by `DataVersion`) fully read. `known` says which versions Ferment already has.
    ///
    /// Keys (`Ref_Key`, `DataVersion`) are listed first and only the changed objects read, or,
    /// with `whole` (the caller expects most of the page to be new: a first load), the page is read
    /// whole at once. Either way the next page is asked for while this one is written, so that 1C
    /// (or the emulator) and the database work at the same time.
    pub async fn changed_page(
        &mut self,
        set: &str,
        filter: Option<&str>,
        skip: u64,
        whole: bool,
        known: &(dyn Fn(Uuid, &str) -> bool + Sync),
    ) -> OnecResult<ChangedPage> {
        let top = self.top(whole);
        let listed = self.read_ahead(set, filter, skip, whole).await?;
        let len = listed.len();
        let last = (len as u64) < top;
        let mut seen = Vec::with_capacity(len);
        let mut changed: Vec<Uuid> = Vec::new();
        let mut objects = Vec::new();
        for object in listed {
            let Some(ref_key) = crate::mapping::key(&object) else {
                continue;
            };
            seen.push(ref_key);
            if !known(ref_key, &crate::mapping::data_version(&object)) {
                if whole {
                    objects.push(object);
                } else {
                    changed.push(ref_key);
                }
            }
        }
        if changed.is_empty() {
            return Ok(ChangedPage {
                objects,
                seen,
                len,
                last,
            });
        }
        let wanted: HashSet<Uuid> = changed.iter().copied().collect();
        let mut found: HashSet<Uuid> = HashSet::new();
        if changed.len() * 4 > len {
            for object in self
                .client
                .list(set, &self.page_query(filter, skip, top))
                .await?
            {
                if let Some(ref_key) = crate::mapping::key(&object)
                    && wanted.contains(&ref_key)
                    && found.insert(ref_key)
                {
                    objects.push(object);
                }
            }
        }
        let rest: Vec<Uuid> = changed.into_iter().filter(|k| !found.contains(k)).collect();
        for chunk in rest.chunks(25) {
            let query = Query::default().filter(literal::any_of("Ref_Key", chunk));
            objects.extend(self.client.list(set, &query).await?);
        }
        Ok(ChangedPage {
            objects,
            seen,
            len,
            last,
        })
    }

    /// How many objects a page lists: whole objects by the page, keys [`KEYS_PER_PAGE`] times as
    /// many.
    fn top(&self, whole: bool) -> u64 {
        if whole {
            self.page
        } else {
            self.page * KEYS_PER_PAGE
        }
    }

    /// The page at `skip` (whole objects, or only their keys): the one asked for ahead when it is
    /// that page, else read now; then the next page is asked for ahead, when this one was full.
    async fn read_ahead(
        &mut self,
        set: &str,
        filter: Option<&str>,
        skip: u64,
        whole: bool,
    ) -> OnecResult<Vec<Object>> {
        let wanted = Ahead {
            set: set.to_string(),
            filter: filter.map(str::to_string),
            skip,
            whole,
        };
        let listed = match self.prefetched.take() {
            Some(prefetched) if prefetched.what == wanted => prefetched
                .page
                .await
                .map_err(|e| OnecError::Transient(format!("reading ahead: {e}")))??,
            other => {
                if let Some(other) = other {
                    other.page.abort();
                }
                self.client.list(set, &self.ahead_query(&wanted)).await?
            }
        };
        if listed.len() as u64 >= self.top(whole) {
            let next = Ahead {
                skip: skip + listed.len() as u64,
                ..wanted
            };
            let client = self.client.clone();
            let query = self.ahead_query(&next);
            let segment = set.to_string();
            self.prefetched = Some(Prefetched {
                what: next,
                page: tokio::spawn(async move { client.list(&segment, &query).await }),
            });
        }
        Ok(listed)
    }

    fn ahead_query(&self, ahead: &Ahead) -> Query {
        let query = self.page_query(ahead.filter.as_deref(), ahead.skip, self.top(ahead.whole));
        if ahead.whole {
            query
        } else {
            query.select("Ref_Key,DataVersion")
        }
    }

    fn page_query(&self, filter: Option<&str>, skip: u64, top: u64) -> Query {
        let query = Query::page(skip, top);
        match filter {
            Some(filter) => query.filter(filter),
            None => query,
        }
    }

    /// Every row of a register (no `Ref_Key` to order by: read whole).
    pub async fn all_rows(&self, set: &str) -> OnecResult<Vec<Object>> {
        self.client.list(set, &Query::default()).await
    }

    /// Every object of a small set (reference catalogs, folders), page by page.
    pub async fn all(&self, set: &str, filter: Option<&str>) -> OnecResult<Vec<Object>> {
        let mut out = Vec::new();
        let mut skip = 0;
        loop {
            let mut query = Query::page(skip, self.page);
            if let Some(filter) = filter {
                query = query.filter(filter);
            }
            let page = self.client.list(set, &query).await?;
            let len = page.len() as u64;
            out.extend(page);
            if len < self.page {
                return Ok(out);
            }
            skip += len;
        }
    }
}

/// A page of a list.
pub(crate) struct ChangedPage {
    /// The new or changed objects, fully read.
    pub objects: Vec<Object>,
    /// Every reference on the page.
    pub seen: Vec<Uuid>,
    /// How many objects the page had.
    pub len: usize,
    /// The list ends with this page.
    pub last: bool,
}

impl ChangedPage {
    /// More than half of the page was new or changed: the next page is read whole (see
    /// [`Context::changed_page`]).
    pub fn mostly_changed(&self) -> bool {
        self.objects.len() * 2 > self.len
    }
}

/// A run that has started (its row is written) and waits to be carried out by [`StartedRun::finish`].
pub struct StartedRun {
    store: Store,
    client: Client,
    profile: Profile,
    connection: ferment_domain::onec::Connection,
    connection_id: Uuid,
    run: Run,
    page: u64,
}

impl std::fmt::Debug for StartedRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StartedRun")
            .field("run", &self.run.id)
            .finish()
    }
}

impl StartedRun {
    /// The run as it was written when it started.
    pub fn run(&self) -> &Run {
        &self.run
    }
}

/// Starts a run: reads the connection, opens its password, writes the run row (taking over the
/// cursor of a run that died). Fails with [`OnecError::Busy`] while another run is alive.
pub async fn start(
    store: &Store,
    sealer: &Sealer,
    connection_id: Uuid,
    options: &Options,
) -> OnecResult<StartedRun> {
    let record = {
        let mut reader = store.reader().await?;
        onec::get_connection(&mut reader, connection_id).await?
    };
    let connection = record.data.connection.clone();
    let password = sealer.open(&record.data.password_sealed).ok_or_else(|| {
        OnecError::Config(
            "the stored 1C password cannot be opened with this data directory's key".into(),
        )
    })?;
    let profile = Profile::with_changes(connection.profile, &record.data.mapping)?;
    let client = Client::new(&connection.url, &connection.login, &password, options.retry)?;
    let due_full = match record.data.last_full_at {
        None => true,
        Some(at) => Utc::now() - at >= chrono::Duration::hours(connection.full_every_hours),
    };
    let owner = this_process();
    let mut tx = store.begin().await?;
    // A run left by a process of this machine that no longer exists was killed: take over now.
    let stale_after = match onec::running_run(&mut tx, connection_id).await? {
        Some(run)
            if run
                .owner
                .as_deref()
                .is_some_and(|o| o != owner && process_gone(o)) =>
        {
            chrono::Duration::zero()
        }
        _ => options.stale_after,
    };
    let started = onec::start_run(
        &mut tx,
        connection_id,
        &options.trigger,
        options.full || due_full,
        options.started_by,
        &owner,
        stale_after,
    )
    .await;
    let started = match started {
        Ok(started) => started,
        Err(ferment_store::StoreError::Unique { .. }) => return Err(OnecError::Busy(Uuid::nil())),
        Err(other) => return Err(other.into()),
    };
    tx.commit().await?;
    let run = match started {
        Started::Busy(run) => return Err(OnecError::Busy(run.id)),
        Started::Run(run) => *run,
    };
    Ok(StartedRun {
        store: store.clone(),
        client,
        profile,
        connection,
        connection_id,
        run,
        page: options.page.max(1),
    })
}

impl StartedRun {
    /// Carries the run out to the end and returns it finished.
    pub async fn finish(self) -> OnecResult<Run> {
        let StartedRun {
            store,
            client,
            profile,
            connection,
            connection_id,
            run,
            page,
        } = self;
        let resume = run
            .cursor
            .get("stage")
            .and_then(Value::as_str)
            .and_then(|stage| STAGES.iter().position(|s| *s == stage))
            .map(|stage| {
                let skip = run.cursor.get("skip").and_then(Value::as_u64).unwrap_or(0);
                (stage, skip)
            });
        let full = run.full;
        let mut ctx = Context {
            store: &store,
            client,
            profile,
            connection,
            connection_id,
            run,
            full,
            page,
            reference: reference::Reference::default(),
            resume,
            stage: 0,
            pending_log: Vec::new(),
            missing_sets: HashSet::new(),
            prices: None,
            prefetched: None,
            product_links: None,
            last_commit: std::time::Instant::now(),
        };
        let outcome = execute(&mut ctx).await;
        let (status, error) = match &outcome {
            Ok(failed) if failed.is_empty() => ("succeeded", None),
            Ok(failed) => (
                "failed",
                Some(format!("не выполнены этапы: {}", failed.join(", "))),
            ),
            Err(error) => ("failed", Some(error.to_string())),
        };
        let mut tx = store.begin().await?;
        for entry in ctx.pending_log.drain(..) {
            onec::log(&mut tx, ctx.run.id, &entry).await?;
        }
        onec::finish_run(&mut tx, &ctx.run, status, error.as_deref()).await?;
        if status == "succeeded" && ctx.full {
            onec::mark_full(&mut tx, connection_id).await?;
        }
        tx.commit().await?;
        let mut reader = store.reader().await?;
        Ok(onec::get_run(&mut reader, ctx.run.id).await?)
    }
}

/// `host:pid` of this process.
fn this_process() -> String {
    format!("{}:{}", host_name(), std::process::id())
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "localhost".into())
}

/// Whether the process `host:pid` is known to be gone: on this host, with no `/proc/<pid>`.
/// On another host (or without `/proc`) nobody knows, and the heartbeat decides.
fn process_gone(owner: &str) -> bool {
    let Some((host, pid)) = owner.rsplit_once(':') else {
        return false;
    };
    host == host_name()
        && std::path::Path::new("/proc/self").exists()
        && !std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// Runs one sync of a connection to the end and returns the finished run.
pub async fn run(
    store: &Store,
    sealer: &Sealer,
    connection_id: Uuid,
    options: &Options,
) -> OnecResult<Run> {
    start(store, sealer, connection_id, options)
        .await?
        .finish()
        .await
}

/// Runs the stages; returns the ones that failed. An error here (1C unreachable, wrong password,
/// nothing published) fails the whole run.
async fn execute(ctx: &mut Context<'_>) -> OnecResult<Vec<String>> {
    let metadata = crate::metadata::Metadata::parse(&ctx.client.metadata().await?)?;
    for (set, _) in ctx.profile.requirements() {
        if !metadata.has_set(&set) {
            ctx.missing_sets.insert(set);
        }
    }
    reference::load(ctx).await?;
    let mut failed = Vec::new();
    let directions = ctx.connection.directions;
    for (index, stage) in STAGES.iter().enumerate() {
        if let Some((resume, _)) = ctx.resume
            && index < resume
        {
            continue;
        }
        ctx.stage = index;
        let enabled = match *stage {
            "product_groups" | "products" | "prices" => directions.products.pulls(),
            "warehouses" | "stock" => directions.stock.pulls(),
            "counterparties" | "bank_accounts" | "contracts" => directions.counterparties.pulls(),
            "push_counterparties" => directions.counterparties.pushes(),
            "documents" | "payment_status" | "sale_facts" => directions.documents.pulls(),
            "push_orders" => directions.documents.pushes(),
            _ => true,
        };
        if !enabled {
            continue;
        }
        let stage_started = std::time::Instant::now();
        let result = match *stage {
            "product_groups" => catalog::product_groups(ctx).await,
            "products" => catalog::products(ctx).await,
            "prices" => catalog::prices(ctx).await,
            "warehouses" => catalog::warehouses(ctx).await,
            "stock" => catalog::stock(ctx).await,
            "counterparties" => parties::counterparties(ctx).await,
            "bank_accounts" => parties::bank_accounts(ctx).await,
            "contracts" => parties::contracts(ctx).await,
            "documents" => documents::documents(ctx).await,
            "payment_status" => documents::payment_status(ctx).await,
            "push_counterparties" => parties::push_counterparties(ctx).await,
            "push_orders" => documents::push_orders(ctx).await,
            "sale_facts" => documents::sale_facts(ctx).await,
            _ => Ok(()),
        };
        tracing::info!(
            stage,
            ms = stage_started.elapsed().as_millis() as u64,
            "1C sync stage done"
        );
        if let Err(error) = result {
            if matches!(error, OnecError::Unauthorized) {
                return Err(error);
            }
            tracing::warn!(stage, %error, "1C sync stage failed");
            ctx.log("in", stage, None, None, "failed", error.to_string());
            failed.push((*stage).to_string());
        }
    }
    Ok(failed)
}

/// Links of an object kind by reference.
pub(crate) async fn links_of(
    ctx: &Context<'_>,
    object: &str,
) -> OnecResult<HashMap<Uuid, onec::Link>> {
    let mut reader = ctx.store.reader().await?;
    Ok(onec::links(&mut reader, ctx.connection_id, object).await?)
}

/// Counts per object for the API.
pub type CountsByObject = BTreeMap<String, Counts>;
