-- Undo what a timed night D wrote to a RiskWatch SQLite store, so the next timed run does the same work (run.sh runs it
-- with sqlite3, :d bound to D). Only rows that belong to D go: its feed files (ledger, quarantine, rows, slabs), the
-- cases it opened, its scores, lists and run ledger. Two things stay, both rewritten identically by the next run:
-- the registry changes of residents_D (re-applied as the same updates) and the open cases of earlier nights it updated
-- (updated again with the same values).
BEGIN IMMEDIATE;
CREATE TEMP TABLE night_files AS SELECT file_id FROM ingest_file WHERE as_of = :d;
DELETE FROM case_event WHERE case_id IN (SELECT case_id FROM risk_case WHERE flagged_on = :d);
DELETE FROM risk_case WHERE flagged_on = :d;
DELETE FROM risk_score WHERE run_date = :d;
DELETE FROM run_list WHERE run_date = :d;
DELETE FROM nightly_run WHERE run_date = :d;
DELETE FROM usage_electricity WHERE date = :d;
DELETE FROM usage_water WHERE date = :d;
DELETE FROM usage_telecom WHERE date = :d;
DELETE FROM usage_slab WHERE date = :d;
DELETE FROM arrears WHERE file_id IN (SELECT file_id FROM night_files);
DELETE FROM welfare_event WHERE file_id IN (SELECT file_id FROM night_files);
DELETE FROM report WHERE file_id IN (SELECT file_id FROM night_files);
DELETE FROM quarantine WHERE file_id IN (SELECT file_id FROM night_files);
DELETE FROM ingest_file WHERE file_id IN (SELECT file_id FROM night_files);
DROP TABLE night_files;
COMMIT;
