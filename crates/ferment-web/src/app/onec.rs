//! The 1C integration seen by users: connections (the `configure_integrations` right), test
//! connection, sync runs started on demand or by the schedule as background jobs, the sync log,
//! conflicts to resolve, orders sent from a sale, and a sale's or client's 1C documents (visible to
//! whoever may read the sale or the client).

use ferment_domain::access::{Operation, SystemOp};
use ferment_domain::onec::{ConnectionInput, Profile as ProfileCode};
use ferment_domain::validation::{FieldError, Problem};
use ferment_onec::OnecError;
use ferment_onec::metadata::{Metadata, Missing};
use ferment_onec::odata::{Client, Retry};
use ferment_onec::profile::Profile;
use ferment_onec::secret::Sealer;
use ferment_onec::sync::{self, Options};
use ferment_store::onec::{self, Conflict, ConnectionRow, LogEntry, OnecDocument, Outgoing, Run};
use ferment_store::{Record, Store};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::{begin, check_system, commit};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

/// The sealer of this installation (its key file is created on first use).
pub async fn sealer(state: &AppState) -> AppResult<&Sealer> {
    let path = state.config.secret_key_path();
    state
        .sealer
        .get_or_try_init(|| async move {
            tokio::task::spawn_blocking(move || Sealer::load_or_create(&path))
                .await
                .map_err(|e| AppError::Internal(e.into()))?
                .map_err(AppError::Internal)
        })
        .await
}

/// A connection as users see it (never the password).
#[derive(Debug, Clone, Serialize)]
pub struct ConnectionView {
    /// Id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// Settings, mapping changes, last full reconcile.
    #[serde(flatten)]
    pub data: ConnectionRow,
    /// The newest run.
    pub last_run: Option<Run>,
    /// Open conflicts.
    pub open_conflicts: usize,
}

async fn view(
    connection: &mut super::Connection,
    record: Record<ConnectionRow>,
) -> AppResult<ConnectionView> {
    let last_run = onec::list_runs(connection, record.meta.id, 1)
        .await?
        .into_iter()
        .next();
    let open_conflicts = onec::conflicts(connection, Some(record.meta.id), None, true)
        .await?
        .len();
    Ok(ConnectionView {
        id: record.meta.id,
        version: record.meta.version,
        data: record.data,
        last_run,
        open_conflicts,
    })
}

fn duplicate_name() -> AppError {
    AppError::Invalid(vec![FieldError::new(
        "name",
        Problem::Rule {
            ru: "Подключение с таким именем уже есть".into(),
            en: "A connection with this name exists".into(),
        },
    )])
}

/// Every connection.
pub async fn list(store: &Store, user: &CurrentUser) -> AppResult<Vec<ConnectionView>> {
    check_system(user, SystemOp::ConfigureIntegrations)?;
    let mut connection = store.reader().await?;
    let mut out = Vec::new();
    for record in onec::list_connections(&mut connection).await? {
        out.push(view(&mut connection, record).await?);
    }
    Ok(out)
}

/// One connection.
pub async fn get(store: &Store, user: &CurrentUser, id: Uuid) -> AppResult<ConnectionView> {
    check_system(user, SystemOp::ConfigureIntegrations)?;
    let mut connection = store.reader().await?;
    let record = onec::get_connection(&mut connection, id).await?;
    view(&mut connection, record).await
}

/// Creates a connection; the password is sealed before it is stored.
pub async fn create(
    state: &AppState,
    user: &CurrentUser,
    input: &ConnectionInput,
) -> AppResult<ConnectionView> {
    check_system(user, SystemOp::ConfigureIntegrations)?;
    let data = input.validate(true)?;
    let sealed = sealer(state).await?.seal(&input.password);
    let mut tx = begin(&state.store).await?;
    if onec::find_connection(&mut tx, &data.name).await?.is_some() {
        return Err(duplicate_name());
    }
    let record = onec::insert_connection(&mut tx, &data, &sealed).await?;
    let view = view(&mut tx, record).await?;
    commit(tx).await?;
    Ok(view)
}

