/**
 * Command-line flags of `npm run simulate`, validated with the same zod schema as the programmatic API.
 * Errors name the flag as the user typed it, not the option's internal path.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { ProducerClient } from '../processors/kafka/producer.js';
import { topicNames, type TopicNames } from '../schemas/topics.js';
import { simulationOptionsSchema, type SimulationOptions } from './config.js';
import type { Pacing } from './pacing.js';

export const USAGE = `Usage: npm run simulate -- [flags]
  --seed N                 PRNG seed (default 1)
  --tz ZONE                IANA time zone of the shop (default Asia/Shanghai)
  --start DATE[THH]        local start, e.g. 2024-11-11 or 2024-11-11T20 (default 2024-11-11)
  --hours N                simulated hours (default 24)
  --events N               approximate number of messages (default 1000000)
  --share NAME=X           share of a message kind, repeatable; NAME is duplicate, callback_resend, late,
                           too_late or a malformed reason (oversized, not_json, ...)
  --inventory-share X      share of inventory snapshots (default 0.02)
  --incident-at HH:MM      payment incident start, local (default 14:10)
  --incident-minutes N     incident length (default 25)
  --incident-failure-rate X  failure rate during the incident (default 0.35)
  --sellout-at HH:MM       when the sell-out SKU should run dry, local (default 21:00)
  --currency CODE          shop currency (default CNY)
  --speed X                simulated time per wall time (720: a day in 2 minutes)
  --rate N                 messages per second (instead of --speed)
                           neither: unthrottled
  --client rdkafka|kafkajs producer client (default rdkafka)
  --truth PATH             where to write the truth JSON (default truth.json)
  --dry-run                write the truth only, no Kafka
Environment: KAFKA_BROKERS (host:port,...), required unless --dry-run; TOPIC_PREFIX.`;

export interface CliCommand {
  simulation: SimulationOptions;
  pacing: Pacing;
  client: ProducerClient;
  brokers: string[];
  topics: TopicNames;
  truthPath: string;
  dryRun: boolean;
}

export class CliError extends Error {
  override readonly name = 'CliError';
}

/** Option path (as zod reports it) -> the flag that sets it. */
const FLAG_OF: Record<string, string> = {
  seed: '--seed',
  timeZone: '--tz',
  start: '--start',
  hours: '--hours',
  events: '--events',
  currency: '--currency',
  inventoryShare: '--inventory-share',
  'incident.at': '--incident-at',
  'incident.minutes': '--incident-minutes',
  'incident.failureRate': '--incident-failure-rate',
  selloutAt: '--sellout-at',
  speed: '--speed',
  rate: '--rate',
  client: '--client',
  truthPath: '--truth',
  brokers: 'KAFKA_BROKERS',
};

const runSchema = z
  .strictObject({
    speed: z.number().positive().optional(),
    rate: z.number().positive().optional(),
    client: z.enum(['rdkafka', 'kafkajs']).default('rdkafka'),
    truthPath: z.string().min(1).default('truth.json'),
    brokers: z.array(z.string().regex(/^[^\s:,]+:\d{1,5}$/, 'expected host:port')).min(1, 'set KAFKA_BROKERS (host:port,...) or use --dry-run').optional(),
  })
  .refine((o) => o.speed === undefined || o.rate === undefined, { message: 'use --speed or --rate, not both', path: ['rate'] });

export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): CliCommand | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        seed: { type: 'string' },
        tz: { type: 'string' },
        start: { type: 'string' },
        hours: { type: 'string' },
        events: { type: 'string' },
        share: { type: 'string', multiple: true },
        'inventory-share': { type: 'string' },
        'incident-at': { type: 'string' },
        'incident-minutes': { type: 'string' },
        'incident-failure-rate': { type: 'string' },
        'sellout-at': { type: 'string' },
        currency: { type: 'string' },
        speed: { type: 'string' },
        rate: { type: 'string' },
        client: { type: 'string' },
        truth: { type: 'string' },
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  if (values.help) return 'help';

  const incident = dropUndefined({
    at: values['incident-at'],
    minutes: numberOrUndefined(values['incident-minutes']),
    failureRate: numberOrUndefined(values['incident-failure-rate']),
  });
  const simulation = dropUndefined({
    seed: numberOrUndefined(values.seed),
    timeZone: values.tz,
    start: values.start,
    hours: numberOrUndefined(values.hours),
    events: numberOrUndefined(values.events),
    currency: values.currency,
    inventoryShare: numberOrUndefined(values['inventory-share']),
    selloutAt: values['sellout-at'],
    shares: values.share === undefined ? undefined : parseShares(values.share),
    incident: Object.keys(incident).length === 0 ? undefined : incident,
  });
  const parsedSimulation = simulationOptionsSchema.safeParse(simulation);
  if (!parsedSimulation.success) throw cliError(parsedSimulation.error);

  const dryRun = values['dry-run'] ?? false;
  const brokers = env.KAFKA_BROKERS?.split(',').map((b) => b.trim()).filter((b) => b !== '') ?? [];
  const run = runSchema.safeParse(
    dropUndefined({
      speed: numberOrUndefined(values.speed),
      rate: numberOrUndefined(values.rate),
      client: values.client,
      truthPath: values.truth,
      brokers: dryRun ? undefined : brokers,
    }),
  );
  if (!run.success) throw cliError(run.error);

  return {
    simulation: parsedSimulation.data,
    pacing: dropUndefined({ speed: run.data.speed, rate: run.data.rate }),
    client: run.data.client,
    brokers: run.data.brokers ?? [],
    topics: topicNames(env.TOPIC_PREFIX ?? ''),
    truthPath: run.data.truthPath,
    dryRun,
  };
}

function parseShares(entries: string[]): Record<string, number> {
  const shares: Record<string, number> = {};
  for (const entry of entries) {
    const match = /^([a-z_]+)=(.+)$/.exec(entry);
    if (match === null) throw new CliError(`invalid --share ${JSON.stringify(entry)}: expected NAME=FRACTION, e.g. --share late=0.02`);
    shares[match[1]!] = Number(match[2]);
  }
  return shares;
}

function cliError(error: z.ZodError): CliError {
  const lines = error.issues.map((issue) => {
    const path = issue.path.map(String);
    if (path[0] === 'shares') {
      const names = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : path[1];
      return `invalid --share ${names}: ${issue.message}`;
    }
    const flag = FLAG_OF[path.join('.')] ?? FLAG_OF[path[0] ?? ''] ?? path.join('.');
    return `invalid ${flag}: ${issue.message}`;
  });
  return new CliError(lines.join('\n'));
}

/** Non-numbers become NaN so zod reports them against their flag instead of silently dropping them. */
function numberOrUndefined(value: string | undefined): number | undefined {
  return value === undefined ? undefined : value.trim() === '' ? Number.NaN : Number(value);
}

function dropUndefined<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
