-- The store of record for the feeds of shared/feeds/SPEC.md (SQL Server dialect).
-- The same logical schema as sqlite/001_feeds.sql, so the Detector's SQL runs unchanged: dates are varchar(10)
-- ISO text compared as text, every integer is bigint, decimals are float (double precision). household_no and person_no
-- are given by the ingest (MAX + 1 under the write lock); only the ledger's file_id is generated. Compiled into the
-- build and its SQL unit-tested; no SQL Server runs on the build machines.

CREATE TABLE ingest_file (
    file_id          bigint IDENTITY(1,1) PRIMARY KEY,
    file_name        nvarchar(450) NOT NULL,
    feed             nvarchar(450) NOT NULL,
    as_of            varchar(10)    NOT NULL,
    version          bigint NOT NULL,
    sha256           char(64)      NOT NULL,
    status           nvarchar(450) NOT NULL,          -- loaded | rejected | superseded
    rows_loaded      bigint NOT NULL,
    rows_quarantined bigint NOT NULL,
    error            nvarchar(max) NULL,
    ingested_at      nvarchar(450) NOT NULL
);
CREATE UNIQUE INDEX ux_ingest_file_sha ON ingest_file (sha256);
CREATE INDEX ix_ingest_file_feed ON ingest_file (feed, as_of, version);

CREATE TABLE quarantine (
    file_id     bigint NOT NULL,
    file_name   nvarchar(450) NOT NULL,
    line        bigint NOT NULL,
    column_name nvarchar(100) NOT NULL,
    reason      nvarchar(max) NOT NULL,
    PRIMARY KEY (file_id, line, column_name)
);

CREATE TABLE household (
    household_no   bigint PRIMARY KEY,
    household_key  char(64)      NOT NULL,            -- hex HMAC-SHA256 of household_id
    dong_code      nvarchar(450) NULL,
    household_size bigint NULL,
    housing_type   nvarchar(450) NULL,
    first_seen_on  varchar(10)    NULL,
    updated_on     varchar(10)    NULL
);
CREATE UNIQUE INDEX ux_household_key ON household (household_key);
CREATE INDEX ix_household_dong ON household (dong_code);

CREATE TABLE person (
    person_no    bigint PRIMARY KEY,
    person_key   char(64)      NOT NULL,              -- hex HMAC-SHA256 of the rrn; the rrn itself is never stored
    household_no bigint NULL,
    birth_date   varchar(10)    NULL,
    sex          nvarchar(450) NULL,
    relation     nvarchar(450) NULL,
    status       nvarchar(450) NULL,
    status_date  varchar(10)    NULL,
    reported_on  varchar(10)    NULL,
    file_id      bigint NULL
);
CREATE UNIQUE INDEX ux_person_key ON person (person_key);
CREATE INDEX ix_person_household ON person (household_no);

-- Identity data, AES-GCM encrypted; read only through the audited identity view.
CREATE TABLE identity (
    person_no        bigint PRIMARY KEY,
    household_id_enc varbinary(max)  NOT NULL,
    name_enc         varbinary(max)  NOT NULL,
    address_enc      varbinary(max)  NULL,
    phone_enc        varbinary(max)  NULL
);

CREATE TABLE usage_electricity (
    date         varchar(10)              NOT NULL,
    household_no bigint           NOT NULL,
    kwh          float            NULL,
    active_hours bigint           NULL,
    quality      nvarchar(450)           NOT NULL,
    file_id      bigint           NOT NULL,
    PRIMARY KEY (date, household_no)
);

CREATE TABLE usage_water (
    date         varchar(10)              NOT NULL,
    household_no bigint           NOT NULL,
    liters       float            NULL,
    quality      nvarchar(450)           NOT NULL,
    file_id      bigint           NOT NULL,
    PRIMARY KEY (date, household_no)
);

CREATE TABLE usage_telecom (
    date      varchar(10)              NOT NULL,
    person_no bigint           NOT NULL,
    calls_out bigint           NOT NULL,
    calls_in  bigint           NOT NULL,
    sms_out   bigint           NOT NULL,
    data_mb   float            NOT NULL,
    file_id   bigint           NOT NULL,
    PRIMARY KEY (date, person_no)
);

CREATE TABLE arrears (
    person_no      bigint NOT NULL,
    source         nvarchar(50)  NOT NULL,
    reported_on    varchar(10)    NOT NULL,
    billing_month  nvarchar(450) NOT NULL,
    amount_krw     bigint NOT NULL,
    months_overdue bigint NOT NULL,
    action         nvarchar(450) NOT NULL,
    file_id        bigint NOT NULL,
    PRIMARY KEY (person_no, source, reported_on)
);

CREATE TABLE welfare_event (
    person_no  bigint NOT NULL,
    event      nvarchar(50)  NOT NULL,
    event_date varchar(10)    NOT NULL,
    file_id    bigint NOT NULL,
    PRIMARY KEY (person_no, event, event_date)
);

CREATE TABLE report (
    report_id    nvarchar(450) PRIMARY KEY,
    household_no bigint NULL,
    person_no    bigint NULL,
    channel      nvarchar(450) NOT NULL,
    reported_at  nvarchar(450) NOT NULL,
    reported_on  varchar(10)    NOT NULL,
    note_enc     varbinary(max)  NULL,
    file_id      bigint NOT NULL
);

CREATE TABLE outcome (
    household_no          bigint NOT NULL,
    visited_on            varchar(10)    NOT NULL,
    outcome               nvarchar(50)  NOT NULL,
    discovered_after_days bigint NULL,
    origin                nvarchar(450) NOT NULL,
    file_id               bigint NULL,
    PRIMARY KEY (household_no, visited_on, outcome)
);
