-- 002_jobs.sql: leases for background jobs, so that of many o2o processes on one
-- database only one runs each job at a time.
CREATE TABLE job_leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,               -- 'host:pid:random' of the process that holds it
    until BIGINT NOT NULL,              -- epoch ms; free after this
    last_run BIGINT NOT NULL DEFAULT 0,
    last_result TEXT NOT NULL DEFAULT ''
);
