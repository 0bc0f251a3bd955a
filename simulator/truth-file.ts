/** Writing and loading the truth JSON, for the CLI, the demo and tests that compare against a run. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TRUTH_VERSION, type Truth } from './truth.js';

export async function writeTruth(path: string, truth: Truth): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(truth, null, 1)}\n`);
}

export async function loadTruth(path: string): Promise<Truth> {
  const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<Truth>;
  if (parsed.version !== TRUTH_VERSION || !Array.isArray(parsed.campaign_hours) || !Array.isArray(parsed.sku_hours)) {
    throw new Error(`${path} is not a simulator truth file (version ${TRUTH_VERSION})`);
  }
  return parsed as Truth;
}
