import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClipboardGuard, type ClearOutcome, type ClipboardLike } from '../../src-renderer/lib/clipboard-guard.js';

class FakeClipboard implements ClipboardLike {
  text = '';
  readable = true;
  writes: string[] = [];
  async writeText(text: string): Promise<void> {
    this.text = text;
    this.writes.push(text);
  }
  async readText(): Promise<string> {
    if (!this.readable) throw new DOMException('Read permission denied.', 'NotAllowedError');
    return this.text;
  }
}

/** The default delay in Settings. */
const CLIPBOARD_CLEAR_MS = 30_000;

describe('ClipboardGuard', () => {
  let clipboard: FakeClipboard;
  let guard: ClipboardGuard;
  let outcomes: ClearOutcome[];

  beforeEach(() => {
    vi.useFakeTimers();
    clipboard = new FakeClipboard();
    outcomes = [];
    guard = new ClipboardGuard(() => clipboard, globalThis, (outcome) => outcomes.push(outcome));
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('clears the clipboard 30 s after a copy when it still holds the value', async () => {
    await guard.copy('hunter2-secret', CLIPBOARD_CLEAR_MS);
    expect(clipboard.text).toBe('hunter2-secret');
    await vi.advanceTimersByTimeAsync(CLIPBOARD_CLEAR_MS - 1);
    expect(clipboard.text).toBe('hunter2-secret');
    await vi.advanceTimersByTimeAsync(1);
    await vi.waitFor(() => expect(clipboard.text).toBe(''));
    expect(guard.pending).toBe(false);
    expect(outcomes).toEqual(['cleared']);
  });

  it('clears after the delay it was given, and reports a clipboard the user has since filled', async () => {
    await guard.copy('hunter2-secret', 1000);
    clipboard.text = 'the user copied this';
    await vi.advanceTimersByTimeAsync(1000);
    await vi.waitFor(() => expect(outcomes).toEqual(['replaced']));
    expect(clipboard.text).toBe('the user copied this');
  });

  it('never clears when the delay is null', async () => {
    await guard.copy('hunter2-secret', null);
    expect(guard.pending).toBe(false);
    await vi.advanceTimersByTimeAsync(24 * 3600_000);
    expect(clipboard.text).toBe('hunter2-secret');
    expect(outcomes).toEqual([]);
  });

  it('leaves the clipboard alone when the user copied something else', async () => {
    await guard.copy('hunter2-secret', CLIPBOARD_CLEAR_MS);
    clipboard.text = 'the user copied this';
    await expect(guard.clearIfOurs()).resolves.toBe('replaced');
    expect(clipboard.text).toBe('the user copied this');
  });

  it('leaves the clipboard alone when it cannot be read', async () => {
    await guard.copy('hunter2-secret', CLIPBOARD_CLEAR_MS);
    clipboard.readable = false;
    await expect(guard.clearIfOurs()).resolves.toBe('unreadable');
    expect(clipboard.text).toBe('hunter2-secret');
  });

  it('clears at once on lock and does not clear again when the timer would have fired', async () => {
    await guard.copy('hunter2-secret', CLIPBOARD_CLEAR_MS);
    await expect(guard.clearIfOurs()).resolves.toBe('cleared');
    clipboard.text = 'copied after the lock';
    await vi.advanceTimersByTimeAsync(CLIPBOARD_CLEAR_MS);
    expect(clipboard.text).toBe('copied after the lock');
    await expect(guard.clearIfOurs()).resolves.toBe('idle');
  });

  it('restarts the 30 s for a second copy and clears only the newer value', async () => {
    await guard.copy('first-value', CLIPBOARD_CLEAR_MS);
    await vi.advanceTimersByTimeAsync(20_000);
    await guard.copy('second-value', CLIPBOARD_CLEAR_MS);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(clipboard.text).toBe('second-value');
    await vi.advanceTimersByTimeAsync(10_000);
    await vi.waitFor(() => expect(clipboard.text).toBe(''));
  });

  it('does not wipe a value copied while an earlier clear was reading the clipboard', async () => {
    await guard.copy('first-value', CLIPBOARD_CLEAR_MS);
    const clearing = guard.clearIfOurs();
    const copying = guard.copy('second-value', CLIPBOARD_CLEAR_MS);
    await expect(clearing).resolves.toBe('replaced');
    await copying;
    expect(clipboard.text).toBe('second-value');
    expect(guard.pending).toBe(true);
  });

  it('reports a missing clipboard instead of pretending to copy', async () => {
    const none = new ClipboardGuard(() => undefined);
    await expect(none.copy('x', CLIPBOARD_CLEAR_MS)).rejects.toThrow(/clipboard/);
    expect(none.pending).toBe(false);
  });
});
