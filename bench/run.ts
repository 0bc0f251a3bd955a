/**
 * `npm run bench`: every benchmark, one after another (they share two cores, so never in parallel).
 * Each prints its table and writes bench/results/<name>-<time>.json. Extra arguments go to every part
 * that takes them, e.g. `npm run bench -- --runs 5`; BENCH_ONLY=throughput,memory picks parts.
 */
import { spawnSync } from 'node:child_process';

const PARTS: { name: string; script: string; node?: string[]; args?: string[] }[] = [
  { name: 'throughput', script: 'bench/throughput.ts', args: ['--events', '400000'] },
  { name: 'freshness', script: 'bench/freshness.ts' },
  { name: 'recovery', script: 'bench/recovery.ts' },
  { name: 'scale-out', script: 'bench/scale-out.ts' },
  { name: 'memory', script: 'bench/memory.ts', node: ['--expose-gc'] },
  { name: 'queries', script: 'bench/queries.ts' },
  { name: 'at-risk-skus', script: 'bench/at-risk-skus.ts' },
];

const only = process.env.BENCH_ONLY?.split(',');
const extra = process.argv.slice(2);
let failed = 0;
for (const part of PARTS.filter((p) => only === undefined || only.includes(p.name))) {
  console.log(`\n=== ${part.name} (${part.script})`);
  const takesRuns = ['throughput', 'recovery', 'scale-out'].includes(part.name);
  const args = [...(part.args ?? []), ...(takesRuns ? extra : [])];
  const run = spawnSync(process.execPath, [...(part.node ?? []), '--import', 'tsx', part.script, ...args], { stdio: 'inherit' });
  if (run.status !== 0) {
    failed++;
    console.error(`${part.name} failed (exit ${run.status ?? run.signal})`);
  }
}
process.exit(failed === 0 ? 0 : 1);
