/**
 * Structured JSON logs on stderr, one line per event of interest; never one per message at info.
 *
 * `redact` lists secret values (config.ts secretValues) that are masked in every line, whatever
 * carried them there: Secret objects already print as a mask, this catches a secret copied into an
 * error message by a client library.
 */
import type { LogLevel } from '../config.js';
import { MASK } from '../secret.js';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type Logger = Record<LogLevel, (event: string, fields?: Record<string, unknown>) => void>;

export interface LoggerOptions {
  write?: (line: string) => void;
  redact?: readonly string[];
}

export function createLogger(level: LogLevel, options: LoggerOptions = {}): Logger {
  const { write = (line: string) => process.stderr.write(line + '\n'), redact = [] } = options;
  // A secret inside a JSON string appears escaped (quotes, backslashes): mask both spellings.
  const spellings = [...new Set(redact.flatMap((secret) => [secret, JSON.stringify(secret).slice(1, -1)]))].filter((s) => s.length > 0);
  const at = (l: LogLevel) => (event: string, fields: Record<string, unknown> = {}) => {
    if (RANK[l] < RANK[level]) return;
    const line = JSON.stringify({ time: new Date().toISOString(), level: l, event, ...fields });
    write(spellings.reduce((text, secret) => text.replaceAll(secret, MASK), line));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
