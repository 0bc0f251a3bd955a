/**
 * The public contract of the pipeline: topics, event schemas, decode() with its reason codes, the
 * counters and the metric catalog. Code outside schemas/ may import from here instead of the files.
 * (The JSON Schema generator, write-json-schemas.ts, is a build script and not part of the contract.)
 */
export { DEFAULT_TOPICS, inputTopics, STREAMS, streamOfTopic, topicNames, type Stream, type TopicNames } from './topics.js';
export {
  AMOUNT_FIELDS,
  cartEventSchema,
  clickEventSchema,
  CROSS_FIELD_RULE,
  DIMENSION_FIELDS,
  DIMENSION_MAX_LENGTH,
  EVENT_SCHEMAS,
  EVENT_TIME_PATTERN,
  inventoryEventSchema,
  lineItemSchema,
  MAX_LINE_ITEMS,
  paymentEventSchema,
  SCHEMA_VERSION,
  type CartEvent,
  type ClickEvent,
  type EventOfStream,
  type InventoryEvent,
  type LineItem,
  type PaymentEvent,
} from './events.js';
export { REJECT_REASONS, type RejectReason } from './reasons.js';
export {
  decode,
  DEFAULT_CURRENCY,
  DEFAULT_MAX_FUTURE_SKEW_MS,
  DEFAULT_MAX_MESSAGE_BYTES,
  reject,
  validate,
  type Decoded,
  type DecodeOptions,
  type DecodeResult,
  type Rejection,
} from './decode.js';
export {
  CAMPAIGN_COUNTERS,
  SKU_COUNTERS,
  UNATTRIBUTED,
  zeroCounters,
  type CampaignCounter,
  type CampaignCounters,
  type SkuCounter,
  type SkuCounters,
} from './counters.js';
export {
  isAdditive,
  METRICS,
  metricById,
  STOCK_COVER,
  SURGE,
  STATUSES,
  type CounterSum,
  type MetricDefinition,
  type MetricId,
  type Status,
  type Thresholds,
  type Unit,
} from './metric-catalog.js';
export { evaluateMetric, MICROS_PER_UNIT, statusOf, stockCover, sumCounters, type MetricValue, type StockCover } from './metric-math.js';
