-- An ИНН begins with the code of the region (2 digits) and of the tax office (4 digits) that gave
-- it, and a search by the start of an ИНН lists the matches by name. A range over
-- counterparties_inn_name holds every match and must be sorted: up to ~2 000 entries for a
-- Moscow office's four digits at a million clients, 150 000 for Moscow's two. These indexes keep
-- each office's and each region's clients in name order, so a page of a 4-digit search is read in
-- order, and a 2- or 3-digit one walks its region in order testing the third digit
-- (counterparties::list; docs/BENCHMARKS.md). Owner and territory are in them for scoped users.
CREATE INDEX counterparties_inn_office ON counterparties
    (substr(inn, 1, 4), name_sort, id, territory_id, owner_id) WHERE deleted_at IS NULL;
CREATE INDEX counterparties_inn_region ON counterparties
    (substr(inn, 1, 2), name_sort, id, territory_id, owner_id) WHERE deleted_at IS NULL;
