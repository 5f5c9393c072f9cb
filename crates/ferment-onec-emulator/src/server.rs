//! The HTTP side: one axum fallback handler that logs the request, applies injected delays and
//! failures, checks Basic auth, resolves the URL (`Set`, `Set(guid'…')`, `…/Товары`, `…/Post`,
//! `Set/Balance(…)`), and answers in 1C's JSON (`$format=json`) or Atom, with 1C's error bodies.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::{Map, Value};
use tokio::sync::watch;
use uuid::Uuid;

use crate::base::{Base, BaseError};
use crate::registers::{self, Args};
use crate::schema::{Kind, SetDef};
use crate::view::{self, Links, Options, View};
use crate::{Failure, LoggedRequest, metadata, persist};

/// Who may sign in, where the base is published and saved.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub base_name: String,
    pub login: String,
    pub password: String,
    pub data: Option<PathBuf>,
}

/// Test controls: queued failures, a delay, the request log.
#[derive(Debug, Default)]
pub(crate) struct Control {
    pub failures: VecDeque<Failure>,
    pub delay: Duration,
    pub log: Vec<LoggedRequest>,
}

/// Everything the handler and the test handle share.
pub(crate) struct Shared {
    pub base: RwLock<Base>,
    pub settings: Settings,
    pub control: Mutex<Control>,
    pub requests: watch::Sender<usize>,
}

impl Shared {
    pub fn prefix(&self) -> String {
        format!("/{}/odata/standard.odata", self.settings.base_name)
    }

    /// Saves the base after a write when a data file was given.
    pub fn save(&self, base: &Base) -> Result<(), Failed> {
        if let Some(path) = &self.settings.data {
            persist::save(base, path).map_err(|error| {
                tracing::error!(?error, "saving the emulator's base failed");
                Failed::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "-1",
                    "Ошибка при записи информационной базы",
                )
            })?;
        }
        Ok(())
    }
}

/// An error answer as 1C gives it.
#[derive(Debug)]
pub(crate) struct Failed {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl Failed {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Failed {
        Failed {
            status,
            code,
            message: message.into(),
        }
    }

    fn not_found(what: &str) -> Failed {
        Failed::new(
            StatusCode::NOT_FOUND,
            "9",
            format!("Объект не найден: {what}"),
        )
    }

    fn segment(segment: &str) -> Failed {
        Failed::new(
            StatusCode::BAD_REQUEST,
            "6",
            format!("Неправильный URL ресурса. Сегмент '{segment}' не найден или не опубликован"),
        )
    }

    fn filter(problem: impl std::fmt::Display) -> Failed {
        Failed::new(
            StatusCode::BAD_REQUEST,
            "14",
            format!("Ошибка разбора выражения $filter: {problem}"),
        )
    }

    fn body(problem: impl std::fmt::Display) -> Failed {
        Failed::new(
            StatusCode::BAD_REQUEST,
            "-1",
            format!("Ошибка разбора тела запроса: {problem}"),
        )
    }

