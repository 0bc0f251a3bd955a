-- Processor state, one row per (hour, key, source topic-partition) holding the CUMULATIVE counters of
-- that partition up to `source_offset`. ReplacingMergeTree keeps the highest offset per key, so a replay
-- after a crash rewrites identical rows and a zombie writer's late rows are either identical or older:
-- neither can double-count. Reads take the latest version per partition (FINAL) and sum partitions.
-- Every statement is idempotent: migrations are re-applied at every start.

CREATE TABLE IF NOT EXISTS campaign_hourly_state
(
    hour             DateTime('UTC') COMMENT 'UTC instant of the local hour start in the pipeline time zone',
    campaign_id      LowCardinality(String),
    channel          LowCardinality(String),
    source_topic     LowCardinality(String),
    source_partition UInt32,
    impressions      UInt64,
    clicks           UInt64,
    spend_micros     Int64,
    cart_adds        UInt64,
    cart_removes     UInt64,
    paid_orders      UInt64,
    failed_payments  UInt64,
    paid_micros      Int64,
    refunds          UInt64,
    refunded_micros  Int64,
    source_offset    UInt64 COMMENT 'last offset of the source partition included in these counters',
    written_at       DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(source_offset)
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, campaign_id, channel, source_topic, source_partition);

CREATE TABLE IF NOT EXISTS sku_hourly_state
(
    hour             DateTime('UTC'),
    sku              String,
    source_topic     LowCardinality(String),
    source_partition UInt32,
    cart_adds        UInt64,
    cart_add_units   UInt64,
    units_sold       UInt64,
    units_refunded   UInt64,
    source_offset    UInt64,
    written_at       DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(source_offset)
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, sku, source_topic, source_partition);

-- Stock is a level, not a flow: per hour the latest snapshot (by event time, then offset) per warehouse.
CREATE TABLE IF NOT EXISTS inventory_hourly_state
(
    hour             DateTime('UTC'),
    sku              String,
    warehouse        String,
    source_topic     LowCardinality(String),
    source_partition UInt32,
    available        UInt64,
    snapshot_time    DateTime64(3, 'UTC'),
    snapshot_offset  UInt64,
    source_offset    UInt64,
    written_at       DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(source_offset)
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, sku, warehouse, source_topic, source_partition);

-- Dead-lettered messages per source partition and reason, cumulative like the counters above.
CREATE TABLE IF NOT EXISTS rejection_state
(
    source_topic     LowCardinality(String),
    source_partition UInt32,
    reason           LowCardinality(String),
    messages         UInt64,
    source_offset    UInt64,
    written_at       DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(source_offset)
ORDER BY (source_topic, source_partition, reason);

-- Written after a flush's rows: `source_offset` is the last offset whose effects are all stored.
-- A processor resumes a partition right after it; rows of a flush that crashed half-way carry
-- their own higher offsets and are skipped, key by key, when their messages are replayed.
CREATE TABLE IF NOT EXISTS partition_progress
(
    source_topic     LowCardinality(String),
    source_partition UInt32,
    source_offset    UInt64,
    watermark        DateTime64(3, 'UTC') COMMENT 'max event time of the partition up to source_offset',
    counted          UInt64 COMMENT 'messages counted, cumulative',
    duplicates       UInt64 COMMENT 'duplicates dropped, cumulative',
    dead_letters     UInt64 COMMENT 'messages dead-lettered, cumulative',
    written_at       DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(source_offset)
ORDER BY (source_topic, source_partition);
