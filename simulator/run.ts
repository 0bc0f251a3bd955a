/**
 * Running a simulation: in memory (truth only), against any EventProducer, or end to end from options
 * (the CLI and the demo). Generation is pure; everything with I/O or wall-clock time lives here.
 */
import { DEFAULT_TOPICS, type TopicNames } from '../schemas/topics.js';
import { createProducer, type EventProducer, type ProducerClient, type ProducerMessage } from '../processors/kafka/producer.js';
import { resolveConfig, type SimulationOptions } from './config.js';
import { generateMessages } from './generate.js';
import type { ScenarioReport } from './scenario.js';
import type { SimMessage } from './messages.js';
import { Pacer, ProgressReporter, type Pacing } from './pacing.js';
import { writeTruth } from './truth-file.js';
import { TruthBuilder, type Truth } from './truth.js';

export interface RunSimulationOptions {
  producer: EventProducer;
  simulation?: SimulationOptions;
  topics?: TopicNames;
  pacing?: Pacing;
  /** Receives a progress line about once a second; default stderr, false for silence. */
  progress?: ((line: string) => void) | false;
  /** Messages per send() call. @default 5000 */
  batchSize?: number;
}

/** Sends overlap with generating the next batch; more in flight only adds memory. */
const MAX_SENDS_IN_FLIGHT = 4;

export function computeTruth(simulation: SimulationOptions = {}, topics: TopicNames = DEFAULT_TOPICS): Truth {
  const config = resolveConfig(simulation);
  const truth = new TruthBuilder(config, topics);
  const scenario = drain(generateMessages(config), (m) => truth.add(m));
  return truth.finish(scenario);
}

/** Produces the simulated day through `producer` and returns its truth once every message is acknowledged. */
export async function runSimulation(options: RunSimulationOptions): Promise<Truth> {
  const config = resolveConfig(options.simulation);
  const topics = options.topics ?? DEFAULT_TOPICS;
  const batchSize = options.batchSize ?? 5000;
  const truth = new TruthBuilder(config, topics);
  const pacer = new Pacer(options.pacing ?? {}, config.startMs);
  const write = options.progress === false ? () => {} : (options.progress ?? ((line: string) => process.stderr.write(`${line}\n`)));
  const progress = new ProgressReporter(config.zone, write);
  const sender = new OverlappingSender(options.producer);

  const messages = generateMessages(config);
  let batch: ProducerMessage[] = [];
  let sent = 0;
  let simMs = config.startMs;
  let next = messages.next();
  for (; !next.done; next = messages.next()) {
    const m = next.value;
    const pause = pacer.pauseBefore(m.timestampMs, sent);
    if (pause > 0) {
      await sender.send(batch);
      batch = [];
      await sleep(pause);
    }
    truth.add(m);
    batch.push({ topic: topics[m.stream], key: m.key, value: m.value, timestampMs: m.timestampMs });
    sent++;
    simMs = m.timestampMs;
    if (batch.length >= batchSize) {
      await sender.send(batch);
      batch = [];
    }
    progress.tick(sent, simMs);
  }
  await sender.send(batch);
  await sender.drain();
  await options.producer.flush();
  progress.done(sent, simMs);
  return truth.finish(next.value);
}

export interface SimulateOptions {
  simulation?: SimulationOptions;
  pacing?: Pacing;
  client: ProducerClient;
  brokers: string[];
  topics: TopicNames;
  truthPath: string;
  /** Write the truth only; no Kafka. */
  dryRun?: boolean;
  progress?: ((line: string) => void) | false;
}

export async function simulate(options: SimulateOptions): Promise<Truth> {
  let truth: Truth;
  if (options.dryRun) {
    truth = computeTruth(options.simulation, options.topics);
  } else {
    const producer = await createProducer({ client: options.client, brokers: options.brokers, clientId: 'ecom-simulator' });
    try {
      const { simulation, topics, pacing, progress } = options;
      truth = await runSimulation({ producer, simulation, topics, pacing, progress });
    } finally {
      await producer.disconnect();
    }
  }
  await writeTruth(options.truthPath, truth);
  return truth;
}

function drain(messages: Generator<SimMessage, ScenarioReport, undefined>, each: (m: SimMessage) => void): ScenarioReport {
  for (;;) {
    const next = messages.next();
    if (next.done) return next.value;
    each(next.value);
  }
}

/** Keeps a few send() calls in flight and surfaces the first failure on the next call. */
class OverlappingSender {
  private readonly inFlight: Promise<void>[] = [];
  private failure: { error: unknown } | undefined;

  constructor(private readonly producer: EventProducer) {}

  async send(batch: ProducerMessage[]): Promise<void> {
    if (this.failure) throw this.failure.error;
    if (batch.length === 0) return;
    const sending = this.producer.send(batch);
    sending.catch((error: unknown) => (this.failure ??= { error }));
    this.inFlight.push(sending);
    if (this.inFlight.length > MAX_SENDS_IN_FLIGHT) await this.inFlight.shift();
  }

  async drain(): Promise<void> {
    await Promise.all(this.inFlight.splice(0));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
