/**
 * The Debian `prometheus` and `prometheus-alertmanager` packages' binaries (.ci/run installs them).
 * A missing binary fails the test that needs it with the install command, never skips it.
 */
import { spawnSync } from 'node:child_process';

export const OPS_BINARIES = { promtool: 'promtool', amtool: 'amtool', prometheus: 'prometheus', alertmanager: 'prometheus-alertmanager' } as const;

export interface ToolResult {
  status: number | null;
  output: string;
}

export function runTool(binary: string, args: readonly string[], cwd?: string): ToolResult {
  const result = spawnSync(binary, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw new Error(`${binary} could not run (${result.error.message}): apt-get install -y prometheus prometheus-alertmanager`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
