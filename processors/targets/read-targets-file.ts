/** Reads a plan-targets file and validates it; the format follows the extension (.csv or .json). */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseTargets, type ParsedTargets } from './parse-targets.js';

export function targetsFormat(path: string): 'csv' | 'json' | undefined {
  const ext = extname(path).toLowerCase();
  return ext === '.csv' ? 'csv' : ext === '.json' ? 'json' : undefined;
}

/** Throws only when the file cannot be read or has no known extension; problems in it come back as `ok: false`. */
export function readTargetsFile(path: string, timeZone: string): ParsedTargets {
  const format = targetsFormat(path);
  if (format === undefined) throw new Error(`${path}: expected a .csv or .json file`);
  return parseTargets(readFileSync(path, 'utf8'), format, timeZone);
}
