/**
 * `strongroom migrate`: move secrets from one manager to another through the
 * journaled engine (docs/migration.md), and look after runs: status, report,
 * resume, cancel. Exit 0 when every item moved, 1 when any failed or the run
 * stopped before the end, 2 on usage errors, 130 when Ctrl+C paused it.
 */
import type { MigrationReportItem, MigrationRun } from '../../../src-shared/contract.js';
import { UsageError } from '../cli-errors.js';
import { defineCommand, jsonOutput } from '../command.js';
import type { Session } from '../session.js';
import { count, INTERRUPTED_EXIT, whileInterruptible } from '../interruptible-operation.js';
import { ProgressBar, type ProgressFigures } from '../progress-bar.js';
import { filterFromOptions, filterGiven, secretFilterOptions } from '../secret-filter-options.js';
import { findSavedSearch } from './search.js';

const group = 'Migration between managers (docs/migration.md)';

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

function reportCsv(items: MigrationReportItem[]): string {
  const header = ['name', 'outcome', 'target_name', 'state', 'reason', 'detail', 'updated_at'];
  const lines = items.map((item) => [item.name, item.outcome, item.targetName, item.state, item.reason, item.detail, item.updatedAt].map(csvField).join(','));
  return `${[header.join(','), ...lines].join('\n')}\n`;
}

