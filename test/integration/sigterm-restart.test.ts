/**
 * Graceful shutdown: a processor child process (`npm start`'s entry point) SIGTERMed at random moments
 * while the simulator produces, restarted each time on the same chDB directory. Every SIGTERM must end
 * in exit code 0 within the bound (stop fetching, flush, commit, leave the group), and the final
 * totals must equal the ground truth exactly: nothing lost, nothing counted twice.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inputTopics } from '../../schemas/topics.js';
import { spawnBroker } from '../support/broker.js';
import { produceDay } from '../support/pipeline.js';
import { seededRandom, startProcessor, storedDifferences, waitAllStored, waitAssigned, type ProcessorTarget } from '../support/processor-runs.js';
import type { TsxChild } from '../support/tsx-child.js';
import { stopProcessesAfterEach } from '../support/test-processes.js';

const processes = stopProcessesAfterEach();

const SHUTDOWN_TIMEOUT_MS = 15_000;
/** The processor exits 1 on its own past SHUTDOWN_TIMEOUT_MS; this only catches one that hangs. */
const KILL_AFTER_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
}

async function terminate(child: TsxChild): Promise<Exit> {
  const started = performance.now();
  await child.stop('SIGTERM', KILL_AFTER_MS);
  const { code, signal } = await child.exited;
  return { code, signal, ms: Math.round(performance.now() - started) };
}

describe('SIGTERM at random moments', () => {
  it('a processor stopped 5 times while the day is produced exits 0 in time each time and ends with exact totals', async () => {
    const broker = (processes.broker = await spawnBroker({ partitions: 8 }));
    const processors: ProcessorTarget = { brokers: broker.brokers, dataDir: mkdtempSync(join(tmpdir(), 'ecom-sigterm-')), groupId: 'sigterm-test', database: 'sigterm' };
    const start = (client: string) => processes.track(startProcessor(processors, { KAFKA_CLIENT: client, SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) }));
    // The simulator paces a day over ~20 s, so the stops land while messages keep arriving.
    const producing = produceDay(broker.brokers, broker.topics, { seed: 11, timeZone: 'Asia/Kolkata', start: '2026-11-11', hours: 24, events: 30_000 }, 'rdkafka', { speed: 4320 });
    const next = seededRandom(4242);
    const exits: Exit[] = [];
    for (let stop = 0; stop < 5; stop++) {
      const child = start(stop % 2 === 0 ? 'kafkajs' : 'rdkafka');
      await waitAssigned(child);
      await sleep(300 + next() * 1500);
      exits.push(await terminate(child));
    }
    const truth = await producing;
    const last = start('kafkajs');
    // The last stop may have committed everything already: a SIGTERM before main.ts has loaded would
    // meet Node's default action, not the processor.
    await waitAssigned(last);
    await waitAllStored(processors, inputTopics(broker.topics));
    exits.push(await terminate(last));

    expect(exits.map(({ code, signal }) => ({ code, signal }))).toEqual(exits.map(() => ({ code: 0, signal: null })));
    expect(Math.max(...exits.map((e) => e.ms))).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 5_000);
    expect(await storedDifferences(processors, truth)).toEqual([]);
  });
});
