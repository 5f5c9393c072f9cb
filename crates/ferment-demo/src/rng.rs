//! Seeding and sampling helpers.
//!
//! Every generated item draws from its own ChaCha8 stream, seeded from the demo seed, a purpose tag
//! and the item's index, so any item can be made on its own (the benchmark streams a million
//! counterparties without keeping them) and the data is the same on every run and platform. Ranges
//! are sampled as `u32` (one word of the ChaCha block each, so most items need a single block refill)
//! and no platform-sized integer ever reaches the generator.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The generator every item draws from.
pub(crate) type DemoRng = ChaCha8Rng;

/// Purpose tags, so streams for different kinds of items never coincide.
pub(crate) mod purpose {
    /// One stream per counterparty.
    pub const COUNTERPARTY: u64 = 1;
    /// One stream per counterparty's contacts.
    pub const CONTACTS: u64 = 2;
    /// The one stream for the nomenclature and stock.
    pub const CATALOG: u64 = 3;
    /// Fixes the permutation that spreads tax numbers.
    pub const TAX_NUMBERS: u64 = 4;
    /// The one stream for leads, sales and recipes.
    pub const DEALS: u64 = 5;
}

/// SplitMix64's finaliser over the sum of two words: a cheap, well-mixed hash.
pub(crate) fn mix(a: u64, b: u64) -> u64 {
    let mut z = a
        .wrapping_add(b.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The stream for item `index` of kind `purpose` under `seed`.
pub(crate) fn stream(seed: u64, purpose: u64, index: u64) -> DemoRng {
    ChaCha8Rng::seed_from_u64(mix(mix(seed, purpose), index))
}

/// A number in `low..=high` (both below 2³²).
pub(crate) fn between(rng: &mut DemoRng, low: u64, high: u64) -> u64 {
    let low = u32::try_from(low).expect("demo ranges fit in 32 bits");
    let high = u32::try_from(high).expect("demo ranges fit in 32 bits");
    u64::from(rng.random_range(low..=high))
}

/// An index below `len` (which must not be zero).
pub(crate) fn below(rng: &mut DemoRng, len: usize) -> usize {
    let len = u32::try_from(len).expect("demo lists are short");
    rng.random_range(0..len) as usize
}

/// True with the given probability in percent.
pub(crate) fn chance(rng: &mut DemoRng, percent: u64) -> bool {
    u64::from(rng.random_range(0..100u32)) < percent
}

/// One item of a non-empty slice, uniformly.
pub(crate) fn pick<'a, T>(rng: &mut DemoRng, items: &'a [T]) -> &'a T {
    &items[below(rng, items.len())]
}

/// One word of a non-empty list, uniformly.
pub(crate) fn word(rng: &mut DemoRng, words: &[&'static str]) -> &'static str {
    words[below(rng, words.len())]
}

/// One item of a non-empty slice, with probability proportional to `weight(item)`.
pub(crate) fn pick_weighted<'a, T>(
    rng: &mut DemoRng,
    items: &'a [T],
    weight: impl Fn(&T) -> u64,
) -> &'a T {
    let total: u64 = items.iter().map(&weight).sum();
    let mut roll = between(rng, 0, total - 1);
    for item in items {
        let w = weight(item);
        if roll < w {
            return item;
        }
        roll -= w;
    }
    unreachable!("the roll is below the total weight")
}

/// `count` distinct items of a slice (all of them when it is shorter), in the slice's order.
pub(crate) fn pick_distinct<'a, T>(rng: &mut DemoRng, items: &'a [T], count: usize) -> Vec<&'a T> {
    let mut chosen: Vec<usize> = Vec::with_capacity(count);
    while chosen.len() < count.min(items.len()) {
        let i = below(rng, items.len());
        if !chosen.contains(&i) {
            chosen.push(i);
        }
    }
    chosen.sort_unstable();
    chosen.into_iter().map(|i| &items[i]).collect()
}

/// `count` random decimal digits.
pub(crate) fn digits(rng: &mut DemoRng, count: usize) -> String {
    let mut out = String::with_capacity(count);
    let mut left = count;
    while left > 0 {
        let take = left.min(9);
        let value = rng.random_range(0..10u32.pow(take as u32));
        out.push_str(&format!("{value:0take$}"));
        left -= take;
    }
    out
}
