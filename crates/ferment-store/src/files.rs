//! The content-addressed file store: generated documents, uploaded Word templates and the
//! company's images live on disk under the data directory, each named by the SHA-256 of its bytes
//! (`files/ab/cdef…`), so the same bytes are stored once and a name can never point to other
//! bytes. Metadata (who, when, which sale) is in the database; a file is written before the row
//! that names it, so a row never points to a missing file (a failed transaction leaves at most an
//! unreferenced file behind).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::{StoreError, StoreResult};

/// Where files live.
#[derive(Debug, Clone)]
pub struct FileStore {
    root: PathBuf,
}

/// The SHA-256 of bytes, lower-case hex.
pub fn digest(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

fn valid_digest(sha256: &str) -> bool {
    sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl FileStore {
    /// A file store rooted at `root` (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        FileStore { root: root.into() }
    }

    /// The directory files live in.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, sha256: &str) -> StoreResult<PathBuf> {
        if !valid_digest(sha256) {
            return Err(StoreError::NotFound);
        }
        Ok(self.root.join(&sha256[..2]).join(&sha256[2..]))
    }

    /// Stores bytes and returns their digest. Writing the same bytes twice keeps one file.
    pub async fn put(&self, bytes: &[u8]) -> StoreResult<String> {
        let sha256 = digest(bytes);
        let path = self.path(&sha256)?;
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            return Ok(sha256);
        }
        let dir = path
            .parent()
            .ok_or_else(|| anyhow::anyhow!("file path has no parent"))?;
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| anyhow::anyhow!("creating {}: {e}", dir.display()))?;
        // Write beside, then rename: a reader never sees half a file.
        let temporary = dir.join(format!(".{}.{}", &sha256[2..], uuid::Uuid::new_v4()));
        tokio::fs::write(&temporary, bytes)
            .await
            .map_err(|e| anyhow::anyhow!("writing {}: {e}", temporary.display()))?;
        tokio::fs::rename(&temporary, &path)
            .await
            .map_err(|e| anyhow::anyhow!("renaming into {}: {e}", path.display()))?;
        Ok(sha256)
    }

    /// The bytes stored under a digest; `NotFound` when absent.
    pub async fn get(&self, sha256: &str) -> StoreResult<Vec<u8>> {
        let path = self.path(sha256)?;
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(StoreError::NotFound),
            Err(e) => Err(anyhow::anyhow!("reading {}: {e}", path.display()).into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bytes_come_back_under_their_digest_and_are_stored_once() {
        let dir = std::env::temp_dir().join(format!("ferment-files-{}", uuid::Uuid::new_v4()));
        let files = FileStore::new(&dir);
        let sha = files.put(b"%PDF-1.7 test").await.expect("put");
        assert_eq!(sha, digest(b"%PDF-1.7 test"));
        assert_eq!(files.put(b"%PDF-1.7 test").await.expect("again"), sha);
        assert_eq!(files.get(&sha).await.expect("get"), b"%PDF-1.7 test");
        let in_dir: Vec<_> = std::fs::read_dir(dir.join(&sha[..2]))
            .expect("dir")
            .collect();
        assert_eq!(in_dir.len(), 1);
        assert!(matches!(
            files.get(&digest(b"other")).await,
            Err(StoreError::NotFound)
        ));
        // A name that is not a digest never reaches the file system.
        assert!(matches!(
            files.get("../../etc/passwd").await,
            Err(StoreError::NotFound)
        ));
        let _ = std::fs::remove_dir_all(dir);
    }
}
