/**
 * Simulation options: the zod schema (shared by the CLI and the programmatic API, so both reject the
 * same mistakes) and their resolution into concrete instants in the configured time zone.
 */
import { z } from 'zod';
import type { RejectReason } from '../schemas/reasons.js';
import { CAMPAIGNS } from './catalog.js';
import { HOUR_MS, isTimeZone, Zone } from './zone.js';

/** Every reject reason the simulator injects as bytes; `unknown_topic` needs a foreign topic and `too_late` a valid event. */
export const MALFORMED_REASONS = [
  'oversized',
  'invalid_encoding',
  'not_json',
  'not_object',
  'unknown_schema_version',
  'schema_violation',
  'invalid_amount',
  'invalid_event_time',
  'future_event_time',
  'invalid_dimension',
  'unsupported_currency',
] as const satisfies readonly RejectReason[];
export type MalformedReason = (typeof MALFORMED_REASONS)[number];

export const SHARE_NAMES = ['duplicate', 'callback_resend', 'late', 'too_late', ...MALFORMED_REASONS] as const;
export type ShareName = (typeof SHARE_NAMES)[number];

/**
 * Shares are fractions of all messages, except `callback_resend` (of payment events). Injected kinds
 * (too_late and the malformed ones) occur at least once whenever their share is above zero, so a small
 * run still covers every dead-letter reason.
 */
export const DEFAULT_SHARES: Readonly<Record<ShareName, number>> = {
  duplicate: 0.005,
  callback_resend: 0.02,
  late: 0.01,
  too_late: 0.0001,
  oversized: 0.00002,
  invalid_encoding: 0.0001,
  not_json: 0.0001,
  not_object: 0.0001,
  unknown_schema_version: 0.0001,
  schema_violation: 0.0001,
  invalid_amount: 0.0001,
  invalid_event_time: 0.0001,
  future_event_time: 0.0001,
  invalid_dimension: 0.0001,
  unsupported_currency: 0.0001,
};

const share = z.number().min(0).max(0.5);
const sharesSchema = z.strictObject(
  Object.fromEntries(SHARE_NAMES.map((name) => [name, share.optional()])) as Record<ShareName, z.ZodOptional<typeof share>>,
);

const wallClock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24 h)');

export const simulationOptionsSchema = z.strictObject({
  seed: z.number().int().min(0).max(0xffffffff).default(1),
  timeZone: z.string().refine(isTimeZone, 'not an IANA time zone').default('Asia/Shanghai'),
  /** Local start of the period: 'YYYY-MM-DD' (midnight) or 'YYYY-MM-DDTHH' / 'YYYY-MM-DDTHH:00'. */
  start: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3])(:00)?)?$/, "expected 'YYYY-MM-DD' or 'YYYY-MM-DDTHH'")
    .default('2024-11-11'),
  hours: z.number().int().min(1).max(24 * 14).default(24),
  /** Approximate number of messages for the whole period, duplicates and malformed ones included. */
  events: z.number().int().min(100).max(1_000_000_000).default(1_000_000),
  currency: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code').default('CNY'),
  shares: sharesSchema.default({}),
  /** Share of messages that are inventory snapshots; sets the snapshot interval (1 min to 1 h). */
  inventoryShare: z.number().min(0.001).max(0.5).default(0.02),
  incident: z
    .strictObject({
      at: wallClock.default('14:10'),
      minutes: z.number().int().min(1).max(180).default(25),
      failureRate: z.number().min(0).max(1).default(0.35),
    })
    .prefault({}),
  /** Local time at which the sell-out SKU's stock runs out (see stock-plan.ts). */
  selloutAt: wallClock.default('21:00'),
  /**
   * A live stream goes viral: the campaign's clicks turn into cart adds `factor` times as often. It
   * starts at the first `at` a full day into the period, so the same hour yesterday is there to compare.
   */
  surge: z
    .strictObject({
      at: wallClock.default('20:00'),
      minutes: z.number().int().min(1).max(180).default(60),
      factor: z.number().min(1).max(10).default(4),
      campaign: z
        .string()
        .refine((id) => CAMPAIGNS.some((c) => c.id === id), 'not a simulated campaign')
        .default('cmp-live-flagship'),
    })
    .prefault({}),
});

export type SimulationOptions = z.input<typeof simulationOptionsSchema>;
type ParsedOptions = z.output<typeof simulationOptionsSchema>;

export interface SimulationConfig extends Omit<ParsedOptions, 'shares'> {
  shares: Record<ShareName, number>;
  zone: Zone;
  startMs: number;
  endMs: number;
  incidentStartMs: number | undefined;
  incidentEndMs: number | undefined;
  selloutTargetMs: number | undefined;
  surgeStartMs: number | undefined;
  surgeEndMs: number | undefined;
}

export function resolveConfig(options: SimulationOptions = {}): SimulationConfig {
  const parsed = simulationOptionsSchema.parse(options);
  const zone = new Zone(parsed.timeZone);
  const [date, hour = '00'] = parsed.start.split('T') as [string, string?];
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const startMs = zone.instantOf({ year, month, day, hour: Number(hour.slice(0, 2)), minute: 0 });
  const endMs = startMs + parsed.hours * HOUR_MS;
  const incidentStartMs = zone.firstOccurrence(parsed.incident.at, startMs, endMs);
  const surgeStartMs = zone.firstOccurrence(parsed.surge.at, startMs + 24 * HOUR_MS, endMs);
  return {
    ...parsed,
    shares: { ...DEFAULT_SHARES, ...definedOnly(parsed.shares) },
    zone,
    startMs,
    endMs,
    incidentStartMs,
    incidentEndMs: incidentStartMs === undefined ? undefined : incidentStartMs + parsed.incident.minutes * 60_000,
    selloutTargetMs: zone.firstOccurrence(parsed.selloutAt, startMs, endMs),
    surgeStartMs,
    surgeEndMs: surgeStartMs === undefined ? undefined : surgeStartMs + parsed.surge.minutes * 60_000,
  };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
