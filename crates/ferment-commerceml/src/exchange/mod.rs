//! The server side of 1C's exchange with a site: what the `/exchange/1c` handler calls for each
//! `type=catalog|sale` × `mode=checkauth|init|file|import|query|success` request.
//!
//! Everything lives under a work directory, one folder per session (the cookie handed out by
//! `checkauth`): `sessions/<id>/files/` holds the uploads exactly as 1C named them, and
//! `sessions/<id>/state/` the import positions and the orders last sent. Nothing is kept only in
//! memory, so a restart between any two requests loses nothing. The calls do blocking file I/O:
//! run them in `spawn_blocking`.
//!
//! The import contract (also in `docs/COMMERCEML.md`): [`Exchange::import_step`] hands out a
//! batch; the glue applies it to the database and then calls [`Exchange::commit_step`]. If the
//! process dies between the two, the same batch is handed out again, so applying must be
//! idempotent — upserts keyed by `Ид` are. A glue that wants exactly-once instead stores
//! [`ImportBatch::end`] in the same transaction and skips batches whose `end` it has already seen.

mod files;
mod import;

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use chrono::NaiveDateTime;

use crate::error::ExchangeError;
use crate::model::SchemaVersion;
use crate::order::Order;
use crate::write::orders_to_vec;
use import::{Cursor, Position, load_position, position_path, store_position};
pub use import::{ImportBatch, Step};

/// What the site announces and accepts.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Answer `zip=yes` to `init`: 1C then sends one archive instead of separate files.
    pub zip: bool,
    /// The largest request body accepted by `mode=file`; 1C splits bigger files into chunks of at
    /// most this size. The glue should set its body limit to the same value.
    pub file_limit: u64,
    /// The cookie's name in the `checkauth` answer.
    pub cookie_name: String,
    /// The schema version of the orders written for `mode=query`.
    pub orders_version: SchemaVersion,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            zip: true,
            file_limit: 16 * 1024 * 1024,
            cookie_name: "ferment_exchange".into(),
            orders_version: SchemaVersion::v2_08(),
        }
    }
}

/// A plain-text answer to 1C (`text/plain; charset=utf-8`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer(String);

impl Answer {
    /// The `Content-Type` of every answer but the orders XML.
    pub const CONTENT_TYPE: &'static str = "text/plain; charset=utf-8";

    /// `success`.
    pub fn success() -> Self {
        Self("success\n".into())
    }

    /// `progress` and a message: 1C repeats the same `import` call.
    pub fn progress(message: &str) -> Self {
        Self(format!("progress\n{}\n", one_line(message)))
    }

    /// `failure` and a message: 1C stops and shows the message to its operator.
    pub fn failure(message: &str) -> Self {
        Self(format!("failure\n{}\n", one_line(message)))
    }

    /// The body to send.
    pub fn body(&self) -> &str {
        &self.0
    }

    /// The body to send, owned.
    pub fn into_body(self) -> String {
        self.0
    }
}

impl From<&ExchangeError> for Answer {
    fn from(error: &ExchangeError) -> Self {
        Self::failure(&error.to_string())
    }
}

fn one_line(message: &str) -> String {
    message.replace(['\r', '\n'], " ")
}

/// One exchange session: the value of the cookie `checkauth` handed out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    id: String,
    cookie_name: String,
}

impl Session {
    /// The cookie's value (32 hexadecimal digits).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The cookie's name.
    pub fn cookie_name(&self) -> &str {
        &self.cookie_name
    }

    /// `success`, the cookie's name and value, and `sessid=` (read by newer 1C, harmless to older).
    pub fn checkauth_answer(&self) -> Answer {
        Answer(format!(
            "success\n{}\n{}\nsessid={}\n",
            self.cookie_name, self.id, self.id
        ))
    }
}

/// The exchange over one work directory. Cheap to share (`Arc<Exchange>`); safe across threads.
pub struct Exchange {
    work_dir: PathBuf,
    settings: Settings,
    /// Open readers between `import` calls, keyed by (session, file); taken out while in use.
    cursors: Mutex<HashMap<(String, String), Cursor>>,
}