/// Changes a connection's settings (a blank password keeps the stored one).
pub async fn update(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    version: i64,
    input: &ConnectionInput,
) -> AppResult<ConnectionView> {
    check_system(user, SystemOp::ConfigureIntegrations)?;
    let data = input.validate(false)?;
    let sealed = if input.password.is_empty() {
        None
    } else {
        Some(sealer(state).await?.seal(&input.password))
    };
    let mut tx = begin(&state.store).await?;
    if let Some(other) = onec::find_connection(&mut tx, &data.name).await?
        && other.meta.id != id
    {
        return Err(duplicate_name());
    }
    let record = onec::update_connection(&mut tx, id, version, &data, sealed.as_deref()).await?;
    let view = view(&mut tx, record).await?;
    commit(tx).await?;
    Ok(view)
}

/// Removes a connection (its runs, links and documents stay for the record).
pub async fn delete(store: &Store, user: &CurrentUser, id: Uuid) -> AppResult<()> {
    check_system(user, SystemOp::ConfigureIntegrations)?;
    let mut tx = begin(store).await?;
    onec::delete_connection(&mut tx, id).await?;
    commit(tx).await
}

/// The profile in force (shipped + the administrator's changes) and the changes alone.
#[derive(Debug, Clone, Serialize)]
pub struct MappingView {
    /// The profile code.
    pub profile: ProfileCode,
    /// The administrator's changes (a JSON merge patch over the shipped profile).
    pub changes: Value,
    /// The profile in force.
    pub effective: Profile,
}

/// The mapping of a connection.
pub async fn mapping(store: &Store, user: &CurrentUser, id: Uuid) -> AppResult<MappingView> {
    check_system(user, SystemOp::ConfigureIntegrations)?;
    let mut connection = store.reader().await?;
    let record = onec::get_connection(&mut connection, id).await?;
    mapping_view(&record.data)
}

fn mapping_view(row: &ConnectionRow) -> AppResult<MappingView> {
    let effective = Profile::with_changes(row.connection.profile, &row.mapping)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    Ok(MappingView {
        profile: row.connection.profile,
        changes: row.mapping.clone(),
        effective,
    })
}

/// Replaces the administrator's changes to the mapping; refused (with the reason) when the
/// result is not a valid profile.
pub async fn set_mapping(
    store: &Store,
    user: &CurrentUser,
    id: Uuid,
    changes: &Value,
) -> AppResult<MappingView> {
    check_system(user, SystemOp::ConfigureIntegrations)?;
    if !(changes.is_object() || changes.is_null()) {
        return Err(AppError::Invalid(vec![FieldError::new(
            "changes",
            Problem::Type { expected: "object" },
        )]));
    }
    let mut tx = begin(store).await?;
    let record = onec::get_connection(&mut tx, id).await?;
    if let Err(error) = Profile::with_changes(record.data.connection.profile, changes) {
        return Err(AppError::Invalid(vec![FieldError::new(
            "changes",
            Problem::Rule {
                ru: format!("Сопоставление не подходит: {error}"),
                en: format!("The mapping is not valid: {error}"),
            },
        )]));
    }
    let record = onec::set_mapping(&mut tx, id, changes).await?;
    commit(tx).await?;
    mapping_view(&record.data)
}

/// What "test connection" found.
#[derive(Debug, Clone, Serialize)]
pub struct TestReport {
    /// 1C answered and the login was accepted.
    pub ok: bool,
    /// What went wrong, in words.
    pub error: Option<String>,
    /// Published entity sets.
    pub published: Vec<String>,
    /// What the profile needs that is not published.
    pub missing: Vec<Missing>,
}

