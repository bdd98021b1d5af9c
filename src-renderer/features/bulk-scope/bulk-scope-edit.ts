/** What the bulk scope dialog asks for, turned into an edit, and its report in words. */
import type { Application, ScopeEdit, ScopeManyReport } from '../../../src-shared/contract.js';
import { describeEntry, entryFromRow, type ScopeRow } from '../../lib/scope.js';

export const bulkScopeModes = {
  add: 'Add this entry',
  remove: 'Remove this entry',
  set: 'Make this entry the only one',
  unscope: 'Unscope them (any application may use them)',
} as const;
export type BulkScopeMode = keyof typeof bulkScopeModes;

export function editFor(mode: BulkScopeMode, row: ScopeRow): Partial<ScopeEdit> {
  const entry = entryFromRow(row);
  switch (mode) {
    case 'add':
      return { add: [entry] };
    case 'remove':
      return { remove: [entry] };
    case 'set':
      return { set: [entry] };
    case 'unscope':
      return { unscoped: true };
  }
}

/** "Add billing · production to 1,200 secrets". */
export function actionLabel(mode: BulkScopeMode, row: ScopeRow, apps: Application[], count: number): string {
  const entry = describeEntry(entryFromRow(row), apps);
  const secrets = `${count.toLocaleString('en')} ${count === 1 ? 'secret' : 'secrets'}`;
  switch (mode) {
    case 'add':
      return `Add ${entry} to ${secrets}`;
    case 'remove':
      return `Remove ${entry} from ${secrets}`;
    case 'set':
      return `Scope ${secrets} to ${entry} only`;
    case 'unscope':
      return `Unscope ${secrets}`;
  }
}

export function reportText(report: ScopeManyReport): string {
  const n = (count: number) => count.toLocaleString('en');
  const parts = [`${n(report.changed)} changed`, `${n(report.unchanged)} already so`];
  if (report.failedCount > 0) parts.push(`${n(report.failedCount)} left as they were`);
  const looked = report.changed + report.unchanged + report.failedCount;
  return report.stopped
    ? `Stopped after ${n(looked)} of ${n(report.total)} secrets: ${parts.join(', ')}. The rest were not changed.`
    : `Done: ${parts.join(', ')}, of ${n(report.total)} secrets.`;
}
