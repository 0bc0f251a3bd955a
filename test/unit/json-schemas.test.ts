/**
 * The JSON Schemas in schemas/json-schema/ are what producers in other languages validate against.
 * These tests prove that the committed files are current, and that the schemas accept and reject what
 * the zod contracts do, apart from the rules each file's description lists as not expressible.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decode } from '../../schemas/decode.js';
import { EVENT_SCHEMAS, lineItemSchema, SCHEMA_VERSION } from '../../schemas/events.js';
import { DEFAULT_TOPICS, STREAMS, type Stream } from '../../schemas/topics.js';
import {
  buildJsonSchema,
  JSON_SCHEMA_DIR,
  JSON_SCHEMA_DRAFT,
  JSON_SCHEMA_EXAMPLES,
  jsonSchemaFileName,
  portablePattern,
  renderJsonSchemas,
} from '../../schemas/write-json-schemas.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { [keyword: string]: Json };

// ---------------------------------------------------------------------------------------------------
// A small draft 2020-12 validator for the keywords the generator emits. It throws on any keyword it
// does not know, so a new construct in zod's output cannot slip through these tests unchecked.
// ---------------------------------------------------------------------------------------------------

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', 'examples', 'then', 'else']);

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return jsonType(value) === 'object';
}

/** Returns the violations (empty when valid). Lengths count code points, as JSON Schema specifies. */
function violations(schema: Schema, value: unknown, at = '$'): string[] {
  const out: string[] = [];
  const fail = (what: string) => out.push(`${at}: ${what}`);
  for (const [keyword, arg] of Object.entries(schema)) {
    switch (keyword) {
      case 'type': {
        const ok =
          arg === 'integer' ? typeof value === 'number' && Number.isInteger(value) : jsonType(value) === arg;
        if (!ok) fail(`not ${String(arg)}`);
        break;
      }
      case 'const':
        if (!isDeepStrictEqual(value, arg)) fail(`not ${JSON.stringify(arg)}`);
        break;
      case 'enum':
        if (!(arg as Json[]).some((option) => isDeepStrictEqual(value, option))) fail('not in enum');
        break;
      case 'pattern':
        if (typeof value === 'string' && !new RegExp(arg as string, 'u').test(value)) fail(`does not match ${String(arg)}`);
        break;
      case 'minLength':
        if (typeof value === 'string' && [...value].length < (arg as number)) fail('too short');
        break;
      case 'maxLength':
        if (typeof value === 'string' && [...value].length > (arg as number)) fail('too long');
        break;
      case 'minimum':
        if (typeof value === 'number' && value < (arg as number)) fail('below minimum');
        break;
      case 'maximum':
        if (typeof value === 'number' && value > (arg as number)) fail('above maximum');
        break;
      case 'exclusiveMinimum':
        if (typeof value === 'number' && value <= (arg as number)) fail('not above exclusiveMinimum');
        break;
      case 'required':
        if (isObject(value)) for (const key of arg as string[]) if (!Object.hasOwn(value, key)) fail(`missing ${key}`);
        break;
      case 'properties':
        if (isObject(value)) {
          for (const [key, sub] of Object.entries(arg as Record<string, Schema>)) {
            if (Object.hasOwn(value, key)) out.push(...violations(sub, value[key], `${at}.${key}`));
          }
        }
        break;
      case 'additionalProperties': {
        if (arg !== false) throw new Error('only additionalProperties: false is implemented');
        const known = (schema.properties ?? {}) as Record<string, unknown>;
        if (isObject(value)) for (const key of Object.keys(value)) if (!Object.hasOwn(known, key)) fail(`unknown ${key}`);
        break;
      }
      case 'items':
        if (Array.isArray(value)) value.forEach((item, i) => out.push(...violations(arg as Schema, item, `${at}[${i}]`)));
        break;
      case 'minItems':
        if (Array.isArray(value) && value.length < (arg as number)) fail('too few items');
        break;
      case 'maxItems':
        if (Array.isArray(value) && value.length > (arg as number)) fail('too many items');
        break;
      case 'if': {
        const branch = violations(arg as Schema, value, at).length === 0 ? schema.then : schema.else;
        if (branch !== undefined) out.push(...violations(branch as Schema, value, at));
        break;
      }
      case 'not':
        if (violations(arg as Schema, value, at).length === 0) fail('matches a forbidden schema');
        break;
      default:
        if (!ANNOTATIONS.has(keyword)) throw new Error(`the test validator does not implement "${keyword}"`);
    }
  }
  return out;
}

function isDeepStrictEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

// ---------------------------------------------------------------------------------------------------

const rendered = renderJsonSchemas();
const schemaOf = (stream: Stream) => JSON.parse(rendered[jsonSchemaFileName(stream)] ?? 'null') as Schema;
const shapeOf = (stream: Stream) => EVENT_SCHEMAS[stream].shape as Record<string, z.ZodType>;
const requiredKeys = (shape: Record<string, z.ZodType>) =>
  Object.keys(shape).filter((key) => !shape[key]!.safeParse(undefined).success);

/** The example of each stream, and the same without its optional fields. */
function fixtures(stream: Stream): { name: string; event: Record<string, unknown> }[] {
  const full = structuredClone(JSON_SCHEMA_EXAMPLES[stream]) as Record<string, unknown>;
  const required = new Set(requiredKeys(shapeOf(stream)));
  const minimal = Object.fromEntries(Object.entries(full).filter(([key]) => required.has(key)));
  if (stream === 'payment') minimal.status = 'succeeded';
  return [
    { name: `${stream} with optional fields`, event: full },
    { name: `${stream} without optional fields`, event: minimal },
  ];
}

const NOW_AFTER_EXAMPLES = Date.parse('2025-11-12T00:00:00Z');

describe('committed JSON Schema files', () => {
  const onDisk = (name: string) => {
    try {
      return readFileSync(resolve(JSON_SCHEMA_DIR, name), 'utf8');
    } catch {
      return '(missing)';
    }
  };

  it.each(Object.keys(rendered))('schemas/json-schema/%s is what the generator produces now', (name) => {
    expect(onDisk(name), `schemas/json-schema/${name} is out of date: run \`npm run schemas\``).toBe(rendered[name]);
  });

  it('holds one file per stream and nothing stale', () => {
    const present = readdirSync(JSON_SCHEMA_DIR).filter((name) => name.endsWith('.schema.json')).sort();
    expect(present, 'schemas/json-schema/ does not match the streams: run `npm run schemas`').toEqual(
      STREAMS.map(jsonSchemaFileName).sort(),
    );
  });

  it('renders deterministically with 2-space indentation and one trailing newline', () => {
    expect(renderJsonSchemas()).toEqual(rendered);
    for (const text of Object.values(rendered)) {
      expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
      expect(text.endsWith('}\n')).toBe(true);
    }
  });
});

