/**
 * A simulated hour through a real Kafka protocol, with both producer clients: what comes back from the
 * broker, decoded with the contract decoder and counted by a small independent model of the processor
 * rules (dedup, 48 h lateness per partition), must match the simulator's truth exactly. Both clients
 * write the same messages, so the test also proves they partition every key identically.
 */
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockCluster, type MockCluster } from '../../processors/embedded/mock-cluster.js';
import { createProducer, type ProducerClient } from '../../processors/kafka/producer.js';
import { CAMPAIGN_COUNTERS, zeroCounters, type CampaignCounters } from '../../schemas/counters.js';
import { decode } from '../../schemas/decode.js';
import { REJECT_REASONS, type RejectReason } from '../../schemas/reasons.js';
import { inputTopics, STREAMS, topicNames, type Stream, type TopicNames } from '../../schemas/topics.js';
import type { SimulationOptions } from '../../simulator/config.js';
import { runSimulation } from '../../simulator/run.js';
import type { Truth } from '../../simulator/truth.js';
import { waitFor } from '../support/poll.js';

const PARTITIONS = 6;
const ALLOWED_LATENESS_MS = 48 * 3_600_000;
const SIMULATION: SimulationOptions = {
  seed: 11,
  start: '2024-11-11T20',
  hours: 1,
  events: 4000,
  incident: { at: '20:15', minutes: 20 },
};
const CLIENTS: readonly ProducerClient[] = ['kafkajs', 'rdkafka'];

interface ReadRecord {
  topic: string;
  partition: number;
  offset: bigint;
  key: string;
  value: Buffer;
  timestampMs: number;
}

let cluster: MockCluster;
const runs = new Map<ProducerClient, { topics: TopicNames; truth: Truth; records: ReadRecord[] }>();

beforeAll(async () => {
  const topicsByClient = new Map(CLIENTS.map((client) => [client, topicNames(`sim-${client}.`)] as const));
  const partitions: Record<string, number> = {};
  for (const topics of topicsByClient.values()) for (const topic of inputTopics(topics)) partitions[topic] = PARTITIONS;
  cluster = startMockCluster({ topics: partitions });

  for (const [client, topics] of topicsByClient) {
    const producer = await createProducer({ client, brokers: cluster.brokers, clientId: `simulator-test-${client}` });
    let truth: Truth;
    try {
      truth = await runSimulation({ producer, topics, simulation: SIMULATION, progress: false, batchSize: 500 });
    } finally {
      await producer.disconnect();
    }
    const records = await consumeAll(cluster.brokers, inputTopics(topics), truth.messages.total);
    runs.set(client, { topics, truth, records });
  }
});

afterAll(() => cluster?.stop());

describe.each(CLIENTS)('simulated hour produced with %s', (client) => {
  it('arrives complete: every message sent is read back, per topic', () => {
    const { truth, records } = runs.get(client)!;
    expect(truth.messages.total).toBeGreaterThan(3000);
    expect(records).toHaveLength(truth.messages.total);
    const perTopic: Record<string, number> = {};
    for (const r of records) perTopic[r.topic] = (perTopic[r.topic] ?? 0) + 1;
    expect(perTopic).toEqual(truth.messages.by_topic);
  });

  it('decodes and counts to exactly the truth: counted events, duplicates, dead letters by reason, counters', () => {
    const { topics, truth, records } = runs.get(client)!;
    const counted = countIndependently(records, topics);
    expect(counted.counted).toEqual(truth.counted);
    expect(counted.duplicates).toEqual(truth.duplicates);
    expect(counted.deadLetters).toEqual(truth.dead_letters);
    for (const reason of REJECT_REASONS) {
      if (reason !== 'unknown_topic') expect(truth.dead_letters[reason], reason).toBeGreaterThan(0);
    }
    expect(counted.campaignTotals).toEqual(campaignTotalsOf(truth));
  });
});

it('both clients put every key on the same partition', () => {
  const partitionsOf = (client: ProducerClient) => {
    const { topics, records } = runs.get(client)!;
    const out = new Map<string, number>();
    for (const r of records) out.set(`${streamOf(topics, r.topic)}|${r.key}`, r.partition);
    return out;
  };
  const kafkajs = partitionsOf('kafkajs');
  const rdkafka = partitionsOf('rdkafka');
  expect(kafkajs.size).toBeGreaterThan(500);
  expect(new Set(kafkajs.values()).size).toBe(PARTITIONS);
  expect([...rdkafka]).toEqual(expect.arrayContaining([...kafkajs]));
  expect(rdkafka.size).toBe(kafkajs.size);
});

