-- CommerceML 2: 1C's built-in exchange calls Ferment at /exchange/1c. Each 1C `Ид` (group,
-- product, warehouse, price type) is linked to the Ferment record it became; orders a user asked
-- to send wait in `cml_orders` until 1C takes them (`query`) and confirms (`success`), and 1C's
-- statuses of them come back into the same row.

CREATE TABLE cml_links (
    object     TEXT NOT NULL,
    id_1c      TEXT NOT NULL,
    record_id  TEXT,
    extra      TEXT,
    synced_at  TEXT NOT NULL,
    PRIMARY KEY (object, id_1c)
);
CREATE INDEX cml_links_record ON cml_links (record_id);

CREATE TABLE cml_orders (
    sale_id       TEXT PRIMARY KEY REFERENCES sales (id),
    requested_by  TEXT REFERENCES users (id),
    requested_at  TEXT NOT NULL,
    sent_at       TEXT,
    exported_at   TEXT,
    number_1c     TEXT,
    status_1c     TEXT,
    updated_at    TEXT NOT NULL
);
