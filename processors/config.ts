/**
 * Every environment variable the processors read, in one zod schema that is validated once at
 * start-up. A typo or an out-of-range value stops the process with a message naming the variable and
 * what it accepts, instead of surfacing later as NaN or as a silently ignored setting. Blank values
 * count as unset, so `FOO=` in a compose file means "use the default".
 *
 * Secrets (SECRET_VARIABLES) are never echoed: not in errors, not by renderConfig.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import type { ParsePayload } from 'zod/v4/core';

export const KAFKA_CLIENTS = ['kafkajs', 'rdkafka'] as const;
export type KafkaClientName = (typeof KAFKA_CLIENTS)[number];

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export const SECRET_VARIABLES = ['KAFKA_SASL_PASSWORD', 'CLICKHOUSE_PASSWORD'] as const;
const SECRETS: ReadonlySet<string> = new Set(SECRET_VARIABLES);
const MASK = '********';

/** Characters Kafka allows in topic names; the longest suffix (`ecom.dead-letter`) leaves room for 200. */
export const topicPrefixSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{0,200}$/, { error: 'must be at most 200 characters from A-Z a-z 0-9 . _ - (e.g. "staging.")' });

function integer(min: number, max: number) {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

const hostname = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function isHost(value: string): boolean {
  return hostname.test(value) || isIP(value) !== 0;
}

function isBrokerAddress(value: string): boolean {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[^:\s]+):(\d{1,5})$/.exec(value);
  if (!match) return false;
  const [, host = '', port = ''] = match;
  const bareHost = host.startsWith('[') ? host.slice(1, -1) : host;
  return (isHost(bareHost) || isIP(bareHost) === 6) && Number(port) >= 1 && Number(port) <= 65_535;
}

const brokerList = z
  .string()
  .transform((value) => value.split(',').map((entry) => entry.trim()))
  .refine((entries) => entries.every(isBrokerAddress), {
    error: 'must be a comma-separated list of host:port (e.g. kafka-1:9092,kafka-2:9092); unset it to use the embedded broker',
  });

const clickhouseUrl = z.string().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be an http:// or https:// URL such as http://clickhouse:8123; unset it to use the embedded chDB' });
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    ctx.addIssue({ code: 'custom', message: 'must use http:// or https:// (the ClickHouse HTTP interface, port 8123 or 8443)' });
  }
  if (url.username || url.password) {
    ctx.addIssue({ code: 'custom', message: 'must not contain a user name or password: set CLICKHOUSE_USER and CLICKHOUSE_PASSWORD instead' });
  }
});

function canonicalTimeZone(value: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

const timeZone = z
  .string()
  .refine((value) => canonicalTimeZone(value) !== undefined, { error: 'must be an IANA time zone such as Asia/Shanghai, Europe/Berlin or UTC' })
  .transform((value) => canonicalTimeZone(value) ?? value);

const currencies: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));
const currency = z.string().refine((value) => currencies.has(value), { error: 'must be an upper-case ISO 4217 currency code such as CNY, EUR or USD' });

const flag = z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }).transform((value) => value === 'true' || value === '1');