async function consumeAll(brokers: string[], topics: string[], expected: number): Promise<ReadRecord[]> {
  const kafka = new Kafka({ clientId: 'simulator-test-reader', brokers, logLevel: logLevel.NOTHING });
  // A short fetch wait: disconnect waits for the fetch in flight, 5 s by default.
  const consumer = kafka.consumer({ groupId: `simulator-test-${topics[0]}`, maxWaitTimeInMs: 100 });
  const records: ReadRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          records.push({
            topic: batch.topic,
            partition: batch.partition,
            offset: BigInt(m.offset),
            key: m.key?.toString('utf8') ?? '',
            value: m.value ?? Buffer.alloc(0),
            timestampMs: Number(m.timestamp),
          });
        }
      },
    });
    await waitFor(() => records.length >= expected, { timeoutMs: 60_000, description: `${expected} records from ${topics.join(', ')}` });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** The processor's rules, restated minimally: decode, reject 48 h behind the partition's max event time, dedup. */
function countIndependently(records: ReadRecord[], topics: TopicNames) {
  const inPartitionOrder = [...records].sort(
    (a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition || (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0),
  );
  const counted = zeroCounters(STREAMS);
  const duplicates = zeroCounters(STREAMS);
  const deadLetters = zeroCounters(REJECT_REASONS) as Record<RejectReason, number>;
  const campaignTotals = new Map<string, CampaignCounters>();
  const watermarks = new Map<string, number>();
  const seen = new Set<string>();
  for (const record of inPartitionOrder) {
    const result = decode(record.topic, record.value, { topics, now: record.timestampMs });
    if (!result.ok) {
      deadLetters[result.reason]++;
      continue;
    }
    const partitionKey = `${record.topic}#${record.partition}`;
    const watermark = watermarks.get(partitionKey) ?? -Infinity;
    if (result.eventTimeMs < watermark - ALLOWED_LATENESS_MS) {
      deadLetters.too_late++;
      continue;
    }
    watermarks.set(partitionKey, Math.max(watermark, result.eventTimeMs));
    const identity =
      result.stream === 'payment'
        ? `payment|${result.event.order_id}|${result.event.attempt}|${result.event.status}`
        : `${result.stream}|${result.event.event_id}`;
    if (seen.has(identity)) {
      duplicates[result.stream]++;
      continue;
    }
    seen.add(identity);
    counted[result.stream]++;
    if (result.stream === 'inventory') continue;
    const campaign = 'campaign_id' in result.event ? (result.event.campaign_id ?? '') : '';
    const channel = 'channel' in result.event ? (result.event.channel ?? '') : '';
    const key = `${campaign}|${channel}`;
    const c = campaignTotals.get(key) ?? zeroCounters(CAMPAIGN_COUNTERS);
    campaignTotals.set(key, c);
    if (result.stream === 'click') {
      c[result.event.type === 'impression' ? 'impressions' : 'clicks']++;
      c.spend_micros += result.event.cost_micros;
    } else if (result.stream === 'cart') {
      c[result.event.type === 'add' ? 'cart_adds' : 'cart_removes']++;
    } else if (result.event.status === 'succeeded') {
      c.paid_orders++;
      c.paid_micros += result.event.amount_micros;
    } else if (result.event.status === 'failed') {
      c.failed_payments++;
    } else {
      c.refunds++;
      c.refunded_micros += result.event.amount_micros;
    }
  }
  return { counted, duplicates, deadLetters, campaignTotals: Object.fromEntries([...campaignTotals].sort(([a], [b]) => a.localeCompare(b))) };
}

function campaignTotalsOf(truth: Truth): Record<string, CampaignCounters> {
  const totals = new Map<string, CampaignCounters>();
  for (const row of truth.campaign_hours) {
    const key = `${row.campaign_id}|${row.channel}`;
    const c = totals.get(key) ?? zeroCounters(CAMPAIGN_COUNTERS);
    for (const name of CAMPAIGN_COUNTERS) c[name] += row.counters[name];
    totals.set(key, c);
  }
  return Object.fromEntries([...totals].sort(([a], [b]) => a.localeCompare(b)));
}

function streamOf(topics: TopicNames, topic: string): Stream {
  return STREAMS.find((s) => topics[s] === topic)!;
}
