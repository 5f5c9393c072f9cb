-- The lists' name indexes hold live clients only, with owner and territory: a page of a list
-- (all clients, a region's, an owner's) is then chosen from index entries alone — the deleted
-- flag and a scoped user's owner/territory test no longer need the row — and only the page's rows
-- are read afterwards. Before, each index entry of a page cost a row lookup for `deleted_at`, and
-- the page's rows were read twice (docs/BENCHMARKS.md). Every list query asks for
-- `deleted_at IS NULL`, which lets the planner use a partial index; `deleted_at` is also a column
-- of each index because SQLite counts an index as covering only when it holds every column the
-- query names (as counterparties_inn_name does since 0006). 0013's ИНН indexes get it too.
DROP INDEX counterparties_name;
CREATE INDEX counterparties_name ON counterparties (name_sort, id, deleted_at, territory_id, owner_id)
    WHERE deleted_at IS NULL;
DROP INDEX counterparties_territory_name;
CREATE INDEX counterparties_territory_name ON counterparties
    (territory_id, name_sort, id, deleted_at, owner_id) WHERE deleted_at IS NULL;
DROP INDEX counterparties_owner_name;
CREATE INDEX counterparties_owner_name ON counterparties
    (owner_id, name_sort, id, deleted_at, territory_id) WHERE deleted_at IS NULL;
-- The ИНН prefix indexes also hold the ИНН itself: the query names `inn` (in `substr(inn, …)` and
-- the third digit's test), so without it every entry cost a row lookup.
DROP INDEX counterparties_inn_office;
CREATE INDEX counterparties_inn_office ON counterparties
    (substr(inn, 1, 4), name_sort, id, deleted_at, inn, territory_id, owner_id)
    WHERE deleted_at IS NULL;
DROP INDEX counterparties_inn_region;
CREATE INDEX counterparties_inn_region ON counterparties
    (substr(inn, 1, 2), name_sort, id, deleted_at, inn, territory_id, owner_id)
    WHERE deleted_at IS NULL;
-- Statistics for the new indexes: without them the planner guesses, and took a scoped ИНН search
-- through the district's index (0.6 s at a million clients).
ANALYZE counterparties;
