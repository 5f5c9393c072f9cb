//! 1C's side of the exchange with a site, as «Обмен с сайтом» runs it: for the 1C emulator and the
//! tests. Not used by Ferment's server.
//!
//! One [`run_exchange`] is one scheduled exchange of 1C: the catalog (`checkauth`, `init`, the files
//! — zipped if the site accepts zip, in chunks no larger than its `file_limit` — and `import` per
//! file until `success`), then the orders (`checkauth`, `init`, `query`, `success`, and optionally
//! a file of orders with 1C's statuses, uploaded and imported).

use std::io::{Cursor, Write};

use reqwest::header::{CONTENT_TYPE, COOKIE};
use reqwest::{Client, Method, Url};

use crate::error::ParseError;
use crate::model::Document;
use crate::order::Order;

/// How this "1C" behaves.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Zip the catalog files when the site answers `zip=yes`.
    pub zip: bool,
    /// The largest chunk this client sends, further limited by the site's `file_limit`.
    pub chunk_size: usize,
    /// `import` calls allowed per file before giving up on a site that keeps answering `progress`.
    pub max_import_calls: usize,
    /// A file of orders with 1C's statuses (`filename`, bytes) to upload and import after `query`.
    pub orders_with_statuses: Option<(String, Vec<u8>)>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            zip: true,
            chunk_size: 1024 * 1024,
            max_import_calls: 10_000,
            orders_with_statuses: None,
        }
    }
}

/// What happened during one exchange.
#[derive(Debug, Clone, Default)]
pub struct ExchangeReport {
    /// Whether the catalog files went as one zip archive.
    pub zipped: bool,
    /// The site's `file_limit`.
    pub file_limit: u64,
    /// Each upload: the name sent, its size and the number of chunks.
    pub uploads: Vec<Upload>,
    /// Each imported file with the number of `import` calls it took and the progress messages.
    pub imports: Vec<ImportReport>,
    /// The orders the site sent in answer to `query`.
    pub orders: Vec<Order>,
    /// The orders file as received.
    pub orders_xml: Vec<u8>,
    /// Whether a statuses file was uploaded and imported.
    pub statuses_imported: bool,
}

/// One uploaded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// The `filename` sent.
    pub filename: String,
    /// Bytes in total.
    pub bytes: usize,
    /// Requests it took.
    pub chunks: usize,
}

/// One imported file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// The `filename` imported.
    pub filename: String,
    /// `import` calls until `success`.
    pub calls: usize,
    /// The `progress` messages, in order.
    pub progress: Vec<String>,
}

