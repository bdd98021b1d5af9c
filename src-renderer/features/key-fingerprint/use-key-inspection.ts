import { useEffect, useState } from 'react';
import type { KeyInspection } from '../../../src-shared/contract.js';
import { describeError } from '../../lib/errors.js';
import { inspectKey } from './key-fingerprint-api.js';

/** Typing pauses this long before the key is sent: a paste is read at once, a typed key not at every keystroke. */
const SETTLE_MS = 250;

export type KeyInspectionState =
  | { state: 'empty' }
  | { state: 'reading' }
  | { state: 'read'; inspection: KeyInspection }
  | { state: 'failed'; message: string };

interface Answer {
  privateKey: string;
  passphrase: string;
  state: Extract<KeyInspectionState, { state: 'read' | 'failed' }>;
}

/** What the delegate makes of the key and passphrase as they are now; an answer about older input reads as "reading". */
export function useKeyInspection(privateKey: string, passphrase: string): KeyInspectionState {
  const [answer, setAnswer] = useState<Answer | null>(null);
  const empty = privateKey.trim() === '';

  useEffect(() => {
    if (empty) return;
    let current = true;
    const timer = setTimeout(() => {
      inspectKey(privateKey, passphrase).then(
        (inspection) => current && setAnswer({ privateKey, passphrase, state: { state: 'read', inspection } }),
        (error: unknown) => current && setAnswer({ privateKey, passphrase, state: { state: 'failed', message: describeError(error) } }),
      );
    }, SETTLE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [empty, privateKey, passphrase]);

  if (empty) return { state: 'empty' };
  if (answer?.privateKey === privateKey && answer.passphrase === passphrase) return answer.state;
  return { state: 'reading' };
}
