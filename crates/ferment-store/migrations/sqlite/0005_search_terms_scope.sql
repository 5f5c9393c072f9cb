-- The access columns of a counterparty (owner, territory) beside each of its search words, so that a
-- search by a user whose scope is a territory or a team filters the posting list from its own
-- entries, without looking up every counterparty the word has (a regional manager's search was
-- 1.5–2× the administrator's; see docs/BENCHMARKS.md). Kept in step by search::index, which every
-- insert and update of a counterparty calls. NULL for other kinds of record.
ALTER TABLE search_terms ADD COLUMN owner_id TEXT;
ALTER TABLE search_terms ADD COLUMN territory_id TEXT;
UPDATE search_terms SET
    owner_id = (SELECT c.owner_id FROM counterparties c WHERE c.id = search_terms.record_id),
    territory_id = (SELECT c.territory_id FROM counterparties c WHERE c.id = search_terms.record_id)
WHERE record_kind = 'counterparty';
