/**
 * decode(topic, bytes) turns a Kafka message value into a typed event or a typed rejection.
 * It never throws: whatever arrives on a topic is classified, so a bad message can be dead-lettered
 * without stopping its partition.
 */
import { isUtf8 } from 'node:buffer';
import type { z } from 'zod';
import {
  AMOUNT_FIELDS,
  CROSS_FIELD_RULE,
  DIMENSION_FIELDS,
  EVENT_SCHEMAS,
  SCHEMA_VERSION,
  type EventOfStream,
} from './events.js';
import type { RejectReason } from './reasons.js';
import { DEFAULT_TOPICS, streamOfTopic, type Stream, type TopicNames } from './topics.js';

export interface DecodeOptions {
  /** Topic names to resolve `topic` against. @default DEFAULT_TOPICS */
  topics?: TopicNames;
  /** Messages larger than this are rejected before parsing. @default 65536 */
  maxMessageBytes?: number;
  /**
   * Reference time for the future-skew check, in epoch ms. The processor passes the Kafka record
   * timestamp rather than the wall clock, so replaying a message after a crash decides the same way.
   * @default Date.now()
   */
  now?: number;
  /** How far event_time may be ahead of `now`. @default 300000 (5 minutes) */
  maxFutureSkewMs?: number;
  /** The shop currency all money must be in. @default 'CNY' */
  currency?: string;
}

export type Decoded = {
  [S in Stream]: { ok: true; stream: S; event: EventOfStream[S]; eventTimeMs: number };
}[Stream];

export interface Rejection {
  ok: false;
  reason: RejectReason;
  /** Human-readable explanation, e.g. `items[0].quantity: Too small: expected number to be >0`. */
  detail: string;
  /** Dotted path of the offending field, when one field is to blame. */
  field?: string;
}

export type DecodeResult = Decoded | Rejection;

export const DEFAULT_MAX_MESSAGE_BYTES = 65_536;
export const DEFAULT_MAX_FUTURE_SKEW_MS = 300_000;
export const DEFAULT_CURRENCY = 'CNY';

export function reject(reason: RejectReason, detail: string, field?: string): Rejection {
  return field === undefined ? { ok: false, reason, detail } : { ok: false, reason, detail, field };
}

