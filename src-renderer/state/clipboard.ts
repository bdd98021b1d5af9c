import { ClipboardGuard } from '../lib/clipboard-guard.js';

/** The window's one guard, so a lock can clear whatever any view copied. */
export const clipboardGuard = new ClipboardGuard(() => navigator.clipboard);
