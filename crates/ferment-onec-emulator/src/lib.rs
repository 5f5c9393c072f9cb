//! A 1C:Enterprise base published over the standard OData interface (OData v3), for Ferment's
//! integration tests, benchmark and demo. It is not 1C: it serves the objects and fields docs/ONEC.md
//! lists for a profile (`bp30`, `ut11`), from a base generated out of the demo data (or loaded from
//! `--data FILE`), with 1C's URL conventions, JSON shapes, query options, virtual tables, writes and
//! error bodies.
//!
//! Reading order: [`schema`] (the published metadata as data), [`value`] (how values are held and
//! written), [`base`] (the store and its writes), [`generate`] (the demo as a 1C base), [`query`]
//! and [`view`] (the query options and the writers), [`registers`] (virtual tables), [`metadata`]
//! (EDMX), `server` (HTTP), [`persist`] (`--data`).
//!
//! Tests start it with [`start`] on a listener they bound and drive it through the [`Handle`]: read
//! and change the base as 1C's users would, inject failures and delays, read the request log.

pub mod base;
pub mod generate;
pub mod metadata;
pub mod persist;
pub mod query;
pub mod registers;
pub mod schema;
mod server;
pub mod site_exchange;
pub mod value;
pub mod view;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use anyhow::Context as _;
use serde_json::{Map, Value};
use tokio::sync::{oneshot, watch};
use uuid::Uuid;

pub use base::{Base, BaseError};
pub use generate::Sizes;
pub use schema::Profile;

use server::{Control, Settings, Shared};

/// The seed Ferment's demo uses (`ferment demo`), so both sides describe the same business.
pub const DEMO_SEED: u64 = 2026;

/// `ferment onec-emulator`: serve a generated (or saved) 1C base until Ctrl-C.
#[derive(Debug, Clone, clap::Args)]
pub struct EmulatorArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8081")]
    pub listen: SocketAddr,
    /// Which configuration to imitate.
    #[arg(long, value_enum)]
    pub profile: Profile,
    /// The publication name: the base is served at `/{base}/odata/standard.odata/`.
    #[arg(long, default_value = "demo")]
    pub base: String,
    /// The login of Basic auth.
    #[arg(long, default_value = "odata")]
    pub login: String,
    /// The password of Basic auth.
    #[arg(long, default_value = "odata")]
    pub password: String,
    /// A JSON file to load the base from when it exists, and to save every write to.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Products to generate (default: the demo's).
    #[arg(long)]
    pub products: Option<usize>,
    /// Documents to generate (default: 300).
    #[arg(long)]
    pub documents: Option<usize>,
    /// Stock movements to generate (default: the demo's stock rows).
    #[arg(long)]
    pub stock_rows: Option<usize>,
    /// Instead of serving, act as 1C's «Обмен с сайтом»: send the base as CommerceML 2 to this
    /// site's exchange URL (`http://HOST/exchange/1c`), take its orders, then exit.
    #[arg(long, value_name = "URL")]
    pub exchange_to: Option<String>,
    /// The login on the site for --exchange-to.
    #[arg(long, default_value = "admin")]
    pub exchange_login: String,
    /// The password on the site for --exchange-to. [env: FERMENT_EXCHANGE_PASSWORD]
    #[arg(long, env = "FERMENT_EXCHANGE_PASSWORD", hide_env_values = true)]
    pub exchange_password: Option<String>,
    /// Send the files unzipped even when the site accepts zip.
    #[arg(long)]
    pub no_zip: bool,
}

/// What an emulator serves.
#[derive(Debug, Clone)]
pub struct Config {
    /// The configuration imitated.
    pub profile: Profile,
    /// The publication name.
    pub base: String,
    /// Basic auth login.
    pub login: String,
    /// Basic auth password.
    pub password: String,
    /// Load from and save to this file.
    pub data: Option<PathBuf>,
    /// Sizes of the generated base.
    pub sizes: Sizes,
    /// The demo seed.
    pub seed: u64,
}

impl Config {
    /// The defaults: base `demo`, login and password `odata`, demo sizes, the demo's seed.
    pub fn new(profile: Profile) -> Config {
        Config {
            profile,
            base: "demo".into(),
            login: "odata".into(),
            password: "odata".into(),
            data: None,
            sizes: Sizes::default(),
            seed: DEMO_SEED,
        }
    }
}

impl From<&EmulatorArgs> for Config {
    fn from(args: &EmulatorArgs) -> Config {
        Config {
            profile: args.profile,
            base: args.base.clone(),
            login: args.login.clone(),
            password: args.password.clone(),
            data: args.data.clone(),
            sizes: Sizes {
                products: args.products,
                documents: args.documents,
                stock_rows: args.stock_rows,
            },
            seed: DEMO_SEED,
        }
    }
}

/// A transient failure to answer instead of the next request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// 503 Service Unavailable (the web server in front of 1C is restarting).
    Unavailable,
    /// 500 with 1C's error code -1 (a configuration handler failed).
    HandlerError,
}

