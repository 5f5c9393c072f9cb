//! The HTTP client of 1C's standard OData interface.
//!
//! Every request asks for `$format=json`, authenticates with HTTP Basic (UTF-8), and is retried with
//! growing pauses when 1C is unreachable or answers 5xx ([`Retry`]). 1C's error bodies
//! (`{"odata.error":{"code":"9","message":{"value":"…"}}}`) become [`OnecError::OData`]. The
//! interface has no server paging: lists are read page by page with `$top`/`$skip` ordered by
//! `Ref_Key` ([`Query::page`]).

pub mod literal;

use std::time::Duration;

use reqwest::{Method, StatusCode, Url};
use serde_json::{Map, Value};

use crate::{OnecError, OnecResult};

/// One 1C object as JSON.
pub type Object = Map<String, Value>;

/// How transient failures are retried.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    /// Attempts in all (1 = no retry).
    pub attempts: u32,
    /// The pause before the second attempt; each next pause doubles.
    pub first_pause: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            attempts: 5,
            first_pause: Duration::from_millis(500),
        }
    }
}

/// Query options of a list.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// `$select`.
    pub select: Option<String>,
    /// `$filter`.
    pub filter: Option<String>,
    /// `$orderby`.
    pub orderby: Option<String>,
    /// `$top`.
    pub top: Option<u64>,
    /// `$skip`.
    pub skip: Option<u64>,
}

impl Query {
    /// A page of a set ordered by `Ref_Key` (the only stable order for paging).
    pub fn page(skip: u64, top: u64) -> Query {
        Query {
            orderby: Some("Ref_Key".into()),
            top: Some(top),
            skip: Some(skip),
            ..Query::default()
        }
    }

    /// The same query with `$select`.
    pub fn select(mut self, fields: &str) -> Query {
        self.select = Some(fields.to_string());
        self
    }

    /// The same query with `$filter`.
    pub fn filter(mut self, filter: impl Into<String>) -> Query {
        self.filter = Some(filter.into());
        self
    }
}

