/** Plan targets loaded the way a planner loads them: a CSV file read, validated and stored by the targets loader. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { readTargetsFile } from '../../processors/targets/read-targets-file.js';
import { storeTargets } from '../../processors/targets/store-targets.js';

export interface PlannedTarget {
  /** The shop's local hour, 'YYYY-MM-DD HH:00'. */
  hour: string;
  metric: string;
  /** Decimal text in the metric's unit. */
  target: string;
  /** Absent: the whole shop. */
  campaign?: string;
}

export async function loadPlan(ch: ClickHouseClient, targets: readonly PlannedTarget[], timeZone: string): Promise<void> {
  const file = join(mkdtempSync(join(tmpdir(), 'targets-')), 'plan.csv');
  writeFileSync(file, ['hour,metric,target,campaign', ...targets.map((t) => `${t.hour},${t.metric},${t.target},${t.campaign ?? ''}`)].join('\n'));
  const parsed = readTargetsFile(file, timeZone);
  if (!parsed.ok) throw new Error(`plan rejected: ${JSON.stringify(parsed.problems)}`);
  await storeTargets(ch, parsed.rows, 'plan.csv', Date.now());
}

/** Non-negative micro-units as the decimal text a targets file holds, without passing through a float. */
export function decimalOfMicros(micros: number): string {
  return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
}