/// Reads `$metadata` with the connection's settings and compares it with the profile.
pub async fn test(state: &AppState, user: &CurrentUser, id: Uuid) -> AppResult<TestReport> {
    check_system(user, SystemOp::ConfigureIntegrations)?;
    let record = {
        let mut connection = state.store.reader().await?;
        onec::get_connection(&mut connection, id).await?
    };
    let password = sealer(state)
        .await?
        .open(&record.data.password_sealed)
        .unwrap_or_default();
    let profile = Profile::with_changes(record.data.connection.profile, &record.data.mapping)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    let retry = Retry {
        attempts: 1,
        first_pause: std::time::Duration::ZERO,
    };
    let failed = |error: OnecError| TestReport {
        ok: false,
        error: Some(describe(&error)),
        published: Vec::new(),
        missing: Vec::new(),
    };
    let client = match Client::new(
        &record.data.connection.url,
        &record.data.connection.login,
        &password,
        retry,
    ) {
        Ok(client) => client,
        Err(error) => return Ok(failed(error)),
    };
    let metadata = match client
        .metadata()
        .await
        .and_then(|edmx| Metadata::parse(&edmx))
    {
        Ok(metadata) => metadata,
        Err(error) => return Ok(failed(error)),
    };
    Ok(TestReport {
        ok: true,
        error: None,
        published: metadata.sets.keys().cloned().collect(),
        missing: metadata.missing(&profile.requirements()),
    })
}

/// An integration error in words for the user.
pub fn describe(error: &OnecError) -> String {
    match error {
        OnecError::Unauthorized => "1С отклонила логин или пароль".into(),
        OnecError::Transient(reason) => format!("1С недоступна: {reason}"),
        OnecError::OData { code, message, .. } => format!("1С ответила ошибкой {code}: {message}"),
        OnecError::Busy(_) => "синхронизация этого подключения уже идёт".into(),
        other => other.to_string(),
    }
}

/// Starts a run in the background and returns it as started. 409 while another run is alive.
pub async fn start_sync(
    state: &AppState,
    user: Option<&CurrentUser>,
    id: Uuid,
    trigger: &str,
    full: bool,
) -> AppResult<Run> {
    if let Some(user) = user {
        check_system(user, SystemOp::ConfigureIntegrations)?;
    }
    {
        let mut connection = state.store.reader().await?;
        onec::get_connection(&mut connection, id).await?;
    }
    let options = Options {
        trigger: trigger.into(),
        full,
        started_by: user.map(|u| u.user.meta.id),
        ..Options::default()
    };
    let sealer = sealer(state).await?.clone();
    let started = match sync::start(&state.store, &sealer, id, &options).await {
        Ok(started) => started,
        Err(OnecError::Busy(_)) => {
            return Err(AppError::Conflict(vec![FieldError::new(
                "sync",
                Problem::Rule {
                    ru: "Синхронизация этого подключения уже идёт".into(),
                    en: "A sync of this connection is already running".into(),
                },
            )]));
        }
        Err(OnecError::Store(error)) => return Err(error.into()),
        Err(error) => {
            return Err(AppError::Invalid(vec![FieldError::new(
                "connection",
                Problem::Rule {
                    ru: describe(&error),
                    en: error.to_string(),
                },
            )]));
        }
    };
    let run = started.run().clone();
    tokio::spawn(async move {
        if let Err(error) = started.finish().await {
            tracing::error!(%error, "1C sync run could not be finished");
        }
    });
    Ok(run)
}

/// The newest runs of a connection.
pub async fn runs(store: &Store, user: &CurrentUser, id: Uuid, limit: i64) -> AppResult<Vec<Run>> {
    check_system(user, SystemOp::ConfigureIntegrations)?;
    let mut connection = store.reader().await?;
    onec::get_connection(&mut connection, id).await?;
    Ok(onec::list_runs(&mut connection, id, limit.clamp(1, 500)).await?)
}

/// A run with its log.
#[derive(Debug, Clone, Serialize)]
pub struct RunView {
    /// The run.
    #[serde(flatten)]
    pub run: Run,
    /// What came, what went, what failed and why.
    pub log: Vec<LogEntry>,
}

/// One run and its log.
pub async fn run(store: &Store, user: &CurrentUser, run_id: Uuid) -> AppResult<RunView> {
    check_system(user, SystemOp::ConfigureIntegrations)?;
    let mut connection = store.reader().await?;
    let run = onec::get_run(&mut connection, run_id).await?;
    let log = onec::run_log(&mut connection, run_id, 5000).await?;
    Ok(RunView { run, log })
}