/// A client of one published base (its `Debug` leaves the password out).
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    root: Url,
    login: String,
    password: String,
    retry: Retry,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("root", &self.root.as_str())
            .field("login", &self.login)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client of the publication at `root` (ending in `/odata/standard.odata/`).
    pub fn new(root: &str, login: &str, password: &str, retry: Retry) -> OnecResult<Client> {
        let root =
            Url::parse(root).map_err(|e| OnecError::Config(format!("bad 1C address: {e}")))?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(300))
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| OnecError::Config(e.to_string()))?;
        Ok(Client {
            http,
            root,
            login: login.to_string(),
            password: password.to_string(),
            retry,
        })
    }

    /// The publication root.
    pub fn root(&self) -> &str {
        self.root.as_str()
    }

    fn url(&self, segment: &str, query: &[(&str, String)]) -> OnecResult<Url> {
        let mut url = self
            .root
            .join(segment)
            .map_err(|e| OnecError::Config(format!("bad 1C path {segment}: {e}")))?;
        {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in query {
                pairs.append_pair(name, value);
            }
        }
        Ok(url)
    }

    /// Sends a request, retrying transient failures; returns the status and the body.
    async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
    ) -> OnecResult<(StatusCode, bytes_body::Body)> {
        let mut pause = self.retry.first_pause;
        let mut attempt = 1;
        loop {
            match self.send_once(method.clone(), url.clone(), body).await {
                Err(error) if error.is_transient() && attempt < self.retry.attempts => {
                    tracing::warn!(%error, attempt, "1C request failed, retrying");
                    tokio::time::sleep(pause).await;
                    pause *= 2;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn send_once(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
    ) -> OnecResult<(StatusCode, bytes_body::Body)> {
        let mut request = self
            .http
            .request(method, url)
            .basic_auth(&self.login, Some(&self.password))
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| OnecError::Transient(without_url(e)))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| OnecError::Transient(without_url(e)))?;
        if status.is_success() {
            return Ok((status, bytes_body::Body(bytes.to_vec())));
        }
        Err(error_of(status, &bytes))
    }

    async fn get_json(&self, segment: &str, query: &Query) -> OnecResult<Value> {
        let mut pairs = vec![("$format", "json".to_string())];
        if let Some(select) = &query.select {
            pairs.push(("$select", select.clone()));
        }
        if let Some(filter) = &query.filter {
            pairs.push(("$filter", filter.clone()));
        }
        if let Some(orderby) = &query.orderby {
            pairs.push(("$orderby", orderby.clone()));
        }
        if let Some(top) = query.top {
            pairs.push(("$top", top.to_string()));
        }
        if let Some(skip) = query.skip {
            pairs.push(("$skip", skip.to_string()));
        }
        let url = self.url(segment, &pairs)?;
        let (_, body) = self.send(Method::GET, url, None).await?;
        body.json()
    }

    /// The base's `$metadata` (EDMX).
    pub async fn metadata(&self) -> OnecResult<String> {
        let url = self.url("$metadata", &[])?;
        let (_, body) = self.send(Method::GET, url, None).await?;
        String::from_utf8(body.0).map_err(|_| OnecError::Protocol("$metadata is not UTF-8".into()))
    }

    /// Objects of an entity set (or rows of a virtual table such as `X/Balance(...)`).
    pub async fn list(&self, segment: &str, query: &Query) -> OnecResult<Vec<Object>> {
        let value = self.get_json(segment, query).await?;
        rows(value)
    }

    /// One object by its reference; `None` when 1C has no such object (error code 9).
    pub async fn get(&self, set: &str, key: uuid::Uuid) -> OnecResult<Option<Object>> {
        let segment = format!("{set}({})", literal::guid(key));
        match self.get_json(&segment, &Query::default()).await {
            Ok(Value::Object(object)) => Ok(Some(object)),
            Ok(_) => Err(OnecError::Protocol(format!("{set}: not an object"))),
            Err(OnecError::OData { code, .. }) if code == "9" => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// Creates an object; 1C answers 201 with the whole object.
    pub async fn create(&self, set: &str, body: &Value) -> OnecResult<Object> {
        let url = self.url(set, &[("$format", "json".into())])?;
        let (_, response) = self.send(Method::POST, url, Some(body)).await?;
        object(response.json()?)
    }

    /// Changes the fields given of an object.
    pub async fn update(&self, set: &str, key: uuid::Uuid, body: &Value) -> OnecResult<Object> {
        let segment = format!("{set}({})", literal::guid(key));
        let url = self.url(&segment, &[("$format", "json".into())])?;
        let (_, response) = self.send(Method::PATCH, url, Some(body)).await?;
        object(response.json()?)
    }

    /// Posts a document (not in operational mode, as an exchange does).
    pub async fn post_document(&self, set: &str, key: uuid::Uuid) -> OnecResult<()> {
        let segment = format!("{set}({})/Post", literal::guid(key));
        let url = self.url(
            &segment,
            &[
                ("PostingModeOperational", "false".into()),
                ("$format", "json".into()),
            ],
        )?;
        self.send(Method::POST, url, None).await.map(|_| ())
    }
}

/// The request's error without its URL (which may carry a filter with a client's name).
fn without_url(error: reqwest::Error) -> String {
    error.without_url().to_string()
}

fn error_of(status: StatusCode, body: &[u8]) -> OnecError {
    if status == StatusCode::UNAUTHORIZED {
        return OnecError::Unauthorized;
    }
    let parsed: Option<(String, String)> =
        serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|value| {
                let error = value.get("odata.error")?;
                let code = match error.get("code")? {
                    Value::String(code) => code.clone(),
                    other => other.to_string(),
                };
                let message = error
                    .pointer("/message/value")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                Some((code, message))
            });
    match parsed {
        Some((code, message)) => OnecError::OData {
            status: status.as_u16(),
            code,
            message,
        },
        None if matches!(status.as_u16(), 502..=504) || status.as_u16() == 500 => {
            OnecError::Transient(format!("HTTP {status}"))
        }
        None => OnecError::Protocol(format!("HTTP {status}")),
    }
}

fn rows(value: Value) -> OnecResult<Vec<Object>> {
    let Value::Object(mut envelope) = value else {
        return Err(OnecError::Protocol("a list is not a JSON object".into()));
    };
    match envelope.remove("value") {
        Some(Value::Array(items)) => items.into_iter().map(object).collect(),
        _ => Err(OnecError::Protocol("a list has no `value` array".into())),
    }
}

fn object(value: Value) -> OnecResult<Object> {
    match value {
        Value::Object(object) => Ok(object),
        _ => Err(OnecError::Protocol("expected a JSON object".into())),
    }
}

/// A response body.
mod bytes_body {
    use serde_json::Value;

    use crate::{OnecError, OnecResult};

    /// The bytes of a response.
    pub struct Body(pub Vec<u8>);

    impl Body {
        /// Parses the body as JSON.
        pub fn json(&self) -> OnecResult<Value> {
            serde_json::from_slice(&self.0)
                .map_err(|e| OnecError::Protocol(format!("not JSON ({e}); was $format=json kept?")))
        }
    }
}