const envSchema = z
  .object({
    /**
     * Comma-separated `host:port` list of the Kafka cluster. Unset: the processors start the embedded
     * broker (librdkafka's mock cluster) and use that.
     * @default undefined
     */
    KAFKA_BROKERS: brokerList.optional(),
    /** Which Kafka client library consumes and produces. @default 'kafkajs' */
    KAFKA_CLIENT: z.enum(KAFKA_CLIENTS, { error: `must be one of ${KAFKA_CLIENTS.join(', ')}` }).default('kafkajs'),
    /** Consumer group shared by all processor instances. @default 'ecom-metrics' */
    KAFKA_GROUP_ID: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,249}$/, { error: 'must be 1 to 249 characters from A-Z a-z 0-9 . _ -' })
      .default('ecom-metrics'),
    /**
     * How long the group waits for a silent member before moving its partitions elsewhere. Short values
     * make a crashed processor's partitions move sooner; real brokers refuse values below their
     * group.min.session.timeout.ms (6000 by default).
     * @default 10000
     */
    KAFKA_SESSION_TIMEOUT_MS: integer(1_000, 1_800_000).default(10_000),
    /** SASL mechanism for an external broker; set together with user name and password. @default undefined */
    KAFKA_SASL_MECHANISM: z.enum(SASL_MECHANISMS, { error: `must be one of ${SASL_MECHANISMS.join(', ')}` }).optional(),
    /** @default undefined */
    KAFKA_SASL_USERNAME: z.string().optional(),
    /** Secret. @default undefined */
    KAFKA_SASL_PASSWORD: z.string().optional(),
    /** TLS to an external broker. @default false */
    KAFKA_SSL: flag.default(false),
    /** Prepended to every topic name (e.g. `staging.`), see schemas/topics.ts. @default '' */
    TOPIC_PREFIX: topicPrefixSchema.default(''),
    /** ClickHouse HTTP endpoint. Unset: the processors use embedded chDB in CLICKHOUSE_DATA_DIR. @default undefined */
    CLICKHOUSE_URL: clickhouseUrl.optional(),
    /** Data directory of the embedded chDB; one process at a time may open it. @default './data/chdb' */
    CLICKHOUSE_DATA_DIR: z.string().default('./data/chdb'),
    /** Database holding the pipeline's tables; created if missing. @default 'ecom_metrics' */
    CLICKHOUSE_DATABASE: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, { error: 'must be an identifier: a letter or _, then up to 63 letters, digits or _' })
      .default('ecom_metrics'),
    /** ClickHouse user (server only). @default 'default' */
    CLICKHOUSE_USER: z.string().default('default'),
    /** Secret; ClickHouse password (server only). @default '' */
    CLICKHOUSE_PASSWORD: z.string().default(''),
    /** Zone whose local hours the metrics are bucketed by; normalised to its canonical name. @default 'Asia/Shanghai' */
    PIPELINE_TZ: timeZone.default('Asia/Shanghai'),
    /** The shop currency; money in any other currency is dead-lettered. @default 'CNY' */
    PIPELINE_CURRENCY: currency.default('CNY'),
    /** Longest time a decoded event waits before it is written to ClickHouse. @default 1000 */
    FLUSH_INTERVAL_MS: integer(50, 60_000).default(1_000),
    /** Events older than this behind their partition's event-time watermark are dead-lettered as too_late. @default 48 */
    ALLOWED_LATENESS_HOURS: integer(1, 720).default(48),
    /** Larger messages are dead-lettered as oversized before parsing. @default 65536 */
    MAX_MESSAGE_BYTES: integer(1_024, 1_048_576).default(65_536),
    /** How far event_time may be ahead of the record timestamp. @default 300 */
    MAX_FUTURE_SKEW_SECONDS: integer(0, 86_400).default(300),
    /** Messages remembered per partition for duplicate detection. @default 200000 */
    DEDUP_WINDOW: integer(1_000, 10_000_000).default(200_000),
    /**
     * Messages a processor may count while a flush is still being written before it pauses fetching,
     * so a slow ClickHouse makes the lag grow in Kafka rather than in this process's memory.
     * @default 100000
     */
    MAX_UNFLUSHED_MESSAGES: integer(100, 10_000_000).default(100_000),
    /**
     * Distinct campaign ids (and, separately, SKUs) one source partition may add per event-time hour;
     * later new ids that hour are counted under `__other__`. Bounds memory and rows under a flood of
     * made-up ids; decided per partition from its messages only, so a replay decides the same way.
     * @default 10000
     */
    MAX_KEYS_PER_HOUR: integer(10, 10_000_000).default(10_000),
    /** Port of the Prometheus /metrics endpoint; 0 picks a free port. @default 9464 */
    METRICS_PORT: integer(0, 65_535).default(9_464),
    /** Interface the HTTP endpoints listen on; 0.0.0.0 exposes them beyond this machine. @default '127.0.0.1' */
    HTTP_HOST: z.string().refine(isHost, { error: 'must be a host name or IP address such as 127.0.0.1 or 0.0.0.0' }).default('127.0.0.1'),
    /** @default 'info' */
    LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  })
  // Each cross-field rule runs when the variables it reads are valid, so one start-up reports every
  // bad variable at once instead of revealing them one fix at a time.
  .superRefine((env, ctx) => {
    if (env.KAFKA_BROKERS !== undefined) return;
    const externalOnly = ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'KAFKA_SSL'] as const;
    for (const name of externalOnly.filter((n) => env[n] !== undefined && env[n] !== false)) {
      ctx.addIssue({ code: 'custom', path: [name], message: 'only applies to an external broker: set KAFKA_BROKERS, or unset it (the embedded broker has no TLS or authentication)' });
    }
  }, whenValid('KAFKA_BROKERS', 'KAFKA_SASL_MECHANISM', 'KAFKA_SSL'))
  .superRefine((env, ctx) => {
    const sasl = { KAFKA_SASL_MECHANISM: env.KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME: env.KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD: env.KAFKA_SASL_PASSWORD };
    const set = Object.keys(sasl).filter((name) => sasl[name as keyof typeof sasl] !== undefined);
    if (set.length === 0 || set.length === 3) return;
    for (const name of Object.keys(sasl).filter((n) => !set.includes(n))) {
      ctx.addIssue({ code: 'custom', path: [name], message: `is required because ${set.join(' and ')} ${set.length === 1 ? 'is' : 'are'} set (SASL needs mechanism, user name and password)` });
    }
  }, whenValid('KAFKA_SASL_MECHANISM'))
  .superRefine((env, ctx) => {
    if (env.CLICKHOUSE_URL !== undefined) return;
    const serverOnly = 'only applies to a ClickHouse server: set CLICKHOUSE_URL, or unset it (embedded chDB has no users)';
    if (env.CLICKHOUSE_USER !== 'default') ctx.addIssue({ code: 'custom', path: ['CLICKHOUSE_USER'], message: serverOnly });
    if (env.CLICKHOUSE_PASSWORD !== '') ctx.addIssue({ code: 'custom', path: ['CLICKHOUSE_PASSWORD'], message: serverOnly });
  }, whenValid('CLICKHOUSE_URL'))
  .superRefine((env, ctx) => {
    // kafkajs heartbeats between batches: a batch that waits a whole session timeout for its flush gets its member evicted.
    if (env.FLUSH_INTERVAL_MS < env.KAFKA_SESSION_TIMEOUT_MS) return;
    ctx.addIssue({
      code: 'custom',
      path: ['FLUSH_INTERVAL_MS'],
      message: `must be less than KAFKA_SESSION_TIMEOUT_MS (${env.KAFKA_SESSION_TIMEOUT_MS}), or a consumer waiting for a flush is evicted from its group`,
    });
  }, whenValid('FLUSH_INTERVAL_MS', 'KAFKA_SESSION_TIMEOUT_MS'));

