import { useEffect, useEffectEvent } from 'react';
import { takeIntent, useNavigation, type Intent, type IntentKind } from '../state/navigation.js';

/**
 * Runs `handle` when an intent of this kind is pending, whether it was
 * requested before the component mounted or while it shows, and clears it.
 * `accept` lets a component take only the intents meant for it (one secret's
 * connection test, say).
 */
export function useIntent<K extends IntentKind>(
  kind: K,
  handle: (intent: Extract<Intent, { kind: K }>) => void,
  accept?: (intent: Extract<Intent, { kind: K }>) => boolean,
): void {
  const pending = useNavigation((s) => s.intent);
  const onIntent = useEffectEvent(() => {
    const intent = takeIntent(kind, accept);
    if (intent) handle(intent);
  });
  useEffect(() => {
    if (pending?.kind === kind) onIntent();
  }, [pending, kind]);
}
