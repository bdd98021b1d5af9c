import { useEffect, useEffectEvent } from 'react';

/**
 * Holds a subscription to events from main while the component is mounted.
 * Subscribing is asynchronous, so one that completes after unmount is undone
 * at once rather than left listening.
 */
export function useSubscription(subscribe: () => Promise<() => void>): void {
  const start = useEffectEvent(subscribe);
  useEffect(() => {
    let stop: (() => void) | null = null;
    let cancelled = false;
    void start()
      .then((unsubscribe) => {
        if (cancelled) unsubscribe();
        else stop = unsubscribe;
      })
      .catch(() => {});
    return () => {
      cancelled = true;
      stop?.();
    };
  }, []);
}
