/**
 * Names of the metrics the processors expose that alert rules and tests refer to, in one place so a
 * rename cannot leave a rule watching a series that no longer exists.
 */
export const PROCESSOR_METRICS = {
  consumed: 'ecom_messages_consumed_total',
  rejected: 'ecom_messages_rejected_total',
  lag: 'ecom_consumer_lag_messages',
  assigned: 'ecom_assigned_partitions',
  watermark: 'ecom_event_time_watermark_seconds',
  watermarkDelay: 'ecom_event_time_watermark_delay_seconds',
  flushDuration: 'ecom_flush_duration_seconds',
  flushFailures: 'ecom_flush_failures_total',
  lastFlushSuccess: 'ecom_flush_last_success_timestamp_seconds',
  rowsWritten: 'ecom_rows_written_total',
  rebalances: 'ecom_rebalances_total',
  businessValue: 'ecom_business_metric_value',
  businessStatus: 'ecom_business_metric_status',
  businessVolume: 'ecom_business_metric_volume',
  businessHour: 'ecom_business_hour_start_seconds',
  warRoom: 'ecom_war_room_active',
} as const;

/** The `job` Prometheus scrapes the processors under; rules select it. */
export const PROCESSOR_JOB = 'ecom-processors';
