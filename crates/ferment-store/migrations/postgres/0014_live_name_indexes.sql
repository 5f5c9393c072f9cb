-- PostgreSQL twin of migrations/sqlite/0014_live_name_indexes.sql (keep them in step).
-- The lists' name indexes hold live clients only, with owner and territory included, so a page is
-- chosen by an index-only scan (before: a heap visit per entry for `deleted_at`, and the page's
-- rows visited twice).
DROP INDEX counterparties_name;
CREATE INDEX counterparties_name ON counterparties (name_sort, id)
    INCLUDE (territory_id, owner_id) WHERE deleted_at IS NULL;
DROP INDEX counterparties_territory_name;
CREATE INDEX counterparties_territory_name ON counterparties (territory_id, name_sort, id)
    INCLUDE (owner_id) WHERE deleted_at IS NULL;
DROP INDEX counterparties_owner_name;
CREATE INDEX counterparties_owner_name ON counterparties (owner_id, name_sort, id)
    INCLUDE (territory_id) WHERE deleted_at IS NULL;
-- 0013's ИНН prefix indexes get the ИНН itself: PostgreSQL scans an expression index index-only
-- only when it holds every column the query names (here `inn`, inside `substr`).
DROP INDEX counterparties_inn_office;
CREATE INDEX counterparties_inn_office ON counterparties (substr(inn, 1, 4), name_sort, id)
    INCLUDE (inn, territory_id, owner_id) WHERE deleted_at IS NULL;
DROP INDEX counterparties_inn_region;
CREATE INDEX counterparties_inn_region ON counterparties (substr(inn, 1, 2), name_sort, id)
    INCLUDE (inn, territory_id, owner_id) WHERE deleted_at IS NULL;
-- Statistics for the new indexes and for 0013's expressions: without them the planner guesses.
ANALYZE counterparties;
