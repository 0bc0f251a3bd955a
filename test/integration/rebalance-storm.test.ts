/**
 * Issue 7, fault injection: a rebalance storm. While a day is being produced, one processor keeps
 * running and others join its group and leave again, one after another: every join and every leave
 * moves partitions, each time with their state flushed by the old owner (or, for a member that
 * leaves like a crash, replayed by the new one from the stored progress). The totals must equal the
 * ground truth. All members are in this process, sharing its chDB directory (chDB allows one process
 * per directory), and use the same KAFKA_CLIENT, as members of one group must.
 */
import { describe, expect, it } from 'vitest';
import { openClickHouse } from '../../processors/clickhouse/client.js';
import { createLogger } from '../../processors/runtime/log.js';
import { startPipeline } from '../../processors/runtime/start-pipeline.js';
import { compareWithTruth } from '../../simulator/compare-clickhouse.js';
import { spawnBroker } from '../support/broker.js';
import { produceDay, testConfig } from '../support/pipeline.js';
import { waitFor } from '../support/poll.js';
import { deferredTeardown } from '../support/teardown.js';

const defer = deferredTeardown();

const VISITS = 6;

describe('rebalance storm', () => {
  it.each(['kafkajs', 'rdkafka'] as const)('%s: members joining and leaving repeatedly during a run: totals exact', async (client) => {
    const broker = await spawnBroker({ partitions: 8 });
    defer(() => broker.stop());
    const config = testConfig(broker.brokers, { KAFKA_CLIENT: client, PIPELINE_TZ: 'Asia/Kolkata' });
    const clickhouse = await openClickHouse(config.clickhouse);
    defer(() => clickhouse.close());
    const log = createLogger(config.logLevel);
    const steady = await startPipeline(config, { clickhouse, log });
    defer(() => steady.stop());

    // Paced over ~20 s of wall time, so the joins and leaves land while messages keep arriving.
    const producing = produceDay(broker.brokers, broker.topics, { seed: 41, timeZone: 'Asia/Kolkata', start: '2026-11-11', hours: 24, events: 15_000 }, 'rdkafka', { speed: 4320 });
    let producedAll = false;
    void producing.then(() => (producedAll = true), () => undefined);

    let visitsDuringProduction = 0;
    for (let visit = 0; visit < VISITS; visit++) {
      const member = await startPipeline(config, { clickhouse, log });
      defer(() => member.stop());
      await waitFor(() => member.processor.stats.assigned > 0 && steady.processor.stats.assigned > 0, {
        timeoutMs: 60_000,
        description: `visitor ${visit + 1} and the steady member to share the partitions`,
      });
      if (!producedAll) visitsDuringProduction++;
      // Every other visitor leaves as a crash would: nothing flushed, its partitions replayed by the next owner.
      if (visit % 2 === 0) await member.stop();
      else await member.processor.abort();
    }
    const truth = await producing;
    expect(visitsDuringProduction).toBeGreaterThanOrEqual(2);

    await waitFor(
      async () => {
        await steady.processor.flush();
        const differences = await compareWithTruth(clickhouse, truth);
        if (differences.length > 0) throw new Error(`${differences.length} differences, first: ${differences[0]}; steady member ${JSON.stringify(steady.processor.stats)}`);
        return true;
      },
      { timeoutMs: 120_000, intervalMs: 500, description: 'the stored totals to equal the ground truth' },
    );
  });
});
