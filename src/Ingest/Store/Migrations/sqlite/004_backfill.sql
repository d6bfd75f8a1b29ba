-- Backfill and shadow runs (issue 6). Every write of a pass is keyed by (run date, partition); a partition is a group
-- of dongs. input_hash fingerprints what the pass read (the feed files up to the date, model and policy versions, the
-- dongs), so a rerun whose fingerprint is unchanged changes nothing.

ALTER TABLE nightly_run ADD COLUMN input_hash TEXT NULL;
ALTER TABLE nightly_run ADD COLUMN dongs TEXT NULL;

-- The list each pass produced, live or shadow: what the queues got (live) or would have got (shadow).
CREATE TABLE run_list (
    run_date           TEXT    NOT NULL,
    mode               TEXT    NOT NULL,        -- live | shadow
    model_version      TEXT    NOT NULL,
    policy_version     TEXT    NOT NULL,
    household_no       INTEGER NOT NULL,
    dong_code          TEXT    NOT NULL,
    partition_key      TEXT    NOT NULL,
    priority           TEXT    NOT NULL,
    lane               TEXT    NOT NULL,
    crisis_score       REAL    NOT NULL,
    lonely_death_score REAL    NOT NULL,
    rank_in_dong       INTEGER NOT NULL,
    PRIMARY KEY (run_date, mode, model_version, policy_version, household_no)
);
CREATE INDEX ix_run_list_dong ON run_list (run_date, dong_code, mode);

-- Shadow passes: scored and flagged with a candidate model or policy, never pushed to a queue.
CREATE TABLE shadow_run (
    run_date       TEXT NOT NULL,
    partition_key  TEXT NOT NULL,
    model_version  TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    status         TEXT NOT NULL,               -- running | done | failed
    input_hash     TEXT NULL,
    dongs          TEXT NULL,
    started_at     TEXT NOT NULL,
    finished_at    TEXT NULL,
    households     INTEGER NOT NULL DEFAULT 0,
    flagged        INTEGER NOT NULL DEFAULT 0,
    error          TEXT NULL,
    PRIMARY KEY (run_date, partition_key, model_version, policy_version)
);

CREATE TABLE shadow_score (
    run_date           TEXT    NOT NULL,
    model_version      TEXT    NOT NULL,
    household_no       INTEGER NOT NULL,
    crisis_score       REAL    NOT NULL,
    lonely_death_score REAL    NOT NULL,
    PRIMARY KEY (run_date, model_version, household_no)
) WITHOUT ROWID;
