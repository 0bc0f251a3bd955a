/**
 * The generated message stream: deterministic, decodable exactly as labelled, with duplicates, late,
 * too-late and malformed messages in the configured shares, and a truth that a from-the-bytes recount
 * reproduces.
 */
import { isDeepStrictEqual } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { CAMPAIGN_COUNTERS, zeroCounters, type CampaignCounters } from '../../schemas/counters.js';
import { decode } from '../../schemas/decode.js';
import { DEFAULT_TOPICS, STREAMS } from '../../schemas/topics.js';
import { MALFORMED_REASONS, resolveConfig, type SimulationOptions } from '../../simulator/config.js';
import { generateMessages } from '../../simulator/generate.js';
import { deadLetterReason, type SimMessage } from '../../simulator/messages.js';
import { computeTruth } from '../../simulator/run.js';
import { TruthBuilder, type Truth } from '../../simulator/truth.js';

const HOUR = 3_600_000;
const SHARES = { duplicate: 0.01, late: 0.02, callback_resend: 0.1, too_late: 0.0005, oversized: 0.0002 };
const OPTIONS: SimulationOptions = { seed: 42, start: '2024-11-11T08', hours: 8, events: 100_000, shares: SHARES };

function generateAll(options: SimulationOptions): { messages: SimMessage[]; truth: Truth } {
  const config = resolveConfig(options);
  const builder = new TruthBuilder(config, DEFAULT_TOPICS);
  const messages: SimMessage[] = [];
  const generator = generateMessages(config);
  for (let next = generator.next(); ; next = generator.next()) {
    if (next.done) return { messages, truth: builder.finish(next.value) };
    messages.push(next.value);
    builder.add(next.value);
  }
}

let messages: SimMessage[];
let truth: Truth;
const config = resolveConfig(OPTIONS);
beforeAll(() => ({ messages, truth } = generateAll(OPTIONS)));

describe('determinism', () => {
  const small: SimulationOptions = { seed: 3, start: '2024-11-11T20', hours: 2, events: 8000 };
  const fingerprint = (ms: SimMessage[]) => ms.map((m) => `${m.stream}|${m.key}|${m.timestampMs}|${JSON.stringify(m.expected)}|${m.value.toString('base64')}`);

  it('the same seed gives identical bytes, timestamps and truth', () => {
    const a = generateAll(small);
    const b = generateAll(small);
    expect(fingerprint(b.messages)).toEqual(fingerprint(a.messages));
    expect(b.truth).toEqual(a.truth);
    expect(computeTruth(small)).toEqual(a.truth);
  });

  it('another seed gives another day', () => {
    const a = generateAll(small);
    const c = generateAll({ ...small, seed: 4 });
    expect(fingerprint(c.messages)).not.toEqual(fingerprint(a.messages));
    expect(c.truth.campaign_hours).not.toEqual(a.truth.campaign_hours);
  });
});

describe('every message decodes exactly as labelled', () => {
  it('well-formed events decode to the very event recorded, at its event time', () => {
    const wellFormed = messages.filter((m) => m.event !== undefined);
    const mismatches = wellFormed.filter((m) => {
      const result = decode(DEFAULT_TOPICS[m.stream], m.value, { now: m.timestampMs });
      return !result.ok || result.stream !== m.stream || result.eventTimeMs !== m.event!.timeMs || !isDeepStrictEqual(result.event, m.event!.body);
    });
    expect(mismatches.map((m) => m.value.toString())).toEqual([]);
    expect(wellFormed.length).toBeGreaterThan(90_000);
  });

  it.each(MALFORMED_REASONS)('%s messages are rejected with exactly that reason', (reason) => {
    const labelled = messages.filter((m) => deadLetterReason(m.expected) === reason);
    expect(labelled.length).toBe(Math.max(1, Math.round((SHARES[reason as keyof typeof SHARES] ?? 0.0001) * OPTIONS.events!)));
    for (const m of labelled) {
      const result = decode(DEFAULT_TOPICS[m.stream], m.value, { now: m.timestampMs });
      expect(result.ok ? 'ok' : result.reason, m.value.toString('utf8', 0, 200)).toBe(reason);
    }
  });

  it('keys follow the stream: user for clicks and carts, order for payments, SKU for inventory', () => {
    const keyOf = (m: SimMessage) => {
      const e = m.event!;
      return e.stream === 'payment' ? e.body.order_id : e.stream === 'inventory' ? e.body.sku : e.body.user_id;
    };
    const wrong = messages.filter((m) => m.event !== undefined && m.key !== keyOf(m));
    expect(wrong).toEqual([]);
  });
});