    fn into_response(self, json: bool) -> Response {
        if json {
            let body = serde_json::json!({"odata.error": {"code": self.code, "message": {"lang": "ru", "value": self.message}}});
            respond(
                self.status,
                "application/json;charset=utf-8",
                body.to_string(),
            )
        } else {
            let body = format!(
                "<?xml version=\"1.0\" encoding=\"utf-8\"?><m:error xmlns:m=\"http://schemas.microsoft.com/ado/2007/08/dataservices/metadata\"><m:code>{}</m:code><m:message xml:lang=\"ru\">{}</m:message></m:error>",
                self.code,
                quick_xml::escape::escape(&self.message)
            );
            respond(self.status, "application/xml;charset=utf-8", body)
        }
    }
}

impl From<BaseError> for Failed {
    fn from(error: BaseError) -> Failed {
        match error {
            BaseError::NotFound => Failed::not_found("объект не существует или удален"),
            BaseError::NotWritable(set) => Failed::segment(&set),
            BaseError::Bad(bad) => Failed::body(bad),
        }
    }
}

fn respond(status: StatusCode, content_type: &'static str, body: String) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert("DataServiceVersion", HeaderValue::from_static("3.0"));
    response
}

fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// The one handler.
pub(crate) async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = decode(uri.path());
    let query: Vec<(String, String)> = form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .into_owned()
        .collect();
    let json = query
        .iter()
        .any(|(k, v)| k == "$format" && v.contains("json"));
    let (delay, failure) = {
        let mut control = shared.control.lock().expect("the control lock");
        control.log.push(LoggedRequest {
            method: method.to_string(),
            path: path.clone(),
            query: query.clone(),
        });
        let count = control.log.len();
        shared.requests.send_replace(count);
        (control.delay, control.failures.pop_front())
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    match failure {
        Some(Failure::Unavailable) => {
            return respond(
                StatusCode::SERVICE_UNAVAILABLE,
                "text/plain;charset=utf-8",
                "Service Unavailable".into(),
            );
        }
        Some(Failure::HandlerError) => {
            return Failed::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "-1",
                "Ошибка при выполнении обработчика конфигурации: Ошибка выполнения запроса",
            )
            .into_response(json);
        }
        None => {}
    }
    let prefix = shared.prefix();
    let Some(rest) = path.strip_prefix(&prefix) else {
        return respond(
            StatusCode::NOT_FOUND,
            "text/plain;charset=utf-8",
            "Not Found".into(),
        );
    };
    if !authorised(&shared.settings, &headers) {
        let mut response = respond(
            StatusCode::UNAUTHORIZED,
            "text/plain;charset=utf-8",
            "Unauthorized".into(),
        );
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"1C:Enterprise\""),
        );
        return response;
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let root = format!("http://{host}{prefix}/");
    let options = options(&query);
    let request = Request {
        shared: &shared,
        root: &root,
        options: &options,
        method: &method,
        body: &body,
    };
    match request.route(rest.trim_start_matches('/')) {
        Ok(response) => response,
        Err(failed) => failed.into_response(json),
    }
}

fn authorised(settings: &Settings, headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some(encoded) = value.strip_prefix("Basic ") else {
        return false;
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return false;
    };
    let Ok(text) = String::from_utf8(decoded) else {
        return false;
    };
    text.split_once(':')
        .is_some_and(|(login, password)| login == settings.login && password == settings.password)
}

fn options(query: &[(String, String)]) -> Options {
    let mut options = Options::default();
    for (name, value) in query {
        match name.as_str() {
            "$filter" => options.filter = Some(value.clone()),
            "$orderby" => options.orderby = Some(value.clone()),
            "$select" => options.select = Some(value.clone()),
            "$top" => options.top = value.trim().parse().ok(),
            "$skip" => options.skip = value.trim().parse().ok(),
            "$inlinecount" => options.count = value == "allpages",
            "$format" => options.json = value.contains("json"),
            _ => {}
        }
    }
    options
}

/// Splits a resource path on `/` outside quotes and parentheses.
fn segments(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut quoted, mut start) = (0, false, 0);
    for (i, c) in path.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            '/' if !quoted && depth == 0 => {
                out.push(&path[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&path[start..]);
    out.into_iter().filter(|s| !s.is_empty()).collect()
}

/// `Name(args)` → (`Name`, `args`).
fn call(segment: &str) -> (&str, Option<&str>) {
    match segment.find('(') {
        Some(open) if segment.ends_with(')') => (
            &segment[..open],
            Some(&segment[open + 1..segment.len() - 1]),
        ),
        _ => (segment, None),
    }
}

fn parse_key(args: &str) -> Option<Uuid> {
    let text = args.trim();
    let text = text.strip_prefix("Ref_Key=").unwrap_or(text);
    let inner = text.strip_prefix("guid'")?.strip_suffix('\'')?;
    Uuid::parse_str(inner).ok()
}

/// A view for one object set with no rows yet, for writing single objects.
pub(crate) fn object_view<'a>(def: &'a SetDef) -> View<'a> {
    View {
        name: def.name.clone(),
        fields: std::borrow::Cow::Borrowed(&def.fields),
        tables: &def.tables,
        rows: Vec::new(),
        links: Links::Object(def.name.clone()),
    }
}