describe.each(STREAMS)('JSON Schema of the %s stream', (stream) => {
  const schema = schemaOf(stream);
  const topic = DEFAULT_TOPICS[stream];
  const shape = shapeOf(stream);
  const properties = schema.properties as Record<string, Schema>;

  it('is draft 2020-12 and names its topic and schema_version', () => {
    expect(schema.$schema).toBe(JSON_SCHEMA_DRAFT);
    expect(schema.$id).toBe(`urn:ecom-metrics:event:${topic}:v${SCHEMA_VERSION}`);
    expect(schema.title).toBe(`${topic} event, schema_version ${SCHEMA_VERSION}`);
    expect(schema.description).toContain(`Kafka topic ${topic}`);
    expect(schema.description).toContain(`schema_version ${SCHEMA_VERSION}`);
  });

  it('has the fields, required fields and enums of the zod schema', () => {
    expect(Object.keys(properties)).toEqual(Object.keys(shape));
    expect(schema.required).toEqual(requiredKeys(shape));
    expect(schema.additionalProperties).toBe(false);
    expect(properties.schema_version).toEqual({ type: 'number', const: SCHEMA_VERSION });
    for (const [key, field] of Object.entries(shape)) {
      const inner = field instanceof z.ZodOptional ? field.unwrap() : field;
      if (inner instanceof z.ZodEnum) expect(properties[key]?.enum, key).toEqual(inner.options);
      else expect(properties[key]?.enum, key).toBeUndefined();
    }
  });

  it('uses only ASCII digit classes in patterns', () => {
    expect(rendered[jsonSchemaFileName(stream)]).not.toMatch(/\\\\[dDwWsS]/);
  });

  it('ships an example that validates and decodes', () => {
    const example = JSON_SCHEMA_EXAMPLES[stream];
    expect(schema.examples).toEqual([example]);
    expect(violations(schema, example)).toEqual([]);
    const decoded = decode(topic, new TextEncoder().encode(JSON.stringify(example)), { now: NOW_AFTER_EXAMPLES });
    expect(decoded).toMatchObject({ ok: true, stream, event: example });
  });

  it.each(fixtures(stream))('accepts a valid event: $name', ({ event }) => {
    expect(EVENT_SCHEMAS[stream].safeParse(event).success).toBe(true);
    expect(violations(schema, event)).toEqual([]);
  });

  /** Single-field mutations of the fixtures: the JSON Schema must agree with zod on each. */
  function mutations(): { name: string; event: Record<string, unknown> }[] {
    const out: { name: string; event: Record<string, unknown> }[] = [];
    const replacements: Json[] = [null, true, '', 'x', 'Search', 'a'.repeat(129), 'a\u0000b', 'a\u0085b', '🔥'.repeat(128), '🔥'.repeat(129), 0, 1, 1.5, -1, 2 ** 53, [], {}];
    for (const { name, event } of fixtures(stream)) {
      for (const key of Object.keys(shape)) {
        const { [key]: _dropped, ...rest } = event;
        out.push({ name: `${name}, without ${key}`, event: rest });
        for (const value of replacements) out.push({ name: `${name}, ${key} = ${JSON.stringify(value)}`, event: { ...event, [key]: value } });
      }
      out.push({ name: `${name}, unknown field`, event: { ...event, campaignId: 'c' } });
      if (Array.isArray(event.items)) {
        const item = event.items[0] as Record<string, unknown>;
        for (const key of Object.keys(lineItemSchema.shape)) {
          for (const value of replacements) {
            out.push({ name: `${name}, items[0].${key} = ${JSON.stringify(value)}`, event: { ...event, items: [{ ...item, [key]: value }] } });
          }
        }
        out.push({ name: `${name}, items[0] with an unknown field`, event: { ...event, items: [{ ...item, price: 1 }] } });
        out.push({ name: `${name}, 200 items`, event: { ...event, items: Array.from({ length: 200 }, () => item) } });
        out.push({ name: `${name}, 201 items`, event: { ...event, items: Array.from({ length: 201 }, () => item) } });
      }
    }
    if (stream === 'payment') {
      const base = fixtures(stream)[1]!.event;
      for (const status of ['succeeded', 'failed', 'refunded']) {
        out.push({ name: `${status} without failure_reason`, event: { ...base, status } });
        out.push({ name: `${status} with failure_reason`, event: { ...base, status, failure_reason: 'card_declined' } });
      }
    }
    return out;
  }

  it('accepts and rejects exactly what zod does on single-field mutations', () => {
    const disagreements: string[] = [];
    let rejected = 0;
    for (const { name, event } of mutations()) {
      const zodOk = EVENT_SCHEMAS[stream].safeParse(event).success;
      const jsonOk = violations(schema, event).length === 0;
      if (!zodOk) rejected++;
      if (zodOk !== jsonOk) disagreements.push(`${name}: zod ${zodOk ? 'accepts' : 'rejects'}, JSON Schema ${jsonOk ? 'accepts' : 'rejects'}`);
    }
    expect(disagreements).toEqual([]);
    expect(rejected).toBeGreaterThan(50); // the mutations really are mostly invalid
  });

  /**
   * Rules JSON Schema cannot express: the schema accepts these, decode() rejects them, and the
   * description must tell producers so (it names the reason code).
   */
  const dimensionKey = 'sku' in shape ? 'sku' : 'user_id';
  const pipelineOnly: { name: string; mutate: (e: Record<string, unknown>) => Record<string, unknown>; reason: string; mentions: string }[] = [
    { name: 'a lone surrogate', mutate: (e) => ({ ...e, [dimensionKey]: 'x-\ud800' }), reason: 'invalid_dimension', mentions: 'lone UTF-16 surrogates' },
    { name: 'a day that does not exist', mutate: (e) => ({ ...e, event_time: '2025-02-30T10:00:00Z' }), reason: 'invalid_event_time', mentions: 'a day that exists' },
    { name: 'hour 24', mutate: (e) => ({ ...e, event_time: '2025-11-10T24:00:00Z' }), reason: 'invalid_event_time', mentions: 'hour 00-23' },
    { name: 'an event_time far ahead of the record', mutate: (e) => ({ ...e, event_time: '2030-01-01T00:00:00Z' }), reason: 'future_event_time', mentions: 'ahead of the Kafka record timestamp' },
  ];
  if ('currency' in shape) {
    pipelineOnly.push({ name: 'a foreign currency', mutate: (e) => ({ ...e, currency: 'USD' }), reason: 'unsupported_currency', mentions: 'shop currency' });
  }

  it.each(pipelineOnly)('documents what only the pipeline checks: $name', ({ mutate, reason, mentions }) => {
    const event = mutate(structuredClone(JSON_SCHEMA_EXAMPLES[stream]) as Record<string, unknown>);
    expect(violations(schema, event)).toEqual([]);
    const decoded = decode(topic, new TextEncoder().encode(JSON.stringify(event)), { now: NOW_AFTER_EXAMPLES });
    expect(decoded).toMatchObject({ ok: false, reason });
    expect(schema.description).toContain(mentions);
    expect(schema.description).toContain(`[${reason}`);
  });
});

