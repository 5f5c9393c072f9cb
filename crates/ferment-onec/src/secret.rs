//! Connection passwords sealed at rest: ChaCha20-Poly1305 under a 32-byte key kept in the data
//! directory (`secret.key`, created on first use, readable by its owner only).

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::RngCore as _;

/// Seals and opens secrets with one key.
#[derive(Clone)]
pub struct Sealer {
    cipher: ChaCha20Poly1305,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(..)")
    }
}

impl Sealer {
    /// A sealer with this key.
    pub fn new(key: [u8; 32]) -> Self {
        Sealer {
            cipher: ChaCha20Poly1305::new(&Key::from(key)),
        }
    }

    /// Reads the key file, creating it with a random key (mode 0600) when missing.
    pub fn load_or_create(path: &Path) -> anyhow::Result<Sealer> {
        use anyhow::Context as _;
        if let Ok(bytes) = std::fs::read(path) {
            let key: [u8; 32] = bytes
                .as_slice()
                .try_into()
                .map_err(|_| anyhow::anyhow!("{} is not a 32-byte key", path.display()))?;
            return Ok(Sealer::new(key));
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        match write_private(path, &key) {
            Ok(()) => Ok(Sealer::new(key)),
            // Another process made it first: use theirs.
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                Sealer::load_or_create(path)
            }
            Err(error) => Err(error).with_context(|| format!("writing {}", path.display())),
        }
    }

    /// Seals a secret: base64 of a random nonce followed by the ciphertext.
    pub fn seal(&self, plain: &str) -> String {
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(&Nonce::from(nonce), plain.as_bytes())
            .expect("ChaCha20-Poly1305 encrypts any length we store");
        let mut out = nonce.to_vec();
        out.extend(sealed);
        STANDARD.encode(out)
    }

    /// Opens a sealed secret; `None` when it was sealed with another key or altered.
    pub fn open(&self, sealed: &str) -> Option<String> {
        let bytes = STANDARD.decode(sealed).ok()?;
        if bytes.len() < 12 {
            return None;
        }
        let (nonce, cipher) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().ok()?;
        let plain = self.cipher.decrypt(&Nonce::from(nonce), cipher).ok()?;
        String::from_utf8(plain).ok()
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_password_opens_with_its_key_only() {
        let sealer = Sealer::new([7; 32]);
        let sealed = sealer.seal("пароль-1С");
        assert!(!sealed.contains("пароль"));
        assert_eq!(sealer.open(&sealed).as_deref(), Some("пароль-1С"));
        assert_ne!(sealer.seal("пароль-1С"), sealed, "a fresh nonce each time");
        assert_eq!(Sealer::new([8; 32]).open(&sealed), None);
        assert_eq!(sealer.open("not base64!"), None);
    }

    #[test]
    fn the_key_file_is_created_once_and_private() {
        let dir = std::env::temp_dir().join(format!("ferment-secret-{}", uuid::Uuid::new_v4()));
        let path = dir.join("secret.key");
        let first = Sealer::load_or_create(&path).expect("created");
        let sealed = first.seal("x");
        let again = Sealer::load_or_create(&path).expect("read");
        assert_eq!(again.open(&sealed).as_deref(), Some("x"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(dir).ok();
    }
}
