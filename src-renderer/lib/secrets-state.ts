/**
 * The secrets list, the selection and the one revealed value, as a pure
 * reducer. Every list request carries a sequence number so a slow reply to an
 * old query never overwrites the answer to a newer one.
 */
import type { SecretSummary } from '../../src-main/ipc/contract.js';

export const PAGE_SIZE = 50;
/** secrets.list refuses larger pages. */
export const MAX_PAGE_SIZE = 500;

export interface Revealed {
  id: string;
  value: string;
}

export interface SecretsState {
  query: string;
  items: SecretSummary[];
  total: number;
  /** The list has been loaded at least once since unlock. */
  loaded: boolean;
  loading: boolean;
  error: string | null;
  latestSeq: number;
  /** Kept apart from items so the detail stays put when a search filters it out of the list. */
  selected: SecretSummary | null;
  revealed: Revealed | null;
}

export type ListMode = 'replace' | 'append' | 'refresh';

export type SecretsAction =
  | { type: 'query'; query: string }
  | { type: 'list-requested'; seq: number }
  | { type: 'list-loaded'; seq: number; mode: ListMode; total: number; items: SecretSummary[] }
  | { type: 'list-failed'; seq: number; error: string }
  | { type: 'select'; secret: SecretSummary | null }
  | { type: 'revealed'; id: string; value: string }
  | { type: 'hide' }
  | { type: 'saved'; secret: SecretSummary; valueChanged: boolean }
  | { type: 'deleted'; id: string }
  | { type: 'wipe' };

export const initialSecretsState: SecretsState = {
  query: '',
  items: [],
  total: 0,
  loaded: false,
  loading: false,
  error: null,
  latestSeq: 0,
  selected: null,
  revealed: null,
};

/** The offset and limit for the next secrets.list call. */
export function pageRequest(state: SecretsState, mode: ListMode): { offset: number; limit: number } {
  if (mode === 'append') return { offset: state.items.length, limit: PAGE_SIZE };
  if (mode === 'refresh') return { offset: 0, limit: Math.min(MAX_PAGE_SIZE, Math.max(PAGE_SIZE, state.items.length)) };
  return { offset: 0, limit: PAGE_SIZE };
}

/** The sequence number for a new list request. */
export function nextSeq(state: SecretsState): number {
  return state.latestSeq + 1;
}

export function canLoadMore(state: SecretsState): boolean {
  return state.items.length < state.total;
}

function mergePage(existing: SecretSummary[], page: SecretSummary[]): SecretSummary[] {
  const seen = new Set(existing.map((s) => s.id));
  return existing.concat(page.filter((s) => !seen.has(s.id)));
}

export function secretsReducer(state: SecretsState, action: SecretsAction): SecretsState {
  switch (action.type) {
    case 'query':
      return { ...state, query: action.query };
    case 'list-requested':
      return { ...state, latestSeq: action.seq, loading: true };
    case 'list-loaded': {
      if (action.seq !== state.latestSeq) return state;
      const items = action.mode === 'append' ? mergePage(state.items, action.items) : action.items;
      const fresh = state.selected && items.find((s) => s.id === state.selected?.id);
      return {
        ...state,
        items,
        total: action.total,
        loaded: true,
        loading: false,
        error: null,
        selected: fresh ?? state.selected,
      };
    }
    case 'list-failed':
      return action.seq === state.latestSeq ? { ...state, loading: false, error: action.error } : state;
    case 'select':
      return {
        ...state,
        selected: action.secret,
        revealed: state.revealed && state.revealed.id === action.secret?.id ? state.revealed : null,
      };
    case 'revealed':
      return state.selected?.id === action.id ? { ...state, revealed: { id: action.id, value: action.value } } : state;
    case 'hide':
      return { ...state, revealed: null };
    case 'saved': {
      const { secret } = action;
      const staleReveal = action.valueChanged && state.revealed?.id === secret.id;
      return {
        ...state,
        items: state.items.map((s) => (s.id === secret.id ? secret : s)),
        selected: state.selected?.id === secret.id ? secret : state.selected,
        revealed: staleReveal ? null : state.revealed,
      };
    }
    case 'deleted': {
      const had = state.items.some((s) => s.id === action.id);
      return {
        ...state,
        items: state.items.filter((s) => s.id !== action.id),
        total: had ? Math.max(0, state.total - 1) : state.total,
        selected: state.selected?.id === action.id ? null : state.selected,
        revealed: state.revealed?.id === action.id ? null : state.revealed,
      };
    }
    case 'wipe':
      // Moving latestSeq on makes any reply to a request made before the lock stale.
      return { ...initialSecretsState, latestSeq: state.latestSeq + 1 };
  }
}
