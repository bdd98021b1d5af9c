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

  write(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
    if (!this.file) return;
    const line = JSON.stringify({ at: new Date().toISOString(), level, process: 'delegate', pid: process.pid, message, ...fields });
    appendFileSync(this.file, `${this.sanitizer.mask(line)}\n`, { mode: 0o600 });
  }
}
