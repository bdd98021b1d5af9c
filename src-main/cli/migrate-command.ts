/**
 * `strongroom migrate`: move secrets from one manager to another through the
 * journaled engine (docs/migration.md), and look after runs: status, report,
 * resume, cancel. Exit 0 when every item moved, 1 when any failed or the run
 * stopped before the end, 2 on usage errors.
 */
import type { MigrationReportItem, MigrationRun } from '../../src-shared/contract.js';
import { UsageError, UserError } from './cli-errors.js';
import type { Session } from './cli-app.js';

export const MIGRATE_SUBCOMMANDS = ['status', 'report', 'resume', 'cancel'];

export const MIGRATE_OPTIONS = {
  'all-versions': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  'delete-source': { type: 'boolean' },
  concurrency: { type: 'string' },
  rate: { type: 'string' },
  format: { type: 'string' },
} as const;

export const MIGRATE_USAGE = `Migration between managers (docs/migration.md):
  migrate --from A --to B [--secret N]... [--all-versions] [--dry-run]
          [--delete-source] [--concurrency C] [--rate R] [--json]
                                         every secret of A (or the ones named) into B;
                                         --dry-run lists what would move, be renamed or fail
  migrate status [ID] [--json]           one run, or every run
  migrate report ID [--format csv|json]  the outcome of every secret of a run
  migrate resume ID                      continue a paused or interrupted run
  migrate cancel ID                      stop a run; secrets not yet moved stay where they are`;

/** How often the command looks at the run while it works. */
const POLL_MS = 200;

function positiveInteger(text: string | undefined, option: string, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 256) throw new UsageError(`--${option} must be a whole number from 1 to 256.`);
  return value;
}

function positiveNumber(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`--${option} must be a positive number.`);
  return value;
}

function csvField(value: string | null | boolean): string {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function reportCsv(items: MigrationReportItem[]): string {
  const header = ['name', 'outcome', 'target_name', 'state', 'reason', 'detail', 'updated_at'];
  const lines = items.map((item) => [item.name, item.outcome, item.targetName, item.state, item.reason, item.detail, item.updatedAt].map(csvField).join(','));
  return `${[header.join(','), ...lines].join('\n')}\n`;
}

function progressLine(run: MigrationRun): string {
  const width = 30;
  const finished = run.done + run.failed + run.cancelled;
  const filled = run.total === 0 ? width : Math.round((finished / run.total) * width);
  const eta = run.etaSeconds === null ? '' : ` ETA ${run.etaSeconds}s`;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${run.done}/${run.total} moved, ${run.failed} failed, ${run.ratePerSecondNow}/s${eta}`;
}

function statusLine(run: MigrationRun): string {
  const state = run.interrupted ? 'interrupted' : run.state;
  return `${run.id}\t${state}\t${run.done}/${run.total} moved\t${run.failed} failed\t${run.createdAt}`;
}

async function fullReport(session: Session, runId: string): Promise<MigrationReportItem[]> {
  const items: MigrationReportItem[] = [];
  for (let offset = 0; ; offset += 10_000) {
    const page = await session.call('migration.report', { runId, limit: 10_000, offset });
    items.push(...page.items);
    if (items.length >= page.total || page.items.length === 0) return items;
  }
}

/** Watches the run until this process stops working on it; draws a progress bar when stdout is a terminal. */
async function follow(session: Session, runId: string): Promise<number> {
  const tty = session.io.stdout.isTTY === true;
  let run = await session.call('migration.status', { runId });
  while (run.state === 'running' && !run.interrupted) {
    if (tty) session.io.stderr.write(`\r${progressLine(run)}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    run = await session.call('migration.status', { runId });
  }
  if (tty) session.io.stderr.write(`\r${progressLine(run)}\n`);
  const items = await fullReport(session, runId);
  if (session.values.json) session.write(`${JSON.stringify({ run, items }, null, 2)}\n`);
  const renamed = items.filter((item) => item.outcome === 'renamed');
  const failed = items.filter((item) => item.outcome === 'failed');
  session.say(`Migration ${runId}: ${run.done} of ${run.total} moved${renamed.length ? ` (${renamed.length} renamed)` : ''}, ${run.failed} failed.`);
  for (const item of renamed) session.say(`renamed ${item.name} -> ${item.targetName}`);
  for (const item of failed) session.say(`FAILED ${item.name}: ${item.reason ?? 'error'}: ${item.detail ?? ''}`);
  if (run.interrupted || run.state === 'paused') {
    session.say(`The run stopped before the end${run.lastError ? ` (${run.lastError})` : ''}. Continue it with "strongroom migrate resume ${runId}".`);
    return 1;
  }
  return failed.length > 0 || run.state === 'cancelled' ? 1 : 0;
}

export async function migrateCommand(session: Session, command: string, first: string | undefined): Promise<number> {
  const { values } = session;
  switch (command) {
    case 'migrate': {
      if (!values.from || !values.to) throw new UsageError('"migrate" needs --from A and --to B.');
      const concurrency = positiveInteger(values.concurrency, 'concurrency', 16);
      const ratePerSecond = positiveNumber(values.rate, 'rate');
      const source = await session.findManager(values.from);
      const target = await session.findManager(values.to);
      const request = {
        sourceManagerId: source.id,
        targetManagerId: target.id,
        ...(values.secret?.length ? { names: values.secret } : {}),
        allVersions: values['all-versions'] === true,
        deleteSource: values['delete-source'] === true,
      };
      if (values['dry-run']) {
        const preview = await session.call('migration.preview', request);
        if (values.json) session.write(`${JSON.stringify(preview, null, 2)}\n`);
        else
          for (const item of preview.items) {
            const what = item.outcome === 'fail' ? `FAIL (${item.reason}) ${item.detail}` : item.outcome === 'rename' ? `rename -> ${item.targetName}` : 'move';
            session.write(`${item.name}\t${what}\n`);
          }
        session.say(`Dry run from "${source.name}" to "${target.name}": ${preview.counts.move} move, ${preview.counts.rename} renamed, ${preview.counts.fail} would fail. Nothing changed.`);
        return preview.counts.fail > 0 ? 1 : 0;
      }
      const run = await session.call('migration.start', { ...request, concurrency, ...(ratePerSecond ? { ratePerSecond } : {}) });
      session.say(`Migration ${run.id} from "${source.name}" to "${target.name}": ${run.total} secret(s).`);
      return follow(session, run.id);
    }
    case 'migrate status': {
      const runs = first ? [await session.call('migration.status', { runId: first })] : (await session.call('migration.list', {})).items;
      if (values.json) session.write(`${JSON.stringify(first ? runs[0] : runs, null, 2)}\n`);
      else for (const run of runs) session.write(`${statusLine(run)}\n`);
      return 0;
    }
    case 'migrate report': {
      const format = values.format ?? 'csv';
      if (format !== 'csv' && format !== 'json') throw new UsageError('--format must be csv or json.');
      const items = await fullReport(session, first!);
      session.write(format === 'json' ? `${JSON.stringify(items, null, 2)}\n` : reportCsv(items));
      return 0;
    }
    case 'migrate resume': {
      const run = await session.call('migration.resume', { runId: first! });
      session.say(`Resuming migration ${run.id}: ${run.done} of ${run.total} already moved.`);
      return follow(session, run.id);
    }
    case 'migrate cancel': {
      const run = await session.call('migration.cancel', { runId: first! });
      session.say(`Cancelled migration ${run.id}: ${run.done} moved before the cancel, ${run.cancelled} stay where they were.`);
      return 0;
    }
    default:
      throw new UserError(`Unknown command "${command}".`);
  }
}