impl std::fmt::Debug for Exchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exchange")
            .field("work_dir", &self.work_dir)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Exchange {
    /// An exchange keeping its sessions under `work_dir` (created if missing). A new `Exchange` on
    /// the same directory continues the sessions and imports of a previous one.
    pub fn new(work_dir: impl Into<PathBuf>, settings: Settings) -> Result<Self, ExchangeError> {
        let work_dir = work_dir.into();
        fs::create_dir_all(work_dir.join("sessions"))?;
        Ok(Self {
            work_dir,
            settings,
            cursors: Mutex::new(HashMap::new()),
        })
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// `mode=checkauth` (after the glue has checked the Basic credentials): a new session.
    /// Answer with [`Session::checkauth_answer`].
    pub fn checkauth(&self) -> Result<Session, ExchangeError> {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let dir = self.session_dir(&id);
        fs::create_dir_all(dir.join("files"))?;
        fs::create_dir_all(dir.join("state"))?;
        Ok(Session {
            id,
            cookie_name: self.settings.cookie_name.clone(),
        })
    }

    /// The session named by the cookie 1C sent back.
    pub fn session(&self, cookie_value: &str) -> Result<Session, ExchangeError> {
        let well_formed =
            cookie_value.len() == 32 && cookie_value.bytes().all(|b| b.is_ascii_hexdigit());
        if !well_formed || !self.session_dir(cookie_value).is_dir() {
            return Err(ExchangeError::UnknownSession);
        }
        Ok(Session {
            id: cookie_value.to_owned(),
            cookie_name: self.settings.cookie_name.clone(),
        })
    }

    /// `mode=init`: whether zip is accepted and the chunk size, plus `sessid` and `version=3.1`
    /// that newer 1C read.
    pub fn init(&self, session: &Session) -> Answer {
        let zip = if self.settings.zip { "yes" } else { "no" };
        Answer(format!(
            "zip={zip}\nfile_limit={}\nsessid={}\nversion=3.1\n",
            self.settings.file_limit, session.id
        ))
    }

    /// `mode=file&filename=…`: appends the body to that file of the session (chunks of one file
    /// arrive in order as several calls). Archives are unpacked at the next `import`.
    pub fn receive_file(
        &self,
        session: &Session,
        filename: &str,
        bytes: &[u8],
    ) -> Result<Answer, ExchangeError> {
        if bytes.len() as u64 > self.settings.file_limit {
            return Err(ExchangeError::TooLarge {
                size: bytes.len(),
                limit: self.settings.file_limit,
            });
        }
        let relative = files::safe_relative_path(filename)?;
        files::append(&self.files_dir(session), &relative, bytes)?;
        Ok(Answer::success())
    }

    /// The path of an uploaded (or unpacked) file, for the glue to pick up pictures
    /// (`import_files/…`) named by products.
    pub fn uploaded_file(
        &self,
        session: &Session,
        filename: &str,
    ) -> Result<PathBuf, ExchangeError> {
        let path = self
            .files_dir(session)
            .join(files::safe_relative_path(filename)?);
        if path.is_file() {
            Ok(path)
        } else {
            Err(ExchangeError::NotFound(filename.to_owned()))
        }
    }

    /// `mode=import&filename=…`: the next batch of at most `max_items` items of that file, from the
    /// committed position; [`Step::Done`] once the file is fully imported.
    pub fn import_step(
        &self,
        session: &Session,
        filename: &str,
        max_items: usize,
    ) -> Result<Step, ExchangeError> {
        let relative = files::safe_relative_path(filename)?;
        let files_dir = self.files_dir(session);
        files::unpack_archives(&files_dir)?;
        let path = files_dir.join(&relative);
        let archive = relative
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
        if archive && !path.exists() {
            // The archive itself was named: it has been unpacked, there is nothing else to do.
            return Ok(Step::Done);
        }
        if !path.is_file() {
            return Err(ExchangeError::NotFound(filename.to_owned()));
        }
        let position_file = position_path(&self.state_dir(session), filename);
        let committed = load_position(&position_file)?;
        if committed.done {
            return Ok(Step::Done);
        }
        let key = (session.id.clone(), filename.to_owned());
        let cached = self.lock_cursors().remove(&key);
        let mut cursor = match cached {
            // A cursor ahead of the committed position handed out a batch that was never
            // committed: reopen, so that the same batch is handed out again.
            Some(cursor) if cursor.position == committed.items => cursor,
            _ => Cursor::open(&path, filename, committed.items)?,
        };
        let items = cursor
            .reader
            .next_batch(max_items.max(1))
            .map_err(|source| ExchangeError::Parse {
                file: filename.to_owned(),
                source,
            })?;
        if items.is_empty() {
            store_position(
                &position_file,
                Position {
                    items: committed.items,
                    done: true,
                },
            )?;
            return Ok(Step::Done);
        }
        let start = committed.items;
        let end = start + items.len() as u64;
        let last = items.len() < max_items.max(1);
        cursor.position = end;
        if !last {
            self.lock_cursors().insert(key, cursor);
        }
        Ok(Step::Batch(ImportBatch {
            file: filename.to_owned(),
            start,
            end,
            last,
            items,
        }))
    }

    /// Records that a batch has been applied: the next [`Self::import_step`] continues after it.
    /// Committing a batch twice is harmless; committing one that does not follow the committed
    /// position is refused.
    pub fn commit_step(&self, session: &Session, batch: &ImportBatch) -> Result<(), ExchangeError> {
        let position_file = position_path(&self.state_dir(session), &batch.file);
        let committed = load_position(&position_file)?;
        if batch.end <= committed.items {
            // Committed already (a retried request): only the end-of-file mark may be missing.
            if batch.last && !committed.done && batch.end == committed.items {
                store_position(
                    &position_file,
                    Position {
                        items: committed.items,
                        done: true,
                    },
                )?;
            }
            return Ok(());
        }
        if batch.start != committed.items {
            return Err(ExchangeError::OutOfOrderCommit {
                file: batch.file.clone(),
                committed: committed.items,
                start: batch.start,
            });
        }
        store_position(
            &position_file,
            Position {
                items: batch.end,
                done: batch.last,
            },
        )
    }

    /// `type=sale&mode=query`: the orders XML to send (`application/xml; charset=utf-8`). The
    /// orders' `Ид`s are remembered until [`Self::sale_success`].
    pub fn sale_query(
        &self,
        session: &Session,
        orders: &[Order],
        generated_at: NaiveDateTime,
    ) -> Result<Vec<u8>, ExchangeError> {
        let ids: String = orders.iter().map(|o| format!("{}\n", o.id)).collect();
        files::write_atomically(&self.sent_orders_path(session), &ids)?;
        Ok(orders_to_vec(
            orders,
            &self.settings.orders_version,
            generated_at,
        ))
    }

    /// `type=sale&mode=success`: the `Ид`s of the orders sent by the last `query`, now taken by
    /// 1C; the glue marks them exported. Answer [`Answer::success`].
    pub fn sale_success(&self, session: &Session) -> Result<Vec<String>, ExchangeError> {
        let path = self.sent_orders_path(session);
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        fs::remove_file(&path)?;
        Ok(text
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect())
    }

    /// Removes sessions not touched for `older_than` (uploads included). Returns how many.
    pub fn purge_sessions(&self, older_than: Duration) -> Result<usize, ExchangeError> {
        let mut removed = 0;
        let now = SystemTime::now();
        for entry in fs::read_dir(self.work_dir.join("sessions"))? {
            let entry = entry?;
            let modified = last_modified(&entry.path())?;
            if now.duration_since(modified).unwrap_or_default() > older_than {
                let id = entry.file_name().to_string_lossy().into_owned();
                self.lock_cursors().retain(|(session, _), _| *session != id);
                fs::remove_dir_all(entry.path())?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    fn lock_cursors(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), Cursor>> {
        // A panic while holding the lock leaves only a cache behind: keep using it.
        self.cursors.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn session_dir(&self, id: &str) -> PathBuf {
        self.work_dir.join("sessions").join(id)
    }

    fn files_dir(&self, session: &Session) -> PathBuf {
        self.session_dir(&session.id).join("files")
    }

    fn state_dir(&self, session: &Session) -> PathBuf {
        self.session_dir(&session.id).join("state")
    }

    fn sent_orders_path(&self, session: &Session) -> PathBuf {
        self.state_dir(session).join("sent-orders")
    }
}

/// The latest modification under a session: its state and upload directories change with every
/// request.
fn last_modified(dir: &Path) -> std::io::Result<SystemTime> {
    let mut latest = fs::metadata(dir)?.modified()?;
    for sub in ["files", "state"] {
        if let Ok(meta) = fs::metadata(dir.join(sub)) {
            latest = latest.max(meta.modified()?);
        }
        if let Ok(entries) = fs::read_dir(dir.join(sub)) {
            for entry in entries.flatten() {
                if let Ok(meta) = entry.metadata() {
                    latest = latest.max(meta.modified()?);
                }
            }
        }
    }
    Ok(latest)
}
