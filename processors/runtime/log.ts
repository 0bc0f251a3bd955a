/** Structured JSON logs on stderr, one line per event of interest; never one per message at info. */
import type { LogLevel } from '../config.js';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type Logger = Record<LogLevel, (event: string, fields?: Record<string, unknown>) => void>;

export function createLogger(level: LogLevel, write: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  const at = (l: LogLevel) => (event: string, fields: Record<string, unknown> = {}) => {
    if (RANK[l] >= RANK[level]) write(JSON.stringify({ time: new Date().toISOString(), level: l, event, ...fields }));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
