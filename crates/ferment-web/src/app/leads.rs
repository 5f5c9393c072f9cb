//! Lead use cases: capture, nurture, disqualify, and convert into a sale — matching the company
//! to an existing counterparty (by the lead's link, then ИНН, then e-mail) and the person to an
//! existing contact (by e-mail), creating what is missing, all in one transaction.

use ferment_domain::access::{Operation, RecordFacts, RecordKind, Target};
use ferment_domain::contact::Contact;
use ferment_domain::counterparty::{Counterparty, CounterpartyKind};
use ferment_domain::lead::{Lead, LeadInput, LeadStatus};
use ferment_domain::sale::SaleInput;
use ferment_domain::validation::{FieldError, Problem};
use ferment_store::history::HistoryEntry;
use ferment_store::leads::{self, LeadRecord, ListQuery};
use ferment_store::list::Page;
use ferment_store::{Store, Tx, contacts, counterparties, history};
use uuid::Uuid;

use super::{Connection, begin, check, check_references, commit, facts};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

const LEAD: RecordKind = RecordKind::Lead;

async fn lead_facts(connection: &mut Connection, lead: &Lead) -> AppResult<RecordFacts> {
    facts(connection, lead.owner_id, lead.territory_id).await
}

async fn readable(
    connection: &mut Connection,
    user: &CurrentUser,
    id: Uuid,
    operation: Operation,
) -> AppResult<LeadRecord> {
    let lead = leads::get(connection, id).await?;
    let known = lead_facts(connection, &lead.record.data).await?;
    if operation != Operation::Read {
        check(
            user,
            LEAD,
            Operation::Read,
            Target::Existing(&known),
            Some(id),
        )?;
    }
    check(user, LEAD, operation, Target::Existing(&known), Some(id))?;
    Ok(lead)
}

async fn check_lead(tx: &mut Tx, user: &CurrentUser, lead: &Lead) -> AppResult<()> {
    check_references(
        tx,
        lead.territory_id.map(|id| ("territory_id", id)),
        lead.owner_id.map(|id| ("owner_id", id)),
    )
    .await?;
    if let Some(id) = lead.counterparty_id {
        let visible = match counterparties::get(tx, id).await {
            Ok(client) => {
                let known = facts(tx, client.data.owner_id, client.data.territory_id).await?;
                ferment_domain::access::decide(
                    &user.actor,
                    RecordKind::Counterparty,
                    Operation::Read,
                    Target::Existing(&known),
                )
                .is_ok()
            }
            Err(ferment_store::StoreError::NotFound) => false,
            Err(other) => return Err(other.into()),
        };
        if !visible {
            return Err(AppError::Invalid(vec![FieldError::new(
                "counterparty_id",
                Problem::UnknownReference,
            )]));
        }
    }
    Ok(())
}

/// Captures a lead; the owner defaults to the user, the company name to the linked counterparty's.
pub async fn create(store: &Store, user: &CurrentUser, input: &LeadInput) -> AppResult<LeadRecord> {
    check(user, LEAD, Operation::Create, Target::Kind, None)?;
    let mut lead = input.validate()?;
    if lead.owner_id.is_none() {
        lead.owner_id = Some(user.actor.user_id);
    }
    let mut tx = begin(store).await?;
    check_lead(&mut tx, user, &lead).await?;
    if let Some(id) = lead.counterparty_id {
        let client = counterparties::get(&mut tx, id).await?;
        if lead.company_name.is_empty() {
            lead.company_name = client.data.name.clone();
        }
        if lead.territory_id.is_none() {
            lead.territory_id = client.data.territory_id;
        }
    }
    let known = lead_facts(&mut tx, &lead).await?;
    check(user, LEAD, Operation::Create, Target::New(&known), None)?;
    let record = leads::insert(&mut tx, Some(user.actor.user_id), &lead).await?;
    commit(tx).await?;
    Ok(record)
}

/// Reads a lead.
pub async fn get(store: &Store, user: &CurrentUser, id: Uuid) -> AppResult<LeadRecord> {
    let mut connection = store.reader().await?;
    readable(&mut connection, user, id, Operation::Read).await
}

