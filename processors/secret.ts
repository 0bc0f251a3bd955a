/**
 * A configuration value that must never be printed. Every way an object usually reaches a log line,
 * an error or `--print-config` (JSON.stringify, util.inspect/console.log, string interpolation) shows
 * the mask; the one way to get the value is `reveal()`, called where a client is configured.
 */
import { inspect } from 'node:util';

export const MASK = '********';

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  /** An empty secret shows as empty, so `--print-config` tells "no password" from "a password". */
  private masked(): string {
    return this.#value === '' ? '' : MASK;
  }

  toJSON(): string {
    return this.masked();
  }

  toString(): string {
    return this.masked();
  }

  [inspect.custom](): string {
    return `Secret(${this.masked()})`;
  }
}