describe('generator details', () => {
  it('expresses failure_reason iff failed with if/then/else', () => {
    expect(buildJsonSchema('payment')).toMatchObject({
      if: { properties: { status: { const: 'failed' } }, required: ['status'] },
      then: { required: ['failure_reason'] },
      else: { not: { required: ['failure_reason'] } },
    });
    expect(buildJsonSchema('click')).not.toHaveProperty('if');
  });

  it('rewrites \\d to [0-9] without changing what the pattern matches', () => {
    expect(portablePattern('^\\d{4}[\\d:]\\.x$')).toBe('^[0-9]{4}[0-9:]\\.x$');
    const original = /^\d{4}-\d{2}(\.\d{1,9})?$/;
    const portable = new RegExp(portablePattern(original.source), 'u');
    for (const s of ['2025-11', '2025-11.123', '٢٠٢٥-11', '2025-1', '2025-11.', 'x2025-11']) {
      expect(portable.test(s), s).toBe(original.test(s));
    }
  });

  it('the test validator itself rejects what it should', () => {
    const schema = schemaOf('payment');
    const { failure_reason: _reason, ...withoutReason } = JSON_SCHEMA_EXAMPLES.payment;
    expect(violations(schema, withoutReason)).toEqual([
      '$: missing failure_reason',
    ]);
    expect(() => violations({ anyOf: [] }, 1)).toThrow(/does not implement "anyOf"/);
  });
});
