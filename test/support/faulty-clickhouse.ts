/**
 * A ClickHouseClient that passes everything through to a real one, except that its inserts can be made
 * to fail, to hang until released, or to take longer: a ClickHouse that is down, stuck or slow, seen
 * from the processor's side of the client boundary. Reads are never touched, so state still loads.
 */
import type { ClickHouseClient } from '@clickhouse/client';

export type InsertFault = { kind: 'none' } | { kind: 'fail' } | { kind: 'stall' } | { kind: 'latency'; ms: number };

export interface FaultyClickHouse {
  readonly client: ClickHouseClient;
  /** Applies to inserts started from now on; leaving 'stall' releases the inserts it holds. */
  set(fault: InsertFault): void;
  /** Inserts that reached the real client, and inserts refused or held by a fault. */
  readonly counts: { passed: number; faulted: number };
}

export function faultyClickHouse(real: ClickHouseClient): FaultyClickHouse {
  let fault: InsertFault = { kind: 'none' };
  let release: () => void = () => {};
  let stalled = Promise.resolve();
  const counts = { passed: 0, faulted: 0 };

  const insert: ClickHouseClient['insert'] = async (params) => {
    if (fault.kind === 'fail') {
      counts.faulted++;
      throw new Error(`injected: ClickHouse refused the insert into ${params.table}`);
    }
    if (fault.kind === 'stall') {
      counts.faulted++;
      await stalled;
    } else if (fault.kind === 'latency') {
      const { ms } = fault;
      await new Promise((resolve) => setTimeout(resolve, ms));
    }
    counts.passed++;
    return real.insert(params);
  };

  const client = new Proxy(real, {
    get(target, property, receiver) {
      if (property === 'insert') return insert;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });

  return {
    client,
    counts,
    set(next) {
      if (next.kind === 'stall' && fault.kind !== 'stall') stalled = new Promise((resolve) => (release = resolve));
      if (next.kind !== 'stall') release();
      fault = next;
    },
  };
}
