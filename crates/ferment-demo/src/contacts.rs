//! Contacts: two to four people at each counterparty — technologists, buyers, directors — with work
//! and personal addresses and phones.

use ferment_domain::contact::ContactInput;

use crate::people::{Person, mobile};
use crate::rng::{DemoRng, between, chance, pick, pick_distinct, purpose, stream};
use crate::vocab::{CONTACT_NOTES, MAIL_SERVICES, POSITIONS};
use crate::{DemoContact, DemoCounterparty};

/// The contacts of `counterparty`, which is number `index` of the demo under `seed`.
pub fn contacts_for(seed: u64, counterparty: &DemoCounterparty, index: u64) -> Vec<DemoContact> {
    let mut rng = stream(seed, purpose::CONTACTS, index);
    let input = &counterparty.input;
    let count = match between(&mut rng, 0, 99) {
        0..40 => 2,
        40..85 => 3,
        _ => 4,
    };
    let work_domain = input
        .email
        .split_once('@')
        .map(|(_, domain)| domain)
        .filter(|domain| !MAIL_SERVICES.contains(domain));
    let mut people = Vec::with_capacity(count);
    if input.kind == "sole_proprietor" {
        let owner = input
            .full_name
            .strip_prefix("Индивидуальный предприниматель ");
        if let Some(person) = owner.and_then(Person::parse) {
            people.push((person, "Индивидуальный предприниматель"));
        }
    }
    // The first two positions — the chief technologist and the head of purchasing — are the ones
    // an ingredients supplier talks to; the rest are drawn from the whole list.
    let key_position = *pick(&mut rng, &POSITIONS[..2]);
    let others = pick_distinct(&mut rng, &POSITIONS[2..], count);
    let positions = std::iter::once(key_position).chain(others.into_iter().copied());
    for position in positions.take(count - people.len()) {
        people.push((Person::random(&mut rng, 55), position));
    }
    people
        .into_iter()
        .map(|(person, position)| DemoContact {
            counterparty_key: counterparty.key.clone(),
            input: contact(&mut rng, &person, position, work_domain, &input.phone),
        })
        .collect()
}

fn contact(
    rng: &mut DemoRng,
    person: &Person,
    position: &str,
    work_domain: Option<&str>,
    office_phone: &str,
) -> ContactInput {
    let personal = format!(
        "{}@{}",
        person.personal_email_local(),
        pick(rng, MAIL_SERVICES)
    );
    let emails = match work_domain {
        Some(domain) if chance(rng, 35) => {
            vec![format!("{}@{domain}", person.email_local()), personal]
        }
        Some(domain) => vec![format!("{}@{domain}", person.email_local())],
        None => vec![personal],
    };
    let mut phones = vec![mobile(rng)];
    if chance(rng, 45) && !office_phone.is_empty() {
        phones.push(format!("{office_phone}, доб. {}", between(rng, 101, 489)));
    }
    let notes = if chance(rng, 20) {
        pick(rng, CONTACT_NOTES).to_string()
    } else {
        String::new()
    };
    ContactInput {
        full_name: person.full_name(),
        position: position.into(),
        counterparty_id: String::new(),
        emails,
        phones,
        notes,
    }
}
