//! The session's upload directory: safe relative paths, appended chunks, unpacked archives.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};

use zip::ZipArchive;

use crate::error::ExchangeError;

/// The first bytes of a zip archive's local file header.
const ZIP_SIGNATURE: &[u8; 4] = b"PK\x03\x04";

/// Turns 1C's `filename` into a relative path under the upload directory.
///
/// 1C sends `import.xml`, `import_files/ab/abc.jpg` and, from Windows, sometimes backslashes.
/// Absolute paths, drive letters, `..` and empty names are refused, so nothing is written outside
/// the session's directory whatever the name.
pub(crate) fn safe_relative_path(filename: &str) -> Result<PathBuf, ExchangeError> {
    let refuse = || ExchangeError::UnsafePath(filename.to_owned());
    let normalised = filename.replace('\\', "/");
    if normalised.is_empty()
        || normalised.starts_with('/')
        || normalised.contains('\0')
        || normalised.contains(':')
    {
        return Err(refuse());
    }
    let mut path = PathBuf::new();
    for component in Path::new(&normalised).components() {
        match component {
            Component::Normal(part) => path.push(part),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                return Err(refuse());
            }
        }
    }
    if path.as_os_str().is_empty() {
        return Err(refuse());
    }
    Ok(path)
}

/// Appends one chunk to a file, creating it and its directories on the first chunk.
pub(crate) fn append(dir: &Path, relative: &Path, bytes: &[u8]) -> io::Result<()> {
    let path = dir.join(relative);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    let mut file = OpenOptions::new().create(true).append(true).open(&path)?;
    file.write_all(bytes)?;
    file.sync_data()
}

/// Whether a top-level upload is an archive to unpack: by name (`.zip`) or by content (`PK`).
fn is_archive(path: &Path) -> io::Result<bool> {
    let by_name = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    if by_name {
        return Ok(true);
    }
    let mut head = [0u8; 4];
    let mut file = File::open(path)?;
    let read = file.read(&mut head)?;
    Ok(read == 4 && &head == ZIP_SIGNATURE)
}

/// Unpacks every top-level archive of the upload directory into it, then removes the archive.
///
/// Runs at the start of each `import` (when all chunks have arrived). Unpacking again after a crash
/// between extraction and removal rewrites the same files, so it is safe to repeat.
pub(crate) fn unpack_archives(dir: &Path) -> Result<(), ExchangeError> {
    if !dir.exists() {
        return Ok(());
    }
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if !entry.file_type()?.is_file() || !is_archive(&entry.path())? {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let bad = |message: String| ExchangeError::BadArchive {
            name: name.clone(),
            message,
        };
        let mut archive =
            ZipArchive::new(File::open(entry.path())?).map_err(|e| bad(e.to_string()))?;
        for index in 0..archive.len() {
            let mut file = archive.by_index(index).map_err(|e| bad(e.to_string()))?;
            let inner = file.name().map_err(|e| bad(e.to_string()))?.into_owned();
            let relative = safe_relative_path(&inner)?;
            let target = dir.join(&relative);
            if file.is_dir() {
                fs::create_dir_all(&target)?;
                continue;
            }
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent)?;
            }
            let mut out = File::create(&target)?;
            io::copy(&mut file, &mut out)?;
            out.sync_data()?;
        }
        fs::remove_file(entry.path())?;
    }
    Ok(())
}

/// Writes a small state file so that a reader never sees it half written.
pub(crate) fn write_atomically(path: &Path, contents: &str) -> io::Result<()> {
    let temporary = path.with_extension("tmp");
    {
        let mut file = File::create(&temporary)?;
        file.write_all(contents.as_bytes())?;
        file.sync_data()?;
    }
    fs::rename(&temporary, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_names_with_subdirectories_are_accepted() {
        assert_eq!(
            safe_relative_path("import_files/ab/abc.jpg").unwrap(),
            PathBuf::from("import_files/ab/abc.jpg")
        );
        assert_eq!(
            safe_relative_path("import_files\\ab\\abc.jpg").unwrap(),
            PathBuf::from("import_files/ab/abc.jpg")
        );
        assert_eq!(
            safe_relative_path("./import.xml").unwrap(),
            PathBuf::from("import.xml")
        );
    }

    #[test]
    fn names_that_leave_the_directory_are_refused() {
        for name in [
            "../etc/passwd",
            "a/../../b",
            "/etc/passwd",
            "\\windows\\system32",
            "C:\\boot.ini",
            "",
            ".",
            "a\0b",
        ] {
            assert!(safe_relative_path(name).is_err(), "{name:?}");
        }
    }
}
