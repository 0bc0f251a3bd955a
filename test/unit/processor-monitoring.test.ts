/**
 * What the processor reports for monitoring, checked against the simulator's independent ground truth:
 * the business gauges of the current hour, lag, watermark, flush failures and readiness.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../processors/config.js';
import type { RawMessage } from '../../processors/kafka/consumer.js';
import { readiness } from '../../processors/http/readiness.js';
import { businessMetrics } from '../../processors/metrics/business-metrics.js';
import { createProcessorMetrics } from '../../processors/metrics/processor-metrics.js';
import { DEFAULT_TOPICS, type Stream } from '../../schemas/topics.js';
import { computeTruth, generateMessages, resolveConfig, type SimulationOptions } from '../../simulator/index.js';
import { fakeProcessor } from '../support/fake-processor-deps.js';

const SIMULATION: SimulationOptions = { seed: 11, timeZone: 'Asia/Shanghai', start: '2026-11-11T14', hours: 1, events: 8_000 };
const config = loadConfig({ KAFKA_BROKERS: 'kafka:9092', PIPELINE_TZ: 'Asia/Shanghai', METRICS_CHANNELS: 'feed,live', WAR_ROOM: 'true' });

/** The simulated hour as one batch per stream, each on partition 0 of its topic. */
function batches(): Map<Stream, RawMessage[]> {
  const byStream = new Map<Stream, RawMessage[]>();
  for (const m of generateMessages(resolveConfig(SIMULATION))) {
    const list = byStream.get(m.stream) ?? [];
    list.push({ offset: list.length, key: Buffer.from(m.key), value: m.value, timestampMs: m.timestampMs });
    byStream.set(m.stream, list);
  }
  return byStream;
}

async function fedProcessor() {
  const metrics = createProcessorMetrics(config);
  const fake = await fakeProcessor(config, metrics.observer);
  metrics.monitor(fake.processor);
  const streams = batches();
  await fake.assign([...streams.keys()].map((stream) => ({ topic: DEFAULT_TOPICS[stream], partition: 0 })));
  for (const [stream, messages] of streams) {
    // The high watermark says 5 more messages wait in Kafka than were delivered.
    await fake.deliver({ topic: DEFAULT_TOPICS[stream], partition: 0, messages, highWatermark: messages.length + 5 });
  }
  return { fake, metrics };
}

