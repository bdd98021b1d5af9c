/**
 * The secrets list for stores of any size, as pure functions: filters and
 * sort sent to secrets.list, pages of rows fetched by offset on demand and
 * cached, the window of rows that is visible, and a generation number (the
 * sequence of the current query) so a reply to an older query or an older
 * refresh is never shown as current.
 */
import type { ChannelRequest, SecretSummary, SecretType, secretSortKeys } from '../../src-shared/contract.js';

export const LIST_PAGE_SIZE = 100;
/** Pages kept in memory; those farthest from what was last loaded go first. */
export const MAX_CACHED_PAGES = 30;
export const ROW_HEIGHT = 52;
export const SEARCH_DEBOUNCE_MS = 120;

export type SortKey = (typeof secretSortKeys)[number];

export interface ListFilters {
  query: string;
  types: SecretType[];
  /** '' means any. */
  managerId: string;
  applicationId: string;
  environmentId: string;
  sort: SortKey;
  direction: 'asc' | 'desc';
}

export const defaultFilters: ListFilters = {
  query: '',
  types: [],
  managerId: '',
  applicationId: '',
  environmentId: '',
  sort: 'name',
  direction: 'asc',
};

interface Page {
  generation: number;
  items: SecretSummary[];
}

export interface ListState {
  filters: ListFilters;
  /** Moves on with every new query or refresh; replies carry the one they were asked under. */
  generation: number;
  total: number;
  /** A first page has arrived since the last wipe. */
  loaded: boolean;
  /** The first page of the current generation is still on its way. */
  loading: boolean;
  pages: ReadonlyMap<number, Page>;
  /** "generation:page" of requests in flight, so a page is asked for once. */
  inFlight: ReadonlySet<string>;
  /** After a filter change the old pages show until the new first page arrives, then all go. */
  dropOnLoad: boolean;
  error: string | null;
}

export type ListAction =
  | { type: 'filters'; filters: ListFilters }
  | { type: 'refresh' }
  | { type: 'page-requested'; generation: number; page: number }
  | { type: 'page-loaded'; generation: number; page: number; total: number; items: SecretSummary[] }
  | { type: 'page-failed'; generation: number; page: number; error: string }
  | { type: 'patch'; secret: SecretSummary }
  | { type: 'wipe' };

export const initialListState: ListState = {
  filters: defaultFilters,
  generation: 0,
  total: 0,
  loaded: false,
  loading: false,
  pages: new Map(),
  inFlight: new Set(),
  dropOnLoad: false,
  error: null,
};

/** The secrets.list request for some filters, without paging. */
export function listRequest(filters: ListFilters): Omit<ChannelRequest<'secrets.list'>, 'offset' | 'limit'> {
  return {
    query: filters.query.trim(),
    ...(filters.types.length > 0 ? { types: filters.types } : {}),
    ...(filters.managerId ? { managerId: filters.managerId } : {}),
    ...(filters.applicationId ? { applicationId: filters.applicationId } : {}),
    ...(filters.environmentId ? { environmentId: filters.environmentId } : {}),
    sort: filters.sort,
    direction: filters.direction,
  };
}

export function filtersActive(filters: ListFilters): boolean {
  return (
    filters.query.trim() !== '' || filters.types.length > 0 || filters.managerId !== '' || filters.applicationId !== '' || filters.environmentId !== ''
  );
}

export function sameFilters(a: ListFilters, b: ListFilters): boolean {
  return JSON.stringify(listRequest(a)) === JSON.stringify(listRequest(b));
}