/// Conflicts of a connection (open first).
pub async fn conflicts(store: &Store, user: &CurrentUser, id: Uuid) -> AppResult<Vec<Conflict>> {
    check_system(user, SystemOp::ConfigureIntegrations)?;
    let mut connection = store.reader().await?;
    Ok(onec::conflicts(&mut connection, Some(id), None, false).await?)
}

/// Resolves a conflict: `onec` takes 1C's values into Ferment, `ferment` keeps Ferment's and sends
/// them with the next run.
pub async fn resolve(
    store: &Store,
    user: &CurrentUser,
    conflict_id: Uuid,
    side: &str,
) -> AppResult<Conflict> {
    check_system(user, SystemOp::ConfigureIntegrations)?;
    if side != "onec" && side != "ferment" {
        return Err(AppError::Invalid(vec![FieldError::new(
            "resolution",
            Problem::NotAllowed {
                allowed: vec!["onec".into(), "ferment".into()],
            },
        )]));
    }
    let mut tx = begin(store).await?;
    let conflict = onec::get_conflict(&mut tx, conflict_id).await?;
    if conflict.resolved_at.is_some() {
        return Err(AppError::Conflict(vec![FieldError::new(
            "resolution",
            Problem::Rule {
                ru: "Конфликт уже разрешён".into(),
                en: "The conflict is already resolved".into(),
            },
        )]));
    }
    ferment_onec::sync::resolve(&mut tx, &conflict, side, Some(user.user.meta.id))
        .await
        .map_err(|e| match e {
            OnecError::Store(error) => AppError::from(error),
            other => AppError::Internal(anyhow::anyhow!("{other}")),
        })?;
    let resolved = onec::get_conflict(&mut tx, conflict_id).await?;
    commit(tx).await?;
    Ok(resolved)
}

/// Asks for a sale's order (invoice in БП 3.0) to be sent to 1C with the next run, and starts one.
pub async fn send_order(
    state: &AppState,
    user: &CurrentUser,
    sale_id: Uuid,
    connection_id: Option<Uuid>,
    post: bool,
) -> AppResult<Outgoing> {
    let mut tx = begin(&state.store).await?;
    let sale = super::sales::readable(&mut tx, user, sale_id, Operation::Edit).await?;
    if sale.data.lines.is_empty() {
        return Err(AppError::Invalid(vec![FieldError::new(
            "lines",
            Problem::Rule {
                ru: "В продаже нет товаров: 1С нечего заказывать".into(),
                en: "The sale has no products to order".into(),
            },
        )]));
    }
    let connections = onec::list_connections(&mut tx).await?;
    let mut candidates: Vec<Record<ConnectionRow>> = connections
        .into_iter()
        .filter(|c| connection_id.is_none_or(|id| c.meta.id == id))
        .filter(|c| c.data.connection.active && c.data.connection.directions.documents.pushes())
        .collect();
    if connection_id.is_none() && candidates.len() > 1 {
        // Several bases: the one that knows the client.
        let mut knowing = Vec::new();
        for candidate in candidates {
            if onec::link_of_record(
                &mut tx,
                candidate.meta.id,
                "counterparty",
                sale.data.counterparty_id,
            )
            .await?
            .is_some_and(|l| !l.deleted)
            {
                knowing.push(candidate);
            }
        }
        if knowing.len() != 1 {
            return Err(AppError::Invalid(vec![FieldError::new(
                "connection_id",
                Problem::Rule {
                    ru: "Подключений к 1С несколько: укажите, в какую базу отправить заказ".into(),
                    en: "There are several 1C connections: say which base takes the order".into(),
                },
            )]));
        }
        candidates = knowing;
    }
    let target = candidates.into_iter().next();
    let Some(target) = target else {
        return Err(AppError::Invalid(vec![FieldError::new(
            "connection_id",
            Problem::Rule {
                ru: "Нет подключения к 1С, которое принимает заказы".into(),
                en: "No 1C connection takes orders".into(),
            },
        )]));
    };
    let kind = Profile::with_changes(target.data.connection.profile, &target.data.mapping)
        .map(|p| p.push_order.kind)
        .unwrap_or_else(|_| "order".into());
    let outgoing = onec::enqueue(
        &mut tx,
        target.meta.id,
        &kind,
        sale_id,
        post,
        Some(user.user.meta.id),
    )
    .await?;
    commit(tx).await?;
    match start_sync(state, None, target.meta.id, "order", false).await {
        Ok(_) | Err(AppError::Conflict(_)) => {}
        Err(error) => tracing::warn!(%error, "could not start a 1C run for an order"),
    }
    Ok(outgoing)
}

