-- A search by ИНН prefix lists the matches by name: this index holds the range (inn), the sort key
-- (name_sort, id) and, being partial, only live rows, so the matches are sorted from index entries
-- alone and only the page's rows are read (see counterparties::list). `deleted_at` is in the key,
-- always NULL here, because SQLite counts an index as covering only when it holds every column the
-- query names, including those its WHERE already implies.
CREATE INDEX counterparties_inn_name ON counterparties (inn, name_sort, id, deleted_at)
    WHERE deleted_at IS NULL;