/** Rows [start, end) to render for a scroll position, with `overscan` extra rows on each side. */
export function visibleRange(scrollTop: number, viewportHeight: number, rowHeight: number, total: number, overscan = 8): { start: number; end: number } {
  if (total <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const last = Math.ceil((Math.max(0, scrollTop) + Math.max(0, viewportHeight)) / rowHeight);
  return { start: Math.max(0, Math.min(total, first - overscan)), end: Math.min(total, Math.max(last + overscan, first + 1)) };
}

export function pageOf(index: number): number {
  return Math.floor(index / LIST_PAGE_SIZE);
}

/** Pages covering rows [start, end), or page 0 when nothing is known yet. */
export function pagesCovering(start: number, end: number): number[] {
  if (end <= start) return [0];
  const pages: number[] = [];
  for (let page = pageOf(start); page <= pageOf(end - 1); page++) pages.push(page);
  return pages;
}

/** Pages of a window that are missing or from an older generation and not already asked for. */
export function pagesToFetch(state: ListState, start: number, end: number): number[] {
  return pagesCovering(start, end).filter((page) => {
    if (!state.loaded && page !== 0) return false;
    if (state.loaded && page * LIST_PAGE_SIZE >= state.total && page !== 0) return false;
    const cached = state.pages.get(page);
    if (cached && cached.generation === state.generation) return false;
    return !state.inFlight.has(`${state.generation}:${page}`);
  });
}

/** The row at an index, from any cached page (an older generation's while a refresh is on its way). */
export function rowAt(state: ListState, index: number): SecretSummary | undefined {
  if (index < 0 || index >= state.total) return undefined;
  return state.pages.get(pageOf(index))?.items[index % LIST_PAGE_SIZE];
}

/** The index of a secret among the cached rows, or -1. */
export function indexOf(state: ListState, id: string): number {
  for (const [page, { items }] of state.pages) {
    const at = items.findIndex((item) => item.id === id);
    if (at >= 0) return page * LIST_PAGE_SIZE + at;
  }
  return -1;
}

function evict(pages: Map<number, Page>, keepNear: number): Map<number, Page> {
  if (pages.size <= MAX_CACHED_PAGES) return pages;
  const order = [...pages.keys()].sort((a, b) => Math.abs(a - keepNear) - Math.abs(b - keepNear));
  return new Map(order.slice(0, MAX_CACHED_PAGES).map((page) => [page, pages.get(page)!]));
}

function withoutFlight(inFlight: ReadonlySet<string>, key: string): Set<string> {
  const next = new Set(inFlight);
  next.delete(key);
  return next;
}

export function listReducer(state: ListState, action: ListAction): ListState {
  switch (action.type) {
    case 'filters':
      return { ...state, filters: action.filters, generation: state.generation + 1, inFlight: new Set(), dropOnLoad: true, loading: true, error: null };
    case 'refresh':
      return { ...state, generation: state.generation + 1, inFlight: new Set(), loading: !state.loaded };
    case 'page-requested': {
      if (action.generation !== state.generation) return state;
      const inFlight = new Set(state.inFlight);
      inFlight.add(`${action.generation}:${action.page}`);
      return { ...state, inFlight };
    }
    case 'page-loaded': {
      if (action.generation !== state.generation) return state;
      const base = state.dropOnLoad ? new Map<number, Page>() : new Map(state.pages);
      base.set(action.page, { generation: action.generation, items: action.items });
      return {
        ...state,
        pages: evict(base, action.page),
        inFlight: withoutFlight(state.inFlight, `${action.generation}:${action.page}`),
        total: action.total,
        loaded: true,
        loading: false,
        dropOnLoad: false,
        error: null,
      };
    }
    case 'page-failed':
      if (action.generation !== state.generation) return state;
      return { ...state, inFlight: withoutFlight(state.inFlight, `${action.generation}:${action.page}`), loading: false, error: action.error };
    case 'patch': {
      let changed = false;
      const pages = new Map<number, Page>();
      for (const [page, entry] of state.pages) {
        const at = entry.items.findIndex((item) => item.id === action.secret.id);
        if (at < 0) {
          pages.set(page, entry);
          continue;
        }
        changed = true;
        pages.set(page, { ...entry, items: entry.items.map((item, i) => (i === at ? action.secret : item)) });
      }
      return changed ? { ...state, pages } : state;
    }
    case 'wipe':
      // Moving the generation on makes any reply to a request made before the lock stale.
      return { ...initialListState, filters: state.filters, generation: state.generation + 1 };
  }
}

/**
 * Calls `run` once input has been quiet for `delayMs`; each new call cancels
 * the one waiting. The timer functions are parameters so tests can drive them.
 */
export function createDebouncer(
  delayMs: number,
  schedule: (fn: () => void, ms: number) => unknown = setTimeout,
  cancel: (handle: unknown) => void = (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
): { call(run: () => void): void; flush(): void; cancel(): void } {
  let handle: unknown = null;
  let pending: (() => void) | null = null;
  const clear = () => {
    if (handle !== null) cancel(handle);
    handle = null;
  };
  return {
    call(run) {
      clear();
      pending = run;
      handle = schedule(() => {
        handle = null;
        const next = pending;
        pending = null;
        next?.();
      }, delayMs);
    },
    flush() {
      clear();
      const next = pending;
      pending = null;
      next?.();
    },
    cancel() {
      clear();
      pending = null;
    },
  };
}
