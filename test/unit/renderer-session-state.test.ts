import { describe, expect, it } from 'vitest';
import type { AppStatus } from '../../src-shared/contract.js';
import {
  initialSessionState,
  phaseOf,
  sessionReducer,
  type SessionAction,
  type SessionState,
} from '../../src-renderer/lib/session-state.js';

function status(overrides: Partial<AppStatus> = {}): AppStatus {
  return {
    initialized: true,
    unlocked: false,
    delegatePublicKey: 'AAAA',
    sealSuite: 'suite',
    settings: { autoLockMinutes: 15, versionRetention: 10, connectTimeoutSeconds: 20, theme: 'system', clipboardClearSeconds: 30 },
    unlockRetryAfterMs: 0,
    storeCheck: null,
    ...overrides,
  };
}

function run(...actions: SessionAction[]): SessionState {
  return actions.reduce(sessionReducer, initialSessionState);
}

describe('session phases', () => {
  it('follows main: first run, locked, unlocked', () => {
    expect(phaseOf(status({ initialized: false }))).toBe('first-run');
    expect(phaseOf(status())).toBe('locked');
    expect(phaseOf(status({ unlocked: true }))).toBe('unlocked');
  });

  it('stays on the connecting screen until the first status arrives', () => {
    expect(run({ type: 'connection', state: 'open' }).phase).toBe('connecting');
  });

  it('locks at once on a lock event and says why when it was not the user', () => {
    const unlocked = run({ type: 'status', status: status({ unlocked: true }), now: 0 });
    const idle = sessionReducer(unlocked, { type: 'locked', cause: 'idle' });
    expect(idle.phase).toBe('locked');
    expect(idle.status?.unlocked).toBe(false);
    expect(idle.notice).toMatch(/inactivity/);
    expect(sessionReducer(unlocked, { type: 'locked', cause: 'user' }).notice).toBeNull();
    expect(sessionReducer(unlocked, { type: 'locked', cause: 'delegate-restarted' }).notice).toMatch(/restarted/);
  });

  it('keeps the first reason when main reports our own idle lock as a user lock', () => {
    const state = run(
      { type: 'status', status: status({ unlocked: true }), now: 0 },
      { type: 'locked', cause: 'idle' },
      { type: 'locked', cause: 'user' },
      { type: 'status', status: status(), now: 0 },
    );
    expect(state.notice).toMatch(/inactivity/);
  });

  it('notices a lock it was not told about when a fresh status says locked', () => {
    const state = run({ type: 'status', status: status({ unlocked: true }), now: 0 }, { type: 'status', status: status(), now: 0 });
    expect(state.phase).toBe('locked');
    expect(state.notice).toBe('The store was locked.');
  });

  it('clears the notice once unlocked', () => {
    const state = run(
      { type: 'status', status: status({ unlocked: true }), now: 0 },
      { type: 'locked', cause: 'idle' },
      { type: 'status', status: status({ unlocked: true }), now: 0 },
    );
    expect(state.notice).toBeNull();
  });

  it('ignores lock events before a store exists', () => {
    const state = run({ type: 'status', status: status({ initialized: false }), now: 0 }, { type: 'locked', cause: 'user' });
    expect(state.phase).toBe('first-run');
  });

  it('takes the unlock back-off from status and from refusals', () => {
    expect(run({ type: 'status', status: status({ unlockRetryAfterMs: 5_000 }), now: 1_000 }).unlockRetryAt).toBe(6_000);
    expect(run({ type: 'status', status: status(), now: 1_000 }).unlockRetryAt).toBeNull();
    const refused = run({ type: 'unlock-refused', retryAfterMs: 2_000, now: 10 });
    expect(refused.unlockRetryAt).toBe(2_010);
    expect(sessionReducer(refused, { type: 'unlock-refused', retryAfterMs: undefined, now: 20 }).unlockRetryAt).toBeNull();
  });

  it('applies saved settings to the status', () => {
    const state = run(
      { type: 'status', status: status({ unlocked: true }), now: 0 },
      { type: 'settings', settings: { autoLockMinutes: 5, versionRetention: 20, connectTimeoutSeconds: 20, theme: 'system', clipboardClearSeconds: 30 } },
    );
    expect(state.status?.settings.autoLockMinutes).toBe(5);
  });

  it('forgets the delegate key on every lock (each replaces the delegate), so nothing is sealed to the old one', () => {
    const unlocked = run({ type: 'status', status: status({ unlocked: true }), now: 0 });
    for (const cause of ['delegate-restarted', 'user', 'idle', 'unexpected'] as const) {
      expect(sessionReducer(unlocked, { type: 'locked', cause }).status?.delegatePublicKey).toBeNull();
    }
    const stale = sessionReducer(unlocked, { type: 'delegate-key-stale' });
    expect(stale.status?.delegatePublicKey).toBeNull();
    expect(stale.phase).toBe('unlocked');
    expect(sessionReducer(stale, { type: 'status', status: status({ unlocked: true, delegatePublicKey: 'BBBB' }), now: 0 }).status?.delegatePublicKey).toBe('BBBB');
  });

  it('tracks the connection without changing the phase', () => {
    const state = run({ type: 'status', status: status({ unlocked: true }), now: 0 }, { type: 'connection', state: 'lost' });
    expect(state.connection).toBe('lost');
    expect(state.phase).toBe('unlocked');
  });
});
