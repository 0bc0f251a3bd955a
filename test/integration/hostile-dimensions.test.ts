/**
 * Hostile dimension values through the whole path (Kafka -> processor -> chDB): each is either
 * rejected by decode() with a reason, or stored verbatim; no other row changes; and the user id, which
 * every event carries, reaches no table at all.
 */
import { describe, expect, it } from 'vitest';
import { createProducer } from '../../processors/kafka/producer.js';
import { decode } from '../../schemas/decode.js';
import { DIMENSION_MAX_LENGTH } from '../../schemas/events.js';
import { spawnBroker } from '../support/broker.js';
import { runPipelineUntil, testConfig } from '../support/pipeline.js';
import { stopProcessesAfterEach } from '../support/test-processes.js';

const processes = stopProcessesAfterEach();

const HOSTILE = [
  "x'); DROP TABLE campaign_hourly_state; --",
  "' OR 1=1 --",
  '"double" and `back` quotes',
  'back\\slash\\',
  '{topic:String} {db:Identifier}',
  '😀🔥 flash sale',
  'שלום عربي',
  '\u202Eevil\u202C',
  '__proto__',
  'constructor',
  'é'.repeat(DIMENSION_MAX_LENGTH),
  'x'.repeat(DIMENSION_MAX_LENGTH + 1),
  'tab\tinside',
  'line\nbreak',
  '',
  '\ud800 lone surrogate',
];
const NORMAL_CAMPAIGN = 'spring-sale';
const NORMAL_IMPRESSIONS = 7;
const USER_ID = 'PII-user-7f3a9c';

describe('hostile dimension values', () => {
  it('are rejected with a reason or stored verbatim, and leave every other row alone', async () => {
    const broker = (processes.broker = await spawnBroker({ partitions: 1 }));
    const config = testConfig(broker.brokers);
    const topic = broker.topics.click;
    const timestampMs = Date.parse('2026-11-11T10:30:00+05:30');
    const click = (id: string, campaign: string) => ({
      schema_version: 1,
      event_id: id,
      event_time: '2026-11-11T10:15:00+05:30',
      type: 'impression',
      user_id: USER_ID,
      campaign_id: campaign,
      channel: 'search',
      cost_micros: 1000,
      currency: 'CNY',
    });
    const events = [
      ...Array.from({ length: NORMAL_IMPRESSIONS }, (_, i) => click(`normal-${i}`, NORMAL_CAMPAIGN)),
      ...HOSTILE.map((campaign, i) => click(`hostile-${i}`, campaign)),
    ];
    const values = events.map((event) => Buffer.from(JSON.stringify(event)));
    const decoded = values.map((value) => decode(topic, value, { topics: broker.topics, now: timestampMs }));
    const accepted = HOSTILE.filter((_, i) => decoded[NORMAL_IMPRESSIONS + i]!.ok);
    const rejected = decoded.filter((d) => !d.ok);
    // Both outcomes occur, or the test proves less than it says.
    expect(accepted.length).toBeGreaterThan(5);
    expect(rejected.length).toBeGreaterThan(2);
    expect(rejected.every((r) => !r.ok && r.reason === 'invalid_dimension' && r.field === 'campaign_id')).toBe(true);

    const producer = await createProducer({ client: 'rdkafka', brokers: broker.brokers });
    await producer.send(values.map((value) => ({ topic, key: null, value, timestampMs })));
    await producer.disconnect();

    const { pipeline, clickhouse } = await runPipelineUntil(config, values.length);
    try {
      const rows = await (
        await clickhouse.query({ query: 'SELECT campaign_id, sum(impressions) AS impressions FROM campaign_hourly_state FINAL GROUP BY campaign_id', format: 'JSONEachRow' })
      ).json<{ campaign_id: string; impressions: string | number }>();
      const stored = new Map(rows.map((r) => [r.campaign_id, Number(r.impressions)]));
      expect(new Map([...stored].sort())).toEqual(new Map([[NORMAL_CAMPAIGN, NORMAL_IMPRESSIONS] as const, ...accepted.map((c) => [c, 1] as const)].sort()));

      const rejections = await (await clickhouse.query({ query: 'SELECT reason, max(messages) AS messages FROM rejection_state FINAL GROUP BY reason', format: 'JSONEachRow' })).json<{ reason: string; messages: string | number }>();
      expect(rejections.map((r) => [r.reason, Number(r.messages)])).toEqual([['invalid_dimension', rejected.length]]);
      expect(pipeline.processor.stats.deadLetters).toBe(rejected.length);

      // Personal data: the user id is in every event and in no table.
      const tables = await (await clickhouse.query({ query: 'SELECT name FROM system.tables WHERE database = currentDatabase()', format: 'JSONEachRow' })).json<{ name: string }>();
      expect(tables.length).toBeGreaterThan(5);
      for (const { name } of tables) {
        const dump = await (await clickhouse.query({ query: 'SELECT * FROM {table:Identifier}', query_params: { table: name }, format: 'JSONEachRow' })).text();
        expect(dump, name).not.toContain(USER_ID);
      }
    } finally {
      await pipeline.stop();
      await clickhouse.close();
    }
  });
});
