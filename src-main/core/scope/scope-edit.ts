/**
 * One scope edit applied to a secret's scope, as a pure function: the CLI's
 * `secret scope` and the bulk edit (`secrets.scopeMany`) read an edit the
 * same way. Returns null when the scope is already what the edit asks.
 */
import type { ScopeEdit, ScopeEntry, UsageScope } from '../../../src-shared/contract.js';

const sameEntry = (a: ScopeEntry, b: ScopeEntry) => a.applicationId === b.applicationId && a.environmentId === b.environmentId && a.environmentType === b.environmentType;

const sameEntries = (a: ScopeEntry[], b: ScopeEntry[]) => a.length === b.length && a.every((entry) => b.some((other) => sameEntry(entry, other)));

export function applyScopeEdit(scope: UsageScope, edit: Partial<ScopeEdit>): UsageScope | null {
  const additions = edit.add ?? [];
  const removals = edit.remove ?? [];
  const kept = (edit.set ?? scope.entries).filter((entry) => !removals.some((removal) => sameEntry(entry, removal)));
  const entries = [...kept, ...additions.filter((entry) => !kept.some((present) => sameEntry(present, entry)))];
  const scopeToAccount = edit.account ?? scope.scopeToAccount;
  // Adding an entry, setting entries or allowing the account scopes an unscoped secret; nothing else does.
  const scoped = edit.unscoped ? false : scope.scoped || additions.length > 0 || edit.set !== undefined || edit.account === true;
  const next: UsageScope = { scoped, scopeToAccount, entries: scoped ? entries : [] };
  const unchanged = next.scoped === scope.scoped && next.scopeToAccount === scope.scopeToAccount && sameEntries(next.entries, scope.entries);
  return unchanged ? null : next;
}
