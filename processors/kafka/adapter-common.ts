/**
 * Small pieces both consumer adapters use: partition keys, a serial queue, deadlines, defaults for
 * timing and logging.
 */
import type { ConsumerLogger, TopicPartition } from './consumer.js';

/** ConsumerOptions.sessionTimeoutMs's default. */
export const DEFAULT_SESSION_TIMEOUT_MS = 10_000;

/** A fifth of the session timeout (Kafka recommends at most a third), within sane bounds. */
export function heartbeatIntervalFor(sessionTimeoutMs: number): number {
  return Math.max(100, Math.min(3_000, Math.floor(sessionTimeoutMs / 5)));
}

export const tpKey = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`;
export const tpLabel = (tp: TopicPartition): string => `${tp.topic}/${tp.partition}`;

/** Runs async operations one after another; a failing operation does not stop the ones after it. */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();

  run(operation: () => Promise<void>): Promise<void> {
    const result = this.tail.then(operation);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Settles when everything queued so far has run. */
  idle(): Promise<void> {
    return this.tail;
  }
}

export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
}

/** Resolves with `promise`, or rejects with DeadlineError once `deadline` (epoch ms) has passed. */
export async function beforeDeadline<T>(promise: Promise<T>, deadline: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`${what} did not finish in time`)), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

export function stderrConsumerLogger(): ConsumerLogger {
  const write = (level: string) => (event: string, fields: Record<string, unknown> = {}) =>
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, event, ...fields })}\n`);
  const ignore = () => {};
  return { debug: ignore, info: ignore, warn: write('warn'), error: write('error') };
}

/** The default `onFatal`: an uncaught exception, so a process nobody told otherwise exits non-zero. */
export function crashProcess(error: Error): void {
  setImmediate(() => {
    throw error;
  });
}

export const toError = (value: unknown): Error => (value instanceof Error ? value : new Error(String(value)));


/**
 * One step of a bounded shutdown: waits for it until `deadline`, and logs instead of throwing when it
 * fails or runs late, so the remaining steps (leaving the group, disconnecting) still happen.
 */
export function stopStep(log: ConsumerLogger, client: string, deadline: number) {
  return async (what: string, promise: Promise<unknown> | undefined): Promise<void> => {
    try {
      await beforeDeadline(Promise.resolve(promise), deadline, what);
    } catch (error) {
      log.warn('consumer.stop_incomplete', { client, step: what, error: toError(error).message });
    }
  };
}
