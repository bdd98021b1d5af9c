import { useState } from 'react';
import { describeError } from '../lib/errors.js';

/**
 * Runs actions such as reveal, copy or download under a key, so only the
 * button of the running one waits, and keeps the last failure to show.
 */
export function useBusyAction<Key extends string>() {
  const [busy, setBusy] = useState<Key | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = async (key: Key, action: () => Promise<void>) => {
    setBusy(key);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(null);
    }
  };

  return { busy, error, run };
}
