-- Usage day slabs (issue 7): a derived, rebuildable copy of the usage tables for the nightly pass. One row holds one
-- feed's values of one date for a fixed range of subject numbers (households; persons for telecom), as one blob indexed
-- by the offset from first_no, so a night reads 120 blobs per feed and chunk instead of 120 days of rows again.
-- source names the ingest_file rows the slab was built from (loaded files of the feed and date); when it no longer
-- matches the ledger (a .v2 re-send), the nightly pass rebuilds that date. Nothing else reads or writes it, so it may be
-- deleted at any time.
CREATE TABLE usage_slab (
    feed     TEXT    NOT NULL,
    first_no INTEGER NOT NULL,
    date     TEXT    NOT NULL,
    source   TEXT    NOT NULL,
    format   INTEGER NOT NULL,
    payload  BLOB    NOT NULL,
    PRIMARY KEY (feed, first_no, date)
) WITHOUT ROWID;
