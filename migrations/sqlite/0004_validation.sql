-- Validation runs and the findings worklist. A run is written in one
-- transaction with its findings: a cancelled run leaves nothing behind.

CREATE TABLE admin_validation_runs (
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
CREATE TABLE admin_findings (
    id              INTEGER PRIMARY KEY,
    rule_id         TEXT        NOT NULL,
    entity_type     TEXT        NOT NULL,
    entity_id       INTEGER     NOT NULL,
    detail          TEXT,
    status          TEXT        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'fixed', 'resolved')),
    first_run       INTEGER     NOT NULL REFERENCES admin_validation_runs (id),
    last_run        INTEGER     NOT NULL REFERENCES admin_validation_runs (id),
    first_seen_at   TEXT        NOT NULL,
    last_seen_at    TEXT        NOT NULL,
    resolved_at     TEXT       ,
    accepted_by     TEXT,
    accepted_reason TEXT,
    version         INTEGER     NOT NULL DEFAULT 1,
    UNIQUE (rule_id, entity_type, entity_id)
);
CREATE INDEX admin_findings_status_idx ON admin_findings (status, rule_id, id);
CREATE INDEX admin_findings_entity_idx ON admin_findings (entity_type, entity_id);
CREATE INDEX admin_findings_run_idx ON admin_findings (rule_id, last_run);
