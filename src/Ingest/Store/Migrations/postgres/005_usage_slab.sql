-- Usage day slabs (issue 7), PostgreSQL dialect: see sqlite/005_usage_slab.sql for the why.
CREATE TABLE usage_slab (
    feed     text   NOT NULL,
    first_no bigint NOT NULL,
    date     text   NOT NULL,
    source   text   NOT NULL,
    format   bigint NOT NULL,
    payload  bytea  NOT NULL,
    PRIMARY KEY (feed, first_no, date)
);
-- The blobs are already packed numbers: compressing them costs CPU on every read for little space.
ALTER TABLE usage_slab ALTER COLUMN payload SET STORAGE EXTERNAL;