describe('delivery faults', () => {
  it('yields messages in send-time order, all inside the period', () => {
    const outOfOrder = messages.findIndex((m, i) => i > 0 && m.timestampMs < messages[i - 1]!.timestampMs);
    expect(outOfOrder).toBe(-1);
    expect(messages[0]!.timestampMs).toBeGreaterThanOrEqual(config.startMs);
    expect(messages.at(-1)!.timestampMs).toBeLessThan(config.endMs);
  });

  it('producer duplicates are exact re-sends a few messages after the original, on the same key', () => {
    const lastIndexOf = new Map<string, number>();
    const distances: number[] = [];
    const mislabelled: SimMessage[] = [];
    messages.forEach((m, i) => {
      const id = `${m.stream}|${m.key}|${m.value.toString('base64')}`;
      const previous = lastIndexOf.get(id);
      if (previous !== undefined) {
        if (m.expected !== 'duplicate') mislabelled.push(m);
        distances.push(i - previous);
      }
      lastIndexOf.set(id, i);
    });
    expect(mislabelled).toEqual([]);
    expect(Math.max(...distances)).toBeLessThanOrEqual(25);
    const producerDuplicates = distances.length;
    const share = producerDuplicates / messages.length;
    expect(share).toBeGreaterThan(SHARES.duplicate * 0.8);
    expect(share).toBeLessThan(SHARES.duplicate * 1.2);
  });

  it('payment callback re-sends repeat order, attempt and status with a new event_id, after the original', () => {
    const firstSeen = new Map<string, SimMessage>();
    let resends = 0;
    let payments = 0;
    for (const m of messages) {
      if (m.event?.stream !== 'payment') continue;
      const { order_id, attempt, status, event_id } = m.event.body;
      const identity = `${order_id}|${attempt}|${status}`;
      const first = firstSeen.get(identity);
      if (first === undefined) {
        expect(m.expected).toBe('counted');
        firstSeen.set(identity, m);
        payments++;
      } else if (first.event!.body.event_id !== event_id) {
        expect(m.expected).toBe('duplicate');
        expect(m.event.body).toEqual({ ...first.event!.body, event_id });
        resends++;
      }
    }
    expect(resends / payments).toBeGreaterThan(SHARES.callback_resend * 0.7);
    expect(resends / payments).toBeLessThan(SHARES.callback_resend * 1.3);
  });

  it('about the configured share arrives late, by minutes up to ~10 hours', () => {
    const counted = messages.filter((m) => m.expected === 'counted');
    const lateness = counted.map((m) => m.timestampMs - m.event!.timeMs).filter((d) => d >= 2 * 60_000);
    expect(lateness.length / counted.length).toBeGreaterThan(SHARES.late * 0.8);
    expect(lateness.length / counted.length).toBeLessThan(SHARES.late * 1.2);
    expect(Math.max(...lateness)).toBeGreaterThan(3 * HOUR);
    expect(Math.max(...lateness)).toBeLessThanOrEqual(10 * HOUR);
  });

  it('too-late events are 72 h old, sent in the last quarter, on a key that already carried a counted event', () => {
    const tooLate = messages.filter((m) => deadLetterReason(m.expected) === 'too_late');
    expect(tooLate.length).toBe(Math.round(SHARES.too_late * OPTIONS.events!));
    const quarterStart = config.endMs - (config.endMs - config.startMs) / 4;
    for (const m of tooLate) {
      expect(m.timestampMs - m.event!.timeMs).toBe(72 * HOUR);
      expect(m.timestampMs).toBeGreaterThanOrEqual(quarterStart);
      const earlier = messages.find((o) => o.stream === m.stream && o.key === m.key && o.expected === 'counted');
      expect(earlier!.timestampMs).toBeLessThanOrEqual(m.timestampMs);
    }
  });
});

describe('truth', () => {
  it('matches a recount from the decoded bytes that deduplicates as the processors do', () => {
    const hourLabel = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit' });
    const seen = new Set<string>();
    const counted = zeroCounters(STREAMS);
    const cells = new Map<string, CampaignCounters>();
    for (const m of messages) {
      if (deadLetterReason(m.expected) !== undefined) continue;
      const result = decode(DEFAULT_TOPICS[m.stream], m.value, { now: m.timestampMs });
      if (!result.ok) throw new Error(result.detail);
      const e = result.event;
      const identity = result.stream === 'payment' ? `p|${result.event.order_id}|${result.event.attempt}|${result.event.status}` : `${result.stream}|${e.event_id}`;
      if (seen.has(identity)) continue;
      seen.add(identity);
      counted[result.stream]++;
      if (result.stream === 'inventory') continue;
      const key = `${hourLabel.format(result.eventTimeMs).replace(', ', ' ')}:00|${'campaign_id' in e ? (e.campaign_id ?? '') : ''}|${'channel' in e ? (e.channel ?? '') : ''}`;
      const c = cells.get(key) ?? zeroCounters(CAMPAIGN_COUNTERS);
      cells.set(key, c);
      if (result.stream === 'click') {
        c[result.event.type === 'impression' ? 'impressions' : 'clicks']++;
        c.spend_micros += result.event.cost_micros;
      } else if (result.stream === 'cart') c[result.event.type === 'add' ? 'cart_adds' : 'cart_removes']++;
      else if (result.event.status === 'failed') c.failed_payments++;
      else if (result.event.status === 'succeeded') {
        c.paid_orders++;
        c.paid_micros += result.event.amount_micros;
      } else {
        c.refunds++;
        c.refunded_micros += result.event.amount_micros;
      }
    }
    expect(counted).toEqual(truth.counted);
    const fromTruth = Object.fromEntries(truth.campaign_hours.map((r) => [`${r.hour_local}|${r.campaign_id}|${r.channel}`, r.counters]));
    expect(Object.fromEntries(cells)).toEqual(fromTruth);
  });

  it('accounts for every message sent', () => {
    const sent = Object.values(truth.messages.by_topic).reduce((a, b) => a + b, 0);
    const accounted =
      STREAMS.reduce((n, s) => n + truth.counted[s] + truth.duplicates[s], 0) + Object.values(truth.dead_letters).reduce((a, b) => a + b, 0);
    expect(sent).toBe(messages.length);
    expect(accounted).toBe(messages.length);
    expect(messages.length).toBeGreaterThan(OPTIONS.events! * 0.95);
    expect(messages.length).toBeLessThan(OPTIONS.events! * 1.05);
  });
});
