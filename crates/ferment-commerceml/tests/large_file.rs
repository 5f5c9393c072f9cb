//! A synthetic `import.xml` of 100 000 products, generated while it is read, streams through the
//! reader without the memory growing with the file. (Its own test binary: the memory high-water
//! mark is per process.)

use std::io::{BufReader, Read};

use ferment_commerceml::{CmlReader, Item};

const PRODUCTS: usize = 100_000;

/// Produces the file piece by piece, so the test's input is never in memory as a whole.
struct Generator {
    next_product: usize,
    buffer: Vec<u8>,
    offset: usize,
    finished: bool,
}

impl Generator {
    fn new() -> Self {
        let header = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<КоммерческаяИнформация xmlns=\"urn:1C.ru:commerceml_2\" ВерсияСхемы=\"2.08\" ДатаФормирования=\"2025-01-01T00:00:00\">\n<Классификатор><Ид>cl</Ид><Наименование>Классификатор</Наименование><Группы><Группа><Ид>g1</Ид><Наименование>Все</Наименование></Группа></Группы></Классификатор>\n<Каталог><Ид>cat</Ид><ИдКлассификатора>cl</ИдКлассификатора><Наименование>Каталог</Наименование><Товары>\n";
        Self {
            next_product: 0,
            buffer: header.as_bytes().to_vec(),
            offset: 0,
            finished: false,
        }
    }

    fn refill(&mut self) {
        self.buffer.clear();
        self.offset = 0;
        if self.next_product < PRODUCTS {
            let i = self.next_product;
            self.next_product += 1;
            self.buffer.extend_from_slice(
                format!(
                    "<Товар><Ид>00000000-0000-0000-0000-{i:012}</Ид><Артикул>A-{i}</Артикул><Наименование>Товар номер {i}</Наименование><БазоваяЕдиница Код=\"796\">шт</БазоваяЕдиница><Группы><Ид>g1</Ид></Группы><СтавкиНалогов><СтавкаНалога><Наименование>НДС</Наименование><Ставка>22</Ставка></СтавкаНалога></СтавкиНалогов></Товар>\n"
                )
                .as_bytes(),
            );
        } else if !self.finished {
            self.finished = true;
            self.buffer
                .extend_from_slice("</Товары></Каталог></КоммерческаяИнформация>\n".as_bytes());
        }
    }
}

impl Read for Generator {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.offset == self.buffer.len() {
            self.refill();
        }
        let available = &self.buffer[self.offset..];
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.offset += n;
        Ok(n)
    }
}

/// The process's peak resident memory in kilobytes (Linux).
fn peak_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux /proc");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}

#[test]
fn a_hundred_thousand_products_stream_in_bounded_memory() {
    let before = peak_rss_kb();
    let mut reader = CmlReader::new(BufReader::with_capacity(64 * 1024, Generator::new()));
    let mut products = 0usize;
    let mut batches = 0usize;
    let mut last_id = String::new();
    loop {
        let batch = reader.next_batch(1000).unwrap();
        if batch.is_empty() {
            break;
        }
        batches += 1;
        for item in batch {
            if let Item::Product(product) = item {
                products += 1;
                last_id = product.id.as_str().to_owned();
            }
        }
    }
    assert_eq!(products, PRODUCTS);
    assert_eq!(batches, (PRODUCTS + 3).div_ceil(1000));
    assert_eq!(
        last_id,
        format!("00000000-0000-0000-0000-{:012}", PRODUCTS - 1)
    );
    let growth_mb = (peak_rss_kb() - before) / 1024;
    // The generated text is ~35 MB and a document tree of it several times that; streaming keeps
    // one batch of 1000 products (well under 10 MB) alive at a time.
    assert!(growth_mb < 32, "peak memory grew by {growth_mb} MB");
}
