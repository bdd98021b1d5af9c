import { describe, expect, it } from 'vitest';
import { UNSCOPED, type SecretSummary } from '../../src-main/ipc/contract.js';
import {
  MAX_PAGE_SIZE,
  PAGE_SIZE,
  canLoadMore,
  initialSecretsState,
  nextSeq,
  pageRequest,
  secretsReducer,
  type SecretsAction,
  type SecretsState,
} from '../../src-renderer/lib/secrets-state.js';

let counter = 0;
function secret(name: string, overrides: Partial<SecretSummary> = {}): SecretSummary {
  counter += 1;
  return {
    id: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    name,
    description: null,
    type: 'text',
    metadata: {},
    facts: {},
    managerId: 'local',
    scope: UNSCOPED,
    version: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

function run(state: SecretsState, ...actions: SecretsAction[]): SecretsState {
  return actions.reduce(secretsReducer, state);
}

const a = secret('alpha');
const b = secret('beta');
const c = secret('gamma');

function loaded(items: SecretSummary[], total = items.length): SecretsState {
  return run(
    initialSecretsState,
    { type: 'list-requested', seq: 1 },
    { type: 'list-loaded', seq: 1, mode: 'replace', total, items },
  );
}

describe('secrets list', () => {
  it('ignores a slow reply to an older query', () => {
    const state = run(
      initialSecretsState,
      { type: 'list-requested', seq: 1 },
      { type: 'list-requested', seq: 2 },
      { type: 'list-loaded', seq: 2, mode: 'replace', total: 1, items: [b] },
      { type: 'list-loaded', seq: 1, mode: 'replace', total: 3, items: [a, b, c] },
      { type: 'list-failed', seq: 1, error: 'old' },
    );
    expect(state.items).toEqual([b]);
    expect(state.total).toBe(1);
    expect(state.error).toBeNull();
    expect(state.loading).toBe(false);
  });

  it('appends pages without duplicates and knows when more remain', () => {
    const first = loaded([a, b], 3);
    expect(canLoadMore(first)).toBe(true);
    expect(pageRequest(first, 'append')).toEqual({ offset: 2, limit: PAGE_SIZE });
    const seq = nextSeq(first);
    const all = run(
      first,
      { type: 'list-requested', seq },
      { type: 'list-loaded', seq, mode: 'append', total: 3, items: [b, c] },
    );
    expect(all.items.map((s) => s.name)).toEqual(['alpha', 'beta', 'gamma']);
    expect(canLoadMore(all)).toBe(false);
  });

  it('refreshes as many rows as are loaded, within the server limit', () => {
    const many = { ...initialSecretsState, items: Array.from({ length: 120 }, (_, i) => secret(`s${i}`)) };
    expect(pageRequest(many, 'refresh')).toEqual({ offset: 0, limit: 120 });
    expect(pageRequest(initialSecretsState, 'refresh')).toEqual({ offset: 0, limit: PAGE_SIZE });
    const huge = { ...initialSecretsState, items: Array.from({ length: 900 }, (_, i) => secret(`h${i}`)) };
    expect(pageRequest(huge, 'refresh').limit).toBe(MAX_PAGE_SIZE);
    expect(pageRequest(huge, 'replace')).toEqual({ offset: 0, limit: PAGE_SIZE });
  });

  it('keeps the selection when a search filters it out, and refreshes it when it comes back', () => {
    let state = run(loaded([a, b]), { type: 'select', secret: a });
    const seq = nextSeq(state);
    state = run(state, { type: 'list-requested', seq }, { type: 'list-loaded', seq, mode: 'replace', total: 1, items: [b] });
    expect(state.selected).toEqual(a);
    const renamed = { ...a, name: 'alpha-2', version: 2 };
    const seq2 = nextSeq(state);
    state = run(state, { type: 'list-requested', seq: seq2 }, { type: 'list-loaded', seq: seq2, mode: 'replace', total: 2, items: [renamed, b] });
    expect(state.selected).toEqual(renamed);
  });
});

describe('revealed values', () => {
  it('holds only the selected secret’s value and drops it when the selection moves', () => {
    let state = run(loaded([a, b]), { type: 'select', secret: a }, { type: 'revealed', id: a.id, value: 's3cret' });
    expect(state.revealed).toEqual({ id: a.id, value: 's3cret' });
    state = run(state, { type: 'select', secret: b });
    expect(state.revealed).toBeNull();
  });

  it('ignores a reveal that arrives after the user moved on', () => {
    const state = run(loaded([a, b]), { type: 'select', secret: b }, { type: 'revealed', id: a.id, value: 'late' });
    expect(state.revealed).toBeNull();
  });

  it('drops a revealed value once a new value is saved', () => {
    const start = run(loaded([a]), { type: 'select', secret: a }, { type: 'revealed', id: a.id, value: 'old' });
    const renamedOnly = run(start, { type: 'saved', secret: { ...a, name: 'renamed' }, valueChanged: false });
    expect(renamedOnly.revealed?.value).toBe('old');
    expect(renamedOnly.selected?.name).toBe('renamed');
    expect(renamedOnly.items[0]?.name).toBe('renamed');
    const newValue = run(start, { type: 'saved', secret: { ...a, version: 2 }, valueChanged: true });
    expect(newValue.revealed).toBeNull();
  });

  it('forgets a deleted secret everywhere', () => {
    const state = run(
      loaded([a, b]),
      { type: 'select', secret: a },
      { type: 'revealed', id: a.id, value: 'v' },
      { type: 'deleted', id: a.id },
    );
    expect(state.items).toEqual([b]);
    expect(state.total).toBe(1);
    expect(state.selected).toBeNull();
    expect(state.revealed).toBeNull();
  });

  it('wipes everything on lock, and replies to requests made before it stay stale', () => {
    const before = run(loaded([a, b]), { type: 'select', secret: a }, { type: 'revealed', id: a.id, value: 'v' });
    const inFlight = nextSeq(before);
    const locked = run(before, { type: 'list-requested', seq: inFlight }, { type: 'wipe' });
    expect(locked.revealed).toBeNull();
    expect(locked.selected).toBeNull();
    expect(locked.items).toEqual([]);
    const late = run(locked, { type: 'list-loaded', seq: inFlight, mode: 'replace', total: 2, items: [a, b] });
    expect(late.items).toEqual([]);
    expect(nextSeq(locked)).toBeGreaterThan(inFlight);
  });
});
