/**
 * Key work as the UI says it (src-shared/key-work-contract.ts): pure
 * functions, tested without a DOM. A progress event updates the running
 * entry's figures between two `keys.status` reads.
 */
import type { AppEvent, KeyWork } from '../../../src-shared/contract.js';

/** The running entry the event is about gets its figures; everything else is unchanged. */
export function withProgress(items: KeyWork[], event: AppEvent): KeyWork[] {
  const matches =
    event.type === 'keyring.rotateProgress' && event.phase !== 'done'
      ? (item: KeyWork) => item.work === 'keyring.rotate'
      : event.type === 'managers.rewrapProgress'
        ? (item: KeyWork) => item.work === 'managers.rewrap' && item.managerId === event.managerId
        : null;
  if (!matches || !('done' in event)) return items;
  return items.map((item) => (item.state === 'running' && matches(item) ? { ...item, progress: { done: event.done, total: event.total } } : item));
}

export const keyWorkStateLabels: Record<KeyWork['state'], string> = {
  running: 'Running',
  finished: 'Finished',
  failed: 'Failed',
  waiting: 'Waiting for unlock',
};

/** The pill's tone: the same tones the managers table's health pills use. */
export const keyWorkTones: Record<KeyWork['state'], 'ok' | 'warn' | 'bad' | 'unknown'> = {
  running: 'unknown',
  finished: 'ok',
  failed: 'bad',
  waiting: 'warn',
};

/** "1,000 of 5,000 keys re-wrapped", or null before the first figure. */
export function progressText(item: KeyWork): string | null {
  return item.progress ? `${item.progress.done.toLocaleString('en')} of ${item.progress.total.toLocaleString('en')} keys re-wrapped` : null;
}
