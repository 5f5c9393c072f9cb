-- PostgreSQL twin of migrations/sqlite/0015_search_terms_area.sql (keep them in step).
ALTER TABLE search_terms ADD COLUMN area_path TEXT;
UPDATE search_terms SET area_path = a.area
FROM (
    SELECT id, COALESCE(substring(path FROM '^/[^/]*/[^/]*/'), path) AS area FROM territories
) AS a
WHERE a.id = search_terms.territory_id;
-- The update wrote a new version of every posting with a territory, and a new entry for it in each
-- index: rebuilt, the primary key is 1.3 GB again instead of 3.4 GB at a million clients.
REINDEX TABLE search_terms;
CREATE INDEX search_terms_area ON search_terms (record_kind, area_path, term, sort_key, record_id)
    INCLUDE (owner_id, territory_id) WHERE area_path IS NOT NULL;
ANALYZE search_terms;
