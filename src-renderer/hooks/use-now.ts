import { useSyncExternalStore } from 'react';

/**
 * A shared clock for countdowns. Reading Date.now() during render would make
 * rendering impure; this snapshot only moves when the ticker says so.
 */
const TICK_MS = 250;
let now = Date.now();
let timer: ReturnType<typeof setInterval> | null = null;
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  // The snapshot may be old from the last time anyone watched; React re-reads it after subscribing.
  now = Date.now();
  timer ??= setInterval(() => {
    now = Date.now();
    for (const notify of listeners) notify();
  }, TICK_MS);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  };
}

const idle = () => () => {};
const snapshot = () => now;

/** The current time, ticking while `active`. */
export function useNow(active: boolean): number {
  return useSyncExternalStore(active ? subscribe : idle, snapshot);
}
