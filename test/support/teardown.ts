import { afterEach } from 'vitest';

/**
 * Registers an afterEach that undoes what each test deferred, newest first (pipelines stop before
 * the broker they read from), also when the test failed half-way.
 */
export function deferredTeardown(): (cleanup: () => Promise<void> | void) => void {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return (cleanup) => void cleanups.push(cleanup);
}
