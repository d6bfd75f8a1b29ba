-- Backfill and shadow runs (issue 6), PostgreSQL dialect: see sqlite/004_backfill.sql for the why.

ALTER TABLE nightly_run ADD COLUMN input_hash text NULL;
ALTER TABLE nightly_run ADD COLUMN dongs text NULL;

CREATE TABLE run_list (
    run_date           text             NOT NULL,
    mode               text             NOT NULL,
    model_version      text             NOT NULL,
    policy_version     text             NOT NULL,
    household_no       bigint           NOT NULL,
    dong_code          text             NOT NULL,
    partition_key      text             NOT NULL,
    priority           text             NOT NULL,
    lane               text             NOT NULL,
    crisis_score       double precision NOT NULL,
    lonely_death_score double precision NOT NULL,
    rank_in_dong       bigint           NOT NULL,
    PRIMARY KEY (run_date, mode, model_version, policy_version, household_no)
);
CREATE INDEX ix_run_list_dong ON run_list (run_date, dong_code, mode);

CREATE TABLE shadow_run (
    run_date       text   NOT NULL,
    partition_key  text   NOT NULL,
    model_version  text   NOT NULL,
    policy_version text   NOT NULL,
    status         text   NOT NULL,
    input_hash     text   NULL,
    dongs          text   NULL,
    started_at     text   NOT NULL,
    finished_at    text   NULL,
    households     bigint NOT NULL DEFAULT 0,
    flagged        bigint NOT NULL DEFAULT 0,
    error          text   NULL,
    PRIMARY KEY (run_date, partition_key, model_version, policy_version)
);

CREATE TABLE shadow_score (
    run_date           text             NOT NULL,
    model_version      text             NOT NULL,
    household_no       bigint           NOT NULL,
    crisis_score       double precision NOT NULL,
    lonely_death_score double precision NOT NULL,
    PRIMARY KEY (run_date, model_version, household_no)
);
