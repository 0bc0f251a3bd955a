/**
 * JSON Schemas (draft 2020-12) of the four input streams, generated from the zod contracts in events.ts
 * so that producers written in other languages validate against the same rules before they produce.
 *
 *   npm run schemas              writes schemas/json-schema/<stream>.schema.json
 *   npm run schemas -- --check   only reports whether the files are current (exit code 1 if not)
 *
 * `renderJsonSchemas()` is pure: the script writes what it returns, and test/unit/json-schemas.test.ts
 * checks that the files in the repository are exactly that.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { DEFAULT_CURRENCY, DEFAULT_MAX_FUTURE_SKEW_MS, DEFAULT_MAX_MESSAGE_BYTES } from './decode.js';
import { EVENT_SCHEMAS, SCHEMA_VERSION, type EventOfStream } from './events.js';
import { DEFAULT_TOPICS, STREAMS, type Stream } from './topics.js';

export const JSON_SCHEMA_DRAFT = 'https://json-schema.org/draft/2020-12/schema';

/** Where the generated files live. */
export const JSON_SCHEMA_DIR = fileURLToPath(new URL('./json-schema/', import.meta.url));

export function jsonSchemaFileName(stream: Stream): string {
  return `${stream}.schema.json`;
}

/** A URN rather than a URL: nothing is served, but the id still names the topic and the version. */
export function jsonSchemaId(stream: Stream): string {
  return `urn:ecom-metrics:event:${DEFAULT_TOPICS[stream]}:v${SCHEMA_VERSION}`;
}

/**
 * Rules zod holds as refinements, which `z.toJSONSchema()` leaves out; written here by hand.
 * test/unit/json-schemas.test.ts checks that they accept and reject exactly what zod does.
 */
const CROSS_FIELD_RULES: Partial<Record<Stream, { text: string; keywords: Record<string, unknown> }>> = {
  payment: {
    text: 'failure_reason is required when status is "failed" and forbidden otherwise (the if/then/else below).',
    keywords: {
      if: { properties: { status: { const: 'failed' } }, required: ['status'] },
      then: { required: ['failure_reason'] },
      else: { not: { required: ['failure_reason'] } },
    },
  },
};

/** One valid event per stream, shipped in `examples` so producers see a complete message. */
export const JSON_SCHEMA_EXAMPLES: { readonly [S in Stream]: EventOfStream[S] } = {
  click: {
    schema_version: 1,
    event_id: 'clk-20251111-000001',
    event_time: '2025-11-11T00:00:03.250+08:00',
    type: 'click',
    user_id: 'u-7f3a9c',
    campaign_id: 'double11-feed-a',
    channel: 'feed',
    sku: 'SKU-1001',
    cost_micros: 1_200_000,
    currency: 'CNY',
  },
  cart: {
    schema_version: 1,
    event_id: 'cart-20251111-000001',
    event_time: '2025-11-11T00:00:41+08:00',
    type: 'add',
    user_id: 'u-7f3a9c',
    sku: 'SKU-1001',
    quantity: 2,
    unit_price_micros: 199_000_000,
    currency: 'CNY',
    campaign_id: 'double11-feed-a',
    channel: 'feed',
  },
  payment: {
    schema_version: 1,
    event_id: 'pay-20251111-000001-1',
    event_time: '2025-11-11T00:02:10+08:00',
    status: 'failed',
    order_id: 'ord-88412',
    attempt: 1,
    user_id: 'u-7f3a9c',
    amount_micros: 398_000_000,
    currency: 'CNY',
    items: [{ sku: 'SKU-1001', quantity: 2, unit_price_micros: 199_000_000 }],
    campaign_id: 'double11-feed-a',
    channel: 'feed',
    failure_reason: 'card_declined',
  },
  inventory: {
    schema_version: 1,
    event_id: 'inv-20251111-000001',
    event_time: '2025-11-10T16:05:00Z',
    sku: 'SKU-1001',
    available: 1_250,
    warehouse: 'hangzhou-1',
  },
};

/** What the pipeline checks beyond this schema, with the reason code a producer will see in the dead-letter topic. */
function pipelineOnlyRules(stream: Stream, properties: Record<string, unknown>): string[] {
  const rules = [
    `The message must be UTF-8 JSON text (no byte order mark) of at most ${DEFAULT_MAX_MESSAGE_BYTES} bytes by default; the limit is configurable [oversized, invalid_encoding, not_json].`,
    'Strings must not contain lone UTF-16 surrogates (e.g. the JSON escape "\\ud800" without its pair) [invalid_dimension].',
    'event_time must be a real instant: a day that exists in its month (no 02-30), hour 00-23, offset below 24:00, no leap second 60 [invalid_event_time].',
    `event_time may be at most ${DEFAULT_MAX_FUTURE_SKEW_MS / 1000} s (configurable) ahead of the Kafka record timestamp; events far in the past are accepted by decoding and judged by the processor against its watermark [future_event_time, too_late].`,
  ];
  if ('currency' in properties) {
    rules.push(`currency must be the shop currency, which is deployment configuration (default ${DEFAULT_CURRENCY}); the pattern here only checks the ISO 4217 shape [unsupported_currency].`);
  }
  return rules;
}