/** The run's own figures on the bar: it measures its rate and ETA over the whole run, pauses included. */
function progressFigures(run: MigrationRun): ProgressFigures {
  return {
    done: run.done + run.failed + run.cancelled,
    total: run.total,
    detail: `(${run.done} moved, ${run.failed} failed)`,
    ratePerSecond: run.ratePerSecondNow,
    etaSeconds: run.etaSeconds,
  };
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

/**
 * Watches the run until this process stops working on it; draws a progress bar when stderr is a terminal.
 * Ctrl+C pauses the run at its safe point (the steps in flight end, journaled), so `migrate resume` finishes it.
 */
async function follow(session: Session, runId: string, json: boolean): Promise<number> {
  const bar = new ProgressBar(session.io.stderr);
  /** The pause Ctrl+C asked for: the run once its steps in flight ended, or null when it was no longer running to pause. */
  let pausing: Promise<MigrationRun | null> | null = null;
  const { value: run } = await whileInterruptible(session, {
    bar,
    stop() {
      pausing = session.call('migration.pause', { runId }).catch(() => null);
    },
    async run(ctrlC) {
      for (;;) {
        const current = await session.call('migration.status', { runId });
        // The run reads paused as soon as the pause is asked; its figures are final only once the pause has answered.
        const paused = pausing && (await pausing);
        if (paused) return paused;
        if (current.state !== 'running' || current.interrupted) return current;
        if (!ctrlC.pressed) bar.update(progressFigures(current));
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },
  });
  if (run.state === 'paused' && pausing && (await pausing)) {
    session.say(`Paused after ${count(run.done + run.failed)} of ${count(run.total)} (${count(run.done)} moved, ${count(run.failed)} failed); resume with: strongroom migrate resume ${runId}`);
    return INTERRUPTED_EXIT;
  }
  bar.finish(progressFigures(run));
  const items = await fullReport(session, runId);
  if (json) session.write(`${JSON.stringify({ run, items }, null, 2)}\n`);
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

export const migrateCommands = [
  defineCommand({
    words: 'migrate',
    group,
    summary: 'every secret of A (or the ones named) into B; --dry-run lists what would move, be renamed or fail',
    options: {
      from: { type: 'string', value: 'A', help: 'the manager the secrets leave' },
      to: { type: 'string', value: 'B', help: 'the manager they go to' },
      secret: { type: 'string', multiple: true, value: 'N', help: 'only this secret (repeat for more)' },
      ...secretFilterOptions,
      'saved-search': { type: 'string', value: 'NAME', help: 'only the secrets the saved search NAME matches (strongroom search list)' },
      'keep-references': { type: 'boolean', help: 'a reference the target reaches too stays a reference (others are copied in)' },
      'all-versions': { type: 'boolean', help: 'move every version, not only the current one' },
      'dry-run': { type: 'boolean', help: 'say what would happen; change nothing' },
      'delete-source': { type: 'boolean', help: 'delete each value from A once B holds it' },
      concurrency: { type: 'string', value: 'C', help: 'provider requests in flight at once per manager, 1 to 256 (default 16)' },
      rate: { type: 'string', value: 'R', help: "at most R provider requests a second per provider, for this run (default: each manager's stored or published rate)" },
      ...jsonOutput,
    },
    required: ['from', 'to'],
    async run(session, _args, values) {
      const concurrency = positiveInteger(values.concurrency, 'concurrency', 16);
      const ratePerSecond = positiveNumber(values.rate, 'rate');
      const source = await session.findManager(values.from!);
      const target = await session.findManager(values.to!);
      if (values['saved-search'] !== undefined && filterGiven(values)) throw new UsageError('Give --saved-search or filter options (--filter, --type, --app, --env), not both.');
      const filter =
        values['saved-search'] !== undefined
          ? (await findSavedSearch(session, values['saved-search'])).filter
          : filterGiven(values)
            ? await filterFromOptions(session, values)
            : undefined;
      const request = {
        sourceManagerId: source.id,
        targetManagerId: target.id,
        ...(values.secret?.length ? { names: values.secret } : {}),
        ...(filter ? { filter } : {}),
        allVersions: values['all-versions'] === true,
        deleteSource: values['delete-source'] === true,
        keepReferences: values['keep-references'] === true,
      };
      if (values['dry-run']) {
        const preview = await session.call('migration.preview', request);
        if (values.json) session.write(`${JSON.stringify(preview, null, 2)}\n`);
        else
          for (const item of preview.items) {
            const what = item.outcome === 'fail' ? `FAIL (${item.reason}) ${item.detail}` : item.outcome === 'rename' ? `rename -> ${item.targetName}` : 'move';
            const reference = item.reference ? `\t${item.reference.why}` : '';
            session.write(`${item.name}\t${what}${reference}\n`);
          }
        session.say(`Dry run from "${source.name}" to "${target.name}": ${preview.counts.move} move, ${preview.counts.rename} renamed, ${preview.counts.fail} would fail. Nothing changed.`);
        return preview.counts.fail > 0 ? 1 : 0;
      }
      const run = await session.call('migration.start', { ...request, concurrency, ...(ratePerSecond ? { ratePerSecond } : {}) });
      session.say(`Migration ${run.id} from "${source.name}" to "${target.name}": ${run.total} secret(s).`);
      return follow(session, run.id, values.json === true);
    },
  }),

  defineCommand({
    words: 'migrate status',
    group,
    summary: 'one run, or every run',
    optionalArgs: ['ID'],
    options: { ...jsonOutput },
    async run(session, [runId], values) {
      const runs = runId ? [await session.call('migration.status', { runId })] : (await session.call('migration.list', {})).items;
      if (values.json) session.write(`${JSON.stringify(runId ? runs[0] : runs, null, 2)}\n`);
      else for (const run of runs) session.write(`${statusLine(run)}\n`);
    },
  }),

  defineCommand({
    words: 'migrate report',
    group,
    summary: 'the outcome of every secret of a run',
    args: ['ID'],
    options: { format: { type: 'string', value: 'csv|json', help: 'the report format (default csv)' } },
    async run(session, [runId], values) {
      const format = values.format ?? 'csv';
      if (format !== 'csv' && format !== 'json') throw new UsageError('--format must be csv or json.');
      const items = await fullReport(session, runId!);
      session.write(format === 'json' ? `${JSON.stringify(items, null, 2)}\n` : reportCsv(items));
    },
  }),

  defineCommand({
    words: 'migrate resume',
    group,
    summary: 'continue a paused or interrupted run',
    args: ['ID'],
    options: { ...jsonOutput },
    async run(session, [runId], values) {
      const run = await session.call('migration.resume', { runId: runId! });
      session.say(`Resuming migration ${run.id}: ${run.done} of ${run.total} already moved.`);
      return follow(session, run.id, values.json === true);
    },
  }),

  defineCommand({
    words: 'migrate rate',
    group,
    summary: "each manager's request rate for migrations (its published quota, or the stored one); --set R or --default changes M's",
    optionalArgs: ['M'],
    options: {
      set: { type: 'string', value: 'R', help: "store R requests a second for M's migrations, reads and writes alike" },
      default: { type: 'boolean', help: "return M to its kind's published quota" },
      ...jsonOutput,
    },
    async run(session, [name], values) {
      if ((values.set !== undefined || values.default) && !name) throw new UsageError('Name the manager whose rate to change.');
      if (values.set !== undefined && values.default) throw new UsageError('Give --set R or --default, not both.');
      const rate = positiveNumber(values.set, 'set');
      let items = (await session.call('migration.rates', {})).items;
      if (name) {
        const manager = await session.findManager(name);
        if (rate !== undefined || values.default) items = (await session.call('migration.setRate', { managerId: manager.id, ratePerSecond: rate ?? null })).items;
        items = items.filter((item) => item.managerId === manager.id);
      }
      if (values.json) {
        session.write(`${JSON.stringify(items, null, 2)}\n`);
        return;
      }
      for (const item of items) {
        const published = item.published ? `${item.published.readsPerSecond} reads/s, ${item.published.writesPerSecond} writes/s` : 'no published quota';
        session.write(`${item.name}\t${item.ratePerSecond === null ? `published: ${published}` : `${item.ratePerSecond}/s (stored; published: ${published})`}\n`);
      }
    },
  }),

  defineCommand({
    words: 'migrate cancel',
    group,
    summary: 'stop a run; secrets not yet moved stay where they are',
    args: ['ID'],
    options: {},
    async run(session, [runId]) {
      const run = await session.call('migration.cancel', { runId: runId! });
      session.say(`Cancelled migration ${run.id}: ${run.done} moved before the cancel, ${run.cancelled} stay where they were.`);
    },
  }),
];