/// Changes a lead (its status too); a converted lead no longer changes.
pub async fn update(
    store: &Store,
    user: &CurrentUser,
    id: Uuid,
    version: i64,
    edit: impl FnOnce(LeadInput) -> Result<LeadInput, Vec<FieldError>>,
) -> AppResult<LeadRecord> {
    let mut tx = begin(store).await?;
    let current = readable(&mut tx, user, id, Operation::Edit).await?;
    if current.sale_id.is_some() {
        return Err(converted());
    }
    let input = edit(LeadInput::from(&current.record.data))?;
    let mut lead = input.validate()?;
    if lead.company_name.is_empty() {
        lead.company_name = current.record.data.company_name.clone();
    }
    check_lead(&mut tx, user, &lead).await?;
    let known = lead_facts(&mut tx, &lead).await?;
    check(user, LEAD, Operation::Edit, Target::New(&known), Some(id))?;
    let record = leads::update(&mut tx, Some(user.actor.user_id), id, version, &lead).await?;
    commit(tx).await?;
    Ok(record)
}

fn converted() -> AppError {
    AppError::Conflict(vec![FieldError::new(
        "status",
        Problem::Rule {
            ru: "Лид уже преобразован в сделку".into(),
            en: "The lead has already been converted into a sale".into(),
        },
    )])
}

/// Deletes (hides) a lead.
pub async fn delete(
    store: &Store,
    user: &CurrentUser,
    id: Uuid,
    version: Option<i64>,
) -> AppResult<()> {
    let mut tx = begin(store).await?;
    let current = readable(&mut tx, user, id, Operation::Delete).await?;
    if let Some(version) = version
        && version != current.record.meta.version
    {
        return Err(AppError::StaleVersion {
            current: current.record.meta.version,
        });
    }
    leads::delete(&mut tx, Some(user.actor.user_id), id).await?;
    commit(tx).await
}

/// A page of leads the user may see.
pub async fn list(
    store: &Store,
    user: &CurrentUser,
    query: &ListQuery,
) -> AppResult<Page<LeadRecord>> {
    let scope = super::scope(user, LEAD);
    let mut connection = store.reader().await?;
    Ok(leads::list(&mut connection, &scope, query).await?)
}

/// A lead's change history.
pub async fn history(store: &Store, user: &CurrentUser, id: Uuid) -> AppResult<Vec<HistoryEntry>> {
    let mut connection = store.reader().await?;
    readable(&mut connection, user, id, Operation::Read).await?;
    Ok(history::list(&mut connection, id, 500).await?)
}

/// What a conversion asks beyond the lead itself.
#[derive(Debug, Clone, Default)]
pub struct Conversion {
    /// The sale's title; blank = «<need or company>».
    pub title: Option<String>,
    /// Use this counterparty instead of matching.
    pub counterparty_id: Option<Uuid>,
    /// The sale's lines and other fields (as a direct sale's body).
    pub sale: SaleInput,
}

/// What a conversion made.
#[derive(Debug, Clone)]
pub struct Converted {
    /// The lead, now qualified and linked.
    pub lead: LeadRecord,
    /// The new sale.
    pub sale_id: Uuid,
    /// The counterparty (matched or created).
    pub counterparty_id: Uuid,
    /// Whether the counterparty was created.
    pub counterparty_created: bool,
    /// The contact (matched or created), if the lead named a person.
    pub contact_id: Option<Uuid>,
    /// Whether the contact was created.
    pub contact_created: bool,
}

