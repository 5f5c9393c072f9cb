//! What the requests ask for, taken from the loaded data so that every search finds something:
//! counterparties sampled uniformly from the whole table, their regions, ИНН prefixes and name words.

use std::collections::{HashMap, HashSet};

use anyhow::{Context, bail};
use ferment_domain::territory::TerritoryKind;
use ferment_domain::text::search_terms;
use ferment_store::{Store, counterparties, territories};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sqlx::Row as _;
use uuid::Uuid;

/// A counterparty the requests are about.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Id (for the card).
    pub id: Uuid,
    /// Its region (for the list).
    pub region: Uuid,
    /// How many counterparties that region holds.
    pub region_rows: i64,
    /// A 4–6-digit prefix of its ИНН (for the ИНН search).
    pub inn_prefix: String,
    /// A word of its name (for the name search).
    pub word: String,
}

/// Everything the scenarios ask for.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// Regions holding counterparties, with their counts.
    pub regions: HashMap<Uuid, i64>,
    /// Samples for the warm-up.
    pub warmup: Vec<Sample>,
    /// Samples for the timed requests.
    pub samples: Vec<Sample>,
}

/// Samples `requests + warmup` distinct counterparties uniformly (reservoir sampling over a keyset
/// scan of the ids) and derives the inputs from them; with `within`, only counterparties of that
/// territory and the territories inside it.
pub async fn choose(
    store: &Store,
    requests: usize,
    warmup: usize,
    seed: u64,
    within: Option<Uuid>,
) -> anyhow::Result<Inputs> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_be7c);
    let mut reader = store.reader().await?;

    let kinds: HashMap<Uuid, TerritoryKind> = territories::list(&mut reader)
        .await?
        .into_iter()
        .map(|t| (t.record.meta.id, t.record.data.kind))
        .collect();
    let allowed: Option<HashSet<String>> = match within {
        Some(territory) => Some(
            counterparties::territory_and_inside(&mut reader, territory)
                .await?
                .into_iter()
                .collect(),
        ),
        None => None,
    };
    let mut regions = HashMap::new();
    let rows = sqlx::query(
        "SELECT territory_id, COUNT(*) AS n FROM counterparties \
         WHERE deleted_at IS NULL AND territory_id IS NOT NULL GROUP BY territory_id",
    )
    .fetch_all(&mut *reader)
    .await?;
    for row in rows {
        let id = Uuid::parse_str(&row.try_get::<String, _>("territory_id")?)?;
        if kinds.get(&id) == Some(&TerritoryKind::Region) {
            regions.insert(id, row.try_get::<i64, _>("n")?);
        }
    }
    if regions.is_empty() {
        bail!("no region holds counterparties");
    }

    // Reservoir sampling (algorithm R) over every live id, read in keyset pages.
    let wanted = requests + warmup;
    let mut reservoir: Vec<String> = Vec::with_capacity(wanted);
    let mut seen = 0usize;
    let mut after = String::new();
    loop {
        let page = sqlx::query(
            "SELECT id, territory_id FROM counterparties WHERE deleted_at IS NULL AND id > $1 ORDER BY id LIMIT 20000",
        )
        .bind(&after)
        .fetch_all(&mut *reader)
        .await?;
        let Some(last) = page.last() else { break };
        after = last.try_get("id")?;
        for row in &page {
            let id: String = row.try_get("id")?;
            if let Some(allowed) = &allowed {
                let territory: Option<String> = row.try_get("territory_id")?;
                if !territory.is_some_and(|t| allowed.contains(&t)) {
                    continue;
                }
            }
            if reservoir.len() < wanted {
                reservoir.push(id);
            } else {
                let slot = rng.random_range(0..=seen);
                if slot < wanted {
                    reservoir[slot] = id;
                }
            }
            seen += 1;
        }
    }
    if reservoir.len() < wanted {
        bail!(
            "{} counterparties are too few for {wanted} distinct samples",
            reservoir.len()
        );
    }
    reservoir.shuffle(&mut rng);

    let mut samples = Vec::with_capacity(wanted);
    let mut used_words = HashSet::new();
    for (k, id) in reservoir.iter().enumerate() {
        let id = Uuid::parse_str(id)?;
        let record = counterparties::get(&mut reader, id).await?;
        let data = record.data;
        let region = data.territory_id.context("a sample without a territory")?;
        let region_rows = *regions
            .get(&region)
            .context("a sample outside the regions")?;
        let inn = data.inn.context("a sample without an ИНН")?;
        let inn_prefix = inn[..4 + k % 3].to_string();
        // A word a person would type: letters only, three or more of them.
        let words: Vec<String> = search_terms(&data.name)
            .into_iter()
            .filter(|w| w.chars().count() >= 3 && w.chars().all(char::is_alphabetic))
            .collect();
        let Some(word) = words.get(rng.random_range(0..words.len().max(1))).cloned() else {
            bail!("no word to search for in {:?}", data.name);
        };
        used_words.insert(word.clone());
        samples.push(Sample {
            id,
            region,
            region_rows,
            inn_prefix,
            word,
        });
    }
    eprintln!(
        "   {} different name words, {} different regions among the samples",
        used_words.len(),
        samples
            .iter()
            .map(|s| s.region)
            .collect::<HashSet<_>>()
            .len()
    );
    let timed = samples.split_off(warmup);
    Ok(Inputs {
        regions,
        warmup: samples,
        samples: timed,
    })
}
