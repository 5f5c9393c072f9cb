-- PostgreSQL twin of migrations/sqlite/0013_inn_prefix_indexes.sql (keep them in step).
-- An ИНН begins with the code of the region (2 digits) and of the tax office (4 digits) that gave
-- it; these indexes keep each office's and each region's clients in name order for the search by
-- the start of an ИНН (counterparties::list; docs/BENCHMARKS.md).
CREATE INDEX counterparties_inn_office ON counterparties (substr(inn, 1, 4), name_sort, id)
    INCLUDE (territory_id, owner_id) WHERE deleted_at IS NULL;
CREATE INDEX counterparties_inn_region ON counterparties (substr(inn, 1, 2), name_sort, id)
    INCLUDE (territory_id, owner_id) WHERE deleted_at IS NULL;
