/**
 * Producer duplicates: a client that timed out waiting for an acknowledgement sends the same bytes
 * again, on the same key, a few messages after the original already went through.
 */
import type { SimMessage } from './messages.js';
import type { Random } from './random.js';

/** A re-send follows its original after at most this many other messages. */
const MAX_DISTANCE = 20;
const NONE: readonly SimMessage[] = [];

export class ProducerRetries {
  private readonly pending: { remaining: number; message: SimMessage }[] = [];

  constructor(
    private readonly random: Random,
    private readonly share: number,
  ) {}

  /** Called after each message is sent: the re-sends due now (stamped with its send time), if any. */
  after(sent: SimMessage): readonly SimMessage[] {
    let due: SimMessage[] | undefined;
    for (let i = 0; i < this.pending.length; ) {
      const pending = this.pending[i]!;
      if (--pending.remaining > 0) {
        i++;
        continue;
      }
      this.pending.splice(i, 1);
      (due ??= []).push({ ...pending.message, timestampMs: sent.timestampMs });
    }
    const resendable = sent.expected === 'counted' || sent.expected === 'duplicate';
    if (resendable && this.random.chance(this.share)) {
      this.pending.push({ remaining: this.random.between(1, MAX_DISTANCE), message: { ...sent, expected: 'duplicate' } });
    }
    return due ?? NONE;
  }

  /** The re-sends still pending when the period's last message went out. */
  remaining(timestampMs: number): SimMessage[] {
    return this.pending.splice(0).map((p) => ({ ...p.message, timestampMs }));
  }
}
