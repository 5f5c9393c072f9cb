-- The rights model (issue 3): what each role grants, departments, per-user overrides and IP
-- allow-lists, settings (trusted proxies), and the audit log of logins, refusals and access changes.

-- rights: JSON of ferment_domain::access::Rights (permissions, system, hidden_fields, ip_allow);
-- the shipped roles get theirs from users::seed_roles on start when still '{}'.
ALTER TABLE roles ADD COLUMN rights TEXT NOT NULL DEFAULT '{}';
ALTER TABLE roles ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

CREATE TABLE departments (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_sort   TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    deleted_at  TEXT
);
CREATE UNIQUE INDEX departments_name ON departments (name_sort) WHERE deleted_at IS NULL;

ALTER TABLE users ADD COLUMN department_id TEXT REFERENCES departments (id);
-- JSON: ferment_domain::access::Overrides and a list of CIDR strings.
ALTER TABLE users ADD COLUMN overrides TEXT NOT NULL DEFAULT '{}';
ALTER TABLE users ADD COLUMN ip_allow TEXT NOT NULL DEFAULT '[]';
CREATE INDEX users_department ON users (department_id);

-- Settings an administrator changes at run time (key → JSON value), e.g. `trusted_proxies`.
CREATE TABLE settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- Security events: logins (success and failure, with the address), refusals, and changes to roles,
-- users' access and IP rules. Append-only.
CREATE TABLE audit_log (
    id         TEXT PRIMARY KEY,
    at         TEXT NOT NULL,
    event      TEXT NOT NULL,
    user_id    TEXT,
    login      TEXT,
    ip         TEXT,
    detail     TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at, id);
CREATE INDEX audit_log_event ON audit_log (event, at, id);