/** Runs a cross-field rule only when the variables it reads parsed cleanly (zod skips it otherwise). */
function whenValid(...variables: string[]) {
  return { when: (payload: ParsePayload) => !payload.issues.some((issue) => variables.includes(String(issue.path?.[0]))) };
}

type Env = z.output<typeof envSchema>;

export interface PipelineConfig {
  kafka: {
    /** KAFKA_BROKERS; undefined means: start the embedded broker. */
    brokers: string[] | undefined;
    client: KafkaClientName;
    groupId: string;
    topicPrefix: string;
    sessionTimeoutMs: number;
    ssl: boolean;
    sasl: { mechanism: SaslMechanism; username: string; password: string } | undefined;
  };
  clickhouse: {
    /** CLICKHOUSE_URL; undefined means: embedded chDB in dataDir. */
    url: string | undefined;
    dataDir: string;
    database: string;
    username: string;
    password: string;
  };
  pipeline: {
    timeZone: string;
    currency: string;
    flushIntervalMs: number;
    allowedLatenessHours: number;
    maxMessageBytes: number;
    maxFutureSkewSeconds: number;
    dedupWindow: number;
    maxUnflushedMessages: number;
    maxKeysPerHour: number;
  };
  http: { host: string; metricsPort: number };
  logLevel: LogLevel;
}

