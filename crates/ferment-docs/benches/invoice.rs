//! The shipped invoice as PDF for a 50-line sale: median, p90 and max of single generations, and
//! the throughput of 1 000 in a row. Plain std timing. Run: `cargo bench -p ferment-docs`.

use std::time::{Duration, Instant};

use ferment_docs::{Assets, render_pdf, shipped};
use ferment_domain::document::{LineFigures, lines_and_totals, sample};

fn main() {
    let names: Vec<String> = (1..=50)
        .map(|i| format!("Ингредиент пищевой № {i}, стабилизатор «Тест-{i}»"))
        .collect();
    let codes: Vec<String> = (1..=50).map(|i| format!("IN-{i:04}")).collect();
    let figures: Vec<LineFigures<'_>> = (0..50)
        .map(|i| LineFigures {
            product: &names[i],
            code: &codes[i],
            article: "",
            unit: if i % 2 == 0 { "кг" } else { "шт" },
            quantity: 1_000 * (i as i64 + 1) + 500,
            unit_price: 12_345 * (i as i64 + 1),
            vat_rate: if i % 5 == 0 { 1000 } else { 2200 },
            needs_sample: false,
        })
        .collect();
    let mut data = sample("invoice");
    (data.lines, data.totals, data.vat) = lines_and_totals(&figures);
    let source = shipped::text("invoice").expect("the shipped invoice");
    let assets = Assets::new();

    // Warm-up: fonts load and typst's caches fill on the first document.
    let first = Instant::now();
    let pdf = render_pdf(source, &data, &assets).expect("renders");
    let first = first.elapsed();

    // Each document gets its own number, so typst cannot reuse a whole previous layout.
    let mut numbered = |i: usize| {
        data.document.number = format!("СЧ-2026-{i}");
        data.clone()
    };
    let mut singles: Vec<Duration> = (0..100)
        .map(|i| {
            let data = numbered(i);
            let start = Instant::now();
            render_pdf(source, &data, &assets).expect("renders");
            start.elapsed()
        })
        .collect();
    singles.sort();
    let at = |q: f64| singles[((singles.len() - 1) as f64 * q).round() as usize];

    let batch_data: Vec<_> = (0..1000).map(|i| numbered(1000 + i)).collect();
    let start = Instant::now();
    for data in &batch_data {
        render_pdf(source, data, &assets).expect("renders");
    }
    let batch = start.elapsed();

    println!("invoice, 50 lines, {} bytes of PDF", pdf.len());
    println!("first (fonts + caches cold): {:.1} ms", ms(first));
    println!(
        "single, 100 runs: median {:.1} ms, p90 {:.1} ms, max {:.1} ms",
        ms(at(0.5)),
        ms(at(0.9)),
        ms(*singles.last().expect("runs"))
    );
    println!(
        "1 000 in a row: {:.2} s, {:.0} documents/s",
        batch.as_secs_f64(),
        1000.0 / batch.as_secs_f64()
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
