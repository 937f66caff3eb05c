-- The console's own tables, beside the back end's: operators, sign-in
-- attempts, the audit log, validation runs and findings, the outbox.
-- They never reference a table of the back end's: the back end's keys
-- may be of any type, and attaching must not tie its tables to ours.

-- Console operators: argon2id hashes, never plain passwords.
CREATE TABLE backoffice_operators (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'support')),
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')),
    updated_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')),
    version       INTEGER NOT NULL DEFAULT 1,
    locked_until  TEXT NULL
);

-- Every sign-in attempt, successful or not. operator_id is NULL when the
-- name matched no operator.
CREATE TABLE backoffice_sign_in_attempts (
    id          INTEGER PRIMARY KEY,
    operator_id INTEGER REFERENCES backoffice_operators (id) ON DELETE SET NULL,
    username    TEXT    NOT NULL,
    succeeded   INTEGER NOT NULL CHECK (succeeded IN (0, 1)),
    reason      TEXT    NOT NULL,
    at          TEXT    NOT NULL
);
CREATE INDEX backoffice_sign_in_attempts_operator_idx ON backoffice_sign_in_attempts (operator_id, at);

-- Append-only. Each entry stores the hash of the previous entry and its
-- own, so an edited or deleted row breaks the chain. before_json and
-- after_json hold only the changed fields, as text so the hashed bytes are
-- the stored bytes.
CREATE TABLE backoffice_audit_log (
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
CREATE INDEX backoffice_audit_entity_idx ON backoffice_audit_log (entity_type, entity_id, id);
CREATE INDEX backoffice_audit_operator_idx ON backoffice_audit_log (operator, id);
CREATE INDEX backoffice_audit_action_idx ON backoffice_audit_log (action, id);
CREATE INDEX backoffice_audit_at_idx ON backoffice_audit_log (at, id);

-- The chain's head: appends lock this one row, so concurrent writers
-- chain one after the other, and truncating the log's tail is detected.
CREATE TABLE backoffice_audit_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    last_id   INTEGER NOT NULL,
    last_hash TEXT    NOT NULL
);
INSERT INTO backoffice_audit_head (id, last_id, last_hash) VALUES (1, 0, '');

-- Validation runs and the findings worklist. A run is written in one
-- transaction with its findings: a cancelled run leaves nothing behind.

CREATE TABLE backoffice_validation_runs (
    id             INTEGER PRIMARY KEY,
    started_at     TEXT        NOT NULL,
    finished_at    TEXT        NOT NULL,
    operator       TEXT        NOT NULL,
    rules          TEXT        NOT NULL,
    rows_examined  INTEGER     NOT NULL,
    findings       INTEGER     NOT NULL,
    new_findings   INTEGER     NOT NULL,
    resolved       INTEGER     NOT NULL
);

-- One row per (rule, record) ever found. status: open, accepted (an
-- operator said it is fine, with a reason), fixed (by a console fix), or
-- resolved (no longer found by a later run).
CREATE TABLE backoffice_findings (
    id              INTEGER PRIMARY KEY,
    rule_id         TEXT        NOT NULL,
    entity_type     TEXT        NOT NULL,
    entity_id       INTEGER     NOT NULL,
    detail          TEXT,
    status          TEXT        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'fixed', 'resolved')),
    first_run       INTEGER     NOT NULL REFERENCES backoffice_validation_runs (id),
    last_run        INTEGER     NOT NULL REFERENCES backoffice_validation_runs (id),
    first_seen_at   TEXT        NOT NULL,
    last_seen_at    TEXT        NOT NULL,
    resolved_at     TEXT       ,
    accepted_by     TEXT,
    accepted_reason TEXT,
    version         INTEGER     NOT NULL DEFAULT 1,
    UNIQUE (rule_id, entity_type, entity_id)
);
CREATE INDEX backoffice_findings_status_idx ON backoffice_findings (status, rule_id, id);
CREATE INDEX backoffice_findings_entity_idx ON backoffice_findings (entity_type, entity_id);
CREATE INDEX backoffice_findings_run_idx ON backoffice_findings (rule_id, last_run);

-- The notification outbox. A trigger writes a row here in the same
-- transaction as the change that caused it; a dispatcher delivers it.
-- status: queued -> sending -> sent, or back to queued for a retry,
-- failed after the last attempt or a permanent refusal, uncertain when the
-- server may have accepted it but the reply was lost, cancelled by an
-- operator. due_at is when the next attempt is due (queued) or when the
-- dispatcher's lease runs out (sending). vars_json holds the template's
-- values frozen at trigger time; never a token (links get theirs at send).
CREATE TABLE backoffice_outbox (
    id              INTEGER PRIMARY KEY,
    uid             TEXT    NOT NULL UNIQUE,
    template        TEXT    NOT NULL,
    user_id         INTEGER,
    order_id        INTEGER,
    recipient       TEXT    NOT NULL,
    recipient_name  TEXT    NOT NULL DEFAULT '',
    subject         TEXT    NOT NULL,
    vars_json       TEXT    NOT NULL,
    idempotency_key TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'uncertain', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    due_at          TEXT    NOT NULL,
    lease_owner     TEXT,
    send_started_at TEXT,
    last_error      TEXT,
    smtp_reply      TEXT,
    forced          INTEGER NOT NULL DEFAULT 0 CHECK (forced IN (0, 1)),
    created_by      TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    sent_at         TEXT,
    updated_at      TEXT    NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX backoffice_outbox_due_idx ON backoffice_outbox (status, due_at, id);
CREATE INDEX backoffice_outbox_created_idx ON backoffice_outbox (created_at, id);
CREATE INDEX backoffice_outbox_user_idx ON backoffice_outbox (user_id, created_at);

-- One row per idempotency key: the message it last queued. Triggers lock
-- the key's row, so two operators pressing Send at once queue one message.
CREATE TABLE backoffice_outbox_keys (
    idempotency_key TEXT    NOT NULL PRIMARY KEY,
    message_id      INTEGER REFERENCES backoffice_outbox (id) ON DELETE SET NULL,
    updated_at      TEXT    NOT NULL
);

-- Every delivery attempt and what came of it.
CREATE TABLE backoffice_outbox_attempts (
    id          INTEGER PRIMARY KEY,
    message_id  INTEGER NOT NULL REFERENCES backoffice_outbox (id) ON DELETE CASCADE,
    attempt     INTEGER NOT NULL,
    started_at  TEXT    NOT NULL,
    finished_at TEXT    NOT NULL,
    outcome     TEXT    NOT NULL CHECK (outcome IN ('sent', 'temporary', 'permanent', 'uncertain')),
    smtp_code   INTEGER,
    detail      TEXT
);
CREATE INDEX backoffice_outbox_attempts_msg_idx ON backoffice_outbox_attempts (message_id, attempt);