function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `) ? wanted.every((w) => l.includes(w)) : false);
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('business gauges', () => {
  it('equal the ground truth of the current hour, shop-wide and per configured channel', async () => {
    const { fake } = await fedProcessor();
    const current = fake.processor.currentHour()!;
    const truth = computeTruth(SIMULATION);
    expect(new Date(current.hourMs).toISOString()).toBe(truth.period.start);

    const attempts = (channel?: string) =>
      truth.campaign_hours.filter((r) => channel === undefined || r.channel === channel).reduce((n, r) => ({ paid: n.paid + r.counters.paid_orders, failed: n.failed + r.counters.failed_payments }), { paid: 0, failed: 0 });
    const gauges = businessMetrics(current.rows, config.metrics);
    const shop = gauges.find((g) => g.metric === 'payment_failure_rate' && g.scope === 'shop')!;
    const all = attempts();
    expect(shop.volume).toBe(all.paid + all.failed);
    expect(shop.value).toBeCloseTo(all.failed / (all.paid + all.failed), 12);
    // The hour of the simulated payment incident.
    expect(shop.status).toBe('red');

    const feed = gauges.find((g) => g.metric === 'payment_failure_rate' && g.channel === 'feed')!;
    expect(feed.volume).toBe(attempts('feed').paid + attempts('feed').failed);
  });

  it('label only configured dimension values', async () => {
    const { metrics } = await fedProcessor();
    const text = await metrics.registry.metrics();
    const scopes = new Set(text.split('\n').filter((l) => l.startsWith('ecom_business_metric_value{')).map((l) => /scope="(\w+)",channel="([^"]*)",campaign="([^"]*)"/.exec(l)!.slice(1).join('/')));
    expect([...scopes].sort()).toEqual(['channel/feed/', 'channel/live/', 'shop//']);
    expect(sample(text, 'ecom_business_metric_status', { metric: 'payment_failure_rate', scope: 'shop', status: 'red' })).toBe(1);
    expect(sample(text, 'ecom_business_metric_status', { metric: 'payment_failure_rate', scope: 'shop', status: 'green' })).toBe(0);
    expect(sample(text, 'ecom_war_room_active')).toBe(1);
  });
});

describe('pipeline metrics', () => {
  it('report consumption by outcome and reason, lag, watermark and flushes', async () => {
    const { fake, metrics } = await fedProcessor();
    const truth = computeTruth(SIMULATION);
    const flushes = async () => sample(await metrics.registry.metrics(), 'ecom_flush_duration_seconds_count', { result: 'ok' })!;
    const flushesBefore = await flushes();
    await fake.processor.flush();
    const text = await metrics.registry.metrics();
    expect(await flushes()).toBe(flushesBefore + 1);

    expect(sample(text, 'ecom_messages_consumed_total', { topic: DEFAULT_TOPICS.click, outcome: 'counted' })).toBe(truth.counted.click);
    expect(sample(text, 'ecom_messages_consumed_total', { topic: DEFAULT_TOPICS.payment, outcome: 'duplicate' })).toBe(truth.duplicates.payment);
    const rejected = text.split('\n').filter((l) => l.startsWith('ecom_messages_rejected_total{')).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
    expect(rejected).toBe(Object.values(truth.dead_letters).reduce((a, b) => a + b, 0));
    expect(sample(text, 'ecom_consumer_lag_messages', { topic: DEFAULT_TOPICS.cart, partition: '0' })).toBe(5);
    expect(sample(text, 'ecom_assigned_partitions')).toBe(4);
    expect(sample(text, 'ecom_event_time_watermark_seconds', { topic: DEFAULT_TOPICS.payment })).toBeGreaterThan(Date.parse(truth.period.start) / 1000);
    expect(sample(text, 'ecom_rows_written_total')).toBeGreaterThan(0);
    expect(sample(text, 'ecom_rebalances_total', { event: 'assigned' })).toBe(1);
    expect(text).toContain('process_cpu_seconds_total');
  });

  it('count failed flushes, and readiness follows a failing and recovering ClickHouse write', async () => {
    const { fake, metrics } = await fedProcessor();
    fake.failWrites.value = true;
    await fake.processor.flush();
    expect(fake.processor.health()).toMatchObject({ assigned: 4, flushFailing: true });
    expect(readiness(fake.processor.health(), true, config.http.readyMaxLag)).toMatchObject({ ready: false, checks: { flush_ok: false } });
    expect(sample(await metrics.registry.metrics(), 'ecom_flush_failures_total', { stage: 'clickhouse_write' })).toBe(1);

    fake.failWrites.value = false;
    await fake.processor.flush();
    expect(readiness(fake.processor.health(), true, config.http.readyMaxLag)).toEqual({
      ready: true,
      checks: { partitions_assigned: true, clickhouse_reachable: true, flush_ok: true, lag_ok: true },
      lag: 20,
    });
    expect(readiness(fake.processor.health(), true, 19).checks.lag_ok).toBe(false);
  });

  it('drop revoked partitions from the gauges', async () => {
    const { fake, metrics } = await fedProcessor();
    await fake.revoke([{ topic: DEFAULT_TOPICS.payment, partition: 0 }]);
    const text = await metrics.registry.metrics();
    expect(sample(text, 'ecom_consumer_lag_messages', { topic: DEFAULT_TOPICS.payment })).toBeUndefined();
    expect(sample(text, 'ecom_assigned_partitions')).toBe(3);
  });
});
