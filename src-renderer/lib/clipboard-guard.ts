/**
 * Copies a secret to the clipboard and clears it later (after the delay set
 * in Settings), but only if the clipboard still holds what we wrote: the user
 * may have copied something else since, and that is theirs to keep. Only a
 * salted digest of the copied value is kept, so the plaintext does not linger
 * in memory until then.
 */

export interface ClipboardLike {
  writeText(text: string): Promise<void>;
  readText(): Promise<string>;
}

export interface GuardTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** What a clear attempt found. */
export type ClearOutcome = 'cleared' | 'replaced' | 'unreadable' | 'idle';

interface Copied {
  salt: Uint8Array;
  digest: string;
  timer: unknown;
}

async function fingerprint(salt: Uint8Array, text: string): Promise<string> {
  const body = new TextEncoder().encode(text);
  const input = new Uint8Array(salt.length + body.length);
  input.set(salt);
  input.set(body, salt.length);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', input));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class ClipboardGuard {
  private copied: Copied | null = null;
  /** Counts copies, so work begun for an older copy can tell it has been overtaken. */
  private generation = 0;

  constructor(
    private readonly clipboard: () => ClipboardLike | undefined,
    private readonly timers: GuardTimers = globalThis,
    /** Told what each clear attempt found, so the user hears whether their clipboard was emptied. */
    private readonly onClearAttempt: (outcome: ClearOutcome) => void = () => {},
  ) {}

  get pending(): boolean {
    return this.copied !== null;
  }

  /** Copies `text`, to be cleared after `clearAfterMs` (never when null). */
  async copy(text: string, clearAfterMs: number | null): Promise<void> {
    const clipboard = this.clipboard();
    if (!clipboard) throw new Error('The clipboard is not available here.');
    const generation = ++this.generation;
    this.forget();
    await clipboard.writeText(text);
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const digest = await fingerprint(salt, text);
    if (generation !== this.generation || clearAfterMs === null) return;
    this.copied = {
      salt,
      digest,
      timer: this.timers.setTimeout(() => void this.clearIfOurs().then(this.onClearAttempt), clearAfterMs),
    };
  }

  /** Empties the clipboard if it still holds the last value we copied. Never throws. */
  async clearIfOurs(): Promise<ClearOutcome> {
    const copied = this.copied;
    if (!copied) return 'idle';
    this.forget();
    const generation = this.generation;
    const clipboard = this.clipboard();
    if (!clipboard) return 'unreadable';
    let current: string;
    try {
      current = await clipboard.readText();
    } catch {
      // Reading needs permission and focus; without them we cannot tell whose text it is, so leave it.
      return 'unreadable';
    }
    const ours = (await fingerprint(copied.salt, current)) === copied.digest;
    // A copy started meanwhile may already be on the clipboard; it has its own timer.
    if (!ours || generation !== this.generation) return 'replaced';
    try {
      await clipboard.writeText('');
      return 'cleared';
    } catch {
      return 'unreadable';
    }
  }

  private forget(): void {
    if (this.copied) this.timers.clearTimeout(this.copied.timer);
    this.copied = null;
  }
}

/** What the toast says after a copy, from the clear delay in Settings. */
export function copiedNotice(clearAfterSeconds: number | null): string {
  return clearAfterSeconds === null ? 'Copied; the clipboard is not cleared (Settings)' : `Copied; clears in ${clearAfterSeconds} s`;
}

/** What the toast says when the delay is up; null when there is nothing worth saying. */
export function clearNotice(outcome: ClearOutcome): string | null {
  if (outcome === 'cleared') return 'Clipboard cleared';
  if (outcome === 'replaced') return 'Clipboard left as it is: it holds something copied since';
  return null;
}