/// The active connections that take orders from Ferment, as (id, name): what the sale card offers
/// in «Отправить заказ в 1С», to whoever may edit the sale. Only names leave, never settings.
pub async fn order_connections(
    store: &Store,
    user: &CurrentUser,
    sale_id: Uuid,
) -> AppResult<Vec<(Uuid, String)>> {
    let mut connection = store.reader().await?;
    super::sales::readable(&mut connection, user, sale_id, Operation::Edit).await?;
    Ok(onec::list_connections(&mut connection)
        .await?
        .into_iter()
        .filter(|c| c.data.connection.active && c.data.connection.directions.documents.pushes())
        .map(|c| (c.meta.id, c.data.connection.name))
        .collect())
}

/// What the sale card shows from 1C.
#[derive(Debug, Clone, Serialize)]
pub struct SaleOnec {
    /// 1C's documents of the sale.
    pub documents: Vec<OnecDocument>,
    /// Orders asked to be sent over OData.
    pub outgoing: Vec<Outgoing>,
    /// The order given to 1C's CommerceML exchange (requested, sent, exported, 1C's number and
    /// status), if one was asked for.
    pub commerceml: Option<Value>,
}

/// Asks for a sale's order to be given to 1C at its next CommerceML exchange (`mode=query`).
pub async fn request_commerceml_order(
    store: &Store,
    user: &CurrentUser,
    sale_id: Uuid,
) -> AppResult<Value> {
    let mut tx = begin(store).await?;
    let sale = super::sales::readable(&mut tx, user, sale_id, Operation::Edit).await?;
    if sale.data.lines.is_empty() {
        return Err(AppError::Invalid(vec![FieldError::new(
            "lines",
            Problem::Rule {
                ru: "В продаже нет товаров: 1С нечего заказывать".into(),
                en: "The sale has no products to order".into(),
            },
        )]));
    }
    ferment_store::commerceml::request_order(&mut tx, sale_id, Some(user.user.meta.id)).await?;
    let state = ferment_store::commerceml::order_state(&mut tx, sale_id)
        .await?
        .unwrap_or(Value::Null);
    commit(tx).await?;
    Ok(state)
}

/// A sale's 1C documents (for whoever may read the sale).
pub async fn of_sale(store: &Store, user: &CurrentUser, sale_id: Uuid) -> AppResult<SaleOnec> {
    let mut connection = store.reader().await?;
    super::sales::readable(&mut connection, user, sale_id, Operation::Read).await?;
    Ok(SaleOnec {
        documents: onec::documents_of(&mut connection, Some(sale_id), None, 200).await?,
        outgoing: onec::outgoing_of_sale(&mut connection, sale_id).await?,
        commerceml: ferment_store::commerceml::order_state(&mut connection, sale_id).await?,
    })
}

/// A client's 1C documents and contracts (for whoever may read the client).
#[derive(Debug, Clone, Serialize)]
pub struct ClientOnec {
    /// Documents, newest first.
    pub documents: Vec<OnecDocument>,
    /// Contracts.
    pub contracts: Vec<Value>,
}

/// A client's 1C documents.
pub async fn of_counterparty(
    store: &Store,
    user: &CurrentUser,
    counterparty_id: Uuid,
) -> AppResult<ClientOnec> {
    let client = super::counterparties::get(store, user, counterparty_id).await?;
    of_readable(
        store,
        &super::counterparties::Readable::from_checked(client),
    )
    .await
}

