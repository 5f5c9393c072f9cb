-- PostgreSQL twin of migrations/sqlite/0003_sorted_search_terms.sql (keep them in step).
-- Sorted posting lists: with the record's sort key (its name_sort) in the key, one word's records
-- come out of the index already in name order, and a page of a search reads 51 entries instead of
-- sorting every record with the word (see search::index and counterparties::list).
CREATE TABLE search_terms_sorted (
    record_kind  TEXT NOT NULL,
    term         TEXT COLLATE "C" NOT NULL,
    sort_key     TEXT COLLATE "C" NOT NULL,
    record_id    TEXT NOT NULL,
    CONSTRAINT search_terms_key PRIMARY KEY (record_kind, term, sort_key, record_id)
);

INSERT INTO search_terms_sorted (record_kind, term, sort_key, record_id)
SELECT s.record_kind, s.term, COALESCE(c.name_sort, ct.name_sort, p.name_sort, ''), s.record_id
FROM search_terms s
LEFT JOIN counterparties c ON s.record_kind = 'counterparty' AND c.id = s.record_id
LEFT JOIN contacts ct ON s.record_kind = 'contact' AND ct.id = s.record_id
LEFT JOIN products p ON s.record_kind = 'product' AND p.id = s.record_id;

DROP TABLE search_terms;
ALTER TABLE search_terms_sorted RENAME TO search_terms;
CREATE INDEX search_terms_record ON search_terms (record_id);
