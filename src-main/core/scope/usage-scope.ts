/**
 * Usage-scope semantics, as pure functions. A scope is a list of entries,
 * each (one application or all) × (one environment, one environment type, or
 * all). Unscoped means usable by every consumer; scoped with no entries means
 * usable by none, which is what a secret becomes when the last application or
 * environment it named is deleted: deleting never widens a scope.
 *
 * test/unit/usage-scope.test.ts holds the table-driven tests of every rule.
 */
import type { EnvironmentType, ScopeEntry, UsageScope } from '../../../src-shared/contract.js';

export interface KnownEnvironment {
  id: string;
  applicationId: string;
  type: EnvironmentType;
}

/** Looks environments up by id; entries name environments only by id. */
export type EnvironmentIndex = ReadonlyMap<string, KnownEnvironment>;

/** A consumer resolved to ids: the application and environment about to use a secret. */
export interface ResolvedConsumer {
  applicationId: string;
  environment: KnownEnvironment;
}

export function entryCovers(entry: ScopeEntry, consumer: ResolvedConsumer): boolean {
  if (entry.applicationId !== null && entry.applicationId !== consumer.applicationId) return false;
  if (entry.environmentId !== null) return entry.environmentId === consumer.environment.id;
  if (entry.environmentType !== null) return entry.environmentType === consumer.environment.type;
  return true;
}

/** The single rule every consumer goes through: may this consumer (or no consumer, at account level) use it? */
export function scopeAllows(scope: UsageScope, consumer: ResolvedConsumer | null): boolean {
  if (!scope.scoped) return true;
  if (consumer === null) return scope.scopeToAccount;
  return scope.entries.some((entry) => entryCovers(entry, consumer));
}

const ALL_TYPES: EnvironmentType[] = ['production', 'non-production'];

/** Every environment has one of the two types, so "all environments" is the same as both types. */
function expandAllEnvironments(entry: ScopeEntry): ScopeEntry[] {
  if (entry.environmentId !== null || entry.environmentType !== null) return [entry];
  return ALL_TYPES.map((environmentType) => ({ ...entry, environmentType }));
}

function singleEntryWithin(inner: ScopeEntry, outer: ScopeEntry, environments: EnvironmentIndex): boolean {
  if (outer.applicationId !== null && inner.applicationId !== outer.applicationId) return false;
  if (outer.environmentId === null && outer.environmentType === null) return true;
  if (outer.environmentId !== null) return inner.environmentId === outer.environmentId;
  if (inner.environmentType !== null) return inner.environmentType === outer.environmentType;
  if (inner.environmentId !== null) return environments.get(inner.environmentId)?.type === outer.environmentType;
  return false;
}

export function entryWithin(inner: ScopeEntry, outer: ScopeEntry[], environments: EnvironmentIndex): boolean {
  return expandAllEnvironments(inner).every((part) => outer.some((candidate) => singleEntryWithin(part, candidate, environments)));
}

/** Does `inner` (a secret's scope) fit inside `outer` (its manager's scope)? */
export function scopeWithin(inner: UsageScope, outer: UsageScope, environments: EnvironmentIndex): boolean {
  if (!outer.scoped) return true;
  if (!inner.scoped) return false;
  if (inner.scopeToAccount && !outer.scopeToAccount) return false;
  return inner.entries.every((entry) => entryWithin(entry, outer.entries, environments));
}

/** The entries both cover, or null when they share nothing. */
export function intersectEntries(a: ScopeEntry, b: ScopeEntry, environments: EnvironmentIndex): ScopeEntry | null {
  if (a.applicationId !== null && b.applicationId !== null && a.applicationId !== b.applicationId) return null;
  let applicationId = a.applicationId ?? b.applicationId;
  let environmentId: string | null = null;
  let environmentType: EnvironmentType | null = null;
  const specific = [a.environmentId, b.environmentId].filter((id): id is string => id !== null);
  const types = [a.environmentType, b.environmentType].filter((type): type is EnvironmentType => type !== null);
  if (specific.length === 2 && specific[0] !== specific[1]) return null;
  if (types.length === 2 && types[0] !== types[1]) return null;
  if (specific.length > 0) {
    const environment = environments.get(specific[0]!);
    if (!environment) return null;
    if (types.length > 0 && environment.type !== types[0]) return null;
    if (applicationId !== null && applicationId !== environment.applicationId) return null;
    applicationId = environment.applicationId;
    environmentId = environment.id;
  } else if (types.length > 0) {
    environmentType = types[0]!;
  }
  return { applicationId, environmentId, environmentType };
}

function entryKey(entry: ScopeEntry): string {
  return `${entry.applicationId ?? '*'}|${entry.environmentId ?? ''}|${entry.environmentType ?? ''}`;
}

/** Removes duplicates and entries another entry already covers. */
export function normalizeEntries(entries: ScopeEntry[], environments: EnvironmentIndex): ScopeEntry[] {
  const unique = [...new Map(entries.map((entry) => [entryKey(entry), entry])).values()];
  return unique.filter((entry, i) => !unique.some((other, j) => j !== i && singleEntryWithin(entry, other, environments) && !(singleEntryWithin(other, entry, environments) && j > i)));
}

/** The secret's scope cut down to what its manager's scope allows. */
export function narrowScope(secret: UsageScope, manager: UsageScope, environments: EnvironmentIndex): UsageScope {
  if (!manager.scoped) return secret;
  if (!secret.scoped) return { scoped: true, scopeToAccount: manager.scopeToAccount, entries: manager.entries };
  const entries: ScopeEntry[] = [];
  for (const inner of secret.entries) {
    for (const outer of manager.entries) {
      const both = intersectEntries(inner, outer, environments);
      if (both) entries.push(both);
    }
  }
  return { scoped: true, scopeToAccount: secret.scopeToAccount && manager.scopeToAccount, entries: normalizeEntries(entries, environments) };
}
