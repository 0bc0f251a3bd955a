-- The latest stock snapshot per SKU and warehouse, kept up to date by a materialized view on the
-- processors' inventory state, so the at-risk SKU list reads one row per warehouse instead of the
-- whole snapshot history (bench/at-risk-skus.ts). ReplacingMergeTree keeps the latest snapshot by event
-- time (read with FINAL); every version of a state row carries its hour's latest snapshot, so copying
-- all of them is harmless.
-- Idempotent: the backfill copies the history only while the table is empty (the first start). An
-- inventory insert landing between the backfill and the view's creation on that first start is
-- missed until the warehouse's next snapshot (processors apply migrations before they consume).

CREATE TABLE IF NOT EXISTS warehouse_stock_latest
(
    sku              String,
    warehouse        String,
    available        UInt64,
    snapshot_time    DateTime64(3, 'UTC'),
    snapshot_offset  UInt64
)
ENGINE = ReplacingMergeTree(snapshot_time)
ORDER BY (sku, warehouse);

INSERT INTO warehouse_stock_latest
SELECT sku, warehouse, available, snapshot_time, snapshot_offset
FROM inventory_hourly_state
WHERE (SELECT count() FROM warehouse_stock_latest) = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS warehouse_stock_latest_mv TO warehouse_stock_latest AS
SELECT sku, warehouse, available, snapshot_time, snapshot_offset
FROM inventory_hourly_state;
