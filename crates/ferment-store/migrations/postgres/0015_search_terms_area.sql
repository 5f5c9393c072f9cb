-- PostgreSQL twin of migrations/sqlite/0015_search_terms_area.sql (keep them in step).
ALTER TABLE search_terms ADD COLUMN area_path TEXT;
UPDATE search_terms SET area_path = a.area
FROM (
    SELECT id, COALESCE(substring(path FROM '^/[^/]*/[^/]*/'), path) AS area FROM territories
) AS a
WHERE a.id = search_terms.territory_id;
CREATE INDEX search_terms_area ON search_terms (record_kind, area_path, term, sort_key, record_id)
    INCLUDE (owner_id, territory_id) WHERE area_path IS NOT NULL;
ANALYZE search_terms;
