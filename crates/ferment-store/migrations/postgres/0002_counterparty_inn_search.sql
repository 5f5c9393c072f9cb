-- PostgreSQL twin of migrations/sqlite/0002_counterparty_inn_search.sql (keep them in step).
-- A search by ИНН prefix lists the matches by name: this index holds the range (inn), the sort key
-- (name_sort, id) and, being partial, only live rows, so the matches are sorted from an index-only
-- scan and only the page's rows are read (see counterparties::list). PostgreSQL needs no
-- `deleted_at` column for that: it knows the partial index's predicate holds.
CREATE INDEX counterparties_inn_name ON counterparties (inn, name_sort, id)
    WHERE deleted_at IS NULL;
