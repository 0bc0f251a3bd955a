-- Users for a ClickHouse server (embedded chDB has no users). Not a migration: an administrator runs
-- it once per environment, after replacing the placeholders:
--   ecom_metrics              the pipeline's database (CLICKHOUSE_DATABASE)
--   <writer-password>         the processors' password (CLICKHOUSE_PASSWORD)
--   <reader-password>         Grafana's and the war-room page's password
--   <reader-network>          where the readers connect from, e.g. 10.0.0.0/8
-- Passwords come from your secret store; never commit the filled-in file.

-- The processors: create and migrate their tables and views, insert counters, read their own state.
CREATE USER IF NOT EXISTS ecom_writer IDENTIFIED WITH sha256_password BY '<writer-password>';
GRANT CREATE DATABASE ON ecom_metrics.* TO ecom_writer;
GRANT CREATE TABLE, CREATE VIEW, DROP VIEW, ALTER, INSERT, SELECT ON ecom_metrics.* TO ecom_writer;

-- Grafana and the war-room page: read only, no settings changes, bounded queries. A reader that asks
-- for an INSERT, a DDL statement or another database is refused by the server.
CREATE SETTINGS PROFILE IF NOT EXISTS ecom_reader_profile SETTINGS
    readonly = 2,
    max_execution_time = 30,
    max_result_rows = 1000000,
    max_memory_usage = 4000000000;
CREATE USER IF NOT EXISTS ecom_reader IDENTIFIED WITH sha256_password BY '<reader-password>'
    HOST IP '<reader-network>'
    SETTINGS PROFILE 'ecom_reader_profile';
GRANT SELECT ON ecom_metrics.* TO ecom_reader;