function toPipelineConfig(env: Env): PipelineConfig {
  const { KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = env;
  return {
    kafka: {
      brokers: env.KAFKA_BROKERS,
      client: env.KAFKA_CLIENT,
      groupId: env.KAFKA_GROUP_ID,
      topicPrefix: env.TOPIC_PREFIX,
      sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
      ssl: env.KAFKA_SSL,
      sasl: mechanism && username !== undefined && password !== undefined ? { mechanism, username, password } : undefined,
    },
    clickhouse: {
      url: env.CLICKHOUSE_URL,
      dataDir: env.CLICKHOUSE_DATA_DIR,
      database: env.CLICKHOUSE_DATABASE,
      username: env.CLICKHOUSE_USER,
      password: env.CLICKHOUSE_PASSWORD,
    },
    pipeline: {
      timeZone: env.PIPELINE_TZ,
      currency: env.PIPELINE_CURRENCY,
      flushIntervalMs: env.FLUSH_INTERVAL_MS,
      allowedLatenessHours: env.ALLOWED_LATENESS_HOURS,
      maxMessageBytes: env.MAX_MESSAGE_BYTES,
      maxFutureSkewSeconds: env.MAX_FUTURE_SKEW_SECONDS,
      dedupWindow: env.DEDUP_WINDOW,
      maxUnflushedMessages: env.MAX_UNFLUSHED_MESSAGES,
      maxKeysPerHour: env.MAX_KEYS_PER_HOUR,
    },
    http: { host: env.HTTP_HOST, metricsPort: env.METRICS_PORT },
    logLevel: env.LOG_LEVEL,
  };
}

export interface ConfigIssue {
  /** The environment variable at fault. */
  variable: string;
  message: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'CONFIG_INVALID';
  /** The environment will not change by itself. */
  readonly retriable = false;
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      `Invalid configuration (${issues.length} environment variable${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((issue) => `  ${issue.variable}: ${issue.message}`).join('\n'),
    );
  }
}

const CONFIG_VARIABLES = Object.keys(envSchema.shape) as readonly (keyof typeof envSchema.shape)[];

export function loadConfig(env: NodeJS.ProcessEnv = process.env): PipelineConfig {
  const input = Object.fromEntries(CONFIG_VARIABLES.map((name) => [name, blankAsUnset(env[name])]));
  const parsed = envSchema.safeParse(input);
  if (parsed.success) return toPipelineConfig(parsed.data);
  const secrets = SECRET_VARIABLES.map((name) => env[name]).filter((value): value is string => value !== undefined && value.length >= 4);
  const issues = parsed.error.issues.map((issue) => {
    const variable = String(issue.path[0] ?? 'environment');
    const message = `${issue.message}${describeValue(variable, env[variable])}`;
    return { variable, message: secrets.reduce((text, secret) => text.replaceAll(secret, MASK), message) };
  });
  throw new ConfigError(issues);
}

function blankAsUnset(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** Echoes the offending value, except for secrets and anything that may carry credentials (user:pass@host). */
function describeValue(variable: string, value: string | undefined): string {
  if (value === undefined || SECRETS.has(variable) || value.includes('@')) return '';
  const shown = value.length > 80 ? `${value.slice(0, 80)}...` : value;
  return ` (got ${JSON.stringify(shown)})`;
}

/** The effective configuration as indented JSON with secrets masked, for `--print-config` and start-up logs. */
export function renderConfig(config: PipelineConfig): string {
  const masked: PipelineConfig = {
    ...config,
    kafka: { ...config.kafka, sasl: config.kafka.sasl && { ...config.kafka.sasl, password: MASK } },
    clickhouse: { ...config.clickhouse, password: config.clickhouse.password === '' ? '' : MASK },
  };
  return JSON.stringify(masked, (_key, value: unknown) => (value === undefined ? null : value), 2);
}