/// One request as the emulator received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    /// `GET`, `POST` …
    pub method: String,
    /// The percent-decoded path (`/demo/odata/standard.odata/Catalog_Номенклатура`).
    pub path: String,
    /// The decoded query pairs in order.
    pub query: Vec<(String, String)>,
}

impl LoggedRequest {
    /// The value of a query option.
    pub fn option(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Builds the base a config describes: loaded from `data` when that file exists, generated otherwise
/// (and then saved there, when given).
pub fn build_base(config: &Config) -> anyhow::Result<Base> {
    if let Some(path) = &config.data
        && path.exists()
    {
        let base = persist::load(path)?;
        anyhow::ensure!(
            base.schema.profile == config.profile,
            "{} holds a {} base, not {}",
            path.display(),
            base.schema.profile.name(),
            config.profile.name()
        );
        return Ok(base);
    }
    let base = generate::generate(config.profile, config.seed, config.sizes);
    if let Some(path) = &config.data {
        persist::save(&base, path)?;
    }
    Ok(base)
}

/// A running emulator. Dropping it leaves the server running until the runtime ends; call
/// [`Handle::shutdown`] to stop it.
pub struct Handle {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    requests: watch::Receiver<usize>,
}

/// Starts serving on `listener` (bind it to `127.0.0.1:0` in tests).
pub async fn start(config: Config, listener: tokio::net::TcpListener) -> anyhow::Result<Handle> {
    let base = tokio::task::spawn_blocking({
        let config = config.clone();
        move || build_base(&config)
    })
    .await
    .context("generating the base")??;
    start_with(config, base, listener)
}

/// Starts serving an already built base.
pub fn start_with(
    config: Config,
    base: Base,
    listener: tokio::net::TcpListener,
) -> anyhow::Result<Handle> {
    let addr = listener.local_addr().context("the listener's address")?;
    let (requests, receiver) = watch::channel(0);
    let shared = Arc::new(Shared {
        base: RwLock::new(base),
        settings: Settings {
            base_name: config.base,
            login: config.login,
            password: config.password,
            data: config.data,
        },
        control: Mutex::new(Control::default()),
        requests,
    });
    let router = axum::Router::new()
        .fallback(server::handle)
        .with_state(shared.clone());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let serve = axum::serve(listener, router).with_graceful_shutdown(async {
            let _ = stopped.await;
        });
        if let Err(error) = serve.await {
            tracing::error!(?error, "the 1C emulator stopped");
        }
    });
    Ok(Handle {
        shared,
        addr,
        stop: Some(stop),
        task: Some(task),
        requests: receiver,
    })
}

/// Serves until Ctrl-C: what `ferment onec-emulator` runs.
pub async fn run(args: EmulatorArgs) -> anyhow::Result<()> {
    if let Some(url) = &args.exchange_to {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let handle = start(Config::from(&args), listener).await?;
        let site = site_exchange::SiteExchange {
            url: url.clone(),
            login: args.exchange_login.clone(),
            password: args.exchange_password.clone().unwrap_or_default(),
            zip: !args.no_zip,
        };
        let report =
            site_exchange::exchange(&handle, args.profile, &args.login, &args.password, &site)
                .await;
        handle.shutdown().await;
        let report = report?;
        println!(
            "Sent {} file(s){} to {url}; imported: {}; the site gave {} order(s).",
            report.uploads.len(),
            if report.zipped { " as one zip" } else { "" },
            report.imports.len(),
            report.orders.len()
        );
        return Ok(());
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("binding {}", args.listen))?;
    let handle = start(Config::from(&args), listener).await?;
    println!(
        "1C emulator ({}) at {} (login {:?})",
        args.profile.name(),
        handle.url(),
        args.login
    );
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    handle.shutdown().await;
    Ok(())
}

fn set_index(base: &Base, set: &str) -> Result<usize, BaseError> {
    base.schema
        .set(set)
        .ok_or_else(|| BaseError::NotWritable(set.to_string()))
}

fn object_json(base: &Base, set: usize, key: Uuid) -> Result<Value, BaseError> {
    let def = &base.schema.sets[set];
    let row = base.get(set, key).ok_or(BaseError::NotFound)?;
    let view = server::object_view(def);
    let mut out = String::from("{");
    let all: Vec<usize> = (0..def.fields.len()).collect();
    view::write_members(&mut out, &view, row, &all, true);
    out.push('}');
    Ok(serde_json::from_str(&out).expect("the writer writes valid JSON"))
}

