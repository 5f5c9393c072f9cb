//! Counterparty use cases.

use ferment_domain::access::{Operation, RecordFacts, RecordKind, Target};
use ferment_domain::counterparty::{Counterparty, CounterpartyInput};
use ferment_store::history::HistoryEntry;
use ferment_store::list::Page;
use ferment_store::{Record, Store, Tx, counterparties, history};
use uuid::Uuid;

use super::{Connection, begin, check, check_references, commit, facts, scope};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

const KIND: RecordKind = RecordKind::Counterparty;

/// What access needs to know about a counterparty: its owner and territory.
pub async fn facts_of(connection: &mut Connection, data: &Counterparty) -> AppResult<RecordFacts> {
    facts(connection, data.owner_id, data.territory_id).await
}

async fn check_rules(tx: &mut Tx, data: &Counterparty, except: Option<Uuid>) -> AppResult<()> {
    check_references(
        tx,
        data.territory_id.map(|id| ("territory_id", id)),
        data.owner_id.map(|id| ("owner_id", id)),
    )
    .await?;
    if let Some(inn) = &data.inn
        && let Some((existing_id, existing_name)) =
            counterparties::find_duplicate(tx, inn, data.kpp.as_deref(), except).await?
    {
        return Err(AppError::Duplicate {
            field: "inn",
            existing_id,
            existing_name,
        });
    }
    Ok(())
}

/// Creates a counterparty; the creator owns it unless the input names an owner.
pub async fn create(
    store: &Store,
    user: &CurrentUser,
    input: &CounterpartyInput,
) -> AppResult<Record<Counterparty>> {
    check(user, KIND, Operation::Create, Target::Kind, None)?;
    let data = input.validate()?;
    let mut tx = begin(store).await?;
    let record = create_in(&mut tx, user, data).await?;
    commit(tx).await?;
    Ok(record)
}

/// Creates a validated counterparty in the caller's transaction (a lead's conversion makes one).
pub async fn create_in(
    tx: &mut Tx,
    user: &CurrentUser,
    mut data: Counterparty,
) -> AppResult<Record<Counterparty>> {
    if data.owner_id.is_none() {
        data.owner_id = Some(user.actor.user_id);
    }
    check_rules(tx, &data, None).await?;
    let new = facts_of(tx, &data).await?;
    check(user, KIND, Operation::Create, Target::New(&new), None)?;
    Ok(counterparties::insert(tx, Some(user.actor.user_id), &data).await?)
}

/// Reads a counterparty over `connection` if the user may see it.
async fn read_visible(
    connection: &mut Connection,
    user: &CurrentUser,
    id: Uuid,
) -> AppResult<Record<Counterparty>> {
    let record = counterparties::get(connection, id).await?;
    let known = facts_of(connection, &record.data).await?;
    check(
        user,
        KIND,
        Operation::Read,
        Target::Existing(&known),
        Some(id),
    )?;
    Ok(record)
}

/// Reads a counterparty the user may see.
pub async fn get(store: &Store, user: &CurrentUser, id: Uuid) -> AppResult<Record<Counterparty>> {
    let mut connection = store.reader().await?;
    read_visible(&mut connection, user, id).await
}

/// Changes a counterparty: `edit` turns the current input into the new one.
pub async fn update(
    store: &Store,
    user: &CurrentUser,
    id: Uuid,
    version: i64,
    edit: impl FnOnce(
        CounterpartyInput,
    ) -> Result<CounterpartyInput, Vec<ferment_domain::validation::FieldError>>,
) -> AppResult<Record<Counterparty>> {
    let mut tx = begin(store).await?;
    let current = counterparties::get(&mut tx, id).await?;
    let known = facts_of(&mut tx, &current.data).await?;
    check(
        user,
        KIND,
        Operation::Edit,
        Target::Existing(&known),
        Some(id),
    )?;
    let input = edit(CounterpartyInput::from(&current.data))?;
    let data = input.validate()?;
    if current.meta.version != version {
        return Err(AppError::StaleVersion {
            current: current.meta.version,
        });
    }
    check_rules(&mut tx, &data, Some(id)).await?;
    let record =
        counterparties::update(&mut tx, Some(user.actor.user_id), id, version, &data).await?;
    commit(tx).await?;
    Ok(record)
}

/// Deletes (hides) a counterparty.
pub async fn delete(
    store: &Store,
    user: &CurrentUser,
    id: Uuid,
    version: Option<i64>,
) -> AppResult<()> {
    let mut tx = begin(store).await?;
    let current = counterparties::get(&mut tx, id).await?;
    let known = facts_of(&mut tx, &current.data).await?;
    check(
        user,
        KIND,
        Operation::Delete,
        Target::Existing(&known),
        Some(id),
    )?;
    counterparties::delete(&mut tx, Some(user.actor.user_id), id, version).await?;
    commit(tx).await
}

/// A page of the counterparties the user may see.
pub async fn list(
    store: &Store,
    user: &CurrentUser,
    query: &counterparties::ListQuery,
) -> AppResult<Page<counterparties::ListRow>> {
    let mut connection = store.reader().await?;
    Ok(counterparties::list(&mut connection, &scope(user, KIND), query).await?)
}

/// A counterparty the user was found allowed to read, as [`with_history`] read it: what the card's
/// panels (its documents, its 1C documents) take instead of reading and checking it again. Only
/// this module makes one, after the access check.
#[derive(Debug)]
pub struct Readable(Record<Counterparty>);

impl Readable {
    /// The record.
    pub fn record(&self) -> &Record<Counterparty> {
        &self.0
    }

    /// Its id.
    pub fn id(&self) -> Uuid {
        self.0.meta.id
    }

    /// A record [`get`] returned (and so checked).
    pub(super) fn from_checked(record: Record<Counterparty>) -> Readable {
        Readable(record)
    }
}

/// A counterparty the user may see and its change history, read once over one connection (the
/// card shows both).
pub async fn with_history(
    store: &Store,
    user: &CurrentUser,
    id: Uuid,
) -> AppResult<(Readable, Vec<HistoryEntry>)> {
    let mut connection = store.reader().await?;
    let record = read_visible(&mut connection, user, id).await?;
    let entries = history::list(&mut connection, id, 200).await?;
    Ok((Readable(record), entries))
}

/// A counterparty's change history.
pub async fn history(store: &Store, user: &CurrentUser, id: Uuid) -> AppResult<Vec<HistoryEntry>> {
    get(store, user, id).await?;
    let mut connection = store.reader().await?;
    Ok(history::list(&mut connection, id, 200).await?)
}
