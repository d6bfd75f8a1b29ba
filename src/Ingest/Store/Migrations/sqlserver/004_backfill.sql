-- Backfill and shadow runs (issue 6), SQL Server dialect: see sqlite/004_backfill.sql for the why.

ALTER TABLE nightly_run ADD input_hash nvarchar(64) NULL, dongs nvarchar(max) NULL;

CREATE TABLE run_list (
    run_date           varchar(10)   NOT NULL,
    mode               nvarchar(16)  NOT NULL,
    model_version      nvarchar(200) NOT NULL,
    policy_version     nvarchar(64)  NOT NULL,
    household_no       bigint        NOT NULL,
    dong_code          nvarchar(10)  NOT NULL,
    partition_key      nvarchar(450) NOT NULL,
    priority           nvarchar(16)  NOT NULL,
    lane               nvarchar(32)  NOT NULL,
    crisis_score       float         NOT NULL,
    lonely_death_score float         NOT NULL,
    rank_in_dong       bigint        NOT NULL,
    PRIMARY KEY (run_date, mode, model_version, policy_version, household_no)
);
CREATE INDEX ix_run_list_dong ON run_list (run_date, dong_code, mode);

CREATE TABLE shadow_run (
    run_date       varchar(10)   NOT NULL,
    partition_key  nvarchar(400) NOT NULL,
    model_version  nvarchar(200) NOT NULL,
    policy_version nvarchar(64)  NOT NULL,
    status         nvarchar(16)  NOT NULL,
    input_hash     nvarchar(64)  NULL,
    dongs          nvarchar(max) NULL,
    started_at     nvarchar(40)  NOT NULL,
    finished_at    nvarchar(40)  NULL,
    households     bigint        NOT NULL DEFAULT 0,
    flagged        bigint        NOT NULL DEFAULT 0,
    error          nvarchar(max) NULL,
    PRIMARY KEY (run_date, partition_key, model_version, policy_version)
);

CREATE TABLE shadow_score (
    run_date           varchar(10)   NOT NULL,
    model_version      nvarchar(200) NOT NULL,
    household_no       bigint        NOT NULL,
    crisis_score       float         NOT NULL,
    lonely_death_score float         NOT NULL,
    PRIMARY KEY (run_date, model_version, household_no)
);
