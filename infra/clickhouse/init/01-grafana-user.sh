#!/bin/bash
# Grafana runs whatever SQL a dashboard holds, so it gets a read-only user on the pipeline database.
# The plugin's client sets max_execution_time on every query, which readonly=1 would refuse unless
# that one setting stays changeable.
set -euo pipefail
clickhouse client --user "$CLICKHOUSE_USER" --password "$CLICKHOUSE_PASSWORD" --multiquery <<SQL
CREATE USER IF NOT EXISTS grafana IDENTIFIED WITH sha256_password BY '${GRAFANA_CLICKHOUSE_PASSWORD}'
    SETTINGS readonly = 1, max_execution_time CHANGEABLE_IN_READONLY;
GRANT SELECT ON ${CLICKHOUSE_DB}.* TO grafana;
SQL
