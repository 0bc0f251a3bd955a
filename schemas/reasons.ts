/**
 * Why a message was not counted. Every rejected message goes to the dead-letter topic with one of
 * these codes; dashboards and alerts group by them, so they are stable identifiers.
 */
export const REJECT_REASONS = [
  /** Larger than the configured message limit; checked before any parsing. */
  'oversized',
  /** Not valid UTF-8. */
  'invalid_encoding',
  'not_json',
  /** Valid JSON, but not a JSON object (array, string, null, ...). */
  'not_object',
  /** Produced to a topic this pipeline does not know. */
  'unknown_topic',
  'unknown_schema_version',
  /** A required field is missing, has the wrong type or an unknown extra field is present. */
  'schema_violation',
  /** Money or quantity that is negative, non-finite, beyond 2^53 or (for quantities) zero. */
  'invalid_amount',
  'invalid_event_time',
  /** event_time further ahead of the record timestamp than the allowed clock skew. */
  'future_event_time',
  /** Dimension (campaign, channel, SKU, ...) empty, too long or with control characters. */
  'invalid_dimension',
  /** Money in a currency other than the shop's. */
  'unsupported_currency',
  /** Older than the allowed lateness behind the partition's event-time watermark (decided by the processor). */
  'too_late',
] as const;

export type RejectReason = (typeof REJECT_REASONS)[number];
