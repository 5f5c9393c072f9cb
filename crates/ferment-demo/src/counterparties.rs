//! Counterparties: food plants and sole proprietors across Russia's regions, with requisites that
//! pass every check, addresses in the region's main cities, bank accounts at real banks and an owner
//! from the sales team.
//!
//! Each counterparty is a pure function of the seed and its index, so the benchmark can stream a
//! million of them without keeping any.

use ferment_domain::counterparty::{CounterpartyInput, CounterpartyKind, Industry, Segment};

use crate::DemoCounterparty;
use crate::names::plant_name;
use crate::people::{Person, latin, phone};
use crate::regions::{City, REGIONS, Region};
use crate::requisites::{bank_accounts, tax_numbers};
use crate::rng::{
    DemoRng, below, between, chance, pick, pick_distinct, pick_weighted, purpose, stream,
};
use crate::users::owner_for;
use crate::vocab::{
    CITY_STREETS, COMPANY_MAILBOXES, COUNTERPARTY_NOTES, MAIL_SERVICES, STREETS, TAGS,
};

/// How often each industry occurs among legal entities.
const INDUSTRIES: &[(Industry, u64)] = &[
    (Industry::Dairy, 20),
    (Industry::Bakery, 17),
    (Industry::Meat, 17),
    (Industry::Confectionery, 14),
    (Industry::Beverages, 6),
    (Industry::IceCream, 5),
    (Industry::Fish, 4),
    (Industry::FatsAndSauces, 5),
    (Industry::ReadyMeals, 5),
    (Industry::Distribution, 5),
    (Industry::Other, 2),
];

/// What sole proprietors run: small bakeries, sausage shops, cheese dairies, kitchens, trade.
const SOLE_INDUSTRIES: &[Industry] = &[
    Industry::Bakery,
    Industry::Bakery,
    Industry::Meat,
    Industry::Confectionery,
    Industry::Dairy,
    Industry::ReadyMeals,
    Industry::Distribution,
];

/// Web domains' endings.
const TLDS: &[(&str, u64)] = &[("ru", 86), ("com", 6), ("net", 4), ("su", 4)];

/// The counterparty number `index` of the demo under `seed`, owned by one of `owner_logins` (a
/// member of the demo team whose district covers its region where one is given).
pub fn counterparty(seed: u64, index: u64, owner_logins: &[String]) -> DemoCounterparty {
    let mut rng = stream(seed, purpose::COUNTERPARTY, index);
    let region = pick_weighted(&mut rng, REGIONS, |r| r.weight);
    let territory = region.seed();
    let tax_region = territory.tax_region.expect("demo regions have tax codes");
    let city = if region.cities.len() > 1 && chance(&mut rng, 40) {
        pick(&mut rng, &region.cities[1..])
    } else {
        &region.cities[0]
    };
    let sole = chance(&mut rng, 10);
    let numbers = tax_numbers(&mut rng, seed, index, tax_region, sole);
    let segment = match (sole, between(&mut rng, 0, 99)) {
        (false, 0..16) => Segment::A,
        (false, 16..52) | (true, 0..20) => Segment::B,
        _ => Segment::C,
    };
    let (industry, name, full_name, email, site) = if sole {
        sole_proprietor(&mut rng)
    } else {
        legal_entity(&mut rng, city, segment)
    };
    let legal_address = address(&mut rng, region, city, sole);
    let actual_address = if chance(&mut rng, if sole { 30 } else { 60 }) {
        legal_address.clone()
    } else {
        address(&mut rng, region, city, false)
    };
    let bank_accounts = bank_accounts(
        &mut rng,
        numbers.serial,
        sole,
        territory.parent_code == Some("RU-NWFD"),
    );
    let tag_count = match segment {
        Segment::A => between(&mut rng, 1, 3),
        _ => between(&mut rng, 0, 2),
    } as usize;
    let tags = pick_distinct(&mut rng, TAGS, tag_count)
        .into_iter()
        .map(|t| t.to_string())
        .collect();
    let notes = if chance(&mut rng, 35) {
        pick(&mut rng, COUNTERPARTY_NOTES).to_string()
    } else {
        String::new()
    };
    let district = territory.parent_code.unwrap_or("RU");
    let owner_login = owner_for(&mut rng, region.code, district, owner_logins);
    DemoCounterparty {
        key: format!("cp-{index:07}"),
        input: CounterpartyInput {
            kind: if sole {
                CounterpartyKind::SoleProprietor
            } else {
                CounterpartyKind::LegalEntity
            }
            .code()
            .into(),
            name,
            full_name,
            inn: numbers.inn,
            kpp: numbers.kpp,
            ogrn: numbers.ogrn,
            legal_address,
            actual_address,
            bank_accounts,
            industry: industry.code().into(),
            segment: segment.code().into(),
            territory_id: String::new(),
            owner_id: String::new(),
            phone: phone(&mut rng, city.phone_code),
            email,
            site,
            tags,
            notes,
        },
        territory_code: region.code.into(),
        owner_login,
    }
}

