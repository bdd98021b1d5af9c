/** Usage-scope semantics, table-driven: coverage, containment, intersection, narrowing. */
import { describe, expect, it } from 'vitest';
import type { ScopeEntry, UsageScope } from '../../src-shared/contract.js';
import {
  entryWithin,
  intersectEntries,
  narrowScope,
  scopeAllows,
  scopeWithin,
  type KnownEnvironment,
  type ResolvedConsumer,
} from '../../src-main/core/scope/usage-scope.js';

// Two applications, each with a production and a non-production environment.
const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const envs: KnownEnvironment[] = [
  { id: '00000000-0000-4000-8000-0000000000a1', applicationId: A, type: 'production' },
  { id: '00000000-0000-4000-8000-0000000000a2', applicationId: A, type: 'non-production' },
  { id: '00000000-0000-4000-8000-0000000000b1', applicationId: B, type: 'production' },
  { id: '00000000-0000-4000-8000-0000000000b2', applicationId: B, type: 'non-production' },
];
const [aProd, aDev, bProd, bDev] = envs as [KnownEnvironment, KnownEnvironment, KnownEnvironment, KnownEnvironment];
const index = new Map(envs.map((env) => [env.id, env]));

const entry = (applicationId: string | null, environment: string | null = null): ScopeEntry => {
  if (environment === 'production' || environment === 'non-production') return { applicationId, environmentId: null, environmentType: environment };
  return { applicationId, environmentId: environment, environmentType: null };
};
const scoped = (...entries: ScopeEntry[]): UsageScope => ({ scoped: true, scopeToAccount: false, entries });
const unscoped: UsageScope = { scoped: false, scopeToAccount: false, entries: [] };
const consumer = (env: KnownEnvironment): ResolvedConsumer => ({ applicationId: env.applicationId, environment: env });

describe('scopeAllows', () => {
  it.each<[string, UsageScope, KnownEnvironment | null, boolean]>([
    ['unscoped: any consumer', unscoped, bDev, true],
    ['unscoped: account level', unscoped, null, true],
    ['scoped, no entries: nobody', scoped(), aProd, false],
    ['scoped, no entries: not account level', scoped(), null, false],
    ['all apps × all envs', scoped(entry(null)), bDev, true],
    ['A × all envs covers A prod', scoped(entry(A)), aProd, true],
    ['A × all envs refuses B', scoped(entry(A)), bProd, false],
    ['A × production covers A prod', scoped(entry(A, 'production')), aProd, true],
    ['A × production refuses A dev', scoped(entry(A, 'production')), aDev, false],
    ['all apps × non-production covers B dev', scoped(entry(null, 'non-production')), bDev, true],
    ['A × that env covers it', scoped(entry(A, aDev.id)), aDev, true],
    ['A × that env refuses its sibling', scoped(entry(A, aDev.id)), aProd, false],
    ['several entries: any one suffices', scoped(entry(B, 'production'), entry(A, aDev.id)), aDev, true],
    ['scoped without account flag: refuses account level', scoped(entry(null)), null, false],
    ['scoped with account flag: allows account level', { scoped: true, scopeToAccount: true, entries: [] }, null, true],
  ])('%s', (_name, scope, env, expected) => {
    expect(scopeAllows(scope, env ? consumer(env) : null)).toBe(expected);
  });
});

