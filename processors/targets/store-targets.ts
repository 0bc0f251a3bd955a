/** Stores validated plan targets in one INSERT: one block into an unpartitioned table is one part, stored whole or not at all. */
import type { ClickHouseClient } from '@clickhouse/client';
import type { TargetRow } from './parse-targets.js';

/** 'YYYY-MM-DD hh:mm:ss' in UTC, how the DateTime('UTC') column reads text. */
const utcText = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

export async function storeTargets(ch: ClickHouseClient, rows: readonly TargetRow[], loadId: string, loadedAtMs: number): Promise<void> {
  const loaded_at = new Date(loadedAtMs).toISOString().replace('T', ' ').replace('Z', '');
  await ch.insert({
    table: 'plan_targets',
    format: 'JSONEachRow',
    values: rows.map((r) => ({ scope: r.scope, campaign_id: r.campaign_id, metric: r.metric, hour: utcText(r.hourMs), target: r.target, load_id: loadId, loaded_at })),
  });
}
