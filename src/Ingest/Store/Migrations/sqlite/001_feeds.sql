-- The store of record for the feeds of shared/feeds/SPEC.md (SQLite dialect).
-- Dates are ISO text (YYYY-MM-DD): they sort and compare as text, and every dialect can read them.
-- Usage tables are keyed (date, subject) so that a day's file appends in key order and a nightly
-- window read is one range scan; subjects are integer surrogates of the pseudonymous keys to keep
-- a 180-day history small.

CREATE TABLE ingest_file (
    file_id          INTEGER PRIMARY KEY,
    file_name        TEXT    NOT NULL,
    feed             TEXT    NOT NULL,
    as_of            TEXT    NOT NULL,
    version          INTEGER NOT NULL,
    sha256           TEXT    NOT NULL,
    status           TEXT    NOT NULL,          -- loaded | rejected | superseded
    rows_loaded      INTEGER NOT NULL,
    rows_quarantined INTEGER NOT NULL,
    error            TEXT    NULL,
    ingested_at      TEXT    NOT NULL
);
CREATE UNIQUE INDEX ux_ingest_file_sha ON ingest_file (sha256);
CREATE INDEX ix_ingest_file_feed ON ingest_file (feed, as_of, version);

CREATE TABLE quarantine (
    file_id     INTEGER NOT NULL,
    file_name   TEXT    NOT NULL,
    line        INTEGER NOT NULL,
    column_name TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    PRIMARY KEY (file_id, line, column_name)
);

CREATE TABLE household (
    household_no   INTEGER PRIMARY KEY,
    household_key  TEXT    NOT NULL,            -- hex HMAC-SHA256 of household_id
    dong_code      TEXT    NULL,                -- NULL until the registry names the household
    household_size INTEGER NULL,
    housing_type   TEXT    NULL,
    first_seen_on  TEXT    NULL,                -- as-of date of the first registry file naming it
    updated_on     TEXT    NULL
);
CREATE UNIQUE INDEX ux_household_key ON household (household_key);
CREATE INDEX ix_household_dong ON household (dong_code);

CREATE TABLE person (
    person_no    INTEGER PRIMARY KEY,
    person_key   TEXT    NOT NULL,              -- hex HMAC-SHA256 of the rrn; the rrn itself is never stored
    household_no INTEGER NULL,                  -- NULL for a subscriber or account holder the registry has not named
    birth_date   TEXT    NULL,
    sex          TEXT    NULL,
    relation     TEXT    NULL,
    status       TEXT    NULL,                  -- active | moved_out | deceased
    status_date  TEXT    NULL,
    reported_on  TEXT    NULL,                  -- as-of date of the registry file that last changed the row
    file_id      INTEGER NULL
);
CREATE UNIQUE INDEX ux_person_key ON person (person_key);
CREATE INDEX ix_person_household ON person (household_no);

-- Identity data, AES-GCM encrypted; read only through the audited identity view.
CREATE TABLE identity (
    person_no        INTEGER PRIMARY KEY,
    household_id_enc BLOB NOT NULL,
    name_enc         BLOB NOT NULL,
    address_enc      BLOB NULL,
    phone_enc        BLOB NULL
);

CREATE TABLE usage_electricity (
    date         TEXT    NOT NULL,
    household_no INTEGER NOT NULL,
    kwh          REAL    NULL,
    active_hours INTEGER NULL,
    quality      TEXT    NOT NULL,
    file_id      INTEGER NOT NULL,
    PRIMARY KEY (date, household_no)
) WITHOUT ROWID;

CREATE TABLE usage_water (
    date         TEXT    NOT NULL,
    household_no INTEGER NOT NULL,
    liters       REAL    NULL,
    quality      TEXT    NOT NULL,
    file_id      INTEGER NOT NULL,
    PRIMARY KEY (date, household_no)
) WITHOUT ROWID;

CREATE TABLE usage_telecom (
    date      TEXT    NOT NULL,
    person_no INTEGER NOT NULL,
    calls_out INTEGER NOT NULL,
    calls_in  INTEGER NOT NULL,
    sms_out   INTEGER NOT NULL,
    data_mb   REAL    NOT NULL,
    file_id   INTEGER NOT NULL,
    PRIMARY KEY (date, person_no)
) WITHOUT ROWID;

CREATE TABLE arrears (
    person_no      INTEGER NOT NULL,
    source         TEXT    NOT NULL,
    reported_on    TEXT    NOT NULL,
    billing_month  TEXT    NOT NULL,            -- YYYY-MM, the oldest unpaid month
    amount_krw     INTEGER NOT NULL,
    months_overdue INTEGER NOT NULL,
    action         TEXT    NOT NULL,
    file_id        INTEGER NOT NULL,
    PRIMARY KEY (person_no, source, reported_on)
);

CREATE TABLE welfare_event (
    person_no  INTEGER NOT NULL,
    event      TEXT    NOT NULL,
    event_date TEXT    NOT NULL,
    file_id    INTEGER NOT NULL,
    PRIMARY KEY (person_no, event, event_date)
);

CREATE TABLE report (
    report_id    TEXT    PRIMARY KEY,
    household_no INTEGER NULL,
    person_no    INTEGER NULL,
    channel      TEXT    NOT NULL,
    reported_at  TEXT    NOT NULL,              -- ISO 8601 with offset, as sent
    reported_on  TEXT    NOT NULL,              -- its date in Asia/Seoul
    note_enc     BLOB    NULL,                  -- free text may name people: encrypted like identity data
    file_id      INTEGER NOT NULL
);

CREATE TABLE outcome (
    household_no          INTEGER NOT NULL,
    visited_on            TEXT    NOT NULL,
    outcome               TEXT    NOT NULL,
    discovered_after_days INTEGER NULL,
    origin                TEXT    NOT NULL,     -- feed | officer
    file_id               INTEGER NULL,
    PRIMARY KEY (household_no, visited_on, outcome)
);
