-- The area of a posting's territory (ferment_domain::territory::area_of: the federal district, or
-- a country without districts) beside its word, and an index keyed by it. A scope inside one area
-- (a district's or a region's manager) then reads the area's posting list of a word, already in
-- name order, instead of the whole list with each entry's territory tested: with a sixth of the
-- clients in the district a page of 51 read ~320 entries per word, and a word rare in the district
-- read its whole list (docs/BENCHMARKS.md, session 10). Kept in step by search::index and the bulk
-- writers; territories::update rewrites it when a territory moves or is recoded. NULL without a
-- territory, and then outside the index.
ALTER TABLE search_terms ADD COLUMN area_path TEXT;
UPDATE search_terms SET area_path = a.area
FROM (
    SELECT id,
        CASE WHEN instr(substr(path, instr(substr(path, 2), '/') + 2), '/') = 0 THEN path
        ELSE substr(path, 1, instr(substr(path, 2), '/') + 1
                             + instr(substr(path, instr(substr(path, 2), '/') + 2), '/'))
        END AS area
    FROM territories
) AS a
WHERE a.id = search_terms.territory_id;
-- WITHOUT ROWID: the index holds the primary key's columns besides its own; owner and territory
-- are named so that a scoped page is filtered from index entries alone.
CREATE INDEX search_terms_area ON search_terms
    (record_kind, area_path, term, sort_key, record_id, owner_id, territory_id)
    WHERE area_path IS NOT NULL;
ANALYZE search_terms;
