-- What the Detector writes: scores per run, the dong queues, run ledger and audit trail (SQL Server dialect).

CREATE TABLE risk_score (
    run_date           varchar(10)              NOT NULL,
    household_no       bigint           NOT NULL,
    crisis_score       float            NOT NULL,
    lonely_death_score float            NOT NULL,
    model_version      nvarchar(450)           NOT NULL,
    PRIMARY KEY (run_date, household_no)
);

CREATE TABLE risk_case (
    case_id            nvarchar(450)           PRIMARY KEY,
    household_no       bigint           NOT NULL,
    dong_code          nvarchar(450)           NOT NULL,
    flagged_on         varchar(10)              NOT NULL,
    last_flagged_on    varchar(10)              NOT NULL,
    priority           nvarchar(450)           NOT NULL,
    lane               nvarchar(450)           NOT NULL,
    crisis_score       float            NOT NULL,
    lonely_death_score float            NOT NULL,
    reasons_json       nvarchar(max)           NOT NULL,
    model_version      nvarchar(450)           NOT NULL,
    policy_version     nvarchar(450)           NOT NULL,
    status             nvarchar(450)           NOT NULL,
    assigned_to        nvarchar(450)           NULL,
    closed_on          varchar(10)              NULL,
    outcome            nvarchar(450)           NULL
);
-- One open case per household: the database itself refuses a double.
CREATE UNIQUE INDEX ux_risk_case_open ON risk_case (household_no) WHERE status <> 'closed';
CREATE INDEX ix_risk_case_dong ON risk_case (dong_code, status);

CREATE TABLE nightly_run (
    run_date          varchar(10)    NOT NULL,
    partition_key     nvarchar(450) NOT NULL,
    status            nvarchar(450) NOT NULL,
    started_at        nvarchar(450) NOT NULL,
    finished_at       nvarchar(450) NULL,
    households_scored bigint NOT NULL DEFAULT 0,
    cases_opened      bigint NOT NULL DEFAULT 0,
    cases_updated     bigint NOT NULL DEFAULT 0,
    model_version     nvarchar(450) NULL,
    policy_version    nvarchar(450) NULL,
    error             nvarchar(max) NULL,
    PRIMARY KEY (run_date, partition_key)
);

CREATE TABLE audit_log (
    audit_id     bigint IDENTITY(1,1) PRIMARY KEY,
    at           nvarchar(450) NOT NULL,
    actor        nvarchar(450) NOT NULL,
    action       nvarchar(450) NOT NULL,
    household_no bigint NULL,
    detail       nvarchar(max) NULL
);
