/**
 * Event contracts for the four input streams (schema_version 1).
 *
 * Money is integer micros of the shop currency (1 CNY = 1_000_000 micros), the unit ad platforms use
 * for costs: a CPM of 1.5 fen per impression is still an integer, and sums of integers stay exact.
 * Objects are strict: an unknown key (a typo such as `campaignId`) is a violation, not silently dropped.
 */
import { z } from 'zod';
import type { Stream } from './topics.js';

export const SCHEMA_VERSION = 1;
/**
 * Marks a refinement that relates several fields (in its issue's `params`), so decode() reports it as a
 * schema violation rather than blaming the value of the field the issue points at.
 */
export const CROSS_FIELD_RULE = 'crossField';
export const DIMENSION_MAX_LENGTH = 128;
export const MAX_LINE_ITEMS = 200;

/** Control characters (C0, DEL, C1) never belong in a dimension: they break logs, CSV exports and dashboards. */
const NO_CONTROL_CHARS = /^[^\u0000-\u001f\u007f-\u009f]*$/;

/** Lone UTF-16 surrogates cannot be stored verbatim as UTF-8, so they are rejected rather than mangled. */
const wellFormed = (s: string) => s.isWellFormed();

const dimension = z
  .string()
  .min(1)
  .max(DIMENSION_MAX_LENGTH)
  .regex(NO_CONTROL_CHARS, 'control characters are not allowed')
  .refine(wellFormed, 'lone surrogate');

/** Channels are a small vocabulary shown as dashboard labels; "Search" and "search" must not split a channel. */
const channel = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'lowercase slug, at most 32 characters');

const eventId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, 'letters, digits, . _ : -, at most 64');

/** RFC 3339 with an explicit offset: a timestamp without a zone is ambiguous by hours. */
export const EVENT_TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const eventTime = z.string().regex(EVENT_TIME_PATTERN, 'RFC 3339 timestamp with offset');

const micros = z.number().int().nonnegative();
const quantity = z.number().int().positive();
const currency = z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code');

const envelope = {
  schema_version: z.literal(SCHEMA_VERSION),
  event_id: eventId,
  event_time: eventTime,
};

export const clickEventSchema = z.strictObject({
  ...envelope,
  type: z.enum(['impression', 'click']),
  user_id: dimension,
  campaign_id: dimension,
  channel,
  sku: dimension.optional(),
  /** What the ad platform charged for this event: CPC for a click, CPM/1000 for an impression. */
  cost_micros: micros,
  currency,
});

export const cartEventSchema = z.strictObject({
  ...envelope,
  type: z.enum(['add', 'remove']),
  user_id: dimension,
  sku: dimension,
  quantity,
  unit_price_micros: micros,
  currency,
  campaign_id: dimension.optional(),
  channel: channel.optional(),
});

export const lineItemSchema = z.strictObject({
  sku: dimension,
  quantity,
  unit_price_micros: micros,
});

export const paymentEventSchema = z
  .strictObject({
    ...envelope,
    status: z.enum(['succeeded', 'failed', 'refunded']),
    order_id: dimension,
    /** Attempt number within the order: a retried payment is a new attempt, a re-sent callback is not. */
    attempt: z.number().int().min(1).max(1000),
    user_id: dimension,
    amount_micros: micros,
    currency,
    items: z.array(lineItemSchema).min(1).max(MAX_LINE_ITEMS),
    campaign_id: dimension.optional(),
    channel: channel.optional(),
    failure_reason: dimension.optional(),
  })
  .refine((p) => (p.status === 'failed') === (p.failure_reason !== undefined), {
    message: 'failure_reason is required for failed payments and only for them',
    path: ['failure_reason'],
    params: { [CROSS_FIELD_RULE]: true },
  });

export const inventoryEventSchema = z.strictObject({
  ...envelope,
  sku: dimension,
  available: z.number().int().nonnegative(),
  warehouse: dimension.optional(),
});

export type ClickEvent = z.infer<typeof clickEventSchema>;
export type CartEvent = z.infer<typeof cartEventSchema>;
export type PaymentEvent = z.infer<typeof paymentEventSchema>;
export type InventoryEvent = z.infer<typeof inventoryEventSchema>;
export type LineItem = z.infer<typeof lineItemSchema>;

export interface EventOfStream {
  click: ClickEvent;
  cart: CartEvent;
  payment: PaymentEvent;
  inventory: InventoryEvent;
}

export const EVENT_SCHEMAS = {
  click: clickEventSchema,
  cart: cartEventSchema,
  payment: paymentEventSchema,
  inventory: inventoryEventSchema,
} as const satisfies Record<Stream, z.ZodType>;

/** Field names whose violations get a more specific reason than `schema_violation`. */
export const AMOUNT_FIELDS: ReadonlySet<string> = new Set([
  'cost_micros',
  'amount_micros',
  'unit_price_micros',
  'quantity',
  'available',
]);
export const DIMENSION_FIELDS: ReadonlySet<string> = new Set([
  'user_id',
  'campaign_id',
  'channel',
  'sku',
  'order_id',
  'warehouse',
  'failure_reason',
]);