struct Request<'a> {
    shared: &'a Shared,
    root: &'a str,
    options: &'a Options,
    method: &'a Method,
    body: &'a Bytes,
}

enum Target {
    Set(usize),
    Table(usize, usize),
}

impl Request<'_> {
    fn route(&self, rest: &str) -> Result<Response, Failed> {
        if rest.is_empty() {
            let base = self.shared.base.read().expect("the base lock");
            let body = metadata::service_document(&base.schema, self.root, self.options.json);
            let content_type = if self.options.json {
                "application/json;charset=utf-8"
            } else {
                "application/atomsvc+xml;charset=utf-8"
            };
            return Ok(respond(StatusCode::OK, content_type, body));
        }
        if rest == "$metadata" {
            let base = self.shared.base.read().expect("the base lock");
            return Ok(respond(
                StatusCode::OK,
                "application/xml;charset=utf-8",
                metadata::edmx(&base.schema),
            ));
        }
        let parts = segments(rest);
        let (name, key_text) = call(parts[0]);
        let target = {
            let base = self.shared.base.read().expect("the base lock");
            resolve(&base, name).ok_or_else(|| Failed::segment(name))?
        };
        let key = match key_text {
            Some(text) => Some(parse_key(text).ok_or_else(|| Failed::segment(parts[0]))?),
            None => None,
        };
        let second = parts.get(1).copied();
        if parts.len() > 2 {
            return Err(Failed::segment(parts[2]));
        }
        match (self.method.as_str(), target, key, second) {
            ("GET", Target::Table(set, table), None, None) => {
                let base = self.shared.base.read().expect("the base lock");
                self.list(
                    registers::table_rows(&base, set, table, None),
                    false,
                    self.options,
                )
            }
            ("GET", Target::Set(set), None, None) => self.list_set(set),
            ("GET", Target::Set(set), None, Some("$count")) => {
                let base = self.shared.base.read().expect("the base lock");
                let mut view = self.set_view(&base, set)?;
                let count = view::apply(
                    &mut view,
                    &Options {
                        filter: self.options.filter.clone(),
                        ..Options::default()
                    },
                    false,
                )
                .map_err(Failed::filter)?;
                Ok(respond(
                    StatusCode::OK,
                    "text/plain;charset=utf-8",
                    count.to_string(),
                ))
            }
            ("GET", Target::Set(set), None, Some(function)) => self.virtual_table(set, function),
            ("GET", Target::Set(set), Some(key), None) => {
                let base = self.shared.base.read().expect("the base lock");
                self.object(&base, set, key, StatusCode::OK)
            }
            ("GET", Target::Set(set), Some(key), Some(segment)) => self.related(set, key, segment),
            ("POST", Target::Set(set), None, None) => self.create(set),
            ("POST", Target::Set(set), Some(key), Some(action @ ("Post" | "Unpost"))) => {
                let mut base = self.shared.base.write().expect("the base lock");
                base.post(set, key, action == "Post")?;
                self.shared.save(&base)?;
                Ok(respond(
                    StatusCode::OK,
                    "application/json;charset=utf-8",
                    "{}".into(),
                ))
            }
            ("PATCH" | "PUT" | "MERGE", Target::Set(set), Some(key), None) => {
                let body = self.json_body()?;
                let mut base = self.shared.base.write().expect("the base lock");
                if !base.schema.sets[set].is_object() {
                    return Err(Failed::segment(name));
                }
                base.update(set, key, &body)?;
                self.shared.save(&base)?;
                self.object(&base, set, key, StatusCode::OK)
            }
            ("DELETE", Target::Set(set), Some(key), None) => {
                let mut base = self.shared.base.write().expect("the base lock");
                base.delete(set, key)?;
                self.shared.save(&base)?;
                Ok(respond(
                    StatusCode::NO_CONTENT,
                    "text/plain;charset=utf-8",
                    String::new(),
                ))
            }
            (_, _, _, Some(segment)) => Err(Failed::segment(segment)),
            _ => Err(Failed::segment(name)),
        }
    }

    fn json_body(&self) -> Result<Map<String, Value>, Failed> {
        match serde_json::from_slice::<Value>(self.body) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Err(Failed::body("ожидается объект JSON")),
            Err(error) => Err(Failed::body(error)),
        }
    }

    fn create(&self, set: usize) -> Result<Response, Failed> {
        let body = self.json_body()?;
        let now = chrono::Local::now().naive_local().with_nanosecond_zero();
        let mut base = self.shared.base.write().expect("the base lock");
        let key = base.create(set, &body, now)?;
        self.shared.save(&base)?;
        let Some(key) = key else {
            return Ok(respond(
                StatusCode::CREATED,
                "application/json;charset=utf-8",
                Value::Object(body).to_string(),
            ));
        };
        let mut response = self.object(&base, set, key, StatusCode::CREATED)?;
        let location = format!("{}{}(guid'{key}')", self.root, base.schema.sets[set].name);
        let value =
            HeaderValue::from_bytes(location.as_bytes()).expect("a URL is a valid header value");
        response.headers_mut().insert(header::LOCATION, value);
        Ok(response)
    }

    fn object(
        &self,
        base: &Base,
        set: usize,
        key: Uuid,
        status: StatusCode,
    ) -> Result<Response, Failed> {
        let def = &base.schema.sets[set];
        let row = base
            .get(set, key)
            .ok_or_else(|| Failed::not_found(&format!("{}(guid'{key}')", def.name)))?;
        let view = object_view(def);
        Ok(if self.options.json {
            respond(
                status,
                "application/json;charset=utf-8",
                view::entity_json(self.root, &view, row, self.options),
            )
        } else {
            respond(
                status,
                "application/atom+xml;type=entry;charset=utf-8",
                view::entity_atom(self.root, &view, row, self.options),
            )
        })
    }

    fn set_view<'b>(&self, base: &'b Base, set: usize) -> Result<View<'b>, Failed> {
        let def = &base.schema.sets[set];
        Ok(match def.kind {
            Kind::Catalog | Kind::Document | Kind::ChartOfAccounts => {
                let mut view = object_view(def);
                view.rows = base.objects[set]
                    .values()
                    .map(|r| std::borrow::Cow::Borrowed(r.as_slice()))
                    .collect();
                view
            }
            Kind::InformationRegister => View {
                name: def.name.clone(),
                fields: std::borrow::Cow::Borrowed(&def.fields),
                tables: &[],
                rows: base.records[set]
                    .iter()
                    .map(|r| std::borrow::Cow::Borrowed(r.as_slice()))
                    .collect(),
                links: Links::None,
            },
            Kind::AccumulationRegister | Kind::AccountingRegister => {
                registers::register_records(base, def)
            }
        })
    }

    fn list_set(&self, set: usize) -> Result<Response, Failed> {
        let base = self.shared.base.read().expect("the base lock");
        let def = &base.schema.sets[set];
        if def.is_object() {
            // Filter while gathering, so a filtered page of a large set never lists every row.
            let expr = view::compile(self.options, &def.fields).map_err(Failed::filter)?;
            let objects = &base.objects[set];
            let mut view = object_view(def);
            // `Ref_Key eq guid'…' or …`: looked up, as 1C's database does from its primary index.
            if let Some(mut keys) = expr
                .as_ref()
                .zip(def.field("Ref_Key"))
                .and_then(|(e, field)| crate::query::key_lookup(e, field))
            {
                keys.sort();
                keys.dedup();
                view.rows = keys
                    .iter()
                    .filter_map(|k| objects.get(k))
                    .map(|r| std::borrow::Cow::Borrowed(r.as_slice()))
                    .collect();
                return self.list(view, true, self.options);
            }
            let passes = |row: &&crate::base::Row| {
                expr.as_ref().is_none_or(|e| crate::query::matches(e, row))
            };
            // Objects are kept in `Ref_Key` order: a page in that order (or in none) that asks for
            // no count is read up to its last row only.
            let key_order = self.options.orderby.as_deref().is_none_or(|o| {
                matches!(
                    o.split_whitespace().collect::<Vec<_>>().as_slice(),
                    ["Ref_Key"] | ["Ref_Key", "asc"]
                )
            });
            if key_order && !self.options.count {
                view.rows = objects
                    .values()
                    .filter(passes)
                    .skip(self.options.skip.unwrap_or(0))
                    .take(self.options.top.unwrap_or(usize::MAX))
                    .map(|r| std::borrow::Cow::Borrowed(r.as_slice()))
                    .collect();
                let paged = Options {
                    orderby: None,
                    skip: None,
                    top: None,
                    ..self.options.clone()
                };
                return self.list(view, true, &paged);
            }
            view.rows = objects
                .values()
                .filter(passes)
                .map(|r| std::borrow::Cow::Borrowed(r.as_slice()))
                .collect();
            return self.list(view, true, self.options);
        }
        let view = self.set_view(&base, set)?;
        self.list(view, false, self.options)
    }

    fn list(
        &self,
        mut view: View<'_>,
        filtered: bool,
        options: &Options,
    ) -> Result<Response, Failed> {
        let count = view::apply(&mut view, options, filtered).map_err(Failed::filter)?;
        Ok(if options.json {
            respond(
                StatusCode::OK,
                "application/json;charset=utf-8",
                view::collection_json(self.root, &view, options, count),
            )
        } else {
            respond(
                StatusCode::OK,
                "application/atom+xml;type=feed;charset=utf-8",
                view::collection_atom(self.root, &view, options, count),
            )
        })
    }

    fn virtual_table(&self, set: usize, segment: &str) -> Result<Response, Failed> {
        let (function, args) = call(segment);
        let args = match args {
            Some(text) => registers::parse_args(text).map_err(Failed::filter)?,
            None => Args::default(),
        };
        let base = self.shared.base.read().expect("the base lock");
        let def = &base.schema.sets[set];
        let view = match (def.kind, function) {
            (Kind::AccumulationRegister, "Balance") => {
                registers::accumulation_balance(&base, def, &args)
            }
            (Kind::AccountingRegister, "Balance") => {
                registers::accounting_balance(&base, def, &args)
            }
            (Kind::InformationRegister, "SliceLast") if def.field("Period").is_some() => {
                registers::slice_last(&base, set, &args)
            }
            _ => return Err(Failed::segment(segment)),
        }
        .map_err(Failed::filter)?;
        self.list(view, false, self.options)
    }

    fn related(&self, set: usize, key: Uuid, segment: &str) -> Result<Response, Failed> {
        let base = self.shared.base.read().expect("the base lock");
        let def = &base.schema.sets[set];
        let row = base
            .get(set, key)
            .ok_or_else(|| Failed::not_found(&format!("{}(guid'{key}')", def.name)))?;
        if let Some(table) = def.table(segment) {
            return self.list(
                registers::table_rows(&base, set, table, Some(key)),
                false,
                self.options,
            );
        }
        let field = def
            .field(&format!("{segment}_Key"))
            .filter(|&i| def.fields[i].navigation().is_some())
            .ok_or_else(|| Failed::segment(segment))?;
        let crate::schema::Ty::Ref(target) = &def.fields[field].ty else {
            return Err(Failed::segment(segment));
        };
        let target_set = base
            .schema
            .set(target)
            .ok_or_else(|| Failed::segment(segment))?;
        let target_key = row[field].guid().unwrap_or_default();
        self.object(&base, target_set, target_key, StatusCode::OK)
    }
}

fn resolve(base: &Base, name: &str) -> Option<Target> {
    if let Some(set) = base.schema.set(name) {
        return Some(Target::Set(set));
    }
    base.schema.sets.iter().enumerate().find_map(|(i, def)| {
        let table = name.strip_prefix(def.name.as_str())?.strip_prefix('_')?;
        def.table(table).map(|t| Target::Table(i, t))
    })
}

trait NoNanos {
    fn with_nanosecond_zero(self) -> Self;
}

impl NoNanos for chrono::NaiveDateTime {
    fn with_nanosecond_zero(self) -> Self {
        chrono::Timelike::with_nanosecond(&self, 0).unwrap_or(self)
    }
}
