-- Sorted posting lists. A search by a word lists its matches by name; with the key (record_kind,
-- term, record_id) a frequent word's records (160 000 for «комбинат» in a million counterparties)
-- had to be read and sorted for every page. With the record's sort key (its name_sort) in the key,
-- one word's records come out of the index already in name order, and a page reads 51 entries
-- (see search::index and counterparties::list). `search::index` keeps sort_key in step on every
-- write. WITHOUT ROWID: the key is the whole row, stored once.
CREATE TABLE search_terms_sorted (
    record_kind  TEXT NOT NULL,
    term         TEXT NOT NULL,
    sort_key     TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    PRIMARY KEY (record_kind, term, sort_key, record_id)
) WITHOUT ROWID;

INSERT INTO search_terms_sorted (record_kind, term, sort_key, record_id)
SELECT s.record_kind, s.term, COALESCE(c.name_sort, ct.name_sort, p.name_sort, ''), s.record_id
FROM search_terms s
LEFT JOIN counterparties c ON s.record_kind = 'counterparty' AND c.id = s.record_id
LEFT JOIN contacts ct ON s.record_kind = 'contact' AND ct.id = s.record_id
LEFT JOIN products p ON s.record_kind = 'product' AND p.id = s.record_id;

DROP TABLE search_terms;
ALTER TABLE search_terms_sorted RENAME TO search_terms;
CREATE INDEX search_terms_record ON search_terms (record_id);
