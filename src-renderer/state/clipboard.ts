import { ClipboardGuard, clearNotice } from '../lib/clipboard-guard.js';
import { showToast } from './stores.js';

/** The window's one guard, so a lock can clear whatever any view copied. */
export const clipboardGuard = new ClipboardGuard(
  () => navigator.clipboard,
  globalThis,
  (outcome) => {
    const notice = clearNotice(outcome);
    if (notice) showToast(notice);
  },
);
