// The migration view's pure parts: how the report is exported (CSV quoting,
// spreadsheet formulas kept as text, JSON), and how durations and progress read.
import { describe, expect, it } from 'vitest';
import type { MigrationReportItem, MigrationRun } from '../../src-shared/contract.js';
import { formatDuration, progressText, runStateLabel, settledCount } from '../../src-renderer/features/migration/migration-labels.js';
import { reportCsv, reportFileName, reportJson } from '../../src-renderer/features/migration/report-export.js';
import { parseConcurrency, parseRate, upsertRun } from '../../src-renderer/features/migration/migration-state.js';
import { parse } from 'csv-parse/sync';

const item = (overrides: Partial<MigrationReportItem>): MigrationReportItem => ({
  secretId: '00000000-0000-4000-8000-000000000001',
  name: 'alpha',
  targetName: 'alpha',
  renamed: false,
  state: 'switched',
  outcome: 'moved',
  reason: null,
  detail: null,
  updatedAt: '2026-12-03T10:00:00.000Z',
  ...overrides,
});

const run = (overrides: Partial<MigrationRun> = {}): MigrationRun => ({
  id: '1234abcd-0000-4000-8000-000000000000',
  sourceManagerId: 'local',
  targetManagerId: 'azure',
  allVersions: false,
  deleteSource: false,
  concurrency: 16,
  ratePerSecond: null,
  state: 'finished',
  interrupted: false,
  createdAt: '2026-12-03T10:00:00.000Z',
  finishedAt: null,
  total: 3,
  done: 1,
  failed: 1,
  cancelled: 1,
  ratePerSecondNow: 0,
  etaSeconds: null,
  lastError: null,
  ...overrides,
});

describe('report export', () => {
  it('writes one CSV row per secret that a CSV parser reads back field for field', () => {
    const items = [
      item({}),
      item({ name: 'big', outcome: 'failed', state: 'failed', reason: 'too-large', detail: 'value is 30,000 bytes; "azure" keeps\n25 KiB' }),
      item({ name: 'with_underscore', targetName: 'with-underscore', renamed: true, outcome: 'renamed' }),
    ];
    const csv = reportCsv(items);
    expect(csv.split('\r\n')[0]).toBe('name,target_name,outcome,reason,detail,state,updated_at');
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(3);
    expect(rows[1]).toMatchObject({ name: 'big', outcome: 'failed', reason: 'Too large for the target', detail: 'value is 30,000 bytes; "azure" keeps\n25 KiB' });
    expect(rows[2]).toMatchObject({ target_name: 'with-underscore', outcome: 'renamed' });
  });

  it('keeps a cell that a spreadsheet would run as a formula as text', () => {
    const csv = reportCsv([item({ name: '-x', detail: '=HYPERLINK("http://evil")' })]);
    expect(csv).toContain(`'-x,`);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil"")"`);
  });

  it('writes the run and its items as JSON, and names both files after the run', () => {
    const parsed = JSON.parse(reportJson(run(), [item({})])) as { run: MigrationRun; items: MigrationReportItem[] };
    expect(parsed.run.id).toBe(run().id);
    expect(parsed.items).toHaveLength(1);
    expect(reportFileName(run(), 'csv')).toBe('strongroom-migration-20261203-1234abcd.csv');
    expect(reportFileName(run(), 'json')).toBe('strongroom-migration-20261203-1234abcd.json');
  });
});

describe('progress words', () => {
  it('reads counts, durations and states', () => {
    expect(progressText(run())).toBe('1 of 3 secrets done');
    expect(settledCount(run())).toBe(3);
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(125)).toBe('2 min 5 s');
    expect(formatDuration(3_720)).toBe('1 h 2 min');
    expect(runStateLabel(run({ state: 'running', interrupted: true }))).toBe('Interrupted');
    expect(runStateLabel(run({ state: 'paused' }))).toBe('Paused');
  });

  it('takes a concurrency the engine takes, and nothing else', () => {
    expect(parseConcurrency('16')).toBe(16);
    expect(parseConcurrency('1')).toBe(1);
    for (const text of ['', '0', '257', '2.5', 'abc']) expect(parseConcurrency(text)).toBeNull();
  });

  it("takes a run's rate the engine takes; empty means each manager's own", () => {
    expect(parseRate('')).toBeUndefined();
    expect(parseRate('  ')).toBeUndefined();
    expect(parseRate('2.5')).toBe(2.5);
    expect(parseRate('1000000')).toBe(1_000_000);
    for (const text of ['0', '-1', '1000001', 'abc', 'Infinity']) expect(parseRate(text)).toBeNull();
  });

  it('keeps one entry per run, newest first, when progress events arrive', () => {
    const older = run({ id: 'a0000000-0000-4000-8000-000000000000', createdAt: '2026-12-01T00:00:00.000Z' });
    const newer = run({ id: 'b0000000-0000-4000-8000-000000000000', createdAt: '2026-12-02T00:00:00.000Z', done: 0 });
    const runs = upsertRun(upsertRun([], older), newer);
    expect(upsertRun(runs, { ...newer, done: 2 }).map((r) => [r.id, r.done])).toEqual([
      [newer.id, 2],
      [older.id, 1],
    ]);
  });
});
