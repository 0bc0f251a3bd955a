import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EventProducer, ProducerMessage } from '../../processors/kafka/producer.js';
import { topicNames } from '../../schemas/topics.js';
import type { SimulationOptions } from '../../simulator/config.js';
import { computeTruth, runSimulation, simulate } from '../../simulator/run.js';
import { loadTruth } from '../../simulator/truth-file.js';

const SMALL: SimulationOptions = { seed: 9, start: '2024-11-11T21', hours: 1, events: 2000 };

function memoryProducer() {
  const sent: ProducerMessage[] = [];
  const producer: EventProducer = {
    send: async (messages) => void sent.push(...messages),
    flush: async () => {},
    disconnect: async () => {},
  };
  return { producer, sent };
}

describe('runSimulation', () => {
  it('sends every message to its topic with the simulated timestamp, and returns the same truth as a dry run', async () => {
    const { producer, sent } = memoryProducer();
    const topics = topicNames('test.');
    const truth = await runSimulation({ producer, topics, simulation: SMALL, progress: false, batchSize: 100 });
    expect(truth).toEqual(computeTruth(SMALL, topics));
    expect(sent).toHaveLength(truth.messages.total);
    const perTopic: Record<string, number> = {};
    for (const m of sent) perTopic[m.topic] = (perTopic[m.topic] ?? 0) + 1;
    expect(perTopic).toEqual(truth.messages.by_topic);
    expect(sent.every((m) => m.timestampMs! >= Date.parse(truth.period.start) && m.timestampMs! < Date.parse(truth.period.end))).toBe(true);
  });

  it.each([
    ['speed', { speed: 7200 }],
    ['rate', { rate: 4000 }],
  ])('paces by %s: an hour of ~2000 messages takes about half a second, with progress lines', async (_, pacing) => {
    const { producer } = memoryProducer();
    const lines: string[] = [];
    const started = performance.now();
    await runSimulation({ producer, simulation: SMALL, pacing, progress: (line) => lines.push(line) });
    const seconds = (performance.now() - started) / 1000;
    expect(seconds).toBeGreaterThan(0.4);
    expect(seconds).toBeLessThan(3);
    expect(lines.at(-1)).toMatch(/^\[simulate\] done: [\d,]+ messages in [\d.]+ s \([\d,]+ msg\/s\) {2}sim 2024-11-11 21:\d\d:\d\d Asia\/Shanghai$/);
  });

  it('surfaces a failed send', async () => {
    const producer: EventProducer = {
      send: async () => Promise.reject(new Error('broker gone')),
      flush: async () => {},
      disconnect: async () => {},
    };
    await expect(runSimulation({ producer, simulation: SMALL, progress: false, batchSize: 100 })).rejects.toThrow('broker gone');
  });
});

describe('simulate --dry-run', () => {
  it('writes a truth file that loadTruth reads back', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'sim-truth-')), 'nested', 'truth.json');
    const truth = await simulate({ simulation: SMALL, client: 'rdkafka', brokers: [], topics: topicNames(), truthPath: path, dryRun: true });
    expect(await loadTruth(path)).toEqual(truth);
  });
});
