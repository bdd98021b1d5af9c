import { useEffect } from 'react';
import { call } from '../api/call.js';
import { isIdle, recordActivity, shouldSampleMove, startActivity } from '../lib/idle.js';
import { lockVault } from '../state/session.js';

/** Late timers after sleep still fire; checking often keeps the lock close to the deadline. */
const IDLE_CHECK_MS = 5_000;

/** Tells main the user is here and locks the vault after `autoLockMinutes` without input. */
export function useAutoLock(autoLockMinutes: number): void {
  useEffect(() => {
    let activity = startActivity(Date.now());
    let lastMoveSample = 0;

    const onActivity = () => {
      const next = recordActivity(activity, Date.now());
      activity = next.state;
      if (next.ping) void call('session.activity', {}).catch(() => {});
    };
    const onMove = () => {
      const now = Date.now();
      if (!shouldSampleMove(lastMoveSample, now)) return;
      lastMoveSample = now;
      onActivity();
    };
    const check = setInterval(() => {
      if (isIdle(activity, Date.now(), autoLockMinutes)) void lockVault('idle').catch(() => {});
    }, IDLE_CHECK_MS);

    const options = { capture: true, passive: true };
    window.addEventListener('keydown', onActivity, options);
    window.addEventListener('pointerdown', onActivity, options);
    window.addEventListener('mousemove', onMove, options);
    window.addEventListener('wheel', onMove, options);
    return () => {
      clearInterval(check);
      window.removeEventListener('keydown', onActivity, options);
      window.removeEventListener('pointerdown', onActivity, options);
      window.removeEventListener('mousemove', onMove, options);
      window.removeEventListener('wheel', onMove, options);
    };
  }, [autoLockMinutes]);
}
