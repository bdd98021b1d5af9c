/**
 * The opened secret, its one revealed value and the secrets opened lately
 * (what the command palette offers first), as a pure reducer. Nothing here
 * outlives a lock. The list
 * itself, its filters and its pages live in secret-list.ts.
 */
import type { SecretSummary } from '../../src-shared/contract.js';

export interface Revealed {
  id: string;
  /** The current version's payload: a text value, or a structured type's JSON. */
  value: string;
}

export interface SecretsState {
  /** Kept apart from the list so the detail stays put when a search filters it out. */
  selected: SecretSummary | null;
  revealed: Revealed | null;
  /** Secrets opened or revealed in this session, the latest first; names only, never values. */
  recent: SecretSummary[];
}

/** How many recent secrets the command palette lists. */
export const RECENT_LIMIT = 8;

function remember(recent: SecretSummary[], secret: SecretSummary): SecretSummary[] {
  return [secret, ...recent.filter((s) => s.id !== secret.id)].slice(0, RECENT_LIMIT);
}

export type SecretsAction =
  | { type: 'select'; secret: SecretSummary | null }
  | { type: 'revealed'; id: string; value: string }
  | { type: 'hide' }
  | { type: 'saved'; secret: SecretSummary; valueChanged: boolean }
  | { type: 'deleted'; id: string }
  | { type: 'wipe' };

export const initialSecretsState: SecretsState = {
  selected: null,
  revealed: null,
  recent: [],
};

export function secretsReducer(state: SecretsState, action: SecretsAction): SecretsState {
  switch (action.type) {
    case 'select':
      return {
        ...state,
        selected: action.secret,
        recent: action.secret ? remember(state.recent, action.secret) : state.recent,
        revealed: state.revealed && state.revealed.id === action.secret?.id ? state.revealed : null,
      };
    case 'revealed':
      return state.selected?.id === action.id ? { ...state, revealed: { id: action.id, value: action.value }, recent: remember(state.recent, state.selected) } : state;
    case 'hide':
      return { ...state, revealed: null };
    case 'saved': {
      const { secret } = action;
      const staleReveal = (action.valueChanged || secret.version !== state.selected?.version) && state.revealed?.id === secret.id;
      return {
        ...state,
        selected: state.selected?.id === secret.id ? secret : state.selected,
        recent: state.recent.map((s) => (s.id === secret.id ? secret : s)),
        revealed: staleReveal ? null : state.revealed,
      };
    }
    case 'deleted':
      return {
        ...state,
        selected: state.selected?.id === action.id ? null : state.selected,
        revealed: state.revealed?.id === action.id ? null : state.revealed,
        recent: state.recent.filter((s) => s.id !== action.id),
      };
    case 'wipe':
      return initialSecretsState;
  }
}
