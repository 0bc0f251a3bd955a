/**
 * The Prometheus series the processors expose (prom-client, issue 5) and the scrape job that collects
 * them: the one place the dashboards and the Prometheus config name them, to be aligned with the
 * processors' registry when both land.
 */
export const PROCESSOR_METRICS = {
  /** Counter {topic}: messages consumed (counted, duplicate or rejected). */
  eventsConsumed: 'ecom_events_consumed_total',
  /** Counter {topic, reason}: messages dead-lettered. */
  eventsRejected: 'ecom_events_rejected_total',
  /** Gauge {topic, partition}: messages between the committed offset and the partition's end. */
  consumerLag: 'ecom_consumer_lag',
  /** Gauge: wall-clock time minus the event-time watermark. */
  watermarkDelay: 'ecom_watermark_delay_seconds',
  /** Histogram: time to write one flush to ClickHouse. */
  flushDuration: 'ecom_flush_duration_seconds',
  /** Counter: flushes that failed and will be retried. */
  flushFailures: 'ecom_flush_failures_total',
} as const;

/** `job` label of the processors' scrape config (infra/prometheus/prometheus.yml). */
export const PROCESSORS_JOB = 'ecom-processors';