/// Industry, name, full name, e-mail and site of a company.
fn legal_entity(
    rng: &mut DemoRng,
    city: &City,
    segment: Segment,
) -> (Industry, String, String, String, String) {
    let industry = pick_weighted(rng, INDUSTRIES, |(_, w)| *w).0;
    let plant = plant_name(rng, industry, city);
    let form = match (segment, between(rng, 0, 99)) {
        (Segment::A, 0..30) => "ПАО",
        (Segment::A, 30..70) | (_, 0..18) => "АО",
        _ => "ООО",
    };
    let full_name = format!("{form} «{}»", plant.quoted);
    let tld = pick_weighted(rng, TLDS, |(_, w)| *w).0;
    let domain = format!("{}.{tld}", latin(&plant.domain_words));
    let email = format!("{}@{domain}", pick(rng, COMPANY_MAILBOXES));
    let site = if chance(rng, 75) {
        format!("https://{domain}")
    } else {
        String::new()
    };
    (industry, plant.name, full_name, email, site)
}

/// Industry, name, full name, e-mail and (no) site of a sole proprietor.
fn sole_proprietor(rng: &mut DemoRng) -> (Industry, String, String, String, String) {
    let industry = *pick(rng, SOLE_INDUSTRIES);
    let person = Person::random(rng, 35);
    let email = format!(
        "{}@{}",
        person.personal_email_local(),
        pick(rng, MAIL_SERVICES)
    );
    (
        industry,
        format!("ИП {}", person.short_name()),
        format!("Индивидуальный предприниматель {}", person.full_name()),
        email,
        String::new(),
    )
}

/// A postal address in `city`; a sole proprietor's registered address is a flat.
fn address(rng: &mut DemoRng, region: &Region, city: &City, flat: bool) -> String {
    let postcode = city.postcode + between(rng, 0, city.postcode_spread.into()) as u32;
    let mut text = format!("{postcode:06}, ");
    if region.named_in_address() {
        text.push_str(region.seed().name_ru);
        text.push_str(", ");
    }
    let house = between(rng, 1, 160);
    let street = if flat {
        pick(rng, CITY_STREETS)
    } else {
        pick(rng, STREETS)
    };
    text.push_str(&format!("г. {}, {street}, д. {house}", city.name));
    if chance(rng, 15) {
        text.push(*pick(rng, &['А', 'Б', 'В']));
    }
    if flat {
        text.push_str(&format!(", кв. {}", between(rng, 1, 240)));
    } else {
        match below(rng, 10) {
            0..3 => text.push_str(&format!(", стр. {}", between(rng, 1, 9))),
            3..5 => text.push_str(&format!(", корп. {}", between(rng, 1, 4))),
            5 => text.push_str(&format!(", оф. {}", between(rng, 1, 45))),
            _ => {}
        }
    }
    text
}
