//! The company's own requisites and images (logo, stamp, signatures) that documents print. Anyone
//! signed in may read them (they are on every invoice); changing them takes the `edit_templates`
//! right. Stored as the `company` setting; images in the file store, by digest.

use ferment_domain::access::SystemOp;
use ferment_domain::company::{Company, CompanyInput};
use ferment_domain::validation::{FieldError, Problem};
use ferment_store::files::FileStore;
use ferment_store::{Store, settings};
use serde::{Deserialize, Serialize};

use super::{begin, check_system, commit};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

/// The setting's key.
pub const SETTING: &str = "company";

/// The images a company may upload, by slot.
pub const IMAGE_SLOTS: [&str; 4] = [
    "logo",
    "stamp",
    "signature_director",
    "signature_accountant",
];

/// Largest image accepted.
pub const IMAGE_MAX_BYTES: usize = 2 * 1024 * 1024;

/// An uploaded image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredImage {
    /// Digest in the file store.
    pub sha256: String,
    /// `png` or `jpg`.
    pub extension: String,
}

/// What the setting holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanySetting {
    /// The requisites.
    pub requisites: Company,
    /// Images by slot.
    #[serde(default)]
    pub images: std::collections::BTreeMap<String, StoredImage>,
}

/// The stored company (empty requisites before an administrator fills them).
pub async fn get(store: &Store) -> AppResult<CompanySetting> {
    let mut connection = store.reader().await?;
    read(&mut connection).await
}

/// Reads the setting on a connection.
pub async fn read(connection: &mut super::Connection) -> AppResult<CompanySetting> {
    match settings::get(connection, SETTING).await? {
        Some(value) => serde_json::from_value(value)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("company setting unreadable: {e}"))),
        None => Ok(CompanySetting::default()),
    }
}

/// Saves the requisites (every field checked, control digits included).
pub async fn save(
    store: &Store,
    user: &CurrentUser,
    input: &CompanyInput,
) -> AppResult<CompanySetting> {
    check_system(user, SystemOp::EditTemplates)?;
    let requisites = input.validate().map_err(AppError::Invalid)?;
    let mut tx = begin(store).await?;
    let mut setting = read(&mut tx).await?;
    let old = setting.clone();
    setting.requisites = requisites;
    write(&mut tx, user, &old, &setting).await?;
    commit(tx).await?;
    Ok(setting)
}

async fn write(
    tx: &mut ferment_store::Tx,
    user: &CurrentUser,
    old: &CompanySetting,
    new: &CompanySetting,
) -> AppResult<()> {
    let value = serde_json::to_value(new).map_err(|e| AppError::Internal(e.into()))?;
    settings::set(tx, SETTING, &value).await?;
    ferment_store::history::record_change(
        tx,
        SETTING,
        uuid::Uuid::nil(),
        ferment_store::history::Action::Update,
        Some(user.actor.user_id),
        Some(old),
        Some(new),
    )
    .await?;
    Ok(())
}

/// The extension of a PNG or JPEG image, from its first bytes.
pub fn image_extension(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpg")
    } else {
        None
    }
}

/// Stores an image in a slot (`logo`, `stamp`, `signature_director`, `signature_accountant`);
/// empty bytes remove it.
pub async fn set_image(
    store: &Store,
    files: &FileStore,
    user: &CurrentUser,
    slot: &str,
    bytes: &[u8],
) -> AppResult<CompanySetting> {
    check_system(user, SystemOp::EditTemplates)?;
    if !IMAGE_SLOTS.contains(&slot) {
        return Err(AppError::Invalid(vec![FieldError::new(
            "slot",
            Problem::NotAllowed {
                allowed: IMAGE_SLOTS.iter().map(|s| (*s).to_owned()).collect(),
            },
        )]));
    }
    let image = if bytes.is_empty() {
        None
    } else {
        if bytes.len() > IMAGE_MAX_BYTES {
            return Err(AppError::Invalid(vec![FieldError::new(
                slot,
                Problem::Rule {
                    ru: "Изображение больше 2 МБ".into(),
                    en: "The image is larger than 2 MB".into(),
                },
            )]));
        }
        let Some(extension) = image_extension(bytes) else {
            return Err(AppError::Invalid(vec![FieldError::new(
                slot,
                Problem::Rule {
                    ru: "Нужен файл PNG или JPEG".into(),
                    en: "A PNG or JPEG file is needed".into(),
                },
            )]));
        };
        let checked = bytes.to_vec();
        tokio::task::spawn_blocking(move || ferment_docs::check_image(&checked))
            .await
            .map_err(|e| AppError::Internal(e.into()))?
            .map_err(|e| {
                AppError::Invalid(vec![FieldError::new(
                    slot,
                    Problem::Rule {
                        ru: e.message_ru,
                        en: e.message_en,
                    },
                )])
            })?;
        let sha256 = files.put(bytes).await?;
        Some(StoredImage {
            sha256,
            extension: extension.to_owned(),
        })
    };
    let mut tx = begin(store).await?;
    let mut setting = read(&mut tx).await?;
    let old = setting.clone();
    match image {
        Some(image) => {
            setting.images.insert(slot.to_owned(), image);
        }
        None => {
            setting.images.remove(slot);
        }
    }
    write(&mut tx, user, &old, &setting).await?;
    commit(tx).await?;
    Ok(setting)
}