describe('scopeWithin (a secret must fit inside its manager)', () => {
  it.each<[string, UsageScope, UsageScope, boolean]>([
    ['anything fits an unscoped manager', unscoped, unscoped, true],
    ['an unscoped secret is wider than a scoped manager', unscoped, scoped(entry(A)), false],
    ['A prod fits A', scoped(entry(A, 'production')), scoped(entry(A)), true],
    ['A fits all apps', scoped(entry(A)), scoped(entry(null)), true],
    ['all apps does not fit A', scoped(entry(null)), scoped(entry(A)), false],
    ['A dev env fits A non-production', scoped(entry(A, aDev.id)), scoped(entry(A, 'non-production')), true],
    ['A prod env does not fit A non-production', scoped(entry(A, aProd.id)), scoped(entry(A, 'non-production')), false],
    ['A × all fits A prod + A non-prod together', scoped(entry(A)), scoped(entry(A, 'production'), entry(A, 'non-production')), true],
    ['A × all does not fit A prod alone', scoped(entry(A)), scoped(entry(A, 'production')), false],
    ['a type does not fit one environment of it', scoped(entry(A, 'production')), scoped(entry(A, aProd.id)), false],
    ['account flag needs the manager to allow it', { scoped: true, scopeToAccount: true, entries: [] }, scoped(entry(null)), false],
    ['account flag fits an account-scoped manager', { scoped: true, scopeToAccount: true, entries: [] }, { scoped: true, scopeToAccount: true, entries: [] }, true],
    ['an empty scope fits any scoped manager', scoped(), scoped(entry(B)), true],
  ])('%s', (_name, inner, outer, expected) => {
    expect(scopeWithin(inner, outer, index)).toBe(expected);
  });

  it('treats all environments as both types', () => {
    expect(entryWithin(entry(null), [entry(null, 'production'), entry(null, 'non-production')], index)).toBe(true);
  });
});

describe('intersectEntries', () => {
  it.each<[string, ScopeEntry, ScopeEntry, ScopeEntry | null]>([
    ['all ∩ A prod = A prod', entry(null), entry(A, 'production'), entry(A, 'production')],
    ['A ∩ B = nothing', entry(A), entry(B), null],
    ['prod ∩ non-prod = nothing', entry(null, 'production'), entry(null, 'non-production'), null],
    ['A ∩ all prod = A prod', entry(A), entry(null, 'production'), entry(A, 'production')],
    ['an env ∩ its type = the env', entry(A, aDev.id), entry(null, 'non-production'), entry(A, aDev.id)],
    ['an env ∩ the other type = nothing', entry(A, aDev.id), entry(null, 'production'), null],
    ['an env ∩ all apps = the env, with its app', entry(null, bProd.id), entry(null), entry(B, bProd.id)],
    ['an env ∩ another app = nothing', entry(null, bProd.id), entry(A), null],
    ['two different envs = nothing', entry(A, aDev.id), entry(A, aProd.id), null],
  ])('%s', (_name, a, b, expected) => {
    expect(intersectEntries(a, b, index)).toEqual(expected);
    expect(intersectEntries(b, a, index)).toEqual(expected);
  });
});

describe('narrowScope (the manager shrank; the user chose to narrow its secrets)', () => {
  it.each<[string, UsageScope, UsageScope, UsageScope]>([
    ['an unscoped manager changes nothing', scoped(entry(A)), unscoped, scoped(entry(A))],
    ['an unscoped secret takes the manager scope', unscoped, scoped(entry(A, 'production')), scoped(entry(A, 'production'))],
    ['all apps narrowed to A prod', scoped(entry(null)), scoped(entry(A, 'production')), scoped(entry(A, 'production'))],
    ['disjoint scopes leave the secret usable by none', scoped(entry(B)), scoped(entry(A)), scoped()],
    ['each entry is cut to what the manager allows', scoped(entry(A), entry(B, bDev.id)), scoped(entry(null, 'non-production')), scoped(entry(A, 'non-production'), entry(B, bDev.id))],
    ['the account flag survives only where the manager has it', { scoped: true, scopeToAccount: true, entries: [entry(A)] }, scoped(entry(A)), scoped(entry(A))],
  ])('%s', (_name, secret, manager, expected) => {
    const narrowed = narrowScope(secret, manager, index);
    expect(narrowed).toEqual(expected);
    expect(scopeWithin(narrowed, manager, index)).toBe(true);
  });
});
