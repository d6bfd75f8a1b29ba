-- The web application (SQL Server dialect): see sqlite/003_web.sql for the why.

CREATE TABLE app_user (
    user_id       bigint IDENTITY(1,1) PRIMARY KEY,
    user_name     nvarchar(200) NOT NULL,
    role          nvarchar(16)  NOT NULL,
    password_hash nvarchar(400) NOT NULL,
    created_at    nvarchar(40)  NOT NULL
);
CREATE UNIQUE INDEX ux_app_user_name ON app_user (user_name);

CREATE TABLE app_user_dong (
    user_id   bigint       NOT NULL,
    dong_code nvarchar(10) NOT NULL,
    PRIMARY KEY (user_id, dong_code)
);

CREATE TABLE policy_version (
    version_no   bigint        PRIMARY KEY,
    policy_hash  nvarchar(64)  NOT NULL,
    content_json nvarchar(max) NOT NULL,
    saved_by     nvarchar(200) NOT NULL,
    saved_at     nvarchar(40)  NOT NULL,
    reason       nvarchar(max) NOT NULL,
    rolled_back_from bigint NULL
);

CREATE TABLE case_event (
    event_id  bigint IDENTITY(1,1) PRIMARY KEY,
    case_id   nvarchar(450) NOT NULL,
    at        nvarchar(40)  NOT NULL,
    actor     nvarchar(200) NOT NULL,
    kind      nvarchar(16)  NOT NULL,
    detail    nvarchar(max) NULL
);
CREATE INDEX ix_case_event_case ON case_event (case_id);
