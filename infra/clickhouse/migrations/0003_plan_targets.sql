-- Plan targets per hour, loaded by `npm run targets -- load FILE`. A load is one INSERT of one block
-- into an unpartitioned table, so it lands as one part or not at all: a failed load stores nothing.
-- Loading a row again (same scope, campaign, metric, hour) replaces it: the latest load wins (FINAL).

CREATE TABLE IF NOT EXISTS plan_targets
(
    scope        LowCardinality(String) COMMENT 'shop: the whole shop; campaign: one campaign over all its channels',
    campaign_id  String COMMENT 'empty for scope shop',
    metric       LowCardinality(String) COMMENT 'a metric id of the catalog (schemas/metric-catalog.ts)',
    hour         DateTime('UTC') COMMENT 'UTC instant of the local hour start in the pipeline time zone',
    target       Decimal(38, 6) COMMENT 'currency units for money, fractions for percentages (0.03 = 3 %)',
    load_id      String COMMENT 'the load that wrote the row: file and load time',
    loaded_at    DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(loaded_at)
ORDER BY (scope, campaign_id, metric, hour);
