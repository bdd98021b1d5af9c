import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CLIPBOARD_CLEAR_MS, ClipboardGuard, type ClipboardLike } from '../../src-renderer/lib/clipboard-guard.js';

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

describe('ClipboardGuard', () => {
  let clipboard: FakeClipboard;
  let guard: ClipboardGuard;

  beforeEach(() => {
    vi.useFakeTimers();
    clipboard = new FakeClipboard();
    guard = new ClipboardGuard(() => clipboard);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('clears the clipboard 30 s after a copy when it still holds the value', async () => {
    await guard.copy('hunter2-secret');
    expect(clipboard.text).toBe('hunter2-secret');
    await vi.advanceTimersByTimeAsync(CLIPBOARD_CLEAR_MS - 1);
    expect(clipboard.text).toBe('hunter2-secret');
    await vi.advanceTimersByTimeAsync(1);
    await vi.waitFor(() => expect(clipboard.text).toBe(''));
    expect(guard.pending).toBe(false);
  });

  it('leaves the clipboard alone when the user copied something else', async () => {
    await guard.copy('hunter2-secret');
    clipboard.text = 'the user copied this';
    await expect(guard.clearIfOurs()).resolves.toBe('replaced');
    expect(clipboard.text).toBe('the user copied this');
  });

  it('leaves the clipboard alone when it cannot be read', async () => {
    await guard.copy('hunter2-secret');
    clipboard.readable = false;
    await expect(guard.clearIfOurs()).resolves.toBe('unreadable');
    expect(clipboard.text).toBe('hunter2-secret');
  });

  it('clears at once on lock and does not clear again when the timer would have fired', async () => {
    await guard.copy('hunter2-secret');
    await expect(guard.clearIfOurs()).resolves.toBe('cleared');
    clipboard.text = 'copied after the lock';
    await vi.advanceTimersByTimeAsync(CLIPBOARD_CLEAR_MS);
    expect(clipboard.text).toBe('copied after the lock');
    await expect(guard.clearIfOurs()).resolves.toBe('idle');
  });

  it('restarts the 30 s for a second copy and clears only the newer value', async () => {
    await guard.copy('first-value');
    await vi.advanceTimersByTimeAsync(20_000);
    await guard.copy('second-value');
    await vi.advanceTimersByTimeAsync(20_000);
    expect(clipboard.text).toBe('second-value');
    await vi.advanceTimersByTimeAsync(10_000);
    await vi.waitFor(() => expect(clipboard.text).toBe(''));
  });

  it('does not wipe a value copied while an earlier clear was reading the clipboard', async () => {
    await guard.copy('first-value');
    const clearing = guard.clearIfOurs();
    const copying = guard.copy('second-value');
    await expect(clearing).resolves.toBe('replaced');
    await copying;
    expect(clipboard.text).toBe('second-value');
    expect(guard.pending).toBe(true);
  });

  it('reports a missing clipboard instead of pretending to copy', async () => {
    const none = new ClipboardGuard(() => undefined);
    await expect(none.copy('x')).rejects.toThrow(/clipboard/);
    expect(none.pending).toBe(false);
  });
});
