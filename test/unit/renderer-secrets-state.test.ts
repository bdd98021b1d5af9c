import { describe, expect, it, vi } from 'vitest';
import { UNSCOPED, type SecretSummary } from '../../src-shared/contract.js';
import {
  LIST_PAGE_SIZE,
  MAX_CACHED_PAGES,
  createDebouncer,
  defaultFilters,
  filtersActive,
  indexOf,
  initialListState,
  listReducer,
  listRequest,
  pagesCovering,
  pagesToFetch,
  rowAt,
  sameFilters,
  visibleRange,
  type ListAction,
  type ListState,
} from '../../src-renderer/lib/secret-list.js';
import { RECENT_LIMIT, initialSecretsState, secretsReducer, type SecretsAction, type SecretsState } from '../../src-renderer/lib/secrets-state.js';

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
    reference: null,
    remoteLocation: null,
    scope: UNSCOPED,
    version: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

const page = (n: number, count = LIST_PAGE_SIZE) => Array.from({ length: count }, (_, i) => secret(`p${n}-${i}`));
const list = (state: ListState, ...actions: ListAction[]) => actions.reduce(listReducer, state);
const withFilters = list(initialListState, { type: 'filters', filters: defaultFilters });

describe('windowing', () => {
  it('renders only the visible rows plus an overscan, clamped to the list', () => {
    expect(visibleRange(0, 520, 52, 100_000, 8)).toEqual({ start: 0, end: 18 });
    expect(visibleRange(52 * 5000, 520, 52, 100_000, 8)).toEqual({ start: 4992, end: 5018 });
    expect(visibleRange(52 * 99_995, 520, 52, 100_000, 8)).toEqual({ start: 99_987, end: 100_000 });
    expect(visibleRange(0, 520, 52, 3)).toEqual({ start: 0, end: 3 });
    expect(visibleRange(0, 520, 52, 0)).toEqual({ start: 0, end: 0 });
    expect(visibleRange(-40, 0, 52, 10, 0)).toEqual({ start: 0, end: 1 });
  });

  it('maps a window onto the pages that hold it', () => {
    expect(pagesCovering(0, 18)).toEqual([0]);
    expect(pagesCovering(95, 130)).toEqual([0, 1]);
    expect(pagesCovering(250, 250)).toEqual([0]);
  });
});

describe('paged list with a page cache', () => {
  it('fetches the first page first, then only pages not cached for the current query', () => {
    expect(pagesToFetch(withFilters, 0, 18)).toEqual([0]);
    const requested = list(withFilters, { type: 'page-requested', generation: 1, page: 0 });
    expect(pagesToFetch(requested, 0, 18)).toEqual([]);
    const loaded = list(requested, { type: 'page-loaded', generation: 1, page: 0, total: 100_000, items: page(0) });
    expect(loaded.total).toBe(100_000);
    expect(pagesToFetch(loaded, 0, 18)).toEqual([]);
    expect(pagesToFetch(loaded, 5000, 5030)).toEqual([50]);
    expect(pagesToFetch(loaded, 99_990, 100_010)).toEqual([999]);
    expect(rowAt(loaded, 42)?.name).toBe('p0-42');
    expect(rowAt(loaded, 142)).toBeUndefined();
    expect(rowAt(loaded, 100_000)).toBeUndefined();
  });

  it('drops a reply to an older query, and shows old rows until the new first page arrives', () => {
    let state = list(withFilters, { type: 'page-loaded', generation: 1, page: 0, total: 300, items: page(0) });
    state = list(state, { type: 'filters', filters: { ...defaultFilters, query: 'ab' } });
    expect(state.generation).toBe(2);
    expect(rowAt(state, 0)?.name).toBe('p0-0');
    expect(pagesToFetch(state, 0, 18)).toEqual([0]);
    state = list(state, { type: 'page-loaded', generation: 1, page: 1, total: 300, items: page(1) });
    expect(state.pages.has(1)).toBe(false);
    state = list(state, { type: 'page-failed', generation: 1, page: 0, error: 'old' });
    expect(state.error).toBeNull();
    const fresh = [secret('abc')];
    state = list(state, { type: 'page-loaded', generation: 2, page: 0, total: 1, items: fresh });
    expect([...state.pages.keys()]).toEqual([0]);
    expect(rowAt(state, 0)?.name).toBe('abc');
    expect(state.total).toBe(1);
  });

  it('keeps rows on screen through a refresh and refetches what is visible', () => {
    let state = list(withFilters, { type: 'page-loaded', generation: 1, page: 0, total: 250, items: page(0) }, { type: 'page-loaded', generation: 1, page: 2, total: 250, items: page(2, 50) });
    state = list(state, { type: 'refresh' });
    expect(rowAt(state, 210)?.name).toBe('p2-10');
    expect(pagesToFetch(state, 190, 220)).toEqual([1, 2]);
    state = list(state, { type: 'page-loaded', generation: 2, page: 0, total: 251, items: page(0) });
    expect(state.pages.has(2)).toBe(true);
  });

  it('bounds the cache, dropping the pages farthest from the one just loaded', () => {
    let state = withFilters;
    for (let n = 0; n <= MAX_CACHED_PAGES + 5; n++) state = list(state, { type: 'page-loaded', generation: 1, page: n, total: 10_000, items: page(n, 1) });
    expect(state.pages.size).toBe(MAX_CACHED_PAGES);
    expect(state.pages.has(MAX_CACHED_PAGES + 5)).toBe(true);
    expect(state.pages.has(0)).toBe(false);
  });

  it('patches a saved secret in place and finds a secret’s index', () => {
    const items = page(0, 3);
    let state = list(withFilters, { type: 'page-loaded', generation: 1, page: 0, total: 3, items });
    state = list(state, { type: 'patch', secret: { ...items[1]!, name: 'renamed' } });
    expect(rowAt(state, 1)?.name).toBe('renamed');
    expect(indexOf(state, items[2]!.id)).toBe(2);
    expect(indexOf(state, 'nope')).toBe(-1);
  });

  it('wipes on lock and keeps replies to requests made before it stale', () => {
    const state = list(withFilters, { type: 'page-loaded', generation: 1, page: 0, total: 3, items: page(0, 3) }, { type: 'wipe' });
    expect(state.pages.size).toBe(0);
    expect(state.loaded).toBe(false);
    expect(list(state, { type: 'page-loaded', generation: 1, page: 0, total: 3, items: page(0, 3) }).pages.size).toBe(0);
  });

  it('sends only the filters that are set', () => {
    expect(listRequest(defaultFilters)).toEqual({ query: '', sort: 'name', direction: 'asc' });
    const filters = { ...defaultFilters, query: ' db ', types: ['ssh' as const], applicationId: 'a', sort: 'updated' as const, direction: 'desc' as const };
    expect(listRequest(filters)).toEqual({ query: 'db', types: ['ssh'], applicationId: 'a', sort: 'updated', direction: 'desc' });
    expect(filtersActive(defaultFilters)).toBe(false);
    expect(filtersActive(filters)).toBe(true);
    expect(filtersActive({ ...defaultFilters, sort: 'type' })).toBe(false);
    expect(sameFilters(defaultFilters, { ...defaultFilters, query: '  ' })).toBe(true);
  });
});

