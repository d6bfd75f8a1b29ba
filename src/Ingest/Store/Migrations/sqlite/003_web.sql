-- The web application: local accounts, the versioned threshold policy and each case's event trail.
-- Plain types only (text timestamps, integer ids) so the other dialects port it line by line.

CREATE TABLE app_user (
    user_id       INTEGER PRIMARY KEY,
    user_name     TEXT    NOT NULL,
    role          TEXT    NOT NULL,             -- officer | analyst | admin
    password_hash TEXT    NOT NULL,             -- ASP.NET Core PasswordHasher (PBKDF2), never the password
    created_at    TEXT    NOT NULL
);
CREATE UNIQUE INDEX ux_app_user_name ON app_user (user_name);

-- The dongs an officer works for; an officer sees no other dong's cases.
CREATE TABLE app_user_dong (
    user_id   INTEGER NOT NULL,
    dong_code TEXT    NOT NULL,
    PRIMARY KEY (user_id, dong_code)
);

-- Every saved threshold policy, never updated in place: the current one is the highest version_no.
-- A rollback saves an earlier version's content again as a new version, so the history only grows.
CREATE TABLE policy_version (
    version_no   INTEGER PRIMARY KEY,
    policy_hash  TEXT    NOT NULL,              -- ThresholdPolicy.Version of the content, stamped on cases
    content_json TEXT    NOT NULL,
    saved_by     TEXT    NOT NULL,
    saved_at     TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    rolled_back_from INTEGER NULL
);

-- What happened to a case after the nightly pass opened it: assignment, visit, closing, notes.
CREATE TABLE case_event (
    event_id  INTEGER PRIMARY KEY,
    case_id   TEXT    NOT NULL,
    at        TEXT    NOT NULL,
    actor     TEXT    NOT NULL,
    kind      TEXT    NOT NULL,                 -- assigned | visited | closed
    detail    TEXT    NULL
);
CREATE INDEX ix_case_event_case ON case_event (case_id);
