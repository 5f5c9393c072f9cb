-- A scoped user's ИНН search tests each match's owner and territory: with both in the index, the
-- matches are filtered and sorted from index entries alone, as the administrator's are (the
-- regional manager's ИНН search was 1.6–2× the administrator's on PostgreSQL; docs/BENCHMARKS.md).
-- SQLite's search_terms needs nothing: a WITHOUT ROWID table keeps every column in its key's B-tree.
DROP INDEX counterparties_inn_name;
CREATE INDEX counterparties_inn_name ON counterparties (inn, name_sort, id, deleted_at, territory_id, owner_id)
    WHERE deleted_at IS NULL;