fn as_object(fields: Value) -> Map<String, Value> {
    match fields {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

impl Handle {
    /// The publication root: `http://127.0.0.1:PORT/{base}/odata/standard.odata/`.
    pub fn url(&self) -> String {
        format!(
            "http://{}/{}/odata/standard.odata/",
            self.addr, self.shared.settings.base_name
        )
    }

    /// The address served.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    fn write<T>(
        &self,
        change: impl FnOnce(&mut Base) -> Result<T, BaseError>,
    ) -> Result<T, BaseError> {
        let mut base = self.shared.base.write().expect("the base lock");
        let out = change(&mut base)?;
        if let Some(path) = &self.shared.settings.data {
            persist::save(&base, path)
                .map_err(|e| BaseError::NotWritable(format!("{}: {e:#}", path.display())))?;
        }
        Ok(out)
    }

    /// Reads the base directly (for typed assertions).
    pub fn with_base<T>(&self, read: impl FnOnce(&Base) -> T) -> T {
        read(&self.shared.base.read().expect("the base lock"))
    }

    /// Every object of a set (or record of an information register) as JSON, in `Ref_Key` order.
    pub fn list(&self, set: &str) -> Vec<Value> {
        self.with_base(|base| {
            let Some(i) = base.schema.set(set) else {
                return Vec::new();
            };
            if base.schema.sets[i].is_object() {
                base.objects[i]
                    .keys()
                    .filter_map(|key| object_json(base, i, *key).ok())
                    .collect()
            } else {
                let def = &base.schema.sets[i];
                base.records[i]
                    .iter()
                    .map(|row| {
                        let view = server::object_view(def);
                        let mut out = String::from("{");
                        view::write_members(
                            &mut out,
                            &view,
                            row,
                            &(0..def.fields.len()).collect::<Vec<_>>(),
                            true,
                        );
                        out.push('}');
                        serde_json::from_str(&out).expect("valid JSON")
                    })
                    .collect()
            }
        })
    }

    /// Objects of a set whose field (trailing spaces ignored) equals the value, e.g. `ИНН`.
    pub fn find(&self, set: &str, field: &str, value: &Value) -> Vec<Value> {
        let trim = |v: &Value| match v {
            Value::String(s) => Value::String(s.trim_end().to_string()),
            other => other.clone(),
        };
        self.list(set)
            .into_iter()
            .filter(|object| object.get(field).map(trim) == Some(trim(value)))
            .collect()
    }

    /// One object as JSON.
    pub fn get(&self, set: &str, key: Uuid) -> Option<Value> {
        self.with_base(|base| object_json(base, set_index(base, set).ok()?, key).ok())
    }

    /// Creates an object as a 1C user would (blank code/number assigned); returns it.
    pub fn create(&self, set: &str, fields: Value) -> Result<Value, BaseError> {
        let now = chrono::Local::now().naive_local();
        let now = chrono::Timelike::with_nanosecond(&now, 0).unwrap_or(now);
        self.write(|base| {
            let i = set_index(base, set)?;
            match base.create(i, &as_object(fields), now)? {
                Some(key) => object_json(base, i, key),
                None => Ok(Value::Null),
            }
        })
    }

    /// Changes fields of an object (it gets a new `DataVersion`); returns it.
    pub fn update(&self, set: &str, key: Uuid, fields: Value) -> Result<Value, BaseError> {
        self.write(|base| {
            let i = set_index(base, set)?;
            base.update(i, key, &as_object(fields))?;
            object_json(base, i, key)
        })
    }

    /// Sets or clears the deletion mark.
    pub fn set_deletion_mark(
        &self,
        set: &str,
        key: Uuid,
        marked: bool,
    ) -> Result<Value, BaseError> {
        self.update(set, key, serde_json::json!({ "DeletionMark": marked }))
    }

    /// Deletes an object.
    pub fn delete(&self, set: &str, key: Uuid) -> Result<(), BaseError> {
        self.write(|base| {
            let i = set_index(base, set)?;
            base.delete(i, key)
        })
    }

    /// Posts (or unposts) a document.
    pub fn post(&self, set: &str, key: Uuid, posted: bool) -> Result<Value, BaseError> {
        self.write(|base| {
            let i = set_index(base, set)?;
            base.post(i, key, posted)?;
            object_json(base, i, key)
        })
    }

    /// Answers the next `count` requests with `failure` instead of serving them.
    pub fn fail_next(&self, count: usize, failure: Failure) {
        let mut control = self.shared.control.lock().expect("the control lock");
        control.failures.extend(std::iter::repeat_n(failure, count));
    }

    /// Delays every following request (zero to stop).
    pub fn set_delay(&self, delay: Duration) {
        self.shared.control.lock().expect("the control lock").delay = delay;
    }

    /// The requests received so far, oldest first.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.shared
            .control
            .lock()
            .expect("the control lock")
            .log
            .clone()
    }

    /// How many requests were received.
    pub fn request_count(&self) -> usize {
        *self.requests.borrow()
    }

    /// Forgets the request log (the count starts again from zero).
    pub fn clear_requests(&self) {
        let mut control = self.shared.control.lock().expect("the control lock");
        control.log.clear();
        self.shared.requests.send_replace(0);
    }

    /// Waits until at least `count` requests were received (e.g. until a sync is in the middle).
    pub async fn wait_for_requests(&self, count: usize) {
        let mut receiver = self.requests.clone();
        let _ = receiver.wait_for(|n| *n >= count).await;
    }

    /// Stops serving and waits for the server to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}
