/**
 * The exactly-once mechanism on real chDB without Kafka: a simulated day is processed partition by
 * partition with crashes at random moments — before a flush, and in the middle of one (only some of its
 * rows stored, no progress row) — each followed by a reload of the state from ClickHouse and a replay
 * from the stored progress. The stored totals must equal the ground truth exactly.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { describe, expect, it } from 'vitest';
import { openClickHouse } from '../../processors/clickhouse/client.js';
import { migrate } from '../../processors/clickhouse/migrate.js';
import { StateStore } from '../../processors/clickhouse/state-store.js';
import type { RawMessage } from '../../processors/kafka/consumer.js';
import { processMessage } from '../../processors/pipeline/process-message.js';
import type { PartitionState } from '../../processors/state/partition-state.js';
import { takeSnapshot } from '../../processors/state/snapshot.js';
import { OVERFLOW_KEY } from '../../schemas/counters.js';
import { DEFAULT_TOPICS, streamOfTopic } from '../../schemas/topics.js';
import { computeTruth } from '../../simulator/index.js';
import { contextFor, partitionLog } from '../support/simulated-day.js';
import { testConfig } from '../support/test-config.js';
import { compareWithTruth } from '../../simulator/compare-clickhouse.js';

const PARTITIONS = 3;
const DEDUP_WINDOW = 5000;

/** A tiny seeded generator for the crash schedule (independent of the simulator's). */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const SIMULATION = { seed: 11, timeZone: 'Asia/Kathmandu', start: '2026-11-11', hours: 24, events: 12_000 };

/**
 * Processes the log into a fresh database in random slices with flushes in between; with `crash`,
 * about 15 crashes spread over the run (every third one in the middle of a flush: a random part of
 * each table's rows stored, no progress row), each followed by a reload and a replay.
 */
async function processLog(log: Map<string, RawMessage[]>, options: { crash: boolean; maxKeysPerHour: number }) {
  const config = testConfig(['127.0.0.1:9'], { PIPELINE_TZ: SIMULATION.timeZone });
  const ch = await openClickHouse(config.clickhouse);
  await migrate(ch);
  const store = new StateStore(ch);
  const ctx = contextFor(SIMULATION.timeZone);
  const random = lcg(2026);

  let states = new Map<string, PartitionState>();
  const next = new Map<string, number>();
  const reload = async () => {
    states = new Map();
    for (const tp of log.keys()) {
      const [topic, partition] = tp.split('|') as [string, string];
      const state = await store.loadPartition(topic, Number(partition), streamOfTopic(DEFAULT_TOPICS, topic)!, {
        allowedLatenessMs: ctx.allowedLatenessMs,
        dedupWindow: DEDUP_WINDOW,
        maxKeysPerHour: options.maxKeysPerHour,
      });
      const start = state.stored.offset < 0 ? 0 : Math.max(0, state.stored.offset + 1 - DEDUP_WINDOW);
      state.position = start - 1;
      states.set(tp, state);
      next.set(tp, start);
    }
  };

  let crashes = 0;
  let midFlushCrashes = 0;
  let sinceCrash = 0;
  const totalMessages = [...log.values()].reduce((n, l) => n + l.length, 0);
  const crashEvery = Math.max(2, Math.floor(totalMessages / 200 / 16));
  await reload();
  for (;;) {
    const pending = [...log.keys()].filter((tp) => next.get(tp)! < log.get(tp)!.length);
    if (pending.length === 0) break;
    const tp = pending[Math.floor(random() * pending.length)]!;
    const messages = log.get(tp)!;
    const end = Math.min(messages.length, next.get(tp)! + 1 + Math.floor(random() * 400));
    for (let i = next.get(tp)!; i < end; i++) processMessage(states.get(tp)!, messages[i]!, ctx);
    next.set(tp, end);

    const roll = random();
    const crashNow = options.crash && crashes < 15 && ++sinceCrash >= crashEvery;
    if (!crashNow && roll < 0.3) {
      const snapshot = takeSnapshot(states.values());
      await store.write(snapshot);
      snapshot.commit();
    } else if (crashNow && crashes % 3 === 0) {
      const snapshot = takeSnapshot(states.values());
      const tables = { campaign_hourly_state: snapshot.campaign, sku_hourly_state: snapshot.sku, inventory_hourly_state: snapshot.inventory, rejection_state: snapshot.rejections };
      for (const [table, rows] of Object.entries(tables)) {
        const part = rows.filter(() => random() < 0.5);
        if (part.length > 0) await ch.insert({ table, values: part, format: 'JSONEachRow' });
      }
      midFlushCrashes++;
      crashes++;
      sinceCrash = 0;
      await reload();
    } else if (crashNow) {
      crashes++;
      sinceCrash = 0;
      await reload();
    }
  }
  await store.write(takeSnapshot(states.values()));
  return { ch, crashes, midFlushCrashes };
}