export function decode(topic: string, bytes: Uint8Array, options: DecodeOptions = {}): DecodeResult {
  const maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (bytes.byteLength > maxBytes) {
    return reject('oversized', `${bytes.byteLength} bytes exceeds the limit of ${maxBytes}`);
  }
  const stream = streamOfTopic(options.topics ?? DEFAULT_TOPICS, topic);
  if (stream === undefined) return reject('unknown_topic', `topic ${JSON.stringify(topic)} carries no known stream`);
  if (!isUtf8(bytes)) return reject('invalid_encoding', 'message is not valid UTF-8');

  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    return reject('not_json', (error as Error).message);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return reject('not_object', `expected a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
  }
  return validate(stream, value as Record<string, unknown>, options);
}

/** Validates an already parsed JSON object against the stream's contract. */
export function validate(stream: Stream, value: Record<string, unknown>, options: DecodeOptions = {}): DecodeResult {
  if (Object.hasOwn(value, 'schema_version') && value.schema_version !== SCHEMA_VERSION) {
    return reject(
      'unknown_schema_version',
      `schema_version ${describeValue(value.schema_version)} is not supported (expected ${SCHEMA_VERSION})`,
      'schema_version',
    );
  }
  const parsed = EVENT_SCHEMAS[stream].safeParse(value);
  if (!parsed.success) return classifyIssues(value, parsed.error.issues);

  const event = parsed.data as EventOfStream[Stream];
  const eventTimeMs = Date.parse(event.event_time);
  if (!Number.isFinite(eventTimeMs) || !isCalendarValid(event.event_time)) {
    return reject('invalid_event_time', `event_time ${JSON.stringify(event.event_time)} is not a real instant`, 'event_time');
  }
  const now = options.now ?? Date.now();
  const skew = options.maxFutureSkewMs ?? DEFAULT_MAX_FUTURE_SKEW_MS;
  if (eventTimeMs > now + skew) {
    return reject(
      'future_event_time',
      `event_time is ${Math.round((eventTimeMs - now) / 1000)} s ahead of the record time (allowed ${skew / 1000} s)`,
      'event_time',
    );
  }
  const currency = options.currency ?? DEFAULT_CURRENCY;
  if ('currency' in event && event.currency !== currency) {
    return reject('unsupported_currency', `currency ${event.currency} is not the shop currency ${currency}`, 'currency');
  }
  return { ok: true, stream, event, eventTimeMs } as Decoded;
}

type Issue = z.core.$ZodIssue;

/** Order in which a message with several problems is reported: the most specific reason wins. */
const REASON_PRIORITY: readonly RejectReason[] = ['invalid_event_time', 'invalid_amount', 'invalid_dimension', 'schema_violation'];

function classifyIssues(value: Record<string, unknown>, issues: readonly Issue[]): Rejection {
  let best: Rejection | undefined;
  for (const issue of issues) {
    const candidate = classifyIssue(value, issue);
    if (best === undefined || REASON_PRIORITY.indexOf(candidate.reason) < REASON_PRIORITY.indexOf(best.reason)) {
      best = candidate;
    }
  }
  return best ?? reject('schema_violation', 'invalid event');
}

function classifyIssue(value: Record<string, unknown>, issue: Issue): Rejection {
  const path = issue.path;
  const field = formatPath(path);
  const key = [...path].reverse().find((p): p is string => typeof p === 'string');
  const received = valueAt(value, path);
  const where = field === '' ? '' : `${field}: `;

  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => (field === '' ? k : `${field}.${k}`));
    return reject('schema_violation', `unknown field(s) ${keys.join(', ')}`, keys[0]);
  }
  // A rule across fields (failure_reason iff failed) is a contract violation even when it points at a
  // dimension field whose value is a perfectly good string.
  if (issue.code === 'custom' && issue.params?.[CROSS_FIELD_RULE] === true) {
    return reject('schema_violation', `${where}${issue.message}`, field === '' ? undefined : field);
  }
  if (path.length === 1 && key === 'event_time' && received !== undefined) {
    return reject('invalid_event_time', `${where}${issue.message}`, field);
  }
  if (key !== undefined && AMOUNT_FIELDS.has(key) && typeof received === 'number' && isBadAmount(key, received)) {
    return reject('invalid_amount', `${where}${received} is not a valid ${key}`, field);
  }
  if (key !== undefined && DIMENSION_FIELDS.has(key) && typeof received === 'string') {
    return reject('invalid_dimension', `${where}${issue.message}`, field);
  }
  return reject('schema_violation', `${where}${issue.message}`, field === '' ? undefined : field);
}

/**
 * Date.parse accepts what RFC 3339 does not: it rolls 2025-02-30 over to 2 March and reads 24:00 as the
 * next midnight. The pattern has already fixed the shape, so only the ranges are left to check.
 */
function isCalendarValid(eventTime: string): boolean {
  const year = Number(eventTime.slice(0, 4));
  const month = Number(eventTime.slice(5, 7));
  const day = Number(eventTime.slice(8, 10));
  const hour = Number(eventTime.slice(11, 13));
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return daysInMonth !== undefined && day >= 1 && day <= daysInMonth && hour <= 23;
}

/** A short, never-throwing rendering of an arbitrary JSON value (JSON.stringify overflows the stack on deep nesting). */
function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}

function isBadAmount(key: string, n: number): boolean {
  if (!Number.isFinite(n) || n < 0 || Math.abs(n) > Number.MAX_SAFE_INTEGER) return true;
  return key === 'quantity' && n === 0;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}
