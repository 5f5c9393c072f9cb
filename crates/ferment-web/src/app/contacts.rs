//! Contact use cases: the people at the clients.
//!
//! A contact is seen through its counterparty: access to a contact is decided with the facts
//! (owner, territory) of the counterparty it belongs to, and a contact may only be attached to a
//! counterparty the user can see.

use ferment_domain::access::{Operation, RecordFacts, RecordKind, Target};
use ferment_domain::contact::{Contact, ContactInput};
use ferment_domain::validation::{FieldError, Problem};
use ferment_store::history::HistoryEntry;
use ferment_store::list::Page;
use ferment_store::{Record, Store, StoreError, Tx, contacts, counterparties, history};
use uuid::Uuid;

use super::{Connection, begin, check, commit, scope};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

const KIND: RecordKind = RecordKind::Contact;

/// The access facts of a contact: those of its counterparty, when it has a live one.
pub(crate) async fn facts_of(
    connection: &mut Connection,
    data: &Contact,
) -> AppResult<RecordFacts> {
    match data.counterparty_id {
        Some(counterparty_id) => match counterparties::get(connection, counterparty_id).await {
            Ok(counterparty) => {
                super::counterparties::facts_of(connection, &counterparty.data).await
            }
            Err(StoreError::NotFound) => Ok(RecordFacts::default()),
            Err(error) => Err(error.into()),
        },
        None => Ok(RecordFacts::default()),
    }
}

/// The counterparty must exist and be visible to the user; otherwise the reference is unknown (a
/// hidden client looks exactly like a missing one).
async fn check_rules(tx: &mut Tx, user: &CurrentUser, data: &Contact) -> AppResult<()> {
    let Some(counterparty_id) = data.counterparty_id else {
        return Ok(());
    };
    let unknown = || {
        AppError::Invalid(vec![FieldError::new(
            "counterparty_id",
            Problem::UnknownReference,
        )])
    };
    let counterparty = match counterparties::get(tx, counterparty_id).await {
        Ok(counterparty) => counterparty,
        Err(StoreError::NotFound) => return Err(unknown()),
        Err(error) => return Err(error.into()),
    };
    let known = super::counterparties::facts_of(tx, &counterparty.data).await?;
    check(
        user,
        RecordKind::Counterparty,
        Operation::Read,
        Target::Existing(&known),
        Some(counterparty_id),
    )
    .map_err(|_| unknown())
}

/// Creates a contact.
pub async fn create(
    store: &Store,
    user: &CurrentUser,
    input: &ContactInput,
) -> AppResult<Record<Contact>> {
    check(user, KIND, Operation::Create, Target::Kind, None)?;
    let data = input.validate()?;
    let mut tx = begin(store).await?;
    let record = create_in(&mut tx, user, &data).await?;
    commit(tx).await?;
    Ok(record)
}

/// Creates a validated contact in the caller's transaction (a lead's conversion makes one).
pub async fn create_in(
    tx: &mut Tx,
    user: &CurrentUser,
    data: &Contact,
) -> AppResult<Record<Contact>> {
    check_rules(tx, user, data).await?;
    let new = facts_of(tx, data).await?;
    check(user, KIND, Operation::Create, Target::New(&new), None)?;
    Ok(contacts::insert(tx, Some(user.actor.user_id), data).await?)
}

/// Reads a contact the user may see.
pub async fn get(store: &Store, user: &CurrentUser, id: Uuid) -> AppResult<Record<Contact>> {
    let mut connection = store.reader().await?;
    let record = contacts::get(&mut connection, id).await?;
    let known = facts_of(&mut connection, &record.data).await?;
    check(
        user,
        KIND,
        Operation::Read,
        Target::Existing(&known),
        Some(id),
    )?;
    Ok(record)
}

/// Changes a contact: `edit` turns the current input into the new one.
pub async fn update(
    store: &Store,
    user: &CurrentUser,
    id: Uuid,
    version: i64,
    edit: impl FnOnce(ContactInput) -> Result<ContactInput, Vec<FieldError>>,
) -> AppResult<Record<Contact>> {
    let mut tx = begin(store).await?;
    let current = contacts::get(&mut tx, id).await?;
    let known = facts_of(&mut tx, &current.data).await?;
    check(
        user,
        KIND,
        Operation::Edit,
        Target::Existing(&known),
        Some(id),
    )?;
    let input = edit(ContactInput::from(&current.data))?;
    let data = input.validate()?;
    if current.meta.version != version {
        return Err(AppError::StaleVersion {
            current: current.meta.version,
        });
    }
    check_rules(&mut tx, user, &data).await?;
    let record = contacts::update(&mut tx, Some(user.actor.user_id), id, version, &data).await?;
    commit(tx).await?;
    Ok(record)
}

/// Deletes (hides) a contact; with a `version`, only if it has not changed since.
pub async fn delete(
    store: &Store,
    user: &CurrentUser,
    id: Uuid,
    version: Option<i64>,
) -> AppResult<()> {
    let mut tx = begin(store).await?;
    let current = contacts::get(&mut tx, id).await?;
    let known = facts_of(&mut tx, &current.data).await?;
    check(
        user,
        KIND,
        Operation::Delete,
        Target::Existing(&known),
        Some(id),
    )?;
    if let Some(version) = version
        && version != current.meta.version
    {
        return Err(AppError::StaleVersion {
            current: current.meta.version,
        });
    }
    contacts::delete(&mut tx, Some(user.actor.user_id), id).await?;
    commit(tx).await
}

/// A page of the contacts the user may see.
pub async fn list(
    store: &Store,
    user: &CurrentUser,
    query: &contacts::ListQuery,
) -> AppResult<Page<contacts::ListRow>> {
    let mut connection = store.reader().await?;
    Ok(contacts::list(&mut connection, &scope(user, KIND), query).await?)
}

/// A contact's change history.
pub async fn history(store: &Store, user: &CurrentUser, id: Uuid) -> AppResult<Vec<HistoryEntry>> {
    get(store, user, id).await?;
    let mut connection = store.reader().await?;
    Ok(history::list(&mut connection, id, 200).await?)
}
