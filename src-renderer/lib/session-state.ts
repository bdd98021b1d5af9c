/**
 * Which screen the app shows, as a pure reducer over what main reports.
 * The zustand store only holds the result.
 */
import type { AppEvent, AppStatus, Settings } from '../../src-shared/contract.js';
import { retryDeadline } from './retry-countdown.js';

export type Phase = 'connecting' | 'first-run' | 'locked' | 'unlocked';
export type ConnectionState = 'connecting' | 'open' | 'lost';
/** Why the vault locked: main's reasons, plus a LOCKED reply we did not expect. */
export type LockCause = Extract<AppEvent, { type: 'vault.locked' }>['reason'] | 'unexpected';

export interface SessionState {
  phase: Phase;
  status: AppStatus | null;
  connection: ConnectionState;
  /** Shown on the unlock screen to say why the vault locked. */
  notice: string | null;
  /** Epoch ms before which unlocking is refused. */
  unlockRetryAt: number | null;
}

export type SessionAction =
  | { type: 'status'; status: AppStatus; now: number }
  | { type: 'locked'; cause: LockCause }
  | { type: 'connection'; state: ConnectionState }
  | { type: 'settings'; settings: Settings }
  | { type: 'unlock-refused'; retryAfterMs: number | undefined; now: number }
  /** The delegate restarted or refused a seal: its key is unknown until the next status. */
  | { type: 'delegate-key-stale' };

export const initialSessionState: SessionState = {
  phase: 'connecting',
  status: null,
  connection: 'connecting',
  notice: null,
  unlockRetryAt: null,
};

export function phaseOf(status: AppStatus): Phase {
  if (!status.initialized) return 'first-run';
  return status.unlocked ? 'unlocked' : 'locked';
}

export function lockNotice(cause: LockCause): string | null {
  switch (cause) {
    case 'user':
      return null;
    case 'idle':
      return 'Locked after a period of inactivity.';
    case 'delegate-restarted':
      return 'Strongroom’s key service restarted, so the store was locked. Unlock to continue.';
    case 'unexpected':
      return 'The store was locked.';
  }
}

export function sessionReducer(state: SessionState, action: SessionAction): SessionState {
  switch (action.type) {
    case 'status': {
      const phase = phaseOf(action.status);
      const lockedUnderUs = state.phase === 'unlocked' && phase === 'locked';
      return {
        ...state,
        status: action.status,
        phase,
        notice: phase === 'locked' ? (lockedUnderUs ? lockNotice('unexpected') : state.notice) : null,
        unlockRetryAt: retryDeadline(action.now, action.status.unlockRetryAfterMs),
      };
    }
    case 'locked': {
      if (state.phase === 'first-run' || state.phase === 'connecting') return state;
      // The first cause wins: after an idle lock main reports our own vault.lock as 'user'.
      const notice = state.phase === 'locked' ? state.notice : lockNotice(action.cause);
      const locked = { ...state, phase: 'locked' as const, notice, status: state.status && { ...state.status, unlocked: false } };
      // Every lock replaces the delegate process, and with it the key values are sealed to.
      return sessionReducer(locked, { type: 'delegate-key-stale' });
    }
    case 'delegate-key-stale':
      return state.status ? { ...state, status: { ...state.status, delegatePublicKey: null } } : state;
    case 'connection':
      return { ...state, connection: action.state };
    case 'settings':
      return state.status ? { ...state, status: { ...state.status, settings: action.settings } } : state;
    case 'unlock-refused':
      return { ...state, unlockRetryAt: retryDeadline(action.now, action.retryAfterMs) };
  }
}
