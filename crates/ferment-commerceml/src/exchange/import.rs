//! Resumable import: a file is read in batches of items, and the position of the last committed
//! batch is kept in the session's state directory.
//!
//! Within one process the open reader is kept between `import` calls, so a file is parsed once.
//! After a restart (or when a batch was handed out but never committed) the file is reopened and
//! the committed number of items skipped; that re-reads the prefix once, which costs parsing time
//! but no database work.

use std::fs::{self, File};
use std::io::BufReader;
use std::path::{Path, PathBuf};

use crate::error::ExchangeError;
use crate::model::Item;
use crate::read::CmlReader;

/// What the glue does next after [`super::Exchange::import_step`].
#[derive(Debug)]
pub enum Step {
    /// Apply these items, then call [`super::Exchange::commit_step`] and answer
    /// [`super::Answer::progress`] so that 1C calls `import` again.
    Batch(ImportBatch),
    /// The file is fully imported: answer [`super::Answer::success`].
    Done,
}

/// Items of one file, `start..end` counted in items from the beginning of the file.
#[derive(Debug)]
pub struct ImportBatch {
    /// The file as 1C named it.
    pub file: String,
    /// Items before this batch (the committed position it was read from).
    pub start: u64,
    /// Items up to the end of this batch: the position [`super::Exchange::commit_step`] stores.
    pub end: u64,
    /// Whether the file ended within this batch.
    pub last: bool,
    /// The items, in document order: headers, then groups (parents first), products, offers…
    pub items: Vec<Item>,
}

impl ImportBatch {
    /// The line after `progress` in the answer to 1C.
    pub fn progress_message(&self) -> String {
        format!("{}: {} items imported", self.file, self.end)
    }
}

/// An open reader positioned after `position` items.
pub(crate) struct Cursor {
    pub(crate) reader: CmlReader<BufReader<File>>,
    pub(crate) position: u64,
}

impl Cursor {
    /// Opens the file and skips the items already committed.
    pub(crate) fn open(path: &Path, file: &str, skip: u64) -> Result<Self, ExchangeError> {
        let parse = |source| ExchangeError::Parse {
            file: file.to_owned(),
            source,
        };
        let mut reader = CmlReader::open(path).map_err(parse)?;
        for _ in 0..skip {
            if reader.next_item().map_err(parse)?.is_none() {
                break;
            }
        }
        Ok(Self {
            reader,
            position: skip,
        })
    }
}

/// The committed position of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Position {
    pub(crate) items: u64,
    pub(crate) done: bool,
}

/// Where a file's position is kept: the name hex-encoded, so any name maps to one flat file.
pub(crate) fn position_path(state_dir: &Path, file: &str) -> PathBuf {
    let hex: String = file.bytes().map(|b| format!("{b:02x}")).collect();
    state_dir.join(format!("import-{hex}.pos"))
}

pub(crate) fn load_position(path: &Path) -> Result<Position, ExchangeError> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Position::default()),
        Err(e) => return Err(e.into()),
    };
    let mut words = text.split_whitespace();
    let items = words.next().and_then(|w| w.parse().ok()).unwrap_or(0);
    let done = words.next() == Some("done");
    Ok(Position { items, done })
}

pub(crate) fn store_position(path: &Path, position: Position) -> Result<(), ExchangeError> {
    let text = if position.done {
        format!("{} done\n", position.items)
    } else {
        format!("{}\n", position.items)
    };
    super::files::write_atomically(path, &text)?;
    Ok(())
}
