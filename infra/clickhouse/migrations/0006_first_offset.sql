-- The offset of the message that created each keyed row, so that the per-hour key bound
-- (MAX_KEYS_PER_HOUR, processors/state/hour-keys.ts) is decided the same way when a partition is
-- replayed after a crash. Rows written before this column existed read 0: counted before anything.

ALTER TABLE campaign_hourly_state ADD COLUMN IF NOT EXISTS first_offset UInt64 DEFAULT 0 AFTER source_partition;
ALTER TABLE sku_hourly_state ADD COLUMN IF NOT EXISTS first_offset UInt64 DEFAULT 0 AFTER source_partition;
ALTER TABLE inventory_hourly_state ADD COLUMN IF NOT EXISTS first_offset UInt64 DEFAULT 0 AFTER source_partition;