/** Everything the read views show, as sorted lines. */
async function storedViews(ch: ClickHouseClient): Promise<string[]> {
  const lines: string[] = [];
  for (const view of ['campaign_hourly', 'sku_hourly', 'sku_stock_hourly', 'dead_letters']) {
    const rows = await (await ch.query({ query: `SELECT * FROM ${view}`, format: 'JSONEachRow' })).json<Record<string, unknown>>();
    for (const row of rows) lines.push(`${view} ${JSON.stringify(row)}`);
  }
  return lines.sort();
}

describe('crash at any moment, replay from stored progress', () => {
  it('totals equal the ground truth after many crashes, some in the middle of a flush', async () => {
    const truth = computeTruth(SIMULATION);
    const { ch, crashes, midFlushCrashes } = await processLog(partitionLog(SIMULATION, PARTITIONS), { crash: true, maxKeysPerHour: 10_000 });

    expect(crashes).toBeGreaterThanOrEqual(10);
    expect(midFlushCrashes).toBeGreaterThanOrEqual(3);
    expect(await compareWithTruth(ch, truth)).toEqual([]);
    // The per-partition progress counters are cumulative too: replays must not inflate them.
    const [progress] = await (
      await ch.query({ query: 'SELECT sum(counted) AS counted, sum(duplicates) AS duplicates, sum(dead_letters) AS dead FROM partition_progress FINAL', format: 'JSONEachRow' })
    ).json<Record<string, string | number>>();
    const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
    // 64-bit integers arrive as strings from a server and as numbers from chDB.
    expect(Object.fromEntries(Object.entries(progress!).map(([k, v]) => [k, Number(v)]))).toEqual({
      counted: total(truth.counted),
      duplicates: total(truth.duplicates),
      dead: total(truth.dead_letters),
    });
    await ch.close();
  });

  it('with MAX_KEYS_PER_HOUR overflowing, crashes and replays fold exactly the ids one uninterrupted pass folds', async () => {
    const log = partitionLog(SIMULATION, PARTITIONS);
    const calm = await processLog(log, { crash: false, maxKeysPerHour: 10 });
    const crashed = await processLog(log, { crash: true, maxKeysPerHour: 10 });
    const expected = await storedViews(calm.ch);
    // The day has more SKUs per partition-hour than the bound, so the rule is exercised.
    expect(expected.filter((line) => line.includes(`"sku":"${OVERFLOW_KEY}"`)).length).toBeGreaterThan(0);
    expect(crashed.midFlushCrashes).toBeGreaterThanOrEqual(3);
    expect(await storedViews(crashed.ch)).toEqual(expected);
    await Promise.all([calm.ch.close(), crashed.ch.close()]);
  });

  it('a partition that has seen only rejected messages stores and reloads its progress', async () => {
    const config = testConfig(['127.0.0.1:9']);
    const ch = await openClickHouse(config.clickhouse);
    await migrate(ch);
    const store = new StateStore(ch);
    const ctx = contextFor('UTC');
    const options = { allowedLatenessMs: ctx.allowedLatenessMs, dedupWindow: DEDUP_WINDOW, maxKeysPerHour: 10_000 };
    const state = await store.loadPartition(DEFAULT_TOPICS.click, 0, 'click', options);
    // No valid event, so the watermark is still the epoch when the progress row is written.
    processMessage(state, { offset: 0, key: null, value: Buffer.from('not json'), timestampMs: 0 }, ctx);
    await store.write(takeSnapshot([state]));
    const reloaded = await store.loadPartition(DEFAULT_TOPICS.click, 0, 'click', options);
    expect(reloaded.stored).toEqual({ offset: 0, watermarkMs: 0, counted: 0, duplicates: 0, deadLetters: 1 });
    await ch.close();
  });
});