function describe(stream: Stream, properties: Record<string, unknown>): string {
  const topic = DEFAULT_TOPICS[stream];
  const lines = [
    `Event on Kafka topic ${topic} (${stream} stream; a deployment may prefix the topic, e.g. staging.${topic}), schema_version ${SCHEMA_VERSION}.`,
    'Generated from schemas/events.ts by `npm run schemas`; do not edit by hand.',
    'Money is integer micros of the shop currency (1 CNY = 1000000 micros). Unknown fields are rejected.',
  ];
  const crossField = CROSS_FIELD_RULES[stream];
  if (crossField !== undefined) lines.push(crossField.text);
  lines.push('Checked by the pipeline but not expressible in JSON Schema (dead-letter reason code in brackets):');
  for (const rule of pipelineOnlyRules(stream, properties)) lines.push(`- ${rule}`);
  return lines.join('\n');
}

/**
 * `\d` means any Unicode decimal digit in some regex dialects (Python's `re`, .NET), so a pattern that
 * is ASCII-only in JavaScript would accept "٢٠٢٥" elsewhere. `[0-9]` means the same in every dialect.
 */
export function portablePattern(source: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === '\\') {
      const next = source[i + 1];
      out += next === 'd' ? (inClass ? '0-9' : '[0-9]') : `\\${next ?? ''}`;
      i++;
    } else {
      if (ch === '[') inClass = true;
      else if (ch === ']') inClass = false;
      out += ch;
    }
  }
  return out;
}

function rewritePatterns(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewritePatterns);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] = key === 'pattern' && typeof value === 'string' ? portablePattern(value) : rewritePatterns(value);
  }
  return out;
}

/** The JSON Schema of one stream as an object (keys in the order they are written). */
export function buildJsonSchema(stream: Stream): Record<string, unknown> {
  const generated = rewritePatterns(
    z.toJSONSchema(EVENT_SCHEMAS[stream], { target: 'draft-2020-12', io: 'input', unrepresentable: 'throw' }),
  ) as Record<string, unknown>;
  const { $schema: _draft, ...body } = generated;
  const properties = (body.properties ?? {}) as Record<string, unknown>;
  return {
    $schema: JSON_SCHEMA_DRAFT,
    $id: jsonSchemaId(stream),
    title: `${DEFAULT_TOPICS[stream]} event, schema_version ${SCHEMA_VERSION}`,
    description: describe(stream, properties),
    ...body,
    ...CROSS_FIELD_RULES[stream]?.keywords,
    examples: [JSON_SCHEMA_EXAMPLES[stream]],
  };
}

/** File name -> file content (2-space indentation, trailing newline) for every stream. */
export function renderJsonSchemas(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const stream of STREAMS) {
    files[jsonSchemaFileName(stream)] = `${JSON.stringify(buildJsonSchema(stream), null, 2)}\n`;
  }
  return files;
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function main(argv: readonly string[]): number {
  const check = argv.includes('--check');
  const files = renderJsonSchemas();
  mkdirSync(JSON_SCHEMA_DIR, { recursive: true });
  const stale = readdirSync(JSON_SCHEMA_DIR).filter((name) => name.endsWith('.schema.json') && !(name in files));
  const changed = Object.keys(files).filter((name) => readIfExists(resolve(JSON_SCHEMA_DIR, name)) !== files[name]);

  if (check) {
    for (const name of changed) console.error(`out of date: schemas/json-schema/${name}`);
    for (const name of stale) console.error(`not generated any more: schemas/json-schema/${name}`);
    if (changed.length + stale.length > 0) console.error('run `npm run schemas` to regenerate');
    return changed.length + stale.length === 0 ? 0 : 1;
  }
  for (const name of changed) writeFileSync(resolve(JSON_SCHEMA_DIR, name), files[name] ?? '');
  for (const name of stale) rmSync(resolve(JSON_SCHEMA_DIR, name));
  console.log(
    `schemas/json-schema: ${changed.length} written, ${stale.length} removed, ${Object.keys(files).length - changed.length} unchanged`,
  );
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