async fn match_counterparty(tx: &mut Tx, lead: &Lead) -> AppResult<Option<Uuid>> {
    if let Some(id) = lead.counterparty_id {
        return Ok(Some(id));
    }
    if let Some(inn) = &lead.inn
        && let Some((id, _)) = counterparties::find_by_inn(tx, inn).await?
    {
        return Ok(Some(id));
    }
    if let Some(email) = &lead.email {
        if let Some((_, Some(id))) = contacts::find_by_email(tx, email).await? {
            return Ok(Some(id));
        }
        if let Some(id) = counterparties::find_by_email(tx, email).await? {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// Converts a lead into a sale.
pub async fn convert(
    store: &Store,
    user: &CurrentUser,
    id: Uuid,
    asked: &Conversion,
) -> AppResult<Converted> {
    let mut tx = begin(store).await?;
    let lead = readable(&mut tx, user, id, Operation::Edit).await?;
    if lead.sale_id.is_some() {
        return Err(converted());
    }
    if lead.record.data.status == LeadStatus::Disqualified {
        return Err(AppError::Conflict(vec![FieldError::new(
            "status",
            Problem::Rule {
                ru: "Дисквалифицированный лид нельзя преобразовать: сначала верните его в работу"
                    .into(),
                en: "A disqualified lead cannot be converted: put it back in work first".into(),
            },
        )]));
    }
    let data = &lead.record.data;
    let matched = match asked.counterparty_id {
        Some(id) => Some(id),
        None => match_counterparty(&mut tx, data).await?,
    };
    let (counterparty_id, counterparty_created) = match matched {
        Some(id) => (id, false),
        None => {
            let kind = match data.inn.as_deref().map(str::len) {
                Some(12) => CounterpartyKind::SoleProprietor,
                _ => CounterpartyKind::LegalEntity,
            };
            let client = Counterparty {
                kind,
                name: data.company_name.clone(),
                full_name: None,
                inn: data.inn.clone(),
                kpp: None,
                ogrn: None,
                legal_address: None,
                actual_address: None,
                bank_accounts: Vec::new(),
                industry: None,
                segment: None,
                territory_id: data.territory_id,
                owner_id: data.owner_id,
                phone: data.phone.clone(),
                email: data.email.clone(),
                site: None,
                tags: Vec::new(),
                notes: data.need.clone().map(|need| format!("Из лида: {need}")),
            };
            let record = super::counterparties::create_in(&mut tx, user, client).await?;
            (record.meta.id, true)
        }
    };
    let mut contact_id = None;
    let mut contact_created = false;
    if let Some(email) = &data.email
        && let Some((found, Some(of))) = contacts::find_by_email(&mut tx, email).await?
        && of == counterparty_id
    {
        contact_id = Some(found);
    }
    if contact_id.is_none()
        && let Some(name) = &data.contact_name
    {
        let contact = Contact {
            full_name: name.clone(),
            position: data.contact_position.clone(),
            counterparty_id: Some(counterparty_id),
            emails: data.email.iter().cloned().collect(),
            phones: data.phone.iter().cloned().collect(),
            notes: None,
        };
        let record = super::contacts::create_in(&mut tx, user, &contact).await?;
        contact_id = Some(record.meta.id);
        contact_created = true;
    }
    let mut sale = asked.sale.clone();
    sale.counterparty_id = counterparty_id.to_string();
    if sale.contact_id.is_empty() {
        sale.contact_id = contact_id.map(|id| id.to_string()).unwrap_or_default();
    }
    if sale.owner_id.is_empty() {
        sale.owner_id = data.owner_id.map(|id| id.to_string()).unwrap_or_default();
    }
    if sale.title.trim().is_empty() {
        sale.title = asked.title.clone().unwrap_or_else(|| {
            let need = data.need.as_deref().unwrap_or("").trim();
            let head: String = need.chars().take(120).collect();
            if head.is_empty() {
                data.company_name.clone()
            } else {
                format!("{}: {head}", data.company_name)
            }
        });
    }
    let record = super::sales::create_in(&mut tx, user, &sale, Some(id)).await?;
    let lead = leads::mark_converted(
        &mut tx,
        Some(user.actor.user_id),
        id,
        counterparty_id,
        record.meta.id,
    )
    .await?;
    commit(tx).await?;
    Ok(Converted {
        lead,
        sale_id: record.meta.id,
        counterparty_id,
        counterparty_created,
        contact_id,
        contact_created,
    })
}
