/** Global keyboard shortcuts, decided from the key alone so they can be tested without a DOM. */

export type ShortcutAction = 'lock' | 'new-secret' | 'focus-search' | 'palette';

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  /** Focus is in a text field, where '/' is just a character. */
  inTextField: boolean;
  /** A modal dialog is open: only locking still applies. */
  dialogOpen: boolean;
}

export function matchShortcut(press: KeyPress): ShortcutAction | null {
  const mod = (press.ctrlKey || press.metaKey) && !press.altKey && !press.shiftKey;
  const key = press.key.toLowerCase();
  if (mod && key === 'l') return 'lock';
  if (press.dialogOpen) return null;
  if (mod && key === 'n') return 'new-secret';
  if (mod && key === 'k') return 'palette';
  if (key === '/' && !press.inTextField && !press.ctrlKey && !press.metaKey && !press.altKey) return 'focus-search';
  return null;
}
