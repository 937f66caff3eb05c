-- Validation runs and the findings worklist. A run is written in one
-- transaction with its findings: a cancelled run leaves nothing behind.

CREATE TABLE admin_validation_runs (
    id             BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    started_at     DATETIME(6)  NOT NULL,
    finished_at    DATETIME(6)  NOT NULL,
    operator       VARCHAR(100) NOT NULL,
    rules          TEXT         NOT NULL,
    rows_examined  BIGINT       NOT NULL,
    findings       BIGINT       NOT NULL,
    new_findings   BIGINT       NOT NULL,
    resolved       BIGINT       NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- One row per (rule, record) ever found. status: open, accepted (an
-- operator said it is fine, with a reason), fixed (by a console fix), or
-- resolved (no longer found by a later run).
CREATE TABLE admin_findings (
    id              BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    rule_id         VARCHAR(64)  NOT NULL,
    entity_type     VARCHAR(32)  NOT NULL,
    entity_id       BIGINT       NOT NULL,
    detail          TEXT,
    status          VARCHAR(16)  NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'fixed', 'resolved')),
    first_run       BIGINT       NOT NULL,
    last_run        BIGINT       NOT NULL,
    first_seen_at   DATETIME(6)  NOT NULL,
    last_seen_at    DATETIME(6)  NOT NULL,
    resolved_at     DATETIME(6),
    accepted_by     VARCHAR(100),
    accepted_reason TEXT,
    version         BIGINT       NOT NULL DEFAULT 1,
    UNIQUE KEY admin_findings_key (rule_id, entity_type, entity_id),
    KEY admin_findings_status_idx (status, rule_id, id),
    KEY admin_findings_entity_idx (entity_type, entity_id),
    KEY admin_findings_run_idx (rule_id, last_run),
    CONSTRAINT admin_findings_first_run_fk FOREIGN KEY (first_run) REFERENCES admin_validation_runs (id),
    CONSTRAINT admin_findings_last_run_fk FOREIGN KEY (last_run) REFERENCES admin_validation_runs (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
