/**
 * The usage-scope editor's model: rows of (application or all) × (one
 * environment, an environment type, or all), converted to and from the
 * contract's entries, and the sentence that says what a scope allows.
 */
import type { Application, EnvironmentType, ScopeEntry, UsageScope } from '../../src-shared/contract.js';

/** 'all', 'type:production', 'type:non-production' or 'env:<id>'. */
export type EnvironmentChoice = 'all' | `type:${EnvironmentType}` | `env:${string}`;

export interface ScopeRow {
  /** null: all applications. */
  applicationId: string | null;
  environment: EnvironmentChoice;
}

export interface ScopeDraft {
  scoped: boolean;
  scopeToAccount: boolean;
  rows: ScopeRow[];
}

export const environmentTypeLabels: Record<EnvironmentType, string> = {
  production: 'Production',
  'non-production': 'Non-Production',
};

export function rowFromEntry(entry: ScopeEntry): ScopeRow {
  const environment: EnvironmentChoice = entry.environmentId
    ? `env:${entry.environmentId}`
    : entry.environmentType
      ? `type:${entry.environmentType}`
      : 'all';
  return { applicationId: entry.applicationId, environment };
}

export function entryFromRow(row: ScopeRow): ScopeEntry {
  if (row.environment.startsWith('env:')) {
    return { applicationId: row.applicationId, environmentId: row.environment.slice(4), environmentType: null };
  }
  if (row.environment.startsWith('type:')) {
    return { applicationId: row.applicationId, environmentId: null, environmentType: row.environment.slice(5) as EnvironmentType };
  }
  return { applicationId: row.applicationId, environmentId: null, environmentType: null };
}

export function draftFromScope(scope: UsageScope): ScopeDraft {
  return { scoped: scope.scoped, scopeToAccount: scope.scopeToAccount, rows: scope.entries.map(rowFromEntry) };
}

/** The scope a draft describes; an unscoped draft drops its rows. Duplicate rows are sent once. */
export function scopeFromDraft(draft: ScopeDraft): UsageScope {
  if (!draft.scoped) return { scoped: false, scopeToAccount: false, entries: [] };
  const seen = new Set<string>();
  const entries: ScopeEntry[] = [];
  for (const row of draft.rows) {
    const key = `${row.applicationId ?? '*'}|${row.environment}`;
    if (seen.has(key)) continue;
    seen.add(key);
    entries.push(entryFromRow(row));
  }
  return { scoped: true, scopeToAccount: draft.scopeToAccount, entries };
}

/** Choosing another application: a specific environment of the old one no longer applies. */
export function changeRowApplication(row: ScopeRow, applicationId: string | null): ScopeRow {
  return { applicationId, environment: row.environment.startsWith('env:') ? 'all' : row.environment };
}

/** The environment choices a row offers: all, both types, and the application's own environments. */
export function environmentOptions(applicationId: string | null, apps: Application[]): { value: EnvironmentChoice; label: string }[] {
  const options: { value: EnvironmentChoice; label: string }[] = [
    { value: 'all', label: 'All environments' },
    { value: 'type:production', label: 'Production' },
    { value: 'type:non-production', label: 'Non-Production' },
  ];
  const app = applicationId ? apps.find((candidate) => candidate.id === applicationId) : undefined;
  for (const env of app?.environments ?? []) {
    options.push({ value: `env:${env.id}`, label: `${env.name} (${environmentTypeLabels[env.type]})` });
  }
  return options;
}

/** "billing · Production", "All applications · qa", with "(deleted)" for names no longer known. */
export function describeEntry(entry: ScopeEntry, apps: Application[]): string {
  const app = entry.applicationId ? apps.find((candidate) => candidate.id === entry.applicationId) : undefined;
  const appLabel = entry.applicationId === null ? 'All applications' : (app?.name ?? '(deleted application)');
  let envLabel: string;
  if (entry.environmentId) {
    const env = apps.flatMap((candidate) => candidate.environments).find((candidate) => candidate.id === entry.environmentId);
    envLabel = env ? env.name : '(deleted environment)';
  } else if (entry.environmentType) {
    envLabel = environmentTypeLabels[entry.environmentType];
  } else {
    envLabel = 'all environments';
  }
  return `${appLabel} · ${envLabel}`;
}

/** One sentence saying who may use a secret (or a manager's secrets). */
export function describeScope(scope: UsageScope, apps: Application[]): string {
  if (!scope.scoped) return 'Unscoped: usable by any application, and outside applications.';
  const parts = scope.entries.map((entry) => describeEntry(entry, apps));
  if (parts.length === 0) {
    return scope.scopeToAccount ? 'Usable only outside applications (account level).' : 'Usable by no application until entries are added.';
  }
  return `Usable by ${parts.join('; ')}${scope.scopeToAccount ? '; and outside applications (account level)' : ''}.`;
}

/** The entries themselves, for the detail view: "billing · prod; web · Production + account", "Unscoped", "No application". */
export function shortScope(scope: UsageScope, apps: Application[]): string {
  if (!scope.scoped) return 'Unscoped';
  if (scope.entries.length === 0) return scope.scopeToAccount ? 'Account only' : 'No application';
  const entries = scope.entries.map((entry) => describeEntry(entry, apps)).join('; ');
  return scope.scopeToAccount ? `${entries} + account` : entries;
}

/** The report after deleting an application or environment, as sentences. */
export function describeRemovalReport(report: { affectedSecrets: string[]; nowUnusable: string[] }): string[] {
  if (report.affectedSecrets.length === 0) return ['No secret’s scope named it, so no secret changed.'];
  const n = report.affectedSecrets.length;
  const lines = [`${n} ${n === 1 ? 'secret' : 'secrets'} lost scope entries: ${report.affectedSecrets.join(', ')}.`];
  if (report.nowUnusable.length > 0) {
    lines.push(`These are now usable by no application: ${report.nowUnusable.join(', ')}. Edit their scope to use them again.`);
  } else {
    lines.push('Each still has other entries; none became more widely usable.');
  }
  return lines;
}
