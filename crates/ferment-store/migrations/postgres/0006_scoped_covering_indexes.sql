-- PostgreSQL twin of migrations/sqlite/0006_scoped_covering_indexes.sql (keep them in step).
-- A scoped user's searches test each match's owner and territory. With both included in the
-- indexes, the ИНН search and the word search's posting lists are filtered from index entries
-- (index-only scans) instead of a heap visit per entry, as the administrator's are.
DROP INDEX counterparties_inn_name;
CREATE INDEX counterparties_inn_name ON counterparties (inn, name_sort, id)
    INCLUDE (territory_id, owner_id) WHERE deleted_at IS NULL;
ALTER TABLE search_terms DROP CONSTRAINT search_terms_key;
ALTER TABLE search_terms ADD CONSTRAINT search_terms_key
    PRIMARY KEY (record_kind, term, sort_key, record_id) INCLUDE (owner_id, territory_id);