/// [`of_counterparty`] for a client the caller has read and checked (the card).
pub async fn of_readable(
    store: &Store,
    client: &super::counterparties::Readable,
) -> AppResult<ClientOnec> {
    let counterparty_id = client.id();
    let mut connection = store.reader().await?;
    let contracts = onec::links_of_record(&mut connection, "contract", counterparty_id)
        .await?
        .into_iter()
        .filter(|l| !l.deleted)
        .map(|l| l.extra)
        .collect();
    Ok(ClientOnec {
        documents: onec::documents_of(&mut connection, None, Some(counterparty_id), 200).await?,
        contracts,
    })
}

/// Starts the runs that are due by their schedule (called every minute by the server).
pub async fn run_due(state: &AppState) -> AppResult<usize> {
    let connections = {
        let mut connection = state.store.reader().await?;
        onec::list_connections(&mut connection).await?
    };
    let mut started = 0;
    for record in connections {
        let Some(minutes) = record.data.connection.schedule_minutes else {
            continue;
        };
        if !record.data.connection.active {
            continue;
        }
        let last = {
            let mut connection = state.store.reader().await?;
            onec::list_runs(&mut connection, record.meta.id, 1)
                .await?
                .into_iter()
                .next()
        };
        let due = match &last {
            None => true,
            Some(run) => {
                run.status != "running"
                    && chrono::Utc::now() - run.started_at >= chrono::Duration::minutes(minutes)
            }
        };
        if due
            && start_sync(state, None, record.meta.id, "schedule", false)
                .await
                .is_ok()
        {
            started += 1;
        }
    }
    Ok(started)
}

/// Starts the scheduler: every minute, the runs that are due by their connection's schedule.
pub fn spawn_scheduler(store: Store, config: crate::WebConfig) -> tokio::task::JoinHandle<()> {
    let state = AppState::new(store, config);
    tokio::spawn(async move {
        let mut every_minute = tokio::time::interval(std::time::Duration::from_secs(60));
        let mut minutes: u64 = 0;
        loop {
            every_minute.tick().await;
            minutes += 1;
            if minutes % 60 == 1
                && let Ok(exchange) = crate::exchange::exchange(&state).await
            {
                let exchange = std::sync::Arc::clone(exchange);
                let day = std::time::Duration::from_secs(24 * 3600);
                match tokio::task::spawn_blocking(move || exchange.purge_sessions(day)).await {
                    Ok(Ok(0)) => {}
                    Ok(Ok(purged)) => tracing::info!(purged, "forgot old CommerceML sessions"),
                    Ok(Err(error)) => tracing::warn!(%error, "purging CommerceML sessions"),
                    Err(error) => tracing::warn!(%error, "purging CommerceML sessions"),
                }
            }
            match run_due(&state).await {
                Ok(0) => {}
                Ok(started) => tracing::info!(started, "scheduled 1C runs started"),
                Err(error) => tracing::warn!(%error, "starting scheduled 1C runs"),
            }
        }
    })
}

/// The state of 1C's «Обмен с сайтом»: its latest steps and the orders waiting to be taken.
#[derive(Debug, Clone, Serialize)]
pub struct CommercemlState {
    /// The path 1C's exchange settings name after Ferment's address.
    pub exchange_path: &'static str,
    /// Orders users asked to send that 1C has not confirmed yet.
    pub orders_waiting: usize,
    /// The latest steps, the most recently moved first.
    pub steps: Vec<ferment_store::commerceml::ExchangeStep>,
}

/// How many exchange steps the page and the API show.
const EXCHANGE_STEPS_SHOWN: i64 = 50;

/// The CommerceML exchange's state (the `configure_integrations` right).
pub async fn commerceml_state(store: &Store, user: &CurrentUser) -> AppResult<CommercemlState> {
    check_system(user, SystemOp::ConfigureIntegrations)?;
    let mut connection = store.reader().await?;
    let orders_waiting = ferment_store::commerceml::orders_waiting(&mut connection)
        .await?
        .len();
    let steps =
        ferment_store::commerceml::exchange_steps(&mut connection, EXCHANGE_STEPS_SHOWN).await?;
    Ok(CommercemlState {
        exchange_path: crate::exchange::EXCHANGE_PATH,
        orders_waiting,
        steps,
    })
}
