/**
 * Key work (master key rotation, KMS re-wraps) as the renderer keeps it: one
 * list read from main (`keys.status`) while a view that shows it is open,
 * read again whenever main says it changed or the store unlocks or locks,
 * with progress events applied in between (key-work-text.ts).
 */
import { create } from 'zustand';
import type { KeyWork } from '../../../src-shared/contract.js';
import { call } from '../../api/call.js';
import { getApi } from '../../api/connection.js';
import { withProgress } from './key-work-text.js';

export const useKeyWork = create<{ items: KeyWork[]; loaded: boolean }>()(() => ({ items: [], loaded: false }));

/** Reads run one at a time; a change while one is in flight reads once more after it, so the last change is never missed. */
let reading: Promise<void> | null = null;
let again = false;

export function refreshKeyWork(): Promise<void> {
  if (reading) {
    again = true;
    return reading;
  }
  reading = (async () => {
    do {
      again = false;
      const { items } = await call('keys.status', {});
      useKeyWork.setState({ items, loaded: true });
    } while (again);
  })().finally(() => {
    reading = null;
  });
  return reading;
}

/** Follows main's events while a view showing key work is mounted; shared by every such view. */
let followers = 0;
let stopFollowing: (() => void) | null = null;

export async function followKeyWork(): Promise<() => void> {
  followers += 1;
  if (followers === 1) {
    const api = await getApi();
    stopFollowing = api.onEvent((event) => {
      if (event.type === 'keys.changed' || event.type === 'keys.resumed' || event.type === 'vault.unlocked' || event.type === 'vault.locked') {
        void refreshKeyWork().catch(() => {});
      } else {
        const items = useKeyWork.getState().items;
        const updated = withProgress(items, event);
        if (updated !== items) useKeyWork.setState({ items: updated });
      }
    });
  }
  void refreshKeyWork().catch(() => {});
  return () => {
    followers -= 1;
    if (followers === 0) {
      stopFollowing?.();
      stopFollowing = null;
    }
  };
}
