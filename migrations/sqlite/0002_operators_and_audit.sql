-- Operator sign-in attempts and lockout, and the hash-chained audit log.

ALTER TABLE admin_operators ADD COLUMN locked_until TEXT;

-- Every sign-in attempt, successful or not. operator_id is NULL when the
-- name matched no operator.
CREATE TABLE admin_sign_in_attempts (
    id          INTEGER PRIMARY KEY,
    operator_id INTEGER REFERENCES admin_operators (id) ON DELETE SET NULL,
    username    TEXT    NOT NULL,
    succeeded   INTEGER NOT NULL CHECK (succeeded IN (0, 1)),
    reason      TEXT    NOT NULL,
    at          TEXT    NOT NULL
);
CREATE INDEX admin_sign_in_attempts_operator_idx ON admin_sign_in_attempts (operator_id, at);

-- Append-only. Each entry stores the hash of the previous entry and its
-- own, so an edited or deleted row breaks the chain. before_json and
-- after_json hold only the changed fields, as text so the hashed bytes are
-- the stored bytes.
CREATE TABLE admin_audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT    NOT NULL,
    operator    TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    entity_type TEXT    NOT NULL,
    entity_id   TEXT    NOT NULL,
    before_json TEXT,
    after_json  TEXT,
    reason      TEXT,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL
);
CREATE INDEX admin_audit_entity_idx ON admin_audit_log (entity_type, entity_id, id);
CREATE INDEX admin_audit_operator_idx ON admin_audit_log (operator, id);
CREATE INDEX admin_audit_action_idx ON admin_audit_log (action, id);
CREATE INDEX admin_audit_at_idx ON admin_audit_log (at, id);

-- The chain's head: appends lock this one row, so concurrent writers
-- chain one after the other, and truncating the log's tail is detected.
CREATE TABLE admin_audit_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    last_id   INTEGER NOT NULL,
    last_hash TEXT    NOT NULL
);
INSERT INTO admin_audit_head (id, last_id, last_hash) VALUES (1, 0, '');
