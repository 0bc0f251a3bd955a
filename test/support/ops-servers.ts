/**
 * Real Prometheus and Alertmanager (the Debian packages' binaries) for end-to-end tests: loopback
 * only, free ports, a temporary directory each, configs derived from the committed ones.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPS_BINARIES } from './ops-tools.js';
import { waitFor } from './poll.js';

export interface OpsServer {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** A port that was free a moment ago; the servers cannot report the port they picked for :0. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `files` are written into the server's temporary directory; `args` may name them relative to it. */
async function startServer(binary: string, files: Record<string, string>, args: (dir: string, address: string) => string[]): Promise<OpsServer> {
  const dir = mkdtempSync(join(tmpdir(), `ecom-${binary}-`));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  const address = `127.0.0.1:${await freePort()}`;
  const child: ChildProcess = spawn(binary, args(dir, address), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', (error) => keep(Buffer.from(`spawn failed: ${error.message}: apt-get install -y prometheus prometheus-alertmanager\n`)));
  const url = `http://${address}`;
  const server: OpsServer = {
    url,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  try {
    await waitFor(async () => child.exitCode === null && (await fetch(`${url}/-/ready`)).ok, { timeoutMs: 30_000, intervalMs: 100, description: `${binary} to be ready` });
  } catch (error) {
    await server.stop();
    throw new Error(`${(error as Error).message}\n${output}`);
  }
  return server;
}

export function startPrometheus(config: string, ruleFiles: Record<string, string>): Promise<OpsServer> {
  return startServer(OPS_BINARIES.prometheus, { 'prometheus.yml': config, ...ruleFiles }, (dir, address) => [
    '--config.file=prometheus.yml',
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=${address}`,
  ]);
}

export function startAlertmanager(config: string): Promise<OpsServer> {
  return startServer(OPS_BINARIES.alertmanager, { 'alertmanager.yml': config }, (dir, address) => [
    '--config.file=alertmanager.yml',
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=${address}`,
    // A single instance: no gossip port to open.
    '--cluster.listen-address=',
  ]);
}
