/**
 * Main's structured log: one JSON object per line in `<dataDir>/logs/main.log`.
 * Main never holds plaintext, so there is nothing to mask here; callers log
 * ids, names, codes and counts only, never request bodies.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

export function createFileLogger(logDir: string, processName: string): Logger {
  mkdirSync(logDir, { recursive: true, mode: 0o700 });
  const file = join(logDir, 'main.log');
  return {
    log(level, message, fields = {}) {
      const line = JSON.stringify({ at: new Date().toISOString(), level, process: processName, pid: process.pid, message, ...fields });
      appendFileSync(file, `${line}\n`, { mode: 0o600 });
    },
  };
}