/// Why the exchange stopped.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The request could not be made.
    #[error("request failed: {0}")]
    Http(#[from] reqwest::Error),
    /// The site answered with an HTTP error.
    #[error("{mode}: HTTP {status}: {body}")]
    Status {
        /// The `mode` requested.
        mode: String,
        /// The HTTP status.
        status: u16,
        /// The answer's body.
        body: String,
    },
    /// The site answered `failure`.
    #[error("{mode}: the site answered failure: {message}")]
    Failure {
        /// The `mode` requested.
        mode: String,
        /// The message after `failure`.
        message: String,
    },
    /// The answer was not what the protocol says.
    #[error("{mode}: unexpected answer {body:?}")]
    Protocol {
        /// The `mode` requested.
        mode: String,
        /// The answer's body.
        body: String,
    },
    /// The site kept answering `progress`.
    #[error("{filename}: still in progress after {calls} import calls")]
    TooManyImportCalls {
        /// The file being imported.
        filename: String,
        /// Calls made.
        calls: usize,
    },
    /// The orders from `query` are not valid CommerceML.
    #[error("orders from query: {0}")]
    Orders(#[from] ParseError),
    /// The archive could not be built.
    #[error("zip: {0}")]
    Zip(String),
}

/// Runs one exchange against `base_url` (the site's `/exchange/1c`), sending `files`
/// (`import.xml`, `offers.xml`, `import_files/…`) as the catalog. The `.xml` files at the top level
/// are imported in the order given.
pub async fn run_exchange(
    base_url: &str,
    login: &str,
    password: &str,
    files: Vec<(String, Vec<u8>)>,
    options: &ClientOptions,
) -> Result<ExchangeReport, ClientError> {
    let base = Url::parse(base_url).map_err(|e| ClientError::Protocol {
        mode: "url".into(),
        body: e.to_string(),
    })?;
    let mut report = ExchangeReport::default();
    if !files.is_empty() {
        let mut site = Site::connect(&base, login, password, "catalog").await?;
        let init = site.init().await?;
        report.file_limit = init.file_limit;
        let chunk = chunk_size(options.chunk_size, init.file_limit);
        let to_import: Vec<String> = files
            .iter()
            .map(|(name, _)| name.clone())
            .filter(|name| !name.contains('/') && name.to_lowercase().ends_with(".xml"))
            .collect();
        if options.zip && init.zip {
            report.zipped = true;
            let archive = zip_files(&files)?;
            report
                .uploads
                .push(site.upload("exchange.zip", &archive, chunk).await?);
        } else {
            for (name, bytes) in &files {
                report.uploads.push(site.upload(name, bytes, chunk).await?);
            }
        }
        for name in to_import {
            report
                .imports
                .push(site.import(&name, options.max_import_calls).await?);
        }
    }

    let mut site = Site::connect(&base, login, password, "sale").await?;
    let init = site.init().await?;
    report.orders_xml = site.call(Method::GET, "query", &[], None).await?;
    report.orders = Document::from_bytes(&report.orders_xml)?.orders;
    site.expect_success("success", &[], None).await?;
    if let Some((name, bytes)) = &options.orders_with_statuses {
        let chunk = chunk_size(options.chunk_size, init.file_limit);
        report.uploads.push(site.upload(name, bytes, chunk).await?);
        report
            .imports
            .push(site.import(name, options.max_import_calls).await?);
        report.statuses_imported = true;
    }
    Ok(report)
}

fn chunk_size(wanted: usize, file_limit: u64) -> usize {
    let limit = usize::try_from(file_limit).unwrap_or(usize::MAX);
    wanted.min(limit).max(1)
}

/// Packs the files into one archive, as 1C does when the site accepts zip.
fn zip_files(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, ClientError> {
    let zip_error = |e: &dyn std::fmt::Display| ClientError::Zip(e.to_string());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in files {
        writer
            .start_file(name.as_str(), options)
            .map_err(|e| zip_error(&e))?;
        writer.write_all(bytes).map_err(|e| zip_error(&e))?;
    }
    let cursor = writer.finish().map_err(|e| zip_error(&e))?;
    Ok(cursor.into_inner())
}

/// The site's answer to `init`.
struct Init {
    zip: bool,
    file_limit: u64,
}

/// One session with the site: the cookie from `checkauth` goes with every later request.
struct Site {
    http: Client,
    base: Url,
    kind: &'static str,
    cookie: String,
    login: String,
    password: String,
}

impl Site {
    async fn connect(
        base: &Url,
        login: &str,
        password: &str,
        kind: &'static str,
    ) -> Result<Self, ClientError> {
        let mut site = Self {
            http: Client::new(),
            base: base.clone(),
            kind,
            cookie: String::new(),
            login: login.to_owned(),
            password: password.to_owned(),
        };
        let body = site.text("checkauth", &[], None).await?;
        let lines: Vec<&str> = body.lines().map(str::trim).collect();
        match lines.as_slice() {
            ["success", name, value, ..] => site.cookie = format!("{name}={value}"),
            _ => return Err(answer_error("checkauth", &body)),
        }
        Ok(site)
    }

    async fn init(&mut self) -> Result<Init, ClientError> {
        let body = self.text("init", &[], None).await?;
        let mut init = Init {
            zip: false,
            file_limit: 0,
        };
        for line in body.lines() {
            match line.trim().split_once('=') {
                Some(("zip", value)) => init.zip = value == "yes",
                Some(("file_limit", value)) => {
                    init.file_limit = value.parse().map_err(|_| ClientError::Protocol {
                        mode: "init".into(),
                        body: body.clone(),
                    })?;
                }
                _ => {}
            }
        }
        if init.file_limit == 0 {
            return Err(answer_error("init", &body));
        }
        Ok(init)
    }

    async fn upload(
        &mut self,
        filename: &str,
        bytes: &[u8],
        chunk: usize,
    ) -> Result<Upload, ClientError> {
        let mut chunks = 0;
        // An empty file is still one request, so that the site creates it.
        let pieces: Vec<&[u8]> = if bytes.is_empty() {
            vec![bytes]
        } else {
            bytes.chunks(chunk).collect()
        };
        for piece in pieces {
            self.expect_success("file", &[("filename", filename)], Some(piece.to_vec()))
                .await?;
            chunks += 1;
        }
        Ok(Upload {
            filename: filename.to_owned(),
            bytes: bytes.len(),
            chunks,
        })
    }

    async fn import(
        &mut self,
        filename: &str,
        max_calls: usize,
    ) -> Result<ImportReport, ClientError> {
        let mut report = ImportReport {
            filename: filename.to_owned(),
            calls: 0,
            progress: Vec::new(),
        };
        while report.calls < max_calls {
            report.calls += 1;
            let body = self.text("import", &[("filename", filename)], None).await?;
            let mut lines = body.lines();
            match lines.next().map(str::trim) {
                Some("success") => return Ok(report),
                Some("progress") => report.progress.push(lines.collect::<Vec<_>>().join(" ")),
                _ => return Err(answer_error("import", &body)),
            }
        }
        Err(ClientError::TooManyImportCalls {
            filename: filename.to_owned(),
            calls: report.calls,
        })
    }

    async fn expect_success(
        &mut self,
        mode: &str,
        params: &[(&str, &str)],
        upload: Option<Vec<u8>>,
    ) -> Result<(), ClientError> {
        let body = self.text(mode, params, upload).await?;
        if body.lines().next().map(str::trim) == Some("success") {
            Ok(())
        } else {
            Err(answer_error(mode, &body))
        }
    }

    async fn text(
        &mut self,
        mode: &str,
        params: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Result<String, ClientError> {
        let method = if body.is_some() {
            Method::POST
        } else {
            Method::GET
        };
        let bytes = self.call(method, mode, params, body).await?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    async fn call(
        &mut self,
        method: Method,
        mode: &str,
        params: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Result<Vec<u8>, ClientError> {
        let mut url = self.base.clone();
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("type", self.kind)
                .append_pair("mode", mode);
            for (name, value) in params {
                query.append_pair(name, value);
            }
        }
        let mut request = self
            .http
            .request(method, url)
            .basic_auth(&self.login, Some(&self.password));
        if !self.cookie.is_empty() {
            request = request.header(COOKIE, &self.cookie);
        }
        if let Some(body) = body {
            request = request
                .header(CONTENT_TYPE, "application/octet-stream")
                .body(body);
        }
        let response = request.send().await?;
        let status = response.status();
        let bytes = response.bytes().await?.to_vec();
        if !status.is_success() {
            return Err(ClientError::Status {
                mode: mode.to_owned(),
                status: status.as_u16(),
                body: String::from_utf8_lossy(&bytes).into_owned(),
            });
        }
        Ok(bytes)
    }
}

fn answer_error(mode: &str, body: &str) -> ClientError {
    let mut lines = body.lines();
    if lines.next().map(str::trim) == Some("failure") {
        ClientError::Failure {
            mode: mode.to_owned(),
            message: lines.collect::<Vec<_>>().join(" "),
        }
    } else {
        ClientError::Protocol {
            mode: mode.to_owned(),
            body: body.to_owned(),
        }
    }
}
