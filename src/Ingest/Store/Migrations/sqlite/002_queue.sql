-- What the Detector writes: scores per run, the dong queues, run ledger and audit trail.

CREATE TABLE risk_score (
    run_date           TEXT    NOT NULL,
    household_no       INTEGER NOT NULL,
    crisis_score       REAL    NOT NULL,
    lonely_death_score REAL    NOT NULL,
    model_version      TEXT    NOT NULL,
    PRIMARY KEY (run_date, household_no)
) WITHOUT ROWID;

CREATE TABLE risk_case (
    case_id            TEXT    PRIMARY KEY,
    household_no       INTEGER NOT NULL,
    dong_code          TEXT    NOT NULL,
    flagged_on         TEXT    NOT NULL,
    last_flagged_on    TEXT    NOT NULL,
    priority           TEXT    NOT NULL,        -- urgent | high | normal
    lane               TEXT    NOT NULL,        -- model | flatline | model+flatline
    crisis_score       REAL    NOT NULL,
    lonely_death_score REAL    NOT NULL,
    reasons_json       TEXT    NOT NULL,
    model_version      TEXT    NOT NULL,
    policy_version     TEXT    NOT NULL,
    status             TEXT    NOT NULL,        -- new | assigned | visited | closed
    assigned_to        TEXT    NULL,
    closed_on          TEXT    NULL,
    outcome            TEXT    NULL
);
-- One open case per household: the database itself refuses a double.
CREATE UNIQUE INDEX ux_risk_case_open ON risk_case (household_no) WHERE status <> 'closed';
CREATE INDEX ix_risk_case_dong ON risk_case (dong_code, status);

CREATE TABLE nightly_run (
    run_date          TEXT    NOT NULL,
    partition_key     TEXT    NOT NULL,
    status            TEXT    NOT NULL,         -- running | done | failed
    started_at        TEXT    NOT NULL,
    finished_at       TEXT    NULL,
    households_scored INTEGER NOT NULL DEFAULT 0,
    cases_opened      INTEGER NOT NULL DEFAULT 0,
    cases_updated     INTEGER NOT NULL DEFAULT 0,
    model_version     TEXT    NULL,
    policy_version    TEXT    NULL,
    error             TEXT    NULL,
    PRIMARY KEY (run_date, partition_key)
);

CREATE TABLE audit_log (
    audit_id     INTEGER PRIMARY KEY,
    at           TEXT    NOT NULL,
    actor        TEXT    NOT NULL,
    action       TEXT    NOT NULL,              -- identity_view | bulk_identity_view | ...
    household_no INTEGER NULL,
    detail       TEXT    NULL
);
