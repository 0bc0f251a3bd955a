/** Child processes and the broker a test file starts, stopped after each test whatever its outcome. */
import { afterEach } from 'vitest';
import type { SpawnedBroker } from './broker.js';
import type { TsxChild } from './tsx-child.js';

export interface TestProcesses {
  broker: SpawnedBroker | undefined;
  /** Registers a child for the clean-up and returns it. */
  track(child: TsxChild): TsxChild;
}

export function stopProcessesAfterEach(): TestProcesses {
  const children: TsxChild[] = [];
  const processes: TestProcesses = {
    broker: undefined,
    track(child) {
      children.push(child);
      return child;
    },
  };
  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => c.stop('SIGKILL')));
    await processes.broker?.stop();
    processes.broker = undefined;
  });
  return processes;
}
