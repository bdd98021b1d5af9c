import { describe, expect, it } from 'vitest';
import type { KeyWork } from '../../src-shared/contract.js';
import { progressText, withProgress } from '../../src-renderer/features/key-work/key-work-text.js';

const rotation: KeyWork = { work: 'keyring.rotate', managerId: null, managerName: null, state: 'running', resumed: true, message: 'Continuing…', at: '2026-12-03T23:00:00.000Z', progress: null };
const rewrap = (managerId: string, state: KeyWork['state']): KeyWork => ({ ...rotation, work: 'managers.rewrap', managerId, managerName: managerId, state });

describe('key work between two keys.status reads', () => {
  it('a progress event gives the running entry it is about its figures, and no other', () => {
    const items = [rotation, rewrap('aws', 'running'), rewrap('gcp', 'running')];
    const rotated = withProgress(items, { type: 'keyring.rotateProgress', phase: 'data-keys', done: 1000, total: 3000 });
    expect(rotated.map((item) => item.progress)).toEqual([{ done: 1000, total: 3000 }, null, null]);
    const rewrapped = withProgress(rotated, { type: 'managers.rewrapProgress', managerId: 'gcp', done: 1, total: 2 });
    expect(rewrapped.map((item) => item.progress)).toEqual([{ done: 1000, total: 3000 }, null, { done: 1, total: 2 }]);
    expect(progressText(rewrapped[0]!)).toBe('1,000 of 3,000 keys re-wrapped');
  });

  it('an ended entry keeps no figures from a late event, and other events change nothing', () => {
    const items = [{ ...rotation, state: 'finished' as const }, rewrap('aws', 'waiting')];
    expect(withProgress(items, { type: 'keyring.rotateProgress', phase: 'configs', done: 1, total: 1 }).map((item) => item.progress)).toEqual([null, null]);
    expect(withProgress(items, { type: 'managers.rewrapProgress', managerId: 'aws', done: 1, total: 1 }).map((item) => item.progress)).toEqual([null, null]);
    expect(withProgress(items, { type: 'keys.changed' })).toBe(items);
    expect(withProgress(items, { type: 'keyring.rotateProgress', phase: 'done', done: 0, total: 0 })).toBe(items);
  });
});
