/**
 * The delegate's sanitizer with its memory full (200,000 tracked forms):
 * the time to mask one log line, against two baselines measured in the same
 * run on the same forms and lines: the scan the sanitizer used before
 * (one `includes` per form, longest first), and JSON.stringify of the record,
 * the work every log line costs anyway.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Sanitizer, formsOf } from '../../src-delegate/sanitizer.js';
import { median } from './median.js';

export interface SanitizerBench {
  forms: number;
  maskUs: number;
  previousScanUs: number;
  stringifyUs: number;
  lineChars: number;
}

const TARGET_FORMS = 200_000;

/** Values of the lengths a store holds: passwords, tokens, a few PEM-like multi-line keys. */
function randomValue(i: number): string {
  if (i % 50 === 0) return Array.from({ length: 6 }, () => randomBytes(48).toString('base64')).join('\n');
  return randomBytes(8 + (i % 40)).toString('base64url');
}

function timePerCall(samples: number, work: () => unknown): number {
  const runs: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    work();
    runs.push((performance.now() - started) * 1000);
  }
  return median(runs);
}

export function runSanitizerBench(): SanitizerBench {
  const sanitizer = new Sanitizer();
  const all = new Set<string>();
  for (let i = 0; all.size < TARGET_FORMS; i++) {
    const value = randomValue(i);
    sanitizer.track(value);
    for (const form of formsOf(value).forms) all.add(form);
  }
  const previous = [...all].sort((a, b) => b.length - a.length);
  const record = {
    at: new Date().toISOString(),
    level: 'warn',
    process: 'delegate',
    pid: 4242,
    message: 'vault token renewal',
    managerId: '7d1e1c8e-8f7a-4a53-9d8e-2b8f6f7f0a11',
    detail: `the provider answered 403: permission denied on secret/data/app/${randomBytes(12).toString('hex')} for role deploy-${randomBytes(6).toString('hex')}`,
    state: 'failing',
    consecutiveFailures: 3,
  };
  const line = JSON.stringify(record);
  const previousScan = (text: string) => {
    let out = text;
    for (const form of previous) if (out.includes(form)) out = out.split(form).join('[redacted]');
    return out;
  };
  return {
    forms: all.size,
    maskUs: timePerCall(2000, () => sanitizer.mask(line)),
    previousScanUs: timePerCall(30, () => previousScan(line)),
    stringifyUs: timePerCall(2000, () => JSON.stringify(record)),
    lineChars: line.length,
  };
}
