/**
 * Runs a TypeScript entry point of this project as a child process (node --import tsx) and reads the
 * JSON lines it prints on stdout. Integration tests use real processes because that is what they prove:
 * brokers, consumers and stores shared across OS processes, and processes that get killed.
 *
 * stdin is a pipe that only this process holds, so a child that watches it exits when the test
 * process dies, even by SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const OUTPUT_KEPT_CHARS = 20_000;

export interface TsxChild {
  readonly process: ChildProcess;
  /** Every stdout line that parsed as JSON, in order. */
  readonly lines: readonly unknown[];
  /** stderr so far (the last 20,000 characters), plus any stdout that was not JSON. */
  output(): string;
  /** Settles when the child has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The first JSON line (already printed or still to come) that satisfies `predicate`. */
  waitForLine<T>(predicate: (line: unknown) => line is T, options: { timeoutMs: number; description: string }): Promise<T>;
  /** Signals the child and waits for it to exit, escalating to SIGKILL after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

/** `script` is relative to the project root. */
export function spawnTsx(script: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): TsxChild {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(PROJECT_ROOT, script), ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: unknown[] = [];
  const listeners = new Set<() => void>();
  let output = '';
  const keep = (text: string) => {
    output = (output + text).slice(-OUTPUT_KEPT_CHARS);
  };
  const notify = () => {
    for (const listener of listeners) listener();
  };

  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      try {
        lines.push(JSON.parse(line));
      } catch {
        keep(`${line}\n`);
      }
    }
    notify();
  });
  child.stderr.setEncoding('utf8').on('data', keep);

  let exitStatus: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
    const settle = (status: { code: number | null; signal: NodeJS.Signals | null }) => {
      exitStatus ??= status;
      notify();
      resolveExit(exitStatus);
    };
    child.once('exit', (code, signal) => settle({ code, signal }));
    // A child that could not be spawned emits 'error' and never 'exit'.
    child.once('error', (error) => {
      keep(`spawn failed: ${error.message}\n`);
      settle({ code: null, signal: null });
    });
  });
  // Writing to a child that already exited would otherwise throw EPIPE asynchronously.
  child.stdin.on('error', () => {});

  return {
    process: child,
    lines,
    output: () => output,
    exited,
    waitForLine<T>(predicate: (line: unknown) => line is T, options: { timeoutMs: number; description: string }) {
      return new Promise<T>((resolveLine, reject) => {
        const finish = (result: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          result();
        };
        const describe = (what: string) => `${script} ${what} before ${options.description}; its output:\n${output}`;
        const check = () => {
          const found = lines.find(predicate);
          if (found !== undefined) finish(() => resolveLine(found));
          else if (exitStatus) finish(() => reject(new Error(describe(`exited (code ${exitStatus?.code}, signal ${exitStatus?.signal})`))));
        };
        const timer = setTimeout(() => finish(() => reject(new Error(describe(`did not print within ${options.timeoutMs} ms`)))), options.timeoutMs);
        listeners.add(check);
        check();
      });
    },
    async stop(signal = 'SIGTERM', graceMs = 5_000) {
      if (exitStatus) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
