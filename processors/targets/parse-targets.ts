/**
 * Plan targets from a CSV or JSON file, validated as a whole: every problem is reported with the line
 * it is on, and a file with any problem yields no rows at all, so a load is all or nothing.
 *
 * CSV: a header naming the columns `hour,metric,target` and optionally `campaign`. JSON: an array of
 * objects with the same keys. `hour` is the shop's local wall-clock hour ('YYYY-MM-DD HH:00');
 * `campaign` empty or absent means the whole shop; `target` is a decimal in the metric's unit
 * (currency units for money, a fraction for percentages: 0.03 = 3 %).
 */
import { z } from 'zod';
import { METRICS } from '../../schemas/metric-catalog.js';
import { localHourStart } from '../window/hour-bucket.js';

export interface TargetRow {
  scope: 'shop' | 'campaign';
  campaign_id: string;
  metric: string;
  /** UTC instant of the local hour's start. */
  hourMs: number;
  /** Decimal text with at most 6 fraction digits, stored as Decimal: plans in money never pass through floats. */
  target: string;
  line: number;
}

export interface TargetProblem {
  line: number;
  message: string;
}

export type ParsedTargets = { ok: true; rows: TargetRow[] } | { ok: false; problems: TargetProblem[] };

/** One INSERT block holds up to ~1M rows; far below that, a load stays one block and so one atomic part. */
export const MAX_TARGET_ROWS = 100_000;

const COLUMNS = ['hour', 'metric', 'target', 'campaign'] as const;
const METRIC_IDS = METRICS.map((m) => m.id);

const rowSchema = z.strictObject({
  hour: z.string().regex(/^\d{4}-\d{2}-\d{2}[ T]\d{2}:00$/, { error: (i) => `bad hour ${JSON.stringify(i.input)}: expected the local hour as 'YYYY-MM-DD HH:00'` }),
  metric: z.string().refine((id) => (METRIC_IDS as readonly string[]).includes(id), {
    error: (i) => `unknown metric ${JSON.stringify(i.input)} (known: ${METRIC_IDS.join(', ')})`,
  }),
  target: z
    .union([z.string(), z.number()])
    .transform((v) => String(v).trim())
    .refine((v) => /^\d{1,30}(\.\d{1,6})?$/.test(v), { error: (i) => `bad target ${JSON.stringify(i.input)}: expected a non-negative decimal with at most 6 decimals` }),
  campaign: z.string().optional(),
});

export function parseTargets(text: string, format: 'csv' | 'json', timeZone: string): ParsedTargets {
  const read = format === 'csv' ? readCsv(text) : readJson(text);
  if (!read.ok) return read;
  const problems: TargetProblem[] = [];
  const rows: TargetRow[] = [];
  const seen = new Map<string, number>();
  if (read.records.length === 0) problems.push({ line: 1, message: 'no targets in the file' });
  if (read.records.length > MAX_TARGET_ROWS) problems.push({ line: 1, message: `${read.records.length} targets, more than ${MAX_TARGET_ROWS} in one file` });
  for (const { line, record } of read.records) {
    const parsed = rowSchema.safeParse(record);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push({ line, message: issueMessage(issue, record) });
      continue;
    }
    const { hour, metric, target, campaign = '' } = parsed.data;
    const [year, month, day, hh] = hour.split(/[- T:]/).map(Number) as [number, number, number, number];
    const hourMs = validDate(year, month, day) && hh < 24 ? localHourStart(timeZone, { year, month, day, hour: hh }) : undefined;
    if (hourMs === undefined) {
      problems.push({ line, message: `bad hour ${JSON.stringify(hour)}: no such local hour in ${timeZone}` });
      continue;
    }
    const scope = campaign.trim() === '' ? 'shop' : 'campaign';
    const key = `${scope}|${campaign.trim()}|${metric}|${hourMs}`;
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push({ line, message: `duplicate row: ${scope === 'shop' ? 'the shop' : `campaign ${campaign.trim()}`}, ${metric}, ${hour} is already on line ${first}` });
      continue;
    }
    seen.set(key, line);
    rows.push({ scope, campaign_id: campaign.trim(), metric, hourMs, target, line });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, rows };
}

function issueMessage(issue: z.core.$ZodIssue, record: unknown): string {
  if (issue.code === 'unrecognized_keys') return `unknown column${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')} (expected ${COLUMNS.join(', ')})`;
  const field = issue.path[0];
  if (field === undefined) return 'expected an object with hour, metric, target and optionally campaign';
  if (issue.code === 'invalid_type' || issue.code === 'invalid_union') {
    const given = (record as Record<PropertyKey, unknown>)[field];
    return given === undefined ? `${String(field)} is missing` : `${String(field)} must be ${String(field) === 'target' ? 'a decimal' : 'text'}, got ${JSON.stringify(given)}`;
  }
  return issue.message;
}

function validDate(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

type Read = { ok: true; records: { line: number; record: unknown }[] } | { ok: false; problems: TargetProblem[] };

function readCsv(text: string): Read {
  const lines = text.split(/\r?\n/);
  const header = (splitCsvLine(lines[0] ?? '') ?? []).map((h) => h.trim());
  const unknown = header.filter((h) => !(COLUMNS as readonly string[]).includes(h));
  if (unknown.length > 0 || !['hour', 'metric', 'target'].every((c) => header.includes(c))) {
    return { ok: false, problems: [{ line: 1, message: `header must name the columns hour, metric, target and optionally campaign (got ${header.join(',')})` }] };
  }
  const records: { line: number; record: unknown }[] = [];
  const problems: TargetProblem[] = [];
  lines.slice(1).forEach((raw, i) => {
    const line = i + 2;
    if (raw.trim() === '') return;
    const cells = splitCsvLine(raw);
    if (cells === undefined || cells.length !== header.length) {
      problems.push({ line, message: `expected ${header.length} comma-separated fields, got ${cells?.length ?? 'an unterminated quote'}` });
      return;
    }
    records.push({ line, record: Object.fromEntries(header.map((h, j) => [h, cells[j]!.trim()])) });
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, records };
}

/** Fields separated by commas; a field in double quotes may hold commas and "" for a quote. */
function splitCsvLine(line: string): string[] | undefined {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') cells.push(cell), (cell = '');
    else cell += ch;
  }
  if (quoted) return undefined;
  cells.push(cell);
  return cells;
}

function readJson(text: string): Read {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [{ line: jsonErrorLine(text, error as Error), message: `not valid JSON: ${(error as Error).message}` }] };
  }
  if (!Array.isArray(data)) return { ok: false, problems: [{ line: 1, message: 'expected a JSON array of targets' }] };
  const lines = arrayElementLines(text);
  return { ok: true, records: data.map((record, i) => ({ line: lines[i] ?? 1, record })) };
}

/** The line on which each element of the top-level array starts (JSON.parse gives no positions). */
function arrayElementLines(text: string): number[] {
  const out: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\n') line++;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (/\s/.test(ch)) continue;
    if (depth === 1 && expectElement && ch !== ']') {
      out.push(line);
      expectElement = false;
    }
    if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') {
      depth++;
      if (depth === 1) expectElement = true;
    } else if (ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === 1) expectElement = true;
  }
  return out;
}

function jsonErrorLine(text: string, error: Error): number {
  const position = /position (\d+)/.exec(error.message)?.[1];
  return position === undefined ? 1 : text.slice(0, Number(position)).split('\n').length;
}