describe('debounced search', () => {
  it('sends once typing pauses, only the last text, and can be cancelled', () => {
    vi.useFakeTimers();
    try {
      const sent: string[] = [];
      const debouncer = createDebouncer(120);
      for (const text of ['d', 'db', 'db_']) {
        debouncer.call(() => sent.push(text));
        vi.advanceTimersByTime(50);
      }
      expect(sent).toEqual([]);
      vi.advanceTimersByTime(120);
      expect(sent).toEqual(['db_']);
      debouncer.call(() => sent.push('x'));
      debouncer.cancel();
      vi.advanceTimersByTime(500);
      expect(sent).toEqual(['db_']);
      debouncer.call(() => sent.push('now'));
      debouncer.flush();
      expect(sent).toEqual(['db_', 'now']);
    } finally {
      vi.useRealTimers();
    }
  });
});

const a = secret('alpha');
const b = secret('beta');
const run = (state: SecretsState, ...actions: SecretsAction[]) => actions.reduce(secretsReducer, state);

describe('selection and revealed values', () => {
  it('holds only the selected secret’s value and drops it when the selection moves', () => {
    let state = run(initialSecretsState, { type: 'select', secret: a }, { type: 'revealed', id: a.id, value: 's3cret' });
    expect(state.revealed).toEqual({ id: a.id, value: 's3cret' });
    state = run(state, { type: 'select', secret: b });
    expect(state.revealed).toBeNull();
  });

  it('ignores a reveal that arrives after the user moved on', () => {
    expect(run(initialSecretsState, { type: 'select', secret: b }, { type: 'revealed', id: a.id, value: 'late' }).revealed).toBeNull();
  });

  it('drops a revealed value once a new version is saved, not on a rename', () => {
    const start = run(initialSecretsState, { type: 'select', secret: a }, { type: 'revealed', id: a.id, value: 'old' });
    const renamed = run(start, { type: 'saved', secret: { ...a, name: 'renamed' }, valueChanged: false });
    expect(renamed.revealed?.value).toBe('old');
    expect(renamed.selected?.name).toBe('renamed');
    expect(run(start, { type: 'saved', secret: { ...a, version: 2 }, valueChanged: true }).revealed).toBeNull();
    expect(run(start, { type: 'saved', secret: { ...a, version: 2 }, valueChanged: false }).revealed).toBeNull();
  });

  it('remembers opened and revealed secrets, latest first, without values', () => {
    const c = secret('gamma');
    let state = run(initialSecretsState, { type: 'select', secret: a }, { type: 'select', secret: b }, { type: 'select', secret: c });
    expect(state.recent.map((s) => s.name)).toEqual(['gamma', 'beta', 'alpha']);
    state = run(state, { type: 'select', secret: a }, { type: 'revealed', id: a.id, value: 'v' }, { type: 'saved', secret: { ...b, name: 'beta2' }, valueChanged: false });
    expect(state.recent.map((s) => s.name)).toEqual(['alpha', 'gamma', 'beta2']);
    expect(JSON.stringify(state.recent)).not.toContain('"v"');
    expect(run(state, { type: 'deleted', id: c.id }).recent.map((s) => s.name)).toEqual(['alpha', 'beta2']);
    const many = Array.from({ length: RECENT_LIMIT + 3 }, (_, i) => secret(`s${i}`));
    expect(run(initialSecretsState, ...many.map((s) => ({ type: 'select' as const, secret: s }))).recent).toHaveLength(RECENT_LIMIT);
  });

  it('forgets a deleted secret, and everything on lock', () => {
    const state = run(initialSecretsState, { type: 'select', secret: a }, { type: 'revealed', id: a.id, value: 'v' });
    expect(run(state, { type: 'deleted', id: a.id })).toEqual(initialSecretsState);
    expect(run(state, { type: 'wipe' })).toEqual(initialSecretsState);
  });
});
