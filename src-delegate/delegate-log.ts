/**
 * The delegate's structured log: one JSON object per line in
 * `<logDir>/delegate.log`. Every line passes through the sanitizer first.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Sanitizer } from './sanitizer.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export class DelegateLog {
  private readonly file: string | null;

  constructor(logDir: string | null, private readonly sanitizer: Sanitizer) {
    if (logDir) {
      mkdirSync(logDir, { recursive: true, mode: 0o700 });
      this.file = join(logDir, 'delegate.log');
    } else {
      this.file = null;
    }
  }

  /**
   * Masks the message and every string among the fields, before they are
   * serialized: the record's keys and fixed fields are never masked, so a
   * value such as "warn" cannot turn `"level":"warn"` into a tell.
   */
  write(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
    if (!this.file) return;
    const line = JSON.stringify({ at: new Date().toISOString(), level, process: 'delegate', pid: process.pid, message: this.sanitizer.mask(message), ...(this.masked(fields) as object) });
    appendFileSync(this.file, `${line}\n`, { mode: 0o600 });
  }

  private masked(value: unknown): unknown {
    if (typeof value === 'string') return this.sanitizer.mask(value);
    if (Array.isArray(value)) return value.map((item) => this.masked(item));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.masked(item)]));
    return value;
  }
}
